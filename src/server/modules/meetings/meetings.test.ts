import { and, count, eq } from 'drizzle-orm';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actions,
  auditEvents,
  calendarFeeds,
  concerns,
  meetingAttendance,
  meetingDecisions,
  meetingInvitees,
  meetings,
  polls,
} from '../../../db/schema';
import { runJobSlot } from '../../platform/jobs';
import { createTestApp, type TestApp } from '../../test/app';
import { addMember, buildInstitution, buildNetwork, buildUser } from '../../test/factories';
import { databaseFingerprint } from '../../test/matrix';
import { startTestSmtp, type TestSmtp } from '../../test/smtp';
import { raiseConcern } from '../concerns/concerns';
import { actorFor } from './access';
import { meetingsJobs } from './jobs';
import { nthWeekdayOfMonth } from './time';

let t: TestApp;
let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await createTestApp({ env: { SMTP_URL: smtp.url } });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const db = () => t.database.db;
/** Next year, so every slot is in the future whenever the suite runs. */
const YEAR = new Date().getUTCFullYear() + 1;
const day = (month: number, nth: number, weekday: number) => nthWeekdayOfMonth(YEAR, month, nth, weekday);

type Person = { id: string; email: string; name: string };

/** A signed-in client (sign-in itself is tested in identity). */
const signIn = async (user: Person) => Object.assign(await t.signedIn(user), { user });

/** A network: Aisha the student co-chair, four students, three staff; an outsider in another network. */
async function setup() {
  const institution = await buildInstitution(db());
  const network = await buildNetwork(db(), institution.id, { name: 'NorthRACE test' });
  const other = await buildNetwork(db(), institution.id);
  const aisha = await buildUser(db(), { name: 'Aisha Rahman' });
  await addMember(db(), {
    userId: aisha.id,
    networkId: network.id,
    role: 'lead',
    leadTitle: 'co_chair',
    yearOfStudy: 4,
  });
  const students: Person[] = [];
  for (let i = 1; i <= 4; i++) {
    const s = await buildUser(db(), { name: `Student ${i}` });
    await addMember(db(), { userId: s.id, networkId: network.id, yearOfStudy: 2 });
    students.push(s);
  }
  const staff: Person[] = [];
  for (let i = 1; i <= 3; i++) {
    const s = await buildUser(db(), { name: `Staff ${i}` });
    await addMember(db(), { userId: s.id, networkId: network.id, kind: 'staff' });
    staff.push(s);
  }
  const outsider = await buildUser(db(), { name: 'Olu Outsider' });
  await addMember(db(), { userId: outsider.id, networkId: other.id, role: 'lead' });
  return { network, aisha, students, staff, outsider };
}

type Cast = Awaited<ReturnType<typeof setup>>;

function pollBody(overrides: Record<string, unknown> = {}) {
  return {
    title: 'January network meeting',
    timeZone: 'Europe/London',
    slots: [
      { startsLocal: `${day(1, 2, 1)}T12:00`, durationMinutes: 60, place: 'Staff common room' },
      { startsLocal: `${day(1, 2, 3)}T17:30`, durationMinutes: 90, place: 'Seminar room 2' },
      {
        startsLocal: `${day(1, 2, 4)}T17:30`,
        durationMinutes: 90,
        onlineUrl: 'https://meet.example.ac.uk/northrace',
      },
    ],
    requiredUserIds: [] as string[],
    minStudents: 2,
    ...overrides,
  };
}

function parseCalendar(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const vevent = calendar.getFirstSubcomponent('vevent')!;
  const event = new ICAL.Event(vevent);
  return {
    method: calendar.getFirstPropertyValue('method'),
    uid: event.uid,
    sequence: event.sequence,
    start: event.startDate.toJSDate(),
    end: event.endDate.toJSDate(),
    status: vevent.getFirstPropertyValue('status'),
    location: event.location,
    organizer: String(vevent.getFirstPropertyValue('organizer')).toLowerCase(),
    attendees: vevent.getAllProperties('attendee').map((p) => String(p.getFirstValue()).toLowerCase()),
    events: calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v)),
  };
}

