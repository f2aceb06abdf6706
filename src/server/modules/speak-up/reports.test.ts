import { readFileSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, queryRows } from '../../../db/client';
import {
  auditEvents,
  equalityCounts,
  reportMessages,
  reportReceipts,
  reports,
  sessions,
} from '../../../db/schema';
import { SpeakUpLimits } from '../../../shared/speak-up/schema';
import { RECEIPT_RATE_LIMIT } from '../../platform/rate-limit';
import { createTestApp, type TestApp } from '../../test/app';
import { buildInstitution, buildUser, readySpeakUp } from '../../test/factories';
import { REFERENCE_PATTERN } from './references';
import { aggregateEqualityAnswers } from './report-keys';
import { buildSchool, reportBody, signIn, submit } from './testing';

let t: TestApp;
let school: Awaited<ReturnType<typeof buildSchool>>;
beforeAll(async () => {
  t = await createTestApp();
  school = await buildSchool(t);
});
afterAll(() => t.close());

/** Every row of every table, as text: to prove something is stored nowhere. */
async function databaseText(db: Db): Promise<string> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
  );
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await queryRows<{ t: string | null }>(
      db,
      sql.raw(`select string_agg(x::text, E'\\n') as t from "${name}" x`),
    );
    parts.push(`${name}: ${rows[0]?.t ?? ''}`);
  }
  return parts.join('\n');
}

