import { eq } from 'drizzle-orm';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { sessions } from '../../../db/schema';
import {
  FirstAdminSchema,
  OneTimeTokenString,
  SecondFactorSchema,
  SessionInfoSchema,
  SignInSchema,
  TokenCheckSchema,
  TotpDisableSchema,
  TotpSetupSchema,
} from '../../../shared/identity/schema';
import { forbidden } from '../../platform/errors';
import { type AnyRoute, defineRoute } from '../../platform/routes';
import type { Services } from '../../platform/services';
import {
  clearSessionCookie,
  createSession,
  loadActor,
  loadActorBySessionHash,
  type SessionMethod,
  setSessionCookie,
} from '../../platform/sessions';
import {
  beginTotpEnrolment,
  checkPassword,
  completeSecondFactor,
  confirmTotpEnrolment,
  createFirstAdmin,
  disableTotp,
  isUsableToken,
  signOutEverywhere,
} from './mutations';
import { mayDisableTotp } from './policy';
import { getSessionInfo } from './queries';

/** Starts a session for a user, sets its cookie and answers with the new session's info. */
export async function startSession(
  services: Services,
  reply: FastifyReply,
  input: { userId: string; method: SessionMethod; secondFactorDone: boolean },
) {
  const { db, config } = services;
  const token = await createSession(db, { ...input, days: config.sessionDays });
  setSessionCookie(reply, token, {
    secure: config.publicUrl.startsWith('https://'),
    days: config.sessionDays,
  });
  return getSessionInfo(db, await loadActor(db, token));
}

export function authRoutes(services: Services): AnyRoute[] {
  const { db, masterKey, config } = services;
  const secure = config.publicUrl.startsWith('https://');
  return [
    defineRoute({
      method: 'GET',
      url: '/api/session',
      summary: 'The current session: stage, CSRF token, user and roles',
      tags: ['identity'],
      access: 'public',
      response: SessionInfoSchema,
      handler: ({ request }) => getSessionInfo(db, request.sessionActor),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/auth/sign-in',
      summary: 'Sign in with e-mail and password',
      tags: ['identity'],
      access: 'public',
      // A flood guard only: wrong passwords are limited per address and per account (checkPassword),
      // so a lecture hall behind one campus address can all sign in within the minute.
      rateLimitPerMinute: 600,
      body: SignInSchema,
      response: SessionInfoSchema,
      handler: async ({ body, reply, request }) => {
        const { userId, hasTotp } = await checkPassword(services, { ...body, address: request.ip });
        return startSession(services, reply, { userId, method: 'password', secondFactorDone: !hasTotp });
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/auth/second-factor',
      summary: 'Give the TOTP code a signed-in session still owes',
      tags: ['identity'],
      access: 'session',
      rateLimitPerMinute: 30,
      body: SecondFactorSchema,
      response: SessionInfoSchema,
      handler: async ({ actor, body }) => {
        await completeSecondFactor(services, actor!, body.code);
        return getSessionInfo(db, await loadActorBySessionHash(db, actor!.sessionIdHash));
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/auth/sign-out',
      summary: 'End this session',
      tags: ['identity'],
      access: 'session',
      response: null,
      status: 204,
      handler: async ({ actor, reply }) => {
        await db.delete(sessions).where(eq(sessions.idHash, actor!.sessionIdHash));
        clearSessionCookie(reply, secure);
        return undefined;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/auth/sign-out-everywhere',
      summary: 'End every session of this account, on every device',
      tags: ['identity'],
      access: 'user',
      response: null,
      status: 204,
      handler: async ({ actor, reply }) => {
        await signOutEverywhere(db, actor!.userId, actor!.userId);
        clearSessionCookie(reply, secure);
        return undefined;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/auth/totp/setup',
      summary: 'Begin setting up TOTP two-factor authentication',
      tags: ['identity'],
      access: 'session',
      response: TotpSetupSchema,
      handler: ({ actor }) => {
        // A session still owing its second factor must not replace the factor it owes.
        if (!actor!.secondFactorDone) throw forbidden('Enter your current code first.');
        return beginTotpEnrolment(db, masterKey, actor!);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/auth/totp/confirm',
      summary: 'Confirm TOTP set-up with a first code',
      tags: ['identity'],
      access: 'session',
      rateLimitPerMinute: 10,
      body: SecondFactorSchema,
      response: SessionInfoSchema,
      handler: async ({ actor, body }) => {
        if (!actor!.secondFactorDone) throw forbidden('Enter your current code first.');
        await confirmTotpEnrolment(db, masterKey, actor!, body.code);
        return getSessionInfo(db, await loadActorBySessionHash(db, actor!.sessionIdHash));
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/auth/totp/disable',
      summary: 'Turn off TOTP (not allowed for admins and case handlers)',
      tags: ['identity'],
      access: 'user',
      rateLimitPerMinute: 10,
      body: TotpDisableSchema,
      response: null,
      status: 204,
      handler: async ({ actor, body }) => {
        if (!mayDisableTotp(actor!))
          throw forbidden('Administrators and case handlers must keep two-factor authentication on.');
        await disableTotp(db, masterKey, actor!, body.code);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/setup/:token',
      summary: 'Whether a first-admin set-up link is still valid',
      tags: ['identity'],
      access: 'public',
      params: z.strictObject({ token: OneTimeTokenString }),
      response: TokenCheckSchema,
      handler: async ({ params }) => ({ valid: (await isUsableToken(db, 'setup', params.token)) !== null }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/setup',
      summary: 'Create the first administrator from the one-time set-up link',
      tags: ['identity'],
      access: 'public',
      rateLimitPerMinute: 10,
      body: FirstAdminSchema,
      response: SessionInfoSchema,
      status: 201,
      handler: async ({ body, reply }) => {
        const userId = await createFirstAdmin(db, body);
        // Signed in, but as an admin the next step is TOTP enrolment (the session info says so).
        return startSession(services, reply, { userId, method: 'setup', secondFactorDone: true });
      },
    }),
  ];
}
