import {
  AgendaRequestSchema,
  ConcernAuthorViewSchema,
  ConcernCreatedSchema,
  ConcernCreateSchema,
  ConcernDetailSchema,
  ConcernEditSchema,
  ConcernEventParams,
  ConcernListQuerySchema,
  ConcernListSchema,
  ConcernParams,
  ConcernSettingsSchema,
  DashboardQuerySchema,
  DashboardSchema,
  FlagRequestSchema,
  HideRequestSchema,
  NetworkParams,
  ReceiptFollowSchema,
  RedactRequestSchema,
  SimilarConcernsSchema,
  SimilarQuerySchema,
  SupportStateSchema,
  TriageResultSchema,
  TriageSchema,
} from '../../../shared/concerns/schema';
import { RECEIPT_RATE_LIMIT } from '../../platform/rate-limit';
import { type AnyRoute, defineRoute, Ok } from '../../platform/routes';
import type { Services } from '../../platform/services';
import { clocksOf, saveClocks } from './clocks';
import {
  assertManagesNetwork,
  assertSeesNetwork,
  concernDetail,
  editConcern,
  flagConcern,
  followConcern,
  listConcerns,
  loadNetwork,
  raiseConcern,
  redactEdit,
  setForAgenda,
  setHidden,
  setSupport,
  similarConcerns,
} from './concerns';
import { concernsDashboard } from './dashboard';
import { triageConcern } from './triage';

/** Raising is rate-limited per client (visitors may raise where a network allows it). */
const RAISE_RATE_LIMIT = 10;

/** The e-mail side of notifications, and a prompt delivery after a change that queued mail. */
export function mailOf(services: Services) {
  return { mailer: services.mailer, publicUrl: services.config.publicUrl };
}
export function deliverSoon(services: Services) {
  services.mailer.deliverPending().catch(() => services.log.warn('notification mail not yet delivered'));
}

