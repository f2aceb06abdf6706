import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox, notifications, users } from '../../../db/schema';
import { createTestApp, type TestApp } from '../../test/app';
import { addMember, buildInstitution, buildNetwork, buildUser } from '../../test/factories';
import { raiseConcern } from '../concerns/concerns';
import { actorFor } from './access';
import { HIDDEN_CONCERN_TITLE } from './invitations';
import { nthWeekdayOfMonth } from './time';

/**
 * Attacks on what meetings tell people: a hidden concern's title on agendas, invitations and
 * feeds; meeting news for someone removed from the network; poll weights changed by relabelling;
 * answers of disabled accounts. The dev outbox (no SMTP) keeps every mail's text and calendar file.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const db = () => t.database.db;
const YEAR = new Date().getUTCFullYear() + 1;
type Person = { id: string; email: string; name: string };

/** A signed-in client (sign-in itself is tested in identity). */
const signIn = async (user: Person) => Object.assign(await t.signedIn(user), { user });

/** A network with a student co-chair, a staff co-chair, two students and a staff member. */
async function setup() {
  const institution = await buildInstitution(db());
  const network = await buildNetwork(db(), institution.id, { name: 'SouthRACE test' });
  const chair = await buildUser(db(), { name: 'Aisha Chair' });
  await addMember(db(), { userId: chair.id, networkId: network.id, role: 'lead', yearOfStudy: 4 });
  const staffChair = await buildUser(db(), { name: 'Ravi Staff-Chair' });
  await addMember(db(), { userId: staffChair.id, networkId: network.id, kind: 'staff', role: 'lead' });
  const student = await buildUser(db(), { name: 'Student One' });
  const student2 = await buildUser(db(), { name: 'Student Two' });
  for (const s of [student, student2]) {
    await addMember(db(), { userId: s.id, networkId: network.id, yearOfStudy: 2 });
  }
  const staff = await buildUser(db(), { name: 'Staff One' });
  await addMember(db(), { userId: staff.id, networkId: network.id, kind: 'staff' });
  return { network, chair, staffChair, student, student2, staff };
}

const mailTo = (email: string) => db().select().from(mailOutbox).where(eq(mailOutbox.toAddress, email));

describe('hidden concerns on meetings', () => {
  it('a hidden concern’s title is not on agendas, invitations, updates or calendar feeds', async () => {
    const s = await setup();
    const title = 'Registrar Dr Okafor mocked my accent';
    const concern = await raiseConcern(db(), await actorFor(db(), s.student.id), s.network.id, {
      title,
      description: 'In the induction lecture the registrar mocked my accent in front of everyone.',
      category: 'curriculum',
      visibility: 'anonymous_to_members',
    });
    const chair = await signIn(s.chair);
    // The meeting's agenda is built from the queue: the concern is on it.
    const meeting = await chair.post(`/api/networks/${s.network.id}/meetings`, {
      title: 'March meeting',
      startsLocal: `${YEAR}-03-10T17:30`,
      timeZone: 'Europe/London',
      durationMinutes: 60,
      place: 'Seminar room 1',
    });
    expect(meeting.statusCode, meeting.body).toBe(201);
    const meetingId = meeting.json().id as string;
    expect(meeting.json().agenda.map((a: { title: string }) => a.title)).toEqual([title]);

    // The leads hide it.
    const hidden = await chair.post(`/api/concerns/${concern.id}/hide`, { reason: 'It names a registrar' });
    expect(hidden.statusCode, hidden.body).toBe(200);

    const member = await signIn(s.student2);
    const feed = await member.post('/api/calendar/feeds');
    expect(feed.statusCode).toBe(201);
    const moved = await chair.patch(`/api/meetings/${meetingId}`, { place: 'Seminar room 2' });
    expect(moved.statusCode, moved.body).toBe(200);

    const agenda = (await member.get(`/api/meetings/${meetingId}`)).json().agenda as { title: string }[];
    expect(agenda.map((a) => a.title)).toEqual([HIDDEN_CONCERN_TITLE]);
    expect((await chair.get(`/api/meetings/${meetingId}`)).body).not.toContain('Okafor');
    const ics = await member.get(`/api/meetings/${meetingId}/invite.ics`);
    expect(ics.statusCode).toBe(200);
    expect(ics.body).toContain(HIDDEN_CONCERN_TITLE);
    expect(ics.body).not.toContain('Okafor');
    const subscribed = await t.app.inject({ method: 'GET', url: new URL(feed.json().url).pathname });
    expect(subscribed.statusCode).toBe(200);
    expect(subscribed.body).toContain(HIDDEN_CONCERN_TITLE);
    expect(subscribed.body).not.toContain('Okafor');
    // The update sent after hiding names the item as hidden, in its text and its calendar file.
    const updates = (await mailTo(s.student2.email)).filter((m) => m.subject.startsWith('Updated'));
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(updates[0])).not.toContain('Okafor');
    expect(updates[0]!.textBody).toContain(HIDDEN_CONCERN_TITLE);
  });
});

