import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { MODULES } from '../modules';
import { runJobSlot } from '../platform/jobs';
import { createTestApp, type TestApp, TestClient } from '../test/app';
import { buildFixture, requestAs } from '../test/matrix';
import { startTestSmtp, type TestSmtp } from '../test/smtp';
import { secondInstance } from './instances';

/**
 * Several instances behind a load balancer: two app instances on one database. On PostgreSQL each
 * has its own connection pool, so they really race; on PGlite (one embedded database, one
 * connection) they share it and the races are serialised, so the run on PostgreSQL is the proof
 * (scripts/test.mjs says so in a box when DATABASE_URL is not set).
 */

const onPostgres = Boolean(process.env.DATABASE_URL);
let smtp: TestSmtp;
let a: TestApp;
let b: Awaited<ReturnType<typeof secondInstance>>;
beforeAll(async () => {
  smtp = await startTestSmtp();
  a = await createTestApp({ env: { SMTP_URL: smtp.url } });
  b = await secondInstance(a);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await smtp?.close();
});

describe(`two instances on one ${onPostgres ? 'PostgreSQL' : 'PGlite'} database`, () => {
  it('a session started on one works on the other, and signing out on the other ends it on both', async () => {
    const f = await buildFixture(a.database.db, a.app.services);
    const onA = new TestClient(a.app);
    const signIn = await onA.post('/api/auth/sign-in', {
      email: f.users.member.email,
      password: 'correct horse battery staple',
    });
    expect(signIn.statusCode).toBe(200);
    const onB = new TestClient(b.app);
    onB.cookie = onA.cookie;
    onB.csrfToken = onA.csrfToken;
    const session = await onB.get('/api/session');
    expect(session.json()).toMatchObject({ user: { email: f.users.member.email } });
    expect((await onB.post('/api/auth/sign-out')).statusCode).toBe(204);
    expect((await onA.get('/api/profile')).statusCode).toBe(401);
  });

  it('runs each scheduled job once per slot when both instances offer it at the same moment', async () => {
    const jobs = MODULES.flatMap((m) => m.jobs?.() ?? []);
    expect(jobs.length).toBeGreaterThan(2);
    const at = new Date(Date.UTC(2031, 0, 6, 9, 30)); // a slot no other test uses
    for (const job of jobs) {
      const outcomes = await Promise.all([
        runJobSlot(a.app.services, job, at),
        runJobSlot(b.app.services, job, at),
        runJobSlot(a.app.services, job, at),
        runJobSlot(b.app.services, job, at),
      ]);
      expect(
        outcomes.filter((o) => o === 'ran'),
        job.name,
      ).toHaveLength(1);
    }
    const rows = await queryRows<{ job: string; n: number }>(
      a.database.db,
      sql`select job_name as job, count(*)::int as n from job_runs group by job_name`,
    );
    expect(rows.every((r) => r.n === 1)).toBe(true);
  });

  it('delivers each queued mail once when both instances deliver at the same time', async () => {
    const before = smtp.messages.length;
    for (let i = 0; i < 12; i++) {
      await a.app.services.mailer.queue(a.database.db, {
        to: `reader-${i}@example.ac.uk`,
        subject: `Two instances ${i}`,
        text: 'Once only.',
      });
    }
    await Promise.all([
      a.app.services.mailer.deliverPending(),
      b.app.services.mailer.deliverPending(),
      a.app.services.mailer.deliverPending(),
      b.app.services.mailer.deliverPending(),
    ]);
    const subjects = smtp.messages.slice(before).map((m) => m.subject);
    expect(subjects.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `Two instances ${i}`).sort());
  });

  it('shows a change made through one instance on the other at once (no stale cache)', async () => {
    const f = await buildFixture(a.database.db, a.app.services);
    const read = async () =>
      (await requestAs(b.app, 'member', f, 'GET', { url: `/api/networks/${f.networkSlug}` })).json() as {
        description?: string;
      };
    await read(); // warm anything the instance might keep
    const changed = await requestAs(a.app, 'admin', f, 'PATCH', {
      url: `/api/admin/networks/${f.networkId}`,
      body: { description: 'Changed on instance A.' },
    });
    expect(changed.statusCode).toBe(200);
    expect((await read()).description).toBe('Changed on instance A.');
    // The routes and the API description are the same on both.
    const docs = await Promise.all([a.app, b.app].map((app) => app.inject({ url: '/api/openapi.json' })));
    expect(docs[0]!.body).toBe(docs[1]!.body);
  });

  it('shares one rate limit', async () => {
    const address = '192.0.2.77';
    const lookUp = (app: typeof b.app) =>
      app.inject({
        method: 'POST',
        url: '/api/speak-up/receipt/report',
        payload: { receipt: '1' },
        remoteAddress: address,
      });
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => lookUp(i % 2 ? a.app : b.app)));
    expect(statuses.filter((r) => r.statusCode === 429)).toHaveLength(2);
  });
});
