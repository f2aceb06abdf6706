// Journey ("you said, we did"): a student raises a concern anonymously to other members; two
// others support it from their own devices; a co-chair triages it into an action with a student
// lead and a staff sponsor, posts updates and completes it; the concern's author hears of every
// step in the app and by e-mail; the action's story is on the public board, readable signed out
// (within the JavaScript budget); and an overdue concern shows on the co-chair's dashboard.
import zlib from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { raiseConcern } from '../src/server/modules/concerns/concerns';
import { actorFor } from '../src/server/modules/meetings/access';
import {
  addMember,
  buildInstitution,
  buildNetwork,
  buildUser,
  TEST_PASSWORD,
} from '../src/server/test/factories';
import type { ReceivedMail } from '../src/server/test/smtp';
import { expectNoAxeViolations } from './support/axe';
import type { E2eBrowser } from './support/browser';
import {
  EXPECTED_HTTP_ERRORS,
  expectNav,
  type Journey,
  settled,
  signInWithPassword,
  startJourney,
} from './support/journey';

type Person = Awaited<ReturnType<typeof buildUser>>;

let j: Journey;
let network: { id: string; slug: string; name: string };
let coChair: Person;
let author: Person;
let supporters: Person[];
let studentLead: Person;
let sponsor: Person;
let coChairBrowser: E2eBrowser;
let concernPath = '';
let actionPath = '';
let visitor: E2eBrowser;
let receipt = '';

const title = 'Theatre headwear for braids and locs';
const overdueTitle = 'Jaundice taught only on white skin in year 2 lectures';
const actionTitle = 'Inclusive theatre headwear';
const outcome = 'Every theatre now stocks extra-large scrub caps and hoods; the uniform policy names them.';
/** The public board's JavaScript budget for a visitor (80 KB gzipped, as for the reporter's page). */
const BOARD_JS_BUDGET = 80 * 1024;

beforeAll(async () => {
  j = await startJourney();
  const { db } = j.server;
  const institution = await buildInstitution(db, { name: 'Leicester Medical School' });
  network = await buildNetwork(db, institution.id, {
    name: 'MedRACE',
    slug: 'medrace',
    visitorsMayRaiseConcerns: true,
  });
  coChair = await buildUser(db, { name: 'Kwame Mensah' });
  await addMember(db, {
    userId: coChair.id,
    networkId: network.id,
    kind: 'staff',
    role: 'lead',
    leadTitle: 'co_chair',
  });
  author = await buildUser(db, { name: 'Amara Okafor' });
  await addMember(db, { userId: author.id, networkId: network.id, kind: 'student', yearOfStudy: 3 });
  supporters = [await buildUser(db, { name: 'Priya Shah' }), await buildUser(db, { name: 'Daniel Osei' })];
  for (const s of supporters) await addMember(db, { userId: s.id, networkId: network.id, kind: 'student' });
  studentLead = await buildUser(db, { name: 'Tomi Adeyemi' });
  await addMember(db, { userId: studentLead.id, networkId: network.id, kind: 'student', yearOfStudy: 4 });
  sponsor = await buildUser(db, { name: 'Helen Clarke' });
  await addMember(db, { userId: sponsor.id, networkId: network.id, kind: 'staff' });

  // A concern raised 30 days ago and never answered: past the default 14-day clock.
  const older = await buildUser(db, { name: 'Sam Rahman' });
  await addMember(db, { userId: older.id, networkId: network.id, kind: 'student' });
  await raiseConcern(
    db,
    await actorFor(db, older.id),
    network.id,
    {
      title: overdueTitle,
      description:
        'Every picture of jaundice in the lectures is on white skin; we cannot recognise it on ours.',
      category: 'curriculum',
      visibility: 'named',
    },
    { now: new Date(Date.now() - 30 * 86_400_000) },
  );
}, 120_000);
afterAll(() => j?.close());

async function check(page: Page, label: string) {
  await settled(page);
  await expectNoAxeViolations(page, label);
}

async function signIn(page: Page, person: Person) {
  await signInWithPassword(j, person.email, TEST_PASSWORD, page);
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  await settled(page);
}

