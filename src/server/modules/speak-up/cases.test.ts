import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, reportConflicts, reports } from '../../../db/schema';
import { ReportSubmissionSchema } from '../../../shared/speak-up/schema';
import { createTestApp, type TestApp } from '../../test/app';
import { buildUser, grantCaseHandler } from '../../test/factories';
import { databaseFingerprint } from '../../test/matrix';
import { submitReport } from './reports';
import { buildSchool, reportBody, signIn, submit } from './testing';

let t: TestApp;
let school: Awaited<ReturnType<typeof buildSchool>>;
beforeAll(async () => {
  t = await createTestApp();
  school = await buildSchool(t, { handler: 'Helen Adeyemi' });
});
afterAll(() => t.close());

const auditOf = (id: string) =>
  t.database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, id)).orderBy(sql`seq`);

describe('reading a case', () => {
  it('decrypts it for a case handler of the school, and audits every read in the same transaction', async () => {
    const { id, reference } = await submit(t, school.institution.id, {
      where: {
        setting: 'placement',
        providerId: school.providerB.id,
        site: 'Vale General',
        department: 'Ward 3',
      },
      who: { roles: ['nurse', 'patient'], names: 'Nurse on the night shift', otherRole: undefined },
    });
    const handler = await signIn(t, school.handler);
    const before = (await auditOf(id)).length;
    const r = await handler.get(`/api/speak-up/cases/${id}`);
    expect(r.statusCode).toBe(200);
    const detail = r.json();
    expect(detail).toMatchObject({
      id,
      reference,
      status: 'received',
      anonymous: true,
      reporter: null,
      submission: {
        whatHappened: reportBody('x').whatHappened,
        where: {
          setting: 'placement',
          providerName: 'Ashby Vale NHS Trust',
          site: 'Vale General',
          department: 'Ward 3',
        },
        who: { roles: ['nurse', 'patient'], names: 'Nurse on the night shift' },
      },
      nextStatuses: ['acknowledged'],
      overdue: { acknowledgement: false, response: false },
    });
    await handler.get(`/api/speak-up/cases/${id}`);
    const events = await auditOf(id);
    const reads = events.slice(before).filter((e) => e.action === 'cases.read');
    expect(reads).toHaveLength(2);
    expect(reads[0]).toMatchObject({
      actorUserId: school.handler.id,
      subjectType: 'speak_up_report',
      data: { reference },
    });
    expect(JSON.stringify(events)).not.toContain('Nurse on the night shift');
  });

  it('is a 404 for admins, leads, members, another school’s handler and a handler owing the code; nothing is written', async () => {
    const { id } = await submit(t, school.institution.id);
    const admin = await buildUser(t.database.db, { isAdmin: true, totpMasterKey: t.app.services.masterKey });
    const elsewhere = await buildSchool(t);
    const halfSignedIn = t.client();
    await halfSignedIn.post('/api/auth/sign-in', {
      email: school.colleague.email,
      password: 'correct horse battery staple',
    });
    const clients = {
      admin: await signIn(t, admin),
      lead: await signIn(t, school.lead),
      member: await signIn(t, school.member),
      otherHandler: await signIn(t, elsewhere.handler),
    };
    // A handler's first look at their queue records that their school's reports were compared
    // with their name (conflicts.ts): done before the fingerprint, it is not about this case.
    await clients.otherHandler.get('/api/speak-up/cases');
    const before = await databaseFingerprint(t.database.db);
    for (const [who, c] of Object.entries(clients)) {
      for (const [method, url, body] of [
        ['GET', `/api/speak-up/cases/${id}`],
        ['POST', `/api/speak-up/cases/${id}/transition`, { to: 'acknowledged' }],
        ['POST', `/api/speak-up/cases/${id}/messages`, { body: 'hi' }],
        ['POST', `/api/speak-up/cases/${id}/notes`, { body: 'hi' }],
        ['POST', `/api/speak-up/cases/${id}/assign`, { handlerId: null }],
      ] as const) {
        const r = await c.request(method, url, { body });
        expect(r.statusCode, `${who} ${method} ${url}`).toBe(404);
        expect(r.json().error.message).toBe('That case was not found.');
      }
    }
    expect((await halfSignedIn.get(`/api/speak-up/cases/${id}`)).statusCode).toBe(401);
    expect((await t.client().get(`/api/speak-up/cases/${id}`)).statusCode).toBe(401);
    expect((await clients.admin.get('/api/speak-up/cases')).statusCode).toBe(404);
    expect((await clients.lead.get('/api/speak-up/cases')).statusCode).toBe(404);
    // The other school's handler has a queue, but not this case in it.
    const theirs = (await clients.otherHandler.get('/api/speak-up/cases')).json();
    expect(theirs.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect(await databaseFingerprint(t.database.db)).toBe(before);
  });
});

describe('conflicts of interest', () => {
  it('hide a case from a handler it names, in the queue and in full; assigning them is refused', async () => {
    const named = await submit(t, school.institution.id, {
      who: { roles: ['consultant'], names: 'It was Dr Adeyemi, my supervisor' },
    });
    const handler = await signIn(t, school.handler);
    const colleague = await signIn(t, school.colleague);
    expect((await handler.get(`/api/speak-up/cases/${named.id}`)).statusCode).toBe(404);
    const queue = (await handler.get('/api/speak-up/cases?status=received')).json();
    expect(queue.items.map((i: { id: string }) => i.id)).not.toContain(named.id);
    expect((await colleague.get(`/api/speak-up/cases/${named.id}`)).statusCode).toBe(200);
    const assign = await colleague.post(`/api/speak-up/cases/${named.id}/assign`, {
      handlerId: school.handler.id,
    });
    expect(assign.statusCode).toBe(409);
    expect(assign.json().error.message).toMatch(/conflict of interest/);
  });

  it('hide a case from a handler marked conflicted, and take it off them', async () => {
    const { id } = await submit(t, school.institution.id);
    const handler = await signIn(t, school.handler);
    const colleague = await signIn(t, school.colleague);
    expect(
      (await colleague.post(`/api/speak-up/cases/${id}/assign`, { handlerId: school.handler.id })).statusCode,
    ).toBe(200);
    const marked = await colleague.post(`/api/speak-up/cases/${id}/conflicts`, {
      handlerId: school.handler.id,
    });
    expect(marked.statusCode).toBe(204);
    expect((await handler.get(`/api/speak-up/cases/${id}`)).statusCode).toBe(404);
    const mine = (await handler.get('/api/speak-up/cases')).json();
    expect(mine.items.map((i: { id: string }) => i.id)).not.toContain(id);
    const detail = (await colleague.get(`/api/speak-up/cases/${id}`)).json();
    expect(detail.assignedHandler).toBeNull();
    expect(
      await t.database.db.select().from(reportConflicts).where(eq(reportConflicts.reportId, id)),
    ).toHaveLength(1);
    const events = (await auditOf(id)).map((e) => e.action);
    expect(events).toEqual(expect.arrayContaining(['cases.assign', 'cases.conflict_declare']));
    // Only a handler of the school can be marked, or assigned.
    const stranger = await buildUser(t.database.db);
    expect(
      (await colleague.post(`/api/speak-up/cases/${id}/conflicts`, { handlerId: stranger.id })).statusCode,
    ).toBe(400);
    expect(
      (await colleague.post(`/api/speak-up/cases/${id}/assign`, { handlerId: stranger.id })).statusCode,
    ).toBe(400);
  });
});

describe('the workflow', () => {
  it('moves one step at a time, stamping each step, and needs an action kind and an outcome', async () => {
    const { id, receipt } = await submit(t, school.institution.id);
    const handler = await signIn(t, school.handler);
    const go = (body: Record<string, unknown>) => handler.post(`/api/speak-up/cases/${id}/transition`, body);
    expect((await go({ to: 'assessing' })).statusCode).toBe(409);
    expect((await go({ to: 'acknowledged' })).json()).toMatchObject({ status: 'acknowledged' });
    expect((await go({ to: 'assessing' })).statusCode).toBe(200);
    const noKind = await go({ to: 'action' });
    expect(noKind.statusCode).toBe(400);
    expect(noKind.json().error.fields[0]).toMatchObject({ path: 'actionKind' });
    expect((await go({ to: 'action', actionKind: 'escalated_to_provider' })).statusCode).toBe(200);
    const noOutcome = await go({ to: 'closed' });
    expect(noOutcome.statusCode).toBe(400);
    expect(noOutcome.json().error.message).toMatch(/outcome/);
    const closed = await go({
      to: 'closed',
      outcome: 'provider_took_action',
      outcomeNote: 'OutcomeCanary: trust retrained the ward',
    });
    expect(closed.statusCode).toBe(200);
    expect((await go({ to: 'closed', outcome: 'provider_took_action' })).statusCode).toBe(409);
    const detail = (await handler.get(`/api/speak-up/cases/${id}`)).json();
    expect(detail).toMatchObject({
      status: 'closed',
      actionKind: 'escalated_to_provider',
      outcome: 'provider_took_action',
      outcomeNote: 'OutcomeCanary: trust retrained the ward',
      nextStatuses: [],
      overdue: { acknowledgement: false, response: false },
    });
    for (const step of ['acknowledgedAt', 'assessingAt', 'actionAt', 'closedAt'])
      expect(detail[step]).not.toBeNull();
    const transitions = (await auditOf(id)).filter((e) => e.action === 'cases.transition').map((e) => e.data);
    expect(transitions).toEqual([
      { reference: detail.reference, from: 'received', to: 'acknowledged' },
      { reference: detail.reference, from: 'acknowledged', to: 'assessing' },
      { reference: detail.reference, from: 'assessing', to: 'action', actionKind: 'escalated_to_provider' },
      { reference: detail.reference, from: 'action', to: 'closed', outcome: 'provider_took_action' },
    ]);
    expect(JSON.stringify(await auditOf(id))).not.toContain('OutcomeCanary');
    // The reporter sees the status and outcome (never the handler's own note).
    const view = (await t.client().post('/api/speak-up/receipt/report', { receipt })).json();
    expect(view).toMatchObject({ status: 'closed', outcome: 'provider_took_action' });
    expect(JSON.stringify(view)).not.toContain('OutcomeCanary');
  });
});

describe('messages, notes and escalations', () => {
  it('are sealed, audited without content, and notes never reach the reporter', async () => {
    const { id, receipt } = await submit(t, school.institution.id, {
      where: { setting: 'placement', providerId: school.providerA.id },
    });
    const handler = await signIn(t, school.handler);
    const message = await handler.post(`/api/speak-up/cases/${id}/messages`, {
      body: 'MsgCanary: can we talk?',
    });
    expect(message.statusCode).toBe(201);
    expect(message.json()).toMatchObject({
      author: 'handler',
      internal: false,
      handler: { id: school.handler.id },
    });
    const note = await handler.post(`/api/speak-up/cases/${id}/notes`, { body: 'NoteCanary: prior concern' });
    expect(note.json()).toMatchObject({ internal: true });
    const escalation = await handler.post(`/api/speak-up/cases/${id}/escalations`, {
      providerId: school.providerA.id,
      contactRole: 'Director of Medical Education',
      contactName: 'EscCanary Name',
      shared: 'The date, the ward and what was said, as agreed with the reporter',
      consent: true,
      responseDueOn: '2026-12-01',
    });
    expect(escalation.statusCode).toBe(201);
    expect(escalation.json()).toMatchObject({
      providerName: school.providerA.name,
      contactName: 'EscCanary Name',
    });
    const noConsent = await handler.post(`/api/speak-up/cases/${id}/escalations`, {
      contactRole: 'Guardian',
      shared: 'x',
      responseDueOn: '2026-12-01',
    });
    expect(noConsent.statusCode).toBe(400);
    expect(noConsent.json().error.fields[0].message).toMatch(/agreed/);
    const elsewhere = await buildSchool(t);
    const foreign = await handler.post(`/api/speak-up/cases/${id}/escalations`, {
      providerId: elsewhere.providerA.id,
      contactRole: 'DME',
      shared: 'x',
      consent: true,
      responseDueOn: '2026-12-01',
    });
    expect(foreign.statusCode).toBe(400);

    const detail = (await handler.get(`/api/speak-up/cases/${id}`)).json();
    expect(detail.messages.map((m: { internal: boolean; body: string }) => [m.internal, m.body])).toEqual([
      [false, 'MsgCanary: can we talk?'],
      [true, 'NoteCanary: prior concern'],
    ]);
    expect(detail.escalations).toHaveLength(1);
    const view = await t.client().post('/api/speak-up/receipt/report', { receipt });
    expect(view.body).toContain('MsgCanary');
    expect(view.body).not.toContain('NoteCanary');
    expect(view.body).not.toContain('EscCanary');
    const events = await auditOf(id);
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['cases.message', 'cases.note', 'cases.escalate']),
    );
    expect(JSON.stringify(events)).not.toMatch(/MsgCanary|NoteCanary|EscCanary/);
  });

  it('refuse a note relabelled as a message in the database (the seal binds its kind)', async () => {
    const { id, receipt } = await submit(t, school.institution.id);
    const handler = await signIn(t, school.handler);
    await handler.post(`/api/speak-up/cases/${id}/notes`, { body: 'TamperCanary' });
    await t.database.db.execute(sql`update speak_up_messages set internal = false where report_id = ${id}`);
    const view = await t.client().post('/api/speak-up/receipt/report', { receipt });
    expect(view.statusCode).toBe(500);
    expect(view.body).not.toContain('TamperCanary');
  });
});

