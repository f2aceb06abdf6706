import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEvents,
  institutionRoles,
  institutions,
  memberships,
  networks,
  passwordResetRequests,
  sessions,
  users,
} from '../../../db/schema';
import { createTestApp, type TestApp } from '../../test/app';
import {
  addMember,
  buildInstitution,
  buildNetwork,
  buildUser,
  grantCaseHandler,
  TEST_PASSWORD,
} from '../../test/factories';
import { handlePasswordResetRequests } from './account';
import { totpNow } from './credentials';

let t: TestApp;
let adminUser: Person;
let admin: Awaited<ReturnType<typeof signIn>>;
beforeAll(async () => {
  t = await createTestApp();
  adminUser = await buildUser(t.database.db, {
    name: 'Aaron Admin',
    isAdmin: true,
    totpMasterKey: t.app.services.masterKey,
  });
  admin = await signIn(adminUser);
});
afterAll(() => t.close());

type Person = { id: string; email: string; name: string; totpSecret: string | null };
async function signIn(user: Person, secondFactor = true) {
  const c = t.client();
  expect((await c.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD })).statusCode).toBe(
    200,
  );
  if (user.totpSecret && secondFactor) {
    expect((await c.post('/api/auth/second-factor', { code: totpNow(user.totpSecret) })).statusCode).toBe(
      200,
    );
  }
  return c;
}

