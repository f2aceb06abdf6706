// Journey: a co-chair imports a cohort from a CSV file. The first file has mistakes: every row
// problem is shown and nothing is imported. The fixed file imports: everyone receives an invitation
// over real SMTP (an existing account too: it accepts signed in, nobody is added unasked).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { memberships, oneTimeTokens } from '../src/db/schema';
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
  type Journey,
  linkIn,
  signInWithPassword,
  startJourney,
} from './support/journey';

let j: Journey;
let network: { id: string; slug: string; name: string };
let existing: Awaited<ReturnType<typeof buildUser>>;
let dir: string;
beforeAll(async () => {
  j = await startJourney();
  const { db } = j.server;
  const institution = await buildInstitution(db, { name: 'Leicester Medical School' });
  network = await buildNetwork(db, institution.id, { name: 'MedRACE', slug: 'medrace' });
  const lead = await buildUser(db, { name: 'Amara Okafor' });
  await addMember(db, { userId: lead.id, networkId: network.id, kind: 'student', role: 'lead' });
  // Someone who already has an account (a member of another network).
  existing = await buildUser(db, { name: 'Tom Hughes', email: 'tom.hughes@example.ac.uk' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-cohort-'));

  await signInWithPassword(j, lead.email, TEST_PASSWORD);
  await j.page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
});
afterAll(async () => {
  await j?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const memberCount = async () =>
  (await j.server.db.select().from(memberships).where(eq(memberships.networkId, network.id))).length;

function csvFile(name: string, lines: string[]) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${lines.join('\r\n')}\r\n`);
  return file;
}

it('shows every row problem and imports nothing', async () => {
  const { page } = j;
  await j.visit(`/networks/${network.slug}#import`, 'network page, import section');
  const before = await memberCount();

  const file = csvFile('cohort-with-errors.csv', [
    'name,email,kind,year',
    'Yusuf Ali,yusuf.ali@example.ac.uk,student,2',
    'Grace Boateng,not-an-email,student,1',
    'Dr Leah Cohen,leah.cohen@example.ac.uk,staff,',
    'Daniel Osei,daniel.osei@example.ac.uk,student,9',
    'Tom Hughes,tom.hughes@example.ac.uk,student,3',
  ]);
  const form = page.getByRole('form', { name: 'Import a cohort' });
  await form.getByLabel('CSV file').setInputFiles(file);
  await expect.poll(() => form.getByLabel('CSV text').inputValue()).toContain('Grace Boateng');
  await form.getByRole('button', { name: 'Import', exact: true }).click();

  const summary = form.locator('.error-summary');
  await summary.waitFor();
  await expect(summary.textContent()).resolves.toContain('Nothing was imported');
  await expect(summary.textContent()).resolves.toMatch(/Row 3, email/);
  await expect(summary.textContent()).resolves.toMatch(/Row 5, year/);
  await expectNoAxeViolations(page, 'import with row errors');

  // All or nothing: no membership, no invitation, no mail.
  expect(await memberCount()).toBe(before);
  expect(
    await j.server.db.select().from(oneTimeTokens).where(eq(oneTimeTokens.purpose, 'invitation')),
  ).toEqual([]);
  await j.server.deliverMail();
  expect(j.server.smtp.messages).toEqual([]);
});

it('imports the fixed file: everyone invited by e-mail, the existing account too', async () => {
  const { page } = j;
  const file = csvFile('cohort.csv', [
    'name,email,kind,year',
    'Yusuf Ali,yusuf.ali@example.ac.uk,student,2',
    'Grace Boateng,grace.boateng@example.ac.uk,student,1',
    'Dr Leah Cohen,leah.cohen@example.ac.uk,staff,',
    'Daniel Osei,daniel.osei@example.ac.uk,student,6',
    'Tom Hughes,tom.hughes@example.ac.uk,student,3',
  ]);
  const form = page.getByRole('form', { name: 'Import a cohort' });
  await form.getByLabel('CSV file').setInputFiles(file);
  await expect.poll(() => form.getByLabel('CSV text').inputValue()).toContain('grace.boateng@');

  // Check first: every row valid, nothing written.
  const before = await memberCount();
  await form.getByRole('button', { name: 'Check only' }).click();
  await page.getByText(/every row is valid/).waitFor();
  expect(await memberCount()).toBe(before);

  await form.getByRole('button', { name: 'Import', exact: true }).click();
  await page
    .getByText(/^Imported 5 rows/)
    .first()
    .waitFor();
  await expectNoAxeViolations(page, 'import done');

  // Tom had an account: he is invited like the four others, not added.
  expect(await memberCount()).toBe(before);
  const tom = await j.server.db.select().from(memberships).where(eq(memberships.userId, existing.id));
  expect(tom).toEqual([]);
  const invited = ['yusuf.ali', 'grace.boateng', 'leah.cohen', 'daniel.osei', 'tom.hughes'].map(
    (n) => `${n}@example.ac.uk`,
  );
  for (const email of invited) {
    const mail = await j.server.smtp.waitFor((m) => m.to.includes(email), 10_000);
    expect(mail.subject).toContain(network.name);
    expect(linkIn(mail.text, j.server.baseUrl)).toMatch(/\/invite\//);
  }
  // Importing the same file again invites no one twice, and says so.
  await form.getByRole('button', { name: 'Import', exact: true }).click();
  await page
    .getByText(
      /^Imported 5 rows: 0 invitations sent; 0 people are already a member and 5 people have an invitation waiting/,
    )
    .waitFor();
  await expectNoAxeViolations(page, 'import again');

  // The invitations waiting for an answer: one is sent again, another withdrawn.
  const waiting = page.getByRole('region', { name: 'Invitations waiting for an answer' });
  await waiting.getByText('Tom Hughes · tom.hughes@example.ac.uk').waitFor();
  await waiting.getByRole('button', { name: 'Send again to yusuf.ali@example.ac.uk' }).click();
  await waiting.getByText('Invitation sent again to yusuf.ali@example.ac.uk.').waitFor();
  await waiting.getByRole('button', { name: 'Withdraw the invitation to tom.hughes@example.ac.uk' }).click();
  await waiting.getByText('Invitation to tom.hughes@example.ac.uk withdrawn.').waitFor();
  // The list reloads after the message: wait for the withdrawn row to leave it.
  await waiting.getByText('Tom Hughes · tom.hughes@example.ac.uk').waitFor({ state: 'detached' });
  await expectNoAxeViolations(page, 'pending invitations');
  j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});
