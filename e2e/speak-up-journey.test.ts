// Journey: an anonymous student reports racial harassment on placement and gets a receipt code; a
// case handler (TOTP) acknowledges and replies; the student follows up with the code, reads the
// reply and adds information; the handler escalates to the trust and closes the case with an
// outcome; a lead sees only the suppressed statistics, never a case.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPlacementProvider, createSupportContact } from '../src/server/modules/speak-up/directory';
import {
  addMember,
  buildInstitution,
  buildNetwork,
  buildUser,
  grantCaseHandler,
  readySpeakUp,
  TEST_PASSWORD,
} from '../src/server/test/factories';
import { expectNoAxeViolations } from './support/axe';
import type { E2eBrowser } from './support/browser';
import {
  EXPECTED_HTTP_ERRORS,
  expectNav,
  type Journey,
  settled,
  signInWithPassword,
  signInWithTotp,
  startJourney,
} from './support/journey';

let j: Journey;
let handler: Awaited<ReturnType<typeof buildUser>>;
let lead: Awaited<ReturnType<typeof buildUser>>;
let handlerBrowser: E2eBrowser;
let reference = '';
let receipt = '';
const trust = 'Northfield Teaching Hospitals NHS Trust';
const today = new Date().toISOString().slice(0, 10);
/** A valid 1×1 PNG: the server re-encodes images, so the bytes must really be one. */
const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const inTwoWeeks = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  j = await startJourney();
  const { db, masterKey } = j.server;
  const institution = await buildInstitution(db, { name: 'Leicester Medical School' });
  const network = await buildNetwork(db, institution.id, { name: 'MedRACE' });
  await createPlacementProvider(db, null, institution.id, { name: trust });
  await createPlacementProvider(db, null, institution.id, { name: 'Ashby Vale NHS Trust' });
  await createSupportContact(db, null, institution.id, {
    kind: 'wellbeing',
    name: 'Student Wellbeing Service',
    description: 'Confidential support, weekdays 9–5.',
    phone: '01632 960000',
    url: 'https://wellbeing.example.ac.uk',
  });
  handler = await buildUser(db, { name: 'Grace Mensah', totpMasterKey: masterKey });
  await grantCaseHandler(db, handler.id, institution.id);
  await readySpeakUp(db, institution.id, masterKey);
  lead = await buildUser(db, { name: 'Ravi Patel' });
  await addMember(db, { userId: lead.id, networkId: network.id, role: 'lead', kind: 'staff' });
}, 60_000);
afterAll(() => j?.close());

async function check(page: Page, label: string) {
  await settled(page);
  await expectNoAxeViolations(page, label);
}

