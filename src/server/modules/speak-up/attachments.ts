import crypto from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import sharp from 'sharp';
import { reportAttachments, reports } from '../../../db/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { AppError, conflict, invalid, notFound } from '../../platform/errors';
import type { Services } from '../../platform/services';
import { withCase } from './cases';
import { openReportKey, type ReportKey } from './report-crypto';

/**
 * Files added to a report: JPEG, PNG, WebP images and PDFs. The real type is read from the bytes
 * (never trusted from the client); metadata is stripped before anything is stored (images are
 * re-encoded with sharp, which drops EXIF/GPS/XMP/IPTC; PDFs are rebuilt page by page with pdf-lib,
 * without the document information dictionary or XMP); then the bytes and the file name are sealed
 * with the report's data key, bound to the report id and the attachment id.
 */

export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const ATTACHMENTS_PER_REPORT = 5;
export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

const notAccepted = (field = 'data') =>
  invalid('That file is not a JPEG, PNG or WebP image or a PDF (or it is damaged). Nothing was saved.', [
    { path: field, message: 'Choose a photo (JPEG, PNG, WebP) or a PDF.' },
  ]);
export const tooLarge = () =>
  new AppError('payload_too_large', 'That file is larger than 10 MB. Nothing was saved.');

/** The type the bytes really are, from their magic numbers; null for anything else. */
export function sniffType(bytes: Buffer): AttachmentType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    return 'image/webp';
  }
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return null;
}

async function reencodeImage(
  bytes: Buffer,
  type: Exclude<AttachmentType, 'application/pdf'>,
): Promise<Buffer> {
  // failOn 'error': a truncated or forged image is refused rather than half-decoded. Without
  // withMetadata()/keepMetadata() sharp writes no EXIF, GPS, XMP or IPTC; rotate() applies the
  // EXIF orientation to the pixels first so the picture still looks right without it.
  const image = sharp(bytes, { failOn: 'error', limitInputPixels: 50_000_000 }).rotate();
  if (type === 'image/jpeg') return image.jpeg({ quality: 90 }).toBuffer();
  if (type === 'image/png') return image.png().toBuffer();
  return image.webp({ quality: 90 }).toBuffer();
}

async function rebuildPdf(bytes: Buffer): Promise<Buffer> {
  // Encrypted PDFs throw (we cannot clean what we cannot read).
  const source = await PDFDocument.load(bytes, { updateMetadata: false });
  const clean = await PDFDocument.create({ updateMetadata: false });
  const pages = await clean.copyPages(source, source.getPageIndices());
  for (const page of pages) {
    // Page-level XMP and application private data can carry authors and paths too.
    page.node.delete(PDFName.of('Metadata'));
    page.node.delete(PDFName.of('PieceInfo'));
    // Annotations (comments, highlights) name their author in /T; keep the comment, drop the name.
    const annots = page.node.Annots();
    for (let i = 0; annots && i < annots.size(); i++) {
      const annot = annots.lookup(i);
      if (annot instanceof PDFDict) {
        annot.delete(PDFName.of('T'));
        annot.delete(PDFName.of('Metadata'));
      }
    }
    clean.addPage(page);
  }
  clean.catalog.delete(PDFName.of('Metadata'));
  // No /Info dictionary at all: no Title, Author, Subject, Keywords, Creator, Producer or dates.
  const info = clean.context.trailerInfo.Info;
  if (info) {
    const dict = clean.context.lookup(info);
    if (dict instanceof PDFDict) for (const key of dict.keys()) dict.delete(key);
    clean.context.trailerInfo.Info = undefined;
  }
  // No object streams: every dictionary stays in plain bytes, so what was removed can be checked.
  return Buffer.from(await clean.save({ useObjectStreams: false }));
}

export type SanitisedUpload = {
  /** A safe file name: no path or control characters, with the extension of the real type. */
  fileName: string;
  /** The type read from the bytes (never the client's claim). */
  mediaType: AttachmentType;
  /** The cleaned bytes: images re-encoded, PDFs rebuilt, without metadata. */
  bytes: Buffer;
};

/**
 * Checks and cleans an uploaded file; pure (no database, no I/O), shared with other modules that
 * accept files (concerns' action attachments). Throws a 400 `invalid` (empty, not an accepted type,
 * damaged, or not the type the client claimed; the field error is on `field`, default `data`) or a
 * 413 `payload_too_large` (over ATTACHMENT_MAX_BYTES before or after cleaning).
 */
export async function sanitiseUpload(
  fileName: string,
  input: Buffer | Uint8Array,
  options: { claimedType?: string | undefined; field?: string } = {},
): Promise<SanitisedUpload> {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const refuse = () => notAccepted(options.field);
  if (bytes.length > ATTACHMENT_MAX_BYTES) throw tooLarge();
  if (bytes.length === 0) throw refuse();
  const type = sniffType(bytes);
  if (!type) throw refuse();
  const claimed = options.claimedType;
  if (claimed && claimed !== type && !(claimed === 'image/jpg' && type === 'image/jpeg')) throw refuse();
  try {
    const cleaned = type === 'application/pdf' ? await rebuildPdf(bytes) : await reencodeImage(bytes, type);
    if (cleaned.length > ATTACHMENT_MAX_BYTES) throw tooLarge();
    return { fileName: cleanFileName(fileName, type), mediaType: type, bytes: cleaned };
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw refuse();
  }
}

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

/** A file name safe to show and to put in a header: no path, no control characters. */
export function cleanFileName(name: string, type: AttachmentType): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const stem = base
    .replace(/\.[^.]*$/, '')
    .replace(/[^\p{L}\p{N} ._-]/gu, '')
    .trim()
    .slice(0, 100);
  const ext = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'application/pdf': 'pdf' }[
    type
  ];
  return `${stem || 'attachment'}.${ext}`;
}

// ---- storing and reading ---------------------------------------------------------------------------

export type AttachmentSummary = {
  id: string;
  fileName: string;
  contentType: AttachmentType;
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

/** Decodes base64 strictly and checks the size before any decoding work on the content. */
export function decodeUpload(data: string): Buffer {
  // 4 base64 characters per 3 bytes: refuse early, before allocating.
  if (Math.floor((data.length * 3) / 4) > ATTACHMENT_MAX_BYTES + 2) throw tooLarge();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw notAccepted();
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > ATTACHMENT_MAX_BYTES) throw tooLarge();
  return bytes;
}

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

/** A case handler adds a file to a case they may read. */
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
    if (!key) throw conflict('The reporter deleted this report; its content no longer exists.');
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
): Promise<{ fileName: string; contentType: AttachmentType; bytes: Buffer }> {
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
): Promise<{ fileName: string; contentType: AttachmentType; bytes: Buffer }> {
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
