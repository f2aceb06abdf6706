import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import type { z } from 'zod';
import {
  type ActionListSchema,
  AgendaRequestSchema,
  CONCERN_TRANSITIONS,
  type ConcernDetail,
  ConcernEditSchema,
  type ConcernEvent,
  ConcernLimits,
  FlagRequestSchema,
  HideRequestSchema,
  NOT_TAKEN_FORWARD_LABELS,
  RedactRequestSchema,
  type TriageResult,
  TriageSchema,
} from '../../../shared/concerns/schema';
import type { NetworkMemberSchema } from '../../../shared/identity/schema';
import { api, seg } from '../../app/api';
import {
  ChoiceGroup,
  ErrorSummary,
  type FormState,
  noInput,
  SelectField,
  StatusMessage,
  SubmitButton,
  TextAreaField,
  TextField,
  useForm,
} from '../../app/forms';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { useSession } from '../../app/session';
import { categoryLabels, categoryOptions, concernStatusLabels, formatDate, formatDateTime } from './labels';
import { SupportButton } from './support';

/**
 * `/concerns/:id`: one concern, its answer and timeline; support and flagging for members; triage,
 * the agenda, hiding and the edit history for the network's leads. The server decides who may do
 * what (`may`) and checks again on every request.
 */

type NetworkMember = z.infer<typeof NetworkMemberSchema>;
type ActionList = z.infer<typeof ActionListSchema>;

