import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, memberships, notifications } from '../../../db/schema';
import { createTestApp, type TestApp } from '../../test/app';
import { addMember, buildInstitution, buildNetwork, buildUser, TEST_PASSWORD } from '../../test/factories';
import { totpNow } from './credentials';

let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;
beforeAll(async () => {
  t = await createTestApp();
  admin = await signIn(
    await buildUser(t.database.db, { isAdmin: true, totpMasterKey: t.app.services.masterKey }),
  );
});
afterAll(() => t.close());

type Person = { id: string; email: string; name: string; totpSecret: string | null };

async function signIn(user: Person) {
  const c = t.client();
  const r = await c.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
  expect(r.statusCode).toBe(200);
  if (user.totpSecret) {
    expect((await c.post('/api/auth/second-factor', { code: totpNow(user.totpSecret) })).statusCode).toBe(
      200,
    );
  }
  return Object.assign(c, { user });
}

/** A network with a student and a staff co-chair, an action lead, two members; and a stranger. */
async function setup() {
  const db = t.database.db;
  const institution = await buildInstitution(db);
  const network = await buildNetwork(db, institution.id);
  const other = await buildNetwork(db, institution.id);
  const people = {
    studentChair: await buildUser(db, { name: 'Amara Student-Chair' }),
    staffChair: await buildUser(db, { name: 'Ravi Staff-Chair' }),
    actionLead: await buildUser(db, { name: 'Kwame Action-Lead' }),
    member: await buildUser(db, { name: 'Yusuf Member' }),
    member2: await buildUser(db, { name: 'Zara Member' }),
    stranger: await buildUser(db, { name: 'Sam Stranger' }),
  };
  await addMember(db, {
    userId: people.studentChair.id,
    networkId: network.id,
    role: 'lead',
    yearOfStudy: 4,
  });
  await addMember(db, { userId: people.staffChair.id, networkId: network.id, kind: 'staff', role: 'lead' });
  await addMember(db, {
    userId: people.actionLead.id,
    networkId: network.id,
    kind: 'staff',
    role: 'lead',
    leadTitle: 'action_lead',
  });
  await addMember(db, { userId: people.member.id, networkId: network.id, yearOfStudy: 2 });
  await addMember(db, { userId: people.member2.id, networkId: network.id, kind: 'alumnus' });
  await addMember(db, { userId: people.stranger.id, networkId: other.id, role: 'lead' });
  return { institution, network, other, ...people };
}

const membershipOf = async (networkId: string, userId: string) =>
  (
    await t.database.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.networkId, networkId), eq(memberships.userId, userId)))
  )[0] ?? null;
const auditCount = async () =>
  (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(auditEvents))[0]!.n;
const lastAudit = async () =>
  (await t.database.db.select().from(auditEvents).orderBy(sql`seq desc`).limit(1))[0]!;

describe('GET /api/networks', () => {
  it('lists every network with its institution and member count, to anyone', async () => {
    const s = await setup();
    const r = await t.client().get('/api/networks');
    expect(r.statusCode).toBe(200);
    const list = r.json() as { id: string; memberCount: number; institutionName: string }[];
    expect(list.find((n) => n.id === s.network.id)).toMatchObject({
      memberCount: 5,
      institutionName: s.institution.name,
      slug: s.network.slug,
    });
    expect(list.find((n) => n.id === s.other.id)).toMatchObject({ memberCount: 1 });
  });

  it('keeps the member count equal to the memberships through removals and moves', async () => {
    const s = await setup();
    const db = t.database.db;
    await db.delete(memberships).where(eq(memberships.userId, s.member2.id));
    await db
      .update(memberships)
      .set({ networkId: s.other.id })
      .where(and(eq(memberships.userId, s.member.id), eq(memberships.networkId, s.network.id)));
    const list = (await t.client().get('/api/networks')).json() as { id: string; memberCount: number }[];
    expect(list.find((n) => n.id === s.network.id)?.memberCount).toBe(3);
    expect(list.find((n) => n.id === s.other.id)?.memberCount).toBe(2);
    // The kept count and a fresh count agree for every network.
    const drift = await db.execute(
      sql`select n.id from networks n where n.member_count <> (select count(*) from memberships m where m.network_id = n.id)`,
    );
    expect((drift as unknown as { rows: unknown[] }).rows).toEqual([]);
  });
});

