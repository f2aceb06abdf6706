import { type ChangeEvent, type FormEvent, useEffect, useId, useState } from 'react';
import type { z } from 'zod';
import {
  CohortImportRequestSchema,
  type CohortImportResultSchema,
  InvitationCreateSchema,
  KindRequestSchema,
  Limits,
  MembershipUpdateSchema,
  type PendingInvitationSchema,
} from '../../../shared/identity/schema';
import { ApiFailure, api, seg } from '../../app/api';
import {
  ErrorSummary,
  Field,
  formValues,
  kindOptions,
  leadTitleOptions,
  noInput,
  numberOrNull,
  roleOptions,
  SelectField,
  StatusMessage,
  SubmitButton,
  stringOrNull,
  TextField,
  useForm,
  yearOptions,
} from '../../app/forms';
import { LoadError, useLoad } from '../../app/load';
import { Loading } from '../../app/page';
import { useSession } from '../../app/session';
import { describeMember, type NetworkDetail, type NetworkMember } from './members';

type ImportResult = z.infer<typeof CohortImportResultSchema>;
type PendingInvitation = z.infer<typeof PendingInvitationSchema>;

/** Management for leads and admins: members (role, kind, year, remove), invite one person, import a cohort. */
export function ManageNetwork({ network, onChanged }: { network: NetworkDetail; onChanged: () => void }) {
  const members = useLoad<NetworkMember[]>(`/api/networks/${seg(network.id)}/members`);
  const [status, setStatus] = useState<string | null>(null);
  /** Bumped by each import: the pending invitations are loaded again. */
  const [imports, setImports] = useState(0);
  const [filter, setFilter] = useState('');
  const filterId = useId();
  const needle = filter.trim().toLowerCase();
  const shown = (members.data ?? []).filter(
    (m) => !needle || m.name.toLowerCase().includes(needle) || m.email?.toLowerCase().includes(needle),
  );

  useEffect(() => {
    // Links such as /networks/medrace#import (from the Lead page) land on their section.
    const id = window.location.hash.slice(1);
    if (id) document.getElementById(id)?.scrollIntoView();
  }, []);

  const changed = (message: string) => {
    setStatus(message);
    members.reload();
    onChanged();
  };

  return (
    <>
      <section id="members" className="section">
        <h2 id="members-heading">Members</h2>
        <StatusMessage message={status} />
        {members.error ? <LoadError message={members.error} retry={members.reload} /> : null}
        {!members.data && !members.error ? <Loading what="Loading members" /> : null}
        {members.data?.length === 0 ? <p>No members yet. Invite someone or import a cohort below.</p> : null}
        {members.data && members.data.length > 8 ? (
          <div className="field filter">
            <label htmlFor={filterId}>Find a member</label>
            <input
              id={filterId}
              type="search"
              value={filter}
              onChange={(e) => setFilter(e.currentTarget.value)}
              autoComplete="off"
              spellCheck={false}
              aria-describedby={`${filterId}-count`}
            />
            <p id={`${filterId}-count`} className="field-hint" aria-live="polite">
              {needle ? `${shown.length} of ${members.data.length} shown` : `${members.data.length} members`}
            </p>
          </div>
        ) : null}
        {members.data?.length ? (
          <ul className="member-list">
            {shown.map((m) => (
              <MemberRow key={m.userId} network={network} member={m} onChanged={changed} />
            ))}
          </ul>
        ) : null}
      </section>
      <InviteSection network={network} />
      <ImportSection
        network={network}
        onImported={() => {
          setImports((n) => n + 1);
          members.reload();
          onChanged();
        }}
      />
      <PendingInvitations key={imports} network={network} />
    </>
  );
}

