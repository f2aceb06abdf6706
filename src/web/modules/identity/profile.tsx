import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import {
  Limits,
  PasswordChangeSchema,
  type Profile,
  ProfileUpdateSchema,
  TotpDisableSchema,
} from '../../../shared/identity/schema';
import { api } from '../../app/api';
import {
  ErrorSummary,
  formValues,
  kindLabel,
  leadTitleLabel,
  noInput,
  StatusMessage,
  SubmitButton,
  TextField,
  useForm,
} from '../../app/forms';
import { useLoad } from '../../app/load';
import { Page } from '../../app/page';
import { rolesOf, SIGNED_OUT, useSession } from '../../app/session';

/** `/profile`: name, password, two-factor, sessions and memberships. Reads the session (same data as GET /api/profile). */
export function ProfilePage() {
  const { session } = useSession();
  const user = session.user!;
  // Only `hasPassword` is not in the session; everything else shown here comes from it.
  const profile = useLoad<Profile>('/api/profile');
  return (
    <Page title="Your profile">
      <NameSection />
      {profile.data?.hasPassword === false ? <SetPasswordSection email={user.email} /> : <PasswordSection />}
      <TwoFactorSection />
      <section className="section">
        <h2 id="memberships-heading">Your memberships</h2>
        {session.memberships.length === 0 ? (
          <p>You are not a member of any network yet.</p>
        ) : (
          <ul className="card-list">
            {session.memberships.map((m) => (
              <li key={m.networkId} className="card">
                <Link href={`/networks/${m.networkSlug}`} className="card-title">
                  {m.networkName}
                </Link>
                <p className="muted">
                  {m.institutionName} · {kindLabel(m.kind)}
                  {m.yearOfStudy ? `, year ${m.yearOfStudy}` : ''} ·{' '}
                  {m.role === 'lead' ? leadTitleLabel(m.leadTitle) : 'Member'}
                </p>
              </li>
            ))}
          </ul>
        )}
        {user.isAdmin || session.caseHandlerOf.length > 0 ? (
          <p>
            {user.isAdmin ? 'You are a platform administrator. ' : ''}
            {session.caseHandlerOf.length > 0
              ? `You are a case handler for ${session.caseHandlerOf.map((c) => c.institutionName).join(', ')}.`
              : ''}
          </p>
        ) : null}
      </section>
      <SessionsSection />
    </Page>
  );
}

function NameSection() {
  const { session, refresh } = useSession();
  const form = useForm(['name']);
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <section className="section">
      <h2 id="details-heading">Your details</h2>
      <p>
        E-mail: <strong>{session.user!.email}</strong>
      </p>
      <form
        noValidate
        aria-labelledby="details-heading"
        onSubmit={(event) => {
          const values = formValues(event);
          setSaved(null);
          void form.submit(ProfileUpdateSchema, values, async (body) => {
            await api.patch('/api/profile', body);
            await refresh();
            setSaved('Your name has been saved.');
          });
        }}
      >
        <ErrorSummary form={form} />
        <StatusMessage message={saved} />
        <TextField
          form={form}
          name="name"
          label="Name"
          autoComplete="name"
          defaultValue={session.user!.name}
        />
        <SubmitButton form={form}>Save</SubmitButton>
      </form>
    </section>
  );
}

/** Accounts made by single sign-on have no password: offer one by the reset link. */
function SetPasswordSection({ email }: { email: string }) {
  const form = useForm([]);
  const [sent, setSent] = useState<string | null>(null);
  return (
    <section className="section">
      <h2 id="password-heading">Password</h2>
      <p>
        You sign in through your university, so your account has no Upstander password. To be able to sign in
        with a password too, we can e-mail you a link to choose one.
      </p>
      <form
        aria-labelledby="password-heading"
        onSubmit={(event) => {
          event.preventDefault();
          setSent(null);
          void form.submit(noInput, null, async () => {
            await api.post('/api/auth/password-reset/request', { email });
            setSent(`We sent a link to ${email}. It works once and expires soon.`);
          });
        }}
      >
        <ErrorSummary form={form} />
        <StatusMessage message={sent} />
        <SubmitButton form={form} className="button button-secondary">
          E-mail me a link to set a password
        </SubmitButton>
      </form>
    </section>
  );
}

