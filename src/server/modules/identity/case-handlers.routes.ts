import { z } from 'zod';
import { CaseHandlerRequestSchema } from '../../../shared/identity/schema';
import { type AnyRoute, defineRoute, IdParams } from '../../platform/routes';
import type { Services } from '../../platform/services';
import { decideCaseHandlerRequest, listCaseHandlerRequests } from './case-handlers';

/** The second person's side of making a case handler: the open requests, approve, decline or withdraw. */
export function caseHandlerRequestRoutes(services: Services): AnyRoute[] {
  const { db } = services;
  return [
    defineRoute({
      method: 'GET',
      url: '/api/case-handler-requests',
      summary:
        'Open requests to make someone a case handler that you may see (admins, that school’s case handlers, the asker)',
      tags: ['identity'],
      access: 'user',
      response: z.array(CaseHandlerRequestSchema),
      handler: ({ actor }) => listCaseHandlerRequests(db, actor!),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/case-handler-requests/:id/approve',
      summary:
        'Approve a request: the person becomes a case handler (not by the asker or the person themself)',
      tags: ['identity'],
      access: 'user',
      params: IdParams,
      response: null,
      status: 204,
      handler: async ({ actor, params }) => {
        await decideCaseHandlerRequest(services, actor!, params.id, 'approved');
        return undefined;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/case-handler-requests/:id/decline',
      summary: 'Decline a request (or, as its asker, withdraw it)',
      tags: ['identity'],
      access: 'user',
      params: IdParams,
      response: null,
      status: 204,
      handler: async ({ actor, params }) => {
        await decideCaseHandlerRequest(services, actor!, params.id, 'declined');
        return undefined;
      },
    }),
  ];
}
