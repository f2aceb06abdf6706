import { useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { FirstAdminSchema, Limits } from '../../../shared/identity/schema';
import { ApiFailure, api, seg } from '../../app/api';
import { ErrorSummary, formValues, SubmitButton, TextField, useForm } from '../../app/forms';
import { Loading, Page } from '../../app/page';
import { type SessionInfo, useSession } from '../../app/session';

type Check =
  | { state: 'loading' }
  | { state: 'valid' }
  | { state: 'invalid' }
  | { state: 'error'; message: string };

/** Checks a one-time link (set-up, password reset) before showing its form. */
export function useTokenCheck(url: string): Check {
  const [check, setCheck] = useState<Check>({ state: 'loading' });
  useEffect(() => {
    api
      .get<{ valid: boolean }>(url)
      .then((r) => setCheck({ state: r.valid ? 'valid' : 'invalid' }))
      .catch((e: unknown) => {
        if (e instanceof ApiFailure && (e.status === 400 || e.status === 404)) setCheck({ state: 'invalid' });
        else setCheck({ state: 'error', message: e instanceof ApiFailure ? e.message : 'Please try again.' });
      });
  }, [url]);
  return check;
}

/** `/setup/:token`: the one-time link printed on first start creates the first administrator. */
export function FirstAdminPage({ token }: { token: string }) {
  const { setSession } = useSession();
  const [, navigate] = useLocation();
  const check = useTokenCheck(`/api/setup/${seg(token)}`);
  const form = useForm(['name', 'email', 'password']);

  if (check.state === 'loading') {
    return (
      <Page title="Set up Upstander">
        <Loading what="Checking your set-up link" />
      </Page>
    );
  }
  if (check.state !== 'valid') {
    return (
      <Page title="This set-up link does not work">
        {check.state === 'error' ? (
          <p role="alert">{check.message}</p>
        ) : (
          <p>
            It has been used already or has expired. Restarting Upstander prints a new link while no
            administrator exists.
          </p>
        )}
        <p>
          <Link href="/sign-in">Go to sign in</Link>
        </p>
      </Page>
    );
  }
  return (
    <Page
      title="Set up Upstander"
      lead="Create the first administrator account. Next, you will set up two-factor authentication, which every administrator must use."
    >
      <form
        noValidate
        onSubmit={(event) => {
          const values = formValues(event);
          void form.submit(FirstAdminSchema, { ...values, token }, async (body) => {
            const info = await api.post<SessionInfo>('/api/setup', body);
            setSession(info);
            navigate(info.stage === 'enrol_totp' ? '/two-factor/setup' : '/admin', { replace: true });
          });
        }}
      >
        <ErrorSummary form={form} />
        <TextField form={form} name="name" label="Name" autoComplete="name" />
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
          autoComplete="new-password"
          hint={`At least ${Limits.passwordMin} characters. A few unrelated words make a strong, memorable password.`}
        />
        <SubmitButton form={form}>Create account</SubmitButton>
      </form>
    </Page>
  );
}
