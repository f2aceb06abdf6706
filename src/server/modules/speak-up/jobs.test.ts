import { eq, inArray, sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import { reportAttachments, reportMessages, reportReceipts, reports } from '../../../db/schema';
import { runJobSlot } from '../../platform/jobs';
import { createTestApp, type TestApp } from '../../test/app';
import { startTestSmtp, type TestSmtp } from '../../test/smtp';
import { speakUpJobs } from './jobs';
import { retentionCutoff, retentionYearsFrom } from './retention';
import { buildSchool, signIn, submit } from './testing';

const YEAR = 365.25 * 86_400_000;

describe('speak-up scheduled jobs', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let school: Awaited<ReturnType<typeof buildSchool>>;
  beforeAll(async () => {
    smtp = await startTestSmtp();
    t = await createTestApp({ env: { SMTP_URL: smtp.url } });
    school = await buildSchool(t);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const [retention, reminders] = speakUpJobs({});

  async function closedCase(closedYearsAgo: number) {
    const report = await submit(t, school.institution.id, { whatHappened: 'RetentionCanary words' });
    const handler = await signIn(t, school.handler);
    const go = (body: Record<string, unknown>) =>
      handler.post(`/api/speak-up/cases/${report.id}/transition`, body);
    for (const body of [
      { to: 'acknowledged' },
      { to: 'assessing' },
      { to: 'action', actionKind: 'support_only' },
      { to: 'closed', outcome: 'support_provided', outcomeNote: 'RetentionCanary note' },
    ]) {
      expect((await go(body)).statusCode).toBe(200);
    }
    expect(
      (await handler.post(`/api/speak-up/cases/${report.id}/messages`, { body: 'RetentionCanary msg' }))
        .statusCode,
    ).toBe(201);
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    expect(
      (
        await t.client().post('/api/speak-up/receipt/attachments', {
          receipt: report.receipt,
          fileName: 'a.png',
          data: png.toString('base64'),
        })
      ).statusCode,
    ).toBe(201);
    const closedAt = new Date(Date.now() - closedYearsAgo * YEAR);
    await t.database.db.update(reports).set({ closedAt }).where(eq(reports.id, report.id));
    return report;
  }

  it('reads the retention period from the environment (default 6 years)', () => {
    expect(retentionYearsFrom({})).toBe(6);
    expect(retentionYearsFrom({ SPEAK_UP_RETENTION_YEARS: '3' })).toBe(3);
    expect(() => retentionYearsFrom({ SPEAK_UP_RETENTION_YEARS: 'forever' })).toThrow();
    expect(retentionCutoff(new Date('2026-11-22T00:00:00Z'), 6).toISOString()).toBe(
      '2020-11-22T00:00:00.000Z',
    );
  });

  it('purges closed cases past the retention period, keeps a tombstone, audits without content', async () => {
    const old = await closedCase(7);
    const recent = await closedCase(5);
    const at = new Date();
    expect(await runJobSlot(t.app.services, retention!, at)).toBe('ran');
    // The same day again, on any instance: nothing more.
    expect(await runJobSlot(t.app.services, retention!, at)).toBe('skipped');

    const [tomb] = await t.database.db.select().from(reports).where(eq(reports.id, old.id));
    expect(tomb).toMatchObject({
      reference: old.reference,
      status: 'closed',
      outcome: 'support_provided',
      wrappedKey: null,
      whatHappenedSealed: null,
      whenSealed: null,
      whereSealed: null,
      outcomeNoteSealed: null,
    });
    expect(tomb!.purgedAt).not.toBeNull();
    for (const table of [reportMessages, reportAttachments, reportReceipts]) {
      const rows = await t.database.db.select().from(table).where(eq(table.reportId, old.id));
      expect(rows).toHaveLength(0);
    }
    // The recent one is untouched.
    const [kept] = await t.database.db.select().from(reports).where(eq(reports.id, recent.id));
    expect(kept!.wrappedKey).not.toBeNull();
    expect(
      await t.database.db.select().from(reportAttachments).where(eq(reportAttachments.reportId, recent.id)),
    ).toHaveLength(1);
    // The receipt no longer opens anything.
    expect((await t.client().post('/api/speak-up/receipt/report', { receipt: old.receipt })).statusCode).toBe(
      404,
    );

    const events = await queryRows<{ action: string; data: Record<string, unknown> }>(
      t.database.db,
      sql`select action, data from audit_events where action like 'reports.retention%' order by seq`,
    );
    expect(events).toEqual([
      { action: 'reports.retention_purge', data: { retentionYears: 6 } },
      { action: 'reports.retention_run', data: { count: 1, retentionYears: 6 } },
    ]);
    expect(JSON.stringify(events)).not.toContain('RetentionCanary');
  });

  it('e-mails overdue reminders to the case handlers, with no case content, once per case and deadline', async () => {
    const a = await submit(t, school.institution.id, { whatHappened: 'ReminderCanary words' });
    const b = await submit(t, school.institution.id, { whatHappened: 'ReminderCanary words' });
    const past = new Date(Date.now() - 2 * 86_400_000);
    await t.database.db
      .update(reports)
      .set({ acknowledgeDueAt: past, respondDueAt: past })
      .where(inArray(reports.id, [a.id, b.id]));
    const before = smtp.messages.length;
    const at = new Date();
    expect(await runJobSlot(t.app.services, reminders!, at)).toBe('ran');
    const mail = await smtp.waitFor((m) => m.to.includes(school.handler.email.toLowerCase()));
    await smtp.waitFor((m) => m.to.includes(school.colleague.email.toLowerCase()));
    expect(mail.subject).toMatch(/overdue/);
    expect(mail.text).toMatch(/\b2 speak-up cases have become overdue/);
    for (const secret of ['ReminderCanary', a.reference, b.reference, a.id, b.id, 'racist', 'PBL']) {
      expect(mail.text).not.toContain(secret);
      expect(mail.subject).not.toContain(secret);
    }
    const sent = smtp.messages.length - before;
    expect(sent).toBe(2);

    // The next hour: nothing new is overdue, so nothing is sent.
    expect(await runJobSlot(t.app.services, reminders!, new Date(at.getTime() + 3_600_000))).toBe('ran');
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages.length - before).toBe(2);
    const [{ n }] = (await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from speak_up_reminders_sent where report_id in (${a.id}, ${b.id})`,
    )) as [{ n: number }];
    expect(n).toBe(4);
  });

  it('reminders do not count cases the handler is conflicted on', async () => {
    const other = await buildSchool(t, { handler: 'Nadia Quarshie' });
    const naming = await submit(t, other.institution.id, {
      who: { roles: ['consultant'], names: 'Dr Quarshie on the ward round' },
    });
    const plain = await submit(t, other.institution.id);
    const declared = await submit(t, other.institution.id);
    // The colleague is marked conflicted on one case (by the handler, who may see it).
    const handler = await signIn(t, other.handler);
    const marked = await handler.post(`/api/speak-up/cases/${declared.id}/conflicts`, {
      handlerId: other.colleague.id,
    });
    expect(marked.statusCode, marked.body).toBe(204);
    const past = new Date(Date.now() - 2 * 86_400_000);
    await t.database.db
      .update(reports)
      .set({ acknowledgeDueAt: past, respondDueAt: past })
      .where(inArray(reports.id, [naming.id, plain.id, declared.id]));
    expect(await runJobSlot(t.app.services, reminders!, new Date(Date.now() + 5 * 3_600_000))).toBe('ran');
    const toHandler = await smtp.waitFor((m) => m.to.includes(other.handler.email.toLowerCase()));
    const toColleague = await smtp.waitFor((m) => m.to.includes(other.colleague.email.toLowerCase()));
    // The named handler is told of the 2 cases she may see, not of the one that names her.
    expect(toHandler.text).toMatch(/\b2 speak-up cases have become overdue/);
    expect(toColleague.text).toMatch(/\b2 speak-up cases have become overdue/);
  });
});