describe('the queue', () => {
  it('filters by status, assignment and overdue, flags missed deadlines, and pages by 25', async () => {
    const db = t.database.db;
    const mine = await buildSchool(t);
    const handler = await buildUser(db, { totpMasterKey: t.app.services.masterKey });
    await grantCaseHandler(db, handler.id, mine.institution.id);
    const c = await signIn(t, handler);
    const body = ReportSubmissionSchema.parse(reportBody(mine.institution.id));
    const old = await submitReport(t.app.services, body, {
      receivedAt: new Date(Date.now() - 20 * 86_400_000),
    });
    const recent = [];
    for (let i = 0; i < 26; i++) recent.push(await submitReport(t.app.services, body));
    const all = (await c.get('/api/speak-up/cases')).json();
    expect(all).toMatchObject({ page: 1, pageSize: 25, total: 27 });
    expect(all.items).toHaveLength(25);
    // The overdue one comes first (nearest response deadline).
    expect(all.items[0]).toMatchObject({ id: old.id, overdue: { acknowledgement: true, response: true } });
    expect((await c.get('/api/speak-up/cases?page=2')).json().items).toHaveLength(2);
    const overdue = (await c.get('/api/speak-up/cases?overdue=true')).json();
    expect(overdue.items.map((i: { id: string }) => i.id)).toEqual([old.id]);
    expect((await c.get('/api/speak-up/cases?overdue=false')).json().total).toBe(26);

    await c.post(`/api/speak-up/cases/${recent[0]!.id}/assign`, { handlerId: handler.id });
    await c.post(`/api/speak-up/cases/${recent[1]!.id}/transition`, { to: 'acknowledged' });
    const assigned = (await c.get('/api/speak-up/cases?assigned=me')).json();
    expect(assigned.items.map((i: { id: string }) => i.id)).toEqual([recent[0]!.id]);
    expect(assigned.items[0].assignedHandler).toEqual({ id: handler.id, name: handler.name });
    expect((await c.get('/api/speak-up/cases?assigned=unassigned')).json().total).toBe(26);
    const acknowledged = (await c.get('/api/speak-up/cases?status=acknowledged')).json();
    expect(acknowledged.items.map((i: { id: string }) => i.id)).toEqual([recent[1]!.id]);
    expect((await c.get(`/api/speak-up/cases?institutionId=${school.institution.id}`)).statusCode).toBe(404);
    expect((await c.get('/api/speak-up/cases?status=lost')).statusCode).toBe(400);
    // Summaries carry no content.
    expect(JSON.stringify(all)).not.toContain('racist');
  });
});