describe('submitting a report anonymously', () => {
  it('answers 201 with a random reference and a 20-digit receipt in groups of four', async () => {
    const first = await submit(t, school.institution.id);
    const second = await submit(t, school.institution.id);
    expect(first.reference).toMatch(REFERENCE_PATTERN);
    expect(second.reference).not.toBe(first.reference);
    expect(first.receipt).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}-\d{4}$/);
    expect(first.receipt).not.toBe(second.receipt);
  });

  it('case references reveal no gaps', async () => {
    // A handler who sees some references must learn nothing of the reports between them.
    const other = await buildInstitution(t.database.db);
    await readySpeakUp(t.database.db, other.id, t.app.services.masterKey);
    const refs: string[] = [];
    for (let i = 0; i < 12; i++)
      refs.push((await submit(t, i % 3 ? school.institution.id : other.id)).reference);
    for (const ref of refs) {
      expect(ref).toMatch(REFERENCE_PATTERN);
      expect(ref).not.toMatch(/\d{4}-\d{4}|20\d\d/);
    }
    expect(new Set(refs).size).toBe(refs.length);
    // Not in submission order, so neither their order nor their spacing counts anything.
    expect([...refs].sort()).not.toEqual(refs);

    // Existing sequential references are replaced by the migration (its SQL, run again here).
    const { id } = await submit(t, school.institution.id);
    await t.database.db.execute(sql`update speak_up_reports set reference = 'R-2026-0042' where id = ${id}`);
    const migration = readFileSync(
      new URL('../../../db/migrations/0018_speak_up_references_and_escrow_accounts.sql', import.meta.url),
      'utf8',
    ).split('--> statement-breakpoint')[0]!;
    await t.database.db.execute(sql.raw(migration));
    const rows = await queryRows<{ reference: string }>(
      t.database.db,
      sql`select reference from speak_up_reports`,
    );
    for (const row of rows) expect(row.reference).toMatch(REFERENCE_PATTERN);
  });

  it('stores the receipt only as a locator and an argon2id hash, and every word sealed', async () => {
    const words = 'The registrar called me a slur on the night shift, ward 12';
    const { receipt, id } = await submit(t, school.institution.id, {
      whatHappened: words,
      who: { roles: ['consultant'], names: 'Dr Quentin Example' },
    });
    const digits = receipt.replace(/-/g, '');
    const [stored] = await t.database.db.select().from(reportReceipts).where(eq(reportReceipts.reportId, id));
    expect(stored!.locator).toBe(digits.slice(0, 6));
    expect(stored!.secretHash).toMatch(/^\$argon2id\$/);
    const text = await databaseText(t.database.db);
    expect(text).not.toContain(digits.slice(6));
    expect(text).not.toContain(receipt);
    expect(text).not.toContain('slur');
    expect(text).not.toContain('Quentin');
    const [row] = await t.database.db.select().from(reports).where(eq(reports.id, id));
    expect(row).toMatchObject({
      anonymous: true,
      reporterLookup: null,
      reporterSealed: null,
      status: 'received',
    });
    expect(row!.whatHappenedSealed).toMatch(/^f1\./);
    expect(row!.wrappedKey).toMatch(/^k2\.[0-9a-f-]{36}\./);
    expect(row!.involvedRoles).toEqual(['consultant']);
    expect(row!.incidentMonth).toBe('2026-01');
  });

  it('sets the acknowledgement and response deadlines in working days', async () => {
    const { id } = await submit(t, school.institution.id);
    const [row] = await t.database.db.select().from(reports).where(eq(reports.id, id));
    const days = (d: Date) => (d.getTime() - row!.receivedAt.getTime()) / 86_400_000;
    expect(days(row!.acknowledgeDueAt)).toBeGreaterThan(1);
    expect(days(row!.acknowledgeDueAt)).toBeLessThan(5);
    expect(days(row!.respondDueAt)).toBeGreaterThan(11);
    expect(days(row!.respondDueAt)).toBeLessThan(16);
  });

  it('audits the submission with no actor and no content', async () => {
    const { id, reference } = await submit(t, school.institution.id, { whatHappened: 'AuditCanary words' });
    const events = await t.database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, id));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'reports.submit',
      actorUserId: null,
      subjectType: 'speak_up_report',
    });
    expect(events[0]!.data).toEqual({ reference, anonymous: true });
  });

  it('accepts a placement report with a listed provider, or an unlisted one by name', async () => {
    const listed = await submit(t, school.institution.id, {
      where: { setting: 'placement', providerId: school.providerA.id, site: 'General', department: 'Ward 7' },
    });
    const unlisted = await submit(t, school.institution.id, {
      where: { setting: 'placement', providerId: null, providerOther: 'Hillside GP Surgery' },
      when: { kind: 'range', from: '2025-11-20', to: '2026-01-05' },
    });
    const rows = await t.database.db.select().from(reports);
    expect(rows.find((r) => r.id === listed.id)).toMatchObject({
      setting: 'placement',
      placementProviderId: school.providerA.id,
    });
    expect(rows.find((r) => r.id === unlisted.id)).toMatchObject({
      placementProviderId: null,
      incidentMonth: '2025-11',
    });
    const view = (
      await t.client().post('/api/speak-up/receipt/report', { receipt: unlisted.receipt })
    ).json();
    expect(view.submission.where).toMatchObject({
      setting: 'placement',
      providerName: 'Hillside GP Surgery',
    });
    const view2 = (await t.client().post('/api/speak-up/receipt/report', { receipt: listed.receipt })).json();
    expect(view2.submission.where).toMatchObject({
      providerName: school.providerA.name,
      department: 'Ward 7',
    });
  });

  it('refuses bad input with clear messages and stores nothing', async () => {
    const before = (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(reports))[0]!.n;
    const c = t.client();
    const cases: [Record<string, unknown>, RegExp, string][] = [
      [reportBody(school.institution.id, { whatHappened: '   ' }), /what happened/i, 'whatHappened'],
      [
        reportBody(school.institution.id, { whatHappened: 'x'.repeat(SpeakUpLimits.whatHappenedMax + 1) }),
        /20,000/,
        'whatHappened',
      ],
      [
        reportBody(school.institution.id, { when: { kind: 'date', date: '2999-01-01' } }),
        /future/,
        'when.date',
      ],
      [
        reportBody(school.institution.id, { when: { kind: 'range', from: '2026-01-05', to: '2026-01-01' } }),
        /end after/,
        'when.to',
      ],
      [reportBody(school.institution.id, { who: { roles: [] } }), /at least one/, 'who.roles'],
      [
        reportBody(school.institution.id, {
          where: { setting: 'placement', providerId: school.providerA.id, providerOther: 'Both' },
        }),
        /from the list, or type/,
        'where.providerId',
      ],
      [{ ...reportBody(school.institution.id), ip: '1.2.3.4' }, /.+/, 'body'],
    ];
    for (const [body, message, path] of cases) {
      const r = await c.post('/api/speak-up/reports', body);
      expect(r.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      const error = r.json().error;
      expect(
        error.fields.some(
          (f: { path: string; message: string }) => f.path === path && message.test(f.message),
        ),
        r.body,
      ).toBe(true);
    }
    // A provider of another school, and an unknown school.
    const other = await buildSchool(t);
    const foreign = await c.post(
      '/api/speak-up/reports',
      reportBody(school.institution.id, { where: { setting: 'placement', providerId: other.providerA.id } }),
    );
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.message).toMatch(/not on this school/);
    const unknown = await c.post('/api/speak-up/reports', reportBody(crypto.randomUUID()));
    expect(unknown.statusCode).toBe(404);
    const after = (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(reports))[0]!.n;
    expect(after).toBe(before);
  });

  it('counts optional equality answers apart from the report, with nothing that links them', async () => {
    const school2 = await buildSchool(t);
    await submit(t, school2.institution.id, {
      equality: { ethnicity: 'black_african', religion: 'christian' },
    });
    await submit(t, school2.institution.id, { equality: { ethnicity: 'black_african' } });
    await submit(t, school2.institution.id, { equality: { religion: 'prefer_not_to_say' } });
    const counts = () =>
      t.database.db
        .select()
        .from(equalityCounts)
        .where(eq(equalityCounts.institutionId, school2.institution.id));
    // Nothing is counted while the month is open: the answers wait, sealed, in pending rows.
    expect(await counts()).toEqual([]);
    const nextMonth = new Date(Date.now() + 32 * 86_400_000);
    await t.database.db.transaction((tx) =>
      aggregateEqualityAnswers(tx, t.app.services.reportKeys, nextMonth),
    );
    const rows = await counts();
    const month = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/London',
      year: 'numeric',
      month: '2-digit',
    })
      .format(new Date())
      .slice(0, 7);
    expect(rows.map((r) => [r.dimension, r.value, r.count, r.month]).sort()).toEqual(
      [
        ['ethnicity', 'black_african', 2, month],
        ['religion', 'christian', 1, month],
        ['religion', 'prefer_not_to_say', 1, month],
      ].sort(),
    );
    // The table has no report id, no person, no time finer than the month.
    expect(Object.keys(rows[0]!).sort()).toEqual(['count', 'dimension', 'institutionId', 'month', 'value']);
    const bad = await t
      .client()
      .post(
        '/api/speak-up/reports',
        reportBody(school2.institution.id, { equality: { ethnicity: 'bame' } as never }),
      );
    expect(bad.statusCode).toBe(400);
  });
});

