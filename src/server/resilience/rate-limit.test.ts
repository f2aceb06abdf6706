import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { databaseRateLimitStore } from '../platform/rate-limit';
import { createTestApp, type TestApp } from '../test/app';
import { secondInstance } from './instances';

/**
 * Rate limits: declared by every route a stranger can make write or guess with, enforced with
 * the shared error shape and Retry-After, per client, and counted in the database so that
 * several instances enforce one limit.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const fromClient = (address: string) => ({ remoteAddress: address });
const lookUp = (app: TestApp['app'], address: string) =>
  app.inject({
    method: 'POST',
    url: '/api/speak-up/receipt/report',
    payload: { receipt: '1' },
    ...fromClient(address),
  });
const counters = () =>
  queryRows<{ bucket: string; client_key: string; count: number; window_start: Date }>(
    t.database.db,
    sql`select bucket, client_key, count, window_start from transient.rate_limit_counters`,
  );

describe('rate limits', () => {
  it('are declared by every route a visitor can post to (sign-in, look-ups, submissions, registration)', () => {
    const open = t.app.routeRegistry.filter(
      (r) => (r.access === 'public' || r.access === 'anonymous') && r.method !== 'GET',
    );
    expect(open.length).toBeGreaterThan(5);
    expect(open.filter((r) => !r.rateLimitPerMinute).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    // The ones the issue names, by name, so a rename cannot quietly drop them.
    const limited = new Set(
      t.app.routeRegistry.filter((r) => r.rateLimitPerMinute).map((r) => `${r.method} ${r.url}`),
    );
    for (const key of [
      'POST /api/auth/sign-in',
      'POST /api/speak-up/reports',
      'POST /api/speak-up/receipt/report',
      'POST /api/invitations/accept',
    ]) {
      expect(limited.has(key), key).toBe(true);
    }
  });

  it('refuses the 6th reset request a minute from one client with a 429, Retry-After and a clear message; another client gets through', async () => {
    const address = '198.51.100.7';
    const ask = (from: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/password-reset/request',
        payload: { email: 'nobody@example.ac.uk' },
        ...fromClient(from),
      });
    const statuses: number[] = [];
    let last = await t.app.inject({ method: 'GET', url: '/api/health' });
    for (let i = 0; i < 6; i++) {
      last = await ask(address);
      statuses.push(last.statusCode);
    }
    expect(statuses.slice(0, 5).every((s) => s !== 429)).toBe(true);
    expect(last.statusCode).toBe(429);
    expect(last.json()).toMatchObject({
      error: { code: 'rate_limited', message: expect.stringMatching(/wait \d+ seconds? and try again/) },
    });
    const retryAfter = Number(last.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await ask('198.51.100.8')).statusCode).not.toBe(429);
  });

  it('rate-limit rows cannot link an anonymous report to a sign-in: one client’s rows on two routes share no key', async () => {
    const address = '198.51.100.12';
    await lookUp(t.app, address);
    await t.app.inject({
      method: 'POST',
      url: '/api/auth/password-reset/request',
      payload: { email: 'nobody@example.ac.uk' },
      ...fromClient(address),
    });
    const rows = await counters();
    const lookUpRows = rows.filter((r) => r.bucket === 'POST /api/speak-up/receipt/report');
    const resetRows = rows.filter((r) => r.bucket === 'POST /api/auth/password-reset/request');
    expect(lookUpRows.length).toBeGreaterThan(0);
    expect(resetRows.length).toBeGreaterThan(0);
    const lookUpKeys = new Set(lookUpRows.map((r) => r.client_key));
    expect(resetRows.filter((r) => lookUpKeys.has(r.client_key))).toEqual([]);
  });

  it('counts per route: a client limited on one route may still use another', async () => {
    const address = '198.51.100.9';
    for (let i = 0; i < 10; i++) await lookUp(t.app, address);
    expect((await lookUp(t.app, address)).statusCode).toBe(429);
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/speak-up/receipt/delete',
      payload: { receipt: '1' },
      ...fromClient(address),
    });
    expect(other.statusCode).toBe(400);
  });

  it('is one limit across two instances on one database', async () => {
    const b = await secondInstance(t);
    try {
      const address = '198.51.100.10';
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await lookUp(t.app, address)).statusCode);
      for (let i = 0; i < 5; i++) statuses.push((await lookUp(b.app, address)).statusCode);
      expect(statuses).toEqual(Array(10).fill(400));
      expect((await lookUp(b.app, address)).statusCode).toBe(429);
      expect((await lookUp(t.app, address)).statusCode).toBe(429);
      // Concurrent requests on both instances do not lose counts (the upsert is atomic).
      const burst = '198.51.100.11';
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) => lookUp(i % 2 ? b.app : t.app, burst)),
      );
      expect(answers.filter((a) => a.statusCode === 429)).toHaveLength(6);
    } finally {
      await b.close();
    }
  });

  it('stores no client address, and deletes expired windows', async () => {
    const rows = await counters();
    expect(rows.length).toBeGreaterThan(0);
    const text = JSON.stringify(rows);
    expect(text).not.toMatch(/198\.51\.100|127\.0\.0\.1/);

    // A store with its own clock: two windows for one client have unrelated keys; once the
    // first has expired, the next increment (a minute later) deletes it.
    let now = Date.UTC(2020, 0, 1, 3, 0, 50); // long ago: real rows are not touched
    const Store = databaseRateLimitStore({
      db: t.database.db,
      masterKey: t.app.services.masterKey,
      now: () => now,
    });
    const store = new Store({ routeInfo: { method: 'POST', url: '/test/prune' } });
    const incr = () =>
      new Promise<{ current: number; ttl: number }>((resolve, reject) =>
        store.incr('203.0.113.5', (error, result) => (error ? reject(error) : resolve(result!)), 60_000),
      );
    expect(await incr()).toEqual({ current: 1, ttl: 10_000 });
    expect((await incr()).current).toBe(2);
    now += 20_000; // the next minute: a new window, with 5/6 of the previous one's 2 weighed in
    expect(await incr()).toEqual({ current: 1 + 2, ttl: 50_000 });
    const pruneRows = async () => (await counters()).filter((r) => r.bucket === 'POST /test/prune');
    const [first, second] = await pruneRows();
    expect(first!.client_key).not.toBe(second!.client_key);
    now += 120_000;
    await incr();
    expect((await pruneRows()).map((r) => new Date(r.window_start).getTime())).toEqual([now - 10_000]);
  });
});
