import crypto from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { reportAttachments, reports } from '../../../db/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { AppError, conflict, notFound } from '../../platform/errors';
import type { Services } from '../../platform/services';
import { decodeUpload, type SanitisedUpload, sanitiseUpload, type UploadType } from '../../platform/uploads';
import { withCase } from './cases';
import { openReportKey, type ReportKey } from './report-crypto';

/**
 * Files added to a report: JPEG, PNG, WebP images and PDFs, checked and cleaned of metadata by the
 * platform's bounded upload processing (platform/uploads.ts, in worker threads); then the bytes
 * and the file name are sealed with the report's data key, bound to the report id and the
 * attachment id.
 */

export const ATTACHMENTS_PER_REPORT = 5;

// ---- sealing ------------------------------------------------------------------------------------

const AAD = (reportId: string, attachmentId: string, part: 'data' | 'name') =>
  `upstander:report:${reportId}:attachment:${attachmentId}:${part}`;

/** Seals bytes with the report's data key: `iv(12) | ciphertext | tag(16)`. */
export function sealBytes(key: Buffer, aad: string, plaintext: Buffer): Buffer {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, ct, cipher.getAuthTag()]);
}

export function openBytes(key: Buffer, aad: string, sealed: Buffer): Buffer {
  if (sealed.length < 28) throw new Error('Malformed sealed attachment');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
}

/**
 * Each file has its own random key; the file name and that key are sealed with the report's data
 * key as the field `attachment:<id>` (so deleting the report's wrapped key destroys the file too),
 * and the bytes are sealed with the file key, bound to the report id and attachment id.
 */
type SealedHeader = { name: string; fileKey: string };

function sealAttachment(key: ReportKey, id: string, name: string, bytes: Buffer) {
  const fileKey = crypto.randomBytes(32);
  try {
    return {
      nameSealed: key.sealJson(`attachment:${id}`, {
        name,
        fileKey: fileKey.toString('base64'),
      } satisfies SealedHeader),
      dataSealed: sealBytes(fileKey, AAD(key.reportId, id, 'data'), bytes),
    };
  } finally {
    fileKey.fill(0);
  }
}

/** Opens a stored attachment: its name and cleaned bytes. */
export function openAttachment(
  key: ReportKey,
  row: { id: string; nameSealed: string; dataSealed: Buffer },
): { name: string; bytes: Buffer } {
  const header = key.openJson<SealedHeader>(`attachment:${row.id}`, row.nameSealed);
  const fileKey = Buffer.from(header.fileKey, 'base64');
  try {
    return {
      name: header.name,
      bytes: openBytes(fileKey, AAD(key.reportId, row.id, 'data'), row.dataSealed),
    };
  } finally {
    fileKey.fill(0);
  }
}

// ---- storing and reading ---------------------------------------------------------------------------

export type AttachmentSummary = {
  id: string;
  fileName: string;
  contentType: UploadType;
  sizeBytes: number;
  author: 'reporter' | 'handler';
  createdAt: string;
};

async function storeAttachment(
  tx: Parameters<Parameters<Services['db']['transaction']>[0]>[0],
  key: ReportKey,
  input: SanitisedUpload,
  author: { kind: 'reporter' } | { kind: 'handler'; userId: string },
): Promise<AttachmentSummary> {
  const [{ n }] = (await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(reportAttachments)
    .where(eq(reportAttachments.reportId, key.reportId))) as [{ n: number }];
  if (n >= ATTACHMENTS_PER_REPORT) {
    throw conflict(`A report can have at most ${ATTACHMENTS_PER_REPORT} files. Nothing was saved.`);
  }
  const id = crypto.randomUUID();
  const { fileName } = input;
  const sealed = sealAttachment(key, id, fileName, input.bytes);
  const createdAt = new Date();
  await tx.insert(reportAttachments).values({
    id,
    reportId: key.reportId,
    author: author.kind,
    handlerUserId: author.kind === 'handler' ? author.userId : null,
    contentType: input.mediaType,
    sizeBytes: input.bytes.length,
    ...sealed,
    createdAt,
  });
  await recordAudit(tx, {
    actorUserId: author.kind === 'handler' ? author.userId : null,
    action: 'reports.attachment_add',
    subjectType: 'speak_up_report',
    subjectId: key.reportId,
    data: { attachmentId: id, contentType: input.mediaType, sizeBytes: input.bytes.length },
  });
  return {
    id,
    fileName,
    contentType: input.mediaType,
    sizeBytes: input.bytes.length,
    author: author.kind,
    createdAt: createdAt.toISOString(),
  };
}

export type UploadInput = { fileName: string; contentType?: string | undefined; data: string };

const noSuchReceipt = () =>
  new AppError(
    'not_found',
    'No report matches that receipt code. Check all 20 digits and try again; if the report was deleted, the code no longer works.',
  );

