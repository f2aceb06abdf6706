import { z } from 'zod';
import {
  CohortImportRequestSchema,
  CohortImportResultSchema,
  KindRequestSchema,
  MembershipUpdateSchema,
  NetworkDetailSchema,
  NetworkMemberSchema,
  NetworkSummarySchema,
} from '../../../shared/identity/schema';
import { type AnyRoute, defineRoute, IdParams, Ok, Uuid } from '../../platform/routes';
import type { Services } from '../../platform/services';
import { importCohort } from './cohort-import';
import {
  getNetworkDetail,
  listNetworkMembers,
  listNetworks,
  removeMembership,
  requestKindChange,
  updateMembership,
} from './networks';

const MemberParams = z.strictObject({ id: Uuid, userId: Uuid });
// Any string: an ill-formed slug is simply not found (not a validation error to puzzle over).
const SlugParams = z.strictObject({ slug: z.string().max(200) });

/** Networks as members see them: the list, a network's page, its people and their roles, cohort import. */
export function networkRoutes(services: Services): AnyRoute[] {
  const { db } = services;
  return [
    defineRoute({
      method: 'GET',
      url: '/api/networks',
      summary: 'Every network, with its institution and number of members',
      tags: ['networks'],
      access: 'public',
      response: z.array(NetworkSummarySchema),
      handler: () => listNetworks(db),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/networks/:slug',
      summary: 'A network’s page: its co-chairs (public contacts) and what the viewer may do',
      tags: ['networks'],
      access: 'public',
      params: SlugParams,
      response: NetworkDetailSchema,
      handler: ({ params, actor }) => getNetworkDetail(db, params.slug, actor),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/networks/:id/members',
      summary: 'A network’s members (members and admins; e-mail addresses for its leads and admins)',
      tags: ['networks'],
      access: 'user',
      params: IdParams,
      response: z.array(NetworkMemberSchema),
      handler: ({ params, actor }) => listNetworkMembers(db, actor!, params.id),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/networks/:id/members/:userId',
      summary:
        'Change a membership: kind, year of study, role and lead title (leads and admins; a kind by co-chairs and admins, never one’s own)',
      tags: ['networks'],
      access: 'user',
      params: MemberParams,
      body: MembershipUpdateSchema,
      response: NetworkMemberSchema,
      handler: ({ params, body, actor }) =>
        updateMembership(db, actor!, params.id, params.userId, body, {
          mailer: services.mailer,
          publicUrl: services.config.publicUrl,
        }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/networks/:id/kind-request',
      summary:
        'Ask the other co-chairs to record you as another kind (student, staff, alumnus); one of them approves by changing it',
      tags: ['networks'],
      access: 'user',
      params: IdParams,
      body: KindRequestSchema,
      rateLimitPerMinute: 5,
      response: Ok,
      status: 202,
      handler: async ({ params, body, actor }) => {
        await requestKindChange(db, actor!, params.id, body, {
          mailer: services.mailer,
          publicUrl: services.config.publicUrl,
        });
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/networks/:id/members/:userId',
      summary: 'Remove someone from a network, or leave it yourself',
      tags: ['networks'],
      access: 'user',
      params: MemberParams,
      response: null,
      status: 204,
      handler: async ({ params, actor }) => {
        await removeMembership(db, actor!, params.id, params.userId);
        return undefined;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/networks/:id/import',
      summary: 'Import a cohort from CSV (name,email,kind,year): all rows or none',
      tags: ['networks'],
      access: 'user',
      rateLimitPerMinute: 10,
      params: IdParams,
      bodyLimit: 2_500_000,
      body: CohortImportRequestSchema,
      response: CohortImportResultSchema,
      handler: ({ params, body, actor }) => importCohort(services, actor!, params.id, body),
    }),
  ];
}