export function ConcernPage({ id }: { id: string }) {
  const detail = useLoad<ConcernDetail>(`/api/concerns/${seg(id)}`);
  const [done, setDone] = useState<string | null>(null);
  const { session } = useSession();

  if (!detail.data) {
    return (
      <Page title={detail.error ? 'Concern not found' : 'Concern'}>
        {detail.error ? (
          <LoadError message={detail.error} retry={detail.reload} />
        ) : (
          <Loading what="Loading" />
        )}
      </Page>
    );
  }
  const c = detail.data;
  const slug = session.memberships.find((m) => m.networkId === c.networkId)?.networkSlug;
  const changed = (message: string) => {
    setDone(message);
    detail.reload();
  };
  const edits = c.timeline.filter((e) => e.kind === 'edited');

  return (
    <Page title={`#${c.number} ${c.title}`} className="cn-concern">
      <StatusMessage message={done} />
      <p className="badges">
        <span className="badge" data-testid="concern-status">
          {concernStatusLabels[c.status]}
        </span>
        <span className="badge badge-quiet">{categoryLabels[c.category]}</span>
        {c.may.triage && c.overdue ? <span className="badge badge-warn">Answer overdue</span> : null}
        {c.forAgenda ? <span className="badge badge-quiet">On the agenda</span> : null}
        {c.hidden ? <span className="badge badge-warn">Hidden</span> : null}
      </p>
      {c.hiddenInfo ? (
        <div className="callout su-alert">
          <p>
            <strong>Hidden from members</strong> since {formatDate(c.hiddenInfo.hiddenAt)}
            {c.hiddenInfo.hiddenBy ? ` by ${c.hiddenInfo.hiddenBy.name}` : ''}. Reason: {c.hiddenInfo.reason}
          </p>
        </div>
      ) : null}
      <dl className="facts">
        <dt>Network</dt>
        <dd>
          {slug ? <Link href={`/networks/${seg(slug)}/concerns`}>{c.networkName}</Link> : c.networkName}
        </dd>
        <dt>Raised</dt>
        <dd>
          {formatDate(c.createdAt)},{' '}
          {c.author
            ? `by ${c.author.name}${c.visibility === 'anonymous_to_members' ? ' (anonymous to members)' : ''}`
            : c.visibility === 'anonymous'
              ? 'fully anonymously'
              : 'anonymously'}
          {c.mine ? ' (you)' : ''}
        </dd>
        {c.moduleRef ? (
          <>
            <dt>Teaching module</dt>
            <dd>{c.moduleRef}</dd>
          </>
        ) : null}
        {c.placementSite ? (
          <>
            <dt>Placement site</dt>
            <dd>{c.placementSite}</dd>
          </>
        ) : null}
        <dt>First answer</dt>
        <dd>
          {c.firstAnsweredAt
            ? `Answered ${formatDate(c.firstAnsweredAt)}`
            : `Due by ${formatDate(c.firstAnswerDueAt)}${c.overdue ? ' (overdue)' : ''}`}
        </dd>
        {c.flagCount !== null && c.flagCount > 0 ? (
          <>
            <dt>Flagged as abusive</dt>
            <dd>
              {c.flagCount} {c.flagCount === 1 ? 'time' : 'times'}
            </dd>
          </>
        ) : null}
      </dl>
      <p className="su-text">{c.description}</p>

      {c.may.support || c.supportCount > 0 ? (
        <SupportButton
          key={`${c.supportCount}-${c.supportedByMe}`}
          concernId={c.id}
          title={`#${c.number}`}
          initial={{ supportCount: c.supportCount, supportedByMe: c.supportedByMe }}
          disabled={!c.may.support}
        />
      ) : null}

      <section className="section" aria-labelledby="cn-answer">
        <h2 id="cn-answer">The co-chairs’ answer</h2>
        {c.answer ? <p className="callout su-text">{c.answer}</p> : <p>Not answered yet.</p>}
        {c.action ? (
          <p>
            Taken up in action{' '}
            <Link href={`/actions/${c.action.id}`}>
              A-{c.action.number} {c.action.title}
            </Link>{' '}
            ({c.action.progress}% done).
          </p>
        ) : null}
      </section>

      <section className="section" aria-labelledby="cn-timeline">
        <h2 id="cn-timeline">What has happened</h2>
        <ol className="plain-list su-timeline">
          {c.timeline.map((e) => (
            <TimelineEntry key={e.id} event={e} />
          ))}
        </ol>
      </section>

      {c.may.triage ? <TriageForm concern={c} onDone={changed} /> : null}
      {c.may.triage ? <AgendaToggle concern={c} onDone={changed} /> : null}
      {c.may.edit ? <EditForm concern={c} onDone={changed} /> : null}
      {c.may.flag && !c.flaggedByMe ? <FlagForm concern={c} onDone={changed} /> : null}
      {c.flaggedByMe ? (
        <p className="small muted">You flagged this concern; the leads will look at it.</p>
      ) : null}
      {c.may.moderate ? <ModerateForm concern={c} onDone={changed} /> : null}

      {edits.length ? (
        <section className="section" aria-labelledby="cn-edits">
          <h2 id="cn-edits">Edit history</h2>
          <ol className="plain-list su-timeline">
            {edits.map((e) => (
              <li key={e.id} className="su-event">
                <p className="small muted">
                  {formatDateTime(e.at)}
                  {e.actor ? `, ${e.actor.name}` : ''}
                </p>
                <EditChanges data={e.data} />
                {c.may.redactHistory && e.data.changes ? (
                  <RedactForm concern={c} event={e} onDone={changed} />
                ) : null}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </Page>
  );
}

function describeEvent(e: ConcernEvent): string {
  const data = e.data as Record<string, unknown>;
  switch (e.kind) {
    case 'raised':
      return 'Raised';
    case 'edited':
      return 'Edited (see the edit history)';
    case 'status':
      return e.toStatus ? `Status: ${concernStatusLabels[e.toStatus]}` : 'Answered';
    case 'hidden':
      return `Hidden: ${String(data.reason ?? '')}`;
    case 'unhidden':
      return 'Shown again';
    case 'linked_action':
      return `Joined action A-${String(data.actionNumber ?? '')}`;
    case 'agenda':
      return data.forAgenda ? 'Put on the next meeting’s agenda' : 'Taken off the agenda';
    case 'meeting_decision':
      return e.toStatus
        ? `Decided at a meeting: ${concernStatusLabels[e.toStatus]}`
        : 'Discussed at a meeting';
  }
}

function TimelineEntry({ event: e }: { event: ConcernEvent }) {
  const answer = typeof e.data.answer === 'string' ? e.data.answer : null;
  const reason = typeof e.data.reason === 'string' && e.kind !== 'hidden' ? e.data.reason : null;
  return (
    <li className="su-event">
      <p className="small muted">
        {formatDateTime(e.at)}
        {e.actor ? `, ${e.actor.name}` : ''}
      </p>
      <p>{describeEvent(e)}</p>
      {reason ? (
        <p className="small">
          Reason: {NOT_TAKEN_FORWARD_LABELS[reason as keyof typeof NOT_TAKEN_FORWARD_LABELS] ?? reason}
        </p>
      ) : null}
      {answer ? <p className="su-text">{answer}</p> : null}
    </li>
  );
}

const fieldLabels: Record<string, string> = {
  title: 'Title',
  description: 'Description',
  category: 'Category',
  moduleRef: 'Teaching module',
  placementSite: 'Placement site',
};
/**
 * One edit. The network's leads see the wording before and after; everyone else (and everyone, once
 * the leads removed the wording) sees which fields changed.
 */
function EditChanges({ data }: { data: Record<string, unknown> }) {
  const redacted = data.redacted as { reason?: string } | undefined;
  if (!data.changes) {
    const fields = (Array.isArray(data.fields) ? data.fields : []) as string[];
    return (
      <>
        <p>Changed: {fields.map((f) => fieldLabels[f] ?? f).join(', ') || 'the wording'}.</p>
        {redacted ? (
          <p className="small muted">
            The leads removed the earlier wording from this history. Their reason: {redacted.reason}
          </p>
        ) : null}
      </>
    );
  }
  const changes = data.changes as Record<string, { before?: unknown; after?: unknown }>;
  const show = (field: string, v: unknown) =>
    v === null || v === undefined || v === ''
      ? '(empty)'
      : field === 'category'
        ? (categoryLabels[v as keyof typeof categoryLabels] ?? String(v))
        : String(v);
  return (
    <dl className="facts">
      {Object.entries(changes).map(([field, change]) => (
        <div key={field} className="cn-change">
          <dt>{fieldLabels[field] ?? field}</dt>
          <dd>
            <span className="vh">Before: </span>
            <del>{show(field, change.before)}</del> <span aria-hidden="true">→</span>
            <span className="vh">After: </span>
            <ins>{show(field, change.after)}</ins>
          </dd>
        </div>
      ))}
    </dl>
  );
}

const TRIAGE_FIELDS = [
  'status',
  'answer',
  'reason',
  'existingActionId',
  'newAction.title',
  'newAction.summary',
  'newAction.studentLeadId',
  'newAction.staffSponsorId',
] as const;

function TriageForm({ concern: c, onDone }: { concern: ConcernDetail; onDone: (m: string) => void }) {
  const next = CONCERN_TRANSITIONS[c.status];
  const [status, setStatus] = useState<string>(next[0] ?? '');
  const [joinExisting, setJoinExisting] = useState('new');
  const form = useForm(TRIAGE_FIELDS);
  const members = useLoad<NetworkMember[]>(
    status === 'accepted' ? `/api/networks/${seg(c.networkId)}/members` : null,
  );
  const actions = useLoad<ActionList>(
    status === 'accepted' ? `/api/networks/${seg(c.networkId)}/actions?pageSize=50` : null,
  );
  if (next.length === 0) {
    return (
      <section className="section" aria-labelledby="cn-triage">
        <h2 id="cn-triage">Triage</h2>
        <p>
          This concern is now an action: its story goes on there.{' '}
          {c.action ? <Link href={`/actions/${c.action.id}`}>Open the action</Link> : null}
        </p>
      </section>
    );
  }
  const people = members.data ?? [];
  const students = people.filter((m) => m.kind === 'student');
  const staff = people.filter((m) => m.kind === 'staff');
  const openActions = (actions.data?.items ?? []).filter(
    (a) => a.status !== 'completed' && a.status !== 'dropped',
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '');
    const raw: Record<string, unknown> = { status, answer: text('answer') };
    if (status === 'not_taken_forward') raw.reason = text('reason') || undefined;
    if (status === 'accepted') {
      if (joinExisting === 'existing') raw.existingActionId = text('existingActionId') || undefined;
      else {
        raw.newAction = {
          title: text('newAction.title'),
          summary: text('newAction.summary') || undefined,
          studentLeadId: text('newAction.studentLeadId'),
          staffSponsorId: text('newAction.staffSponsorId'),
        };
      }
    }
    void form.submit(TriageSchema, raw, async (body) => {
      const answer = await api.post<TriageResult>(`/api/concerns/${seg(c.id)}/triage`, body);
      onDone(`The concern is now “${concernStatusLabels[answer.status]}”, and its author has been told.`);
    });
  }

  return (
    <section className="section" aria-labelledby="cn-triage">
      <h2 id="cn-triage">Triage</h2>
      <form noValidate onSubmit={onSubmit} aria-labelledby="cn-triage">
        <ErrorSummary form={form} />
        <ChoiceGroup
          form={form}
          name="status"
          legend="What happens to it?"
          type="radio"
          value={status}
          onChange={setStatus}
          options={next.map((s) => ({ value: s, label: concernStatusLabels[s] }))}
        />
        <TextAreaField
          form={form}
          name="answer"
          label="Public answer"
          hint="Everyone who can see the concern reads this, and its author and supporters are told. Say what happens next."
          rows={5}
          maxLength={ConcernLimits.answerMax}
          defaultValue={c.answer ?? ''}
        />
        {status === 'not_taken_forward' ? (
          <SelectField
            form={form}
            name="reason"
            label="Why it is not taken forward"
            options={[
              { value: '', label: 'Choose a reason' },
              ...Object.entries(NOT_TAKEN_FORWARD_LABELS).map(([value, label]) => ({ value, label })),
            ]}
          />
        ) : null}
        {status === 'accepted' ? (
          <>
            <ChoiceGroup
              form={form}
              name="actionChoice"
              legend="Which action takes it up?"
              type="radio"
              value={joinExisting}
              onChange={setJoinExisting}
              options={[
                { value: 'new', label: 'A new action' },
                { value: 'existing', label: 'An action already under way' },
              ]}
            />
            {members.loading || actions.loading ? <Loading what="Loading members and actions" /> : null}
            {members.error ? <LoadError message={members.error} retry={members.reload} /> : null}
            {joinExisting === 'existing' ? (
              <SelectField
                form={form}
                name="existingActionId"
                label="Action"
                options={[
                  { value: '', label: openActions.length ? 'Choose an action' : 'No open actions yet' },
                  ...openActions.map((a) => ({ value: a.id, label: `A-${a.number} ${a.title}` })),
                ]}
              />
            ) : (
              <NewActionFields form={form} concern={c} students={students} staff={staff} />
            )}
          </>
        ) : null}
        <SubmitButton form={form}>Save and tell the author</SubmitButton>
      </form>
    </section>
  );
}

function NewActionFields({
  form,
  concern,
  students,
  staff,
}: {
  form: FormState;
  concern: ConcernDetail;
  students: NetworkMember[];
  staff: NetworkMember[];
}) {
  const person = (m: NetworkMember) => ({
    value: m.userId,
    label: m.yearOfStudy ? `${m.name} (year ${m.yearOfStudy})` : m.name,
  });
  return (
    <fieldset className="field su-choices">
      <legend>The new action</legend>
      <TextField
        form={form}
        name="newAction.title"
        label="Action title"
        defaultValue={concern.title}
        maxLength={ConcernLimits.actionTitleMax}
      />
      <TextAreaField
        form={form}
        name="newAction.summary"
        label="What will be done (optional)"
        hint="Shown on the public impact board."
        rows={3}
        maxLength={ConcernLimits.actionSummaryMax}
      />
      <SelectField
        form={form}
        name="newAction.studentLeadId"
        label="Student lead"
        hint="A student member of the network."
        options={[{ value: '', label: 'Choose a student' }, ...students.map(person)]}
      />
      <SelectField
        form={form}
        name="newAction.staffSponsorId"
        label="Staff sponsor"
        hint="A staff member of the network."
        options={[{ value: '', label: 'Choose a member of staff' }, ...staff.map(person)]}
      />
    </fieldset>
  );
}

function AgendaToggle({ concern: c, onDone }: { concern: ConcernDetail; onDone: (m: string) => void }) {
  const form = useForm([]);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void form.submit(AgendaRequestSchema, { forAgenda: !c.forAgenda }, async (body) => {
      await api.post(`/api/concerns/${seg(c.id)}/agenda`, body);
      onDone(body.forAgenda ? 'It is on the next meeting’s agenda.' : 'It is off the agenda.');
    });
  }
  return (
    <section className="section" aria-labelledby="cn-agenda">
      <h2 id="cn-agenda">Meeting agenda</h2>
      <p>
        {c.forAgenda
          ? 'It is waiting for discussion at the next meeting.'
          : 'Put it on the next meeting’s agenda to discuss it together.'}
      </p>
      <form noValidate onSubmit={onSubmit} aria-labelledby="cn-agenda">
        <ErrorSummary form={form} />
        <SubmitButton form={form} className="button button-secondary">
          {c.forAgenda ? 'Take it off the agenda' : 'Put it on the agenda'}
        </SubmitButton>
      </form>
    </section>
  );
}

const EDIT_FIELDS = ['title', 'description', 'category', 'moduleRef', 'placementSite'] as const;

function EditForm({ concern: c, onDone }: { concern: ConcernDetail; onDone: (m: string) => void }) {
  const form = useForm(EDIT_FIELDS);
  const [open, setOpen] = useState(false);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '');
    const before: Record<string, string> = {
      title: c.title,
      description: c.description,
      category: c.category,
      moduleRef: c.moduleRef ?? '',
      placementSite: c.placementSite ?? '',
    };
    // Only what changed is sent, so the history shows exactly that.
    const raw: Record<string, unknown> = {};
    for (const field of EDIT_FIELDS) {
      const value = text(field);
      if (value.trim() === before[field]?.trim()) continue;
      raw[field] = (field === 'moduleRef' || field === 'placementSite') && !value.trim() ? null : value;
    }
    void form.submit(ConcernEditSchema, raw, async (body) => {
      await api.patch(`/api/concerns/${seg(c.id)}`, body);
      setOpen(false);
      onDone(
        'Your changes are saved. Members see only the new wording; the network’s leads can still see the earlier one.',
      );
    });
  }
  return (
    <section className="section" aria-labelledby="cn-edit">
      <h2 id="cn-edit">Edit</h2>
      {open ? (
        <form noValidate onSubmit={onSubmit} aria-labelledby="cn-edit">
          <ErrorSummary form={form} />
          <TextField
            form={form}
            name="title"
            label="Title"
            defaultValue={c.title}
            maxLength={ConcernLimits.titleMax}
          />
          <TextAreaField
            form={form}
            name="description"
            label="Description"
            rows={6}
            defaultValue={c.description}
            maxLength={ConcernLimits.descriptionMax}
          />
          <SelectField
            form={form}
            name="category"
            label="Category"
            options={categoryOptions}
            defaultValue={c.category}
          />
          <TextField
            form={form}
            name="moduleRef"
            label="Teaching module (optional)"
            defaultValue={c.moduleRef ?? ''}
          />
          <TextField
            form={form}
            name="placementSite"
            label="Placement site (optional)"
            defaultValue={c.placementSite ?? ''}
          />
          <div className="actions">
            <SubmitButton form={form}>Save changes</SubmitButton>
            <button type="button" className="button button-secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button type="button" className="button button-secondary" onClick={() => setOpen(true)}>
          Edit this concern
        </button>
      )}
    </section>
  );
}

function FlagForm({ concern: c, onDone }: { concern: ConcernDetail; onDone: (m: string) => void }) {
  const form = useForm(['reason']);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const reason = String(new FormData(event.currentTarget).get('reason') ?? '');
    void form.submit(FlagRequestSchema, { reason }, async (body) => {
      await api.post(`/api/concerns/${seg(c.id)}/flag`, body);
      onDone('Thank you. The leads will look at it.');
    });
  }
  return (
    <details className="su-details">
      <summary>Flag as abusive</summary>
      <form noValidate onSubmit={onSubmit} aria-label="Flag as abusive">
        <ErrorSummary form={form} />
        <TextAreaField
          form={form}
          name="reason"
          label="Why is it abusive?"
          hint="Only the network’s leads read this. They decide whether to hide it."
          rows={3}
          maxLength={ConcernLimits.reasonMax}
        />
        <SubmitButton form={form} className="button button-secondary">
          Flag it
        </SubmitButton>
      </form>
    </details>
  );
}