/** Concerns: raising, reading, editing, support, triage, moderation, clocks and the dashboard. */
export function concernRoutes(services: Services): AnyRoute[] {
  const { db } = services;
  const mail = mailOf(services);
  return [
    defineRoute({
      method: 'GET',
      url: '/api/networks/:networkId/concerns',
      summary: 'The concerns of a network (members and admins; hidden ones only to leads and their authors)',
      tags: ['concerns'],
      access: 'user',
      params: NetworkParams,
      query: ConcernListQuerySchema,
      response: ConcernListSchema,
      handler: ({ params, query, actor }) => listConcerns(db, actor, params.networkId, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/networks/:networkId/concerns',
      summary:
        'Raise a concern: named, anonymous to members (the leads see who), or fully anonymous with a receipt code (shown once)',
      tags: ['concerns'],
      access: 'public',
      params: NetworkParams,
      body: ConcernCreateSchema,
      rateLimitPerMinute: RAISE_RATE_LIMIT,
      response: ConcernCreatedSchema,
      status: 201,
      handler: ({ params, body, actor }) => raiseConcern(db, actor, params.networkId, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/networks/:networkId/concerns/similar',
      summary: 'Open concerns like the one being written (any of its words, best match first)',
      tags: ['concerns'],
      access: 'user',
      params: NetworkParams,
      query: SimilarQuerySchema,
      response: SimilarConcernsSchema,
      handler: ({ params, query, actor }) => similarConcerns(db, actor, params.networkId, query.q),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/networks/:networkId/concerns/dashboard',
      summary:
        'The co-chairs’ dashboard: measures per month, actions completed, overdue concerns, stale actions',
      tags: ['concerns'],
      access: 'user',
      params: NetworkParams,
      query: DashboardQuerySchema,
      response: DashboardSchema,
      handler: ({ params, query, actor }) => concernsDashboard(db, actor, params.networkId, query.months),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/networks/:networkId/concerns/settings',
      summary: 'The network’s response clocks (days to a first answer; days between action updates)',
      tags: ['concerns'],
      access: 'user',
      params: NetworkParams,
      response: ConcernSettingsSchema,
      handler: async ({ params, actor }) => {
        await loadNetwork(db, params.networkId);
        assertSeesNetwork(actor, params.networkId);
        return clocksOf(db, params.networkId);
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/networks/:networkId/concerns/settings',
      summary: 'Set the network’s response clocks (leads)',
      tags: ['concerns'],
      access: 'user',
      params: NetworkParams,
      body: ConcernSettingsSchema,
      response: ConcernSettingsSchema,
      handler: async ({ params, body, actor }) => {
        await loadNetwork(db, params.networkId);
        assertManagesNetwork(actor, params.networkId);
        return db.transaction((tx) => saveClocks(tx, actor, params.networkId, body));
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/concerns/follow',
      summary: 'Follow a fully anonymous concern with its receipt code (nothing identifying is read or kept)',
      tags: ['concerns'],
      access: 'anonymous',
      body: ReceiptFollowSchema,
      rateLimitPerMinute: RECEIPT_RATE_LIMIT,
      response: ConcernAuthorViewSchema,
      handler: ({ body }) => followConcern(db, body.receipt),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/concerns/:id',
      summary: 'One concern with its answer, action and history (authors shown as their choice allows)',
      tags: ['concerns'],
      access: 'user',
      params: ConcernParams,
      response: ConcernDetailSchema,
      handler: ({ params, actor }) => concernDetail(db, actor, params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/concerns/:id',
      summary: 'Edit a concern (its author while new; leads at any time); the change is kept in its history',
      tags: ['concerns'],
      access: 'user',
      params: ConcernParams,
      body: ConcernEditSchema,
      response: ConcernDetailSchema,
      handler: async ({ params, body, actor }) => {
        await editConcern(db, actor!, params.id, body);
        return concernDetail(db, actor, params.id);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/concerns/:id/history/:eventId/redact',
      summary:
        'Remove the wording of one edit from a concern’s history, with a reason (leads; which fields changed stays)',
      tags: ['concerns'],
      access: 'user',
      params: ConcernEventParams,
      body: RedactRequestSchema,
      response: ConcernDetailSchema,
      handler: async ({ params, body, actor }) => {
        await redactEdit(db, actor!, params.id, params.eventId, body.reason);
        return concernDetail(db, actor, params.id);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/concerns/:id/support',
      summary: 'Support a concern (once per person); supporters hear of its progress',
      tags: ['concerns'],
      access: 'user',
      params: ConcernParams,
      response: SupportStateSchema,
      handler: ({ params, actor }) => setSupport(db, actor!, params.id, true),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/concerns/:id/support',
      summary: 'Withdraw your support',
      tags: ['concerns'],
      access: 'user',
      params: ConcernParams,
      response: SupportStateSchema,
      handler: ({ params, actor }) => setSupport(db, actor!, params.id, false),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/concerns/:id/triage',
      summary:
        'Answer a concern with a status (accepting it links it to a new or existing action); its followers are told',
      tags: ['concerns'],
      access: 'user',
      params: ConcernParams,
      body: TriageSchema,
      response: TriageResultSchema,
      handler: async ({ params, body, actor }) => {
        const result = await db.transaction((tx) => triageConcern(tx, actor!, params.id, body, { mail }));
        deliverSoon(services);
        return result;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/concerns/:id/agenda',
      summary: 'Put a concern on the next meeting’s agenda, or take it off',
      tags: ['concerns'],
      access: 'user',
      params: ConcernParams,
      body: AgendaRequestSchema,
      response: ConcernDetailSchema,
      handler: async ({ params, body, actor }) => {
        await setForAgenda(db, actor!, params.id, body.forAgenda);
        return concernDetail(db, actor, params.id);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/concerns/:id/flag',
      summary: 'Flag a concern as abusive (members; the leads are told)',
      tags: ['concerns'],
      access: 'user',
      params: ConcernParams,
      body: FlagRequestSchema,
      response: Ok,
      handler: async ({ params, body, actor }) => {
        await flagConcern(db, actor!, params.id, body.reason, { mail });
        deliverSoon(services);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/concerns/:id/hide',
      summary: 'Hide a concern from members, with a reason (never deleted; its author is told)',
      tags: ['concerns'],
      access: 'user',
      params: ConcernParams,
      body: HideRequestSchema,
      response: ConcernDetailSchema,
      handler: async ({ params, body, actor }) => {
        await setHidden(db, actor!, params.id, { reason: body.reason }, { mail });
        deliverSoon(services);
        return concernDetail(db, actor, params.id);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/concerns/:id/unhide',
      summary: 'Show a hidden concern to members again (its author is told)',
      tags: ['concerns'],
      access: 'user',
      params: ConcernParams,
      response: ConcernDetailSchema,
      handler: async ({ params, actor }) => {
        await setHidden(db, actor!, params.id, null, { mail });
        deliverSoon(services);
        return concernDetail(db, actor, params.id);
      },
    }),
  ];
}
