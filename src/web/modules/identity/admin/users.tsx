import { useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import type { z } from 'zod';
import { AdminMembershipCreateSchema, type AdminUserSchema } from '../../../../shared/identity/schema';
import { api, seg } from '../../../app/api';
import {
  ErrorSummary,
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
} from '../../../app/forms';
import { LoadError, useLoad } from '../../../app/load';
import { Loading } from '../../../app/page';
import { useSession } from '../../../app/session';
import { AdminPage } from './admin-page';
import type { Institution, NetworkSummary } from './institutions';

type AdminUser = z.infer<typeof AdminUserSchema>;
type UserPage = { users: AdminUser[]; total: number; page: number; pageSize: number };

const usersHref = (q: string, page: number) => {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `/admin/users?${query}` : '/admin/users';
};

/** `/admin/users?q=&page=`: search, page, and change what each person may do. */
export function UsersPage() {
  const params = new URLSearchParams(useSearch());
  const q = params.get('q') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [, navigate] = useLocation();
  const result = useLoad<UserPage>(`/api/admin/users?${new URLSearchParams({ q, page: String(page) })}`);
  const institutions = useLoad<Institution[]>('/api/admin/institutions');
  const networks = useLoad<NetworkSummary[]>('/api/networks');
  const [status, setStatus] = useState<string | null>(null);
  const searchForm = useForm(['q']);

  const pages = result.data ? Math.max(1, Math.ceil(result.data.total / result.data.pageSize)) : 1;
  const changed = (message: string) => {
    setStatus(message);
    result.reload();
  };

  return (
    <AdminPage title="Users">
      <form
        noValidate
        aria-label="Find people"
        className="search-form"
        onSubmit={(event) => {
          const values = formValues(event);
          navigate(usersHref((values.q ?? '').trim(), 1));
        }}
      >
        <TextField
          key={q}
          form={searchForm}
          name="q"
          label="Name or e-mail"
          type="search"
          defaultValue={q}
          autoComplete="off"
          spellCheck={false}
          maxLength={100}
        />
        <button type="submit" className="button">
          Search
        </button>
      </form>
      <StatusMessage message={status} />
      {result.error ? <LoadError message={result.error} retry={result.reload} /> : null}
      {!result.data && !result.error ? <Loading what="Loading people" /> : null}
      {result.data ? (
        <section className="section">
          <h2 id="results-heading">
            {q ? `People matching “${q}”` : 'Everyone'}{' '}
            <span className="muted small">
              ({result.data.total} {result.data.total === 1 ? 'person' : 'people'})
            </span>
          </h2>
          {result.data.users.length === 0 ? (
            <p>Nobody matches. Try part of a name or an e-mail address.</p>
          ) : null}
          <ul className="member-list">
            {result.data.users.map((u) => (
              <UserRow
                key={u.id}
                user={u}
                institutions={institutions.data ?? []}
                networks={networks.data ?? []}
                onChanged={changed}
              />
            ))}
          </ul>
          {pages > 1 ? (
            <nav aria-label="Pages of results" className="pager">
              {page > 1 ? <Link href={usersHref(q, page - 1)}>Previous page</Link> : <span />}
              <span>
                Page {page} of {pages}
              </span>
              {page < pages ? <Link href={usersHref(q, page + 1)}>Next page</Link> : <span />}
            </nav>
          ) : null}
        </section>
      ) : null}
    </AdminPage>
  );
}

function UserRow({
  user,
  institutions,
  networks,
  onChanged,
}: {
  user: AdminUser;
  institutions: Institution[];
  networks: NetworkSummary[];
  onChanged: (message: string) => void;
}) {
  const { session, refresh } = useSession();
  const actions = useForm([]);
  const [open, setOpen] = useState(false);
  /** Making someone an administrator is confirmed a second time. */
  const [confirmAdmin, setConfirmAdmin] = useState(false);
  const nameId = `${actions.baseId}-name`;
  const panelId = `${actions.baseId}-panel`;
  const isMe = session.user?.id === user.id;
  const userUrl = `/api/admin/users/${seg(user.id)}`;
  const instName = (id: string) => institutions.find((i) => i.id === id)?.name ?? 'an institution';

  /** One-click changes share the row's error box. */
  const run = (work: () => Promise<void>, message: string) =>
    actions.submit(noInput, null, async () => {
      await work();
      if (isMe) await refresh().catch(() => undefined);
      onChanged(message);
    });

  return (
    <li className="member" aria-labelledby={nameId}>
      <div className="member-summary">
        <span id={nameId} className="member-name">
          {user.name}
          {isMe ? ' (you)' : ''}
        </span>
        <span className="member-email">{user.email}</span>
        <span className="badges">
          {user.isAdmin ? <span className="badge">Admin</span> : null}
          {user.disabled ? <span className="badge badge-warn">Disabled</span> : null}
          <span className="badge badge-quiet">{user.hasTotp ? 'Two-factor on' : 'Two-factor off'}</span>
          {user.caseHandlerOf.map((id) => (
            <span key={id} className="badge">
              Case handler: {instName(id)}
            </span>
          ))}
          <span className="badge badge-quiet">
            {user.networkCount} {user.networkCount === 1 ? 'network' : 'networks'}
          </span>
        </span>
      </div>
      <ErrorSummary form={actions} />
      <div className="actions">
        <button
          type="button"
          className="button button-secondary button-small"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen(!open)}
        >
          Roles and networks<span className="vh"> of {user.name}</span>
        </button>
        <button
          type="button"
          className="button button-secondary button-small"
          onClick={() =>
            user.isAdmin
              ? run(
                  () => api.patch(userUrl, { isAdmin: false }),
                  `${user.name} is no longer an administrator.`,
                )
              : setConfirmAdmin(true)
          }
        >
          {user.isAdmin ? 'Remove admin' : 'Make admin'}
          <span className="vh"> {user.name}</span>
        </button>
        <button
          type="button"
          className={`button button-small ${user.disabled ? 'button-secondary' : 'button-danger'}`}
          onClick={() =>
            run(
              () => api.patch(userUrl, { disabled: !user.disabled }),
              user.disabled
                ? `${user.name} can sign in again.`
                : `${user.name} has been disabled and signed out everywhere.`,
            )
          }
        >
          {user.disabled ? 'Enable account' : 'Disable account'}
          <span className="vh"> of {user.name}</span>
        </button>
      </div>
      {confirmAdmin ? (
        <fieldset className="callout">
          <legend className="vh">Confirm making {user.name} an administrator</legend>
          <p>
            An administrator can change every school’s settings, people and roles.
            {user.isStudent ? ` ${user.name} is a student: students are not usually administrators.` : ''}{' '}
            Make {user.name} an administrator?
          </p>
          <div className="actions">
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => setConfirmAdmin(false)}
            >
              Cancel
            </button>
            <button
              type="button"
              className="button button-small"
              onClick={() => {
                setConfirmAdmin(false);
                void run(
                  () => api.patch(userUrl, { isAdmin: true }),
                  `${user.name} is now an administrator.`,
                );
              }}
            >
              Yes, make {user.name} an administrator
            </button>
          </div>
        </fieldset>
      ) : null}
      <div id={panelId} hidden={!open} className="member-panel">
        {open ? (
          <>
            <CaseHandlerForm user={user} institutions={institutions} onChanged={onChanged} />
            {user.caseHandlerOf.length ? (
              <ul className="plain-list">
                {user.caseHandlerOf.map((id) => (
                  <li key={id} className="row-line">
                    <span>Case handler for {instName(id)}</span>
                    <button
                      type="button"
                      className="button button-danger button-small"
                      onClick={() =>
                        run(
                          () =>
                            api.delete(`/api/admin/institutions/${seg(id)}/case-handlers/${seg(user.id)}`),
                          `${user.name} is no longer a case handler for ${instName(id)}.`,
                        )
                      }
                    >
                      Stop case handling<span className="vh"> for {instName(id)}</span>
                    </button>
                  </li>
                ))}
              </ul>
            ) : null}
            <AddToNetworkForm user={user} networks={networks} onChanged={onChanged} />
          </>
        ) : null}
      </div>
    </li>
  );
}

