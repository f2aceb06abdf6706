// Journey: an administrator adds the university's OpenID Connect provider (a real oidc-provider on
// loopback) in the admin area; a member then clicks "Sign in with …" on the sign-in page, signs in
// at the provider in the browser, and comes back signed in.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ssoIdentities } from '../src/db/schema';
import {
  addMember,
  buildInstitution,
  buildNetwork,
  buildUser,
  TEST_PASSWORD,
} from '../src/server/test/factories';
import { startTestOidcProvider, type TestOidcProvider } from '../src/server/test/oidc';
import { expectNoAxeViolations } from './support/axe';
import {
  EXPECTED_HTTP_ERRORS,
  expectNav,
  type Journey,
  settled,
  signInWithTotp,
  startJourney,
} from './support/journey';

let j: Journey;
let oidc: TestOidcProvider;
let admin: Awaited<ReturnType<typeof buildUser>>;
let member: Awaited<ReturnType<typeof buildUser>>;
const institutionName = 'University of Leicester';
beforeAll(async () => {
  j = await startJourney();
  const { db, masterKey } = j.server;
  const institution = await buildInstitution(db, { name: institutionName });
  const network = await buildNetwork(db, institution.id, { name: 'MedRACE', slug: 'medrace' });
  admin = await buildUser(db, { name: 'Ada Admin', isAdmin: true, totpMasterKey: masterKey });
  member = await buildUser(db, { name: 'Oluwaseun Adeyemi', email: 'oa123@student.le.example.ac.uk' });
  await addMember(db, { userId: member.id, networkId: network.id, kind: 'student', yearOfStudy: 2 });
  oidc = await startTestOidcProvider({
    redirectUris: [`${j.server.baseUrl}/api/auth/sso/callback`],
    title: 'University of Leicester',
    accounts: [{ sub: 'le-oa123', email: member.email, name: member.name }],
  });
});
afterAll(async () => {
  await j?.close();
  await oidc?.close();
});

it('an admin adds the identity provider', async () => {
  const { page } = j;
  await signInWithTotp(j, admin, TEST_PASSWORD);
  await j.visit('/admin/sso', 'admin single sign-on');
  const form = page.getByRole('form', { name: 'Add a provider' });
  await form.getByLabel('Institution').selectOption({ label: institutionName });
  await form.getByLabel('Name', { exact: true }).fill('University of Leicester');
  await form.getByLabel('Issuer URL').fill(oidc.issuer);
  await form.getByLabel('Client ID').fill(oidc.clientId);
  await form.getByLabel('Client secret').fill(oidc.clientSecret);
  await form.getByLabel('E-mail domains').fill('le.example.ac.uk, student.le.example.ac.uk');
  await form.getByRole('button', { name: 'Add provider' }).click();
  await page.getByText('University of Leicester has been added.').waitFor();
  await expectNoAxeViolations(page, 'admin single sign-on, provider added');
  j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('a member signs in with the university account in the browser', async () => {
  const b = await j.otherBrowser();
  b.allowOrigin(oidc.issuer);
  const page = b.page;
  await page.goto(`${j.server.baseUrl}/sign-in`);
  await settled(page);
  await expectNoAxeViolations(page, 'sign-in with SSO button');
  await page.getByRole('link', { name: 'Sign in with University of Leicester' }).click();

  // At the provider (its own page, on its own origin).
  await page.waitForURL((url) => url.origin === oidc.issuer);
  await page.getByLabel('University e-mail').fill(member.email);
  await page.getByRole('button', { name: 'Sign in' }).click();

  // Back at Upstander, signed in.
  await page.waitForURL((url) => url.origin === j.server.baseUrl && !url.pathname.startsWith('/api/'));
  await settled(page);
  await page.getByRole('heading', { level: 1, name: /Welcome, Oluwaseun/ }).waitFor();
  await expectNoAxeViolations(page, 'home after SSO');
  await expectNav(page, { has: ['My networks', 'Profile'], hasNot: ['Sign in'] });

  // The university identity is now linked to the account.
  const links = await j.server.db.select().from(ssoIdentities).where(eq(ssoIdentities.userId, member.id));
  expect(links).toMatchObject([{ subject: 'le-oa123' }]);
  b.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});
