import { useState } from 'react';
import type { z } from 'zod';
import {
  type SsoProviderAdminSchema,
  SsoProviderCreateSchema,
  SsoProviderUpdateSchema,
} from '../../../../shared/identity/schema';
import { api, seg } from '../../../app/api';
import {
  ErrorSummary,
  Field,
  formValues,
  noInput,
  SelectField,
  StatusMessage,
  SubmitButton,
  TextField,
  useForm,
} from '../../../app/forms';
import { LoadError, useLoad } from '../../../app/load';
import { Loading } from '../../../app/page';
import { AddForm } from './add-form';
import { AdminPage } from './admin-page';
import type { Institution } from './institutions';

type SsoProvider = z.infer<typeof SsoProviderAdminSchema>;

/** `/admin/sso`: university identity providers (OpenID Connect) shown as "Sign in with …" buttons. */
export function SsoProvidersPage() {
  const providers = useLoad<SsoProvider[]>('/api/admin/identity-providers');
  const institutions = useLoad<Institution[]>('/api/admin/institutions');
  const [status, setStatus] = useState<string | null>(null);
  const changed = (message: string) => {
    setStatus(message);
    providers.reload();
  };
  const instName = (id: string) => institutions.data?.find((i) => i.id === id)?.name ?? '';

  return (
    <AdminPage title="Single sign-on">
      <p>
        Each provider adds a “Sign in with …” button to the sign-in page. A provider vouches only for e-mail
        addresses in the domains you give it, and it signs people in to an existing Upstander account only
        when that account belongs to the provider’s institution.
      </p>
      <p>
        Register this redirect URI with the university’s identity provider:{' '}
        <code className="break">{`${window.location.origin}/api/auth/sso/callback`}</code>
      </p>
      <StatusMessage message={status} />
      {providers.error ? <LoadError message={providers.error} retry={providers.reload} /> : null}
      {!providers.data && !providers.error ? <Loading what="Loading providers" /> : null}
      {providers.data ? (
        <section className="section">
          <h2 id="providers-heading">Providers</h2>
          {providers.data.length === 0 ? <p>No providers yet.</p> : null}
          <ul className="card-list">
            {providers.data.map((p) => (
              <ProviderRow
                key={p.id}
                provider={p}
                institutionName={instName(p.institutionId)}
                onChanged={changed}
              />
            ))}
          </ul>
        </section>
      ) : null}
      {institutions.data?.length ? (
        <AddProvider institutions={institutions.data} onAdded={changed} />
      ) : institutions.data ? (
        <p>Add an institution first: every provider belongs to one.</p>
      ) : null}
    </AdminPage>
  );
}

function ProviderRow({
  provider,
  institutionName,
  onChanged,
}: {
  provider: SsoProvider;
  institutionName: string;
  onChanged: (m: string) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const form = useForm([]);
  return (
    <li className="card">
      <h3 className="card-heading">{provider.name}</h3>
      <dl className="facts">
        <dt>Institution</dt>
        <dd>{institutionName || '—'}</dd>
        <dt>Issuer</dt>
        <dd className="break">{provider.issuer}</dd>
        <dt>Client ID</dt>
        <dd className="break">{provider.clientId}</dd>
        <dt>E-mail domains</dt>
        <dd className="break">
          {provider.emailDomains.length ? provider.emailDomains.join(', ') : 'None: no one can sign in'}
        </dd>
        <dt>New accounts</dt>
        <dd>
          {provider.autoCreateAccounts ? 'Created on first sign-in' : 'Only existing accounts may sign in'}
        </dd>
      </dl>
      <DomainsForm provider={provider} onChanged={onChanged} />
      <ErrorSummary form={form} />
      {confirming ? (
        <div className="confirm">
          <p>
            Delete {provider.name}? Its button disappears from the sign-in page; people can still sign in with
            a password.
          </p>
          <div className="actions">
            <button
              type="button"
              className="button button-danger"
              onClick={() =>
                form.submit(noInput, null, async () => {
                  await api.delete(`/api/admin/identity-providers/${seg(provider.id)}`);
                  onChanged(`${provider.name} has been deleted.`);
                })
              }
            >
              Yes, delete
            </button>
            <button type="button" className="button button-secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button
          type="button"
          className="button button-danger button-small"
          onClick={() => setConfirming(true)}
        >
          Delete<span className="vh"> {provider.name}</span>
        </button>
      )}
    </li>
  );
}

function AddProvider({
  institutions,
  onAdded,
}: {
  institutions: Institution[];
  onAdded: (m: string) => void;
}) {
  const form = useForm([
    'institutionId',
    'name',
    'issuer',
    'clientId',
    'clientSecret',
    'emailDomains',
    'autoCreateAccounts',
  ]);
  return (
    <AddForm
      form={form}
      title="Add a provider"
      schema={SsoProviderCreateSchema}
      url="/api/admin/identity-providers"
      prepare={(v) => ({ ...v, autoCreateAccounts: v.autoCreateAccounts === 'on' })}
      onAdded={onAdded}
    >
      <SelectField
        form={form}
        name="institutionId"
        label="Institution"
        options={institutions.map((i) => ({ value: i.id, label: i.name }))}
      />
      <TextField
        form={form}
        name="name"
        label="Name"
        hint="Shown on the button: “Sign in with …”, e.g. University of Leicester"
        autoComplete="off"
      />
      <TextField
        form={form}
        name="issuer"
        label="Issuer URL"
        type="url"
        hint="E.g. https://login.example.ac.uk"
        autoComplete="off"
        spellCheck={false}
      />
      <TextField form={form} name="clientId" label="Client ID" autoComplete="off" spellCheck={false} />
      <TextField
        form={form}
        name="clientSecret"
        label="Client secret"
        type="password"
        autoComplete="off"
        hint="Stored encrypted; it is never shown again."
      />
      <TextField
        form={form}
        name="emailDomains"
        label="E-mail domains"
        hint="The domains of this institution’s addresses, separated by commas, e.g. le.ac.uk, student.le.ac.uk. Sign-ins with any other address are refused."
        autoComplete="off"
        spellCheck={false}
      />
      <Field
        form={form}
        name="autoCreateAccounts"
        label="Create an account on first sign-in"
        className="field-checkbox"
        hint="Leave off to let only people who already have an Upstander account sign in this way."
      >
        {(props) => <input {...props} type="checkbox" />}
      </Field>
      <SubmitButton form={form}>Add provider</SubmitButton>
    </AddForm>
  );
}

/** Changes the e-mail domains a provider vouches for (e.g. one added before domains were asked for). */
function DomainsForm({ provider, onChanged }: { provider: SsoProvider; onChanged: (m: string) => void }) {
  const form = useForm(['emailDomains']);
  return (
    <form
      noValidate
      aria-label={`E-mail domains of ${provider.name}`}
      onSubmit={(event) => {
        const values = formValues(event);
        void form.submit(SsoProviderUpdateSchema, values, async (body) => {
          await api.patch(`/api/admin/identity-providers/${seg(provider.id)}`, body);
          onChanged(`${provider.name} now vouches for ${body.emailDomains.join(', ')}.`);
        });
      }}
    >
      <ErrorSummary form={form} />
      <TextField
        form={form}
        name="emailDomains"
        label="E-mail domains"
        hint="Separated by commas, e.g. le.ac.uk, student.le.ac.uk."
        defaultValue={provider.emailDomains.join(', ')}
        autoComplete="off"
        spellCheck={false}
      />
      <SubmitButton form={form} className="button button-secondary button-small">
        Save domains<span className="vh"> of {provider.name}</span>
      </SubmitButton>
    </form>
  );
}
