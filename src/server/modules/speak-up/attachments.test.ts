import { eq, sql } from 'drizzle-orm';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import { reportAttachments, reports } from '../../../db/schema';
import { sniffType, UPLOAD_MAX_BYTES } from '../../platform/uploads';
import {
  CANARY_ARTIST as ARTIST,
  CANARY_AUTHOR as AUTHOR,
  jpegWithExif,
  pdfWithAuthor,
  smallPng,
} from '../../platform/uploads.testing';
import { createTestApp, type TestApp } from '../../test/app';
import { openAttachment } from './attachments';
import { openReportKey } from './report-crypto';
import { buildSchool, signIn, submit } from './testing';

const counts = async (t: TestApp) =>
  (
    await queryRows<{ attachments: number; audit: number }>(
      t.database.db,
      sql`select (select count(*)::int from speak_up_attachments) as attachments, (select count(*)::int from audit_events) as audit`,
    )
  )[0]!;

describe('speak-up attachments', () => {
  let t: TestApp;
  let school: Awaited<ReturnType<typeof buildSchool>>;
  let report: Awaited<ReturnType<typeof submit>>;
  beforeAll(async () => {
    t = await createTestApp();
    school = await buildSchool(t);
    report = await submit(t, school.institution.id);
  });
  afterAll(() => t.close());

  async function storedFile(attachmentId: string) {
    const [row] = await t.database.db
      .select()
      .from(reportAttachments)
      .where(eq(reportAttachments.id, attachmentId));
    const [r] = await t.database.db.select().from(reports).where(eq(reports.id, row!.reportId));
    // The raw stored bytes are ciphertext: no canary, no JPEG or PDF header.
    expect(sniffType(row!.dataSealed)).toBeNull();
    const key = openReportKey(t.app.services.reportKeys, r!.id, r!.wrappedKey!);
    try {
      return { raw: row!.dataSealed, ...openAttachment(key, row!) };
    } finally {
      key.destroy();
    }
  }

  it('strips EXIF (GPS, Artist) from a JPEG before storing it sealed; a handler downloads it', async () => {
    const jpeg = await jpegWithExif();
    const before = await sharp(jpeg).metadata();
    expect(before.exif?.includes(ARTIST)).toBe(true);
    const r = await t.client().post('/api/speak-up/receipt/attachments', {
      receipt: report.receipt,
      fileName: '../../IMG_0042 me.jpeg',
      contentType: 'image/jpeg',
      data: jpeg.toString('base64'),
    });
    expect(r.statusCode, r.body).toBe(201);
    const body = r.json() as { id: string; fileName: string; contentType: string };
    expect(body.contentType).toBe('image/jpeg');
    expect(body.fileName).toBe('IMG_0042 me.jpg');

    const stored = await storedFile(body.id);
    expect(stored.raw.includes(ARTIST)).toBe(false);
    expect(stored.bytes.includes(ARTIST)).toBe(false);
    const after = await sharp(stored.bytes).metadata();
    expect(after.format).toBe('jpeg');
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(after.width).toBe(40);

    const handler = await signIn(t, school.handler);
    const list = await handler.get(`/api/speak-up/cases/${report.id}/attachments`);
    expect(list.statusCode).toBe(200);
    expect((list.json() as { id: string }[]).map((a) => a.id)).toContain(body.id);
    const auditBefore = (await counts(t)).audit;
    const d = await handler.get(`/api/speak-up/cases/${report.id}/attachments/${body.id}`);
    expect(d.statusCode).toBe(200);
    expect(d.headers['content-type']).toBe('image/jpeg');
    expect(d.headers['content-disposition']).toMatch(/^attachment;/);
    expect(d.headers['x-content-type-options']).toBe('nosniff');
    expect(d.rawPayload.equals(stored.bytes)).toBe(true);
    expect((await counts(t)).audit).toBe(auditBefore + 1);
    const [event] = await queryRows<{ action: string; data: Record<string, unknown> }>(
      t.database.db,
      sql`select action, data from audit_events order by seq desc limit 1`,
    );
    expect(event!.action).toBe('reports.attachment_read');

    // Someone who may not read the case gets a 404, and nothing is read.
    const lead = await signIn(t, { ...school.lead, totpSecret: null });
    expect((await lead.get(`/api/speak-up/cases/${report.id}/attachments/${body.id}`)).statusCode).toBe(404);
  });

  it('removes the document information and XMP from a PDF', async () => {
    const pdf = await pdfWithAuthor();
    expect(pdf.includes(AUTHOR)).toBe(true);
    const r = await t.client().post('/api/speak-up/receipt/attachments', {
      receipt: report.receipt,
      fileName: 'screenshot.pdf',
      data: pdf.toString('base64'),
    });
    expect(r.statusCode, r.body).toBe(201);
    const stored = await storedFile((r.json() as { id: string }).id);
    expect(stored.raw.includes(AUTHOR)).toBe(false);
    expect(stored.bytes.includes(AUTHOR)).toBe(false);
    expect(stored.bytes.includes('pdf-lib')).toBe(false);
    const reopened = await PDFDocument.load(stored.bytes, { updateMetadata: false });
    expect(reopened.getPageCount()).toBe(1);
    expect(reopened.getAuthor()).toBeUndefined();
    expect(reopened.getTitle()).toBeUndefined();
    expect(reopened.getProducer()).toBeUndefined();
    expect(reopened.catalog.get(PDFName.of('Metadata'))).toBeUndefined();
    const annots = reopened.getPage(0).node.Annots();
    expect(annots?.size()).toBe(1);
    const kept = annots!.lookup(0, PDFDict);
    expect(kept.get(PDFName.of('T'))).toBeUndefined();
    expect(kept.get(PDFName.of('Contents'))).toBeDefined();
  });

  it('refuses a file that is not what it claims (400) and writes nothing', async () => {
    const before = await counts(t);
    const fake = Buffer.concat([Buffer.from('<html><script>alert(1)</script>'), Buffer.alloc(100)]);
    const r1 = await t.client().post('/api/speak-up/receipt/attachments', {
      receipt: report.receipt,
      fileName: 'photo.jpg',
      contentType: 'image/jpeg',
      data: fake.toString('base64'),
    });
    expect(r1.statusCode).toBe(400);
    // JPEG magic bytes and then rubbish: refused by the decoder.
    const forged = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7)]);
    const r2 = await t.client().post('/api/speak-up/receipt/attachments', {
      receipt: report.receipt,
      fileName: 'photo.jpg',
      data: forged.toString('base64'),
    });
    expect(r2.statusCode).toBe(400);
    // A real PNG claimed as a PDF.
    const png = await smallPng();
    const r3 = await t.client().post('/api/speak-up/receipt/attachments', {
      receipt: report.receipt,
      fileName: 'doc.pdf',
      contentType: 'application/pdf',
      data: png.toString('base64'),
    });
    expect(r3.statusCode).toBe(400);
    expect(await counts(t)).toEqual(before);
  });

  it('refuses a file over 10 MB (413) and writes nothing', async () => {
    const before = await counts(t);
    const big = Buffer.alloc(UPLOAD_MAX_BYTES + 1024, 1);
    big.write('%PDF-1.7\n', 0, 'latin1');
    const r = await t.client().post('/api/speak-up/receipt/attachments', {
      receipt: report.receipt,
      fileName: 'big.pdf',
      data: big.toString('base64'),
    });
    expect(r.statusCode).toBe(413);
    expect(await counts(t)).toEqual(before);
  });

  it('refuses a sixth file on one report', async () => {
    const other = await submit(t, school.institution.id);
    const png = await smallPng();
    const send = () =>
      t.client().post('/api/speak-up/receipt/attachments', {
        receipt: other.receipt,
        fileName: 'a.png',
        data: png.toString('base64'),
      });
    for (let i = 0; i < 5; i++) expect((await send()).statusCode).toBe(201);
    expect((await send()).statusCode).toBe(409);
    const list = await t.client().post('/api/speak-up/receipt/attachments/list', { receipt: other.receipt });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toHaveLength(5);
  });
});