describe('corrected concerns on meetings', () => {
  it('members cannot read a concern’s earlier title on an agenda', async () => {
    const s = await setup();
    const author = await actorFor(db(), s.student.id);
    const concern = await raiseConcern(db(), author, s.network.id, {
      title: 'Dr Okafor mocked my accent',
      description: 'In the induction lecture a registrar mocked my accent in front of everyone.',
      category: 'curriculum',
      visibility: 'anonymous_to_members',
    });
    const chair = await signIn(s.chair);
    const meeting = await chair.post(`/api/networks/${s.network.id}/meetings`, {
      title: 'June meeting',
      startsLocal: `${YEAR}-06-09T17:30`,
      timeZone: 'Europe/London',
      durationMinutes: 60,
      place: 'Seminar room 1',
    });
    expect(meeting.statusCode).toBe(201);
    // The author takes the name out of the title.
    const edited = await (await signIn(s.student)).patch(`/api/concerns/${concern.id}`, {
      title: 'A registrar mocked my accent',
    });
    expect(edited.statusCode, edited.body).toBe(200);
    const member = await signIn(s.student2);
    const detail = await member.get(`/api/meetings/${meeting.json().id}`);
    expect(detail.json().agenda.map((a: { title: string }) => a.title)).toEqual([
      'A registrar mocked my accent',
    ]);
    expect(detail.body).not.toContain('Okafor');
    const ics = await member.get(`/api/meetings/${meeting.json().id}/invite.ics`);
    expect(ics.body).not.toContain('Okafor');
  });
});

describe('removed members', () => {
  it('a removed member gets no meeting updates', async () => {
    const s = await setup();
    const chair = await signIn(s.chair);
    const meeting = await chair.post(`/api/networks/${s.network.id}/meetings`, {
      title: 'April meeting',
      startsLocal: `${YEAR}-04-14T17:30`,
      timeZone: 'Europe/London',
      durationMinutes: 60,
      place: 'Seminar room 1',
    });
    expect(meeting.statusCode).toBe(201);
    const meetingId = meeting.json().id as string;
    expect(await mailTo(s.student2.email)).toHaveLength(1);
    // The student is removed from the network, then the meeting moves, gets a link, and is cancelled.
    expect((await chair.delete(`/api/networks/${s.network.id}/members/${s.student2.id}`)).statusCode).toBe(
      204,
    );
    const moved = await chair.patch(`/api/meetings/${meetingId}`, {
      place: 'Room 4.12, Medical School',
      onlineUrl: 'https://meet.example.ac.uk/secret-room',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect((await chair.post(`/api/meetings/${meetingId}/cancel`)).statusCode).toBe(200);
    const mails = await mailTo(s.student2.email);
    expect(mails.map((m) => m.subject)).toEqual([expect.stringMatching(/^Invitation/)]);
    expect(JSON.stringify(mails)).not.toContain('secret-room');
    const told = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.student2.id), eq(notifications.kind, 'meeting.cancelled')));
    expect(told).toHaveLength(0);
    // Members still hear of it.
    expect((await mailTo(s.student.email)).map((m) => m.subject)).toEqual([
      expect.stringMatching(/^Invitation/),
      expect.stringMatching(/^Updated/),
      expect.stringMatching(/^Cancelled/),
    ]);
  });
});