function MemberRow({
  network,
  member,
  onChanged,
}: {
  network: NetworkDetail;
  member: NetworkMember;
  onChanged: (message: string) => void;
}) {
  const { session, refresh } = useSession();
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const form = useForm(['kind', 'yearOfStudy', 'role', 'leadTitle']);
  const remove = useForm([]);
  const nameId = `${form.baseId}-name`;
  const panelId = `${form.baseId}-panel`;
  const isMe = session.user?.id === member.userId;
  const memberUrl = `/api/networks/${seg(network.id)}/members/${seg(member.userId)}`;

  const save = (event: FormEvent<HTMLFormElement>) => {
    const v = formValues(event);
    const input = {
      kind: v.kind,
      yearOfStudy: numberOrNull(v.yearOfStudy),
      role: v.role,
      leadTitle: stringOrNull(v.leadTitle),
    };
    void form.submit(MembershipUpdateSchema, input, async (body) => {
      await api.put(memberUrl, body);
      if (isMe) await refresh().catch(() => undefined);
      setOpen(false);
      onChanged(`Saved: ${member.name} is now ${describeMember(body).toLowerCase()}.`);
    });
  };

  return (
    <li className="member" aria-labelledby={nameId}>
      <div className="member-summary">
        <span id={nameId} className="member-name">
          {member.name}
          {isMe ? ' (you)' : ''}
        </span>
        {member.email ? <span className="member-email">{member.email}</span> : null}
        <span className="muted">{describeMember(member)}</span>
      </div>
      <button
        type="button"
        className="button button-secondary button-small"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => {
          setOpen(!open);
          setConfirming(false);
        }}
      >
        Edit<span className="vh"> {member.name}</span>
      </button>
      <div id={panelId} hidden={!open} className="member-panel">
        {open ? (
          <>
            <form noValidate aria-label={`Membership of ${member.name}`} onSubmit={save}>
              <ErrorSummary form={form} />
              <div className="field-row">
                <SelectField
                  form={form}
                  name="kind"
                  label="Kind"
                  hint={
                    isMe
                      ? 'Your own kind is changed by another co-chair or an administrator: it decides how much your poll answers weigh.'
                      : undefined
                  }
                  options={kindOptions}
                  defaultValue={member.kind}
                />
                <SelectField
                  form={form}
                  name="yearOfStudy"
                  label="Year of study"
                  options={yearOptions}
                  defaultValue={member.yearOfStudy ? String(member.yearOfStudy) : ''}
                />
              </div>
              <div className="field-row">
                <SelectField
                  form={form}
                  name="role"
                  label="Role"
                  options={roleOptions}
                  defaultValue={member.role}
                />
                <SelectField
                  form={form}
                  name="leadTitle"
                  label="Lead title"
                  options={leadTitleOptions}
                  defaultValue={member.leadTitle ?? ''}
                />
              </div>
              <p className="field-hint">
                Students need a year of study; staff and alumni have none. Leads need a title; members have
                none.
              </p>
              <div className="actions">
                <SubmitButton form={form}>Save</SubmitButton>
                <button
                  type="button"
                  className="button button-danger"
                  aria-expanded={confirming}
                  onClick={() => setConfirming(true)}
                >
                  Remove from network
                </button>
              </div>
            </form>
            {confirming ? (
              <form
                className="confirm"
                aria-label={`Remove ${member.name}`}
                onSubmit={(event) => {
                  event.preventDefault();
                  void remove.submit(noInput, null, async () => {
                    await api.delete(memberUrl);
                    if (isMe) await refresh().catch(() => undefined);
                    onChanged(`${member.name} has been removed from ${network.name}.`);
                  });
                }}
              >
                <ErrorSummary form={remove} />
                <p>
                  Remove <strong>{member.name}</strong> from {network.name}? Their account stays; only this
                  membership ends.
                </p>
                <div className="actions">
                  <SubmitButton form={remove} className="button button-danger">
                    Yes, remove
                  </SubmitButton>
                  <button
                    type="button"
                    className="button button-secondary"
                    onClick={() => setConfirming(false)}
                  >
                    Cancel
                  </button>
                </div>
              </form>
            ) : null}
            {isMe ? <KindRequest network={network} onChanged={onChanged} /> : null}
          </>
        ) : null}
      </div>
    </li>
  );
}

function InviteSection({ network }: { network: NetworkDetail }) {
  const form = useForm(['name', 'email', 'kind', 'yearOfStudy']);
  const [sent, setSent] = useState<string | null>(null);
  return (
    <section id="invite" className="section">
      <h2 id="invite-heading">Invite someone</h2>
      <p>We e-mail them a link to create their account (or to add this network to the account they have).</p>
      <form
        noValidate
        aria-labelledby="invite-heading"
        onSubmit={(event) => {
          const element = event.currentTarget;
          const v = formValues(event);
          setSent(null);
          const input = {
            name: v.name,
            email: v.email,
            networkId: network.id,
            kind: v.kind,
            yearOfStudy: numberOrNull(v.yearOfStudy),
          };
          void form.submit(InvitationCreateSchema, input, async (body) => {
            await api.post('/api/invitations', body);
            element.reset();
            setSent(`Invitation sent to ${body.email}.`);
          });
        }}
      >
        <ErrorSummary form={form} />
        <StatusMessage message={sent} />
        <TextField form={form} name="name" label="Name" autoComplete="off" />
        <TextField
          form={form}
          name="email"
          label="E-mail"
          type="email"
          autoComplete="off"
          spellCheck={false}
        />
        <div className="field-row">
          <SelectField form={form} name="kind" label="Kind" options={kindOptions} defaultValue="student" />
          <SelectField
            form={form}
            name="yearOfStudy"
            label="Year of study"
            options={yearOptions}
            defaultValue=""
            hint="Students only."
          />
        </div>
        <SubmitButton form={form}>Invite</SubmitButton>
      </form>
    </section>
  );
}

