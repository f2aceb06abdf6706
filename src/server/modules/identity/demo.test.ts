import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEvents,
  institutionRoles,
  institutions,
  memberships,
  networks,
  users,
} from '../../../db/schema';
import { createTestApp, type TestApp } from '../../test/app';
import { totpNow } from './credentials';
import {
  DEMO_ACCOUNTS,
  DEMO_EMAIL_DOMAIN,
  DEMO_PASSWORD,
  DEMO_TOTP_SECRET,
  demoEmail,
  loadIdentityDemo,
} from './demo';

let t: TestApp;
let firstSummary: string;
beforeAll(async () => {
  t = await createTestApp();
  firstSummary = await loadIdentityDemo(t.app.services);
});
afterAll(() => t.close());

const snapshot = async () => {
  const db = t.database.db;
  const n = async (table: typeof users | typeof networks | typeof memberships | typeof auditEvents) =>
    (await db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;
  return {
    users: await n(users),
    networks: await n(networks),
    memberships: await n(memberships),
    audit: await n(auditEvents),
  };
};

describe('the demo school', () => {
  it('loads about 80 people in three networks, with one audit event', async () => {
    const counts = await snapshot();
    expect(counts.users).toBeGreaterThanOrEqual(75);
    expect(counts.users).toBeLessThanOrEqual(90);
    expect(counts.networks).toBe(3);
    expect(counts.audit).toBe(1);
    const [event] = await t.database.db.select().from(auditEvents);
    expect(event).toMatchObject({ action: 'demo.load', subjectType: 'institution', actorUserId: null });
    expect(event!.data).toMatchObject({ people: counts.users, networks: 3, memberships: counts.memberships });
    const [school] = await t.database.db
      .select()
      .from(institutions)
      .where(eq(institutions.slug, 'northfield'));
    expect(school!.name).toBe('Northfield Medical School');
    const all = await t.database.db.select({ email: users.email }).from(users);
    expect(all.every((u) => u.email.endsWith(`@${DEMO_EMAIL_DOMAIN}`))).toBe(true);
    expect(all.every((u) => /^[a-z-]+\.[a-z-]+@/.test(u.email))).toBe(true);
  });

  it('gives each network a student co-chair and a staff co-chair, and NorthRACE an action lead', async () => {
    const rows = await t.database.db
      .select({
        slug: networks.slug,
        name: networks.name,
        kind: memberships.kind,
        leadTitle: memberships.leadTitle,
        year: memberships.yearOfStudy,
      })
      .from(memberships)
      .innerJoin(networks, eq(networks.id, memberships.networkId));
    for (const slug of ['northrace', 'northpride', 'northdialect']) {
      const inNetwork = rows.filter((r) => r.slug === slug);
      const chairs = inNetwork.filter((r) => r.leadTitle === 'co_chair').map((r) => r.kind);
      expect({ slug, chairs: chairs.sort() }).toEqual({ slug, chairs: ['staff', 'student'] });
      expect(inNetwork.length).toBeGreaterThanOrEqual(10);
    }
    expect(rows.filter((r) => r.slug === 'northrace' && r.leadTitle === 'action_lead')).toHaveLength(1);
    expect(new Set(rows.map((r) => r.name))).toEqual(new Set(['NorthRACE', 'NorthPRIDE', 'NorthDialect']));
    // Students in years 1–5, staff and alumni all present.
    const years = new Set(rows.filter((r) => r.kind === 'student').map((r) => r.year));
    expect([...years].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(rows.some((r) => r.kind === 'alumnus')).toBe(true);
    // Some people belong to several networks.
    const perPerson = await t.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(memberships)
      .groupBy(memberships.userId);
    expect(perPerson.some((p) => p.n >= 2)).toBe(true);
    const [race] = await t.database.db.select().from(networks).where(eq(networks.slug, 'northrace'));
    expect(race!.description).toMatch(/racial-justice/);
  });

  it('has one case handler and one admin, both with TOTP', async () => {
    const db = t.database.db;
    const handlers = await db
      .select({ email: users.email, totp: users.totpEnabledAt })
      .from(institutionRoles)
      .innerJoin(users, eq(users.id, institutionRoles.userId));
    expect(handlers).toHaveLength(1);
    expect(handlers[0]!.email).toBe(DEMO_ACCOUNTS.caseHandler);
    expect(handlers[0]!.totp).not.toBeNull();
    const admins = await db.select().from(users).where(eq(users.isAdmin, true));
    expect(admins.map((a) => a.email)).toEqual([DEMO_ACCOUNTS.admin]);
    expect(admins[0]!.totpEnabledAt).not.toBeNull();
    // One hash for everyone: hashed once.
    const hashes = await db.selectDistinct({ h: users.passwordHash }).from(users);
    expect(hashes).toHaveLength(1);
  });

  it('prints where to sign in', () => {
    for (const email of Object.values(DEMO_ACCOUNTS)) expect(firstSummary).toContain(email);
    expect(firstSummary).toContain(DEMO_PASSWORD);
    expect(firstSummary).toContain(DEMO_TOTP_SECRET);
    expect(firstSummary).toMatch(/authenticator app/);
  });

  it('changes nothing when loaded again', async () => {
    const before = await snapshot();
    const again = await loadIdentityDemo(t.app.services);
    expect(await snapshot()).toEqual(before);
    expect(again).toContain('already there');
    expect(again).toContain(DEMO_ACCOUNTS.student);
  });

  it('lets the demo student sign in, and the admin with a TOTP code', async () => {
    const student = t.client();
    const r = await student.post('/api/auth/sign-in', {
      email: DEMO_ACCOUNTS.student,
      password: DEMO_PASSWORD,
    });
    expect(r.json()).toMatchObject({
      stage: 'signed_in',
      memberships: [expect.objectContaining({ networkSlug: 'northrace', kind: 'student', role: 'member' })],
    });
    const chair = t.client();
    const c = await chair.post('/api/auth/sign-in', {
      email: DEMO_ACCOUNTS.studentCoChair,
      password: DEMO_PASSWORD,
    });
    expect(c.json().memberships[0]).toMatchObject({ role: 'lead', leadTitle: 'co_chair' });

    const admin = t.client();
    const a = await admin.post('/api/auth/sign-in', { email: DEMO_ACCOUNTS.admin, password: DEMO_PASSWORD });
    expect(a.json()).toMatchObject({ stage: 'second_factor' });
    const done = await admin.post('/api/auth/second-factor', { code: totpNow(DEMO_TOTP_SECRET) });
    expect(done.json()).toMatchObject({ stage: 'signed_in', user: { isAdmin: true } });
    expect((await admin.get('/api/admin/institutions')).json()).toEqual([
      expect.objectContaining({ slug: 'northfield', networkCount: 3 }),
    ]);
  });

  it('spells e-mails plainly', () => {
    expect(demoEmail('Patrick', "O'Neill")).toBe(`patrick.oneill@${DEMO_EMAIL_DOMAIN}`);
    expect(demoEmail('Catherine', 'Lewis-Grant')).toBe(`catherine.lewis-grant@${DEMO_EMAIL_DOMAIN}`);
    expect(demoEmail('Siân', 'Ní Bhriain')).toBe(`sian.nibhriain@${DEMO_EMAIL_DOMAIN}`);
  });
});