describe('GET /api/networks/:slug', () => {
  it('shows the co-chairs as public contacts, students first, and nothing about others', async () => {
    const s = await setup();
    const r = await t.client().get(`/api/networks/${s.network.slug}`);
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.coChairs).toEqual([
      { name: 'Amara Student-Chair', kind: 'student' },
      { name: 'Ravi Staff-Chair', kind: 'staff' },
    ]);
    expect(JSON.stringify(body)).not.toContain('@');
    expect(body.viewer).toEqual({ isMember: false, isLead: false, canManage: false });
  });

  it('tells the viewer what they may do', async () => {
    const s = await setup();
    const url = `/api/networks/${s.network.slug}`;
    const member = await signIn(s.member);
    const lead = await signIn(s.actionLead);
    expect((await member.get(url)).json().viewer).toEqual({
      isMember: true,
      isLead: false,
      canManage: false,
    });
    expect((await lead.get(url)).json().viewer).toEqual({ isMember: true, isLead: true, canManage: true });
    expect((await admin.get(url)).json().viewer).toEqual({ isMember: false, isLead: false, canManage: true });
  });

  it('answers 404 for an unknown network', async () => {
    const r = await t.client().get('/api/networks/no-such-network');
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('GET /api/networks/:id/members', () => {
  it('shows members the list without e-mail addresses', async () => {
    const s = await setup();
    const member = await signIn(s.member);
    const r = await member.get(`/api/networks/${s.network.id}/members`);
    expect(r.statusCode).toBe(200);
    const list = r.json() as { name: string; email: string | null; role: string }[];
    expect(list).toHaveLength(5);
    expect(list.every((m) => m.email === null)).toBe(true);
    // Leads first: co-chairs, then action leads, then members by name.
    expect(list.map((m) => m.name)).toEqual([
      'Amara Student-Chair',
      'Ravi Staff-Chair',
      'Kwame Action-Lead',
      'Yusuf Member',
      'Zara Member',
    ]);
  });

  it('shows leads and admins the e-mail addresses', async () => {
    const s = await setup();
    for (const c of [await signIn(s.actionLead), admin]) {
      const list = (await c.get(`/api/networks/${s.network.id}/members`)).json() as { email: string }[];
      expect(list.map((m) => m.email)).toContain(s.member.email);
    }
  });

  it('answers 404 to a non-member, 401 when signed out, 404 for an unknown network', async () => {
    const s = await setup();
    const stranger = await signIn(s.stranger);
    expect((await stranger.get(`/api/networks/${s.network.id}/members`)).statusCode).toBe(404);
    expect((await t.client().get(`/api/networks/${s.network.id}/members`)).statusCode).toBe(401);
    expect((await admin.get('/api/networks/00000000-0000-4000-8000-000000000000/members')).statusCode).toBe(
      404,
    );
    expect((await admin.get('/api/networks/not-a-uuid/members')).statusCode).toBe(400);
  });
});

describe('PUT /api/networks/:id/members/:userId', () => {
  const asMember = { kind: 'student', yearOfStudy: 3, role: 'member', leadTitle: null };
  const asActionLead = { kind: 'student', yearOfStudy: 2, role: 'lead', leadTitle: 'action_lead' };

  it('lets a co-chair appoint an action lead, and audits before and after', async () => {
    const s = await setup();
    const chair = await signIn(s.studentChair);
    const r = await chair.put(`/api/networks/${s.network.id}/members/${s.member.id}`, asActionLead);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      userId: s.member.id,
      role: 'lead',
      leadTitle: 'action_lead',
      email: s.member.email,
    });
    expect(await membershipOf(s.network.id, s.member.id)).toMatchObject({
      role: 'lead',
      leadTitle: 'action_lead',
    });
    const event = await lastAudit();
    expect(event).toMatchObject({
      action: 'memberships.update',
      actorUserId: s.studentChair.id,
      subjectType: 'network',
      subjectId: s.network.id,
    });
    expect(event.data).toMatchObject({
      userId: s.member.id,
      before: { role: 'member', leadTitle: null },
      after: { role: 'lead', leadTitle: 'action_lead' },
    });
  });

  it('lets an action lead update a member’s year but not appoint leads or change a co-chair', async () => {
    const s = await setup();
    const lead = await signIn(s.actionLead);
    const ok = await lead.put(`/api/networks/${s.network.id}/members/${s.member.id}`, asMember);
    expect(ok.statusCode).toBe(200);
    expect((await membershipOf(s.network.id, s.member.id))?.yearOfStudy).toBe(3);

    const before = await auditCount();
    const promote = await lead.put(`/api/networks/${s.network.id}/members/${s.member.id}`, asActionLead);
    expect(promote.statusCode).toBe(403);
    const demoteChair = await lead.put(`/api/networks/${s.network.id}/members/${s.staffChair.id}`, {
      kind: 'staff',
      yearOfStudy: null,
      role: 'member',
      leadTitle: null,
    });
    expect(demoteChair.statusCode).toBe(403);
    expect(await membershipOf(s.network.id, s.member.id)).toMatchObject({ role: 'member', yearOfStudy: 3 });
    expect(await membershipOf(s.network.id, s.staffChair.id)).toMatchObject({ leadTitle: 'co_chair' });
    expect(await auditCount()).toBe(before);
  });

  it('refuses members (403), strangers (404) and the signed-out (401), changing nothing', async () => {
    const s = await setup();
    const url = `/api/networks/${s.network.id}/members/${s.member2.id}`;
    const before = await auditCount();
    expect((await (await signIn(s.member)).put(url, asActionLead)).statusCode).toBe(403);
    expect((await (await signIn(s.stranger)).put(url, asActionLead)).statusCode).toBe(404);
    expect((await t.client().put(url, asActionLead)).statusCode).toBe(401);
    expect(await membershipOf(s.network.id, s.member2.id)).toMatchObject({ role: 'member', kind: 'alumnus' });
    expect(await auditCount()).toBe(before);
  });

  it('answers 404 for someone who is not a member, and 400 for an inconsistent body', async () => {
    const s = await setup();
    const chair = await signIn(s.staffChair);
    expect(
      (await chair.put(`/api/networks/${s.network.id}/members/${s.stranger.id}`, asMember)).statusCode,
    ).toBe(404);
    expect(await membershipOf(s.network.id, s.stranger.id)).toBeNull();
    const bad = await chair.put(`/api/networks/${s.network.id}/members/${s.member.id}`, {
      ...asMember,
      yearOfStudy: null,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields[0].path).toBe('yearOfStudy');
  });

  it('keeps at least one co-chair', async () => {
    const db = t.database.db;
    const institution = await buildInstitution(db);
    const network = await buildNetwork(db, institution.id);
    const chair = await buildUser(db);
    await addMember(db, { userId: chair.id, networkId: network.id, kind: 'staff', role: 'lead' });
    const c = await signIn(chair);
    const before = await auditCount();
    const r = await c.put(`/api/networks/${network.id}/members/${chair.id}`, {
      kind: 'staff',
      yearOfStudy: null,
      role: 'lead',
      leadTitle: 'action_lead',
    });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.message).toBe(
      'A network keeps at least one co-chair. Appoint another co-chair first.',
    );
    expect(await membershipOf(network.id, chair.id)).toMatchObject({ leadTitle: 'co_chair' });
    expect((await c.delete(`/api/networks/${network.id}/members/${chair.id}`)).statusCode).toBe(409);
    expect(await membershipOf(network.id, chair.id)).not.toBeNull();
    expect(await auditCount()).toBe(before);
  });

  it('a co-chair cannot triple their poll weight by relabelling themselves', async () => {
    const s = await setup();
    const staffChair = await signIn(s.staffChair);
    const before = await auditCount();
    const asStudent = { kind: 'student', yearOfStudy: 2, role: 'lead', leadTitle: 'co_chair' };
    const self = await staffChair.put(`/api/networks/${s.network.id}/members/${s.staffChair.id}`, asStudent);
    expect(self.statusCode).toBe(403);
    expect(self.json().error.message).toMatch(/another co-chair/);
    // Nor may an admin relabel themselves.
    await addMember(t.database.db, { userId: admin.user.id, networkId: s.network.id, kind: 'staff' });
    const adminSelf = await admin.put(`/api/networks/${s.network.id}/members/${admin.user.id}`, {
      ...asMember,
      kind: 'student',
    });
    expect(adminSelf.statusCode).toBe(403);
    expect(await membershipOf(s.network.id, s.staffChair.id)).toMatchObject({ kind: 'staff' });
    expect(await membershipOf(s.network.id, admin.user.id)).toMatchObject({ kind: 'staff' });
    expect(await auditCount()).toBe(before);
    // The other co-chair may make the change (they approve it), and it is audited.
    const approved = await (await signIn(s.studentChair)).put(
      `/api/networks/${s.network.id}/members/${s.staffChair.id}`,
      asStudent,
    );
    expect(approved.statusCode).toBe(200);
    expect(await membershipOf(s.network.id, s.staffChair.id)).toMatchObject({ kind: 'student' });
  });

  it('changing one’s own kind is a request that another co-chair approves', async () => {
    const s = await setup();
    const staffChair = await signIn(s.staffChair);
    const url = `/api/networks/${s.network.id}/kind-request`;
    expect((await staffChair.post(url, { kind: 'staff' })).statusCode).toBe(409);
    const asked = await staffChair.post(url, { kind: 'student', yearOfStudy: 2 });
    expect(asked.statusCode, asked.body).toBe(202);
    expect(await membershipOf(s.network.id, s.staffChair.id)).toMatchObject({ kind: 'staff' });
    expect(await lastAudit()).toMatchObject({
      action: 'memberships.kind_request',
      actorUserId: s.staffChair.id,
      data: { from: { kind: 'staff', yearOfStudy: null }, to: { kind: 'student', yearOfStudy: 2 } },
    });
    const told = await t.database.db
      .select()
      .from(notifications)
      .where(eq(notifications.kind, 'network.kind_request'));
    expect(told.map((n) => n.userId)).toEqual([s.studentChair.id]);
    expect(told[0]!.subject).toBe(
      `${s.staffChair.name} asks to be recorded as a student in year 2 in ${s.network.name}`,
    );
    // Strangers are not told the network exists.
    expect((await (await signIn(s.stranger)).post(url, { kind: 'staff' })).statusCode).toBe(404);
    // The other co-chair approves by making the change.
    const approved = await (await signIn(s.studentChair)).put(
      `/api/networks/${s.network.id}/members/${s.staffChair.id}`,
      { kind: 'student', yearOfStudy: 2, role: 'lead', leadTitle: 'co_chair' },
    );
    expect(approved.statusCode).toBe(200);
  });

  it('an action lead cannot relabel a member to weigh their poll answers', async () => {
    const s = await setup();
    const lead = await signIn(s.actionLead);
    const r = await lead.put(`/api/networks/${s.network.id}/members/${s.member2.id}`, {
      kind: 'student',
      yearOfStudy: 1,
      role: 'member',
      leadTitle: null,
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.message).toBe(
      'Only co-chairs and administrators may change whether someone is a student, staff or alumnus.',
    );
    expect(await membershipOf(s.network.id, s.member2.id)).toMatchObject({ kind: 'alumnus' });
  });

  it('an admin who makes themselves a lead is announced to the co-chairs', async () => {
    const s = await setup();
    const add = await admin.post(`/api/admin/networks/${s.network.id}/members`, {
      userId: admin.user.id,
      kind: 'staff',
      yearOfStudy: null,
      role: 'member',
      leadTitle: null,
    });
    expect(add.statusCode).toBe(201);
    const promote = await admin.put(`/api/networks/${s.network.id}/members/${admin.user.id}`, {
      kind: 'staff',
      yearOfStudy: null,
      role: 'lead',
      leadTitle: 'co_chair',
    });
    expect(promote.statusCode).toBe(200);
    for (const chair of [s.studentChair, s.staffChair]) {
      const told = await t.database.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, chair.id), eq(notifications.kind, 'network.self_appointed')))
        .orderBy(notifications.createdAt);
      expect(told.map((n) => n.subject)).toEqual([
        expect.stringMatching(/made themselves a member of/),
        expect.stringMatching(/made themselves a co-chair of/),
      ]);
    }
    // Members and the action lead are not told; the admin is not told about themselves.
    for (const other of [s.member, s.actionLead, admin.user]) {
      const told = await t.database.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, other.id), eq(notifications.kind, 'network.self_appointed')));
      expect(told).toHaveLength(0);
    }
  });

  it('lets a co-chair step down when another co-chair remains', async () => {
    const s = await setup();
    const chair = await signIn(s.studentChair);
    const r = await chair.put(`/api/networks/${s.network.id}/members/${s.studentChair.id}`, asMember);
    expect(r.statusCode).toBe(200);
    expect(await membershipOf(s.network.id, s.studentChair.id)).toMatchObject({
      role: 'member',
      leadTitle: null,
    });
  });
});

