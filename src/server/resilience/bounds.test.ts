import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client';
import { UPLOAD_MAX_BYTES } from '../platform/uploads';
import { createTestApp, type TestApp } from '../test/app';
import { buildFixture, databaseFingerprint, type Fixture, requestAs } from '../test/matrix';
import { jsonSchemaOf } from './hostile';

/**
 * Resource bounds: how much a request may carry, how many rows a page may ask for, and how long
 * one query may run. Each limit is enforced, answers in the error shape, and writes nothing.
 */

let t: TestApp;
let f: Fixture;
beforeAll(async () => {
  t = await createTestApp();
  f = await buildFixture(t.database.db, t.app.services, { speakUp: true });
});
afterAll(() => t?.close());

async function refusedUnchanged(
  send: () => Promise<{ statusCode: number; json(): unknown }>,
  status: number,
) {
  const before = await databaseFingerprint(t.database.db);
  const response = await send();
  expect(response.statusCode).toBe(status);
  expect(response.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  expect(await databaseFingerprint(t.database.db)).toBe(before);
  return response;
}

describe('resource bounds', () => {
  it('refuses a request body over the 1 MB default with a 413', async () => {
    const response = await refusedUnchanged(
      () =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/sign-in',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ email: 'a@example.ac.uk', password: 'x'.repeat(1_100_000) }),
        }),
      413,
    );
    expect(response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('refuses a report over its own, smaller limit (256 kB) with a 413', async () => {
    await refusedUnchanged(
      () =>
        requestAs(t.app, 'visitor', f, 'POST', {
          url: '/api/speak-up/reports',
          body: {
            institutionId: f.institutionId,
            when: { kind: 'not_sure' },
            where: { setting: 'campus', location: 'Library' },
            who: { roles: ['other'] },
            involvement: 'witnessed',
            whatHappened: 'y'.repeat(300_000),
            outcomeWanted: 'record_only',
          },
        }),
      413,
    );
  });

  it('refuses an upload over the attachment limit: over the body limit (413), or a file too big inside it', async () => {
    const tooBig = Buffer.alloc(UPLOAD_MAX_BYTES + 1, 1).toString('base64');
    const upload = (data: string) =>
      requestAs(t.app, 'visitor', f, 'POST', {
        url: '/api/speak-up/receipt/attachments',
        body: { receipt: f.speakUp.receipt, fileName: 'big.png', data },
      });
    const response = await refusedUnchanged(() => upload(tooBig), 413);
    expect(response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    const huge = await upload(`${tooBig}${'A'.repeat(2_000_000)}`);
    expect(huge.statusCode).toBe(413);
  });

  it('refuses a page size over the maximum on every listing that takes one', async () => {
    const listings = t.app.routeRegistry.filter((r) => {
      if (!r.query) return false;
      const schema = jsonSchemaOf(r.query) as { properties?: Record<string, { maximum?: number }> };
      return schema.properties?.pageSize?.maximum !== undefined;
    });
    for (const route of listings) {
      const max = (jsonSchemaOf(route.query!) as { properties: Record<string, { maximum: number }> })
        .properties.pageSize!.maximum;
      const url = route.url
        .replace(':slug', f.networkSlug)
        .replace(/:networkId|:id/g, f.networkId)
        .replace(/:[A-Za-z]+/g, () => crypto.randomUUID());
      // As an admin, who passes every route's access rule: the refusal is the page size's.
      const over = await requestAs(t.app, 'admin', f, 'GET', { url: `${url}?pageSize=${max + 1}` });
      expect(over.statusCode, `${route.method} ${route.url}`).toBe(400);
      expect(over.json()).toMatchObject({ error: { code: 'validation_failed' } });
      const atMax = await requestAs(t.app, 'admin', f, 'GET', { url: `${url}?pageSize=${max}` });
      expect(atMax.statusCode, `${route.method} ${route.url} at the maximum`).not.toBe(400);
    }
    console.log(`page size limit checked on: ${listings.map((r) => r.url).join(', ') || 'no listing yet'}`);
  });

  it.runIf(Boolean(process.env.DATABASE_URL))(
    'stops a query that runs past the statement timeout the server sets on its pool (PostgreSQL)',
    async () => {
      // What main.ts does to the serving pool (STATEMENT_TIMEOUT_MS), with a short limit.
      const url = String(t.database.pool!.options.connectionString);
      const database = await openDatabase({ kind: 'postgres', url, poolSize: 2 });
      database.pool!.options.statement_timeout = 300;
      try {
        const started = performance.now();
        await expect(database.db.execute(sql`select pg_sleep(3)`)).rejects.toMatchObject({
          cause: { code: '57014' },
        });
        expect(performance.now() - started).toBeLessThan(2500);
        // A quick query on the same pool still works.
        await expect(database.db.execute(sql`select 1`)).resolves.toBeDefined();
      } finally {
        await database.close();
      }
    },
  );
});
