// Journey: the staff co-chair proposes three times for a meeting (a time that does not exist in
// London is refused on its own row); students and staff answer on a phone; the ranking puts first
// the time most students can make and that the student co-chair can make, although another time
// has more staff and more people in all; the co-chair confirms it; every answerer gets an
// iCalendar invitation by e-mail, and an update of the same event when the meeting moves; the
// agenda holds the open concerns; a member adds an item and the co-chair reorders it; the minutes
// record a decision that turns a concern into an action; members read the published minutes; a
// member subscribes to a personal calendar feed and revokes it; leads plan a monthly series around
// exams; attendance over time is charted.
import { eq } from 'drizzle-orm';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { meetingAttendance, meetings } from '../src/db/schema';
import { raiseConcern } from '../src/server/modules/concerns/concerns';
import { createSession, loadActor, SESSION_COOKIE } from '../src/server/platform/sessions';
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
  type Journey,
  settled,
  signInWithPassword,
  startJourney,
} from './support/journey';

type Person = Awaited<ReturnType<typeof buildUser>> & { token: string };

let j: Journey;
let network: { id: string; slug: string; name: string };
let kwame: Person; // staff co-chair: runs the poll and the meeting
let aisha: Person; // student co-chair: required for the meeting
let students: Person[]; // Ben, Chloe, Dev
let staff: Person[]; // Dr Evans, Dr Fox, Dr Gill
const concernIds: string[] = [];
let phone: E2eBrowser;
let pollId = '';
let meetingId = '';

const ZONE = 'Europe/London';
// Three times in the weeks ahead, in London: A (the students' time), B (a lunchtime the staff
// prefer) and C (the most people in all, but the student co-chair cannot come).
const day0 = DateTime.now().setZone(ZONE).plus({ days: 21 }).startOf('day');
const slotA = { date: day0.toISODate()!, time: '17:30' };
const slotB = { date: day0.plus({ days: 1 }).toISODate()!, time: '12:30' };
const slotC = { date: day0.plus({ days: 7 }).toISODate()!, time: '17:30' };
const instant = (s: { date: string; time: string }) =>
  DateTime.fromISO(`${s.date}T${s.time}`, { zone: ZONE }).toUTC().toJSDate();
/** The next spring-forward day in London: 01:30 does not happen there. */
const dstGapDay = (() => {
  for (let year = DateTime.now().year; ; year++) {
    const lastOfMarch = DateTime.fromObject({ year, month: 3, day: 31 }, { zone: ZONE });
    const sunday = lastOfMarch.minus({ days: lastOfMarch.weekday % 7 });
    if (sunday > DateTime.now()) return sunday.toISODate()!;
  }
})();

