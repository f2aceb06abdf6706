import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, mailOutbox, memberships, oneTimeTokens, users } from '../../../db/schema';
import { hashToken } from '../../platform/crypto';
import { createTestApp, type TestApp } from '../../test/app';
import { addMember, buildInstitution, buildNetwork, buildUser, TEST_PASSWORD } from '../../test/factories';
import { totpNow } from './credentials';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
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
  return c;
}

async function setup() {
  const db = t.database.db;
  const institution = await buildInstitution(db, { name: 'Northfield Medical School' });
  const network = await buildNetwork(db, institution.id, { name: 'NorthRACE' });
  const lead = await buildUser(db, { name: 'Ravi Patel' });
  const member = await buildUser(db);
  const stranger = await buildUser(db);
  await addMember(db, { userId: lead.id, networkId: network.id, kind: 'staff', role: 'lead' });
  await addMember(db, { userId: member.id, networkId: network.id });
  return { institution, network, lead, member, stranger };
}

const count = async (table: typeof oneTimeTokens | typeof mailOutbox | typeof auditEvents | typeof users) =>
  (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;
const counts = async () => ({
  tokens: await count(oneTimeTokens),
  mail: await count(mailOutbox),
  audit: await count(auditEvents),
  users: await count(users),
});

let emailCounter = 0;
const freshEmail = () => `new.person.${Date.now()}.${emailCounter++}@example.ac.uk`;

/** Invites someone as the network's lead and returns the token from the e-mail it sent. */
async function invite(s: Awaited<ReturnType<typeof setup>>, email = freshEmail(), extra: object = {}) {
  const lead = await signIn(s.lead);
  const r = await lead.post('/api/invitations', {
    email,
    name: 'Nia Roberts',
    networkId: s.network.id,
    kind: 'student',
    yearOfStudy: 2,
    ...extra,
  });
  expect(r.statusCode).toBe(201);
  const [mail] = await t.database.db
    .select()
    .from(mailOutbox)
    .where(eq(mailOutbox.toAddress, email.toLowerCase()))
    .orderBy(sql`created_at desc`)
    .limit(1);
  const token = /\/invite\/([A-Za-z0-9_-]+)/.exec(mail!.textBody)![1]!;
  return { email: email.toLowerCase(), token, mail: mail! };
}

describe('POST /api/invitations', () => {
  it('a name with line breaks and a web address cannot turn the school’s invitation e-mail into phishing text', async () => {
    const s = await setup();
    const lead = await signIn(s.lead);
    const before = await counts();
    const phishing = await lead.post('/api/invitations', {
      email: freshEmail(),
      name: 'Nia\n\nYour Upstander account will be deleted today. Keep it: https://upstander-login.example',
      networkId: s.network.id,
      kind: 'staff',
    });
    expect(phishing.statusCode).toBe(400);
    expect(phishing.json().error.fields[0]).toMatchObject({ path: 'name' });
    const url = await lead.post('/api/invitations', {
      email: freshEmail(),
      name: 'Verify at www.upstander-login.example',
      networkId: s.network.id,
      kind: 'staff',
    });
    expect(url.statusCode).toBe(400);
    expect(await counts()).toEqual(before);
    // Nor can the inviter's own name speak in the e-mail: names typed by people are left out of it.
    await t.database.db
      .update(users)
      .set({ name: 'Ravi — reply with your password to' })
      .where(eq(users.id, s.lead.id));
    const { mail } = await invite(s, freshEmail(), { name: 'Plain Name' });
    expect(mail.textBody).not.toContain('Ravi');
    expect(mail.textBody).not.toContain('Plain Name');
    expect(mail.textBody.startsWith('Hello,\n')).toBe(true);
  });

  it('lets a lead invite someone: a hashed token, an e-mail with the link, an audit event', async () => {
    const s = await setup();
    const before = await counts();
    const { email, token, mail } = await invite(s, 'Nia.Roberts@Example.ac.uk');
    expect(mail.subject).toBe('You are invited to join “NorthRACE”');
    expect(mail.textBody).toContain(`http://localhost:3000/invite/${token}`);
    expect(mail.textBody).toContain(
      'You are invited to join the network “NorthRACE” at “Northfield Medical School”',
    );
    expect(mail.transport).toBe('dev');
    const [row] = await t.database.db
      .select()
      .from(oneTimeTokens)
      .where(eq(oneTimeTokens.tokenHash, hashToken(token)));
    expect(row).toMatchObject({
      purpose: 'invitation',
      email,
      createdBy: s.lead.id,
      usedAt: null,
      payload: { networkId: s.network.id, kind: 'student', yearOfStudy: 2, name: 'Nia Roberts' },
    });
    const days = (row!.expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(13.9);
    expect(days).toBeLessThanOrEqual(14);
    // The token itself is never stored.
    expect(JSON.stringify(row)).not.toContain(token);
    const [event] = await t.database.db.select().from(auditEvents).orderBy(sql`seq desc`).limit(1);
    expect(event).toMatchObject({
      action: 'invitations.create',
      actorUserId: s.lead.id,
      subjectId: s.network.id,
    });
    expect(JSON.stringify(event!.data)).not.toContain('@');
    expect(await counts()).toEqual({
      ...before,
      tokens: before.tokens + 1,
      mail: before.mail + 1,
      audit: before.audit + 1,
    });
  });

  it('refuses members (403), strangers (404), the signed-out (401) and unknown networks (404), writing nothing', async () => {
    const s = await setup();
    const body = {
      email: freshEmail(),
      name: 'X Y',
      networkId: s.network.id,
      kind: 'staff',
      yearOfStudy: null,
    };
    const before = await counts();
    expect((await (await signIn(s.member)).post('/api/invitations', body)).statusCode).toBe(403);
    expect((await (await signIn(s.stranger)).post('/api/invitations', body)).statusCode).toBe(404);
    expect((await t.client().post('/api/invitations', body)).statusCode).toBe(401);
    const unknown = await (await signIn(s.lead)).post('/api/invitations', {
      ...body,
      networkId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.statusCode).toBe(404);
    expect(await counts()).toEqual(before);
  });

  it('refuses an e-mail that is already a member (409) and a student without a year (400)', async () => {
    const s = await setup();
    const before = await counts();
    const lead = await signIn(s.lead);
    const member = await lead.post('/api/invitations', {
      email: s.member.email.toUpperCase(),
      name: 'Again',
      networkId: s.network.id,
      kind: 'staff',
    });
    expect(member.statusCode).toBe(409);
    expect(member.json().error.fields[0].path).toBe('email');
    const noYear = await lead.post('/api/invitations', {
      email: freshEmail(),
      name: 'No Year',
      networkId: s.network.id,
      kind: 'student',
    });
    expect(noYear.statusCode).toBe(400);
    expect(noYear.json().error.fields[0].path).toBe('yearOfStudy');
    const staffWithYear = await lead.post('/api/invitations', {
      email: freshEmail(),
      name: 'Staff Year',
      networkId: s.network.id,
      kind: 'staff',
      yearOfStudy: 3,
    });
    expect(staffWithYear.statusCode).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('lets an admin invite to any network', async () => {
    const s = await setup();
    const adminUser = await buildUser(t.database.db, {
      isAdmin: true,
      totpMasterKey: t.app.services.masterKey,
    });
    const admin = await signIn(adminUser);
    const r = await admin.post('/api/invitations', {
      email: freshEmail(),
      name: 'Invited By Admin',
      networkId: s.network.id,
      kind: 'alumnus',
    });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toEqual({ ok: true });
  });
});

describe('GET /api/invitations/:token', () => {
  it('shows what the invitation is for', async () => {
    const s = await setup();
    const { email, token } = await invite(s);
    const r = await t.client().get(`/api/invitations/${token}`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      email,
      name: 'Nia Roberts',
      networkName: 'NorthRACE',
      institutionName: 'Northfield Medical School',
      accountExists: false,
    });
  });

  it('answers 404 for an unknown, expired or used link', async () => {
    const s = await setup();
    expect((await t.client().get(`/api/invitations/${'x'.repeat(43)}`)).statusCode).toBe(404);
    expect((await t.client().get('/api/invitations/short')).statusCode).toBe(400);
    const expired = await invite(s);
    await t.database.db
      .update(oneTimeTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(oneTimeTokens.tokenHash, hashToken(expired.token)));
    expect((await t.client().get(`/api/invitations/${expired.token}`)).statusCode).toBe(404);
    const used = await invite(s);
    await t.database.db
      .update(oneTimeTokens)
      .set({ usedAt: new Date() })
      .where(eq(oneTimeTokens.tokenHash, hashToken(used.token)));
    expect((await t.client().get(`/api/invitations/${used.token}`)).statusCode).toBe(404);
  });
});

describe('POST /api/invitations/accept', () => {
  it('creates the account and membership, signs the person in, and works once', async () => {
    const s = await setup();
    const { email, token } = await invite(s);
    const c = t.client();
    const r = await c.post('/api/invitations/accept', {
      token,
      name: 'Nia Roberts',
      password: 'a long new password',
    });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({
      stage: 'signed_in',
      user: { email, name: 'Nia Roberts' },
      memberships: [{ networkId: s.network.id, kind: 'student', yearOfStudy: 2, role: 'member' }],
    });
    const [user] = await t.database.db.select().from(users).where(eq(users.email, email));
    expect(user!.passwordHash).toMatch(/^\$argon2id\$/);
    expect((await c.get('/api/session')).json()).toMatchObject({
      stage: 'signed_in',
      user: { id: user!.id },
    });
    const [event] = await t.database.db.select().from(auditEvents).orderBy(sql`seq desc`).limit(1);
    expect(event).toMatchObject({
      action: 'invitations.accept',
      actorUserId: user!.id,
      subjectId: s.network.id,
    });
    expect(event!.data).toMatchObject({ userId: user!.id, newAccount: true, invitedBy: s.lead.id });

    const before = await counts();
    const again = await t
      .client()
      .post('/api/invitations/accept', { token, name: 'X', password: 'another long password' });
    expect(again.statusCode).toBe(404);
    expect(await counts()).toEqual(before);
    // The new account signs in with its password.
    const signIn = await t.client().post('/api/auth/sign-in', { email, password: 'a long new password' });
    expect(signIn.json()).toMatchObject({ stage: 'signed_in' });
  });

  it('refuses a short password and an unknown link, writing nothing', async () => {
    const s = await setup();
    const { token } = await invite(s);
    const before = await counts();
    const short = await t.client().post('/api/invitations/accept', { token, name: 'N', password: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.fields[0].path).toBe('password');
    const unknown = await t
      .client()
      .post('/api/invitations/accept', { token: 'y'.repeat(43), name: 'N', password: 'a long new password' });
    expect(unknown.statusCode).toBe(404);
    expect(await counts()).toEqual(before);
    expect((await t.client().get(`/api/invitations/${token}`)).statusCode).toBe(200);
  });

  it('sends someone with an account to sign in (409), leaving the link usable', async () => {
    const s = await setup();
    const existing = await buildUser(t.database.db);
    const { token } = await invite(s, existing.email);
    expect((await t.client().get(`/api/invitations/${token}`)).json()).toMatchObject({ accountExists: true });
    const before = await counts();
    const r = await t
      .client()
      .post('/api/invitations/accept', { token, name: 'N', password: 'a long new password' });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.message).toContain('Sign in');
    expect(await counts()).toEqual(before);
    expect((await t.client().get(`/api/invitations/${token}`)).statusCode).toBe(200);
  });
});

describe('POST /api/invitations/accept-signed-in', () => {
  it('adds the membership for the account the invitation was sent to', async () => {
    const s = await setup();
    const existing = await buildUser(t.database.db);
    const { token } = await invite(s, existing.email.toUpperCase());

    // Someone else, signed in, cannot use it: 404, and the link stays unspent.
    const other = await signIn(s.stranger);
    const before = await counts();
    expect((await other.post('/api/invitations/accept-signed-in', { token })).statusCode).toBe(404);
    expect(await counts()).toEqual(before);

    expect((await t.client().post('/api/invitations/accept-signed-in', { token })).statusCode).toBe(401);

    const c = await signIn(existing);
    const r = await c.post('/api/invitations/accept-signed-in', { token });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      stage: 'signed_in',
      memberships: [{ networkId: s.network.id, kind: 'student', yearOfStudy: 2 }],
    });
    const rows = await t.database.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, existing.id), eq(memberships.networkId, s.network.id)));
    expect(rows).toHaveLength(1);
    const [event] = await t.database.db.select().from(auditEvents).orderBy(sql`seq desc`).limit(1);
    expect(event).toMatchObject({ action: 'invitations.accept', actorUserId: existing.id });
    expect(event!.data).toMatchObject({ newAccount: false, alreadyMember: false });
    expect((await c.post('/api/invitations/accept-signed-in', { token })).statusCode).toBe(404);
  });

  it('spends the link but changes nothing for someone who is already a member', async () => {
    const s = await setup();
    // Invite while not yet a member, then they join another way before accepting.
    const person = await buildUser(t.database.db);
    const { token } = await invite(s, person.email);
    await addMember(t.database.db, { userId: person.id, networkId: s.network.id, kind: 'staff' });
    const c = await signIn(person);
    expect((await c.post('/api/invitations/accept-signed-in', { token })).statusCode).toBe(200);
    const [row] = await t.database.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, person.id), eq(memberships.networkId, s.network.id)));
    expect(row).toMatchObject({ kind: 'staff', yearOfStudy: null });
  });
});

