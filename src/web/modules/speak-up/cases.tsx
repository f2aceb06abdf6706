import { type FormEvent, type ReactNode, useState } from 'react';
import { Link, useLocation } from 'wouter';
import type { z } from 'zod';
import {
  ActionKind,
  AssignSchema,
  type CaseDetailSchema,
  type CaseListSchema,
  CaseOutcome,
  ConflictCreateSchema,
  EscalationCreateSchema,
  MessageCreateSchema,
  SpeakUpLimits,
  TransitionSchema,
} from '../../../shared/speak-up/schema';
import { api, seg } from '../../app/api';
import {
  ErrorSummary,
  Field,
  noInput,
  SelectField,
  SubmitButton,
  TextAreaField,
  TextField,
  useForm,
} from '../../app/forms';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { useSession } from '../../app/session';
import {
  type Attachment,
  actionKindLabels,
  FileList,
  FileUploadForm,
  formatDate,
  formatDateTime,
  outcomeLabels,
  outcomeWantedLabels,
  type Provider,
  SubmissionFacts,
  statusLabels,
} from './common';

/** `/cases` and `/cases/:id`: the case handler's queue and one case. Every read is audited. */

type CaseList = z.infer<typeof CaseListSchema>;
type CaseDetail = z.infer<typeof CaseDetailSchema>;

const statusOptions = [
  { value: '', label: 'Any status' },
  ...Object.entries(statusLabels).map(([value, label]) => ({ value, label })),
];

const isOverdue = (c: { overdue: { acknowledgement: boolean; response: boolean } }) =>
  c.overdue.acknowledgement || c.overdue.response;
const overdueText = (c: { overdue: { acknowledgement: boolean; response: boolean } }) =>
  c.overdue.acknowledgement ? 'Acknowledgement overdue' : c.overdue.response ? 'Response overdue' : null;