describe('statistics', () => {
  it('are suppressed aggregates for leads, handlers and admins; a 404 for members', async () => {
    const db = t.database.db;
    const s = await buildSchool(t);
    const body = ReportSubmissionSchema.parse(reportBody(s.institution.id));
    // Thirteen reports last month (a complete month), one this month.
    const now = new Date();
    const lastMonthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 10, 12));
    for (let i = 0; i < 12; i++) await submitReport(t.app.services, body, { receivedAt: lastMonthStart });
    await submitReport(
      t.app.services,
      { ...body, where: { setting: 'placement', providerId: s.providerA.id } },
      { receivedAt: lastMonthStart },
    );
    // One this month: not counted until the month ends.
    await submitReport(t.app.services, body);
    const lead = await signIn(t, s.lead);
    const r = await lead.get(`/api/speak-up/institutions/${s.institution.id}/statistics`);
    expect(r.statusCode).toBe(200);
    const stats = r.json();
    expect(stats.total).toEqual({ value: 15, display: '15', suppressed: false });
    const setting = Object.fromEntries(
      stats.bySetting.map((row: { key: string; count: { display: string } }) => [row.key, row.count.display]),
    );
    expect(setting).toEqual({ campus: '..', placement: 'fewer than 5' });
    expect(stats.byProvider.find((p: { key: string }) => p.key === s.providerA.id).count.display).toBe(
      'fewer than 5',
    );
    expect(stats.medianDaysToAcknowledge).toMatchObject({ suppressed: true, display: '..' });
    expect(r.body).not.toMatch(/R-[0-9A-Z]{4}-[0-9A-Z]{4}/);
    const handler = await signIn(t, s.handler);
    expect((await handler.get(`/api/speak-up/institutions/${s.institution.id}/statistics`)).statusCode).toBe(
      200,
    );
    const member = await signIn(t, s.member);
    expect((await member.get(`/api/speak-up/institutions/${s.institution.id}/statistics`)).statusCode).toBe(
      404,
    );
    expect(
      (await t.client().get(`/api/speak-up/institutions/${s.institution.id}/statistics`)).statusCode,
    ).toBe(401);
    const n = (
      await db
        .select({ n: sql<number>`count(*)::int` })
        .from(reports)
        .where(and(eq(reports.institutionId, s.institution.id)))
    )[0]!.n;
    expect(n).toBe(14);
  });

  it('a lead cannot difference statistics across a case closing', async () => {
    const db = t.database.db;
    const s = await buildSchool(t);
    const body = ReportSubmissionSchema.parse(reportBody(s.institution.id));
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 10, 12));
    const report = await submitReport(t.app.services, body, { receivedAt: lastMonth });
    const lead = await signIn(t, s.lead);
    const read = async () =>
      (await lead.get(`/api/speak-up/institutions/${s.institution.id}/statistics`)).body;
    const before = await read();
    const outcomes = (JSON.parse(before) as { byOutcome: { count: { display: string } }[] }).byOutcome;
    // No outcome yet: shown as "fewer than 5", exactly like a count of 1 to 4.
    expect(new Set(outcomes.map((o) => o.count.display))).toEqual(new Set(['fewer than 5']));

    // The one case closes (and more arrive, dated last month); the lead asks again.
    await db
      .update(reports)
      .set({
        status: 'closed',
        outcome: 'complaint_upheld',
        acknowledgedAt: now,
        assessingAt: now,
        actionAt: now,
        actionKind: 'formal_complaint',
        closedAt: now,
      })
      .where(eq(reports.id, report.id));
    for (let i = 0; i < 6; i++) await submitReport(t.app.services, body, { receivedAt: lastMonth });
    // Published figures for a period that has ended are frozen: nothing to subtract.
    expect(await read()).toBe(before);
    const handler = await signIn(t, s.handler);
    expect((await handler.get(`/api/speak-up/institutions/${s.institution.id}/statistics`)).body).toBe(
      before,
    );
  });
});
