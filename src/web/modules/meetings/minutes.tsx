import { type FormEvent, useState } from 'react';
import { NOT_TAKEN_FORWARD_LABELS } from '../../../shared/concerns/schema';
import {
  ActionItemCreateSchema,
  DecisionCreateSchema,
  MinutesSaveSchema,
} from '../../../shared/meetings/schema';
import { api, seg } from '../../app/api';
import {
  ChoiceGroup,
  ErrorSummary,
  noInput,
  SelectField,
  StatusMessage,
  SubmitButton,
  TextAreaField,
  TextField,
  useForm,
} from '../../app/forms';
import { LoadError, useLoad } from '../../app/load';
import { Loading } from '../../app/page';
import { describeMember, type NetworkMember } from '../identity/network';
import { formatDay, formatInstant } from './common';
import type { AgendaItem, MeetingView } from './types';

/**
 * The leads' minutes editor: attendance, notes per agenda item, decisions (a decision about a
 * concern is applied to the concern by the server: accepted as an action with a student lead and
 * a staff sponsor, answered, or not taken forward, each with its public answer), action items, and
 * publishing. Its own chunk: members never download it.
 */
export function MinutesEditor({ meeting, onChanged }: { meeting: MeetingView; onChanged: () => void }) {
  const members = useLoad<NetworkMember[]>(`/api/networks/${seg(meeting.networkId)}/members`);
  const actions = useLoad<{ items: ActionOption[] }>(`/api/networks/${seg(meeting.networkId)}/actions`);
  const minutes = meeting.minutes;
  const published = minutes?.status === 'published';
  return (
    <section className="section mt-minutes" aria-labelledby="mt-minutes-editor-heading">
      <h2 id="mt-minutes-editor-heading">Minutes</h2>
      <p className="small" data-testid="minutes-status">
        {published && minutes?.publishedAt
          ? `Published ${formatInstant(minutes.publishedAt)}: members can read them.`
          : minutes?.status === 'draft'
            ? 'Draft: only leads can see it until you publish.'
            : 'Not started. Only leads see the minutes until you publish them.'}
      </p>
      {members.error ? <LoadError message={members.error} retry={members.reload} /> : null}
      {members.loading && !members.data ? <Loading what="Loading members" /> : null}
      {members.data ? (
        <>
          <AttendanceAndNotes meeting={meeting} members={members.data} onSaved={onChanged} />
          <Decisions
            meeting={meeting}
            members={members.data}
            actions={(actions.data?.items ?? []).filter(
              (a) => a.status === 'planned' || a.status === 'in_progress',
            )}
            onChanged={onChanged}
          />
          <ActionItems meeting={meeting} members={members.data} onChanged={onChanged} />
          {!published ? <Publish meetingId={meeting.id} onPublished={onChanged} /> : null}
        </>
      ) : null}
    </section>
  );
}

function AttendanceAndNotes({
  meeting,
  members,
  onSaved,
}: {
  meeting: MeetingView;
  members: NetworkMember[];
  onSaved: () => void;
}) {
  const form = useForm(meeting.agenda.map((a) => `notes.${a.id}`));
  const [saved, setSaved] = useState<string | null>(null);
  const present = new Set((meeting.minutes?.attendance ?? []).filter((a) => a.present).map((a) => a.userId));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const came = new Set(data.getAll('present').map(String));
    const raw = {
      attendance: members.map((m) => ({ userId: m.userId, present: came.has(m.userId) })),
      notes: meeting.agenda.map((a) => ({
        agendaItemId: a.id,
        notes: String(data.get(`notes.${a.id}`) ?? ''),
      })),
    };
    setSaved(null);
    void form.submit(MinutesSaveSchema, raw, async (body) => {
      await api.put(`/api/meetings/${seg(meeting.id)}/minutes`, body);
      setSaved('Attendance and notes are saved.');
      onSaved();
    });
  }

  return (
    <form noValidate onSubmit={onSubmit} aria-labelledby="mt-attendance-heading" className="mt-minutes-form">
      <ErrorSummary form={form} />
      <fieldset className="field su-choices">
        <legend id="mt-attendance-heading">
          <h3 className="mt-legend-heading">Who came</h3>
        </legend>
        {members.map((m) => {
          const id = `mt-present-${m.userId}`;
          return (
            <div key={m.userId} className="field-checkbox su-choice">
              <input
                id={id}
                type="checkbox"
                name="present"
                value={m.userId}
                defaultChecked={present.has(m.userId)}
              />
              <label htmlFor={id}>
                {m.name} <span className="muted">({describeMember(m)})</span>
              </label>
            </div>
          );
        })}
      </fieldset>
      {meeting.agenda.length ? <h3>Notes on each item</h3> : null}
      {meeting.agenda.map((item) => (
        <TextAreaField
          key={item.id}
          form={form}
          name={`notes.${item.id}`}
          label={`Notes: ${agendaLabel(item)}`}
          rows={3}
          defaultValue={item.notes ?? ''}
        />
      ))}
      <SubmitButton form={form}>{form.busy ? 'Saving…' : 'Save attendance and notes'}</SubmitButton>
      <StatusMessage message={saved} />
    </form>
  );
}