export function CasesPage() {
  const [filters, setFilters] = useState({ status: '', overdue: false, assigned: 'anyone', page: 1 });
  const query = new URLSearchParams();
  if (filters.status) query.set('status', filters.status);
  if (filters.overdue) query.set('overdue', 'true');
  query.set('assigned', filters.assigned);
  query.set('page', String(filters.page));
  const { session } = useSession();
  const handler = session.caseHandlerOf.length > 0;
  // The server answers 404 to anyone who handles no school's cases; do not even ask then.
  const list = useLoad<CaseList>(handler ? `/api/speak-up/cases?${query}` : null);
  const notHandler = !handler || (list.error?.includes('case queue') ?? false);

  function onFilter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setFilters({
      status: String(data.get('status') ?? ''),
      overdue: data.get('overdue') === 'on',
      assigned: String(data.get('assigned') ?? 'anyone'),
      page: 1,
    });
  }

  return (
    <Page title="Case handling" lead="Reports made to your school. Only its trained case handlers see them.">
      {handler ? (
        <form className="search-form su-filters" onSubmit={onFilter} aria-label="Filter cases">
          <div className="field">
            <label htmlFor="su-f-status">Status</label>
            <select id="su-f-status" name="status" defaultValue={filters.status}>
              {statusOptions.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="su-f-assigned">Assigned to</label>
            <select id="su-f-assigned" name="assigned" defaultValue={filters.assigned}>
              <option value="anyone">Anyone</option>
              <option value="me">Me</option>
              <option value="unassigned">Nobody yet</option>
            </select>
          </div>
          <div className="field field-checkbox">
            <input id="su-f-overdue" type="checkbox" name="overdue" defaultChecked={filters.overdue} />
            <label htmlFor="su-f-overdue">Overdue only</label>
          </div>
          <button type="submit" className="button button-secondary">
            Show cases
          </button>
        </form>
      ) : null}
      {list.loading ? (
        <Loading what="Loading cases" />
      ) : notHandler ? (
        <p>You are not a case handler for any school, so there are no cases for you here.</p>
      ) : list.error ? (
        <LoadError message={list.error} retry={list.reload} />
      ) : list.data && list.data.items.length === 0 ? (
        <p>No cases match.</p>
      ) : list.data ? (
        <>
          <p className="muted">
            {list.data.total} {list.data.total === 1 ? 'case' : 'cases'}
          </p>
          <ul className="card-list" aria-label="Cases">
            {list.data.items.map((c) => (
              <li key={c.id} className={isOverdue(c) ? 'card su-overdue' : 'card'}>
                <Link href={`/cases/${c.id}`} className="card-title">
                  Case {c.reference}
                </Link>
                <p className="badges">
                  <span className="badge">{statusLabels[c.status]}</span>
                  {c.matchedInEscrow ? <span className="badge badge-warn">Match to review</span> : null}
                  {overdueText(c) ? <span className="badge badge-warn">{overdueText(c)}</span> : null}
                  {c.assessmentProtection ? (
                    <span className="badge badge-warn">Assessor involved</span>
                  ) : null}
                  <span className="badge badge-quiet">{c.anonymous ? 'Anonymous' : 'Named'}</span>
                  <span className="badge badge-quiet">
                    {c.setting === 'placement' ? 'Placement' : 'Campus'}
                  </span>
                </p>
                <p className="small">
                  Received {formatDate(c.receivedAt)} · wants {outcomeWantedLabels[c.outcomeWanted]?.label} ·{' '}
                  {c.assignedHandler ? `assigned to ${c.assignedHandler.name}` : 'not assigned'}
                  {c.lastReporterMessageAt
                    ? ` · reporter wrote ${formatDateTime(c.lastReporterMessageAt)}`
                    : ''}
                </p>
              </li>
            ))}
          </ul>
          {list.data.total > list.data.pageSize ? (
            <div className="pager">
              {filters.page > 1 ? (
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => setFilters({ ...filters, page: filters.page - 1 })}
                >
                  Previous
                </button>
              ) : null}
              {filters.page * list.data.pageSize < list.data.total ? (
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => setFilters({ ...filters, page: filters.page + 1 })}
                >
                  Next
                </button>
              ) : null}
            </div>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}

export function CasePage({ id }: { id: string }) {
  const detail = useLoad<CaseDetail>(`/api/speak-up/cases/${seg(id)}`);
  if (detail.loading && !detail.data) return <Loading what="Loading the case" />;
  if (detail.error || !detail.data) {
    return (
      <Page title="Case not available">
        <LoadError message={detail.error ?? 'This case could not be loaded.'} retry={detail.reload} />
        <p>
          <Link href="/cases">Back to the cases</Link>
        </p>
      </Page>
    );
  }
  return <CaseView c={detail.data} reload={detail.reload} />;
}

function CaseView({ c, reload }: { c: CaseDetail; reload: () => void }) {
  const { session } = useSession();
  const me = session.user?.id ?? '';
  const providers = useLoad<Provider[]>(
    `/api/speak-up/institutions/${seg(c.institutionId)}/placement-providers`,
  );
  return (
    <Page title={`Case ${c.reference}`}>
      <p>
        <Link href="/cases">Back to the cases</Link>
      </p>
      {c.assessmentProtection ? (
        <div className="callout su-alert" role="note" aria-label="Assessment protection">
          <p>
            <strong>The person involved assesses or supervises the reporter.</strong> Arrange another assessor
            before any assessment or sign-off, so that speaking up cannot affect the reporter’s grades.
          </p>
        </div>
      ) : null}
      {c.matchedInEscrow ? <EscrowDecision c={c} reload={reload} /> : null}
      <dl className="facts">
        <dt>Status</dt>
        <dd data-testid="case-status">{statusLabels[c.status]}</dd>
        {overdueText(c) ? (
          <>
            <dt>Clock</dt>
            <dd className="su-overdue-text">{overdueText(c)}</dd>
          </>
        ) : null}
        <dt>Acknowledge by</dt>
        <dd>{formatDate(c.acknowledgeDueAt)}</dd>
        <dt>Respond by</dt>
        <dd>{formatDate(c.respondDueAt)}</dd>
        <dt>Assigned to</dt>
        <dd>{c.assignedHandler?.name ?? 'Nobody yet'}</dd>
        <dt>Reporter</dt>
        <dd>
          {c.reporter
            ? `${c.reporter.name} (${c.reporter.email}); ${c.reporter.consentToContact ? 'may be contacted by e-mail' : 'has not agreed to e-mail contact'}`
            : 'Anonymous (reply through messages)'}
        </dd>
        {c.actionKind ? (
          <>
            <dt>Action</dt>
            <dd>{actionKindLabels[c.actionKind]}</dd>
          </>
        ) : null}
        {c.outcome ? (
          <>
            <dt>Outcome</dt>
            <dd>
              {outcomeLabels[c.outcome]}
              {c.outcomeNote ? `: ${c.outcomeNote}` : ''}
            </dd>
          </>
        ) : null}
      </dl>
      {c.assignedHandler?.id !== me && c.status !== 'closed' ? (
        <AssignToMe caseId={c.id} me={me} reload={reload} />
      ) : null}

      {c.nextStatuses.length > 0 ? <Workflow c={c} reload={reload} /> : null}

      {c.status !== 'closed' ? <Colleagues c={c} me={me} reload={reload} /> : null}

      <section className="section" aria-labelledby="su-report-h">
        <h2 id="su-report-h">The report</h2>
        {c.submission ? (
          <SubmissionFacts submission={c.submission} />
        ) : (
          <p>The reporter deleted this report. Only the record of the case remains.</p>
        )}
      </section>

      <CaseFiles caseId={c.id} open={c.status !== 'closed' && !c.deletedByReporter} />

      <section className="section" aria-labelledby="su-timeline-h">
        <h2 id="su-timeline-h">Timeline</h2>
        <Timeline c={c} />
      </section>

      {c.status !== 'closed' && !c.deletedByReporter ? (
        <>
          <NoteForm
            caseId={c.id}
            reload={reload}
            kind="messages"
            heading="Message the reporter"
            label="Message to the reporter"
            hint="The reporter reads this with their receipt code. Your name is not shown to them."
            button="Send to the reporter"
          />
          <NoteForm
            caseId={c.id}
            reload={reload}
            kind="notes"
            heading="Internal note"
            label="Note for case handlers"
            hint="Never shown to the reporter."
            button="Add note"
          />
          <EscalationForm caseId={c.id} reload={reload} providers={providers.data ?? []} />
        </>
      ) : null}
    </Page>
  );
}

function AssignToMe({ caseId, me, reload }: { caseId: string; me: string; reload: () => void }) {
  const form = useForm([]);
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void form.submit(noInput, null, async () => {
          await api.post(`/api/speak-up/cases/${seg(caseId)}/assign`, { handlerId: me });
          reload();
        });
      }}
    >
      <ErrorSummary form={form} />
      <SubmitButton form={form} className="button button-secondary">
        Assign to me
      </SubmitButton>
    </form>
  );
}