describe('following a report with its receipt', () => {
  it('shows the status, the reporter’s own words, the messages (never internal notes) and support', async () => {
    const { receipt, id } = await submit(t, school.institution.id, { effect: 'I could not sleep.' });
    const handler = await signIn(t, school.handler);
    expect(
      (await handler.post(`/api/speak-up/cases/${id}/messages`, { body: 'Thank you for telling us.' }))
        .statusCode,
    ).toBe(201);
    expect(
      (await handler.post(`/api/speak-up/cases/${id}/notes`, { body: 'NoteCanary internal' })).statusCode,
    ).toBe(201);
    const added = await t
      .client()
      .post('/api/speak-up/receipt/messages', { receipt, body: 'One more thing: it happened twice.' });
    expect(added.statusCode).toBe(201);
    const r = await t.client().post('/api/speak-up/receipt/report', { receipt: receipt.replace(/-/g, ' ') });
    expect(r.statusCode).toBe(200);
    const view = r.json();
    expect(view).toMatchObject({ status: 'received', acknowledgedAt: null, outcome: null });
    expect(view.submission).toMatchObject({
      whatHappened: reportBody('x').whatHappened,
      effect: 'I could not sleep.',
      who: { roles: ['fellow_student'], names: 'A student in my PBL group' },
      where: { setting: 'campus', location: 'Lecture theatre 2, Medical School building' },
      when: { kind: 'date', date: '2026-01-08' },
      outcomeWanted: 'support',
    });
    expect(view.messages.map((m: { author: string; body: string }) => [m.author, m.body])).toEqual([
      ['handler', 'Thank you for telling us.'],
      ['reporter', 'One more thing: it happened twice.'],
    ]);
    expect(r.body).not.toContain('NoteCanary');
    expect(r.body).not.toContain(school.handler.name);
    expect(view.supportContacts.map((s: { kind: string }) => s.kind)).toEqual([
      'wellbeing',
      'police_hate_crime',
    ]);
    const [row] = await t.database.db.select().from(reports).where(eq(reports.id, id));
    expect(row!.lastReporterMessageAt).not.toBeNull();
  });

  it('answers a wrong receipt with 404 and a clear message, a malformed one with 400', async () => {
    const { receipt } = await submit(t, school.institution.id);
    const digits = receipt.replace(/-/g, '');
    const wrongSecret = `${digits.slice(0, 19)}${(Number(digits[19]) + 1) % 10}`;
    for (const code of [wrongSecret, '0000-0000-0000-0000-0000']) {
      const r = await t.client().post('/api/speak-up/receipt/report', { receipt: code });
      expect(r.statusCode).toBe(404);
      expect(r.json().error.message).toMatch(/No report matches that receipt code/);
    }
    for (const code of ['1234', 'abcd-efgh-ijkl-mnop-qrst', `${digits}1`]) {
      const r = await t.client().post('/api/speak-up/receipt/report', { receipt: code });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.message).toMatch(/20 digits/);
    }
    const empty = await t.client().post('/api/speak-up/receipt/messages', { receipt, body: '  ' });
    expect(empty.statusCode).toBe(400);
  });

  it('limits guessing per client: the 11th try in a minute is refused, another client still gets through', async () => {
    const { receipt } = await submit(t, school.institution.id);
    const guesser = t.client();
    for (let i = 0; i < RECEIPT_RATE_LIMIT; i++) {
      const guess = `${String(i).padStart(4, '0')}-0000-0000-0000-0000`;
      expect((await guesser.post('/api/speak-up/receipt/report', { receipt: guess })).statusCode).toBe(404);
    }
    const blocked = await guesser.post('/api/speak-up/receipt/report', { receipt });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('rate_limited');
    const someoneElse = await t.client().post('/api/speak-up/receipt/report', { receipt });
    expect(someoneElse.statusCode).toBe(200);
  });

  it('deletes on request: the content is destroyed, the receipt stops working, the audit holds no content', async () => {
    const { receipt, id, reference } = await submit(t, school.institution.id, {
      whatHappened: 'DeleteCanary story',
    });
    await t.client().post('/api/speak-up/receipt/messages', { receipt, body: 'DeleteCanary message' });
    const handler = await signIn(t, school.handler);
    await handler.post(`/api/speak-up/cases/${id}/notes`, { body: 'DeleteCanary note' });
    await handler.post(`/api/speak-up/cases/${id}/escalations`, {
      contactRole: 'Director of Medical Education',
      shared: 'DeleteCanary shared',
      consent: true,
      responseDueOn: '2026-12-01',
    });
    const r = await t.client().post('/api/speak-up/receipt/delete', { receipt });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ deleted: true, reference });
    const [row] = await t.database.db.select().from(reports).where(eq(reports.id, id));
    expect(row).toMatchObject({
      wrappedKey: null,
      whatHappenedSealed: null,
      whenSealed: null,
      whereSealed: null,
      peopleSealed: null,
      effectSealed: null,
    });
    expect(row!.purgedAt).not.toBeNull();
    expect(row!.deletionRequestedAt).not.toBeNull();
    expect(await t.database.db.select().from(reportMessages).where(eq(reportMessages.reportId, id))).toEqual(
      [],
    );
    expect(await t.database.db.select().from(reportReceipts).where(eq(reportReceipts.reportId, id))).toEqual(
      [],
    );
    expect((await t.client().post('/api/speak-up/receipt/report', { receipt })).statusCode).toBe(404);
    expect((await t.client().post('/api/speak-up/receipt/delete', { receipt })).statusCode).toBe(404);
    const events = await t.database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, id));
    expect(events.map((e) => e.action)).toContain('reports.delete_by_reporter');
    expect(JSON.stringify(events)).not.toContain('DeleteCanary');
    // The handler still sees the case, marked deleted, with no content.
    const detail = (await handler.get(`/api/speak-up/cases/${id}`)).json();
    expect(detail).toMatchObject({
      deletedByReporter: true,
      submission: null,
      messages: [],
      escalations: [],
    });
    expect(detail.nextStatuses).toContain('closed');
    const closed = await handler.post(`/api/speak-up/cases/${id}/transition`, {
      to: 'closed',
      outcome: 'withdrawn_by_reporter',
    });
    expect(closed.statusCode).toBe(200);
    expect((await handler.post(`/api/speak-up/cases/${id}/messages`, { body: 'hello?' })).statusCode).toBe(
      409,
    );
  });
});