function CaseHandlerForm({
  user,
  institutions,
  onChanged,
}: {
  user: AdminUser;
  institutions: Institution[];
  onChanged: (m: string) => void;
}) {
  const form = useForm(['institutionId']);
  /** A student is made a case handler only after a warning and a second press. */
  const [warned, setWarned] = useState(false);
  const available = institutions.filter((i) => !user.caseHandlerOf.includes(i.id));
  if (!available.length) return null;
  return (
    <form
      noValidate
      aria-label={`Make ${user.name} a case handler`}
      onSubmit={(event) => {
        const { institutionId } = formValues(event);
        const institution = available.find((i) => i.id === institutionId);
        if (!institution) {
          form.setErrors({ message: 'Choose an institution.', problems: [] });
          return;
        }
        if (user.isStudent && !warned) {
          setWarned(true);
          return;
        }
        void form.submit(noInput, null, async () => {
          await api.put(`/api/admin/institutions/${seg(institution.id)}/case-handlers/${seg(user.id)}`);
          onChanged(
            `Asked: ${user.name} becomes a case handler for ${institution.name} once another administrator or a case handler of that school approves (Case-handler requests).`,
          );
        });
      }}
    >
      <ErrorSummary form={form} />
      <SelectField
        form={form}
        name="institutionId"
        label="Case handler for"
        hint="Only trained staff; they must use two-factor authentication. A second person (another administrator or a case handler of that school) must approve."
        options={available.map((i) => ({ value: i.id, label: i.name }))}
      />
      {warned ? (
        <div className="callout" role="alert">
          <p>
            {user.name} is a student. Case handlers read reports of racial harassment, which may name their
            classmates or teachers; this is normally a trained member of staff. Press the button again to ask
            anyway.
          </p>
        </div>
      ) : null}
      <SubmitButton form={form} className="button button-secondary">
        {warned ? `Yes, ask to make ${user.name} a case handler` : 'Ask to make case handler'}
      </SubmitButton>
    </form>
  );
}

