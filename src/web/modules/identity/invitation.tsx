import { useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import type { z } from 'zod';
import { InvitationAcceptSchema, type InvitationViewSchema, Limits } from '../../../shared/identity/schema';
import { ApiFailure, api, seg } from '../../app/api';
import { ErrorSummary, formValues, noInput, SubmitButton, TextField, useForm } from '../../app/forms';
import { Loading, Page } from '../../app/page';
import { type SessionInfo, useSession } from '../../app/session';

type InvitationView = z.infer<typeof InvitationViewSchema>;
type Load =
  | { state: 'loading' }
  | { state: 'ok'; view: InvitationView }
  | { state: 'gone' }
  | { state: 'error'; message: string };

/** The page a member of the new network lands on. */
function networkPathFor(info: SessionInfo, networkName: string) {
  const m = info.memberships.find((x) => x.networkName === networkName);
  return m ? `/networks/${m.networkSlug}` : '/';
}

/** `/invite/:token`: sign up by invitation, or accept it into an existing account. */
export function InvitationPage({ token }: { token: string }) {
  const { session, setSession, showNotice } = useSession();
  const [, navigate] = useLocation();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const signUp = useForm(['name', 'password']);
  const accept = useForm([]);

  useEffect(() => {
    api
      .get<InvitationView>(`/api/invitations/${seg(token)}`)
      .then((view) => setLoad({ state: 'ok', view }))
      .catch((e: unknown) => {
        if (e instanceof ApiFailure && (e.status === 404 || e.status === 400)) setLoad({ state: 'gone' });
        else setLoad({ state: 'error', message: e instanceof ApiFailure ? e.message : 'Please try again.' });
      });
  }, [token]);

  if (load.state === 'loading') {
    return (
      <Page title="Your invitation">
        <Loading what="Opening your invitation" />
      </Page>
    );
  }
  if (load.state !== 'ok') {
    return (
      <Page title="This invitation does not work">
        {load.state === 'error' ? (
          <p role="alert">{load.message}</p>
        ) : (
          <p>
            It may have been used already or have expired. Ask the network’s co-chairs to send you a new one.
          </p>
        )}
        <p>
          <Link href="/">Go to the home page</Link>
        </p>
      </Page>
    );
  }

  const { view } = load;
  const title = `Join ${view.networkName}`;
  const intro = (
    <p className="lead">
      You have been invited to join <strong>{view.networkName}</strong> at {view.institutionName}.
    </p>
  );

  if (session.stage === 'signed_in' && session.user) {
    const otherAccount = session.user.email.toLowerCase() !== view.email.toLowerCase();
    return (
      <Page title={title}>
        {intro}
        {otherAccount ? (
          <p className="callout">
            This invitation was sent to <strong>{view.email}</strong>, but you are signed in as{' '}
            <strong>{session.user.email}</strong>. Accepting adds the membership to the account you are signed
            in with.
          </p>
        ) : null}
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void accept.submit(noInput, null, async () => {
              const info = await api.post<SessionInfo>('/api/invitations/accept-signed-in', { token });
              setSession(info);
              const target = networkPathFor(info, view.networkName);
              navigate(target);
              showNotice(`Welcome to ${view.networkName}.`, target);
            });
          }}
        >
          <ErrorSummary form={accept} />
          <SubmitButton form={accept}>Accept invitation</SubmitButton>
        </form>
      </Page>
    );
  }

  if (view.accountExists) {
    return (
      <Page title={title}>
        {intro}
        <p>
          There is already an Upstander account for <strong>{view.email}</strong>. Sign in to accept the
          invitation; you will come back here.
        </p>
        <p>
          <Link className="button" href={`/sign-in?next=${encodeURIComponent(`/invite/${token}`)}`}>
            Sign in to accept
          </Link>
        </p>
      </Page>
    );
  }

  const emailId = `${signUp.baseId}-email`;
  return (
    <Page title={title}>
      {intro}
      <p>Create your account to accept. You can change your name later.</p>
      <form
        noValidate
        onSubmit={(event) => {
          const values = formValues(event);
          void signUp.submit(InvitationAcceptSchema, { ...values, token }, async (body) => {
            const info = await api.post<SessionInfo>('/api/invitations/accept', body);
            const target = networkPathFor(info, view.networkName);
            setSession(info);
            navigate(info.stage === 'signed_in' ? target : '/');
            if (info.stage === 'signed_in') showNotice(`Welcome to ${view.networkName}.`, target);
          });
        }}
      >
        <ErrorSummary form={signUp} />
        <div className="field">
          <label htmlFor={emailId}>E-mail</label>
          <p id={`${emailId}-hint`} className="field-hint">
            The address the invitation was sent to. You will sign in with it.
          </p>
          <input
            id={emailId}
            type="email"
            value={view.email}
            readOnly
            autoComplete="email"
            aria-describedby={`${emailId}-hint`}
          />
        </div>
        <TextField form={signUp} name="name" label="Name" autoComplete="name" defaultValue={view.name} />
        <TextField
          form={signUp}
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={`Choose a new password of at least ${Limits.passwordMin} characters.`}
        />
        <SubmitButton form={signUp}>Create account</SubmitButton>
      </form>
    </Page>
  );
}
