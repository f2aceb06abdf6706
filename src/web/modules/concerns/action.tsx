import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import {
  ACTION_STATUS_LABELS,
  type ActionDetail,
  ActionUpdatePostSchema,
  ActionUpdateSchema,
  ConcernLimits,
  ConsentSchema,
  EvidenceCreateSchema,
  MilestoneCreateSchema,
  MilestoneUpdateSchema,
} from '../../../shared/concerns/schema';
import { api, seg } from '../../app/api';
import {
  ErrorSummary,
  Field,
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
import { rolesOf, useSession } from '../../app/session';
import { ATTACHMENT_ACCEPT, fileProblem, fileToBase64, formatBytes } from '../speak-up/common';
import {
  actionStatusLabels,
  categoryLabels,
  concernStatusLabels,
  formatDate,
  formatDateTime,
  formatDay,
  ProgressBar,
} from './labels';

/**
 * `/actions/:id`: an action for the network's members. Leads, and the action's own student lead
 * and staff sponsor, post updates, milestones, files and evidence; the lead and sponsor each decide
 * whether the public board may show their name.
 */

type Done = (message: string) => void;

export function ActionPage({ id }: { id: string }) {
  const detail = useLoad<ActionDetail>(`/api/actions/${seg(id)}`);
  const [message, setMessage] = useState<string | null>(null);
  const { session } = useSession();
  if (!detail.data) {
    return (
      <Page title={detail.error ? 'Action not found' : 'Action'}>
        {detail.error ? (
          <LoadError message={detail.error} retry={detail.reload} />
        ) : (
          <Loading what="Loading" />
        )}
      </Page>
    );
  }
  const a = detail.data;
  // `may.manage`: the leads and the action's own lead and sponsor work on it (updates, milestones,
  // files, evidence). Editing the action itself is for the network's leads and admins only.
  const contributes = a.may.manage;
  const edits =
    rolesOf(session).isAdmin ||
    session.memberships.some((m) => m.networkId === a.networkId && m.role === 'lead');
  const done: Done = (text) => {
    setMessage(text);
    detail.reload();
  };
  const open = a.status === 'planned' || a.status === 'in_progress';

  return (
    <Page title={`A-${a.number} ${a.title}`} lead={a.summary || undefined}>
      <StatusMessage message={message} />
      <p className="badges">
        <span className="badge" data-testid="action-status">
          {actionStatusLabels[a.status]}
        </span>
        <span className="badge badge-quiet">{categoryLabels[a.category]}</span>
        {a.stale ? <span className="badge badge-warn">Update overdue</span> : null}
        {a.public ? null : <span className="badge badge-quiet">Not on the public board</span>}
      </p>
      <ProgressBar value={a.progress} label="Progress" />
      {a.subActions.length ? (
        <p className="small muted">
          Progress is the weighted average of its sub-actions
          {a.ownProgress ? ` (its own: ${a.ownProgress}%)` : ''}.
        </p>
      ) : null}
      <dl className="facts">
        <dt>Network</dt>
        <dd>{a.networkName}</dd>
        <dt>Student lead</dt>
        <dd>{a.studentLead ? a.studentLead.name : 'Not chosen yet'}</dd>
        <dt>Staff sponsor</dt>
        <dd>{a.staffSponsor ? a.staffSponsor.name : 'Not chosen yet'}</dd>
        {a.parent ? (
          <>
            <dt>Part of</dt>
            <dd>
              <Link href={`/actions/${a.parent.id}`}>
                A-{a.parent.number} {a.parent.title}
              </Link>
            </dd>
          </>
        ) : null}
        {a.startedAt ? (
          <>
            <dt>Started</dt>
            <dd>{formatDate(a.startedAt)}</dd>
          </>
        ) : null}
        {a.completedAt ? (
          <>
            <dt>Completed</dt>
            <dd>{formatDate(a.completedAt)}</dd>
          </>
        ) : null}
        {open && a.updateDueAt ? (
          <>
            <dt>Next update due</dt>
            <dd>
              {formatDate(a.updateDueAt)}
              {a.stale ? ' (overdue)' : ''}
            </dd>
          </>
        ) : null}
      </dl>
      {a.public && (a.status === 'in_progress' || a.status === 'completed') ? (
        <p>
          <Link href={`/impact/${a.id}`}>See it on the public impact board</Link>
        </p>
      ) : null}
      {a.outcome ? (
        <section className="section callout" aria-labelledby="cn-a-outcome">
          <h2 id="cn-a-outcome">Outcome</h2>
          <p className="su-text">{a.outcome}</p>
        </section>
      ) : null}

      {a.may.consentAs ? <ConsentForm action={a} onDone={done} /> : null}

      <section className="section" aria-labelledby="cn-a-updates">
        <h2 id="cn-a-updates">Updates</h2>
        {a.updates.length === 0 ? (
          <p>No updates yet.</p>
        ) : (
          <ol className="plain-list su-timeline">
            {a.updates.map((u) => (
              <li key={u.id} className="su-event">
                <p className="small muted">
                  {formatDateTime(u.createdAt)}
                  {u.author ? `, ${u.author.name}` : ''}
                  {u.status ? ` · ${actionStatusLabels[u.status]}` : ''}
                  {u.progress !== null ? ` · ${u.progress}% done` : ''}
                </p>
                <p className="su-text">{u.body}</p>
              </li>
            ))}
          </ol>
        )}
        {contributes ? <UpdateForm action={a} onDone={done} /> : null}
      </section>

      <section className="section" aria-labelledby="cn-a-milestones">
        <h2 id="cn-a-milestones">Milestones</h2>
        {a.milestones.length === 0 ? (
          <p>No milestones yet.</p>
        ) : (
          <ul className="plain-list">
            {a.milestones.map((m) => (
              <li key={m.id} className={m.overdue ? 'cn-milestone su-overdue' : 'cn-milestone'}>
                <span>
                  {m.doneAt ? <strong>Done: </strong> : null}
                  {m.title}{' '}
                  <span className="small muted">
                    (by {formatDay(m.dueOn)}
                    {m.doneAt ? `, done ${formatDate(m.doneAt)}` : m.overdue ? ', overdue' : ''})
                  </span>
                </span>
                {contributes && !m.doneAt ? (
                  <MilestoneDone actionId={a.id} milestoneId={m.id} title={m.title} onDone={done} />
                ) : null}
              </li>
            ))}
          </ul>
        )}
        {contributes ? <MilestoneForm actionId={a.id} onDone={done} /> : null}
      </section>

      <section className="section" aria-labelledby="cn-a-concerns">
        <h2 id="cn-a-concerns">Concerns behind it</h2>
        {a.concerns.length === 0 ? (
          <p>The network started this action itself.</p>
        ) : (
          <ul className="plain-list">
            {a.concerns.map((c) => (
              <li key={c.id}>
                <Link href={`/concerns/${c.id}`}>
                  #{c.number} {c.title}
                </Link>{' '}
                <span className="small muted">
                  ({concernStatusLabels[c.status]}, {c.supportCount}{' '}
                  {c.supportCount === 1 ? 'supporter' : 'supporters'})
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      {a.subActions.length ? (
        <section className="section" aria-labelledby="cn-a-subs">
          <h2 id="cn-a-subs">Sub-actions</h2>
          <ul className="plain-list">
            {a.subActions.map((s) => (
              <li key={s.id}>
                <Link href={`/actions/${s.id}`}>
                  A-{s.number} {s.title}
                </Link>{' '}
                <span className="small muted">
                  ({actionStatusLabels[s.status]}, {s.progress}% done, weight {s.weight})
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="section" aria-labelledby="cn-a-evidence">
        <h2 id="cn-a-evidence">Evidence</h2>
        {a.evidence.length === 0 ? (
          <p>No evidence linked yet.</p>
        ) : (
          <ul className="plain-list">
            {a.evidence.map((e) => (
              <li key={e.id}>
                {e.url ? (
                  <a href={e.url} rel="noopener noreferrer">
                    {e.label}
                  </a>
                ) : e.kind === 'meeting' && e.refId ? (
                  <Link href={`/meetings/${e.refId}`}>{e.label}</Link>
                ) : (
                  e.label
                )}{' '}
                <span className="small muted">(added {formatDate(e.createdAt)})</span>
              </li>
            ))}
          </ul>
        )}
        {contributes ? <EvidenceForm actionId={a.id} onDone={done} /> : null}
      </section>

      <section className="section" aria-labelledby="cn-a-files">
        <h2 id="cn-a-files">Files</h2>
        {a.attachments.length === 0 ? (
          <p>No files yet.</p>
        ) : (
          <ul className="plain-list">
            {a.attachments.map((f) => (
              <li key={f.id}>
                <a href={`/api/actions/${seg(a.id)}/attachments/${seg(f.id)}`}>{f.fileName}</a>{' '}
                <span className="small muted">
                  ({formatBytes(f.size)}, {formatDate(f.createdAt)})
                </span>
              </li>
            ))}
          </ul>
        )}
        {contributes ? <FileForm actionId={a.id} onDone={done} /> : null}
      </section>

      {edits ? <ManageForm action={a} onDone={done} /> : null}
    </Page>
  );
}

function ConsentForm({ action: a, onDone }: { action: ActionDetail; onDone: Done }) {
  const form = useForm(['named']);
  const me = a.may.consentAs === 'student_lead' ? a.studentLead : a.staffSponsor;
  const role = a.may.consentAs === 'student_lead' ? 'student lead' : 'staff sponsor';
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const named = new FormData(event.currentTarget).get('named') === 'on';
    void form.submit(ConsentSchema, { named }, async (body) => {
      await api.post(`/api/actions/${seg(a.id)}/consent`, body);
      onDone(
        body.named
          ? 'The public board now shows your name.'
          : `The public board now says “${role}” instead of your name.`,
      );
    });
  }
  return (
    <section className="section callout" aria-labelledby="cn-a-consent">
      <h2 id="cn-a-consent">Your name on the public board</h2>
      <p>
        You are this action’s {role}. The public board shows your role, not your name, unless you agree here.
        You can change your mind at any time.
      </p>
      <form noValidate onSubmit={onSubmit} aria-labelledby="cn-a-consent">
        <ErrorSummary form={form} />
        <Field form={form} name="named" className="field-checkbox" label="Show my name on the public board">
          {(props) => <input {...props} type="checkbox" defaultChecked={me?.named ?? false} />}
        </Field>
        <SubmitButton form={form} className="button button-secondary">
          Save my choice
        </SubmitButton>
      </form>
    </section>
  );
}

const statusChoices = [
  { value: '', label: 'No change' },
  ...Object.entries(ACTION_STATUS_LABELS).map(([value, label]) => ({ value, label })),
];

function UpdateForm({ action: a, onDone }: { action: ActionDetail; onDone: Done }) {
  const form = useForm(['body', 'progress', 'status']);
  const [draft, setDraft] = useState(0);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const progress = String(data.get('progress') ?? '').trim();
    const status = String(data.get('status') ?? '');
    const raw = {
      body: String(data.get('body') ?? ''),
      progress: progress === '' ? undefined : Number(progress),
      status: status || undefined,
    };
    void form.submit(ActionUpdatePostSchema, raw, async (body) => {
      await api.post(`/api/actions/${seg(a.id)}/updates`, body);
      setDraft((d) => d + 1);
      onDone('Your update is posted, and the people who raised and support its concerns are told.');
    });
  }
  return (
    <form noValidate onSubmit={onSubmit} aria-labelledby="cn-a-update-heading" key={draft}>
      <h3 id="cn-a-update-heading">Post an update</h3>
      <ErrorSummary form={form} />
      <TextAreaField
        form={form}
        name="body"
        label="What has happened"
        hint="Shown to members and, once the action is public, on the impact board."
        rows={4}
        maxLength={ConcernLimits.updateBodyMax}
      />
      <div className="field-row">
        <TextField
          form={form}
          name="progress"
          label="Progress (%)"
          hint={`Now ${a.ownProgress}%. Leave empty for no change.`}
          type="number"
          inputMode="numeric"
          min={0}
          max={100}
        />
        <SelectField form={form} name="status" label="Status" options={statusChoices} />
      </div>
      <SubmitButton form={form}>Post update</SubmitButton>
    </form>
  );
}

function MilestoneDone({
  actionId,
  milestoneId,
  title,
  onDone,
}: {
  actionId: string;
  milestoneId: string;
  title: string;
  onDone: Done;
}) {
  const form = useForm([]);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void form.submit(MilestoneUpdateSchema, { done: true }, async (body) => {
      await api.patch(`/api/actions/${seg(actionId)}/milestones/${seg(milestoneId)}`, body);
      onDone(`“${title}” is done.`);
    });
  }
  return (
    <form noValidate onSubmit={onSubmit} className="cn-inline-form" aria-label={`Mark “${title}” done`}>
      <ErrorSummary form={form} />
      <SubmitButton form={form} className="button button-secondary button-small">
        Mark done<span className="vh">: {title}</span>
      </SubmitButton>
    </form>
  );
}

function MilestoneForm({ actionId, onDone }: { actionId: string; onDone: Done }) {
  const form = useForm(['title', 'dueOn']);
  const [key, setKey] = useState(0);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const raw = { title: String(data.get('title') ?? ''), dueOn: String(data.get('dueOn') ?? '') };
    void form.submit(MilestoneCreateSchema, raw, async (body) => {
      await api.post(`/api/actions/${seg(actionId)}/milestones`, body);
      setKey((k) => k + 1);
      onDone(`Milestone “${body.title}” added.`);
    });
  }
  return (
    <details className="su-details">
      <summary>Add a milestone</summary>
      <form noValidate onSubmit={onSubmit} aria-label="Add a milestone" key={key}>
        <ErrorSummary form={form} />
        <TextField form={form} name="title" label="Milestone" maxLength={ConcernLimits.milestoneTitleMax} />
        <TextField form={form} name="dueOn" label="Due by" type="date" />
        <SubmitButton form={form} className="button button-secondary">
          Add milestone
        </SubmitButton>
      </form>
    </details>
  );
}

function EvidenceForm({ actionId, onDone }: { actionId: string; onDone: Done }) {
  const form = useForm(['label', 'url']);
  const [key, setKey] = useState(0);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const raw = { kind: 'link', label: String(data.get('label') ?? ''), url: String(data.get('url') ?? '') };
    void form.submit(EvidenceCreateSchema, raw, async (body) => {
      await api.post(`/api/actions/${seg(actionId)}/evidence`, body);
      setKey((k) => k + 1);
      onDone('The evidence is linked.');
    });
  }
  return (
    <details className="su-details">
      <summary>Link evidence</summary>
      <form noValidate onSubmit={onSubmit} aria-label="Link evidence" key={key}>
        <p className="field-hint">
          A document or page behind this action: a survey report, a policy, the minutes of a meeting.
        </p>
        <ErrorSummary form={form} />
        <TextField form={form} name="label" label="What it is" maxLength={ConcernLimits.evidenceLabelMax} />
        <TextField form={form} name="url" label="Web address" type="url" inputMode="url" />
        <SubmitButton form={form} className="button button-secondary">
          Link it
        </SubmitButton>
      </form>
    </details>
  );
}

function FileForm({ actionId, onDone }: { actionId: string; onDone: Done }) {
  const form = useForm(['file']);
  const [key, setKey] = useState(0);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const chosen = new FormData(event.currentTarget).get('file');
    const file = chosen instanceof File ? chosen : null;
    // The per-action count is the server's to check; here only the file itself.
    const problem = fileProblem(file, 0);
    if (problem || !file) {
      form.setErrors({
        message: 'Please correct this:',
        problems: [{ path: 'file', message: problem ?? '' }],
      });
      return;
    }
    void form.submit(noInput, null, async () => {
      await api.post(`/api/actions/${seg(actionId)}/attachments`, {
        fileName: file.name.slice(0, ConcernLimits.fileNameMax) || 'file',
        contentType: file.type,
        data: await fileToBase64(file),
      });
      setKey((k) => k + 1);
      onDone(`${file.name} was added.`);
    });
  }
  return (
    <details className="su-details">
      <summary>Add a file</summary>
      <form noValidate onSubmit={onSubmit} aria-label="Add a file">
        <p className="field-hint">
          A photo (JPEG, PNG or WebP) or a PDF, up to 10 MB. Photos lose their location and camera details.
          Members of the network can open the files.
        </p>
        <ErrorSummary form={form} />
        <Field form={form} name="file" label="File" key={key}>
          {(props) => <input {...props} type="file" accept={ATTACHMENT_ACCEPT} />}
        </Field>
        <SubmitButton form={form} className="button button-secondary">
          Upload file
        </SubmitButton>
      </form>
    </details>
  );
}

function ManageForm({ action: a, onDone }: { action: ActionDetail; onDone: Done }) {
  const form = useForm(['title', 'summary', 'outcome', 'public']);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '');
    const raw: Record<string, unknown> = {};
    if (text('title').trim() !== a.title) raw.title = text('title');
    if (text('summary').trim() !== a.summary) raw.summary = text('summary');
    if (text('outcome').trim() !== (a.outcome ?? '')) raw.outcome = text('outcome').trim() || null;
    if ((data.get('public') === 'on') !== a.public) raw.public = data.get('public') === 'on';
    void form.submit(ActionUpdateSchema, raw, async (body) => {
      await api.patch(`/api/actions/${seg(a.id)}`, body);
      onDone('The action is saved.');
    });
  }
  return (
    <section className="section" aria-labelledby="cn-a-manage">
      <h2 id="cn-a-manage">Manage this action</h2>
      <form noValidate onSubmit={onSubmit} aria-labelledby="cn-a-manage">
        <ErrorSummary form={form} />
        <TextField
          form={form}
          name="title"
          label="Title"
          defaultValue={a.title}
          maxLength={ConcernLimits.actionTitleMax}
        />
        <TextAreaField
          form={form}
          name="summary"
          label="What is being done"
          hint="The story the public board tells."
          rows={4}
          defaultValue={a.summary}
          maxLength={ConcernLimits.actionSummaryMax}
        />
        <TextAreaField
          form={form}
          name="outcome"
          label="Outcome"
          hint="What changed, in a few sentences. Shown on the board once the action is completed."
          rows={4}
          defaultValue={a.outcome ?? ''}
          maxLength={ConcernLimits.outcomeMax}
        />
        <Field
          form={form}
          name="public"
          className="field-checkbox"
          label="Show it on the public impact board (once in progress)"
        >
          {(props) => <input {...props} type="checkbox" defaultChecked={a.public} />}
        </Field>
        <SubmitButton form={form} className="button button-secondary">
          Save the action
        </SubmitButton>
      </form>
    </section>
  );
}