function AddToNetworkForm({
  user,
  networks,
  onChanged,
}: {
  user: AdminUser;
  networks: NetworkSummary[];
  onChanged: (m: string) => void;
}) {
  const form = useForm(['networkId', 'kind', 'yearOfStudy', 'role', 'leadTitle']);
  if (!networks.length) return null;
  return (
    <form
      noValidate
      aria-label={`Add ${user.name} as a member`}
      onSubmit={(event) => {
        const v = formValues(event);
        const network = networks.find((n) => n.id === v.networkId);
        const input = {
          userId: user.id,
          kind: v.kind,
          yearOfStudy: numberOrNull(v.yearOfStudy),
          role: v.role,
          leadTitle: stringOrNull(v.leadTitle),
        };
        void form.submit(AdminMembershipCreateSchema, input, async (body) => {
          if (!network) throw new Error('no network');
          await api.post(`/api/admin/networks/${seg(network.id)}/members`, body);
          onChanged(`${user.name} has been added to ${network.name}.`);
        });
      }}
    >
      <h3 className="form-heading">Add to a network</h3>
      <ErrorSummary form={form} />
      <SelectField
        form={form}
        name="networkId"
        label="Network"
        options={networks.map((n) => ({ value: n.id, label: `${n.name} (${n.institutionName})` }))}
      />
      <div className="field-row">
        <SelectField form={form} name="kind" label="Kind" options={kindOptions} defaultValue="staff" />
        <SelectField
          form={form}
          name="yearOfStudy"
          label="Year of study"
          options={yearOptions}
          defaultValue=""
        />
      </div>
      <div className="field-row">
        <SelectField form={form} name="role" label="Role" options={roleOptions} defaultValue="member" />
        <SelectField
          form={form}
          name="leadTitle"
          label="Lead title"
          options={leadTitleOptions}
          defaultValue=""
        />
      </div>
      <SubmitButton form={form} className="button button-secondary">
        Add to network
      </SubmitButton>
    </form>
  );
}
