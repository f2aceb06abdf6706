import { z } from 'zod';
import {
  OneTimeTokenString,
  PasswordChangeSchema,
  PasswordResetCompleteSchema,
  PasswordResetRequestSchema,
  ProfileSchema,
  ProfileUpdateSchema,
  TokenCheckSchema,
} from '../../../shared/identity/schema';
import { type AnyRoute, defineRoute, Ok } from '../../platform/routes';
import type { Services } from '../../platform/services';
import { loadActorBySessionHash } from '../../platform/sessions';
import {
  changePassword,
  completePasswordReset,
  getProfile,
  passwordResetWorker,
  requestPasswordReset,
  updateProfile,
} from './account';
import { isUsableToken } from './mutations';

/** One's own account: profile, password change, and password reset by e-mail. */
export function accountRoutes(services: Services): AnyRoute[] {
  const { db } = services;
  const resets = passwordResetWorker(services);
  // Requests left by a stopped instance are handled when the next one starts.
  resets.kick();
  return [
    defineRoute({
      method: 'GET',
      url: '/api/profile',
      summary: 'Your own account: name, e-mail, two-factor status and memberships',
      tags: ['identity'],
      access: 'user',
      response: ProfileSchema,
      handler: ({ actor }) => getProfile(db, actor!),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/profile',
      summary: 'Change the name on your account',
      tags: ['identity'],
      access: 'user',
      body: ProfileUpdateSchema,
      response: ProfileSchema,
      handler: async ({ actor, body }) => {
        await updateProfile(db, actor!, body, services);
        const fresh = await loadActorBySessionHash(db, actor!.sessionIdHash);
        return getProfile(db, fresh ?? actor!);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/auth/password/change',
      summary: 'Change your password (your other sessions are signed out)',
      tags: ['identity'],
      access: 'user',
      rateLimitPerMinute: 10,
      body: PasswordChangeSchema,
      response: null,
      status: 204,
      handler: async ({ actor, body }) => {
        await changePassword(db, actor!, body);
        return undefined;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/auth/password-reset/request',
      summary: 'Ask for a password-reset link by e-mail (the answer never says whether the account exists)',
      tags: ['identity'],
      access: 'public',
      rateLimitPerMinute: 5,
      body: PasswordResetRequestSchema,
      response: Ok,
      status: 202,
      handler: async ({ body }) => {
        await requestPasswordReset(db, body.email);
        resets.kick();
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/auth/password-reset/:token',
      summary: 'Whether a password-reset link is still valid',
      tags: ['identity'],
      access: 'public',
      rateLimitPerMinute: 30,
      params: z.strictObject({ token: OneTimeTokenString }),
      response: TokenCheckSchema,
      handler: async ({ params }) => ({
        valid: (await isUsableToken(db, 'password_reset', params.token)) !== null,
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/auth/password-reset/complete',
      summary: 'Set a new password from a reset link; every session of the account is signed out',
      tags: ['identity'],
      access: 'public',
      rateLimitPerMinute: 10,
      body: PasswordResetCompleteSchema,
      response: null,
      status: 204,
      handler: async ({ body }) => {
        await completePasswordReset(db, body);
        return undefined;
      },
    }),
  ];
}