async function answerAll(cast: Cast, pollId: string, slots: string[], answers: Record<string, string[]>) {
  for (const [userId, values] of Object.entries(answers)) {
    const person = [cast.aisha, ...cast.students, ...cast.staff].find((p) => p.id === userId)!;
    const c = await signIn(person);
    const r = await c.put(`/api/polls/${pollId}/answers`, {
      answers: slots.map((slotId, i) => ({ slotId, answer: values[i] })),
    });
    expect(r.statusCode, r.body).toBe(200);
  }
}

describe('an availability poll from proposal to minutes', () => {
  it('ranks the slot students and the co-chair can make first, invites by e-mail with an iCalendar file, and minutes turn a concern into an action', async () => {
    const cast = await setup();
    const { network, aisha, students, staff } = cast;
    const chair = await signIn(aisha);
    const concern = await raiseConcern(db(), await actorFor(db(), students[0]!.id), network.id, {
      title: 'Theatre headwear for braids and locs',
      description: 'Theatre caps do not fit braids; students are told to remove head coverings.',
      category: 'uniform_and_facilities',
      visibility: 'anonymous_to_members',
    });

    const created = await chair.post(
      `/api/networks/${network.id}/polls`,
      pollBody({ requiredUserIds: [aisha.id] }),
    );
    expect(created.statusCode, created.body).toBe(201);
    const poll = created.json();
    expect(poll.slots.map((s: { startsLocal: string }) => s.startsLocal)).toEqual([
      `${day(1, 2, 1)}T12:00`,
      `${day(1, 2, 3)}T17:30`,
      `${day(1, 2, 4)}T17:30`,
    ]);
    // January in London is GMT: local 17:30 is 17:30 UTC, whatever the server's zone.
    expect(poll.slots[1].startsAt).toBe(`${day(1, 2, 3)}T17:30:00.000Z`);
    const [monday, wednesday, thursday] = poll.slots.map((s: { id: string }) => s.id) as string[];

    await answerAll(cast, poll.id, [monday!, wednesday!, thursday!], {
      // Every staff member can do Monday lunchtime; few of them can do the evenings.
      [staff[0]!.id]: ['yes', 'no', 'yes'],
      [staff[1]!.id]: ['yes', 'no', 'yes'],
      [staff[2]!.id]: ['yes', 'yes', 'no'],
      // Students are on placement on Monday; most can do Wednesday evening and Thursday.
      [students[0]!.id]: ['no', 'yes', 'yes'],
      [students[1]!.id]: ['no', 'yes', 'yes'],
      [students[2]!.id]: ['yes', 'if_need_be', 'yes'],
      [students[3]!.id]: ['no', 'yes', 'yes'],
      // The co-chair can make Wednesday only.
      [aisha.id]: ['no', 'yes', 'no'],
    });

    const member = await signIn(students[0]!);
    const seen = (await member.get(`/api/polls/${poll.id}`)).json();
    expect(seen.ranking.map((r: { slotId: string }) => r.slotId)).toEqual([wednesday, thursday, monday]);
    expect(seen.ranking[0].explanation).toBe(
      '5 students can come (4 yes, 1 if need be), 1 staff; Aisha Rahman (student co-chair) can come',
    );
    expect(seen.ranking[1]).toMatchObject({
      eligible: false,
      problems: ['Aisha Rahman (student co-chair) cannot come'],
    });
    expect(seen.myAnswers).toHaveLength(3);
    expect(seen.respondents).toBe(8);
    expect(seen.notAnswered).toBeNull();
    expect((await chair.get(`/api/polls/${poll.id}`)).json().notAnswered).toEqual([]);

    // The co-chair confirms Wednesday: everyone who answered is invited, by e-mail with an invitation.
    const confirmed = await chair.post(`/api/polls/${poll.id}/confirm`, { slotId: wednesday });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
    const meeting = confirmed.json();
    expect(meeting).toMatchObject({
      title: 'January network meeting',
      place: 'Seminar room 2',
      invitedCount: 8,
      sequence: 0,
    });
    // The agenda is built from the concerns queue.
    expect(meeting.agenda).toEqual([
      expect.objectContaining({ kind: 'concern', concernId: concern.id, concernNumber: concern.number }),
    ]);
    await t.app.services.mailer.deliverPending();
    const invitation = await smtp.waitFor(
      (m) => m.to.includes(students[1]!.email) && m.subject.startsWith('Invitation'),
    );
    expect(invitation.text).toContain('Theatre headwear for braids and locs');
    const ics = invitation.attachments.find((a) => a.mimeType === 'text/calendar');
    expect(ics, 'the invitation carries a calendar file').toBeDefined();
    const [row] = await db().select().from(meetings).where(eq(meetings.id, meeting.id));
    const invite = parseCalendar(ics!.content);
    expect(invite).toMatchObject({
      method: 'REQUEST',
      uid: row!.icalUid,
      sequence: 0,
      status: 'CONFIRMED',
      location: 'Seminar room 2',
    });
    expect(invite.start.toISOString()).toBe(`${day(1, 2, 3)}T17:30:00.000Z`);
    expect(invite.end.getTime() - invite.start.getTime()).toBe(90 * 60_000);
    expect(invite.attendees).toEqual([`mailto:${students[1]!.email}`]);
    expect(invite.organizer).toMatch(/^mailto:/);

    // A second confirmation is refused.
    expect((await chair.post(`/api/polls/${poll.id}/confirm`, { slotId: thursday })).statusCode).toBe(409);

    // Minutes: attendance, a decision that accepts the concern as a new action, an action item.
    const minutes = await chair.put(`/api/meetings/${meeting.id}/minutes`, {
      attendance: [
        { userId: aisha.id, present: true },
        { userId: students[1]!.id, present: true },
        { userId: staff[2]!.id, present: true },
        { userId: students[3]!.id, present: false },
      ],
      notes: [{ agendaItemId: meeting.agenda[0].id, notes: 'Estates to source theatre caps that fit.' }],
    });
    expect(minutes.statusCode, minutes.body).toBe(200);
    expect(minutes.json().minutes.status).toBe('draft');
    expect((await member.get(`/api/meetings/${meeting.id}`)).json().minutes).toBeNull();

    const decision = await chair.post(`/api/meetings/${meeting.id}/decisions`, {
      kind: 'concern_accepted',
      concernId: concern.id,
      agendaItemId: meeting.agenda[0].id,
      answer: 'We will work with theatres on caps that fit every head covering.',
      newAction: {
        title: 'Inclusive theatre headwear',
        studentLeadId: students[1]!.id,
        staffSponsorId: staff[2]!.id,
      },
    });
    expect(decision.statusCode, decision.body).toBe(201);
    const [after] = await db().select().from(concerns).where(eq(concerns.id, concern.id));
    expect(after!.status).toBe('accepted');
    expect(after!.actionId).not.toBeNull();
    const [action] = await db().select().from(actions).where(eq(actions.id, after!.actionId!));
    expect(action!.title).toBe('Inclusive theatre headwear');
    expect(decision.json()).toMatchObject({
      kind: 'concern_accepted',
      concernId: concern.id,
      actionId: action!.id,
      concernNumber: concern.number,
      actionNumber: action!.number,
      text: expect.stringContaining(`Concern #${concern.number} accepted as action A-${action!.number}`),
    });

    const item = await chair.post(`/api/meetings/${meeting.id}/action-items`, {
      title: 'Ask estates for cap samples',
      ownerId: staff[2]!.id,
      dueOn: `${YEAR}-02-01`,
    });
    expect(item.statusCode, item.body).toBe(201);
    expect(item.json()).toMatchObject({ ownerName: 'Staff 3', dueOn: `${YEAR}-02-01` });

    const published = await chair.post(`/api/meetings/${meeting.id}/minutes/publish`);
    expect(published.statusCode, published.body).toBe(200);
    const asMember = (await member.get(`/api/meetings/${meeting.id}`)).json();
    expect(asMember.minutes).toMatchObject({ status: 'published' });
    expect(asMember.minutes.attendance).toContainEqual({
      userId: staff[2]!.id,
      name: 'Staff 3',
      kind: 'staff',
      present: true,
    });
    expect(asMember.minutes.decisions).toHaveLength(1);
    expect(asMember.agenda[0].notes).toBe('Estates to source theatre caps that fit.');

    // Rescheduling sends SEQUENCE 1, cancelling METHOD:CANCEL with SEQUENCE 2.
    const moved = await chair.patch(`/api/meetings/${meeting.id}`, { place: 'Lecture theatre 1' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().sequence).toBe(1);
    await t.app.services.mailer.deliverPending();
    const update = await smtp.waitFor(
      (m) => m.to.includes(students[1]!.email) && m.subject.startsWith('Updated'),
    );
    expect(parseCalendar(update.attachments[0]!.content)).toMatchObject({
      method: 'REQUEST',
      uid: row!.icalUid,
      sequence: 1,
      location: 'Lecture theatre 1',
    });
    const cancelled = await chair.post(`/api/meetings/${meeting.id}/cancel`);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    await t.app.services.mailer.deliverPending();
    const cancellation = await smtp.waitFor(
      (m) => m.to.includes(students[1]!.email) && m.subject.startsWith('Cancelled'),
    );
    expect(parseCalendar(cancellation.attachments[0]!.content)).toMatchObject({
      method: 'CANCEL',
      uid: row!.icalUid,
      sequence: 2,
      status: 'CANCELLED',
    });
  });
});

describe('bad input to polls writes nothing', () => {
  it('refuses a daylight-saving gap, past and overlapping slots, and a poll with no slots, with field errors', async () => {
    const { network, aisha } = await setup();
    const chair = await signIn(aisha);
    const before = (await db().select({ n: count() }).from(polls))[0]!.n;
    const gap = `${nthWeekdayOfMonth(YEAR, 3, -1, 7)}T01:30`;
    const bad = await chair.post(
      `/api/networks/${network.id}/polls`,
      pollBody({
        slots: [
          { startsLocal: `${day(1, 2, 3)}T17:30`, durationMinutes: 90 },
          { startsLocal: gap, durationMinutes: 60 },
          { startsLocal: '2020-01-08T17:30', durationMinutes: 60 },
          { startsLocal: `${day(1, 2, 3)}T18:00`, durationMinutes: 60 },
        ],
      }),
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toEqual([
      {
        path: 'slots.1.startsLocal',
        message: `${gap.replace('T', ' ')} does not exist in Europe/London: the clocks go forward then. Choose another time.`,
      },
      { path: 'slots.2.startsLocal', message: '2020-01-08 17:30 has already passed.' },
      {
        path: 'slots.3.startsLocal',
        message: `${day(1, 2, 3)} 18:00 overlaps the time starting ${day(1, 2, 3)} 17:30.`,
      },
    ]);
    const none = await chair.post(`/api/networks/${network.id}/polls`, pollBody({ slots: [] }));
    expect(none.statusCode).toBe(400);
    expect(none.json().error.fields).toEqual([{ path: 'slots', message: 'Propose at least one time.' }]);
    const zone = await chair.post(
      `/api/networks/${network.id}/polls`,
      pollBody({ timeZone: 'Europe/Leicester' }),
    );
    expect(zone.json().error.fields[0]).toEqual({
      path: 'timeZone',
      message: 'Choose a time zone from the list, such as Europe/London.',
    });
    const stranger = await chair.post(
      `/api/networks/${network.id}/polls`,
      pollBody({ requiredUserIds: [crypto.randomUUID()] }),
    );
    expect(stranger.json().error.fields).toEqual([
      { path: 'requiredUserIds.0', message: 'Choose a member of the network.' },
    ]);
    expect((await db().select({ n: count() }).from(polls))[0]!.n).toBe(before);
  });

  it('refuses answers to slots of another poll, and to a closed poll', async () => {
    const cast = await setup();
    const chair = await signIn(cast.aisha);
    const poll = (await chair.post(`/api/networks/${cast.network.id}/polls`, pollBody())).json();
    const other = (
      await chair.post(`/api/networks/${cast.network.id}/polls`, pollBody({ title: 'Other' }))
    ).json();
    const member = await signIn(cast.students[0]!);
    const wrong = await member.put(`/api/polls/${poll.id}/answers`, {
      answers: [{ slotId: other.slots[0].id, answer: 'yes' }],
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.fields).toEqual([
      { path: 'answers.0.slotId', message: 'That time is not in this poll.' },
    ]);
    expect((await chair.post(`/api/polls/${poll.id}/close`)).statusCode).toBe(200);
    const late = await member.put(`/api/polls/${poll.id}/answers`, {
      answers: [{ slotId: poll.slots[0].id, answer: 'yes' }],
    });
    expect(late.statusCode).toBe(409);
    // An outsider does not see the poll at all.
    const outsider = await signIn(cast.outsider);
    expect((await outsider.get(`/api/polls/${poll.id}`)).statusCode).toBe(404);
  });
});

describe('poll deadlines and reminders', () => {
  it('closes a poll at its deadline once per hourly slot, and reminds those who have not answered', async () => {
    const cast = await setup();
    const chair = await signIn(cast.aisha);
    const poll = (
      await chair.post(
        `/api/networks/${cast.network.id}/polls`,
        pollBody({ deadline: `${YEAR}-01-02T12:00` }),
      )
    ).json();
    const member = await signIn(cast.students[0]!);
    await member.put(`/api/polls/${poll.id}/answers`, {
      answers: [{ slotId: poll.slots[0].id, answer: 'yes' }],
    });
    const job = meetingsJobs().find((j) => j.name === 'meetings.polls')!;
    // Two days before the deadline: a reminder to the seven who have not answered, not to the one who has.
    const early = new Date(`${YEAR}-01-01T00:30:00Z`);
    expect(await runJobSlot(t.app.services, job, early)).toBe('ran');
    expect((await db().select().from(polls).where(eq(polls.id, poll.id)))[0]).toMatchObject({
      status: 'open',
    });
    await t.app.services.mailer.deliverPending();
    await smtp.waitFor((m) => m.to.includes(cast.students[1]!.email) && m.subject.startsWith('Reminder'));
    const reminded = smtp.messages.filter(
      (m) =>
        m.subject === `Reminder: ${poll.title}` && m.to.some((to) => [cast.students[0]!.email].includes(to)),
    );
    expect(reminded).toEqual([]);
    const reminder = smtp.messages.find(
      (m) => m.to.includes(cast.students[1]!.email) && m.subject.startsWith('Reminder'),
    )!;
    expect(reminder.text).toContain(`/polls/${poll.id}`);
    // After the deadline: closed, exactly once for the slot.
    const late = new Date(`${YEAR}-01-02T12:10:00Z`);
    expect(await runJobSlot(t.app.services, job, late)).toBe('ran');
    expect(await runJobSlot(t.app.services, job, late)).toBe('skipped');
    expect((await db().select().from(polls).where(eq(polls.id, poll.id)))[0]).toMatchObject({
      status: 'closed',
    });
    const closes = await db()
      .select({ n: count() })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'meetings.poll_close'), eq(auditEvents.subjectId, poll.id)));
    expect(closes[0]!.n).toBe(1);
  });

  it('lets a lead remind non-respondents by hand (title and link only)', async () => {
    const cast = await setup();
    const chair = await signIn(cast.aisha);
    const poll = (
      await chair.post(`/api/networks/${cast.network.id}/polls`, pollBody({ title: 'Hand reminder poll' }))
    ).json();
    const r = await chair.post(`/api/polls/${poll.id}/remind`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ reminded: 8 });
    const member = await signIn(cast.students[0]!);
    expect((await member.post(`/api/polls/${poll.id}/remind`)).statusCode).toBe(403);
  });
});