const count = async (
  table:
    | typeof auditEvents
    | typeof institutions
    | typeof networks
    | typeof institutionRoles
    | typeof memberships,
) => (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;
const lastAudit = async () =>
  (await t.database.db.select().from(auditEvents).orderBy(sql`seq desc`).limit(1))[0]!;

describe('who may use the admin routes', () => {
  it('refuses the signed-out (401), non-admins (403), admins owing their code (401), writing nothing', async () => {
    const db = t.database.db;
    const institution = await buildInstitution(db);
    const network = await buildNetwork(db, institution.id);
    const lead = await buildUser(db);
    await addMember(db, { userId: lead.id, networkId: network.id, role: 'lead' });
    const halfSignedIn = await signIn(
      await buildUser(db, { isAdmin: true, totpMasterKey: t.app.services.masterKey }),
      false,
    );
    const clients = { signedOut: t.client(), lead: await signIn(lead), halfSignedIn };
    const requests: [string, string, unknown?][] = [
      ['GET', '/api/admin/institutions'],
      ['POST', '/api/admin/institutions', { name: 'X School', slug: 'x-school' }],
      ['POST', '/api/admin/networks', { institutionId: institution.id, name: 'N', slug: 'n-net' }],
      ['PATCH', `/api/admin/networks/${network.id}`, { name: 'Renamed' }],
      ['POST', `/api/admin/networks/${network.id}/members`, { userId: lead.id, kind: 'staff' }],
      ['GET', '/api/admin/users'],
      ['PATCH', `/api/admin/users/${lead.id}`, { isAdmin: true }],
      ['PUT', `/api/admin/institutions/${institution.id}/case-handlers/${lead.id}`],
      ['DELETE', `/api/admin/institutions/${institution.id}/case-handlers/${lead.id}`],
      ['GET', '/api/admin/mail-outbox'],
      ['GET', '/api/admin/audit'],
      ['GET', '/api/admin/audit/verify'],
    ];
    const before = { audit: await count(auditEvents), institutions: await count(institutions) };
    for (const [method, url, body] of requests) {
      const codes = [];
      for (const c of Object.values(clients)) {
        codes.push((await c.request(method as 'GET', url, body === undefined ? {} : { body })).statusCode);
      }
      expect({ method, url, codes }).toEqual({ method, url, codes: [401, 403, 401] });
    }
    expect({ audit: await count(auditEvents), institutions: await count(institutions) }).toEqual(before);
    const [row] = await db.select().from(users).where(eq(users.id, lead.id));
    expect(row!.isAdmin).toBe(false);
    expect(await db.select().from(networks).where(eq(networks.name, 'Renamed'))).toEqual([]);
  });
});

describe('institutions', () => {
  it('creates an institution, lists it, and refuses a taken slug with a field error', async () => {
    const r = await admin.post('/api/admin/institutions', {
      name: 'Westbridge Medical School',
      slug: 'westbridge',
    });
    expect(r.statusCode).toBe(201);
    const created = r.json();
    expect(created).toMatchObject({ name: 'Westbridge Medical School', slug: 'westbridge', networkCount: 0 });
    expect(await lastAudit()).toMatchObject({
      action: 'institutions.create',
      actorUserId: adminUser.id,
      subjectId: created.id,
    });
    await buildNetwork(t.database.db, created.id);
    const list = (await admin.get('/api/admin/institutions')).json() as {
      id: string;
      networkCount: number;
    }[];
    expect(list.find((i) => i.id === created.id)?.networkCount).toBe(1);

    const before = { audit: await count(auditEvents), institutions: await count(institutions) };
    const taken = await admin.post('/api/admin/institutions', { name: 'Another', slug: 'westbridge' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.fields).toEqual([{ path: 'slug', message: expect.any(String) }]);
    const bad = await admin.post('/api/admin/institutions', { name: 'Bad', slug: 'Not A Slug' });
    expect(bad.statusCode).toBe(400);
    expect({ audit: await count(auditEvents), institutions: await count(institutions) }).toEqual(before);
  });
});

describe('networks', () => {
  it('creates and updates a network, audited', async () => {
    const institution = await buildInstitution(t.database.db, { name: 'Eastmoor Medical School' });
    const r = await admin.post('/api/admin/networks', {
      institutionId: institution.id,
      name: 'EastRACE',
      slug: 'eastrace',
      description: 'Student–staff racial-justice network.',
    });
    expect(r.statusCode).toBe(201);
    const network = r.json();
    expect(network).toMatchObject({
      name: 'EastRACE',
      slug: 'eastrace',
      institutionName: 'Eastmoor Medical School',
      memberCount: 0,
    });
    expect(await lastAudit()).toMatchObject({ action: 'networks.create', subjectId: network.id });

    const updated = await admin.patch(`/api/admin/networks/${network.id}`, {
      name: 'EastRACE Network',
      visitorsMayRaiseConcerns: true,
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({
      name: 'EastRACE Network',
      description: 'Student–staff racial-justice network.',
    });
    const [row] = await t.database.db.select().from(networks).where(eq(networks.id, network.id));
    expect(row!.visitorsMayRaiseConcerns).toBe(true);
    const event = await lastAudit();
    expect(event).toMatchObject({ action: 'networks.update', subjectId: network.id });
    expect(event.data).toEqual({
      before: { name: 'EastRACE', visitorsMayRaiseConcerns: false },
      after: { name: 'EastRACE Network', visitorsMayRaiseConcerns: true },
    });
  });

  it('refuses a taken slug (409), an unknown institution (404) and an unknown network (404)', async () => {
    const institution = await buildInstitution(t.database.db);
    const existing = await buildNetwork(t.database.db, institution.id);
    const before = { audit: await count(auditEvents), networks: await count(networks) };
    const taken = await admin.post('/api/admin/networks', {
      institutionId: institution.id,
      name: 'Dup',
      slug: existing.slug,
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.fields[0].path).toBe('slug');
    const noInstitution = await admin.post('/api/admin/networks', {
      institutionId: '00000000-0000-4000-8000-000000000000',
      name: 'Orphan',
      slug: 'orphan',
    });
    expect(noInstitution.statusCode).toBe(404);
    const unknown = await admin.patch('/api/admin/networks/00000000-0000-4000-8000-000000000000', {
      name: 'X',
    });
    expect(unknown.statusCode).toBe(404);
    expect({ audit: await count(auditEvents), networks: await count(networks) }).toEqual(before);
  });

  it('adds an existing account to a network directly, once', async () => {
    const institution = await buildInstitution(t.database.db);
    const network = await buildNetwork(t.database.db, institution.id);
    const person = await buildUser(t.database.db);
    const url = `/api/admin/networks/${network.id}/members`;
    const r = await admin.post(url, {
      userId: person.id,
      kind: 'staff',
      yearOfStudy: null,
      role: 'lead',
      leadTitle: 'co_chair',
    });
    expect(r.statusCode).toBe(201);
    const [row] = await t.database.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, person.id), eq(memberships.networkId, network.id)));
    expect(row).toMatchObject({ kind: 'staff', role: 'lead', leadTitle: 'co_chair' });
    expect(await lastAudit()).toMatchObject({
      action: 'memberships.create',
      subjectId: network.id,
      data: { userId: person.id },
    });

    const before = { audit: await count(auditEvents), memberships: await count(memberships) };
    expect((await admin.post(url, { userId: person.id, kind: 'staff' })).statusCode).toBe(409);
    expect(
      (await admin.post(url, { userId: '00000000-0000-4000-8000-000000000000', kind: 'staff' })).statusCode,
    ).toBe(404);
    const noYear = await admin.post(url, { userId: (await buildUser(t.database.db)).id, kind: 'student' });
    expect(noYear.statusCode).toBe(400);
    expect(noYear.json().error.fields[0].path).toBe('yearOfStudy');
    expect(
      (
        await admin.post('/api/admin/networks/00000000-0000-4000-8000-000000000000/members', {
          userId: person.id,
          kind: 'staff',
        })
      ).statusCode,
    ).toBe(404);
    expect({ audit: await count(auditEvents), memberships: await count(memberships) }).toEqual(before);
  });
});

describe('users', () => {
  it('filters people by school, network, role and kind, with the search, and says who is a student', async () => {
    const db = t.database.db;
    const tag = `zf${Date.now()}`;
    const school = await buildInstitution(db);
    const other = await buildInstitution(db);
    const north = await buildNetwork(db, school.id);
    const south = await buildNetwork(db, school.id);
    const elsewhere = await buildNetwork(db, other.id);
    const chair = await buildUser(db, { name: `${tag} Chair` });
    const staff = await buildUser(db, { name: `${tag} Staff` });
    const handler = await buildUser(db, { name: `${tag} Handler` });
    const outsider = await buildUser(db, { name: `${tag} Outsider` });
    await addMember(db, {
      userId: chair.id,
      networkId: north.id,
      kind: 'student',
      yearOfStudy: 2,
      role: 'lead',
      leadTitle: 'co_chair',
    });
    await addMember(db, { userId: staff.id, networkId: south.id, kind: 'staff' });
    await grantCaseHandler(db, handler.id, school.id);
    await addMember(db, {
      userId: outsider.id,
      networkId: elsewhere.id,
      kind: 'student',
      yearOfStudy: 1,
      role: 'lead',
      leadTitle: 'co_chair',
    });
    const names = async (filters: Record<string, string>) => {
      const r = await admin.get(`/api/admin/users?${new URLSearchParams({ q: tag, ...filters })}`);
      expect(r.statusCode).toBe(200);
      return (r.json() as { users: { name: string }[] }).users.map((u) => u.name.replace(`${tag} `, ''));
    };
    expect(await names({ institutionId: school.id })).toEqual(['Chair', 'Handler', 'Staff']);
    expect(await names({ networkId: south.id })).toEqual(['Staff']);
    expect(await names({ role: 'co_chair' })).toEqual(['Chair', 'Outsider']);
    expect(await names({ role: 'co_chair', institutionId: school.id })).toEqual(['Chair']);
    expect(await names({ role: 'case_handler' })).toEqual(['Handler']);
    expect(await names({ kind: 'student', institutionId: other.id })).toEqual(['Outsider']);
    const listed = (await admin.get(`/api/admin/users?q=${tag}`)).json().users as {
      name: string;
      isStudent: boolean;
    }[];
    expect(listed.filter((u) => u.isStudent).map((u) => u.name)).toEqual([`${tag} Chair`, `${tag} Outsider`]);
    expect((await admin.get('/api/admin/users?role=owner')).statusCode).toBe(400);
  });

  it('searches by name or e-mail, ordered by name, 50 to a page', async () => {
    const db = t.database.db;
    const tag = `zq${Date.now()}`;
    for (let i = 0; i < 53; i++) {
      await buildUser(db, {
        name: `${tag} Person ${String(i).padStart(2, '0')}`,
        email: `p${i}.${tag}@example.ac.uk`,
      });
    }
    await buildUser(db, { name: 'Percent Person', email: `percent_100%.${tag}@example.ac.uk` });
    const page1 = (await admin.get(`/api/admin/users?q=${tag}`)).json();
    expect(page1).toMatchObject({ total: 54, page: 1, pageSize: 50 });
    expect(page1.users).toHaveLength(50);
    expect(page1.users[0]).toMatchObject({
      name: 'Percent Person',
      isAdmin: false,
      hasTotp: false,
      disabled: false,
    });
    expect(page1.users[1].name).toBe(`${tag} Person 00`);
    expect(page1.users[0]).not.toHaveProperty('passwordHash');
    const page2 = (await admin.get(`/api/admin/users?q=${tag}&page=2`)).json();
    expect(page2.users.map((u: { name: string }) => u.name)).toEqual([
      `${tag} Person 49`,
      `${tag} Person 50`,
      `${tag} Person 51`,
      `${tag} Person 52`,
    ]);
    // Case-insensitive; % and _ are plain characters, not wildcards.
    expect((await admin.get(`/api/admin/users?q=${tag.toUpperCase()} PERSON 07`)).json().total).toBe(1);
    expect((await admin.get(`/api/admin/users?q=${encodeURIComponent('_100%')}`)).json().total).toBe(1);
    expect((await admin.get(`/api/admin/users?q=${encodeURIComponent('p1%')}`)).json().total).toBe(0);
    expect((await admin.get('/api/admin/users?page=0')).statusCode).toBe(400);
    expect((await admin.get('/api/admin/users?other=1')).statusCode).toBe(400);
  });

  it('reports case handling and network counts', async () => {
    const db = t.database.db;
    const institution = await buildInstitution(db);
    const network = await buildNetwork(db, institution.id);
    const person = await buildUser(db, { name: `Handler ${Date.now()}` });
    await addMember(db, { userId: person.id, networkId: network.id, kind: 'staff' });
    await db
      .insert(institutionRoles)
      .values({ userId: person.id, institutionId: institution.id, role: 'case_handler' });
    const list = (await admin.get(`/api/admin/users?q=${encodeURIComponent(person.name)}`)).json();
    expect(list.users).toEqual([
      expect.objectContaining({ id: person.id, caseHandlerOf: [institution.id], networkCount: 1 }),
    ]);
  });

  it('disables an account (ending its sessions), re-enables it, and grants admin rights; audited', async () => {
    const db = t.database.db;
    const person = await buildUser(db);
    const theirs = await signIn(person);
    const disabled = await admin.patch(`/api/admin/users/${person.id}`, { disabled: true });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toMatchObject({ id: person.id, disabled: true, isAdmin: false });
    expect(await db.select().from(sessions).where(eq(sessions.userId, person.id))).toEqual([]);
    expect((await theirs.get('/api/session')).json()).toMatchObject({ stage: 'signed_out' });
    expect(
      (await t.client().post('/api/auth/sign-in', { email: person.email, password: TEST_PASSWORD }))
        .statusCode,
    ).toBe(401);
    const event = await lastAudit();
    expect(event).toMatchObject({
      action: 'users.admin_flags',
      actorUserId: adminUser.id,
      subjectId: person.id,
    });
    expect(event.data).toEqual({
      before: { isAdmin: false, disabled: false },
      after: { isAdmin: false, disabled: true },
    });

    const enabled = await admin.patch(`/api/admin/users/${person.id}`, { disabled: false, isAdmin: true });
    expect(enabled.json()).toMatchObject({ disabled: false, isAdmin: true });
    // A new admin without TOTP must enrol before doing anything else.
    const c = t.client();
    const signedIn = await c.post('/api/auth/sign-in', { email: person.email, password: TEST_PASSWORD });
    expect(signedIn.json()).toMatchObject({ stage: 'enrol_totp' });
  });

  it('refuses an admin changing their own flags (403) and unknown people (404), writing nothing', async () => {
    const before = await count(auditEvents);
    const self = await admin.patch(`/api/admin/users/${adminUser.id}`, { isAdmin: false });
    expect(self.statusCode).toBe(403);
    expect((await admin.patch(`/api/admin/users/${adminUser.id}`, { disabled: true })).statusCode).toBe(403);
    expect(
      (await admin.patch('/api/admin/users/00000000-0000-4000-8000-000000000000', { disabled: true }))
        .statusCode,
    ).toBe(404);
    const [row] = await t.database.db.select().from(users).where(eq(users.id, adminUser.id));
    expect(row).toMatchObject({ isAdmin: true, disabledAt: null });
    expect(await count(auditEvents)).toBe(before);
    expect((await admin.get('/api/session')).json()).toMatchObject({ stage: 'signed_in' });
  });
});

describe('case handlers', () => {
  const roleOf = (userId: string, institutionId: string) =>
    t.database.db
      .select()
      .from(institutionRoles)
      .where(and(eq(institutionRoles.userId, userId), eq(institutionRoles.institutionId, institutionId)));
  const outboxTo = async (email: string) =>
    ((await admin.get('/api/admin/mail-outbox')).json() as { to: string; subject: string }[]).filter(
      (m) => m.to === email,
    );

  it('an admin cannot make themselves a case handler and read every case alone', async () => {
    const db = t.database.db;
    const institution = await buildInstitution(db, { name: 'Leicester Medical School' });
    const existingHandler = await buildUser(db, { totpMasterKey: t.app.services.masterKey });
    await db
      .insert(institutionRoles)
      .values({ userId: existingHandler.id, institutionId: institution.id, role: 'case_handler' });
    // A rogue admin asks for the role for themselves...
    const rogueUser = await buildUser(db, { isAdmin: true, totpMasterKey: t.app.services.masterKey });
    const rogue = await signIn(rogueUser);
    const url = `/api/admin/institutions/${institution.id}/case-handlers/${rogueUser.id}`;
    const asked = await rogue.put(url);
    expect(asked.statusCode).toBe(202);
    const request = asked.json() as { id: string; mayDecide: boolean };
    expect(request).toMatchObject({ userId: rogueUser.id, institutionName: 'Leicester Medical School' });
    expect(await roleOf(rogueUser.id, institution.id)).toHaveLength(0);
    // ...and tries to approve it: refused, still no role.
    const self = await rogue.post(`/api/case-handler-requests/${request.id}/approve`);
    expect(self.statusCode).toBe(403);
    expect(self.json().error.message).toMatch(/someone else must/);
    expect(await roleOf(rogueUser.id, institution.id)).toHaveLength(0);
    // The school's existing handler was told, and can decline.
    expect((await outboxTo(existingHandler.email)).map((m) => m.subject)).toContain(
      'Approval needed: a new case handler for Leicester Medical School',
    );
    const handler = await signIn(existingHandler);
    const seen = (await handler.get('/api/case-handler-requests')).json() as {
      id: string;
      mayDecide: boolean;
    }[];
    expect(seen).toEqual([expect.objectContaining({ id: request.id, mayDecide: true })]);
    expect((await handler.post(`/api/case-handler-requests/${request.id}/decline`)).statusCode).toBe(204);
    expect(await roleOf(rogueUser.id, institution.id)).toHaveLength(0);
    expect(await lastAudit()).toMatchObject({
      action: 'institution_roles.request_declined',
      actorUserId: existingHandler.id,
    });
    expect((await handler.post(`/api/case-handler-requests/${request.id}/approve`)).statusCode).toBe(409);
  });

  it('a second person approves: the role is granted, audited, and the school’s handlers are told', async () => {
    const db = t.database.db;
    const institution = await buildInstitution(db, { name: 'Sheffield Medical School' });
    const existingHandler = await buildUser(db, { totpMasterKey: t.app.services.masterKey });
    await db
      .insert(institutionRoles)
      .values({ userId: existingHandler.id, institutionId: institution.id, role: 'case_handler' });
    const person = await buildUser(db);
    const url = `/api/admin/institutions/${institution.id}/case-handlers/${person.id}`;
    const first = (await admin.put(url)).json() as { id: string; mayDecide: boolean; mayWithdraw: boolean };
    expect(first).toMatchObject({ mayDecide: false, mayWithdraw: true });
    // Asking twice gives the same open request.
    expect(((await admin.put(url)).json() as { id: string }).id).toBe(first.id);
    // The person to be made a handler cannot approve; a handler of another school does not see it.
    const outsiderHandler = await buildUser(db, { totpMasterKey: t.app.services.masterKey });
    const elsewhere = await buildInstitution(db);
    await db
      .insert(institutionRoles)
      .values({ userId: outsiderHandler.id, institutionId: elsewhere.id, role: 'case_handler' });
    const outsider = await signIn(outsiderHandler);
    expect((await outsider.get('/api/case-handler-requests')).json()).toEqual([]);
    expect((await outsider.post(`/api/case-handler-requests/${first.id}/approve`)).statusCode).toBe(404);
    const secondAdminUser = await buildUser(db, { isAdmin: true, totpMasterKey: t.app.services.masterKey });
    const secondAdmin = await signIn(secondAdminUser);
    expect((await secondAdmin.post(`/api/case-handler-requests/${first.id}/approve`)).statusCode).toBe(204);
    expect(await roleOf(person.id, institution.id)).toHaveLength(1);
    expect(await lastAudit()).toMatchObject({
      action: 'institution_roles.grant',
      actorUserId: secondAdminUser.id,
      subjectId: institution.id,
      data: { userId: person.id, role: 'case_handler', requestedBy: adminUser.id },
    });
    expect((await outboxTo(existingHandler.email)).map((m) => m.subject)).toContain(
      `${person.name} is now a case handler for Sheffield Medical School`,
    );
    // Case handlers must use TOTP: this person is now asked to enrol.
    const c = t.client();
    expect(
      (await c.post('/api/auth/sign-in', { email: person.email, password: TEST_PASSWORD })).json(),
    ).toMatchObject({ stage: 'enrol_totp' });
    // Taking the role away needs no second person.
    expect((await admin.delete(url)).statusCode).toBe(204);
    expect((await admin.delete(url)).statusCode).toBe(204);
    expect(await roleOf(person.id, institution.id)).toHaveLength(0);
    expect(await lastAudit()).toMatchObject({ action: 'institution_roles.revoke' });
  });

  it('answers 404 for an unknown institution or person', async () => {
    const institution = await buildInstitution(t.database.db);
    const person = await buildUser(t.database.db);
    const nobody = '00000000-0000-4000-8000-000000000000';
    const before = await count(institutionRoles);
    expect((await admin.put(`/api/admin/institutions/${nobody}/case-handlers/${person.id}`)).statusCode).toBe(
      404,
    );
    expect(
      (await admin.put(`/api/admin/institutions/${institution.id}/case-handlers/${nobody}`)).statusCode,
    ).toBe(404);
    expect(await count(institutionRoles)).toBe(before);
  });
});

describe('mail outbox and audit log', () => {
  it('shows the newest mail first', async () => {
    const institution = await buildInstitution(t.database.db);
    const network = await buildNetwork(t.database.db, institution.id, { name: 'Outbox Network' });
    for (const name of ['First', 'Second']) {
      const r = await admin.post('/api/invitations', {
        email: `${name.toLowerCase()}.${Date.now()}@example.ac.uk`,
        name,
        networkId: network.id,
        kind: 'staff',
      });
      expect(r.statusCode).toBe(201);
    }
    const mail = (await admin.get('/api/admin/mail-outbox')).json() as { to: string; transport: string }[];
    expect(mail.length).toBeGreaterThanOrEqual(2);
    // Invitation e-mails carry no typed names: told apart by their addresses.
    expect(mail[0]!.to).toMatch(/^second\./);
    expect(mail[1]!.to).toMatch(/^first\./);
    expect(mail[0]!.transport).toBe('dev');
  });

  it('the development outbox does not show an admin another account’s working reset or invitation link', async () => {
    const db = t.database.db;
    const institution = await buildInstitution(db);
    const network = await buildNetwork(db, institution.id);
    const victim = await buildUser(db);
    const invited = `invitee-${Date.now()}@example.ac.uk`;
    expect(
      (
        await admin.post('/api/invitations', {
          email: invited,
          name: 'Ina Vitee',
          networkId: network.id,
          kind: 'staff',
        })
      ).statusCode,
    ).toBe(201);
    await t.client().post('/api/auth/password-reset/request', { email: victim.email });
    await t.client().post('/api/auth/password-reset/request', { email: adminUser.email });
    while ((await handlePasswordResetRequests(t.app.services)) > 0) {}
    // Wait for a worker run that may have claimed a request first.
    for (let i = 0; i < 100; i++) {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(passwordResetRequests);
      if (row!.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const outbox = (await admin.get('/api/admin/mail-outbox')).json() as { to: string; text: string }[];
    const token = /\/(?:reset-password|invite)\/[A-Za-z0-9_-]{20,}/;
    const toVictim = outbox.find((m) => m.to === victim.email);
    const toInvitee = outbox.find((m) => m.to === invited);
    expect(toVictim?.text).toMatch(/reset-password\/\[link hidden/);
    expect(toInvitee?.text).toMatch(/invite\/\[link hidden/);
    for (const mail of [toVictim!, toInvitee!]) expect(mail.text).not.toMatch(token);
    // The admin's own mail is shown whole: they can follow their own link.
    expect(outbox.find((m) => m.to === adminUser.email)?.text).toMatch(token);
  });

  it('pages through the audit log newest first, without data, and verifies the chain', async () => {
    const institution = await buildInstitution(t.database.db);
    for (let i = 0; i < 3; i++) {
      await admin.put(
        `/api/admin/institutions/${institution.id}/case-handlers/${(await buildUser(t.database.db)).id}`,
      );
    }
    const total = await count(auditEvents);
    const page = (await admin.get('/api/admin/audit')).json() as { seq: number; action: string }[];
    expect(page.length).toBe(Math.min(total, 50));
    expect(page[0]!.seq).toBe(total);
    expect(page[0]).not.toHaveProperty('data');
    expect(page[0]).toMatchObject({ action: 'institution_roles.request', subjectType: 'institution' });
    const older = (await admin.get(`/api/admin/audit?before=${page[0]!.seq}`)).json() as { seq: number }[];
    expect(older[0]!.seq).toBe(total - 1);
    expect((await admin.get('/api/admin/audit?before=1')).json()).toEqual([]);
    expect((await admin.get('/api/admin/audit?before=abc')).statusCode).toBe(400);

    const verified = (await admin.get('/api/admin/audit/verify')).json();
    expect(verified).toMatchObject({ ok: true, checked: total, problems: [] });
    expect(verified.headHash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    // The head hash to keep elsewhere, and a check against a kept one.
    expect((await admin.get('/api/admin/audit/head')).json()).toMatchObject({
      seq: total,
      hash: verified.headHash,
    });
    const kept = (await admin.get(`/api/admin/audit/verify?expectHead=${verified.headHash}`)).json();
    expect(kept).toMatchObject({ ok: true });
    const missing = (await admin.get(`/api/admin/audit/verify?expectHead=${'0'.repeat(63)}1`)).json();
    expect(missing.problems).toEqual([{ seq: total, problem: 'expected_head_missing' }]);
  });
});
