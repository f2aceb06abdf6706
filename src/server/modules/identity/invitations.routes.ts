import { z } from 'zod';
import {
  InvitationAcceptSchema,
  InvitationAcceptSignedInSchema,
  InvitationCreateSchema,
  InvitationViewSchema,
  OneTimeTokenString,
  PendingInvitationSchema,
  SessionInfoSchema,
} from '../../../shared/identity/schema';
import { type AnyRoute, defineRoute, IdParams, Ok, Uuid } from '../../platform/routes';
import type { Services } from '../../platform/services';
import { loadActorBySessionHash } from '../../platform/sessions';
import { startSession } from './auth.routes';
import {
  acceptInvitation,
  acceptInvitationSignedIn,
  createInvitation,
  listPendingInvitations,
  resendInvitation,
  revokeInvitation,
  viewInvitation,
} from './invitations';

const InvitationParams = z.strictObject({ id: Uuid, invitationId: Uuid });

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
      url: '/api/networks/:id/invitations',
      summary: 'The network’s invitations not yet accepted (its leads and admins)',
      tags: ['invitations'],
      access: 'user',
      params: IdParams,
      response: z.array(PendingInvitationSchema),
      handler: ({ params, actor }) => listPendingInvitations(db, actor!, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/networks/:id/invitations/:invitationId/resend',
      summary: 'Send an invitation again with a new link (the old link stops working)',
      tags: ['invitations'],
      access: 'user',
      rateLimitPerMinute: 30,
      params: InvitationParams,
      response: Ok,
      handler: async ({ params, actor }) => {
        await resendInvitation(services, actor!, params.id, params.invitationId);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/networks/:id/invitations/:invitationId',
      summary: 'Withdraw an invitation: its link stops working',
      tags: ['invitations'],
      access: 'user',
      params: InvitationParams,
      response: null,
      status: 204,
      handler: async ({ params, actor }) => {
        await revokeInvitation(db, actor!, params.id, params.invitationId);
        return undefined;
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
