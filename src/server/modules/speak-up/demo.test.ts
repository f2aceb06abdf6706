import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { institutions, reports, supportContacts } from '../../../db/schema';
import { loadDemo } from '../../demo';
import { createTestApp, type TestApp } from '../../test/app';
import { totpNow } from '../identity/credentials';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../identity/demo';

let t: TestApp;
let summary: string;
beforeAll(async () => {
  t = await createTestApp();
  summary = await loadDemo(t.app.services);
}, 120_000);
afterAll(() => t.close());

async function signInAs(email: string, totp: boolean) {
  const c = t.client();
  expect((await c.post('/api/auth/sign-in', { email, password: DEMO_PASSWORD })).statusCode).toBe(200);
  if (totp)
    expect((await c.post('/api/auth/second-factor', { code: totpNow(DEMO_TOTP_SECRET) })).statusCode).toBe(
      200,
    );
  return c;
}

describe('the speak-up demo', () => {
  it('loads providers, support contacts and twelve sealed reports in every state, through the module', async () => {
    expect(summary).toContain('Speak-up demo loaded');
    const [school] = await t.database.db
      .select()
      .from(institutions)
      .where(eq(institutions.slug, 'northfield'));
    const rows = await t.database.db.select().from(reports).where(eq(reports.institutionId, school!.id));
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r.status))).toEqual(
      new Set(['received', 'acknowledged', 'assessing', 'action', 'closed']),
    );
    expect(rows.filter((r) => !r.anonymous)).toHaveLength(1);
    expect(
      rows.every((r) => r.whatHappenedSealed?.startsWith('f1.') && r.wrappedKey?.startsWith('k2.')),
    ).toBe(true);
    const contacts = await t.database.db
      .select()
      .from(supportContacts)
      .where(eq(supportContacts.institutionId, school!.id));
    expect(contacts.map((c) => c.kind)).toEqual(
      expect.arrayContaining([
        'wellbeing',
        'chaplaincy',
        'bma',
        'ftsu_guardian',
        'police_hate_crime',
        'other',
      ]),
    );
    // Working clocks: steps happened in order, all in the past.
    for (const r of rows) {
      const steps = [r.receivedAt, r.acknowledgedAt, r.assessingAt, r.actionAt, r.closedAt].filter(
        Boolean,
      ) as Date[];
      expect(steps.map((d) => d.getTime())).toEqual([...steps.map((d) => d.getTime())].sort((a, b) => a - b));
      expect(steps.every((d) => d.getTime() <= Date.now())).toBe(true);
    }
  });

  it('is readable by the demo case handler, and the sample receipt opens its report', async () => {
    const handler = await signInAs(DEMO_ACCOUNTS.caseHandler, true);
    const queue = (await handler.get('/api/speak-up/cases')).json();
    expect(queue.total).toBe(12);
    expect(
      queue.items.some((c: { overdue: { acknowledgement: boolean } }) => c.overdue.acknowledgement),
    ).toBe(true);
    const escalated = queue.items.find((c: { status: string }) => c.status === 'action');
    const detail = (await handler.get(`/api/speak-up/cases/${escalated.id}`)).json();
    expect(detail.submission.whatHappened.length).toBeGreaterThan(20);
    const named = queue.items.find((c: { anonymous: boolean }) => !c.anonymous);
    expect((await handler.get(`/api/speak-up/cases/${named.id}`)).json().reporter.email).toBe(
      DEMO_ACCOUNTS.student,
    );
    const receipt = summary.match(/\d{4}-\d{4}-\d{4}-\d{4}-\d{4}/)![0];
    const view = (await t.client().post('/api/speak-up/receipt/report', { receipt })).json();
    expect(view.messages.map((m: { author: string }) => m.author)).toEqual(['handler', 'reporter']);
  });

  it('gives the co-chairs suppressed statistics, and a second load changes nothing', async () => {
    const [school] = await t.database.db
      .select()
      .from(institutions)
      .where(eq(institutions.slug, 'northfield'));
    const coChair = await signInAs(DEMO_ACCOUNTS.studentCoChair, false);
    const stats = await coChair.get(`/api/speak-up/institutions/${school!.id}/statistics`);
    expect(stats.statusCode).toBe(200);
    const count = async () =>
      (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(reports))[0]!.n;
    const before = await count();
    expect(await loadDemo(t.app.services)).toContain('nothing was changed');
    expect(await count()).toBe(before);
  });
});