describe('pending invitations', () => {
  it('a lead sees them, resends one with a new link (the old one stops working) and revokes another, audited', async () => {
    const s = await setup();
    const lead = await signIn(s.lead);
    const first = await invite(s);
    const second = await invite(s);
    const list = await lead.get(`/api/networks/${s.network.id}/invitations`);
    expect(list.statusCode).toBe(200);
    const pending = list.json() as { id: string; email: string; name: string }[];
    expect(pending.map((p) => p.email).sort()).toEqual([first.email, second.email].sort());
    const one = pending.find((p) => p.email === first.email)!;
    const two = pending.find((p) => p.email === second.email)!;

    const resent = await lead.post(`/api/networks/${s.network.id}/invitations/${one.id}/resend`);
    expect(resent.statusCode).toBe(200);
    const mails = await t.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.toAddress, first.email))
      .orderBy(sql`created_at desc`);
    expect(mails).toHaveLength(2);
    const newToken = /\/invite\/([A-Za-z0-9_-]+)/.exec(mails[0]!.textBody)![1]!;
    expect(newToken).not.toBe(first.token);
    expect((await t.client().get(`/api/invitations/${first.token}`)).statusCode).toBe(404);
    expect((await t.client().get(`/api/invitations/${newToken}`)).statusCode).toBe(200);

    expect((await lead.delete(`/api/networks/${s.network.id}/invitations/${two.id}`)).statusCode).toBe(204);
    expect((await t.client().get(`/api/invitations/${second.token}`)).statusCode).toBe(404);
    // Revoked or replaced ones are gone from the list; a revoked one cannot be revoked again.
    const after = (await lead.get(`/api/networks/${s.network.id}/invitations`)).json() as { email: string }[];
    expect(after.map((p) => p.email)).toEqual([first.email]);
    expect((await lead.delete(`/api/networks/${s.network.id}/invitations/${two.id}`)).statusCode).toBe(404);
    const actions = await t.database.db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(eq(auditEvents.subjectId, s.network.id));
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['invitations.resend', 'invitations.revoke']),
    );
  });

  it('an invitation of another network cannot be revoked through this network’s address', async () => {
    const s = await setup();
    const other = await setup();
    const theirs = await invite(other);
    const [row] = await t.database.db
      .select({ id: oneTimeTokens.id })
      .from(oneTimeTokens)
      .where(eq(oneTimeTokens.tokenHash, hashToken(theirs.token)));
    const lead = await signIn(s.lead);
    expect((await lead.delete(`/api/networks/${s.network.id}/invitations/${row!.id}`)).statusCode).toBe(404);
    expect((await lead.post(`/api/networks/${s.network.id}/invitations/${row!.id}/resend`)).statusCode).toBe(
      404,
    );
    expect((await t.client().get(`/api/invitations/${theirs.token}`)).statusCode).toBe(200);
  });
});