/** Asking the other co-chairs to change one's own kind (it weighs one's poll answers). */
function KindRequest({
  network,
  onChanged,
}: {
  network: NetworkDetail;
  onChanged: (message: string) => void;
}) {
  const form = useForm(['kind', 'yearOfStudy']);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    const v = formValues(event);
    const input = { kind: v.kind, yearOfStudy: numberOrNull(v.yearOfStudy) };
    void form.submit(KindRequestSchema, input, async (body) => {
      await api.post(`/api/networks/${seg(network.id)}/kind-request`, body);
      onChanged(
        'Your request has gone to the other co-chairs. Your kind changes when one of them approves it.',
      );
    });
  };
  return (
    <details className="section">
      <summary>Ask the co-chairs to change my kind</summary>
      <form noValidate aria-label="Ask the co-chairs to change my kind" onSubmit={submit}>
        <ErrorSummary form={form} />
        <div className="field-row">
          <SelectField form={form} name="kind" label="I am" options={kindOptions} />
          <SelectField form={form} name="yearOfStudy" label="Year of study" options={yearOptions} />
        </div>
        <SubmitButton form={form}>Ask the co-chairs</SubmitButton>
      </form>
    </details>
  );
}

/** The template file: our header and one example row. */
const TEMPLATE_HREF = `data:text/csv;charset=utf-8,${encodeURIComponent('name,email,kind,year\r\nAmara Okafor,amara.okafor@example.ac.uk,student,2\r\n')}`;

function describeImport(r: ImportResult): string {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const left = `${n(r.alreadyMembers.length, 'person is', 'people are')} already a member and ${n(r.alreadyInvited.length, 'person has', 'people have')} an invitation waiting (left alone)`;
  if (r.dryRun) {
    const columns = r.columns.map((c) => `${c.column} from “${c.from}”`).join(', ');
    return `Checked ${n(r.rows, 'row', 'rows')}; every row is valid. Columns read: ${columns}. Nothing has been sent yet: ${n(r.invited, 'person', 'people')} would be invited; ${left}. If the columns are right, press Import.`;
  }
  return `Imported ${n(r.rows, 'row', 'rows')}: ${n(r.invited, 'invitation', 'invitations')} sent; ${left}. People become members when they accept.`;
}

/** Who the file names that is already a member or invited: so a re-import explains itself. */
function AlreadyThere({ result }: { result: ImportResult }) {
  const groups = [
    { title: 'Already members', people: result.alreadyMembers },
    { title: 'Already invited', people: result.alreadyInvited },
  ].filter((g) => g.people.length > 0);
  if (groups.length === 0) return null;
  return (
    <details className="section">
      <summary>Who was left alone</summary>
      {groups.map((g) => (
        <div key={g.title}>
          <h3>{g.title}</h3>
          <ul>
            {g.people.slice(0, 200).map((p) => (
              <li key={p.row}>
                Row {p.row}: {p.email}
              </li>
            ))}
          </ul>
          {g.people.length > 200 ? <p>…and {g.people.length - 200} more.</p> : null}
        </div>
      ))}
    </details>
  );
}