it('an anonymous student reports an incident on placement and gets a receipt', async () => {
  const { page } = j;
  // A phone between ward rounds.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${j.server.baseUrl}/`);
  await settled(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Report' }).click();
  await page.getByRole('heading', { level: 1, name: 'Report something that happened' }).waitFor();
  await check(page, '/report');
  // Support comes before the form.
  await page.getByText('Student Wellbeing Service').waitFor();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  // A first try with only the story: errors beside the fields and in a summary; nothing is lost.
  const story = 'On the ward round the consultant mocked my name and said people like me do not belong.';
  await page.getByLabel('What happened?').fill(story);
  // Matching escrow is for signed-in members only (an anonymous visitor could probe it otherwise).
  await page.getByText('Only act on this if someone else reports the same person').click();
  await page.getByText('Nobody, including you, is told whether a match has happened.').waitFor();
  await page.getByText('To hold a report for a match,').waitFor();
  expect(await page.getByLabel('Hold my report until then').count()).toBe(0);
  await page.getByRole('button', { name: 'Send report' }).click();
  await page.getByRole('alert').filter({ hasText: 'There is a problem' }).waitFor();
  await check(page, '/report with errors');
  expect(await page.getByLabel('What happened?').inputValue()).toBe(story);

  await page.getByLabel('Date', { exact: true }).fill(today);
  await page.getByLabel('Placement provider', { exact: true }).selectOption({ label: trust });
  await page.getByLabel('Site (optional)').fill('Royal Infirmary');
  await page.getByLabel('Department or ward (optional)').fill('Ward 7, general surgery');
  await page.getByLabel('Consultant or doctor').check();
  await page.getByLabel('It was directed at me').check();
  await page.getByLabel('Support for me').check();
  await page.getByLabel('The person involved assesses or supervises me').check();
  await page.getByText('Equality questions (optional)').click();
  await page.getByLabel('Your ethnic group').selectOption('prefer_not_to_say');
  await page.getByRole('button', { name: 'Send report' }).click();

  await page.getByRole('heading', { level: 1, name: 'Report sent' }).waitFor();
  await check(page, '/report, receipt');
  receipt = (await page.getByTestId('receipt-code').textContent()) ?? '';
  reference = (await page.getByTestId('reference').textContent()) ?? '';
  expect(receipt).toMatch(/^\d{4}(-\d{4}){4}$/);
  expect(reference).not.toBe('');
  await page.getByText('cannot be recovered').waitFor();
  await page.getByRole('button', { name: 'Copy receipt' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: /Copied|selected/ })
    .waitFor();
  await page.getByText('Student Wellbeing Service').waitFor();

  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  // No cookie and no stored trace for the anonymous reporter; the code is not in the address.
  expect(await page.context().cookies()).toEqual([]);
  expect(page.url()).not.toContain(receipt.replace(/-/g, ''));
  const stored = await page.evaluate(
    () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
  );
  expect(stored).not.toContain(receipt.replace(/-/g, '').slice(0, 8));
});

it('a case handler acknowledges the report and replies', async () => {
  handlerBrowser = await j.otherBrowser();
  const page = handlerBrowser.page;
  await signInWithTotp(j, handler, TEST_PASSWORD, page);
  await expectNav(page, { has: ['Case handling', 'Statistics'] });
  await page.goto(`${j.server.baseUrl}/cases`);
  await check(page, '/cases');
  await page.getByRole('link', { name: `Case ${reference}` }).click();
  await page.getByRole('heading', { level: 1, name: `Case ${reference}` }).waitFor();
  await check(page, '/cases/:id');
  await page.getByText('Arrange another assessor', { exact: false }).waitFor();
  await page.getByText('mocked my name').waitFor();

  await page.getByRole('button', { name: 'Assign to me' }).click();
  await page.getByText('Grace Mensah', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Acknowledge' }).click();
  await expect.poll(() => page.getByTestId('case-status').textContent()).toBe('Acknowledged');

  await page
    .getByLabel('Message to the reporter')
    .fill('Thank you for telling us. We have arranged another assessor for your sign-off.');
  await page.getByRole('button', { name: 'Send to the reporter' }).click();
  await page.getByText('wrote to the reporter').waitFor();
  await check(page, '/cases/:id acknowledged');
});

it('the student follows up with the receipt, reads the reply and adds information', async () => {
  const { page } = j;
  await page.goto(`${j.server.baseUrl}/report/follow-up`);
  await check(page, '/report/follow-up');
  // A wrong code: a calm error, the page stays.
  await page.getByLabel('Receipt code').fill('1234');
  await page.getByRole('button', { name: 'Open my report' }).click();
  await page.getByRole('alert').filter({ hasText: 'There is a problem' }).waitFor();
  // Without dashes is fine.
  await page.getByLabel('Receipt code').fill(receipt.replace(/-/g, ''));
  await page.getByRole('button', { name: 'Open my report' }).click();
  await page.getByRole('heading', { level: 1, name: `Your report ${reference}` }).waitFor();
  await check(page, '/report/follow-up, opened');
  expect(await page.getByTestId('report-status').textContent()).toBe('Acknowledged');
  await page.getByText('arranged another assessor').waitFor();
  await page.getByText('mocked my name').waitFor();
  expect(page.url()).toBe(`${j.server.baseUrl}/report/follow-up`);

  await page.getByLabel('Your message').fill('It happened again on Thursday, in front of the team.');
  await page.getByRole('button', { name: 'Send message' }).click();
  await page.getByRole('status').filter({ hasText: 'Your message was sent' }).waitFor();
  await page.getByText('It happened again on Thursday').waitFor();

  // A photo: no file chosen is caught in the browser; then a small PNG is added and listed.
  await page.getByText('No files yet.').waitFor();
  await page.getByText('lose their location and camera details').waitFor();
  await page.getByRole('button', { name: 'Upload file' }).click();
  await page.getByRole('alert').filter({ hasText: 'Choose a file.' }).waitFor();
  await check(page, '/report/follow-up, file error');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-e2e-'));
  const png = path.join(dir, 'ward-7-rota.png');
  fs.writeFileSync(png, Buffer.from(PNG_1X1, 'base64'));
  await page.getByLabel('File', { exact: true }).setInputFiles(png);
  await page.getByRole('button', { name: 'Upload file' }).click();
  await page.getByRole('status').filter({ hasText: 'ward-7-rota.png was added' }).waitFor();
  await page.getByRole('listitem').filter({ hasText: 'ward-7-rota.png' }).waitFor();
  await check(page, '/report/follow-up, file added');
  fs.rmSync(dir, { recursive: true, force: true });

  // Asking for deletion needs a confirmation; the student keeps the report.
  await page.getByRole('button', { name: 'Ask for deletion' }).click();
  await page.getByRole('button', { name: 'Yes, delete my report' }).waitFor();
  await check(page, '/report/follow-up, confirm deletion');
  await page.getByRole('button', { name: 'Keep it' }).click();
  expect(await page.context().cookies()).toEqual([]);
});

it('the handler escalates to the trust and closes the case with an outcome', async () => {
  const page = handlerBrowser.page;
  await page.reload();
  await settled(page);
  await page.getByText('It happened again on Thursday').waitFor();
  // The student's photo is listed as a same-origin download.
  const file = page.getByRole('link', { name: 'ward-7-rota.png' });
  await file.waitFor();
  expect(await file.getAttribute('href')).toMatch(
    /^\/api\/speak-up\/cases\/[0-9a-f-]+\/attachments\/[0-9a-f-]+$/,
  );
  const href = (await file.getAttribute('href')) ?? '';
  const download = await page.evaluate(async (url) => {
    const answer = await fetch(url);
    return { status: answer.status, type: answer.headers.get('content-type') };
  }, href);
  expect(download).toEqual({ status: 200, type: 'image/png' });
  await check(page, '/cases/:id with a file');

  await page.getByLabel('Escalated to').selectOption({ label: trust });
  await page.getByLabel('Contact’s role').fill('Director of Medical Education');
  await page
    .getByLabel('What was shared', { exact: true })
    .fill('Date, ward and what was said; the student’s name was not shared.');
  await page.getByLabel('The reporter consented to sharing this').check();
  await page.getByLabel('Response due by').fill(inTwoWeeks);
  await page.getByRole('button', { name: 'Record the escalation' }).click();
  await page.getByText(`Escalated to ${trust}`, { exact: false }).waitFor();

  await page.getByRole('button', { name: 'Start assessing' }).click();
  await expect.poll(() => page.getByTestId('case-status').textContent()).toBe('Being assessed');
  await page.getByRole('button', { name: 'Take action…' }).click();
  await page.getByLabel('Kind of action').selectOption('escalated_to_provider');
  await page.getByRole('button', { name: 'Record the action' }).click();
  await expect.poll(() => page.getByTestId('case-status').textContent()).toBe('Action being taken');
  await page.getByRole('button', { name: 'Close the case…' }).click();
  await page.getByLabel('Outcome', { exact: true }).selectOption('provider_took_action');
  await page
    .getByLabel('Outcome note (optional)')
    .fill('The trust spoke to the consultant; the student was reassigned.');
  await page.getByRole('button', { name: 'Close with this outcome' }).click();
  await expect.poll(() => page.getByTestId('case-status').textContent()).toBe('Closed');
  await check(page, '/cases/:id closed');
  handlerBrowser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('a lead sees the suppressed statistics and no case', async () => {
  const b = await j.otherBrowser();
  const page = b.page;
  await signInWithPassword(j, lead.email, TEST_PASSWORD, page);
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  await settled(page);
  await expectNav(page, { has: ['Statistics', 'Report'], hasNot: ['Case handling'] });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Statistics' }).click();
  await page.getByRole('heading', { level: 1, name: 'Speak-up statistics' }).waitFor();
  await check(page, '/statistics');
  // One report: a small number, so it is never shown as "1".
  expect(await page.getByTestId('stat-total').textContent()).not.toBe('1');
  expect(await page.locator('main').textContent()).not.toContain('mocked my name');

  await page.goto(`${j.server.baseUrl}/cases`);
  await check(page, '/cases as a lead');
  await page.getByText('not a case handler').waitFor();
  const status = await page.evaluate(async () => (await fetch('/api/speak-up/cases')).status);
  expect(status).toBe(404);
  b.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});
