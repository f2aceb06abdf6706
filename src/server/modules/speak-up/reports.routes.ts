import { z } from 'zod';
import {
  DeletedSchema,
  MessageCreateSchema,
  MyReportSchema,
  NamedReportSubmissionSchema,
  PlacementProviderCreateSchema,
  PlacementProviderSchema,
  ReceiptMessageSchema,
  ReceiptRequestSchema,
  ReporterViewSchema,
  ReportSubmissionSchema,
  SubmittedSchema,
  SupportContactCreateSchema,
  SupportContactSchema,
} from '../../../shared/speak-up/schema';
import { RECEIPT_RATE_LIMIT } from '../../platform/rate-limit';
import { type AnyRoute, defineRoute, IdParams } from '../../platform/routes';
import type { Services } from '../../platform/services';
import {
  assertInstitution,
  createPlacementProvider,
  createSupportContact,
  listPlacementProviders,
  listSupportContacts,
} from './directory';
import {
  addReporterMessage,
  deleteByReporter,
  myReportId,
  myReports,
  reporterView,
  reportIdForReceipt,
  submitReport,
} from './reports';

const SUBMIT_RATE_LIMIT = 10;
const SUBMIT_BODY_LIMIT = 256_000;

const MessageAdded = z.object({ id: z.uuid(), createdAt: z.iso.datetime() });

/**
 * The reporter's routes. Anonymous ones use access 'anonymous': no session is read, and no
 * address, user agent or cookie is stored or logged. A named report is its own route, for
 * signed-in people: an anonymous report never reads the session, not even to ignore it.
 */
export function reportRoutes(services: Services): AnyRoute[] {
  const { db } = services;
  return [
    defineRoute({
      method: 'GET',
      url: '/api/speak-up/institutions/:id/support',
      summary: 'Where to find support at this school (shown before and after reporting)',
      tags: ['speak-up'],
      access: 'public',
      params: IdParams,
      response: z.array(SupportContactSchema),
      handler: async ({ params }) => {
        await assertInstitution(db, params.id);
        return listSupportContacts(db, params.id);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/speak-up/institutions/:id/placement-providers',
      summary: 'The placement providers of this school, for the report form',
      tags: ['speak-up'],
      access: 'public',
      params: IdParams,
      response: z.array(PlacementProviderSchema),
      handler: async ({ params }) => {
        await assertInstitution(db, params.id);
        return listPlacementProviders(db, params.id);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/institutions/:id/support',
      summary: 'Add a support contact to this school’s signposting',
      tags: ['speak-up'],
      access: 'admin',
      params: IdParams,
      body: SupportContactCreateSchema,
      response: SupportContactSchema,
      status: 201,
      handler: ({ params, body, actor }) => createSupportContact(db, actor, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/institutions/:id/placement-providers',
      summary: 'Add a placement provider (an NHS trust, a practice) to this school’s list',
      tags: ['speak-up'],
      access: 'admin',
      params: IdParams,
      body: PlacementProviderCreateSchema,
      response: PlacementProviderSchema,
      status: 201,
      handler: ({ params, body, actor }) => createPlacementProvider(db, actor, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/reports',
      summary: 'Make an anonymous report; answers with its reference and a receipt code (shown once)',
      tags: ['speak-up'],
      access: 'anonymous',
      body: ReportSubmissionSchema,
      bodyLimit: SUBMIT_BODY_LIMIT,
      rateLimitPerMinute: SUBMIT_RATE_LIMIT,
      response: SubmittedSchema,
      status: 201,
      handler: async ({ body }) => {
        const { reference, receipt } = await submitReport(services, body);
        return { reference, receipt };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/named-reports',
      summary:
        'Make a report while signed in: named (your identity is sealed, seen only by the school’s case handlers) or anonymous to them; needed to hold a report for a match',
      tags: ['speak-up'],
      access: 'user',
      body: NamedReportSubmissionSchema,
      bodyLimit: SUBMIT_BODY_LIMIT,
      rateLimitPerMinute: SUBMIT_RATE_LIMIT,
      response: SubmittedSchema,
      status: 201,
      handler: async ({ body, actor }) => {
        const { reference, receipt } = await submitReport(services, body, {
          ...(body.anonymousToHandlers
            ? {}
            : { reporter: { person: actor!, consentToContact: body.consentToContact } }),
          account: { userId: actor!.userId, institutionIds: actor!.memberships.map((m) => m.institutionId) },
        });
        return { reference, receipt };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/speak-up/my-reports',
      summary: 'The named reports you made',
      tags: ['speak-up'],
      access: 'user',
      response: z.array(MyReportSchema),
      handler: ({ actor }) => myReports(services, actor!),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/speak-up/my-reports/:id',
      summary: 'One of your named reports: its status, your words and the messages',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      response: ReporterViewSchema,
      handler: async ({ params, actor }) =>
        reporterView(services, await myReportId(services, actor!, params.id)),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/my-reports/:id/messages',
      summary: 'Add information to one of your named reports, or answer a case handler',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      body: MessageCreateSchema,
      response: MessageAdded,
      status: 201,
      handler: async ({ params, body, actor }) =>
        addReporterMessage(services, await myReportId(services, actor!, params.id), body.body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/receipt/report',
      summary: 'Follow a report with its receipt code: status, your words, messages, support',
      tags: ['speak-up'],
      access: 'anonymous',
      body: ReceiptRequestSchema,
      rateLimitPerMinute: RECEIPT_RATE_LIMIT,
      response: ReporterViewSchema,
      handler: async ({ body }) => reporterView(services, await reportIdForReceipt(db, body.receipt)),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/receipt/messages',
      summary: 'Add information to a report, or answer a case handler, with its receipt code',
      tags: ['speak-up'],
      access: 'anonymous',
      body: ReceiptMessageSchema,
      rateLimitPerMinute: RECEIPT_RATE_LIMIT,
      response: MessageAdded,
      status: 201,
      handler: async ({ body }) =>
        addReporterMessage(services, await reportIdForReceipt(db, body.receipt), body.body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/receipt/delete',
      summary: 'Delete a report with its receipt code: its content is destroyed at once',
      tags: ['speak-up'],
      access: 'anonymous',
      body: ReceiptRequestSchema,
      rateLimitPerMinute: RECEIPT_RATE_LIMIT,
      response: DeletedSchema,
      handler: async ({ body }) => {
        const { reference } = await deleteByReporter(services, await reportIdForReceipt(db, body.receipt));
        return { deleted: true as const, reference };
      },
    }),
  ];
}
