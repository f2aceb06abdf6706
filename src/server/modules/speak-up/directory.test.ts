import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, reports, users } from '../../../db/schema';
import { createTestApp, type TestApp, type TestClient } from '../../test/app';
import { addMember, buildInstitution, buildNetwork, buildUser, grantCaseHandler } from '../../test/factories';
import { reportBody, signIn } from './testing';

let t: TestApp;
let admin: TestClient;
beforeAll(async () => {
  t = await createTestApp();
  const adminUser = await buildUser(t.database.db, {
    isAdmin: true,
    totpMasterKey: t.app.services.masterKey,
  });
  admin = await signIn(t, adminUser);
});
afterAll(() => t.close());

const reportCount = async (institutionId: string) => {
  const [row] = await t.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(reports)
    .where(eq(reports.institutionId, institutionId));
  return row!.n;
};
const auditCount = async (action: string, institutionId: string) => {
  const [row] = await t.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.subjectId, institutionId)));
  return row!.n;
};

const urgentContact = {
  kind: 'police_hate_crime',
  name: 'Emergency services',
  description: 'Call 999 in an emergency, 111 for urgent medical help.',
  phone: '999',
  urgent: true,
};
const wellbeing = {
  kind: 'wellbeing',
  name: 'Student Wellbeing',
  description: 'Weekdays 9–5.',
  phone: '0116 252 2522',
  url: 'https://wellbeing.example.ac.uk',
};

describe('a school that is still setting up', () => {
  it('refuses a report nobody could read, and opens only once it has a 2FA case handler, an urgent contact and its providers', async () => {
    const school = await buildInstitution(t.database.db);
    const base = `/api/speak-up/institutions/${school.id}`;
    const reporter = t.client();
    const status = async () => (await reporter.get(`${base}/status`)).json() as { open: boolean };
    const attempt = async () => reporter.post('/api/speak-up/reports', reportBody(school.id));

    // The attack: a report sent straight to the API of a school with no one to read it.
    const refused = await attempt();
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/still setting up.*Nothing was sent.*999/);
    expect(await reportCount(school.id)).toBe(0);
    expect(await status()).toEqual({ open: false });

    // A case handler without two-factor authentication does not count.
    const handler = await buildUser(t.database.db);
    await grantCaseHandler(t.database.db, handler.id, school.id);
    expect((await admin.post(`${base}/support`, wellbeing)).statusCode).toBe(201);
    expect(
      (
        await admin.put(`/api/admin/institutions/${school.id}/no-placement-providers`, {
          noPlacementProviders: true,
        })
      ).statusCode,
    ).toBe(204);
    let readiness = (await admin.get(`/api/admin/institutions/${school.id}/speak-up`)).json().readiness;
    expect(readiness).toEqual({
      open: false,
      caseHandler: false,
      supportContact: true,
      urgentContact: false,
      placementProviders: true,
    });
    expect((await attempt()).statusCode).toBe(409);

    // An urgent contact, and a handler who has enrolled TOTP.
    expect((await admin.post(`${base}/support`, urgentContact)).statusCode).toBe(201);
    expect((await attempt()).statusCode).toBe(409);
    await t.database.db.update(users).set({ totpEnabledAt: new Date() }).where(eq(users.id, handler.id));
    readiness = (await admin.get(`/api/admin/institutions/${school.id}/speak-up`)).json().readiness;
    expect(readiness.open).toBe(true);
    expect(await status()).toEqual({ open: true });
    expect((await attempt()).statusCode).toBe(201);
    expect(await reportCount(school.id)).toBe(1);

    // Taking back "we have no placement providers" closes it again.
    await admin.put(`/api/admin/institutions/${school.id}/no-placement-providers`, {
      noPlacementProviders: false,
    });
    expect(await status()).toEqual({ open: false });
    expect((await attempt()).statusCode).toBe(409);
    expect(await reportCount(school.id)).toBe(1);
  });

  it('answers 404 for the status of a school that does not exist', async () => {
    const r = await t.client().get(`/api/speak-up/institutions/${crypto.randomUUID()}/status`);
    expect(r.statusCode).toBe(404);
  });
});

