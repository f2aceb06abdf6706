import http from 'node:http';
import { eq, sql } from 'drizzle-orm';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import { reportAttachments, reports } from '../../../db/schema';
import { CSRF_HEADER, SESSION_COOKIE } from '../../platform/sessions';
import {
  sniffType,
  UPLOAD_BODY_LIMIT,
  UPLOAD_MAX_BYTES,
  UPLOAD_RATE_LIMIT_PER_MINUTE,
} from '../../platform/uploads';
import {
  CANARY_ARTIST as ARTIST,
  CANARY_AUTHOR as AUTHOR,
  jpegDeclaring,
  jpegWithExif,
  pdfDeflateBomb,
  pdfWithAuthor,
  pngPixelBomb,
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

describe('hostile uploads', () => {
  let t: TestApp;
  let school: Awaited<ReturnType<typeof buildSchool>>;
  let report: Awaited<ReturnType<typeof submit>>;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp();
    school = await buildSchool(t);
    report = await submit(t, school.institution.id);
    // A real listening server: a stalled event loop shows on the wire, not in inject.
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('decompression bombs uploaded with a receipt code are refused while the server keeps answering in < 200 ms', async () => {
    const jpeg = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#c33' } })
      .jpeg()
      .toBuffer();
    const bombs = [
      // 1 MB that inflates to 1 GB: it froze every request for 19 s when decoded on the main thread.
      { fileName: 'statement.pdf', data: pdfDeflateBomb() },
      { fileName: 'screenshot.png', data: pngPixelBomb() },
      { fileName: 'photo.jpg', data: jpegDeclaring(jpeg) },
    ];
    const before = await counts(t);
    for (const bomb of bombs) {
      const latencies: number[] = [];
      let done = false;
      const upload = fetch(`${base}/api/speak-up/receipt/attachments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          receipt: report.receipt,
          fileName: bomb.fileName,
          data: bomb.data.toString('base64'),
        }),
      }).finally(() => {
        done = true;
      });
      while (!done) {
        const started = performance.now();
        const health = await fetch(`${base}/api/health`);
        latencies.push(performance.now() - started);
        expect(health.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const r = await upload;
      expect(r.status, bomb.fileName).toBe(400);
      const body = (await r.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/too big or too complicated to check safely.*Nothing was saved/);
      expect(latencies.length, bomb.fileName).toBeGreaterThan(0);
      expect(Math.max(...latencies), bomb.fileName).toBeLessThan(200);
    }
    expect(await counts(t)).toEqual(before);
  });

  it('an upload to a case the caller may not see is refused before its body is read', async () => {
    const lead = await signIn(t, { ...school.lead, totpSecret: null });
    const url = `/api/speak-up/cases/${report.id}/attachments`;
    // Not even valid JSON: had the body been parsed, the answer would be a 400.
    const garbled = await lead.request('POST', url, {
      body: '{"fileName": "x.pdf", "data": "',
      headers: { 'content-type': 'application/json' },
    });
    expect(garbled.statusCode).toBe(404);

    // On the wire: announce 13 MB, send 64 KB, and the 404 comes back while the rest is unsent.
    const { hostname, port } = new URL(base);
    const answer = await new Promise<number | 'no answer'>((resolve, reject) => {
      const request = http.request({
        host: hostname,
        port,
        method: 'POST',
        path: url,
        headers: {
          'content-type': 'application/json',
          'content-length': String(13_000_000),
          cookie: `${SESSION_COOKIE}=${lead.cookie}`,
          [CSRF_HEADER]: lead.csrfToken!,
        },
      });
      const timer = setTimeout(() => {
        request.destroy();
        resolve('no answer');
      }, 5_000);
      request.on('response', (response) => {
        clearTimeout(timer);
        response.resume();
        resolve(response.statusCode ?? 0);
        request.destroy();
      });
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.write(`{"fileName":"x.pdf","data":"${'A'.repeat(64 * 1024)}`);
    });
    expect(answer).toBe(404);

    // The case's handler, with the same request, gets through to the file checks.
    const handler = await signIn(t, school.handler);
    const allowed = await handler.post(url, {
      fileName: 'x.png',
      data: (await smallPng()).toString('base64'),
    });
    expect(allowed.statusCode, allowed.body).toBe(201);
  });

  it('upload routes refuse after their rate limit, and every upload route has one', async () => {
    const handler = await signIn(t, school.colleague);
    const url = `/api/speak-up/cases/${report.id}/attachments`;
    const statuses: number[] = [];
    for (let i = 0; i < UPLOAD_RATE_LIMIT_PER_MINUTE + 1; i++) {
      statuses.push((await handler.post(url, { fileName: 'x.pdf', data: 'not base64!' })).statusCode);
    }
    expect(statuses.slice(0, UPLOAD_RATE_LIMIT_PER_MINUTE).every((s) => s === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);

    // Every route that takes a file (a body limit for one) is rate-limited.
    const uploadRoutes = t.app.routeRegistry.filter((r) => (r.bodyLimit ?? 0) >= UPLOAD_BODY_LIMIT);
    expect(uploadRoutes.map((r) => r.url).sort()).toEqual([
      '/api/actions/:id/attachments',
      '/api/speak-up/cases/:id/attachments',
      '/api/speak-up/my-reports/:id/attachments',
      '/api/speak-up/receipt/attachments',
    ]);
    for (const route of uploadRoutes) expect(route.rateLimitPerMinute, route.url).toBeGreaterThan(0);
    // And those whose record is in the address decide who may upload before reading the body.
    expect(uploadRoutes.filter((r) => r.authoriseBeforeBody).map((r) => r.url)).toHaveLength(3);
  });
});
