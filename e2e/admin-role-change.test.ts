// Journey: an administrator (with TOTP) makes a member a co-chair from the network page; that
// person's navigation then shows the lead items, and the change is in the audit log.
import { desc } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditEvents } from '../src/db/schema';
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
let member: Awaited<ReturnType<typeof buildUser>>;
beforeAll(async () => {
  j = await startJourney();
  const { db, masterKey } = j.server;
  const institution = await buildInstitution(db, { name: 'Leicester Medical School' });
  network = await buildNetwork(db, institution.id, { name: 'MedRACE', slug: 'medrace' });
  admin = await buildUser(db, { name: 'Ada Admin', isAdmin: true, totpMasterKey: masterKey });
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
