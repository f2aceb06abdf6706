import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import type { z } from 'zod';
import { SecondFactorSchema, type TotpSetupSchema } from '../../../shared/identity/schema';
import { ApiFailure, api } from '../../app/api';
import { ErrorSummary, formValues, SubmitButton, TextField, useForm } from '../../app/forms';
import { Loading, Page } from '../../app/page';
import { forgetNext, type SessionInfo, safeNext, useSession } from '../../app/session';

type TotpSetup = z.infer<typeof TotpSetupSchema>;

/** An SVG string as a data: URL (allowed by the CSP's img-src), base64 so any character is safe. */
function svgDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** The secret in groups of four, easier to type into an app by hand. */
const groupSecret = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

/** Setting up TOTP: required for admins and case handlers, offered to everyone. */
export function TwoFactorSetupPage() {
  const { session, setSession, showNotice } = useSession();
  const [, navigate] = useLocation();
  const next = safeNext(new URLSearchParams(useSearch()).get('next'));
  const required = session.stage === 'enrol_totp';
  const alreadyOn = session.stage === 'signed_in' && session.user?.hasTotp;
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [setupError, setSetupError] = useState<string | null>(null);
  const started = useRef(false);
  const form = useForm(['code']);

  const begin = () => {
    setSetupError(null);
    api
      .post<TotpSetup>('/api/auth/totp/setup')
      .then(setSetup)
      .catch((e: unknown) =>
        setSetupError(
          e instanceof ApiFailure ? e.message : 'We could not start the set-up. Please try again.',
        ),
      );
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once per visit on purpose
  useEffect(() => {
    // One secret per visit: a second request would replace the one being scanned.
    if (alreadyOn || started.current) return;
    started.current = true;
    begin();
  }, [alreadyOn]);

  if (alreadyOn) {
    return (
      <Page title="Two-factor authentication is on">
        <p>Your account already asks for a code from your authenticator app when you sign in.</p>
        <p>
          <Link href="/profile">Go to your profile</Link>
        </p>
      </Page>
    );
  }

  return (
    <Page title="Set up two-factor authentication">
      {required ? (
        <div className="callout">
          <p>
            <strong>Your account needs two-factor authentication before you can continue.</strong>
          </p>
          <p>
            Administrators and case handlers must use it: they can change who sees what, and case handlers
            read reports that people trusted us with. A password alone is not enough protection for that.
          </p>
        </div>
      ) : (
        <p className="lead">
          Two-factor authentication asks for a code from your phone as well as your password, so a stolen
          password alone cannot open your account.
        </p>
      )}
      <ol className="steps">
        <li>
          <h2>Get an authenticator app</h2>
          <p>Any app that supports time-based codes (TOTP) works, on your phone or computer.</p>
        </li>
        <li>
          <h2>Add Upstander to the app</h2>
          {setupError ? (
            <div role="alert" className="error-summary">
              <p>{setupError}</p>
              <button type="button" className="button button-secondary" onClick={begin}>
                Try again
              </button>
            </div>
          ) : !setup ? (
            <Loading what="Preparing your QR code" />
          ) : (
            <>
              <p>Scan this QR code with the app:</p>
              <img
                className="qr"
                src={svgDataUrl(setup.qrSvg)}
                alt="QR code that adds Upstander to your authenticator app"
                width={200}
                height={200}
              />
              <p>Or, if you cannot scan, type this key into the app:</p>
              <p>
                <code className="secret">{groupSecret(setup.secret)}</code>
              </p>
            </>
          )}
        </li>
        <li>
          <h2>Enter the code the app shows</h2>
          <form
            noValidate
            onSubmit={(event) => {
              const values = formValues(event);
              void form.submit(SecondFactorSchema, values, async (body) => {
                const info = await api.post<SessionInfo>('/api/auth/totp/confirm', body);
                const target = next ?? (required ? '/' : '/profile');
                forgetNext();
                navigate(target);
                showNotice('Two-factor authentication is on.', target.split('?')[0] ?? target);
                setSession(info);
              });
            }}
          >
            <ErrorSummary form={form} />
            <TextField
              form={form}
              name="code"
              label="Code"
              hint="The 6-digit code from your authenticator app."
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]*"
              maxLength={6}
              className="input-code"
              spellCheck={false}
            />
            <SubmitButton form={form}>Turn on two-factor</SubmitButton>
          </form>
        </li>
      </ol>
    </Page>
  );
}
