// Journey: an administrator (with TOTP) makes a member a co-chair from the network page; that
// person's navigation then shows the lead items, and the change is in the audit log. Then the
// administrator asks for the member to be made a case handler, and a second administrator approves.
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditEvents, institutionRoles, users } from '../src/db/schema';
import {
  addMember,
  buildInstitution,
  buildNetwork,
  buildUser,
  TEST_PASSWORD,
} from '../src/server/test/factories';
import { expectNoAxeViolations } from './support/axe';
import {
  EXPECTED_HTTP_ERRORS,
  expectNav,
  type Journey,
  section,
  settled,
  signInWithPassword,
  signInWithTotp,
  startJourney,
} from './support/journey';

let j: Journey;
let network: { id: string; slug: string; name: string };
let admin: Awaited<ReturnType<typeof buildUser>>;
let secondAdmin: Awaited<ReturnType<typeof buildUser>>;
let institutionId: string;
let member: Awaited<ReturnType<typeof buildUser>>;
beforeAll(async () => {
  j = await startJourney();
  const { db, masterKey } = j.server;
  const institution = await buildInstitution(db, { name: 'Leicester Medical School' });
  network = await buildNetwork(db, institution.id, { name: 'MedRACE', slug: 'medrace' });
  institutionId = institution.id;
  admin = await buildUser(db, { name: 'Ada Admin', isAdmin: true, totpMasterKey: masterKey });
  secondAdmin = await buildUser(db, { name: 'Bola Admin', isAdmin: true, totpMasterKey: masterKey });
  member = await buildUser(db, { name: 'Mei Chen' });
  await addMember(db, { userId: member.id, networkId: network.id, kind: 'student', yearOfStudy: 4 });
});
afterAll(() => j?.close());

it('the member sees no lead items before', async () => {
  const b = await j.otherBrowser();
  await signInWithPassword(j, member.email, TEST_PASSWORD, b.page);
  await b.page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  await settled(b.page);
  await expectNav(b.page, { has: ['My networks'], hasNot: ['Lead', 'Admin'] });
  await expectNoAxeViolations(b.page, 'home (member)');
  await b.close();
});

it('an admin with TOTP makes the member a co-chair', async () => {
  const { page } = j;
  await signInWithTotp(j, admin, TEST_PASSWORD);
  await expectNav(page, { has: ['Admin'] });
  await j.visit('/admin', 'admin overview');
  await j.visit(`/networks/${network.slug}`, 'network page (admin view)');

  const members = section(page, 'Members');
  const row = members.getByRole('listitem').filter({ hasText: member.name });
  await row.getByRole('button', { name: `Edit ${member.name}` }).click();
  const form = page.getByRole('form', { name: `Membership of ${member.name}` });
  await form.getByLabel('Role').selectOption('lead');
  await form.getByLabel('Lead title').selectOption('co_chair');
  await expectNoAxeViolations(page, 'membership editor');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByText(new RegExp(`Saved: ${member.name} is now`)).waitFor();
  await expectNoAxeViolations(page, 'network page after the change');
  j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });

  const [event] = await j.server.db.select().from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
  expect(event).toMatchObject({ actorUserId: admin.id });
  expect(event!.action).toMatch(/membership/);
});

it('the new co-chair now sees the lead items', async () => {
  const b = await j.otherBrowser();
  const page = b.page;
  await signInWithPassword(j, member.email, TEST_PASSWORD, page);
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  await settled(page);
  await expectNav(page, { has: ['My networks', 'Lead'], hasNot: ['Admin'] });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Lead' }).click();
  await settled(page);
  await expectNoAxeViolations(page, '/lead');
  await page
    .getByRole('link', { name: new RegExp(network.name) })
    .first()
    .waitFor();
  b.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('an admin asks for the member to be made a case handler; nothing is granted until a second admin approves', async () => {
  const { page } = j;
  await j.visit(`/admin/users?q=${encodeURIComponent(member.email)}`, 'admin users, searched');
  await page.getByRole('button', { name: `Roles and networks of ${member.name}` }).click();
  const form = page.getByRole('form', { name: `Make ${member.name} a case handler` });
  await form.getByLabel('Case handler for').selectOption({ label: 'Leicester Medical School' });
  await form.getByRole('button', { name: 'Ask to make case handler' }).click();
  // The member is a student: a plain warning first, and a second press to go on.
  await form.getByText(new RegExp(`${member.name} is a student`)).waitFor();
  await expectNoAxeViolations(page, 'admin users, student warning');
  await form.getByRole('button', { name: `Yes, ask to make ${member.name} a case handler` }).click();
  await page.getByText(new RegExp(`Asked: ${member.name} becomes a case handler`)).waitFor();
  await expectNoAxeViolations(page, 'admin users, case handler asked');
  // Making a student an administrator is confirmed a second time; cancelling changes nothing.
  await page.getByRole('button', { name: `Make admin ${member.name}` }).click();
  const confirm = page.getByRole('group', { name: `Confirm making ${member.name} an administrator` });
  await confirm.getByText(/is a student: students are not usually administrators/).waitFor();
  await expectNoAxeViolations(page, 'admin users, confirm admin');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  expect((await j.server.db.select().from(users).where(eq(users.id, member.id)))[0]!.isAdmin).toBe(false);
  const roles = () =>
    j.server.db.select().from(institutionRoles).where(eq(institutionRoles.userId, member.id));
  expect(await roles()).toHaveLength(0);
  // The asker cannot approve: the request page only offers to withdraw it.
  await j.visit('/case-handler-requests', 'case-handler requests (asker)');
  await expect(page.getByRole('button', { name: /^Approve/ }).count()).resolves.toBe(0);
  await page.getByRole('button', { name: new RegExp(`^Withdraw the request for ${member.name}`) }).waitFor();

  const b = await j.otherBrowser();
  await signInWithTotp(j, secondAdmin, TEST_PASSWORD, b.page);
  await b.page.goto(`${j.server.baseUrl}/case-handler-requests`);
  await settled(b.page);
  await expectNoAxeViolations(b.page, 'case-handler requests (second admin)');
  await b.page.getByRole('button', { name: `Approve ${member.name} for Leicester Medical School` }).click();
  await b.page.getByText(`${member.name} is now a case handler for Leicester Medical School.`).waitFor();
  await b.page.getByText('No requests are waiting.').waitFor();
  await expectNoAxeViolations(b.page, 'case-handler requests, approved');
  expect(await roles()).toEqual([expect.objectContaining({ institutionId, role: 'case_handler' })]);
  const [event] = await j.server.db.select().from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
  expect(event).toMatchObject({ actorUserId: secondAdmin.id, action: 'institution_roles.grant' });
  b.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
  await b.close();
});