describe('series, blocks and calendar feeds', () => {
  it('generates a monthly series skipping blocks, and serves a personal feed until it is revoked', async () => {
    const cast = await setup();
    const chair = await signIn(cast.aisha);
    const block = await chair.post(`/api/networks/${cast.network.id}/blocks`, {
      kind: 'exam',
      label: 'Year 2 exams',
      yearOfStudy: 2,
      startsOn: `${YEAR}-03-01`,
      endsOn: `${YEAR}-03-20`,
    });
    expect(block.statusCode, block.body).toBe(201);
    const series = await chair.post(`/api/networks/${cast.network.id}/series`, {
      title: 'Monthly network meeting',
      rule: { nth: 2, weekday: 3, time: '17:30' },
      timeZone: 'Europe/London',
      durationMinutes: 90,
      place: 'Seminar room 2',
      startsOn: `${YEAR}-02-01`,
      endsOn: `${YEAR}-05-31`,
      respectsBlocksFor: [2],
    });
    expect(series.statusCode, series.body).toBe(201);
    expect(series.json().ruleText).toBe('Second Wednesday of each month, 17:30 (Europe/London)');
    const generated = await chair.post(`/api/series/${series.json().id}/generate`, { months: 24 });
    expect(generated.statusCode, generated.body).toBe(200);
    const { created, skipped } = generated.json();
    expect(created.map((m: { startsLocal: string }) => m.startsLocal)).toEqual([
      `${day(2, 2, 3)}T17:30`,
      `${day(4, 2, 3)}T17:30`,
      `${day(5, 2, 3)}T17:30`,
    ]);
    expect(skipped).toEqual([{ date: day(3, 2, 3), reason: 'Year 2 exams (year 2)' }]);
    // Generating again makes nothing twice.
    expect(
      (await chair.post(`/api/series/${series.json().id}/generate`, { months: 24 })).json().created,
    ).toEqual([]);
    const invitees = await db()
      .select({ n: count() })
      .from(meetingInvitees)
      .where(eq(meetingInvitees.meetingId, created[0].id));
    expect(invitees[0]!.n).toBe(8);

    const member = await signIn(cast.students[0]!);
    const feed = await member.post('/api/calendar/feeds');
    expect(feed.statusCode, feed.body).toBe(201);
    const path = new URL(feed.json().url).pathname;
    expect((await member.get('/api/calendar/feeds')).json()).toEqual([
      { id: feed.json().id, createdAt: feed.json().createdAt, revokedAt: null },
    ]);
    // Cancel one so the feed shows it cancelled with its new SEQUENCE.
    expect((await chair.post(`/api/meetings/${created[1].id}/cancel`)).statusCode).toBe(200);

    const response = await t.app.inject({ method: 'GET', url: path });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const events = parseCalendar(response.body).events;
    const cancelledEvent = events.find((e) => e.startDate.toJSDate().toISOString() === created[1].startsAt)!;
    expect(cancelledEvent.sequence).toBe(1);
    expect(cancelledEvent.component.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(events.map((e) => e.startDate.toJSDate().toISOString())).toEqual(
      expect.arrayContaining(created.map((m: { startsAt: string }) => m.startsAt)),
    );

    // Someone else cannot revoke it; its owner can, and then it is gone, and fetching it writes nothing.
    const outsider = await signIn(cast.outsider);
    expect((await outsider.delete(`/api/calendar/feeds/${feed.json().id}`)).statusCode).toBe(404);
    expect((await member.delete(`/api/calendar/feeds/${feed.json().id}`)).statusCode).toBe(204);
    const before = await databaseFingerprint(db());
    const revoked = await t.app.inject({ method: 'GET', url: path });
    expect(revoked.statusCode).toBe(404);
    expect(revoked.json().error.message).toContain('calendar feed');
    const unknown = await t.app.inject({ method: 'GET', url: `/api/calendar/${'x'.repeat(43)}.ics` });
    expect(unknown.statusCode).toBe(404);
    expect(await databaseFingerprint(db())).toBe(before);
    expect(
      (await db().select().from(calendarFeeds).where(eq(calendarFeeds.id, feed.json().id)))[0]!.revokedAt,
    ).not.toBeNull();
  });

  it('serves one meeting as an .ics file to members only', async () => {
    const cast = await setup();
    const chair = await signIn(cast.aisha);
    const meeting = (
      await chair.post(`/api/networks/${cast.network.id}/meetings`, {
        title: 'Extra meeting',
        startsLocal: `${YEAR}-06-09T17:30`,
        timeZone: 'Europe/London',
        durationMinutes: 60,
        onlineUrl: 'https://meet.example.ac.uk/extra',
      })
    ).json();
    const member = await signIn(cast.students[0]!);
    const ics = await member.get(`/api/meetings/${meeting.id}/invite.ics`);
    expect(ics.statusCode).toBe(200);
    // British Summer Time: 17:30 in London is 16:30 UTC.
    expect(parseCalendar(ics.body)).toMatchObject({
      method: 'PUBLISH',
      location: 'https://meet.example.ac.uk/extra',
    });
    expect(parseCalendar(ics.body).start.toISOString()).toBe(`${YEAR}-06-09T16:30:00.000Z`);
    const outsider = await signIn(cast.outsider);
    expect((await outsider.get(`/api/meetings/${meeting.id}/invite.ics`)).statusCode).toBe(404);
  });
});

describe('agenda and attendance statistics', () => {
  it('lets members add items, leads reorder them, and counts attendance by kind', async () => {
    const cast = await setup();
    const chair = await signIn(cast.aisha);
    const meeting = (
      await chair.post(`/api/networks/${cast.network.id}/meetings`, {
        title: 'Agenda meeting',
        startsLocal: `${YEAR}-02-10T17:30`,
        timeZone: 'Europe/London',
        durationMinutes: 60,
      })
    ).json();
    const member = await signIn(cast.students[0]!);
    const first = await member.post(`/api/meetings/${meeting.id}/agenda`, { title: 'Iftar event planning' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ kind: 'member_item', addedByName: 'Student 1', notes: null });
    const second = await chair.post(`/api/meetings/${meeting.id}/agenda`, {
      title: 'Art exhibition on inclusion',
    });
    // A member may not link a concern.
    expect(
      (
        await member.post(`/api/meetings/${meeting.id}/agenda`, {
          title: 'x',
          concernId: crypto.randomUUID(),
        })
      ).statusCode,
    ).toBe(403);
    const reordered = await chair.put(`/api/meetings/${meeting.id}/agenda/order`, {
      itemIds: [second.json().id, first.json().id],
    });
    expect(reordered.json().map((i: { title: string }) => i.title)).toEqual([
      'Art exhibition on inclusion',
      'Iftar event planning',
    ]);
    const incomplete = await chair.put(`/api/meetings/${meeting.id}/agenda/order`, {
      itemIds: [first.json().id],
    });
    expect(incomplete.statusCode).toBe(400);

    await chair.put(`/api/meetings/${meeting.id}/minutes`, {
      attendance: [
        { userId: cast.aisha.id, present: true },
        { userId: cast.students[0]!.id, present: true },
        { userId: cast.staff[0]!.id, present: true },
        { userId: cast.staff[1]!.id, present: false },
      ],
    });
    const attendance = await db()
      .select()
      .from(meetingAttendance)
      .where(eq(meetingAttendance.meetingId, meeting.id));
    expect(attendance.filter((a) => a.kind === 'student')).toHaveLength(2);
    // Held meetings count from their start; push this one into the past for the statistics.
    await db()
      .update(meetings)
      .set({ startsAt: new Date('2026-01-14T17:30:00Z'), status: 'held' })
      .where(eq(meetings.id, meeting.id));
    const stats = (await member.get(`/api/networks/${cast.network.id}/meetings/stats`)).json();
    expect(stats.meetings).toEqual([
      expect.objectContaining({ meetingId: meeting.id, student: 2, staff: 1, alumnus: 0, total: 3 }),
    ]);
    expect(stats.perMonth[0]).toEqual({ month: '2026-01', held: 1 });
    expect(stats.perMonth.find((m: { month: string }) => m.month === '2026-02')).toEqual({
      month: '2026-02',
      held: 0,
    });
    const decisions = await db()
      .select({ n: count() })
      .from(meetingDecisions)
      .where(eq(meetingDecisions.meetingId, meeting.id));
    expect(decisions[0]!.n).toBe(0);
  });
});
