// Journey: a signed-in student makes a named report; the case handler sees the student's name,
// assigns the case to a colleague, adds a file and replies; the student reads the reply under
// "My reports", downloads the file and answers. Every page is checked with axe.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPlacementProvider } from '../src/server/modules/speak-up/directory';
import { submitReport } from '../src/server/modules/speak-up/reports';
import {
  addMember,
  buildInstitution,
  buildNetwork,
  buildUser,
  grantCaseHandler,
  readySpeakUp,
  TEST_PASSWORD,
} from '../src/server/test/factories';
import { ReportSubmissionSchema } from '../src/shared/speak-up/schema';
import { expectNoAxeViolations } from './support/axe';
import type { E2eBrowser } from './support/browser';
import {
  EXPECTED_HTTP_ERRORS,
  type Journey,
  settled,
  signInWithPassword,
  signInWithTotp,
  startJourney,
} from './support/journey';

let j: Journey;
let student: Awaited<ReturnType<typeof buildUser>>;
let handler: Awaited<ReturnType<typeof buildUser>>;
let handlerBrowser: E2eBrowser;
let reference = '';
let institutionId = '';
let otherMember: Awaited<ReturnType<typeof buildUser>>;
const trust = 'Ashby Vale NHS Trust';
const today = new Date().toISOString().slice(0, 10);
const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

beforeAll(async () => {
  j = await startJourney();
  const { db, masterKey } = j.server;
  const institution = await buildInstitution(db, { name: 'Northfield Medical School' });
  const network = await buildNetwork(db, institution.id, { name: 'NorthRACE' });
  await createPlacementProvider(db, null, institution.id, { name: trust });
  student = await buildUser(db, { name: 'Amara Okafor' });
  await addMember(db, { userId: student.id, networkId: network.id, kind: 'student', yearOfStudy: 3 });
  handler = await buildUser(db, { name: 'Helen Adeyemi', totpMasterKey: masterKey });
  const colleague = await buildUser(db, { name: 'Tom Baker', totpMasterKey: masterKey });
  await grantCaseHandler(db, handler.id, institution.id);
  await grantCaseHandler(db, colleague.id, institution.id);
  await readySpeakUp(db, institution.id, masterKey);
  institutionId = institution.id;
  otherMember = await buildUser(db, { name: 'Kwame Asante' });
  await addMember(db, { userId: otherMember.id, networkId: network.id, kind: 'student', yearOfStudy: 4 });
}, 60_000);
afterAll(() => j?.close());

async function check(page: Page, label: string) {
  await settled(page);
  await expectNoAxeViolations(page, label);
}

