import { z } from 'zod';
import {
  InvitationAcceptSchema,
  InvitationAcceptSignedInSchema,
  InvitationCreateSchema,
  InvitationViewSchema,
  OneTimeTokenString,
  SessionInfoSchema,
} from '../../../shared/identity/schema';
import { type AnyRoute, defineRoute, Ok } from '../../platform/routes';
import type { Services } from '../../platform/services';
import { loadActorBySessionHash } from '../../platform/sessions';
import { startSession } from './auth.routes';
import { acceptInvitation, acceptInvitationSignedIn, createInvitation, viewInvitation } from './invitations';
import { getSessionInfo } from './queries';

/** Invitations by e-mail: sending one, showing it, and accepting it with a new or existing account. */
export function invitationRoutes(services: Services): AnyRoute[] {
  const { db } = services;
  return [
    defineRoute({
      method: 'POST',
      url: '/api/invitations',
      summary: 'Invite someone to a network by e-mail (the network’s leads and admins)',
      tags: ['invitations'],
      access: 'user',
      // Besides the per-network daily allowance (INVITATIONS_PER_NETWORK_PER_DAY).
      rateLimitPerMinute: 30,
      body: InvitationCreateSchema,
      response: Ok,
      status: 201,
      handler: async ({ body, actor }) => {
        await createInvitation(services, actor!, body);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/invitations/:token',
      summary: 'What an invitation link is for (unknown, expired or used links are not found)',
      tags: ['invitations'],
      access: 'public',
      rateLimitPerMinute: 30,
      params: z.strictObject({ token: OneTimeTokenString }),
      response: InvitationViewSchema,
      handler: ({ params }) => viewInvitation(db, params.token),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/invitations/accept',
      summary: 'Accept an invitation by creating the account it was sent to, and sign in',
      tags: ['invitations'],
      access: 'public',
      rateLimitPerMinute: 10,
      body: InvitationAcceptSchema,
      response: SessionInfoSchema,
      status: 201,
      handler: async ({ body, reply }) => {
        const userId = await acceptInvitation(db, body);
        return startSession(services, reply, { userId, method: 'invitation', secondFactorDone: true });
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/invitations/accept-signed-in',
      summary: 'Accept an invitation sent to the signed-in account’s e-mail address',
      tags: ['invitations'],
      access: 'user',
      rateLimitPerMinute: 10,
      body: InvitationAcceptSignedInSchema,
      response: SessionInfoSchema,
      handler: async ({ body, actor }) => {
        await acceptInvitationSignedIn(db, actor!, body.token);
        return getSessionInfo(db, await loadActorBySessionHash(db, actor!.sessionIdHash));
      },
    }),
  ];
}