describe('anonymity', () => {
  it('stores and logs no address, user agent or cookie on the anonymous routes', async () => {
    const c = t.client();
    const member = await signIn(t, school.member);
    const headers = {
      'user-agent': 'CanaryAgent/9.9 (AnonymityProbe)',
      'x-forwarded-for': '198.51.100.23',
      cookie: `upstander_session=${member.cookie}`,
    };
    const [sessionBefore] = await t.database.db.select().from(sessions);
    const submitted = await c.post('/api/speak-up/reports', reportBody(school.institution.id), { headers });
    expect(submitted.statusCode).toBe(201);
    const { receipt } = submitted.json();
    expect((await c.post('/api/speak-up/receipt/report', { receipt }, { headers })).statusCode).toBe(200);
    expect(
      (await c.post('/api/speak-up/receipt/messages', { receipt, body: 'more' }, { headers })).statusCode,
    ).toBe(201);
    expect(
      (await c.post('/api/speak-up/receipt/report', { receipt: '0000-0000-0000-0000-0000' }, { headers }))
        .statusCode,
    ).toBe(404);
    expect((await c.post('/api/speak-up/receipt/delete', { receipt }, { headers })).statusCode).toBe(200);
    const logs = t.logs.join('\n');
    const stored = await databaseText(t.database.db);
    for (const secret of [
      'CanaryAgent',
      'AnonymityProbe',
      '198.51.100.23',
      c.remoteAddress,
      member.cookie!,
      receipt,
    ]) {
      expect(logs, `log holds ${secret}`).not.toContain(secret);
      expect(stored, `database holds ${secret}`).not.toContain(secret);
    }
    expect(logs).toContain('"route":"/api/speak-up/reports"');
    // The session cookie sent along was not even read: the session was not touched.
    const [sessionAfter] = await t.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.idHash, sessionBefore!.idHash));
    expect(sessionAfter!.lastSeenAt).toEqual(sessionBefore!.lastSeenAt);
    // No response sets a cookie.
    expect(submitted.headers['set-cookie']).toBeUndefined();
  });
});

