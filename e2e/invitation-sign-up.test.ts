// Journey: a network's co-chair invites someone in the browser → the invitation arrives over real
// SMTP → the invitee opens the link in their own browser, creates an account, and is signed in
// with the network visible.
// @journey identity (the module's main job; scripts/check-structure.mjs looks for one per module)
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { memberships, users } from '../src/db/schema';
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
  linkIn,
  settled,
  signInWithPassword,
  startJourney,
} from './support/journey';

let j: Journey;
let network: { id: string; slug: string; name: string };
let lead: Awaited<ReturnType<typeof buildUser>>;
beforeAll(async () => {
  j = await startJourney();
  const { db } = j.server;
  const institution = await buildInstitution(db, { name: 'Leicester Medical School' });
  network = await buildNetwork(db, institution.id, { name: 'MedRACE', slug: 'medrace' });
  lead = await buildUser(db, { name: 'Kwame Mensah' });
  await addMember(db, {
    userId: lead.id,
    networkId: network.id,
    kind: 'staff',
    role: 'lead',
    leadTitle: 'co_chair',
  });
});
afterAll(() => j?.close());

const invitee = { name: 'Priya Sharma', email: 'priya.sharma@example.ac.uk' };

it('a co-chair invites someone from the network page', async () => {
  const { page } = j;
  await signInWithPassword(j, lead.email, TEST_PASSWORD);
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  await j.visit(`/networks/${network.slug}`, 'network page (manager view)');

  const form = page.getByRole('form', { name: 'Invite someone' });
  await form.getByLabel('Name').fill(invitee.name);
  await form.getByLabel('E-mail').fill(invitee.email);
  await form.getByLabel('Kind').selectOption('student');
  await form.getByLabel('Year of study').selectOption('1');
  await form.getByRole('button', { name: 'Invite' }).click();
  await page.getByText(`Invitation sent to ${invitee.email}.`).waitFor();
  await expectNoAxeViolations(page, 'network page after inviting');
  j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('the invitation arrives by e-mail, and the link creates the account and signs in', async () => {
  const mail = await j.server.smtp.waitFor((m) => m.to.includes(invitee.email), 10_000);
  expect(mail.subject).toContain(network.name);
  // The e-mail names the network, never a name someone typed (issue 20: no phishing text in it).
  expect(mail.text).toContain(network.name);
  expect(mail.text).not.toContain('Kwame Mensah');
  const link = linkIn(mail.text, j.server.baseUrl);
  expect(new URL(link).pathname).toMatch(/^\/invite\/[A-Za-z0-9_-]{20,}$/);

  // The invitee, on their own device.
  const b = await j.otherBrowser();
  const page = b.page;
  await page.goto(link);
  await settled(page);
  await page.getByRole('heading', { level: 1, name: `Join ${network.name}` }).waitFor();
  await expectNoAxeViolations(page, 'invitation page');
  await expect(page.getByLabel('E-mail').inputValue()).resolves.toBe(invitee.email);
  await expect(page.getByLabel('Name').inputValue()).resolves.toBe(invitee.name);

  // Too short a password is refused in the page, and what was typed stays.
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator('.error-summary').waitFor();
  await expectNoAxeViolations(page, 'invitation page with an error');

  await page.getByLabel('Password').fill('a long and memorable passphrase');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${j.server.baseUrl}/networks/${network.slug}`);
  await settled(page);
  await page.getByRole('heading', { level: 1, name: network.name }).waitFor();
  await page.getByText(`Welcome to ${network.name}.`).waitFor();
  await expectNoAxeViolations(page, 'network page (new member)');
  await expectNav(page, { has: ['My networks', 'Profile'], hasNot: ['Sign in', 'Lead', 'Admin'] });

  // Home lists the network.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
  await page.getByRole('heading', { level: 1, name: /Welcome, Priya/ }).waitFor();
  await page.getByRole('link', { name: network.name }).first().waitFor();
  await expectNoAxeViolations(page, 'home (new member)');

  // The database agrees: one account, one student membership in year 1.
  const [account] = await j.server.db.select().from(users).where(eq(users.email, invitee.email));
  expect(account).toBeDefined();
  const rows = await j.server.db.select().from(memberships).where(eq(memberships.userId, account!.id));
  expect(rows).toMatchObject([{ networkId: network.id, kind: 'student', yearOfStudy: 1, role: 'member' }]);

  // The link works once.
  const again = await j.otherBrowser();
  await again.page.goto(link);
  await settled(again.page);
  await again.page.getByRole('heading', { level: 1, name: 'This invitation does not work' }).waitFor();
  await expectNoAxeViolations(again.page, 'used invitation');
  b.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
  again.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});
