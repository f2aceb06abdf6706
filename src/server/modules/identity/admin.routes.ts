import { z } from 'zod';
import {
  AdminMembershipCreateSchema,
  AdminUserListSchema,
  AdminUserQuerySchema,
  AdminUserSchema,
  AdminUserUpdateSchema,
  AuditEventSchema,
  AuditHeadSchema,
  AuditQuerySchema,
  AuditVerifyQuerySchema,
  AuditVerifySchema,
  CaseHandlerRequestSchema,
  InstitutionCreateSchema,
  InstitutionSchema,
  NetworkCreateSchema,
  NetworkSummarySchema,
  NetworkUpdateSchema,
  OutboxMailSchema,
} from '../../../shared/identity/schema';
import { auditHead, verifyAuditChain } from '../../platform/audit/verify';
import { type AnyRoute, defineRoute, IdParams, Uuid } from '../../platform/routes';
import type { Services } from '../../platform/services';
import {
  addMemberAsAdmin,
  createInstitution,
  createNetwork,
  listAudit,
  listInstitutions,
  listOutbox,
  listUsers,
  revokeCaseHandlerRole,
  updateNetwork,
  updateUserFlags,
} from './admin';
import { requestCaseHandlerRole } from './case-handlers';

const CaseHandlerParams = z.strictObject({ id: Uuid, userId: Uuid });

/** The platform operator's routes. Every one needs an admin who has given their second factor. */
export function adminRoutes(services: Services): AnyRoute[] {
  const { db } = services;
  return [
    defineRoute({
      method: 'GET',
      url: '/api/admin/institutions',
      summary: 'Every institution, with its number of networks',
      tags: ['admin'],
      access: 'admin',
      response: z.array(InstitutionSchema),
      handler: () => listInstitutions(db),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/admin/institutions',
      summary: 'Add an institution (a medical school)',
      tags: ['admin'],
      access: 'admin',
      body: InstitutionCreateSchema,
      response: InstitutionSchema,
      status: 201,
      handler: ({ body, actor }) => createInstitution(db, actor!, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/admin/networks',
      summary: 'Add a network to an institution',
      tags: ['admin'],
      access: 'admin',
      body: NetworkCreateSchema,
      response: NetworkSummarySchema,
      status: 201,
      handler: ({ body, actor }) => createNetwork(db, actor!, body),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/admin/networks/:id',
      summary: 'Change a network’s name, description or settings',
      tags: ['admin'],
      access: 'admin',
      params: IdParams,
      body: NetworkUpdateSchema,
      response: NetworkSummarySchema,
      handler: ({ params, body, actor }) => updateNetwork(db, actor!, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/admin/networks/:id/members',
      summary: 'Add an existing account to a network directly',
      tags: ['admin'],
      access: 'admin',
      params: IdParams,
      body: AdminMembershipCreateSchema,
      response: null,
      status: 201,
      handler: async ({ params, body, actor }) => {
        await addMemberAsAdmin(db, actor!, params.id, body, {
          mailer: services.mailer,
          publicUrl: services.config.publicUrl,
        });
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/admin/users',
      summary: 'People, searched by name or e-mail, 50 to a page',
      tags: ['admin'],
      access: 'admin',
      query: AdminUserQuerySchema,
      response: AdminUserListSchema,
      handler: ({ query }) => listUsers(db, query),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/admin/users/:id',
      summary: 'Grant or remove admin rights; disable or re-enable an account (never your own)',
      tags: ['admin'],
      access: 'admin',
      params: IdParams,
      body: AdminUserUpdateSchema,
      response: AdminUserSchema,
      handler: ({ params, body, actor }) => updateUserFlags(db, actor!, params.id, body),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/admin/institutions/:id/case-handlers/:userId',
      summary:
        'Ask for someone to be made a case handler of an institution: another admin or one of its case handlers must approve',
      tags: ['admin'],
      access: 'admin',
      params: CaseHandlerParams,
      response: CaseHandlerRequestSchema,
      status: 202,
      handler: ({ params, actor }) => requestCaseHandlerRole(services, actor!, params.id, params.userId),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/admin/institutions/:id/case-handlers/:userId',
      summary: 'Stop someone being a case handler of an institution',
      tags: ['admin'],
      access: 'admin',
      params: CaseHandlerParams,
      response: null,
      status: 204,
      handler: async ({ params, actor }) => {
        await revokeCaseHandlerRole(db, actor!, params.id, params.userId);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/admin/mail-outbox',
      summary:
        'The 100 newest e-mails (the outbox to read when no SMTP server is set); others’ personal notifications are not listed',
      tags: ['admin'],
      access: 'admin',
      response: z.array(OutboxMailSchema),
      handler: ({ actor }) => listOutbox(db, actor!.email),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/admin/audit',
      summary: 'The 50 newest audit events before a sequence number (without their data)',
      tags: ['admin'],
      access: 'admin',
      query: AuditQuerySchema,
      response: z.array(AuditEventSchema),
      handler: ({ query }) => listAudit(db, query.before),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/admin/audit/verify',
      summary: 'Check the audit log’s hash chain from the first event to the newest',
      tags: ['admin'],
      access: 'admin',
      query: AuditVerifyQuerySchema,
      response: AuditVerifySchema,
      handler: ({ query }) => verifyAuditChain(db, services.masterKey, { expectHead: query.expectHead }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/admin/audit/head',
      summary: 'The newest audit event’s link (head hash), to keep somewhere outside Upstander',
      tags: ['admin'],
      access: 'admin',
      response: AuditHeadSchema,
      handler: () => auditHead(db),
    }),
  ];
}