function ImportSection({ network, onImported }: { network: NetworkDetail; onImported: () => void }) {
  const form = useForm(['csv', 'file']);
  const [csv, setCsv] = useState('');
  const [result, setResult] = useState<ImportResult | null>(null);

  async function readFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.currentTarget.files?.[0];
    form.clear();
    if (!file) return;
    if (file.size > Limits.csvMaxBytes) {
      form.setErrors({
        message: 'That file is too large.',
        problems: [{ path: 'file', message: 'Choose a CSV file of at most 2 MB.' }],
      });
      return;
    }
    setCsv(await file.text());
    setResult(null);
  }

  return (
    <section id="import" className="section">
      <h2 id="import-heading">Import a cohort</h2>
      <p>
        Add many people at once from a CSV file with the header <code>name,email,kind,year</code>. Kind is{' '}
        <code>student</code>, <code>staff</code> or <code>alumnus</code>; year is 1–6 for students and empty
        otherwise. A registry export works too: its usual column names (“First name”, “Surname”, “Email
        address”, “Student type”, “Year of study”) are recognised, and <strong>Check only</strong> shows which
        column was read as which.{' '}
        <a href={TEMPLATE_HREF} download="cohort-template.csv">
          Download a template
        </a>
        . Everyone who is not yet a member is invited by e-mail (people with an account accept it signed in);
        nobody is invited twice.
      </p>
      <p>
        Use <strong>Check only</strong> first: it checks every row and changes nothing. If any row has a
        problem, nothing is imported.
      </p>
      <form
        noValidate
        aria-labelledby="import-heading"
        onSubmit={(event) => {
          event.preventDefault();
          const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
          const dryRun = submitter?.value !== 'import';
          setResult(null);
          void form.submit(CohortImportRequestSchema, { csv, dryRun }, async (body) => {
            const r = await api.post<ImportResult>(`/api/networks/${seg(network.id)}/import`, body);
            setResult(r);
            if (!r.dryRun) onImported();
          });
        }}
      >
        <ErrorSummary form={form} title="Nothing was imported" />
        <StatusMessage message={result ? describeImport(result) : null} />
        {result ? <AlreadyThere result={result} /> : null}
        <Field
          form={form}
          name="file"
          label="CSV file"
          hint="Choosing a file puts its text in the box below."
        >
          {(props) => <input {...props} type="file" accept=".csv,text/csv" onChange={readFile} />}
        </Field>
        <Field
          form={form}
          name="csv"
          label="CSV text"
          hint="Or paste the rows here, starting with the header."
        >
          {(props) => (
            <textarea
              {...props}
              rows={8}
              spellCheck={false}
              value={csv}
              onChange={(e) => setCsv(e.currentTarget.value)}
              className="mono"
              placeholder={'name,email,kind,year\nAmara Okafor,amara@example.ac.uk,student,2'}
            />
          )}
        </Field>
        <div className="actions">
          <SubmitButton form={form} className="button button-secondary" value="check">
            Check only
          </SubmitButton>
          <SubmitButton form={form} value="import">
            Import
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}

/** Invitations not yet accepted: send one again (a new link), or withdraw it. */
function PendingInvitations({ network }: { network: NetworkDetail }) {
  const pending = useLoad<PendingInvitation[]>(`/api/networks/${seg(network.id)}/invitations`);
  const [status, setStatus] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const act = async (work: () => Promise<unknown>, message: string) => {
    setStatus(null);
    setProblem(null);
    try {
      await work();
      setStatus(message);
      pending.reload();
    } catch (error) {
      setProblem(error instanceof ApiFailure ? error.message : 'That did not work. Please try again.');
    }
  };
  const base = `/api/networks/${seg(network.id)}/invitations`;
  return (
    <section className="section" aria-labelledby="pending-heading">
      <h2 id="pending-heading">Invitations waiting for an answer</h2>
      <StatusMessage message={status} />
      {problem ? (
        <div role="alert" className="error-summary">
          <p>{problem}</p>
        </div>
      ) : null}
      {pending.error ? <LoadError message={pending.error} retry={pending.reload} /> : null}
      {pending.loading && !pending.data ? <Loading what="Loading invitations" /> : null}
      {pending.data?.length === 0 ? <p>No invitations are waiting.</p> : null}
      {pending.data?.length ? (
        <ul className="member-list">
          {pending.data.map((p) => (
            <li key={p.id} className="member-row">
              <p>
                {p.name} · {p.email}
                <br />
                <span className="muted small">
                  Sent {new Date(p.sentAt).toLocaleDateString('en-GB', { timeZone: 'Europe/London' })}; the
                  link works until{' '}
                  {new Date(p.expiresAt).toLocaleDateString('en-GB', { timeZone: 'Europe/London' })}.
                </span>
              </p>
              <div className="actions">
                <button
                  type="button"
                  className="button button-secondary button-small"
                  onClick={() =>
                    act(() => api.post(`${base}/${seg(p.id)}/resend`), `Invitation sent again to ${p.email}.`)
                  }
                >
                  Send again<span className="vh"> to {p.email}</span>
                </button>
                <button
                  type="button"
                  className="button button-secondary button-small"
                  onClick={() =>
                    act(() => api.delete(`${base}/${seg(p.id)}`), `Invitation to ${p.email} withdrawn.`)
                  }
                >
                  Withdraw<span className="vh"> the invitation to {p.email}</span>
                </button>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