/**
 * A report held for a match that another person's entry now matches. Its reporter has not been
 * told. The handler reads both, may write to each reporter, and decides whether to release it.
 */
function EscrowDecision({ c, reload }: { c: CaseDetail; reload: () => void }) {
  const form = useForm([]);
  return (
    <section className="section callout" aria-labelledby="su-escrow-h">
      <h2 id="su-escrow-h">Held for a match: your decision</h2>
      <p>
        The reporter asked that this report be acted on only if someone else reported the same person. Another
        person’s report matches it:{' '}
        {(c.escrowMatches ?? []).map((m, i) => (
          <span key={m.id}>
            {i > 0 ? ', ' : ''}
            <Link href={`/cases/${m.id}`}>case {m.reference}</Link>
          </span>
        ))}
        . Neither reporter has been told. Read both; you can write to each reporter below before deciding.
      </p>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void form.submit(noInput, null, async () => {
            await api.post(`/api/speak-up/cases/${seg(c.id)}/release`, {});
            reload();
          });
        }}
      >
        <ErrorSummary form={form} />
        <SubmitButton form={form}>Release to case handling</SubmitButton>
      </form>
    </section>
  );
}

const transitionVerb: Record<string, string> = {
  acknowledged: 'Acknowledge',
  assessing: 'Start assessing',
  action: 'Take action',
  closed: 'Close the case',
};