describe('DELETE /api/networks/:id/members/:userId', () => {
  it('lets a member leave, and audits it', async () => {
    const s = await setup();
    const member = await signIn(s.member);
    expect((await member.delete(`/api/networks/${s.network.id}/members/${s.member.id}`)).statusCode).toBe(
      204,
    );
    expect(await membershipOf(s.network.id, s.member.id)).toBeNull();
    expect(await lastAudit()).toMatchObject({
      action: 'memberships.remove',
      actorUserId: s.member.id,
      subjectId: s.network.id,
      data: { userId: s.member.id, left: true },
    });
  });

  it('lets a lead remove a member', async () => {
    const s = await setup();
    const lead = await signIn(s.actionLead);
    expect((await lead.delete(`/api/networks/${s.network.id}/members/${s.member2.id}`)).statusCode).toBe(204);
    expect(await membershipOf(s.network.id, s.member2.id)).toBeNull();
  });

  it('refuses members removing others (403), strangers (404), signed out (401), action lead vs co-chair (403)', async () => {
    const s = await setup();
    const before = await auditCount();
    const url = (userId: string) => `/api/networks/${s.network.id}/members/${userId}`;
    expect((await (await signIn(s.member)).delete(url(s.member2.id))).statusCode).toBe(403);
    expect((await (await signIn(s.stranger)).delete(url(s.member2.id))).statusCode).toBe(404);
    expect((await t.client().delete(url(s.member2.id))).statusCode).toBe(401);
    expect((await (await signIn(s.actionLead)).delete(url(s.studentChair.id))).statusCode).toBe(403);
    expect((await admin.delete(url(s.stranger.id))).statusCode).toBe(404);
    expect(await membershipOf(s.network.id, s.member2.id)).not.toBeNull();
    expect(await membershipOf(s.network.id, s.studentChair.id)).not.toBeNull();
    expect(await auditCount()).toBe(before);
  });

  it('lets a co-chair or an admin remove a lead', async () => {
    const s = await setup();
    const chair = await signIn(s.staffChair);
    expect((await chair.delete(`/api/networks/${s.network.id}/members/${s.actionLead.id}`)).statusCode).toBe(
      204,
    );
    expect(
      (await admin.delete(`/api/networks/${s.network.id}/members/${s.studentChair.id}`)).statusCode,
    ).toBe(204);
    expect(await membershipOf(s.network.id, s.actionLead.id)).toBeNull();
    expect(await membershipOf(s.network.id, s.studentChair.id)).toBeNull();
  });
});