/** Leads remove the wording of one edit (e.g. a name its author took out); which fields changed stays. */
function RedactForm({
  concern: c,
  event: e,
  onDone,
}: {
  concern: ConcernDetail;
  event: ConcernEvent;
  onDone: (m: string) => void;
}) {
  const form = useForm(['reason']);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const reason = String(new FormData(event.currentTarget).get('reason') ?? '');
    void form.submit(RedactRequestSchema, { reason }, async (body) => {
      await api.post(`/api/concerns/${seg(c.id)}/history/${seg(e.id)}/redact`, body);
      onDone('The earlier wording of that edit is removed from the history. Your reason is kept with it.');
    });
  }
  return (
    <details className="su-details">
      <summary>Remove this wording from the history</summary>
      <form
        noValidate
        onSubmit={onSubmit}
        aria-label={`Remove the wording of the edit of ${formatDateTime(e.at)}`}
      >
        <p className="field-hint">
          Members never see earlier wording; removing it also takes it from the leads’ view. Which fields
          changed, and your reason, stay.
        </p>
        <ErrorSummary form={form} />
        <TextAreaField
          form={form}
          name="reason"
          label="Reason (kept with the history)"
          rows={2}
          maxLength={ConcernLimits.reasonMax}
        />
        <SubmitButton form={form} className="button button-danger">
          Remove the wording
        </SubmitButton>
      </form>
    </details>
  );
}