it('a signed-in student makes a named report', async () => {
  const { page } = j;
  await page.setViewportSize({ width: 390, height: 844 });
  await signInWithPassword(j, student.email, TEST_PASSWORD);
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  await settled(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Report' }).click();
  await page.getByRole('heading', { level: 1, name: 'Report something that happened' }).waitFor();
  await check(page, '/report, signed in');

  await page.getByLabel('With my name').check();
  await page.getByLabel('The case handler may contact me by e-mail').waitFor();
  await page
    .getByLabel('What happened?')
    .fill('In the skills lab a registrar called me by a racist nickname.');
  await page.getByLabel('Date', { exact: true }).fill(today);
  await page.getByLabel('Placement provider', { exact: true }).selectOption({ label: trust });
  await page.getByLabel('Consultant or doctor').check();
  await page.getByLabel('It was directed at me').check();
  await page.getByLabel('Informal resolution').check();
  await page.getByLabel('The case handler may contact me by e-mail').check();
  await page.getByRole('button', { name: 'Send report' }).click();

  await page.getByRole('heading', { level: 1, name: 'Report sent' }).waitFor();
  await check(page, '/report, named receipt');
  reference = (await page.getByTestId('reference').textContent()) ?? '';
  expect(reference).toMatch(/^R-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
  await page.getByRole('link', { name: 'My reports' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'My reports' }).waitFor();
  await check(page, '/report/mine');
  await page.getByText('No reply yet.').waitFor();
});

it('the case handler sees the name, assigns a colleague, adds a file and replies', async () => {
  handlerBrowser = await j.otherBrowser();
  const page = handlerBrowser.page;
  await signInWithTotp(j, handler, TEST_PASSWORD, page);
  await page.goto(`${j.server.baseUrl}/cases`);
  await check(page, '/cases');
  await page.getByRole('link', { name: `Case ${reference}` }).click();
  await page.getByRole('heading', { level: 1, name: `Case ${reference}` }).waitFor();
  await check(page, '/cases/:id named');
  await page.getByText(`Amara Okafor (${student.email})`, { exact: false }).waitFor();
  await page.getByText('may be contacted by e-mail').waitFor();

  // Assign to the colleague: listed because nobody has a conflict with this case.
  await page.getByLabel('Assign the case to').selectOption({ label: 'Tom Baker' });
  await page.getByRole('button', { name: 'Save the assignment' }).click();
  await expect.poll(() => page.locator('dl.facts').first().textContent()).toContain('Tom Baker');

  // A file from the handler's side.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-e2e-'));
  const png = path.join(dir, 'rota-skills-lab.png');
  fs.writeFileSync(png, Buffer.from(PNG_1X1, 'base64'));
  await page.getByLabel('File', { exact: true }).setInputFiles(png);
  await page.getByRole('button', { name: 'Upload file' }).click();
  await page.getByRole('status').filter({ hasText: 'rota-skills-lab.png was added' }).waitFor();
  await page.getByRole('link', { name: 'rota-skills-lab.png' }).waitFor();
  fs.rmSync(dir, { recursive: true, force: true });

  // The conflict-of-interest form asks for a confirmation; cancelled here.
  await page.getByLabel('Who has a conflict of interest').selectOption({ label: 'Tom Baker' });
  await page.getByRole('button', { name: 'Mark a conflict of interest' }).click();
  await page.getByText('Mark Tom Baker as conflicted?').waitFor();
  await check(page, '/cases/:id confirm conflict');
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();

  await page.getByRole('button', { name: 'Acknowledge' }).click();
  await expect.poll(() => page.getByTestId('case-status').textContent()).toBe('Acknowledged');
  await page
    .getByLabel('Message to the reporter')
    .fill('Thank you, Amara. I have attached the lab rota; can you tell me which session it was?');
  await page.getByRole('button', { name: 'Send to the reporter' }).click();
  await page.getByText('Helen Adeyemi wrote to the reporter').waitFor();
  await check(page, '/cases/:id replied');
  handlerBrowser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('the student reads the reply under My reports, downloads the file and answers', async () => {
  const { page } = j;
  await page.goto(`${j.server.baseUrl}/report/mine`);
  await check(page, '/report/mine with a reply');
  await page.getByText('Last reply').waitFor();
  await page.getByRole('link', { name: `Report ${reference}` }).click();
  await page.getByRole('heading', { level: 1, name: `Your report ${reference}` }).waitFor();
  await check(page, '/report/mine/:id');
  expect(await page.getByTestId('report-status').textContent()).toBe('Acknowledged');
  await page.getByText('can you tell me which session it was?').waitFor();
  await page.getByText('racist nickname').waitFor();

  const file = page.getByRole('link', { name: 'rota-skills-lab.png' });
  await file.waitFor();
  const href = (await file.getAttribute('href')) ?? '';
  expect(href).toMatch(/^\/api\/speak-up\/my-reports\/[0-9a-f-]+\/attachments\/[0-9a-f-]+$/);
  const download = await page.evaluate(async (url) => {
    const answer = await fetch(url);
    return { status: answer.status, type: answer.headers.get('content-type') };
  }, href);
  expect(download).toEqual({ status: 200, type: 'image/png' });

  await page.getByLabel('Your message').fill('It was the Tuesday afternoon session.');
  await page.getByRole('button', { name: 'Send message' }).click();
  await page.getByRole('status').filter({ hasText: 'Your message was sent' }).waitFor();
  await page.getByText('It was the Tuesday afternoon session.').waitFor();
  await check(page, '/report/mine/:id answered');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('a student holds a report for a match; a case handler reviews the match and releases it', async () => {
  const { page } = j;
  await page.goto(`${j.server.baseUrl}/report`);
  await page.getByRole('heading', { level: 1, name: 'Report something that happened' }).waitFor();
  await page.getByLabel('What happened?').fill('On the ward round Dr Lewis Grant mocked my accent again.');
  await page.getByLabel('Date', { exact: true }).fill(today);
  await page.getByLabel('Placement provider', { exact: true }).selectOption({ label: trust });
  await page.getByLabel('Consultant or doctor').check();
  await page.getByLabel('It was directed at me').check();
  await page.getByLabel('Informal resolution').check();
  await page.getByText('Only act on this if someone else reports the same person').click();
  await page.getByLabel('Hold my report until then').check();
  await page.getByLabel('The person’s name').fill('Dr Lewis Grant');
  await check(page, '/report, holding for a match');
  await page.getByRole('button', { name: 'Send report' }).click();
  await page.getByRole('heading', { level: 1, name: 'Report sent' }).waitFor();
  const held = (await page.getByTestId('reference').textContent()) ?? '';
  expect(held).not.toBe('');

  // Another student names the same person (through the same domain function as the form).
  await submitReport(
    j.server.app.services,
    ReportSubmissionSchema.parse({
      institutionId,
      when: { kind: 'date', date: today },
      where: { setting: 'campus', location: 'Lecture theatre 1' },
      who: { roles: ['consultant'] },
      involvement: 'witnessed',
      whatHappened: 'I heard Mr Grant mock a student’s accent.',
      outcomeWanted: 'record_only',
      matching: { person: 'lewis grant' },
    }),
    { account: { userId: otherMember.id, institutionIds: [institutionId] } },
  );

  // The handler sees the match, reads it and releases it to case handling.
  const hp = handlerBrowser.page;
  await hp.goto(`${j.server.baseUrl}/cases`);
  await hp.getByRole('link', { name: `Case ${held}` }).waitFor();
  await hp.getByText('Match to review').first().waitFor();
  await hp.getByRole('link', { name: `Case ${held}` }).click();
  await hp.getByRole('heading', { level: 2, name: 'Held for a match: your decision' }).waitFor();
  await settled(hp);
  await expectNoAxeViolations(hp, '/cases/:id held for a match');
  await hp.getByRole('button', { name: 'Release to case handling' }).click();
  await hp.getByRole('button', { name: 'Acknowledge' }).waitFor();
  expect(await hp.getByText('Held for a match: your decision').count()).toBe(0);
  handlerBrowser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});
