// Journey (part of issue 12's "done means"): on a phone, an administrator sets up a new school from
// the web: the school, a network (its web address suggested from the name until edited), support
// contacts (one urgent) and two placement providers, watching the set-up checklist tick itself.
// Until the school is ready its report page says it is still setting up and shows no form; once it
// has a case handler with two-factor authentication, the form opens.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { institutions } from '../src/db/schema';
import { buildUser, grantCaseHandler, TEST_PASSWORD } from '../src/server/test/factories';
import { expectNoAxeViolations } from './support/axe';
import type { E2eBrowser } from './support/browser';
import { EXPECTED_HTTP_ERRORS, type Journey, settled, signInWithTotp, startJourney } from './support/journey';

let j: Journey;
let admin: Awaited<ReturnType<typeof buildUser>>;
let handler: Awaited<ReturnType<typeof buildUser>>;
let visitor: E2eBrowser;
const PHONE = { width: 390, height: 844 };

beforeAll(async () => {
  j = await startJourney();
  const { db, masterKey } = j.server;
  admin = await buildUser(db, { name: 'Ada Admin', isAdmin: true, totpMasterKey: masterKey });
  handler = await buildUser(db, { name: 'Grace Mensah', totpMasterKey: masterKey });
  visitor = await j.otherBrowser();
  await j.page.setViewportSize(PHONE);
  await visitor.page.setViewportSize(PHONE);
}, 60_000);
afterAll(() => j?.close());

async function reportPage(label: string) {
  await visitor.page.goto(`${j.server.baseUrl}/report`);
  await settled(visitor.page);
  await expectNoAxeViolations(visitor.page, label);
}

it('the admin adds the school and a network; the web address follows the name only until edited', async () => {
  const { page } = j;
  await signInWithTotp(j, admin, TEST_PASSWORD);
  await j.visit('/admin/institutions', 'institutions, empty');

  const school = page.getByRole('form', { name: 'Add an institution' });
  await school.getByLabel('Name').fill('Southbridge Medical School');
  expect(await school.getByLabel('Slug').inputValue()).toBe('southbridge-medical-school');
  await school.getByRole('button', { name: 'Add institution' }).click();
  await page.getByText('Southbridge Medical School has been added.').waitFor();

  const network = page.getByRole('form', { name: 'Add a network' });
  // "Add a network" starts with the school just added.
  const chosen = await network
    .getByLabel('Institution')
    .evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.text);
  expect(chosen).toBe('Southbridge Medical School');
  await network.getByLabel('Name').fill('SouthRACE');
  expect(await network.getByLabel('Slug').inputValue()).toBe('southrace');
  // The admin's own web address is kept: typing more of the name no longer changes it.
  await network.getByLabel('Slug').fill('south-race');
  await network.getByLabel('Name').fill('SouthRACE network');
  expect(await network.getByLabel('Slug').inputValue()).toBe('south-race');
  await network.getByRole('button', { name: 'Add network' }).click();
  await page.getByText('SouthRACE network has been added.').waitFor();
  await j.check('institutions, with the checklist');
  await page.getByText(/Set-up: 6 steps to go · report form closed/).waitFor();
  j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('until the school is ready, its report page says it is still setting up and shows no form', async () => {
  await reportPage('report page, setting up');
  await visitor.page.getByRole('heading', { name: 'This school is still setting up' }).waitFor();
  expect(await visitor.page.getByRole('heading', { name: 'Your report' }).isVisible()).toBe(false);
  expect(await visitor.page.getByRole('button', { name: /Send/ }).count()).toBe(0);
});

it('the admin lists support contacts (one urgent) and two placement providers', async () => {
  const { page } = j;
  await page.getByRole('link', { name: /Support contacts and placement providers of Southbridge/ }).click();
  await j.check('support contacts and providers, empty');

  const contact = page.getByRole('form', { name: 'Add a support contact' });
  await contact.getByLabel('Name').fill('Southbridge Student Wellbeing');
  await contact.getByLabel('What they offer, and when').fill('Counsellors and advisers, weekdays 9–5.');
  await contact.getByLabel('Telephone (optional)').fill('0116 496 0000');
  await contact.getByRole('button', { name: 'Add support contact' }).click();
  await page.getByText('Southbridge Student Wellbeing has been added.').waitFor();
  // A telephone number with words in it is refused, plainly, and what was typed stays.
  await contact.getByLabel('Name').fill('Out of hours');
  await contact.getByLabel('Telephone (optional)').fill('ring the porters');
  await contact.getByRole('button', { name: 'Add support contact' }).click();
  await contact
    .getByText(/Enter a telephone number in digits/)
    .first()
    .waitFor();
  await j.check('support contact with an error');
  await contact.getByLabel('Kind').selectOption('police_hate_crime');
  await contact.getByLabel('Name').fill('Emergency and out-of-hours help');
  await contact.getByLabel('Telephone (optional)').fill('999');
  await contact.getByLabel(/Urgent/).check();
  await contact.getByRole('button', { name: 'Add support contact' }).click();
  await page.getByText('Emergency and out-of-hours help has been added.').waitFor();

  const provider = page.getByRole('form', { name: 'Add a placement provider' });
  for (const name of ['Southbridge Teaching Hospitals NHS Trust', 'Ashby Vale NHS Trust']) {
    await provider.getByLabel('Name').fill(name);
    await provider.getByRole('button', { name: 'Add placement provider' }).click();
    await page.getByText(`${name} has been added.`).waitFor();
  }
  await page.getByRole('button', { name: 'Move up Ashby Vale NHS Trust' }).click();
  await page.getByText('Ashby Vale NHS Trust moved up.').waitFor();
  await j.check('support contacts and providers, listed');
  // Still closed: nobody can read a report yet.
  await page.getByText(/a case handler who has set up two-factor authentication/).waitFor();
  await reportPage('report page, still setting up');
  await visitor.page.getByRole('heading', { name: 'This school is still setting up' }).waitFor();
});

it('with a case handler who has two-factor authentication, the report form opens', async () => {
  const { db } = j.server;
  const [school] = await db
    .select()
    .from(institutions)
    .where(eq(institutions.slug, 'southbridge-medical-school'));
  // Granting the role now needs a second administrator's approval (built alongside): given here directly.
  await grantCaseHandler(db, handler.id, school!.id);
  await j.page.reload();
  await j.check('support contacts and providers, ready');
  await j.page.getByText('This school takes reports: its report form is open.').waitFor();

  await reportPage('report page, open');
  await visitor.page.getByRole('heading', { name: 'Your report' }).waitFor();
  expect(await visitor.page.getByRole('heading', { name: 'This school is still setting up' }).count()).toBe(
    0,
  );
  const providers = await visitor.page.locator('select option').allTextContents();
  expect(providers.indexOf('Ashby Vale NHS Trust')).toBeLessThan(
    providers.indexOf('Southbridge Teaching Hospitals NHS Trust'),
  );

  await j.visit('/admin/institutions', 'institutions, checklist after set-up');
  await j.page.getByText(/Set-up: 3 steps to go · report form open/).waitFor();
  j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
  visitor.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});