function ModerateForm({ concern: c, onDone }: { concern: ConcernDetail; onDone: (m: string) => void }) {
  const form = useForm(['reason']);
  function onHide(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const reason = String(new FormData(event.currentTarget).get('reason') ?? '');
    void form.submit(HideRequestSchema, { reason }, async (body) => {
      await api.post(`/api/concerns/${seg(c.id)}/hide`, body);
      onDone('It is hidden from members. Its author has been told why.');
    });
  }
  function onUnhide(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void form.submit(noInput, null, async () => {
      await api.post(`/api/concerns/${seg(c.id)}/unhide`);
      onDone('Members can see it again.');
    });
  }
  return (
    <section className="section" aria-labelledby="cn-moderate">
      <h2 id="cn-moderate">Moderation</h2>
      {c.hidden ? (
        <form noValidate onSubmit={onUnhide} aria-labelledby="cn-moderate">
          <ErrorSummary form={form} />
          <SubmitButton form={form} className="button button-secondary">
            Show it to members again
          </SubmitButton>
        </form>
      ) : (
        <details className="su-details">
          <summary>Hide this concern</summary>
          <form noValidate onSubmit={onHide} aria-label="Hide this concern">
            <p className="field-hint">
              Hiding never deletes it: you, the other leads and its author still see it, with your reason.
            </p>
            <ErrorSummary form={form} />
            <TextAreaField
              form={form}
              name="reason"
              label="Reason (the author is told)"
              rows={3}
              maxLength={ConcernLimits.reasonMax}
            />
            <SubmitButton form={form} className="button button-danger">
              Hide it
            </SubmitButton>
          </form>
        </details>
      )}
    </section>
  );
}