async function person(name: string, kind: 'student' | 'staff', extra: Record<string, unknown> = {}) {
  const { db } = j.server;
  const user = await buildUser(db, {
    name,
    email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@example.ac.uk`,
  });
  await addMember(db, { userId: user.id, networkId: network.id, kind, ...extra });
  const token = await createSession(db, {
    userId: user.id,
    method: 'password',
    secondFactorDone: true,
    days: 1,
  });
  return { ...user, token };
}

/** Calls the API as a person (their session cookie and CSRF token), as their browser would. */
async function apiAs<T>(who: Person, method: string, path: string, body?: unknown): Promise<T> {
  const base = j.server.baseUrl;
  const cookie = `${SESSION_COOKIE}=${who.token}`;
  const session = (await (await fetch(`${base}/api/session`, { headers: { cookie } })).json()) as {
    csrfToken: string;
  };
  const answer = await fetch(base + path, {
    method,
    headers: {
      cookie,
      origin: base,
      'x-csrf-token': session.csrfToken,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  if (!answer.ok) throw new Error(`${method} ${path} answered ${answer.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Opens the shared phone as this person (their session cookie; nothing else carries over). */
async function phoneAs(who: Person, path: string): Promise<Page> {
  await phone.context.clearCookies();
  await phone.context.addCookies([{ name: SESSION_COOKIE, value: who.token, url: j.server.baseUrl }]);
  await phone.page.goto(j.server.baseUrl + path);
  await settled(phone.page);
  return phone.page;
}

async function check(page: Page, label: string) {
  await settled(page);
  await expectNoAxeViolations(page, label);
}

beforeAll(async () => {
  j = await startJourney();
  const { db } = j.server;
  const institution = await buildInstitution(db, { name: 'Leicester Medical School' });
  network = await buildNetwork(db, institution.id, { name: 'MedRACE', slug: 'medrace' });
  kwame = await person('Kwame Mensah', 'staff', { role: 'lead', leadTitle: 'co_chair' });
  aisha = await person('Aisha Khan', 'student', { role: 'lead', leadTitle: 'co_chair', yearOfStudy: 3 });
  students = [
    await person('Ben Okafor', 'student', { yearOfStudy: 2 }),
    await person('Chloe Adeyemi', 'student', { yearOfStudy: 2 }),
    await person('Dev Raman', 'student', { yearOfStudy: 4 }),
  ];
  staff = [
    await person('Dr Evans', 'staff'),
    await person('Dr Fox', 'staff'),
    await person('Dr Gill', 'staff'),
  ];
  // Two concerns awaiting triage, raised by a student through the concerns module.
  const ben = await loadActor(db, students[0]!.token);
  for (const title of [
    'Dermatology images show only white skin',
    'Placement uniform policy bans headscarves',
  ]) {
    const created = await raiseConcern(db, ben, network.id, {
      title,
      description: `${title}. Several of us have raised this informally and nothing has changed so far.`,
      category: 'curriculum',
      visibility: 'named',
    });
    concernIds.push(created.id);
  }
  phone = await j.otherBrowser();
}, 120_000);
afterAll(() => j?.close());

it('the co-chair proposes three times; a time that does not exist in London is refused on its row', async () => {
  const { page } = j;
  await signInWithPassword(j, kwame.email, TEST_PASSWORD);
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  await settled(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Meetings' }).click();
  await page.getByRole('heading', { level: 1, name: 'MedRACE meetings' }).waitFor();
  await check(page, '/networks/:slug/meetings (lead)');
  await page.getByRole('link', { name: 'New availability poll' }).click();
  await page.getByRole('heading', { level: 1, name: 'New availability poll' }).waitFor();
  await check(page, '/networks/:slug/polls/new');

  await page.getByLabel('Title').fill('January network meeting');
  expect(await page.getByLabel('Time zone').inputValue()).toBe(ZONE);
  await page.getByRole('button', { name: 'Add another time' }).click();
  const rows: [string, { date: string; time: string }, string][] = [
    ['Time 1', slotA, 'Seminar room 2, Medical School'],
    ['Time 2', slotB, 'Lecture theatre 1'],
    ['Time 3', { date: dstGapDay, time: '01:30' }, 'Online'],
  ];
  for (const [legend, slot, place] of rows) {
    const row = page.getByRole('group', { name: legend });
    await row.getByLabel('Date', { exact: true }).fill(slot.date);
    await row.getByLabel('Start time').fill(slot.time);
    await row.getByLabel('Place (optional)').fill(place);
  }
  await page.getByLabel('Fewest students who must be able to come').fill('2');
  await page.getByRole('checkbox', { name: /Aisha Khan/ }).check();
  await page.getByRole('button', { name: 'Create the poll' }).click();

  // The server's answer names the row: the clocks go forward that night.
  await page.getByRole('alert').filter({ hasText: 'There is a problem' }).waitFor();
  const third = page.getByRole('group', { name: 'Time 3' });
  await third.getByText('does not exist in Europe/London').waitFor();
  expect(await page.getByRole('group', { name: 'Time 1' }).locator('.field-error').count()).toBe(0);
  await check(page, '/networks/:slug/polls/new with a slot error');
  expect(await page.getByLabel('Title').inputValue()).toBe('January network meeting');

  await third.getByLabel('Date', { exact: true }).fill(slotC.date);
  await third.getByLabel('Start time').fill(slotC.time);
  await page.getByRole('button', { name: 'Create the poll' }).click();
  await page.waitForURL(/\/polls\/[0-9a-f-]{36}$/);
  pollId = new URL(page.url()).pathname.split('/').pop()!;
  await page.getByRole('heading', { level: 1, name: 'January network meeting' }).waitFor();
  await check(page, '/polls/:id (lead, no answers)');
  j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('students and staff answer every time on one phone screen', async () => {
  // [person, answers for A, B, C]
  const inBrowser: [Person, string, string, string][] = [
    [aisha, 'Yes', 'Yes', 'No'],
    [students[0]!, 'Yes', 'Yes', 'Yes'],
    [staff[0]!, 'No', 'Yes', 'Yes'],
  ];
  for (const [who, ...answers] of inBrowser) {
    const page = await phoneAs(who, `/polls/${pollId}`);
    await page.getByRole('heading', { level: 1, name: 'January network meeting' }).waitFor();
    await check(page, `/polls/:id as ${who.name}`);
    const slots = page.locator('fieldset.mt-slot');
    expect(await slots.count()).toBe(3);
    // One form, three cards, one button: it fits a phone screen and never scrolls sideways.
    const form = page.getByRole('form', { name: 'When can you come?' });
    expect((await form.boundingBox())!.height).toBeLessThanOrEqual(844);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // Saving with a time left out names it.
    await slots.nth(0).getByRole('radio', { name: answers[0], exact: true }).check();
    await page.getByRole('button', { name: 'Save my answers' }).click();
    await page.getByRole('alert').filter({ hasText: 'There is a problem' }).waitFor();
    await check(page, '/polls/:id with a missing answer');
    for (const [i, answer] of answers.entries()) {
      await slots.nth(i).getByRole('radio', { name: answer, exact: true }).check();
    }
    await page.getByRole('button', { name: 'Save my answers' }).click();
    await page.getByRole('status').filter({ hasText: 'Your answers are saved' }).waitFor();
    phone.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
  }
  // The others answer from their own devices (the API their browsers use).
  const poll = await apiAs<{ slots: { id: string; startsAt: string }[] }>(
    kwame,
    'GET',
    `/api/polls/${pollId}`,
  );
  const [a, b, c] = [slotA, slotB, slotC].map(
    (s) => poll.slots.find((x) => new Date(x.startsAt).getTime() === instant(s).getTime())!.id,
  );
  const answer = (who: Person, forA: string, forB: string, forC: string) =>
    apiAs(who, 'PUT', `/api/polls/${pollId}/answers`, {
      answers: [
        { slotId: a, answer: forA },
        { slotId: b, answer: forB },
        { slotId: c, answer: forC },
      ],
    });
  await answer(students[1]!, 'yes', 'no', 'yes');
  await answer(students[2]!, 'if_need_be', 'no', 'yes');
  await answer(staff[1]!, 'no', 'yes', 'yes');
  await answer(staff[2]!, 'no', 'yes', 'yes');
  await answer(kwame, 'yes', 'yes', 'yes');
});

it('the ranking puts first the time most students and the student co-chair can make; the co-chair confirms it', async () => {
  const { page } = j;
  await page.reload();
  await check(page, '/polls/:id (lead, ranking)');
  const ranking = page.getByTestId('ranking').locator(':scope > li');
  expect(await ranking.count()).toBe(3);
  // A first (4 students, 1 staff); B has more staff, C more people in all but not the co-chair.
  const localA = DateTime.fromJSDate(instant(slotA), { zone: ZONE });
  await expect
    .poll(() => ranking.nth(0).locator('time').getAttribute('datetime'))
    .toBe(instant(slotA).toISOString());
  expect(await ranking.nth(0).textContent()).toContain('Aisha Khan (student co-chair) can come');
  expect(await ranking.nth(1).locator('time').getAttribute('datetime')).toBe(instant(slotB).toISOString());
  expect(await ranking.nth(2).locator('time').getAttribute('datetime')).toBe(instant(slotC).toISOString());
  expect(await ranking.nth(2).textContent()).toContain('Aisha Khan (student co-chair) cannot come');
  expect(await ranking.nth(0).textContent()).toContain(localA.toFormat('HH:mm'));
  await page.getByText('Everyone has answered.').waitFor();

  await ranking
    .nth(0)
    .getByRole('button', { name: /^Confirm this time/ })
    .click();
  await page.getByRole('button', { name: 'Yes, confirm and invite' }).click();
  await page.waitForURL(/\/meetings\/[0-9a-f-]{36}$/);
  meetingId = new URL(page.url()).pathname.split('/').pop()!;
  await page.getByRole('heading', { level: 1, name: 'January network meeting' }).waitFor();
  await check(page, '/meetings/:id (lead)');
});

/** The iCalendar invitation attached to a mail, read by an independent parser (ical.js). */
function invitationIn(mail: ReceivedMail) {
  const ics = mail.attachments.find((x) => x.mimeType === 'text/calendar');
  if (!ics) throw new Error(`No text/calendar attachment in "${mail.subject}"`);
  const calendar = new ICAL.Component(ICAL.parse(ics.content));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone);
  const event = new ICAL.Event(calendar.getFirstSubcomponent('vevent')!);
  return {
    method: calendar.getFirstPropertyValue('method'),
    uid: event.uid,
    sequence: event.sequence,
    start: event.startDate.toJSDate().toISOString(),
    minutes: (event.endDate.toJSDate().getTime() - event.startDate.toJSDate().getTime()) / 60_000,
  };
}

it('everyone who answered gets an invitation with a valid iCalendar request', async () => {
  await j.server.deliverMail();
  const [row] = await j.server.db.select().from(meetings).where(eq(meetings.id, meetingId));
  const everyone = [kwame, aisha, ...students, ...staff];
  for (const who of everyone) {
    const mail = await j.server.smtp.waitFor(
      (m) =>
        m.to.includes(who.email) && /invit/i.test(m.subject) && m.subject.includes('January network meeting'),
      10_000,
    );
    expect(invitationIn(mail)).toEqual({
      method: 'REQUEST',
      uid: row!.icalUid,
      sequence: 0,
      start: instant(slotA).toISOString(),
      minutes: 90,
    });
  }
});

it('the co-chair moves the meeting half an hour later; calendars get an update of the same event', async () => {
  const { page } = j;
  await page.getByText('Change the time or place').click();
  const change = page.getByRole('form', { name: 'Change the time or place' });
  expect(await change.getByLabel('Start time').inputValue()).toBe(slotA.time);
  await change.getByLabel('Start time').fill('18:00');
  await change.getByRole('button', { name: 'Save and tell everyone' }).click();
  await page.getByRole('status').filter({ hasText: 'The meeting was changed.' }).waitFor();
  await check(page, '/meetings/:id after moving it');
  const moved = instant({ date: slotA.date, time: '18:00' });
  expect(await page.locator('dd time').getAttribute('datetime')).toBe(moved.toISOString());

  await j.server.deliverMail();
  const [row] = await j.server.db.select().from(meetings).where(eq(meetings.id, meetingId));
  for (const who of [kwame, aisha, ...students, ...staff]) {
    const mail = await j.server.smtp.waitFor(
      (m) => m.to.includes(who.email) && m.subject.startsWith('Updated: January network meeting'),
      10_000,
    );
    expect(invitationIn(mail)).toEqual({
      method: 'REQUEST',
      uid: row!.icalUid,
      sequence: 1,
      start: moved.toISOString(),
      minutes: 90,
    });
  }
});

it('the agenda holds the open concerns; a member adds an item and the co-chair moves it up', async () => {
  const agenda = () => j.page.getByTestId('agenda').locator(':scope > li');
  for (const title of [
    'Dermatology images show only white skin',
    'Placement uniform policy bans headscarves',
  ]) {
    await j.page
      .getByTestId('agenda')
      .getByRole('link', { name: new RegExp(`^Concern #\\d+: ${title}$`) })
      .waitFor();
  }

  const page = await phoneAs(students[1]!, `/meetings/${meetingId}`);
  await check(page, '/meetings/:id (member)');
  await page.getByRole('link', { name: 'Add to calendar' }).waitFor();
  await page.getByLabel('What would you like to discuss?').fill('Peer support before OSCEs');
  await page.getByRole('button', { name: 'Add to the agenda' }).click();
  await page.getByRole('status').filter({ hasText: 'was added to the agenda' }).waitFor();
  await page.getByTestId('agenda').getByText('Peer support before OSCEs').waitFor();
  // Members cannot reorder.
  expect(await page.getByRole('button', { name: /^Move up/ }).count()).toBe(0);

  await j.page.reload();
  await settled(j.page);
  const count = await agenda().count();
  expect(
    await agenda()
      .nth(count - 1)
      .textContent(),
  ).toContain('Peer support before OSCEs');
  await j.page.getByRole('button', { name: 'Move up: Peer support before OSCEs' }).click();
  await j.page
    .getByRole('status')
    .filter({ hasText: `is now item ${count - 1} of ${count}` })
    .waitFor();
  // Focus stays with the moved item, and the order is kept by the server.
  expect(await j.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toContain(
    'Peer support before OSCEs',
  );
  await j.page.reload();
  await settled(j.page);
  expect(
    await agenda()
      .nth(count - 2)
      .textContent(),
  ).toContain('Peer support before OSCEs');
  await check(j.page, '/meetings/:id after reordering');
});

it('the minutes record a decision that turns a concern into an action, and members read them', async () => {
  const { page } = j;
  const who = page.getByRole('group', { name: 'Who came' });
  for (const name of ['Kwame Mensah', 'Aisha Khan', 'Ben Okafor', 'Chloe Adeyemi', 'Dr Evans']) {
    await who.getByRole('checkbox', { name: new RegExp(name) }).check();
  }
  await page
    .getByLabel(/^Notes: concern #1/)
    .fill('Students showed examples from three lectures; the module lead was present and agreed.');
  await page.getByRole('button', { name: 'Save attendance and notes' }).click();
  await page.getByRole('status').filter({ hasText: 'Attendance and notes are saved.' }).waitFor();

  const decide = page.getByRole('form', { name: /Decide: concern #1/ });
  await decide.getByLabel('Accept it as an action').check();
  await decide.getByLabel('Student lead').selectOption({ label: 'Ben Okafor (Student, year 2)' });
  await decide.getByLabel('Staff sponsor').selectOption({ label: 'Dr Evans (Staff)' });
  // Without a public answer: refused, nothing recorded.
  await decide.getByRole('button', { name: 'Record the decision' }).click();
  await decide.getByRole('alert').waitFor();
  await check(page, '/meetings/:id decision error');
  await decide
    .getByLabel('Public answer')
    .fill('Accepted: the dermatology module will add images of skin of colour, led by Ben with Dr Evans.');
  await decide.getByRole('button', { name: 'Record the decision' }).click();
  await page.getByTestId('decisions').getByText(/#1/).waitFor();

  const item = page.getByRole('form', { name: 'Add an action item' });
  await item.getByLabel('What needs doing').fill('Collect example images from the medical illustration unit');
  await item.getByLabel('Who will do it').selectOption({ label: 'Ben Okafor' });
  await item.getByLabel('Due by').fill(day0.plus({ days: 30 }).toISODate()!);
  await item.getByRole('button', { name: 'Add the action item' }).click();
  await page.getByText('Collect example images from the medical illustration unit').first().waitFor();
  await page.getByRole('button', { name: 'Publish the minutes' }).click();
  await page.getByTestId('minutes-status').filter({ hasText: 'Published' }).waitFor();
  await check(page, '/meetings/:id minutes published');

  // The concern itself was changed by the decision: accepted, with an action.
  const concern = await apiAs<{ status: string }>(kwame, 'GET', `/api/concerns/${concernIds[0]}`);
  expect(concern.status).toBe('accepted');
  const other = await apiAs<{ status: string }>(kwame, 'GET', `/api/concerns/${concernIds[1]}`);
  expect(other.status).toBe('new');

  const member = await phoneAs(staff[1]!, `/meetings/${meetingId}`);
  await member.getByRole('heading', { level: 2, name: 'Minutes' }).waitFor();
  await member.getByTestId('decisions').getByText(/#1/).waitFor();
  await member.getByText('Students showed examples from three lectures').waitFor();
  await check(member, '/meetings/:id published minutes (member)');
  expect(await member.getByRole('button', { name: 'Publish the minutes' }).count()).toBe(0);
  j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('a member subscribes to a personal calendar feed, copies the address once, and revokes it', async () => {
  const page = await phoneAs(students[2]!, `/networks/${network.slug}/meetings`);
  await page.getByRole('heading', { level: 1, name: 'MedRACE meetings' }).waitFor();
  await check(page, '/networks/:slug/meetings (member)');
  await page.getByRole('link', { name: 'January network meeting' }).waitFor();
  await page.getByRole('button', { name: 'Make a calendar address' }).click();
  const address = await page.getByLabel('Your calendar address').inputValue();
  expect(address).toMatch(/^https?:\/\/.+\.ics$/);
  await page.getByText('it is shown only once').waitFor();
  await page.getByRole('button', { name: 'Copy address' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: /Copied|selected/ })
    .waitFor();
  await check(page, '/networks/:slug/meetings with a new feed');

  const feed = await fetch(address);
  expect(feed.status).toBe(200);
  const calendar = new ICAL.Component(ICAL.parse(await feed.text()));
  const uids = calendar.getAllSubcomponents('vevent').map((e) => e.getFirstPropertyValue('uid'));
  const [row] = await j.server.db.select().from(meetings).where(eq(meetings.id, meetingId));
  expect(uids).toContain(row!.icalUid);

  await page.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('button', { name: 'Yes, revoke it' }).click();
  await page.getByRole('status').filter({ hasText: 'was revoked' }).waitFor();
  expect((await fetch(address)).status).toBe(404);
  phone.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});

it('leads plan a monthly series around a year group’s exams; everyone sees attendance over time', async () => {
  const { page } = j;
  await j.visit(`/networks/${network.slug}/meetings/series`, '/networks/:slug/meetings/series');
  // An exam block for year 3 over the second Wednesday of next month.
  const next = DateTime.now().setZone(ZONE).plus({ months: 1 }).startOf('month');
  const firstWednesday = next.plus({ days: (3 - next.weekday + 7) % 7 });
  const secondWednesday = firstWednesday.plus({ days: 7 });
  const block = page.getByRole('form', { name: 'Add a block' });
  await block.getByLabel('Kind').selectOption('exam');
  await block.getByLabel('Name').fill('Year 3 written exams');
  await block.getByLabel('Year group').selectOption('3');
  await block.getByLabel('From').fill(secondWednesday.minus({ days: 2 }).toISODate()!);
  await block.getByLabel('To').fill(secondWednesday.plus({ days: 2 }).toISODate()!);
  await block.getByRole('button', { name: 'Add the block' }).click();
  await page.getByRole('status').filter({ hasText: 'Year 3 written exams was added.' }).waitFor();

  const series = page.getByRole('form', { name: 'New monthly series' });
  await series.getByLabel('First month from').fill(next.toISODate()!);
  await series.getByRole('checkbox', { name: 'Year 3' }).check();
  await series.getByRole('button', { name: 'Create the series' }).click();
  await page.getByText('Second Wednesday').first().waitFor();
  await page.getByLabel('Months ahead').fill('3');
  await page.getByRole('button', { name: 'Generate the next months' }).click();
  await page.getByTestId('skipped').getByText('Year 3 written exams').waitFor();
  await check(page, '/networks/:slug/meetings/series after generating');

  // Last term's meeting, held with its attendance taken (written as the minutes would have).
  const [held] = await j.server.db
    .insert(meetings)
    .values({
      networkId: network.id,
      title: 'November network meeting',
      startsAt: DateTime.now().minus({ months: 1 }).toJSDate(),
      durationMinutes: 90,
      timeZone: ZONE,
      status: 'held',
      icalUid: `held-${meetingId}@upstander.test`,
      minutesStatus: 'published',
    })
    .returning({ id: meetings.id });
  await j.server.db.insert(meetingAttendance).values(
    [aisha, ...students, kwame, staff[0]!].map((p, i) => ({
      meetingId: held!.id,
      userId: p.id,
      kind: i < 4 ? ('student' as const) : ('staff' as const),
      present: true,
    })),
  );
  await j.visit(`/networks/${network.slug}/meetings/attendance`, '/networks/:slug/meetings/attendance');
  await page.getByText('Show the figures as a table').first().click();
  const table = page.getByRole('table', { name: 'People at each meeting, by membership kind' });
  await table.waitFor();
  // The header, and the one meeting held so far: 4 students and 2 staff.
  expect(await table.getByRole('row').count()).toBe(2);
  expect(await table.getByRole('row').nth(1).getByRole('cell').allTextContents()).toEqual(['4', '2', '0']);
  await check(page, '/networks/:slug/meetings/attendance with the table open');
  j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});