const agendaLabel = (item: AgendaItem) =>
  item.kind === 'concern' && item.concernNumber !== null
    ? `concern #${item.concernNumber}, ${item.title}`
    : item.title;

type ActionOption = { id: string; number: number; title: string; status: string };

function Decisions({
  meeting,
  members,
  actions,
  onChanged,
}: {
  meeting: MeetingView;
  members: NetworkMember[];
  actions: ActionOption[];
  onChanged: () => void;
}) {
  const decisions = meeting.minutes?.decisions ?? [];
  const decided = new Set(decisions.map((d) => d.concernId).filter(Boolean));
  const open = meeting.agenda.filter((a) => a.kind === 'concern' && a.concernId && !decided.has(a.concernId));
  return (
    <div className="mt-decisions-editor">
      <h3>Decisions</h3>
      {decisions.length ? (
        <ul className="mt-decisions" data-testid="decisions">
          {decisions.map((d) => (
            <li key={d.id}>{d.text}</li>
          ))}
        </ul>
      ) : (
        <p>No decisions recorded yet.</p>
      )}
      {open.map((item) => (
        <ConcernDecision
          key={item.id}
          meetingId={meeting.id}
          item={item}
          members={members}
          actions={actions}
          onDone={onChanged}
        />
      ))}
      <OtherDecision meetingId={meeting.id} onDone={onChanged} />
    </div>
  );
}

const DECISION_FIELDS = [
  'kind',
  'answer',
  'action',
  'reason',
  'existingActionId',
  'newAction.title',
  'newAction.summary',
  'newAction.studentLeadId',
  'newAction.staffSponsorId',
];
const reasonOptions = [
  { value: '', label: 'Choose…' },
  ...Object.entries(NOT_TAKEN_FORWARD_LABELS).map(([value, label]) => ({ value, label })),
];

function ConcernDecision({
  meetingId,
  item,
  members,
  actions,
  onDone,
}: {
  meetingId: string;
  item: AgendaItem;
  members: NetworkMember[];
  actions: ActionOption[];
  onDone: () => void;
}) {
  const form = useForm(DECISION_FIELDS);
  const [kind, setKind] = useState('concern_accepted');
  const [how, setHow] = useState('new');
  const joining = kind === 'concern_accepted' && how === 'existing' && actions.length > 0;
  const headingId = `mt-decide-${item.id}`;
  const person = (list: NetworkMember[]) => [
    { value: '', label: 'Choose…' },
    ...list.map((m) => ({ value: m.userId, label: `${m.name} (${describeMember(m)})` })),
  ];

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const base = { kind, concernId: item.concernId, agendaItemId: item.id, answer: text('answer') };
    const raw = joining
      ? { ...base, existingActionId: text('existingActionId') || undefined }
      : kind === 'concern_accepted'
        ? {
            ...base,
            newAction: {
              title: text('newAction.title'),
              summary: text('newAction.summary') || undefined,
              studentLeadId: text('newAction.studentLeadId'),
              staffSponsorId: text('newAction.staffSponsorId'),
            },
          }
        : kind === 'concern_not_taken_forward'
          ? { ...base, reason: text('reason') }
          : base;
    void form.submit(DecisionCreateSchema, raw, async (body) => {
      await api.post(`/api/meetings/${seg(meetingId)}/decisions`, body);
      onDone();
    });
  }

  return (
    <form noValidate onSubmit={onSubmit} aria-labelledby={headingId} className="card mt-decision-form">
      <h4 id={headingId}>Decide: {agendaLabel(item)}</h4>
      <ErrorSummary form={form} />
      <ChoiceGroup
        form={form}
        name="kind"
        legend="What did the meeting decide?"
        type="radio"
        value={kind}
        onChange={setKind}
        options={[
          {
            value: 'concern_accepted',
            label: 'Accept it as an action',
            hint: 'A student lead and a staff sponsor take it forward; it appears on the impact board.',
          },
          {
            value: 'concern_answered',
            label: 'Answer it',
            hint: 'Nothing needs to change, or it is explained.',
          },
          { value: 'concern_not_taken_forward', label: 'Not taken forward', hint: 'Say why, publicly.' },
        ]}
      />
      {kind === 'concern_accepted' && actions.length ? (
        <ChoiceGroup
          form={form}
          name="how"
          legend="Which action"
          type="radio"
          value={how}
          onChange={setHow}
          options={[
            { value: 'new', label: 'Start a new action' },
            { value: 'existing', label: 'Add it to an action already under way' },
          ]}
        />
      ) : null}
      {joining ? (
        <SelectField
          form={form}
          name="existingActionId"
          label="Action"
          options={[
            { value: '', label: 'Choose…' },
            ...actions.map((a) => ({ value: a.id, label: `A-${a.number}: ${a.title}` })),
          ]}
        />
      ) : null}
      {kind === 'concern_accepted' && !joining ? (
        <>
          <TextField form={form} name="newAction.title" label="Action title" defaultValue={item.title} />
          <TextAreaField form={form} name="newAction.summary" label="What will be done (optional)" rows={3} />
          <SelectField
            form={form}
            name="newAction.studentLeadId"
            label="Student lead"
            options={person(members.filter((m) => m.kind === 'student'))}
          />
          <SelectField
            form={form}
            name="newAction.staffSponsorId"
            label="Staff sponsor"
            options={person(members.filter((m) => m.kind === 'staff'))}
          />
        </>
      ) : null}
      {kind === 'concern_not_taken_forward' ? (
        <SelectField form={form} name="reason" label="Why not" options={reasonOptions} />
      ) : null}
      <TextAreaField
        form={form}
        name="answer"
        label="Public answer"
        hint="Shown with the concern to everyone who can see it: what was decided and why."
        rows={4}
      />
      <SubmitButton form={form}>{form.busy ? 'Recording…' : 'Record the decision'}</SubmitButton>
    </form>
  );
}

