import { z } from 'zod';
import {
  DirectoryAdminSchema,
  DirectoryOrderSchema,
  NoPlacementProvidersSchema,
  PlacementProviderSchema,
  PlacementProviderUpdateSchema,
  ReadinessSchema,
  ReportingStatusSchema,
  SetUpChecklistSchema,
  SupportContactSchema,
  SupportContactUpdateSchema,
} from '../../../shared/speak-up/schema';
import { type AnyRoute, defineRoute, IdParams } from '../../platform/routes';
import type { Services } from '../../platform/services';
import {
  assertInstitution,
  directoryForAdmin,
  readiness,
  reorderDirectory,
  retirePlacementProvider,
  retireSupportContact,
  setNoPlacementProviders,
  setUpChecklist,
  updatePlacementProvider,
  updateSupportContact,
} from './directory';

const EntryParams = z.strictObject({ id: z.uuid(), entryId: z.uuid() });

/**
 * A school's signposting as the admin keeps it (support contacts, placement providers), and
 * whether the school takes reports yet. Adding a contact or provider is in reports.routes.ts.
 */
export function directoryRoutes(services: Services): AnyRoute[] {
  const { db } = services;
  return [
    defineRoute({
      method: 'GET',
      url: '/api/speak-up/institutions/:id/status',
      summary: 'Whether this school takes reports yet (it is open once it is fully set up)',
      tags: ['speak-up'],
      access: 'anonymous',
      params: IdParams,
      response: ReportingStatusSchema,
      handler: async ({ params }) => ({ open: (await readiness(db, params.id)).open }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/admin/institutions/:id/speak-up',
      summary:
        'A school’s support contacts and placement providers, retired ones included, and what it lacks to open',
      tags: ['speak-up'],
      access: 'admin',
      params: IdParams,
      response: DirectoryAdminSchema.extend({ readiness: ReadinessSchema }),
      handler: async ({ params }) => ({
        ...(await directoryForAdmin(db, params.id)),
        readiness: await readiness(db, params.id),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/admin/institutions/:id/set-up',
      summary: 'A school’s set-up checklist: each step, whether it is done, and where it is done',
      tags: ['speak-up'],
      access: 'admin',
      params: IdParams,
      response: SetUpChecklistSchema,
      handler: async ({ params }) => {
        await assertInstitution(db, params.id);
        return setUpChecklist(db, params.id);
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/admin/institutions/:id/support/:entryId',
      summary: 'Change a support contact',
      tags: ['speak-up'],
      access: 'admin',
      params: EntryParams,
      body: SupportContactUpdateSchema,
      response: SupportContactSchema,
      handler: ({ params, body, actor }) => updateSupportContact(db, actor!, params.id, params.entryId, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/admin/institutions/:id/support/:entryId',
      summary: 'Retire a support contact (it is no longer shown)',
      tags: ['speak-up'],
      access: 'admin',
      params: EntryParams,
      response: null,
      status: 204,
      handler: async ({ params, actor }) => {
        await retireSupportContact(db, actor!, params.id, params.entryId);
        return undefined;
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/admin/institutions/:id/support-order',
      summary: 'Put the school’s support contacts in a new order',
      tags: ['speak-up'],
      access: 'admin',
      params: IdParams,
      body: DirectoryOrderSchema,
      response: null,
      status: 204,
      handler: async ({ params, body, actor }) => {
        await reorderDirectory(db, actor!, params.id, 'support_contacts', body.ids);
        return undefined;
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/admin/institutions/:id/placement-providers/:entryId',
      summary: 'Rename a placement provider',
      tags: ['speak-up'],
      access: 'admin',
      params: EntryParams,
      body: PlacementProviderUpdateSchema,
      response: PlacementProviderSchema,
      handler: ({ params, body, actor }) =>
        updatePlacementProvider(db, actor!, params.id, params.entryId, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/admin/institutions/:id/placement-providers/:entryId',
      summary: 'Retire a placement provider: off the report form, still on the reports that name it',
      tags: ['speak-up'],
      access: 'admin',
      params: EntryParams,
      response: null,
      status: 204,
      handler: async ({ params, actor }) => {
        await retirePlacementProvider(db, actor!, params.id, params.entryId);
        return undefined;
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/admin/institutions/:id/placement-provider-order',
      summary: 'Put the school’s placement providers in a new order',
      tags: ['speak-up'],
      access: 'admin',
      params: IdParams,
      body: DirectoryOrderSchema,
      response: null,
      status: 204,
      handler: async ({ params, body, actor }) => {
        await reorderDirectory(db, actor!, params.id, 'placement_providers', body.ids);
        return undefined;
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/admin/institutions/:id/no-placement-providers',
      summary: 'Record that the school has no placement providers (or take that back)',
      tags: ['speak-up'],
      access: 'admin',
      params: IdParams,
      body: NoPlacementProvidersSchema,
      response: null,
      status: 204,
      handler: async ({ params, body, actor }) => {
        await assertInstitution(db, params.id);
        await setNoPlacementProviders(db, actor!, params.id, body.noPlacementProviders);
        return undefined;
      },
    }),
  ];
}