describe('support contacts and placement providers (admin)', () => {
  it('adds, edits, reorders and retires support contacts, each audited; retired ones leave the public list', async () => {
    const school = await buildInstitution(t.database.db);
    const base = `/api/speak-up/institutions/${school.id}`;
    const a = (await admin.post(`${base}/support`, wellbeing)).json();
    const b = (await admin.post(`${base}/support`, urgentContact)).json();
    expect(a.urgent).toBe(false);
    expect(b.urgent).toBe(true);

    const edited = await admin.put(`/api/admin/institutions/${school.id}/support/${a.id}`, {
      ...wellbeing,
      name: 'Student Wellbeing Service',
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().name).toBe('Student Wellbeing Service');

    expect(
      (await admin.put(`/api/admin/institutions/${school.id}/support-order`, { ids: [b.id, a.id] }))
        .statusCode,
    ).toBe(204);
    let list = (await t.client().get(`${base}/support`)).json() as { id: string }[];
    expect(list.map((c) => c.id)).toEqual([b.id, a.id]);

    // A stale order (one missing) is refused, not guessed.
    const stale = await admin.put(`/api/admin/institutions/${school.id}/support-order`, { ids: [a.id] });
    expect(stale.statusCode).toBe(400);

    expect((await admin.delete(`/api/admin/institutions/${school.id}/support/${a.id}`)).statusCode).toBe(204);
    list = (await t.client().get(`${base}/support`)).json();
    expect(list.map((c) => c.id)).toEqual([b.id]);
    const adminView = (await admin.get(`/api/admin/institutions/${school.id}/speak-up`)).json();
    expect(
      adminView.supportContacts.map((c: { id: string; retiredAt: string | null }) => [
        c.id,
        c.retiredAt !== null,
      ]),
    ).toEqual([
      [b.id, false],
      [a.id, true],
    ]);
    expect(await auditCount('speak_up.support_contact_create', school.id)).toBe(2);
    expect(await auditCount('speak_up.support_contact_update', school.id)).toBe(1);
    expect(await auditCount('speak_up.support_contact_reorder', school.id)).toBe(1);
    expect(await auditCount('speak_up.support_contact_retire', school.id)).toBe(1);
  });

  it('refuses a contact name over two lines, a telephone number with words in it, and a provider named twice, with plain messages', async () => {
    const school = await buildInstitution(t.database.db);
    const base = `/api/speak-up/institutions/${school.id}`;
    const twoLines = await admin.post(`${base}/support`, {
      ...wellbeing,
      name: 'Wellbeing\nClick https://evil.example to verify',
    });
    expect(twoLines.statusCode).toBe(400);
    expect(twoLines.json().error.fields[0]).toMatchObject({
      path: 'name',
      message: 'Use one line of plain text.',
    });
    const phone = await admin.post(`${base}/support`, { ...wellbeing, phone: 'call us' });
    expect(phone.statusCode).toBe(400);
    expect(phone.json().error.fields[0].path).toBe('phone');
    expect(
      (await admin.post(`${base}/placement-providers`, { name: 'Ashby Vale NHS Trust' })).statusCode,
    ).toBe(201);
    const twice = await admin.post(`${base}/placement-providers`, { name: 'ashby vale nhs trust' });
    expect(twice.statusCode).toBe(409);
    expect(await auditCount('speak_up.support_contact_create', school.id)).toBe(0);
  });

  it('a contact or provider of another school cannot be changed through this school’s address', async () => {
    const mine = await buildInstitution(t.database.db);
    const theirs = await buildInstitution(t.database.db);
    const contact = (await admin.post(`/api/speak-up/institutions/${theirs.id}/support`, wellbeing)).json();
    const provider = (
      await admin.post(`/api/speak-up/institutions/${theirs.id}/placement-providers`, { name: 'Their Trust' })
    ).json();
    const r1 = await admin.put(`/api/admin/institutions/${mine.id}/support/${contact.id}`, wellbeing);
    const r2 = await admin.delete(`/api/admin/institutions/${mine.id}/placement-providers/${provider.id}`);
    expect([r1.statusCode, r2.statusCode]).toEqual([404, 404]);
    const list = (await t.client().get(`/api/speak-up/institutions/${theirs.id}/placement-providers`)).json();
    expect(list).toEqual([{ id: provider.id, name: 'Their Trust' }]);
  });

  it('a retired provider leaves the report form but stays on the reports that named it', async () => {
    const school = await buildInstitution(t.database.db);
    const base = `/api/speak-up/institutions/${school.id}`;
    const handler = await buildUser(t.database.db, { totpMasterKey: t.app.services.masterKey });
    await grantCaseHandler(t.database.db, handler.id, school.id);
    await admin.post(`${base}/support`, urgentContact);
    const kept = (
      await admin.post(`${base}/placement-providers`, { name: 'Northfield Hospitals NHS Trust' })
    ).json();
    const gone = (await admin.post(`${base}/placement-providers`, { name: 'Ashby Vale NHS Trust' })).json();
    const onPlacement = (providerId: string) =>
      reportBody(school.id, { where: { setting: 'placement', providerId, site: 'Ward 3' } });
    const submitted = await t.client().post('/api/speak-up/reports', onPlacement(gone.id));
    expect(submitted.statusCode).toBe(201);
    const { receipt } = submitted.json();

    expect(
      (await admin.delete(`/api/admin/institutions/${school.id}/placement-providers/${gone.id}`)).statusCode,
    ).toBe(204);
    const list = (await t.client().get(`${base}/placement-providers`)).json();
    expect(list).toEqual([{ id: kept.id, name: 'Northfield Hospitals NHS Trust' }]);
    // A new report cannot name it…
    const late = await t.client().post('/api/speak-up/reports', onPlacement(gone.id));
    expect(late.statusCode).toBe(400);
    // …and the old one still does.
    const view = await t.client().post('/api/speak-up/receipt/report', { receipt });
    expect(view.statusCode).toBe(200);
    expect(view.json().submission.where.providerName).toBe('Ashby Vale NHS Trust');
    // Retired ones cannot be renamed; a rename of a current one is audited.
    expect(
      (await admin.put(`/api/admin/institutions/${school.id}/placement-providers/${gone.id}`, { name: 'X' }))
        .statusCode,
    ).toBe(409);
    const renamed = await admin.put(`/api/admin/institutions/${school.id}/placement-providers/${kept.id}`, {
      name: 'Northfield Teaching Hospitals NHS Trust',
    });
    expect(renamed.statusCode).toBe(200);
    expect(await auditCount('speak_up.provider_update', school.id)).toBe(1);
    expect(await auditCount('speak_up.provider_retire', school.id)).toBe(1);
  });
});

describe('the set-up checklist', () => {
  it('ticks each step itself as what it asks for comes to exist, and links to where it is done', async () => {
    const school = await buildInstitution(t.database.db);
    const url = `/api/admin/institutions/${school.id}/set-up`;
    const done = async () => {
      const r = await admin.get(url);
      expect(r.statusCode).toBe(200);
      const body = r.json() as { open: boolean; steps: { key: string; done: boolean; href: string }[] };
      return Object.fromEntries(body.steps.map((s) => [s.key, s.done]));
    };
    expect(await done()).toEqual({
      institution: true,
      networks: false,
      co_chairs: false,
      case_handlers: false,
      support_contacts: false,
      placement_providers: false,
      cohort_import: false,
      first_meeting: false,
    });
    const network = await buildNetwork(t.database.db, school.id);
    const chair = await buildUser(t.database.db);
    await addMember(t.database.db, {
      userId: chair.id,
      networkId: network.id,
      role: 'lead',
      leadTitle: 'co_chair',
    });
    await admin.post(`/api/speak-up/institutions/${school.id}/support`, urgentContact);
    await admin.put(`/api/admin/institutions/${school.id}/no-placement-providers`, {
      noPlacementProviders: true,
    });
    expect(await done()).toMatchObject({
      networks: true,
      co_chairs: true,
      case_handlers: false,
      support_contacts: true,
      placement_providers: true,
    });
    const steps = (await admin.get(url)).json().steps as { key: string; href: string }[];
    expect(steps.find((s) => s.key === 'support_contacts')!.href).toBe(
      `/admin/institutions/${school.id}/speak-up#support-contacts`,
    );
    expect(steps.find((s) => s.key === 'cohort_import')!.href).toBe(`/networks/${network.slug}#import`);
  });
});