function Workflow({ c, reload }: { c: CaseDetail; reload: () => void }) {
  const form = useForm(['to', 'actionKind', 'outcome', 'outcomeNote']);
  const [choice, setChoice] = useState<string | null>(null);
  function send(raw: Record<string, unknown>) {
    void form.submit(TransitionSchema, raw, async (body) => {
      await api.post(`/api/speak-up/cases/${seg(c.id)}/transition`, body);
      setChoice(null);
      reload();
    });
  }
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const to = choice ?? '';
    if (to === 'action') send({ to, actionKind: String(data.get('actionKind') ?? '') || undefined });
    else if (to === 'closed')
      send({
        to,
        outcome: String(data.get('outcome') ?? '') || undefined,
        outcomeNote: String(data.get('outcomeNote') ?? ''),
      });
  }
  return (
    <section className="section" aria-labelledby="su-workflow-h">
      <h2 id="su-workflow-h">Move the case on</h2>
      <ErrorSummary form={form} />
      <div className="actions">
        {c.nextStatuses.map((to) =>
          to === 'action' || to === 'closed' ? (
            <button
              key={to}
              type="button"
              className="button button-secondary"
              aria-expanded={choice === to}
              onClick={() => setChoice(choice === to ? null : to)}
            >
              {transitionVerb[to]}…
            </button>
          ) : (
            <button
              key={to}
              type="button"
              className="button"
              aria-disabled={form.busy || undefined}
              onClick={() => send({ to })}
            >
              {transitionVerb[to] ?? statusLabels[to]}
            </button>
          ),
        )}
      </div>
      {choice ? (
        <form noValidate onSubmit={onSubmit} className="confirm">
          {choice === 'action' ? (
            <SelectField
              form={form}
              name="actionKind"
              label="Kind of action"
              options={[
                { value: '', label: 'Choose…' },
                ...ActionKind.options.map((k) => ({ value: k, label: actionKindLabels[k] ?? k })),
              ]}
            />
          ) : (
            <>
              <SelectField
                form={form}
                name="outcome"
                label="Outcome"
                options={[
                  { value: '', label: 'Choose…' },
                  ...CaseOutcome.options.map((k) => ({ value: k, label: outcomeLabels[k] ?? k })),
                ]}
              />
              <TextAreaField
                form={form}
                name="outcomeNote"
                label="Outcome note (optional)"
                hint="Kept sealed with the case."
                rows={3}
                maxLength={SpeakUpLimits.outcomeNoteMax}
              />
            </>
          )}
          <SubmitButton form={form}>
            {choice === 'action' ? 'Record the action' : 'Close with this outcome'}
          </SubmitButton>
        </form>
      ) : null}
    </section>
  );
}

function Timeline({ c }: { c: CaseDetail }) {
  const events: { at: string; key: string; body: ReactNode; className?: string }[] = [
    { at: c.receivedAt, key: 'received', body: 'Report received' },
  ];
  if (c.acknowledgedAt) events.push({ at: c.acknowledgedAt, key: 'ack', body: 'Acknowledged' });
  if (c.assessingAt) events.push({ at: c.assessingAt, key: 'assessing', body: 'Assessment started' });
  if (c.actionAt)
    events.push({
      at: c.actionAt,
      key: 'action',
      body: `Action: ${c.actionKind ? actionKindLabels[c.actionKind] : 'taken'}`,
    });
  if (c.closedAt)
    events.push({
      at: c.closedAt,
      key: 'closed',
      body: `Closed${c.outcome ? `: ${outcomeLabels[c.outcome]}` : ''}`,
    });
  for (const m of c.messages) {
    const who =
      m.author === 'reporter'
        ? 'The reporter wrote'
        : m.author === 'system'
          ? 'Upstander wrote to the reporter (automatic message)'
          : m.internal
            ? `Internal note by ${m.handler?.name ?? 'a case handler'}`
            : `${m.handler?.name ?? 'A case handler'} wrote to the reporter`;
    events.push({
      at: m.createdAt,
      key: m.id,
      className: m.internal
        ? 'su-message su-note'
        : m.author === 'reporter'
          ? 'su-message'
          : 'su-message su-message-handler',
      body: (
        <>
          <strong>{who}</strong>
          <span className="su-text break">{m.body}</span>
        </>
      ),
    });
  }
  for (const e of c.escalations) {
    events.push({
      at: e.createdAt,
      key: e.id,
      body: (
        <>
          <strong>
            Escalated to {e.providerName ?? 'the formal complaints process'} ({e.contactRole}
            {e.contactName ? `, ${e.contactName}` : ''}), response due {formatDate(e.responseDueOn)}
          </strong>
          <span className="su-text break">Shared with consent: {e.shared}</span>
        </>
      ),
    });
  }
  events.sort((a, b) => a.at.localeCompare(b.at));
  return (
    <ol className="plain-list su-timeline">
      {events.map((e) => (
        <li key={e.key} className={e.className ?? 'su-event'}>
          <p className="small muted">{formatDateTime(e.at)}</p>
          <p>{e.body}</p>
        </li>
      ))}
    </ol>
  );
}

