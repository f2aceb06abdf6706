// Journey: a member with TOTP signs in with password, is asked for the code, gives a wrong one and
// then the right one, and lands signed in on the home page with their network.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sessions } from '../src/db/schema';
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
  freshTotp,
  type Journey,
  settled,
  signInWithPassword,
  startJourney,
} from './support/journey';

let j: Journey;
let user: Awaited<ReturnType<typeof buildUser>>;
let networkName: string;
beforeAll(async () => {
  j = await startJourney();
  const { db, masterKey } = j.server;
  const institution = await buildInstitution(db, { name: 'Leicester Medical School' });
  const network = await buildNetwork(db, institution.id, { name: 'MedRACE' });
  networkName = network.name;
  user = await buildUser(db, { name: 'Amara Okafor', totpMasterKey: masterKey });
  await addMember(db, { userId: user.id, networkId: network.id, kind: 'student', yearOfStudy: 3 });
});
afterAll(() => j?.close());

it('signs in with password and a TOTP code', async () => {
  const { page } = j;
  await signInWithPassword(j, user.email, TEST_PASSWORD);

  // Password accepted: the code page, and nothing signed-in is shown yet.
  await page.waitForURL(/\/sign-in\/code/);
  await j.check('/sign-in/code');
  await expectNav(page, { hasNot: ['My networks', 'Profile'] });

  // A wrong code is refused with a message; the page stays.
  await page.getByRole('textbox', { name: 'Code' }).fill('000000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('alert').or(page.locator('.error-summary')).first().waitFor();
  expect(page.url()).toContain('/sign-in/code');
  await j.check('/sign-in/code with an error');

  // The right code.
  await page.getByRole('textbox', { name: 'Code' }).fill(await freshTotp(user.totpSecret!));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  await page.getByRole('heading', { level: 1, name: /Welcome, Amara/ }).waitFor();
  await j.check('home, signed in');
  await expectNav(page, { has: ['My networks', 'Profile'], hasNot: ['Admin', 'Lead'] });
  await page.getByRole('link', { name: networkName }).first().waitFor();

  // The session in the database has its second factor.
  const rows = await j.server.db.select().from(sessions).where(eq(sessions.userId, user.id));
  expect(rows).toHaveLength(1);
  expect(rows[0]!.secondFactorAt).not.toBeNull();

  j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('a page asked for before signing in is reached after password and code', async () => {
  const b = await j.otherBrowser();
  const page = b.page;
  await page.goto(`${j.server.baseUrl}/profile`);
  await page.waitForURL(/\/sign-in\?next=/);
  await signInWithPassword(j, user.email, TEST_PASSWORD, page);
  await page.waitForURL(/\/sign-in\/code/);
  // A code is never accepted twice: freshTotp gives the next step's code if this one was used.
  await page.getByRole('textbox', { name: 'Code' }).fill(await freshTotp(user.totpSecret!));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/profile$/);
  await settled(page);
  await expectNoAxeViolations(page, '/profile');
  b.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});