it('a student raises a concern, anonymous to other members, after seeing a similar one', async () => {
  const { page } = j;
  await signIn(page, author);
  await expectNav(page, { has: ['Concerns', 'Impact', 'Notifications'] });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Concerns' }).click();
  await page.getByRole('heading', { level: 1, name: `Concerns in ${network.name}` }).waitFor();
  await check(page, '/networks/:slug/concerns');
  // A member sees no overdue badge: that is for the leads.
  await page.getByRole('link', { name: `#1 ${overdueTitle}` }).waitFor();
  expect(await page.getByText('Answer overdue').count()).toBe(0);

  await page.getByRole('link', { name: 'Raise a concern' }).click();
  await page.getByRole('heading', { level: 1, name: 'Raise a concern' }).waitFor();
  await check(page, '/networks/:slug/concerns/new');

  // Typing a title asks for similar open concerns.
  await page.getByLabel('Title', { exact: true }).fill('jaundice on white skin');
  const similar = page.getByRole('region', { name: 'Similar concerns already raised' });
  await similar.getByRole('link', { name: `#1 ${overdueTitle}` }).waitFor();
  await similar.getByRole('button', { name: 'Support this instead #1' }).waitFor();
  await check(page, '/networks/:slug/concerns/new with suggestions');

  // Not the same thing: a new concern. A first try without a category is refused in the page.
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page
    .getByLabel('What is the problem, and what would help?')
    .fill(
      'Theatre caps do not fit over braids or locs, so we are told to leave theatre or uncover our hair.',
    );
  await page.getByLabel('Placement site (optional)').fill('Royal Infirmary, main theatres');
  await page.getByRole('button', { name: 'Raise this concern' }).click();
  await page.getByRole('alert').filter({ hasText: 'There is a problem' }).waitFor();
  await page.getByRole('alert').getByRole('link', { name: 'Choose a category.' }).waitFor();
  await check(page, '/networks/:slug/concerns/new with errors');
  await page.getByLabel('Category').selectOption('uniform_and_facilities');
  await expect(page.getByLabel('Anonymous to other members').isChecked()).resolves.toBe(true);
  await page.getByText('The co-chairs and leads can see it was you').waitFor();
  await page.getByRole('button', { name: 'Raise this concern' }).click();

  await page.getByRole('heading', { level: 1, name: `#2 ${title}` }).waitFor();
  concernPath = new URL(page.url()).pathname;
  expect(concernPath).toMatch(/^\/concerns\/[0-9a-f-]{36}$/);
  await page.getByText('Your concern #2 was raised').waitFor();
  await check(page, '/concerns/:id (author)');
  expect(await page.getByTestId('concern-status').textContent()).toBe('New');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('two other members support it from their own devices, without learning who raised it', async () => {
  for (const [index, person] of supporters.entries()) {
    const b = await j.otherBrowser();
    const page = b.page;
    await signIn(page, person);
    await page.goto(j.server.baseUrl + concernPath);
    await page.getByRole('heading', { level: 1, name: `#2 ${title}` }).waitFor();
    if (index === 0) await check(page, '/concerns/:id (another member)');
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('anonymously');
    expect(main).not.toContain(author.name);
    await page.getByRole('button', { name: 'Support #2' }).click();
    await page.getByText(`${index + 1} ${index === 0 ? 'supporter' : 'supporters'}, including you`).waitFor();
    await page.getByRole('status').filter({ hasText: 'You support #2' }).waitFor();
    expect(await page.getByRole('button', { name: 'Support #2' }).getAttribute('aria-pressed')).toBe('true');
    b.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
    await b.close();
  }
});

it('a co-chair sees the overdue concern and triages the new one into an action', async () => {
  coChairBrowser = await j.otherBrowser();
  const page = coChairBrowser.page;
  await signIn(page, coChair);
  await page.goto(`${j.server.baseUrl}/networks/${network.slug}/concerns`);
  await check(page, '/networks/:slug/concerns (co-chair)');
  await page.getByRole('listitem').filter({ hasText: overdueTitle }).getByText('Answer overdue').waitFor();

  await page.getByRole('link', { name: `#2 ${title}` }).click();
  await page.getByRole('heading', { level: 1, name: `#2 ${title}` }).waitFor();
  // Anonymous to members, not to the co-chairs.
  await page.getByText(`by ${author.name} (anonymous to members)`).waitFor();
  await page.getByText('2 supporters').waitFor();
  await check(page, '/concerns/:id (co-chair)');

  await page.getByLabel('Accepted as an action').check();
  await page
    .getByLabel('Public answer')
    .fill('Yes: we will ask the trust to stock caps and hoods that fit, and put them in the uniform policy.');
  await page.getByLabel('A new action').check();
  await page.getByLabel('Action title').fill(actionTitle);
  await page
    .getByLabel('What will be done (optional)')
    .fill('Caps and hoods that fit every hairstyle, in every theatre.');
  await page.getByLabel('Student lead').selectOption(studentLead.id);
  await page.getByLabel('Staff sponsor').selectOption(sponsor.id);
  await check(page, '/concerns/:id triage form');
  await page.getByRole('button', { name: 'Save and tell the author' }).click();
  await expect.poll(() => page.getByTestId('concern-status').textContent()).toBe('Accepted as an action');
  await page.getByText('its author has been told').waitFor();
  await check(page, '/concerns/:id accepted');

  await page.getByRole('link', { name: 'Open the action' }).click();
  await page.getByRole('heading', { level: 1, name: `A-1 ${actionTitle}` }).waitFor();
  actionPath = new URL(page.url()).pathname;
  await check(page, '/actions/:id (co-chair)');
  await page.getByText(studentLead.name).waitFor();
  await page.getByText(sponsor.name).waitFor();
  await page.getByRole('link', { name: `#2 ${title}` }).waitFor();
});

/** The concern is anonymous to members: its author's e-mails name nothing (others handle mail). */
const discreetToAuthor = (m: ReceivedMail) =>
  m.to.includes(author.email) && m.subject === 'An update on something you raised';
const expectAuthorMails = (n: number) =>
  expect.poll(() => j.server.smtp.messages.filter(discreetToAuthor).length, { timeout: 10_000 }).toBe(n);

it('the author is told: in the app and by e-mail', async () => {
  const mail = await j.server.smtp.waitFor(discreetToAuthor, 10_000);
  expect(mail.text).not.toContain(title);
  expect(mail.text).not.toContain('we will ask the trust');
  expect(mail.text).toContain(`${j.server.baseUrl}/notifications`);
  const { page } = j;
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notifications' }).click();
  await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
  await check(page, '/notifications');
  await page.getByRole('link', { name: `Concern #2 “${title}”: accepted as an action` }).waitFor();
  expect(await page.getByTestId('unread-count').textContent()).toBe('1 unread');
});

it('the co-chair posts updates and completes the action; the author hears of each', async () => {
  const page = coChairBrowser.page;
  const post = async (body: string, options: { progress?: string; status?: string }) => {
    await page.getByLabel('What has happened').fill(body);
    if (options.progress) await page.getByLabel('Progress (%)').fill(options.progress);
    if (options.status) await page.getByLabel('Status', { exact: true }).selectOption(options.status);
    await page.getByRole('button', { name: 'Post update' }).click();
    await page.getByRole('status').filter({ hasText: 'Your update is posted' }).waitFor();
    await page.locator('.su-timeline').getByText(body).waitFor();
  };

  // Nothing entered: the shared schema's message, beside the field.
  await page.getByRole('button', { name: 'Post update' }).click();
  await page.getByRole('alert').filter({ hasText: 'There is a problem' }).waitFor();
  await check(page, '/actions/:id with errors');

  await post('The trust’s theatre manager agreed to trial larger caps on two wards.', {
    progress: '40',
    status: 'in_progress',
  });
  await expect.poll(() => page.getByTestId('action-status').textContent()).toBe('In progress');
  expect(await page.getByRole('progressbar', { name: 'Progress' }).getAttribute('value')).toBe('40');
  await expectAuthorMails(2);

  await post('The trial went well; the caps are ordered for every theatre.', { progress: '80' });
  await expectAuthorMails(3);

  await page.getByLabel('Outcome', { exact: true }).fill(outcome);
  await page.getByRole('button', { name: 'Save the action' }).click();
  await page.getByRole('status').filter({ hasText: 'The action is saved.' }).waitFor();

  await post('The uniform policy now names the caps and hoods; every theatre stocks them.', {
    status: 'completed',
  });
  await expect.poll(() => page.getByTestId('action-status').textContent()).toBe('Completed');
  await check(page, '/actions/:id completed');
  await expectAuthorMails(4);

  // In the app too, each step.
  const authorPage = j.page;
  await authorPage.reload();
  await settled(authorPage);
  for (const subject of [
    `Action A-1 “${actionTitle}”: in progress`,
    `Action A-1 “${actionTitle}”: a new update`,
    `Action A-1 “${actionTitle}”: completed`,
  ]) {
    await authorPage.getByRole('link', { name: subject }).waitFor();
  }
  await authorPage.getByRole('button', { name: 'Mark all as read' }).click();
  await authorPage.getByRole('status').filter({ hasText: 'All notifications are marked as read.' }).waitFor();
  // The list reloads after the confirmation is shown.
  await expect.poll(() => authorPage.getByTestId('unread-count').textContent()).toBe('0 unread');
  await check(authorPage, '/notifications, all read');
  coChairBrowser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('the action is on the public board, readable signed out, within the JavaScript budget', async () => {
  visitor = await j.otherBrowser();
  const page = visitor.page;
  // Every script the browser fetches, measured as it would travel gzipped (the server sends it
  // as is; a reverse proxy compresses it).
  const scripts = new Map<string, number>();
  const reading: Promise<void>[] = [];
  page.on('response', (response) => {
    if (!new URL(response.url()).pathname.endsWith('.js')) return;
    reading.push(
      response.body().then((body) => {
        scripts.set(new URL(response.url()).pathname, zlib.gzipSync(body).length);
      }),
    );
  });
  await page.goto(`${j.server.baseUrl}/impact`);
  await page.getByRole('heading', { level: 1, name: 'You said, we did' }).waitFor();
  await check(page, '/impact (signed out)');
  await expectNav(page, { has: ['Impact', 'Sign in'], hasNot: ['Concerns', 'Notifications'] });
  expect(await page.context().cookies()).toEqual([]);

  await Promise.all(reading);
  const total = [...scripts.values()].reduce((sum, size) => sum + size, 0);
  console.log(`JavaScript for /impact: ${total} bytes gzipped in ${scripts.size} files`, [...scripts]);
  expect(total).toBeLessThanOrEqual(BOARD_JS_BUDGET);
  // Neither zod (the shared schemas) nor chart.js is part of a visitor's board.
  expect([...scripts.keys()].filter((p) => /\/(schema|chart|forms)-/.test(p))).toEqual([]);

  await page.getByRole('link', { name: 'Follow the board in a feed reader (Atom feed)' }).waitFor();
  const card = page.getByRole('listitem').filter({ hasText: actionTitle });
  await card.getByText('Completed', { exact: true }).waitFor();
  await card.getByText('Raised in 1 concern').waitFor();
  // A shareable, filtered view: the filters live in the address.
  await page.getByLabel('Category').selectOption('uniform_and_facilities');
  await page.getByRole('button', { name: 'Show actions' }).click();
  await page.waitForURL(/\/impact\?category=uniform_and_facilities$/);
  await card.waitFor();
  await page.getByLabel('Category').selectOption('curriculum');
  await page.getByRole('button', { name: 'Show actions' }).click();
  await page.getByText('Nothing to show for these choices yet.').waitFor();
  await check(page, '/impact filtered');

  await page.goto(`${j.server.baseUrl}/impact?category=uniform_and_facilities`);
  await page.getByRole('link', { name: actionTitle }).click();
  await page.getByRole('heading', { level: 1, name: actionTitle }).waitFor();
  await check(page, '/impact/:id (signed out)');
  await page.getByText(outcome).waitFor();
  await page.getByText(`“${title}”`).waitFor();
  await page.getByText('every theatre stocks them').waitFor();
  // By whom: roles, not names, as neither consented.
  const main = (await page.locator('main').textContent()) ?? '';
  expect(main).toContain('A student lead from the network');
  expect(main).not.toContain(studentLead.name);
  expect(main).not.toContain(sponsor.name);
  expect(main).not.toContain(author.name);
  expect(page.url()).toBe(`${j.server.baseUrl}/impact/${actionPath.split('/').pop()}`);

  const feed = await page.evaluate(async () => {
    const answer = await fetch('/api/impact/feed.atom');
    return { status: answer.status, type: answer.headers.get('content-type'), text: await answer.text() };
  });
  expect(feed.status).toBe(200);
  expect(feed.type).toContain('atom');
  expect(feed.text).toContain(actionTitle);
  visitor.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('the overdue concern shows on the co-chair’s dashboard, with the measures as charts', async () => {
  const page = coChairBrowser.page;
  await page.goto(`${j.server.baseUrl}/networks/${network.slug}/concerns/dashboard`);
  await page.getByRole('heading', { level: 1, name: `Concerns dashboard: ${network.name}` }).waitFor();
  await check(page, '/networks/:slug/concerns/dashboard');
  const overdue = page.locator('section', {
    has: page.getByRole('heading', { level: 2, name: 'Concerns waiting too long for an answer' }),
  });
  await overdue.getByRole('link', { name: `#1 ${overdueTitle}` }).waitFor();
  await overdue.getByText(/1[56] days overdue/).waitFor();
  expect(await overdue.getByText(title).count()).toBe(0);

  // Four charts, each an image with a text alternative and its figures in a table.
  await expect.poll(() => page.getByRole('figure').count()).toBe(4);
  await page.getByRole('img', { name: /^Concerns raised each month\./ }).waitFor();
  await page.getByText('Show the figures as a table').first().click();
  const table = page.getByRole('table', { name: 'Concerns raised each month' });
  await table.waitFor();
  // Two concerns this period: a small number, so it is never shown as "1" or "2".
  await table.getByText('Fewer than 5').first().waitFor();
  await check(page, '/networks/:slug/concerns/dashboard with a table open');
  coChairBrowser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

const anonymousTitle = 'Prayer room closed during exam weeks';

it('a visitor raises a fully anonymous concern, keeps the receipt and follows it', async () => {
  const page = visitor.page;
  await page.goto(`${j.server.baseUrl}/networks/${network.slug}/concerns/new`);
  await page.getByRole('heading', { level: 1, name: 'Raise a concern' }).waitFor();
  await page.getByText('Raising a concern without an account').waitFor();
  await check(page, '/networks/:slug/concerns/new (visitor)');
  // No choice of visibility without an account: fully anonymous only.
  expect(await page.getByLabel('With my name').count()).toBe(0);
  await page.getByLabel('Title', { exact: true }).fill(anonymousTitle);
  await page
    .getByLabel('What is the problem, and what would help?')
    .fill('The prayer room is booked for exams for three weeks and there is nowhere else to pray.');
  await page.getByLabel('Category').selectOption('uniform_and_facilities');
  await page.getByRole('button', { name: 'Raise this concern' }).click();
  await page.getByRole('heading', { level: 1, name: 'Concern raised' }).waitFor();
  await check(page, '/networks/:slug/concerns/new, receipt');
  receipt = (await page.getByTestId('receipt-code').textContent()) ?? '';
  expect(receipt).toMatch(/^\d{4}(-\d{4}){4}$/);
  await page.getByText('shown only this once').waitFor();
  await page.getByRole('button', { name: 'Copy receipt' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: /Copied|selected/ })
    .waitFor();
  expect(await page.context().cookies()).toEqual([]);

  await page.getByRole('link', { name: 'Follow a concern' }).click();
  await page.getByRole('heading', { level: 1, name: 'Follow a concern' }).waitFor();
  await check(page, '/concerns/follow');
  await page.getByLabel('Receipt code').fill('1234');
  await page.getByRole('button', { name: 'Open my concern' }).click();
  await page.getByRole('alert').filter({ hasText: 'There is a problem' }).waitFor();
  await page.getByLabel('Receipt code').fill(receipt.replace(/-/g, ''));
  await page.getByRole('button', { name: 'Open my concern' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your concern #3' }).waitFor();
  await check(page, '/concerns/follow, opened');
  expect(await page.getByTestId('concern-status').textContent()).toBe('New');
  expect(page.url()).toBe(`${j.server.baseUrl}/concerns/follow`);
  visitor.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('the co-chair corrects it (the history is kept), hides it with a reason, and sets the clocks', async () => {
  const page = coChairBrowser.page;
  await page.goto(`${j.server.baseUrl}/networks/${network.slug}/concerns`);
  await settled(page);
  await page.getByRole('link', { name: `#3 ${anonymousTitle}` }).click();
  await page.getByRole('heading', { level: 1, name: `#3 ${anonymousTitle}` }).waitFor();
  await page.getByText('fully anonymously').waitFor();
  await page.getByRole('button', { name: 'Edit this concern' }).click();
  await page.getByLabel('Title', { exact: true }).fill('Prayer room closed in exam weeks');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('heading', { level: 1, name: '#3 Prayer room closed in exam weeks' }).waitFor();
  const history = page.locator('section', {
    has: page.getByRole('heading', { level: 2, name: 'Edit history' }),
  });
  await history.getByText(anonymousTitle).waitFor();
  await history.getByText('Prayer room closed in exam weeks').waitFor();
  await check(page, '/concerns/:id edited');
  // A lead may take the earlier wording out of the history (members never see it), with a reason.
  await history.getByText('Remove this wording from the history').click();
  await history.getByLabel('Reason (kept with the history)').fill('It repeated the other concern’s wording.');
  await history.getByRole('button', { name: 'Remove the wording' }).click();
  await history.getByText('The leads removed the earlier wording', { exact: false }).waitFor();
  expect(await history.getByText(anonymousTitle).count()).toBe(0);
  await check(page, '/concerns/:id wording removed');

  await page.getByText('Hide this concern').click();
  await page
    .getByLabel('Reason (the author is told)')
    .fill('Raised twice: see the concern about exam-week facilities.');
  await page.getByRole('button', { name: 'Hide it' }).click();
  await page.getByText('Hidden from members', { exact: true }).waitFor();
  await check(page, '/concerns/:id hidden');

  // The anonymous author is told why, when they next follow it with the receipt.
  const author = visitor.page;
  await author.getByRole('button', { name: 'Close this concern' }).click();
  await author.getByLabel('Receipt code').fill(receipt);
  await author.getByRole('button', { name: 'Open my concern' }).click();
  await author.getByText('The leads hid this concern from members').waitFor();
  await author.getByText('Raised twice').waitFor();

  await page.goto(`${j.server.baseUrl}/networks/${network.slug}/concerns/dashboard`);
  await settled(page);
  await page.getByLabel('First answer within (days)').fill('10');
  await page.getByRole('button', { name: 'Save the clocks' }).click();
  await page.getByRole('status').filter({ hasText: 'The clocks are saved' }).waitFor();
  await page.getByRole('img', { name: /^Answered within 10 days\./ }).waitFor();
  coChairBrowser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('the student lead adds a milestone and agrees to be named on the public board', async () => {
  const b = await j.otherBrowser();
  const page = b.page;
  await signIn(page, studentLead);
  await page.goto(j.server.baseUrl + actionPath);
  await page.getByRole('heading', { level: 1, name: `A-1 ${actionTitle}` }).waitFor();
  await check(page, '/actions/:id (student lead)');
  await page.getByText('You are this action’s student lead').waitFor();
  await page.getByText('Add a milestone').click();
  await page.getByLabel('Milestone', { exact: true }).fill('Share the policy with the other trusts');
  await page.getByLabel('Due by').fill('2027-03-01');
  await page.getByRole('button', { name: 'Add milestone' }).click();
  await page.getByRole('status').filter({ hasText: 'Milestone “Share the policy' }).waitFor();
  await page.getByText('1 March 2027').waitFor();
  await page.getByLabel('Show my name on the public board').check();
  await page.getByRole('button', { name: 'Save my choice' }).click();
  await page.getByRole('status').filter({ hasText: 'The public board now shows your name.' }).waitFor();
  await check(page, '/actions/:id consented');
  b.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });

  const board = visitor.page;
  await board.goto(`${j.server.baseUrl}/impact/${actionPath.split('/').pop()}`);
  await board.getByRole('heading', { level: 1, name: actionTitle }).waitFor();
  await board.getByText(studentLead.name).waitFor();
  expect(await board.getByText(sponsor.name).count()).toBe(0);
});

it('the author turns e-mail copies off', async () => {
  const page = j.page;
  await page.goto(`${j.server.baseUrl}/notifications`);
  await settled(page);
  await page.getByLabel('E-mail me each notification').uncheck();
  await page.getByRole('button', { name: 'Save my choices' }).click();
  await page.getByRole('status').filter({ hasText: 'Your choices are saved.' }).waitFor();
  await page.reload();
  await settled(page);
  expect(await page.getByLabel('E-mail me each notification').isChecked()).toBe(false);
  j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});