describe('poll weights', () => {
  async function pollWithAnswers(s: Awaited<ReturnType<typeof setup>>) {
    const chair = await signIn(s.chair);
    const monday = nthWeekdayOfMonth(YEAR, 5, 2, 1);
    const created = await chair.post(`/api/networks/${s.network.id}/polls`, {
      title: 'May meeting',
      timeZone: 'Europe/London',
      slots: [
        { startsLocal: `${monday}T12:00`, durationMinutes: 60, place: 'Room A' },
        { startsLocal: `${monday}T17:30`, durationMinutes: 60, place: 'Room B' },
      ],
      requiredUserIds: [],
      minStudents: 0,
    });
    expect(created.statusCode, created.body).toBe(201);
    const poll = created.json() as { id: string; slots: { id: string }[] };
    const [lunch, evening] = poll.slots.map((x) => x.id) as [string, string];
    // The staff co-chair can only do lunchtime; one student only the evening.
    const answer = async (who: Person, values: [string, string]) => {
      const r = await (await signIn(who)).put(`/api/polls/${poll.id}/answers`, {
        answers: [
          { slotId: lunch, answer: values[0] },
          { slotId: evening, answer: values[1] },
        ],
      });
      expect(r.statusCode, r.body).toBe(200);
    };
    await answer(s.staffChair, ['yes', 'no']);
    await answer(s.student, ['no', 'yes']);
    const ranking = async () =>
      (await chair.get(`/api/polls/${poll.id}`)).json() as {
        respondents: number;
        ranking: { slotId: string; score: number }[];
      };
    return { pollId: poll.id, lunch, evening, ranking };
  }

  it('a co-chair cannot triple their poll weight by relabelling themselves', async () => {
    const s = await setup();
    const { lunch, evening, ranking } = await pollWithAnswers(s);
    const before = await ranking();
    expect(before.ranking[0]!.slotId).toBe(evening);
    // The staff co-chair tries to relabel themselves "student": refused.
    const self = await (await signIn(s.staffChair)).put(
      `/api/networks/${s.network.id}/members/${s.staffChair.id}`,
      { kind: 'student', yearOfStudy: 2, role: 'lead', leadTitle: 'co_chair' },
    );
    expect(self.statusCode).toBe(403);
    // Even once the other co-chair changes the kind, the answer given as staff weighs as staff.
    const approved = await (await signIn(s.chair)).put(
      `/api/networks/${s.network.id}/members/${s.staffChair.id}`,
      { kind: 'student', yearOfStudy: 2, role: 'lead', leadTitle: 'co_chair' },
    );
    expect(approved.statusCode, approved.body).toBe(200);
    const after = await ranking();
    expect(after.ranking).toEqual(before.ranking);
    expect(after.ranking.find((r) => r.slotId === lunch)!.score).toBeLessThan(
      after.ranking.find((r) => r.slotId === evening)!.score,
    );
  });

  it('a disabled account’s poll answers do not count', async () => {
    const s = await setup();
    const { lunch, evening, ranking } = await pollWithAnswers(s);
    const before = await ranking();
    expect(before.respondents).toBe(2);
    await db().update(users).set({ disabledAt: new Date() }).where(eq(users.id, s.student.id));
    const after = await ranking();
    expect(after.respondents).toBe(1);
    expect(after.ranking[0]!.slotId).toBe(lunch);
    expect(after.ranking.find((r) => r.slotId === evening)!.score).toBe(0);
    const list = await (await signIn(s.chair)).get(`/api/networks/${s.network.id}/polls`);
    expect(list.json()[0].respondents).toBe(1);
  });
});
