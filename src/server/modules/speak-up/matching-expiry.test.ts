import crypto from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import { auditEvents, reportMatchHolds, reports } from '../../../db/schema';
import { ReportSubmissionSchema } from '../../../shared/speak-up/schema';
import { runJobSlot } from '../../platform/jobs';
import { createTestApp, type TestApp } from '../../test/app';
import { startTestSmtp, type TestSmtp } from '../../test/smtp';
import { speakUpJobs } from './jobs';
import { addMonths, expiryReleaseMessage, HANDLER_RELEASE_MESSAGE, matchingHoldMonthsFrom } from './matching';
import { submitReport } from './reports';
import { buildSchool, reportBody, signIn } from './testing';

const CANARY = `Expirycanary${crypto.randomBytes(4).toString('hex')}`;
const T0 = new Date('2026-01-10T09:00:00Z');

describe('matching escrow: the end of a hold, and who wrote a release message', () => {
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

  const expiry = speakUpJobs({}).find((j) => j.name === 'speak-up.matching-expiry')!;

  async function held(onExpiry: 'release' | 'delete' | undefined, named = false) {
    const body = ReportSubmissionSchema.parse(
      reportBody(school.institution.id, {
        whatHappened: `${CANARY} said something about my accent.`,
        matching: { person: `Dr ${CANARY} ${crypto.randomBytes(3).toString('hex')}`, onExpiry },
      }),
    );
    // Each entry from its own signed-in account (escrow needs one; the route checks membership).
    const userId = named ? school.member.id : crypto.randomUUID();
    return submitReport(t.app.services, body, {
      receivedAt: T0,
      matchingHoldMonths: 12,
      account: { userId, institutionIds: [school.institution.id] },
      ...(named
        ? { reporter: { person: { ...school.member, userId: school.member.id }, consentToContact: true } }
        : {}),
    });
  }
  const view = async (receipt: string) => t.client().post('/api/speak-up/receipt/report', { receipt });
  const queueIds = async () => {
    const handler = await signIn(t, school.handler);
    const r = await handler.get('/api/speak-up/cases?status=received');
    return (r.json() as { items: { id: string }[] }).items.map((i) => i.id);
  };

  it('reads the hold period from the environment (default 12 months) and counts calendar months', () => {
    expect(matchingHoldMonthsFrom({})).toBe(12);
    expect(matchingHoldMonthsFrom({ SPEAK_UP_MATCHING_HOLD_MONTHS: '6' })).toBe(6);
    expect(() => matchingHoldMonthsFrom({ SPEAK_UP_MATCHING_HOLD_MONTHS: '0' })).toThrow();
    expect(() => speakUpJobs({ SPEAK_UP_MATCHING_HOLD_MONTHS: 'a year' })).toThrow();
    expect(addMonths(T0, 12).toISOString()).toBe('2027-01-10T09:00:00.000Z');
    expect(addMonths(new Date('2027-01-31T12:00:00Z'), 1).toISOString()).toBe('2027-02-28T12:00:00.000Z');
  });

  it('tells the reporter until when it is held and what happens then; at the end releases or deletes it as chosen', async () => {
    const release = await held('release');
    const remove = await held(undefined); // the default: deleted
    const namedRemove = await held('delete', true);
    expect((await view(release.receipt)).json()).toMatchObject({
      hold: { until: '2027-01-10T09:00:00.000Z', onExpiry: 'release' },
    });
    expect((await view(remove.receipt)).json()).toMatchObject({ hold: { onExpiry: 'delete' } });

    // A day before the end: nothing happens.
    expect(await runJobSlot(t.app.services, expiry, new Date('2027-01-09T09:30:00Z'))).toBe('ran');
    expect(await queueIds()).not.toContain(release.id);
    expect((await view(remove.receipt)).statusCode).toBe(200);

    const at = new Date('2027-01-10T10:00:00Z');
    expect(await runJobSlot(t.app.services, expiry, at)).toBe('ran');
    expect(await runJobSlot(t.app.services, expiry, at)).toBe('skipped');

    // Released: case handlers see it, deadlines start now, the reporter reads why.
    expect(await queueIds()).toContain(release.id);
    const released = (await view(release.receipt)).json();
    expect(released).toMatchObject({ hold: null });
    expect(released.messages).toEqual([
      expect.objectContaining({ author: 'system', body: expiryReleaseMessage(12) }),
    ]);
    const [row] = await t.database.db.select().from(reports).where(eq(reports.id, release.id));
    expect(row!.acknowledgeDueAt.getTime()).toBeGreaterThan(at.getTime());

    // Deleted: nothing left, not even a tombstone in the queue; the receipt no longer works.
    expect((await view(remove.receipt)).statusCode).toBe(404);
    expect(
      await t.database.db
        .select({ id: reports.id })
        .from(reports)
        .where(inArray(reports.id, [remove.id, namedRemove.id])),
    ).toEqual([]);
    expect(await queueIds()).not.toContain(remove.id);
    // The named reporter is told by e-mail, with nothing of the report.
    const mail = await smtp.waitFor((m) => m.subject.includes(namedRemove.reference));
    expect(mail.to).toContain(school.member.email.toLowerCase());
    expect(mail.text).toContain('deleted');
    expect(mail.text).not.toContain(CANARY);

    // Audited, without content.
    const events = await t.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, 'reports.matching_expire'));
    expect(events.map((e) => [e.subjectId, (e.data as { onExpiry: string }).onExpiry]).sort()).toEqual(
      [
        [release.id, 'release'],
        [remove.id, 'delete'],
        [namedRemove.id, 'delete'],
      ].sort(),
    );
    expect(JSON.stringify(events)).not.toContain(CANARY);
  });

  it('deletes a report its reporter withdraws while it is held, row and all (no tombstone for handlers)', async () => {
    const r = await held('release');
    const deleted = await t.client().post('/api/speak-up/receipt/delete', { receipt: r.receipt });
    expect(deleted.statusCode).toBe(200);
    expect(await t.database.db.select().from(reports).where(eq(reports.id, r.id))).toEqual([]);
    expect(
      await t.database.db.select().from(reportMatchHolds).where(eq(reportMatchHolds.reportId, r.id)),
    ).toEqual([]);
    expect(await queueIds()).not.toContain(r.id);
  });

  it('shows a handler’s release from escrow as written by Upstander, saying nothing of a match', async () => {
    const person = `Ms ${CANARY} Match`;
    const submit = () =>
      submitReport(
        t.app.services,
        ReportSubmissionSchema.parse(reportBody(school.institution.id, { matching: { person } })),
        { account: { userId: crypto.randomUUID(), institutionIds: [school.institution.id] } },
      );
    const first = await submit();
    const second = await submit();
    const handler = await signIn(t, school.handler);
    expect((await handler.post(`/api/speak-up/cases/${first.id}/release`)).statusCode).toBe(200);
    const detail = (await handler.get(`/api/speak-up/cases/${first.id}`)).json();
    expect(detail.messages).toEqual([
      expect.objectContaining({ author: 'system', handler: null, body: HANDLER_RELEASE_MESSAGE }),
    ]);
    // The other entry is not released with it: each waits for its own decision.
    expect((await handler.get(`/api/speak-up/cases/${second.id}`)).json()).toMatchObject({ messages: [] });
    const stored = await queryRows<{ author: string }>(
      t.database.db,
      sql`select author from speak_up_messages where report_id = ${first.id}`,
    );
    expect(stored).toEqual([{ author: 'system' }]);
  });
});