function OtherDecision({ meetingId, onDone }: { meetingId: string; onDone: () => void }) {
  const form = useForm(['text']);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    const raw = { kind: 'other', text: String(new FormData(target).get('text') ?? '') };
    void form.submit(DecisionCreateSchema, raw, async (body) => {
      await api.post(`/api/meetings/${seg(meetingId)}/decisions`, body);
      target.reset();
      onDone();
    });
  }
  return (
    <form noValidate onSubmit={onSubmit} aria-label="Another decision">
      <ErrorSummary form={form} />
      <TextAreaField form={form} name="text" label="Another decision" rows={2} />
      <SubmitButton form={form} className="button button-secondary">
        {form.busy ? 'Recording…' : 'Record it'}
      </SubmitButton>
    </form>
  );
}

function ActionItems({
  meeting,
  members,
  onChanged,
}: {
  meeting: MeetingView;
  members: NetworkMember[];
  onChanged: () => void;
}) {
  const form = useForm(['title', 'ownerId', 'dueOn']);
  const items = meeting.minutes?.actionItems ?? [];
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    const data = new FormData(target);
    const raw = {
      title: String(data.get('title') ?? ''),
      ownerId: String(data.get('ownerId') ?? ''),
      dueOn: String(data.get('dueOn') ?? ''),
    };
    void form.submit(ActionItemCreateSchema, raw, async (body) => {
      await api.post(`/api/meetings/${seg(meeting.id)}/action-items`, body);
      target.reset();
      onChanged();
    });
  }
  return (
    <div>
      <h3>Action items</h3>
      {items.length ? (
        <ul className="mt-action-items">
          {items.map((a) => (
            <li key={a.id}>
              {a.title}{' '}
              <span className="muted">
                ({a.ownerName ?? 'no owner'}, by {formatDay(a.dueOn)})
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p>No action items yet.</p>
      )}
      <form noValidate onSubmit={onSubmit} aria-labelledby="mt-new-action-item">
        <h4 id="mt-new-action-item">Add an action item</h4>
        <ErrorSummary form={form} />
        <TextField form={form} name="title" label="What needs doing" />
        <SelectField
          form={form}
          name="ownerId"
          label="Who will do it"
          options={[
            { value: '', label: 'Choose…' },
            ...members.map((m) => ({ value: m.userId, label: m.name })),
          ]}
        />
        <TextField form={form} name="dueOn" label="Due by" type="date" />
        <SubmitButton form={form} className="button button-secondary">
          {form.busy ? 'Adding…' : 'Add the action item'}
        </SubmitButton>
      </form>
    </div>
  );
}

function Publish({ meetingId, onPublished }: { meetingId: string; onPublished: () => void }) {
  const form = useForm([]);
  return (
    <div>
      <h3>Publish</h3>
      <p>Publishing shows the attendance, notes, decisions and action items to every member.</p>
      <ErrorSummary form={form} />
      <button
        type="button"
        className="button"
        aria-disabled={form.busy || undefined}
        onClick={() =>
          form.submit(noInput, null, async () => {
            await api.post(`/api/meetings/${seg(meetingId)}/minutes/publish`);
            onPublished();
          })
        }
      >
        Publish the minutes
      </button>
    </div>
  );
}
