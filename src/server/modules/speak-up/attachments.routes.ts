import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ReceiptCode } from '../../../shared/speak-up/schema';
import { RECEIPT_RATE_LIMIT } from '../../platform/rate-limit';
import { type AnyRoute, defineRoute, IdParams, Uuid } from '../../platform/routes';
import type { Services } from '../../platform/services';
import { UPLOAD_BODY_LIMIT, UPLOAD_RATE_LIMIT_PER_MINUTE, UPLOAD_TYPES } from '../../platform/uploads';
import {
  addCaseAttachment,
  addReporterAttachment,
  authoriseCaseAttachment,
  listCaseAttachments,
  listReporterAttachments,
  readCaseAttachment,
  readReporterAttachment,
} from './attachments';
import { myReportId, reportIdForReceipt } from './reports';

/**
 * Files are sent as base64 in JSON (see platform/uploads.ts). Every upload route is rate-limited,
 * and those whose record is in the address (a case, one of my reports) check the caller may use
 * it before the body is read; the receipt route's key is its body, checked before the file is.
 */

const FileUpload = {
  fileName: z.string().trim().min(1, 'Give the file a name.').max(200, 'Use at most 200 characters.'),
  /** What the browser says it is; the bytes decide. */
  contentType: z.string().max(100).optional(),
  /** The file, base64-encoded. */
  data: z.string().min(1, 'Choose a file.'),
};
export const ReceiptAttachmentSchema = z.strictObject({ receipt: ReceiptCode, ...FileUpload });
export const CaseAttachmentCreateSchema = z.strictObject(FileUpload);
export const AttachmentSchema = z.object({
  id: z.uuid(),
  fileName: z.string(),
  contentType: z.enum(UPLOAD_TYPES),
  sizeBytes: z.number().int(),
  author: z.enum(['reporter', 'handler']),
  createdAt: z.iso.datetime(),
});

export const ReceiptAttachmentReadSchema = z.strictObject({ receipt: ReceiptCode, attachmentId: Uuid });

/** Sends a decrypted file as a download that no browser will render or sniff. */
function sendFile(reply: FastifyReply, file: { fileName: string; contentType: string; bytes: Buffer }) {
  reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'no-store')
    .send(file.bytes);
  return undefined;
}

export function attachmentRoutes(services: Services): AnyRoute[] {
  const { db } = services;
  return [
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/receipt/attachments',
      summary: 'Add a photo (JPEG, PNG, WebP) or PDF to a report with its receipt code; metadata is removed',
      tags: ['speak-up'],
      access: 'anonymous',
      body: ReceiptAttachmentSchema,
      bodyLimit: UPLOAD_BODY_LIMIT,
      rateLimitPerMinute: RECEIPT_RATE_LIMIT,
      response: AttachmentSchema,
      status: 201,
      handler: async ({ body }) => {
        const reportId = await reportIdForReceipt(db, body.receipt);
        return addReporterAttachment(services, reportId, body);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/receipt/attachments/list',
      summary: 'The files added to a report, with its receipt code',
      tags: ['speak-up'],
      access: 'anonymous',
      body: z.strictObject({ receipt: ReceiptCode }),
      rateLimitPerMinute: RECEIPT_RATE_LIMIT,
      response: z.array(AttachmentSchema),
      handler: async ({ body }) =>
        listReporterAttachments(services, await reportIdForReceipt(db, body.receipt)),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/speak-up/cases/:id/attachments',
      summary: 'The files added to a case (the read is recorded in the audit log)',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      response: z.array(AttachmentSchema),
      handler: ({ params, actor }) => listCaseAttachments(services, actor!, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/cases/:id/attachments',
      summary: 'Add a photo or PDF to a case; metadata is removed',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      body: CaseAttachmentCreateSchema,
      bodyLimit: UPLOAD_BODY_LIMIT,
      rateLimitPerMinute: UPLOAD_RATE_LIMIT_PER_MINUTE,
      authoriseBeforeBody: ({ params, actor }) => authoriseCaseAttachment(services, actor!, params.id),
      response: AttachmentSchema,
      status: 201,
      handler: ({ params, body, actor }) => addCaseAttachment(services, actor!, params.id, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/speak-up/cases/:id/attachments/:attachmentId',
      summary: 'Download one file of a case (every download is recorded in the audit log)',
      tags: ['speak-up'],
      access: 'user',
      params: z.strictObject({ id: Uuid, attachmentId: Uuid }),
      response: null,
      produces: { contentType: 'application/octet-stream', description: 'The file (PDF, JPEG, PNG or WebP)' },
      handler: async ({ params, actor, reply }) =>
        sendFile(reply, await readCaseAttachment(services, actor!, params.id, params.attachmentId)),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/receipt/attachments/download',
      summary:
        'Download one file of your report, with its receipt code (sent in the body, never the address)',
      tags: ['speak-up'],
      access: 'anonymous',
      body: ReceiptAttachmentReadSchema,
      rateLimitPerMinute: RECEIPT_RATE_LIMIT,
      response: null,
      produces: { contentType: 'application/octet-stream', description: 'The file (PDF, JPEG, PNG or WebP)' },
      handler: async ({ body, reply }) =>
        sendFile(
          reply,
          await readReporterAttachment(
            services,
            await reportIdForReceipt(db, body.receipt),
            body.attachmentId,
          ),
        ),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/speak-up/my-reports/:id/attachments',
      summary: 'The files added to one of your named reports',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      response: z.array(AttachmentSchema),
      handler: async ({ params, actor }) =>
        listReporterAttachments(services, await myReportId(services, actor!, params.id)),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/my-reports/:id/attachments',
      summary: 'Add a photo (JPEG, PNG, WebP) or PDF to one of your named reports; metadata is removed',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      body: CaseAttachmentCreateSchema,
      bodyLimit: UPLOAD_BODY_LIMIT,
      rateLimitPerMinute: UPLOAD_RATE_LIMIT_PER_MINUTE,
      authoriseBeforeBody: async ({ params, actor }) => {
        await myReportId(services, actor!, params.id);
      },
      response: AttachmentSchema,
      status: 201,
      handler: async ({ params, body, actor }) =>
        addReporterAttachment(services, await myReportId(services, actor!, params.id), body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/speak-up/my-reports/:id/attachments/:attachmentId',
      summary: 'Download one file of one of your named reports',
      tags: ['speak-up'],
      access: 'user',
      params: z.strictObject({ id: Uuid, attachmentId: Uuid }),
      response: null,
      produces: { contentType: 'application/octet-stream', description: 'The file (PDF, JPEG, PNG or WebP)' },
      handler: async ({ params, actor, reply }) =>
        sendFile(
          reply,
          await readReporterAttachment(
            services,
            await myReportId(services, actor!, params.id),
            params.attachmentId,
          ),
        ),
    }),
  ];
}
