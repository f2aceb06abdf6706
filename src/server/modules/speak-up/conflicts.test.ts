import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import { auditEvents, institutionRoles, reportNamedHandlers, users } from '../../../db/schema';
import { ReportSubmissionSchema } from '../../../shared/speak-up/schema';
import { createTestApp, type TestApp } from '../../test/app';
import { buildUser, grantCaseHandler } from '../../test/factories';
import { handlersNamedIn } from './conflicts';
import { submitReport } from './reports';
import { buildSchool, reportBody, signIn } from './testing';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Queue = { items: { id: string }[]; total: number; page: number };

async function submitNaming(institutionId: string, names: string | undefined) {
  const body = ReportSubmissionSchema.parse(
    reportBody(institutionId, { who: { roles: ['consultant'], ...(names ? { names } : {}) } }),
  );
  return submitReport(t.app.services, body);
}

const scans = (userId: string) =>
  t.database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, 'cases.conflict_scan'), eq(auditEvents.actorUserId, userId)));

describe('conflicts of interest found ahead of time', () => {
  it('names the handlers a report names, by whole name, title + surname or e-mail (pure)', () => {
    const handlers = [
      { userId: 'a', name: 'Helen Adeyemi', email: 'h.adeyemi@example.ac.uk' },
      { userId: 'b', name: 'Tom Baker', email: 'tom.baker@example.ac.uk' },
    ];
    expect(handlersNamedIn('It was Dr Adeyemi', handlers).map((h) => h.userId)).toEqual(['a']);
    expect(handlersNamedIn('tom.baker@example.ac.uk and Helen Adeyemi', handlers)).toHaveLength(2);
    expect(handlersNamedIn('Dr Adeyemison', handlers)).toEqual([]);
    expect(handlersNamedIn(null, handlers)).toEqual([]);
  });

  it('are recorded at submission as keyed tokens, never as the handler’s user id', async () => {
    const school = await buildSchool(t, { handler: 'Grace Mwangi' });
    const r = await submitNaming(school.institution.id, 'Ms Mwangi from the Dean’s office');
    const rows = await t.database.db
      .select()
      .from(reportNamedHandlers)
      .where(eq(reportNamedHandlers.reportId, r.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.handlerToken).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.handlerToken).not.toContain(school.handler.id);
    const dump = await queryRows<{ text: string }>(
      t.database.db,
      sql`select string_agg(report_id::text || handler_token, ' ') as text from speak_up_named_handlers`,
    );
    expect(dump[0]!.text).not.toContain(school.handler.id);
    // A report naming nobody on the school's list adds nothing.
    const other = await submitNaming(school.institution.id, 'A porter');
    expect(
      await t.database.db
        .select()
        .from(reportNamedHandlers)
        .where(eq(reportNamedHandlers.reportId, other.id)),
    ).toHaveLength(0);
  });

  it('hide a report from a handler granted the role after it was submitted, in the queue and by id', async () => {
    const school = await buildSchool(t);
    const before = await submitNaming(school.institution.id, 'Professor Okonkwo, the module lead');
    const plain = await submitNaming(school.institution.id, 'A fellow student');
    const late = await buildUser(t.database.db, {
      name: 'Chidi Okonkwo',
      totpMasterKey: t.app.services.masterKey,
    });
    await grantCaseHandler(t.database.db, late.id, school.institution.id);
    const c = await signIn(t, late);

    const queue = (await c.get('/api/speak-up/cases')).json() as Queue;
    expect(queue.items.map((i) => i.id)).toEqual([plain.id]);
    expect(queue.total).toBe(1);
    expect(((await c.get('/api/speak-up/cases?status=received')).json() as Queue).total).toBe(1);
    expect(((await c.get('/api/speak-up/cases?overdue=false')).json() as Queue).total).toBe(1);
    expect((await c.get(`/api/speak-up/cases/${before.id}`)).statusCode).toBe(404);
    // The colleague, not named, sees both.
    const colleague = await signIn(t, school.colleague);
    expect(((await colleague.get('/api/speak-up/cases')).json() as Queue).total).toBe(2);

    // Compared once (audited, without which reports), not on every request.
    expect(await scans(late.id)).toHaveLength(1);
    await c.get('/api/speak-up/cases');
    expect(await scans(late.id)).toHaveLength(1);
    expect((await scans(late.id))[0]!.data).toEqual({ reports: 2 });
  });

  it('are compared again when a handler is renamed, or the role is taken away and granted again', async () => {
    const db = t.database.db;
    const school = await buildSchool(t);
    const handler = await buildUser(db, { name: 'Sam Taylor', totpMasterKey: t.app.services.masterKey });
    await grantCaseHandler(db, handler.id, school.institution.id);
    const c = await signIn(t, handler);
    expect(((await c.get('/api/speak-up/cases')).json() as Queue).total).toBe(0);

    // Submitted while she was a handler under another name: not matched then.
    const married = await submitNaming(school.institution.id, 'Dr Okoro in the skills lab');
    expect(((await c.get('/api/speak-up/cases')).json() as Queue).total).toBe(1);
    await db.update(users).set({ name: 'Sam Okoro' }).where(eq(users.id, handler.id));
    expect(((await c.get('/api/speak-up/cases')).json() as Queue).items.map((i) => i.id)).not.toContain(
      married.id,
    );
    expect((await c.get(`/api/speak-up/cases/${married.id}`)).statusCode).toBe(404);

    // Without the role, new reports are not compared with her; granted again, they are.
    await db
      .delete(institutionRoles)
      .where(
        and(
          eq(institutionRoles.userId, handler.id),
          eq(institutionRoles.institutionId, school.institution.id),
        ),
      );
    const meanwhile = await submitNaming(school.institution.id, 'Sam Okoro, the clinical tutor');
    await grantCaseHandler(db, handler.id, school.institution.id);
    const queue = (await c.get('/api/speak-up/cases')).json() as Queue;
    expect(queue.items.map((i) => i.id)).not.toContain(meanwhile.id);
    expect(queue.total).toBe(0);
    expect(await scans(handler.id)).toHaveLength(3);
  });

  it('a handler renamed away from the report’s name still cannot read it', async () => {
    const db = t.database.db;
    const school = await buildSchool(t);
    const handler = await buildUser(db, { name: 'Amara Osei', totpMasterKey: t.app.services.masterKey });
    await grantCaseHandler(db, handler.id, school.institution.id);
    const c = await signIn(t, handler);
    const named = await submitNaming(school.institution.id, 'Dr Osei, my clinical supervisor');
    const ids = async () => ((await c.get('/api/speak-up/cases')).json() as Queue).items.map((i) => i.id);
    expect(await ids()).not.toContain(named.id);

    // The attack: she renames herself so the report no longer names her, and asks again.
    const renamed = await c.patch('/api/profile', { name: 'Amara Smith' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(await ids()).not.toContain(named.id);
    expect((await c.get(`/api/speak-up/cases/${named.id}`)).statusCode).toBe(404);
    // Nor can she be assigned it by a colleague.
    const colleague = await signIn(t, school.handler);
    const assign = await colleague.post(`/api/speak-up/cases/${named.id}/assign`, { handlerId: handler.id });
    expect(assign.statusCode).toBe(409);
    // A report made after the rename that gives her old name is closed to her too.
    const later = await submitNaming(school.institution.id, 'Amara Osei');
    expect(await ids()).not.toContain(later.id);
    expect((await c.get(`/api/speak-up/cases/${later.id}`)).statusCode).toBe(404);

    // Renaming re-checks at once: a report naming the new name is recorded before any queue look.
    const newName = await submitNaming(school.institution.id, 'Kofi Mensah-Boateng');
    expect((await c.patch('/api/profile', { name: 'Kofi Mensah-Boateng' })).statusCode).toBe(200);
    const tokens = await db
      .select()
      .from(reportNamedHandlers)
      .where(eq(reportNamedHandlers.reportId, newName.id));
    expect(tokens).toHaveLength(1);
    expect((await c.get(`/api/speak-up/cases/${newName.id}`)).statusCode).toBe(404);
    // Renaming back and forth never reopens anything.
    expect((await c.patch('/api/profile', { name: 'Someone Else' })).statusCode).toBe(200);
    for (const id of [named.id, later.id, newName.id]) {
      expect((await c.get(`/api/speak-up/cases/${id}`)).statusCode).toBe(404);
    }
  });

  it('count and page the queue in SQL without the cases that name the handler', async () => {
    const school = await buildSchool(t, { handler: 'Ruth Ellison' });
    const naming = [];
    for (let i = 0; i < 3; i++) naming.push(await submitNaming(school.institution.id, 'Mrs Ellison'));
    const others = [];
    for (let i = 0; i < 27; i++) others.push(await submitNaming(school.institution.id, undefined));
    const c = await signIn(t, school.handler);
    const page1 = (await c.get('/api/speak-up/cases')).json() as Queue;
    const page2 = (await c.get('/api/speak-up/cases?page=2')).json() as Queue;
    const page3 = (await c.get('/api/speak-up/cases?page=3')).json() as Queue;
    expect([page1.total, page1.items.length, page2.items.length, page3.items.length]).toEqual([27, 25, 2, 0]);
    const seen = [...page1.items, ...page2.items].map((i) => i.id);
    expect(new Set(seen).size).toBe(27);
    expect(seen.sort()).toEqual(others.map((o) => o.id).sort());
    const colleague = await signIn(t, school.colleague);
    expect(((await colleague.get('/api/speak-up/cases')).json() as Queue).total).toBe(30);
  });
});
