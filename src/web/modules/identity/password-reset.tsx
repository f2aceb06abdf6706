import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import {
  Limits,
  PasswordResetCompleteSchema,
  PasswordResetRequestSchema,
} from '../../../shared/identity/schema';
import { api, seg } from '../../app/api';
import { ErrorSummary, formValues, StatusMessage, SubmitButton, TextField, useForm } from '../../app/forms';
import { Loading, Page } from '../../app/page';
import { useSession } from '../../app/session';
import { useTokenCheck } from './first-admin';

/** `/forgot-password`: always the same answer, so it never tells whether an account exists. */
export function ForgotPasswordPage() {
  const form = useForm(['email']);
  const [sentTo, setSentTo] = useState<string | null>(null);
  return (
    <Page
      title="Forgot your password?"
      lead="Enter the e-mail address you sign in with. We will send a link to choose a new password."
    >
      <form
        noValidate
        onSubmit={(event) => {
          const values = formValues(event);
          void form.submit(PasswordResetRequestSchema, values, async (body) => {
            setSentTo(null);
            await api.post('/api/auth/password-reset/request', body);
            setSentTo(body.email);
          });
        }}
      >
        <ErrorSummary form={form} />
        <StatusMessage
          message={
            sentTo
              ? `If an account exists for ${sentTo}, we sent a link to it. The link works once and expires soon; check your spam folder too.`
              : null
          }
        />
        <TextField
          form={form}
          name="email"
          label="E-mail"
          type="email"
          autoComplete="email"
          spellCheck={false}
        />
        <SubmitButton form={form}>Send reset link</SubmitButton>
      </form>
      <p>
        <Link href="/sign-in">Back to sign in</Link>
      </p>
    </Page>
  );
}

/** `/reset-password/:token`: choose a new password from the e-mailed link. */
export function ResetPasswordPage({ token }: { token: string }) {
  const { showNotice, refresh } = useSession();
  const [, navigate] = useLocation();
  const check = useTokenCheck(`/api/auth/password-reset/${seg(token)}`);
  const form = useForm(['password']);

  if (check.state === 'loading') {
    return (
      <Page title="Choose a new password">
        <Loading what="Checking your link" />
      </Page>
    );
  }
  if (check.state !== 'valid') {
    return (
      <Page title="This reset link does not work">
        {check.state === 'error' ? (
          <p role="alert">{check.message}</p>
        ) : (
          <p>It has been used already or has expired. You can ask for a new one.</p>
        )}
        <p>
          <Link href="/forgot-password">Ask for a new reset link</Link>
        </p>
      </Page>
    );
  }
  return (
    <Page title="Choose a new password">
      <form
        noValidate
        onSubmit={(event) => {
          const values = formValues(event);
          void form.submit(PasswordResetCompleteSchema, { ...values, token }, async (body) => {
            await api.post('/api/auth/password-reset/complete', body);
            // Resetting ends every session; start clean.
            await refresh().catch(() => undefined);
            navigate('/sign-in', { replace: true });
            showNotice('Your password has been changed. Sign in with your new password.', '/sign-in');
          });
        }}
      >
        <ErrorSummary form={form} />
        <TextField
          form={form}
          name="password"
          label="New password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${Limits.passwordMin} characters.`}
        />
        <SubmitButton form={form}>Save new password</SubmitButton>
      </form>
    </Page>
  );
}