describe('named reports', () => {
  it('seal the reporter’s identity, visible to case handlers only; the reporter finds them in “my reports”', async () => {
    const reporter = await buildUser(t.database.db, { name: 'Named Reporter Zed' });
    const c = await signIn(t, reporter);
    const r = await c.post('/api/speak-up/named-reports', {
      ...reportBody(school.institution.id),
      consentToContact: true,
    });
    expect(r.statusCode).toBe(201);
    const { reference, receipt } = r.json();
    const [row] = await t.database.db.select().from(reports).where(eq(reports.reference, reference));
    expect(row).toMatchObject({ anonymous: false });
    expect(row!.reporterLookup).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.reporterSealed).toMatch(/^f1\./);
    // Neither the report row nor its audit event holds the reporter's id, name or e-mail.
    const reportText = JSON.stringify(row);
    const events = await t.database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, row!.id));
    for (const s of [reporter.id, reporter.email, 'Named Reporter Zed']) {
      expect(reportText).not.toContain(s);
      expect(JSON.stringify(events)).not.toContain(s);
    }
    expect(events[0]!.actorUserId).toBeNull();

    const mine = (await c.get('/api/speak-up/my-reports')).json();
    expect(mine).toEqual([expect.objectContaining({ id: row!.id, reference, status: 'received' })]);
    expect((await c.get(`/api/speak-up/my-reports/${row!.id}`)).json().submission.whatHappened).toBe(
      reportBody('x').whatHappened,
    );
    expect(
      (await c.post(`/api/speak-up/my-reports/${row!.id}/messages`, { body: 'Named follow-up' })).statusCode,
    ).toBe(201);
    expect((await t.client().post('/api/speak-up/receipt/report', { receipt })).json().messages[0].body).toBe(
      'Named follow-up',
    );

    // Someone else sees nothing of it.
    const stranger = await signIn(t, await buildUser(t.database.db));
    expect((await stranger.get('/api/speak-up/my-reports')).json()).toEqual([]);
    expect((await stranger.get(`/api/speak-up/my-reports/${row!.id}`)).statusCode).toBe(404);
    expect(
      (await stranger.post(`/api/speak-up/my-reports/${row!.id}/messages`, { body: 'x' })).statusCode,
    ).toBe(404);

    // The case handler sees who made it.
    const handler = await signIn(t, school.handler);
    const detail = (await handler.get(`/api/speak-up/cases/${row!.id}`)).json();
    expect(detail).toMatchObject({
      anonymous: false,
      reporter: { name: 'Named Reporter Zed', email: reporter.email, consentToContact: true },
    });
    // An anonymous report has no reporter.
    const anon = await submit(t, school.institution.id);
    expect((await handler.get(`/api/speak-up/cases/${anon.id}`)).json().reporter).toBeNull();
  });

  it('needs a signed-in, fully verified account', async () => {
    const r = await t.client().post('/api/speak-up/named-reports', reportBody(school.institution.id));
    expect(r.statusCode).toBe(401);
  });
});