function NoteForm({
  caseId,
  reload,
  kind,
  heading,
  label,
  hint,
  button,
}: {
  caseId: string;
  reload: () => void;
  kind: 'messages' | 'notes';
  heading: string;
  label: string;
  hint: string;
  button: string;
}) {
  const form = useForm(['body']);
  const [key, setKey] = useState(0);
  const headingId = `su-${kind}-h`;
  return (
    <section className="section" aria-labelledby={headingId}>
      <h2 id={headingId}>{heading}</h2>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const body = String(new FormData(e.currentTarget).get('body') ?? '');
          void form.submit(MessageCreateSchema, { body }, async (data) => {
            await api.post(`/api/speak-up/cases/${seg(caseId)}/${kind}`, data);
            setKey((k) => k + 1);
            reload();
          });
        }}
      >
        <ErrorSummary form={form} />
        <TextAreaField key={key} form={form} name="body" label={label} hint={hint} rows={4} />
        <SubmitButton form={form}>{button}</SubmitButton>
      </form>
    </section>
  );
}

function EscalationForm({
  caseId,
  reload,
  providers,
}: {
  caseId: string;
  reload: () => void;
  providers: Provider[];
}) {
  const form = useForm(['providerId', 'contactRole', 'contactName', 'shared', 'consent', 'responseDueOn']);
  const [key, setKey] = useState(0);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (n: string) => String(data.get(n) ?? '');
    void form.submit(
      EscalationCreateSchema,
      {
        providerId: text('providerId') || null,
        contactRole: text('contactRole'),
        contactName: text('contactName'),
        shared: text('shared'),
        consent: data.get('consent') === 'on',
        responseDueOn: text('responseDueOn'),
      },
      async (body) => {
        await api.post(`/api/speak-up/cases/${seg(caseId)}/escalations`, body);
        setKey((k) => k + 1);
        reload();
      },
    );
  }
  return (
    <section className="section" aria-labelledby="su-esc-h">
      <h2 id="su-esc-h">Escalate</h2>
      <p>Record a referral to the placement provider, or to the formal complaints process.</p>
      <form key={key} noValidate onSubmit={onSubmit}>
        <ErrorSummary form={form} />
        <SelectField
          form={form}
          name="providerId"
          label="Escalated to"
          options={[
            { value: '', label: 'The formal complaints process (or a provider not listed)' },
            ...providers.map((p) => ({ value: p.id, label: p.name })),
          ]}
        />
        <TextField
          form={form}
          name="contactRole"
          label="Contact’s role"
          hint="For example, Director of Medical Education."
        />
        <TextField form={form} name="contactName" label="Contact’s name (optional)" />
        <TextAreaField
          form={form}
          name="shared"
          label="What was shared"
          hint="Only what the reporter agreed to share."
          rows={4}
        />
        <Field
          form={form}
          name="consent"
          className="field-checkbox"
          label="The reporter consented to sharing this"
        >
          {(props) => <input {...props} type="checkbox" />}
        </Field>
        <TextField form={form} name="responseDueOn" label="Response due by" type="date" />
        <SubmitButton form={form}>Record the escalation</SubmitButton>
      </form>
    </section>
  );
}

/** The case's files, each a same-origin download (the session cookie goes with it; audited), and a form to add one. */
function CaseFiles({ caseId, open }: { caseId: string; open: boolean }) {
  const base = `/api/speak-up/cases/${seg(caseId)}/attachments`;
  const files = useLoad<Attachment[]>(base);
  const [added, setAdded] = useState<Attachment[]>([]);
  const all = files.data
    ? [...files.data, ...added.filter((a) => !files.data?.some((f) => f.id === a.id))]
    : null;
  return (
    <section className="section" aria-labelledby="su-files-h">
      <h2 id="su-files-h">Files</h2>
      {files.loading && !files.data ? (
        <p className="muted">Loading the files…</p>
      ) : files.error ? (
        <LoadError message={files.error} retry={files.reload} />
      ) : all && all.length > 0 ? (
        <FileList
          files={all}
          headingId="su-files-h"
          href={(f) => `${base}/${seg(f.id)}`}
          authorLabel={(a) => (a === 'handler' ? 'added by a case handler' : 'added by the reporter')}
        />
      ) : (
        <p>No files. Photos lose their location and camera details before they are stored.</p>
      )}
      {open ? (
        <FileUploadForm
          count={all?.length ?? null}
          upload={(file) => api.post<Attachment>(base, file)}
          onAdded={(file) => setAdded((list) => [...list, file])}
          headingId="su-file-add-h"
          heading="Add a file to the case"
          intro={
            <p>
              A photo (JPEG, PNG or WebP) or a PDF, up to 10 MB; at most 5 files per case, the reporter’s
              included. Location, camera and author details are removed before it is stored. The reporter can
              download the files of their report.
            </p>
          }
        />
      ) : null}
    </section>
  );
}