/** The reporter adds a file (the report id comes from a verified receipt). */
export async function addReporterAttachment(
  services: Services,
  reportId: string,
  input: UploadInput,
): Promise<AttachmentSummary> {
  // Clean first, outside the transaction: nothing is written if the file is refused.
  const clean = await sanitiseUpload(input.fileName, decodeUpload(input.data), {
    claimedType: input.contentType,
  });
  return services.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ wrappedKey: reports.wrappedKey })
      .from(reports)
      .where(eq(reports.id, reportId))
      .for('update');
    if (!row?.wrappedKey) throw noSuchReceipt();
    const key = openReportKey(services.reportKeys, reportId, row.wrappedKey);
    try {
      return await storeAttachment(tx, key, clean, { kind: 'reporter' });
    } finally {
      key.destroy();
    }
  });
}

const reportGone = () => conflict('The reporter deleted this report; its content no longer exists.');

/**
 * Refuses (404, or 409 once the reporter deleted it) a caller who may not add a file to this case,
 * before the upload's body is read: nothing of the file is parsed for someone who cannot see the case.
 */
export async function authoriseCaseAttachment(services: Services, actor: Actor, reportId: string) {
  await withCase(services, actor, reportId, false, async (_tx, { key }) => {
    if (!key) throw reportGone();
  });
}

/** A case handler adds a file to a case they may read (checked again, with the row locked). */
export async function addCaseAttachment(
  services: Services,
  actor: Actor,
  reportId: string,
  input: UploadInput,
): Promise<AttachmentSummary> {
  const clean = await sanitiseUpload(input.fileName, decodeUpload(input.data), {
    claimedType: input.contentType,
  });
  return withCase(services, actor, reportId, true, async (tx, { key }) => {
    if (!key) throw reportGone();
    return storeAttachment(tx, key, clean, { kind: 'handler', userId: actor.userId });
  });
}

async function listRows(db: Services['db'], reportId: string) {
  return db
    .select()
    .from(reportAttachments)
    .where(eq(reportAttachments.reportId, reportId))
    .orderBy(asc(reportAttachments.createdAt), asc(reportAttachments.id));
}

function summaries(key: ReportKey, rows: (typeof reportAttachments.$inferSelect)[]): AttachmentSummary[] {
  return rows.map((r) => ({
    id: r.id,
    fileName: key.openJson<SealedHeader>(`attachment:${r.id}`, r.nameSealed).name,
    contentType: r.contentType,
    sizeBytes: r.sizeBytes,
    author: r.author,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** The files of a report, for its reporter. */
export async function listReporterAttachments(
  services: Services,
  reportId: string,
): Promise<AttachmentSummary[]> {
  const [row] = await services.db
    .select({ wrappedKey: reports.wrappedKey })
    .from(reports)
    .where(eq(reports.id, reportId));
  if (!row?.wrappedKey) throw noSuchReceipt();
  const key = openReportKey(services.reportKeys, reportId, row.wrappedKey);
  try {
    return summaries(key, await listRows(services.db, reportId));
  } finally {
    key.destroy();
  }
}

/** One file of a report, decrypted, for its reporter (the report id comes from a receipt or "my reports"). */
export async function readReporterAttachment(
  services: Services,
  reportId: string,
  attachmentId: string,
): Promise<{ fileName: string; contentType: UploadType; bytes: Buffer }> {
  const [report] = await services.db
    .select({ wrappedKey: reports.wrappedKey })
    .from(reports)
    .where(eq(reports.id, reportId));
  if (!report?.wrappedKey) throw noSuchReceipt();
  const [row] = await services.db
    .select()
    .from(reportAttachments)
    .where(and(eq(reportAttachments.id, attachmentId), eq(reportAttachments.reportId, reportId)));
  if (!row) throw notFound('That file');
  const key = openReportKey(services.reportKeys, reportId, report.wrappedKey);
  try {
    const opened = openAttachment(key, row);
    return { fileName: opened.name, contentType: row.contentType, bytes: opened.bytes };
  } finally {
    key.destroy();
  }
}

/** The files of a case, for a handler who may read it (audited). */
export async function listCaseAttachments(
  services: Services,
  actor: Actor,
  reportId: string,
): Promise<AttachmentSummary[]> {
  return withCase(services, actor, reportId, false, async (tx, { key }) => {
    if (!key) return [];
    const rows = await tx
      .select()
      .from(reportAttachments)
      .where(eq(reportAttachments.reportId, reportId))
      .orderBy(asc(reportAttachments.createdAt), asc(reportAttachments.id));
    return summaries(key, rows);
  });
}

/** One file of a case, decrypted, for a handler who may read the case. The read is audited. */
export async function readCaseAttachment(
  services: Services,
  actor: Actor,
  reportId: string,
  attachmentId: string,
): Promise<{ fileName: string; contentType: UploadType; bytes: Buffer }> {
  return withCase(services, actor, reportId, false, async (tx, { key, row: report }) => {
    const [row] = await tx
      .select()
      .from(reportAttachments)
      .where(and(eq(reportAttachments.id, attachmentId), eq(reportAttachments.reportId, reportId)));
    if (!row || !key) throw notFound('That file');
    const opened = openAttachment(key, row);
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'reports.attachment_read',
      subjectType: 'speak_up_report',
      subjectId: reportId,
      data: { reference: report.reference, attachmentId },
    });
    return { fileName: opened.name, contentType: row.contentType, bytes: opened.bytes };
  });
}