function PasswordSection() {
  const form = useForm(['currentPassword', 'newPassword']);
  const [saved, setSaved] = useState<string | null>(null);
  const { refresh } = useSession();
  return (
    <section className="section">
      <h2 id="password-heading">Change your password</h2>
      <form
        noValidate
        aria-labelledby="password-heading"
        onSubmit={(event) => {
          const element = event.currentTarget;
          const values = formValues(event);
          setSaved(null);
          void form.submit(PasswordChangeSchema, values, async (body) => {
            await api.post('/api/auth/password/change', body);
            element.reset();
            await refresh().catch(() => undefined);
            setSaved('Your password has been changed.');
          });
        }}
      >
        <ErrorSummary form={form} />
        <StatusMessage message={saved} />
        <TextField
          form={form}
          name="currentPassword"
          label="Current password"
          type="password"
          autoComplete="current-password"
        />
        <TextField
          form={form}
          name="newPassword"
          label="New password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${Limits.passwordMin} characters.`}
        />
        <SubmitButton form={form}>Change password</SubmitButton>
      </form>
    </section>
  );
}

function TwoFactorSection() {
  const { session, refresh } = useSession();
  const roles = rolesOf(session);
  const form = useForm(['code']);
  const [done, setDone] = useState<string | null>(null);
  const mustKeep = roles.isAdmin || roles.isCaseHandler;
  return (
    <section className="section">
      <h2 id="twofactor-heading">Two-factor authentication</h2>
      <StatusMessage message={done} />
      {!session.user!.hasTotp ? (
        <>
          <p>Off. Turning it on means a stolen password alone cannot open your account.</p>
          <p>
            <Link href="/two-factor/setup" className="button button-secondary">
              Set up two-factor authentication
            </Link>
          </p>
        </>
      ) : mustKeep ? (
        <p>On. Administrators and case handlers must keep it on.</p>
      ) : (
        <>
          <p>On. To turn it off, enter a current code from your authenticator app.</p>
          <form
            noValidate
            aria-label="Turn off two-factor authentication"
            onSubmit={(event) => {
              const values = formValues(event);
              setDone(null);
              void form.submit(TotpDisableSchema, values, async (body) => {
                await api.post('/api/auth/totp/disable', body);
                await refresh();
                setDone('Two-factor authentication is off.');
              });
            }}
          >
            <ErrorSummary form={form} />
            <TextField
              form={form}
              name="code"
              label="Code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]*"
              maxLength={6}
              className="input-code"
            />
            <SubmitButton form={form} className="button button-secondary">
              Turn off two-factor
            </SubmitButton>
          </form>
        </>
      )}
    </section>
  );
}

function SessionsSection() {
  const { setSession, showNotice } = useSession();
  const [, navigate] = useLocation();
  const form = useForm([]);
  return (
    <section className="section">
      <h2 id="sessions-heading">Signed-in devices</h2>
      <p>Lost a phone, or signed in on a shared computer? Sign out on every device, including this one.</p>
      <form
        aria-labelledby="sessions-heading"
        onSubmit={(event) => {
          event.preventDefault();
          void form.submit(noInput, null, async () => {
            await api.post('/api/auth/sign-out-everywhere');
            navigate('/sign-in');
            setSession(SIGNED_OUT);
            showNotice('You have been signed out on every device.', '/sign-in');
          });
        }}
      >
        <ErrorSummary form={form} />
        <SubmitButton form={form} className="button button-secondary">
          Sign out everywhere
        </SubmitButton>
      </form>
    </section>
  );
}
