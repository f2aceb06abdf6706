import { useEffect, useState } from 'react';
import { Link, Redirect, useSearch } from 'wouter';
import type { z } from 'zod';
import {
  SecondFactorSchema,
  SignInSchema,
  type SsoProviderPublicSchema,
} from '../../../shared/identity/schema';
import { api, seg } from '../../app/api';
import { ErrorSummary, formValues, SubmitButton, TextField, useForm } from '../../app/forms';
import { Page } from '../../app/page';
import {
  forgetNext,
  rememberedNext,
  type SessionInfo,
  SIGNED_OUT,
  safeNext,
  useSession,
} from '../../app/session';

type SsoProvider = z.infer<typeof SsoProviderPublicSchema>;

const TRY_AGAIN = 'Please try again, or sign in with your e-mail and password.';
/** Messages for the codes the SSO callback sends back as `/sign-in?sso_error=<code>`. */
const SSO_ERRORS: Record<string, string> = {
  no_account:
    'There is no Upstander account for that university login yet. Ask your network’s co-chairs for an invitation, then sign in.',
  cancelled: 'Signing in with your university was cancelled. You can try again.',
  bad_state: `That sign-in attempt expired or was started in another browser. ${TRY_AGAIN}`,
  idp_error: `Your university’s sign-in service reported a problem. ${TRY_AGAIN}`,
  provider_unavailable: `Your university’s sign-in service could not be reached. ${TRY_AGAIN}`,
  token_error: `Your university’s sign-in service gave an answer we could not check. ${TRY_AGAIN}`,
  email_unverified:
    'Your university login has no verified e-mail address, so we cannot tell which account is yours. Sign in with your e-mail and password.',
  account_disabled: 'This account has been disabled. Contact your network’s co-chairs or an administrator.',
  account_conflict:
    'That university login is already linked to a different Upstander account. Sign in with your e-mail and password, or ask an administrator.',
  email_domain:
    'That university login’s e-mail address is not one this sign-in option may vouch for. Sign in with your e-mail and password, or ask an administrator.',
  account_elsewhere:
    'Your Upstander account is not part of that university, so it cannot be signed in with that university’s login. Sign in with your e-mail and password.',
  failed: `Signing in with your university did not work. ${TRY_AGAIN}`,
};

/** Where a session in a given stage goes next (the stage gate also enforces this). */
export function pathAfterSignIn(info: SessionInfo, next: string | null): string {
  const q = next ? `?next=${encodeURIComponent(next)}` : '';
  if (info.stage === 'second_factor') return `/sign-in/code${q}`;
  if (info.stage === 'enrol_totp') return `/two-factor/setup${q}`;
  forgetNext();
  return next ?? '/';
}

function useNext() {
  return safeNext(new URLSearchParams(useSearch()).get('next')) ?? rememberedNext();
}

export function SignInPage() {
  const { session, setSession } = useSession();
  const search = useSearch();
  const next = useNext();
  const ssoError = new URLSearchParams(search).get('sso_error');
  const form = useForm(['email', 'password']);
  const [providers, setProviders] = useState<SsoProvider[]>([]);

  useEffect(() => {
    // Single sign-on is optional: if the list cannot be read, only the password form shows.
    api
      .get<SsoProvider[]>('/api/auth/sso/providers')
      .then((list) => setProviders(Array.isArray(list) ? list : []))
      .catch(() => setProviders([]));
  }, []);

  if (session.stage !== 'signed_out') return <Redirect to={pathAfterSignIn(session, next)} replace />;

  return (
    <Page title="Sign in">
      {ssoError ? (
        <div className="error-summary" role="alert">
          <h2 className="error-summary-title">University sign-in did not work</h2>
          <p>{SSO_ERRORS[ssoError] ?? SSO_ERRORS.failed}</p>
        </div>
      ) : null}
      {providers.length > 0 ? (
        <section className="section">
          <h2 id="sso-heading">With your university account</h2>
          <ul className="button-list">
            {providers.map((p) => (
              <li key={p.id}>
                {/* A full page navigation: the identity provider takes over from here. */}
                <a className="button button-secondary button-block" href={`/api/auth/sso/${seg(p.id)}/start`}>
                  Sign in with {p.name}
                </a>
                <span className="muted small">{p.institutionName}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section className="section">
        {providers.length > 0 ? <h2 id="password-heading">With your e-mail and password</h2> : null}
        <form
          noValidate
          onSubmit={(event) => {
            const values = formValues(event);
            void form.submit(SignInSchema, values, async (body) => {
              const info = await api.post<SessionInfo>('/api/auth/sign-in', body);
              setSession(info);
            });
          }}
        >
          <ErrorSummary form={form} />
          <TextField
            form={form}
            name="email"
            label="E-mail"
            type="email"
            autoComplete="email"
            spellCheck={false}
          />
          <TextField
            form={form}
            name="password"
            label="Password"
            type="password"
            autoComplete="current-password"
          />
          <SubmitButton form={form}>Sign in</SubmitButton>
        </form>
        <p>
          <Link href="/forgot-password">Forgot your password?</Link>
        </p>
      </section>
      <p className="muted">
        New here? Networks invite members by e-mail: follow the link in your invitation.
      </p>
    </Page>
  );
}

/** The second step for accounts with TOTP: the 6-digit code. */
export function SecondFactorPage() {
  const { session, setSession } = useSession();
  const next = useNext();
  const form = useForm(['code']);
  if (session.stage === 'signed_out') return <Redirect to="/sign-in" replace />;
  if (session.stage !== 'second_factor') return <Redirect to={pathAfterSignIn(session, next)} replace />;
  return (
    <Page
      title="Enter your code"
      lead="Open your authenticator app and enter the 6-digit code it shows for Upstander."
    >
      <form
        noValidate
        onSubmit={(event) => {
          const values = formValues(event);
          void form.submit(SecondFactorSchema, values, async (body) => {
            const info = await api.post<SessionInfo>('/api/auth/second-factor', body);
            setSession(info);
          });
        }}
      >
        <ErrorSummary form={form} />
        <TextField
          form={form}
          name="code"
          label="Code"
          hint="6 digits, no spaces. A new code appears every 30 seconds."
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]*"
          maxLength={6}
          className="input-code"
          spellCheck={false}
        />
        <SubmitButton form={form}>Continue</SubmitButton>
      </form>
      <p className="muted">
        Lost your phone? Ask an administrator to help you back in.{' '}
        <button
          type="button"
          className="link-button"
          onClick={async () => {
            await api.post('/api/auth/sign-out').catch(() => undefined);
            setSession(SIGNED_OUT);
          }}
        >
          Start again with another account
        </button>
      </p>
    </Page>
  );
}