type Handler = NonNullable<CaseDetail['handlers']>[number];

/** Assigning the case to a colleague, and marking a conflict of interest (yours or a colleague’s). */
function Colleagues({ c, me, reload }: { c: CaseDetail; me: string; reload: () => void }) {
  const [, navigate] = useLocation();
  const handlers: Handler[] = c.handlers ?? [];
  const assignable = handlers.filter((h) => h.conflict === null);
  const markable = handlers.filter((h) => h.conflict === null);
  const assignForm = useForm(['handlerId']);
  const conflictForm = useForm(['handlerId']);
  const [confirming, setConfirming] = useState<string | null>(null);
  const conflicted = handlers.filter((h) => h.conflict !== null);
  return (
    <section className="section" aria-labelledby="su-people-h">
      <h2 id="su-people-h">Case handlers</h2>
      {conflicted.length > 0 ? (
        <p>
          Cannot see this case (conflict of interest):{' '}
          {conflicted
            .map((h) => `${h.name} (${h.conflict === 'named' ? 'named in the report' : 'declared'})`)
            .join(', ')}
          .
        </p>
      ) : null}
      <form
        noValidate
        aria-labelledby="su-assign-h"
        onSubmit={(e) => {
          e.preventDefault();
          const handlerId = String(new FormData(e.currentTarget).get('handlerId') ?? '');
          void assignForm.submit(AssignSchema, { handlerId: handlerId || null }, async (body) => {
            await api.post(`/api/speak-up/cases/${seg(c.id)}/assign`, body);
            reload();
          });
        }}
      >
        <h3 id="su-assign-h">Assign</h3>
        <ErrorSummary form={assignForm} />
        <SelectField
          form={assignForm}
          name="handlerId"
          label="Assign the case to"
          hint="Only handlers without a conflict of interest are listed."
          defaultValue={c.assignedHandler?.id ?? ''}
          options={[
            { value: '', label: 'Nobody (unassigned)' },
            ...assignable.map((h) => ({ value: h.id, label: h.id === me ? `${h.name} (you)` : h.name })),
          ]}
        />
        <SubmitButton form={assignForm} className="button button-secondary">
          Save the assignment
        </SubmitButton>
      </form>
      <form
        noValidate
        aria-labelledby="su-conflict-h"
        onSubmit={(e) => {
          e.preventDefault();
          const handlerId = String(new FormData(e.currentTarget).get('handlerId') ?? '');
          if (!confirming) {
            if (handlerId) setConfirming(handlerId);
            else
              conflictForm.setErrors({
                message: 'Please correct this:',
                problems: [{ path: 'handlerId', message: 'Choose who has the conflict of interest.' }],
              });
            return;
          }
          void conflictForm.submit(ConflictCreateSchema, { handlerId: confirming }, async (body) => {
            await api.post(`/api/speak-up/cases/${seg(c.id)}/conflicts`, body);
            setConfirming(null);
            // Declaring one's own conflict takes the case out of one's reach at once.
            if (body.handlerId === me) navigate('/cases');
            else reload();
          });
        }}
      >
        <h3 id="su-conflict-h">Conflict of interest</h3>
        <p>
          A handler who knows someone involved, or is involved, must not handle the case. Once marked, they no
          longer see it, and it is taken off them if it was theirs. This cannot be undone here.
        </p>
        <ErrorSummary form={conflictForm} />
        <SelectField
          form={conflictForm}
          name="handlerId"
          label="Who has a conflict of interest"
          options={[
            { value: '', label: 'Choose a case handler' },
            ...markable.map((h) => ({ value: h.id, label: h.id === me ? `${h.name} (me)` : h.name })),
          ]}
        />
        {confirming ? (
          <div className="confirm">
            <p>
              <strong>
                Mark {handlers.find((h) => h.id === confirming)?.name ?? 'this handler'} as conflicted?
                {confirming === me ? ' You will no longer see this case.' : ''}
              </strong>
            </p>
            <div className="actions">
              <SubmitButton form={conflictForm} className="button button-danger">
                Yes, mark the conflict
              </SubmitButton>
              <button type="button" className="button button-secondary" onClick={() => setConfirming(null)}>
                Cancel
              </button>
            </div>
          </div>
        ) : (
          <SubmitButton form={conflictForm} className="button button-secondary">
            Mark a conflict of interest
          </SubmitButton>
        )}
      </form>
    </section>
  );
}
