import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app';
import { buildUser } from '../../test/factories';
import { buildSchool, reportBody, signIn, submit } from './testing';

describe('reporters and their own files', () => {
  let t: TestApp;
  let school: Awaited<ReturnType<typeof buildSchool>>;
  let png: Buffer;
  beforeAll(async () => {
    t = await createTestApp();
    school = await buildSchool(t);
    png = await sharp({ create: { width: 3, height: 2, channels: 3, background: '#2a6' } })
      .png()
      .toBuffer();
  });
  afterAll(() => t.close());

  it('a named reporter lists their reports, adds a file, downloads it; nobody else can', async () => {
    const member = await signIn(t, { ...school.member, totpSecret: null });
    const made = await member.post('/api/speak-up/named-reports', {
      ...reportBody(school.institution.id),
      consentToContact: true,
    });
    expect(made.statusCode, made.body).toBe(201);
    const [mine] = (await member.get('/api/speak-up/my-reports')).json() as {
      id: string;
      held: boolean;
      lastReplyAt: string | null;
    }[];
    expect(mine).toMatchObject({ held: false, lastReplyAt: null });

    const added = await member.post(`/api/speak-up/my-reports/${mine!.id}/attachments`, {
      fileName: 'screenshot.png',
      contentType: 'image/png',
      data: png.toString('base64'),
    });
    expect(added.statusCode, added.body).toBe(201);
    const file = added.json() as { id: string; fileName: string; author: string };
    expect(file).toMatchObject({ fileName: 'screenshot.png', author: 'reporter' });
    const list = await member.get(`/api/speak-up/my-reports/${mine!.id}/attachments`);
    expect((list.json() as { id: string }[]).map((f) => f.id)).toEqual([file.id]);
    const download = await member.get(`/api/speak-up/my-reports/${mine!.id}/attachments/${file.id}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.headers['content-disposition']).toMatch(/^attachment;/);
    expect(download.headers['cache-control']).toBe('no-store');
    expect((await sharp(download.rawPayload).metadata()).width).toBe(3);

    // The handler replies; the reporter's list shows when.
    const handler = await signIn(t, school.handler);
    expect(
      (await handler.post(`/api/speak-up/cases/${mine!.id}/messages`, { body: 'Thank you.' })).statusCode,
    ).toBe(201);
    const [after] = (await member.get('/api/speak-up/my-reports')).json() as { lastReplyAt: string }[];
    expect(after!.lastReplyAt).toEqual(expect.any(String));

    // Someone else, signed in: the same 404 for the report, its files and a file.
    const other = await signIn(t, await buildUser(t.database.db));
    for (const url of [
      `/api/speak-up/my-reports/${mine!.id}/attachments`,
      `/api/speak-up/my-reports/${mine!.id}/attachments/${file.id}`,
    ]) {
      expect((await other.get(url)).statusCode).toBe(404);
    }
    expect(
      (
        await other.post(`/api/speak-up/my-reports/${mine!.id}/attachments`, {
          fileName: 'x.png',
          data: png.toString('base64'),
        })
      ).statusCode,
    ).toBe(404);
  });

  it('an anonymous reporter downloads their own file with the receipt, in the body; another report’s file is a 404', async () => {
    const a = await submit(t, school.institution.id);
    const b = await submit(t, school.institution.id);
    const upload = (receipt: string) =>
      t.client().post('/api/speak-up/receipt/attachments', {
        receipt,
        fileName: 'photo.png',
        data: png.toString('base64'),
      });
    const fileA = (await upload(a.receipt)).json() as { id: string };
    const fileB = (await upload(b.receipt)).json() as { id: string };
    const got = await t.client().post('/api/speak-up/receipt/attachments/download', {
      receipt: a.receipt,
      attachmentId: fileA.id,
    });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['content-security-policy']).toContain('sandbox');
    expect((await sharp(got.rawPayload).metadata()).width).toBe(3);
    const cross = await t.client().post('/api/speak-up/receipt/attachments/download', {
      receipt: a.receipt,
      attachmentId: fileB.id,
    });
    expect(cross.statusCode).toBe(404);
    const malformed = await t.client().post('/api/speak-up/receipt/attachments/download', {
      receipt: '12-34',
      attachmentId: fileA.id,
    });
    expect(malformed.statusCode).toBe(400);
  });
});
