import { and, asc, desc, eq, exists, inArray, isNotNull, isNull, lte, notExists, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client';
import {
  meetingSeries,
  meetings,
  memberships,
  pollAnswers,
  pollRequiredPeople,
  pollSlots,
  polls,
  users,
} from '../../../db/schema';
import type {
  AnswerSubmit,
  Confirm,
  MeetingDetail,
  PollAnswer,
  PollCreate,
  PollDetail,
  PollSummary,
} from '../../../shared/meetings/schema';
import { AnswerSubmitSchema, PollCreateSchema } from '../../../shared/meetings/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors';
import { notify } from '../../platform/notifications';
import type { Services } from '../../platform/services';
import { assertManages, assertSees, iso, loadNetwork, mailOf, networkMembers, pollLink } from './access';
import { createMeetingRecord, meetingDetail } from './meetings';
import { isNetworkMember, mayAnswerPoll, mayManageMeetings } from './policy';
import { countAnswer, emptyTally, rankTallies, requiredLabel } from './ranking';
import { checkSlots, ruleFromWallTime, utcToWallTime, wallTimeToUtc } from './time';

/**
 * Availability polls: a lead proposes times, members answer yes / if need be / no, the ranking
 * weighs students first and requires the required people; confirming makes the meeting and
 * invites everyone who answered.
 */

export type MeetingServices = Pick<Services, 'db' | 'mailer' | 'config'>;

const POLL = 'That poll';

async function loadPoll(db: Db | Tx, pollId: string) {
  const [poll] = await db.select().from(polls).where(eq(polls.id, pollId));
  if (!poll) throw notFound(POLL);
  return poll;
}

/** Creates a poll (leads); every slot checked (exists in the zone, future, no overlaps); nothing written on a problem. */
export async function createPoll(
  services: MeetingServices,
  actor: Actor | null,
  networkId: string,
  raw: PollCreate,
  now = new Date(),
): Promise<PollDetail> {
  assertManages(actor, networkId, 'That network');
  const input = PollCreateSchema.parse(raw);
  const network = await loadNetwork(services.db, networkId);
  const checked = checkSlots(input.slots, input.timeZone, now);
  const problems = checked.ok ? [] : [...checked.problems];
  let deadlineAt: Date | null = null;
  if (input.deadline) {
    const deadline = wallTimeToUtc(input.deadline, input.timeZone);
    if (!deadline.ok) problems.push({ path: 'deadline', message: deadline.message });
    else if (deadline.at <= now)
      problems.push({ path: 'deadline', message: 'The deadline has already passed.' });
    else deadlineAt = deadline.at;
  }
  const members = await networkMembers(services.db, networkId);
  const memberIds = new Set(members.map((m) => m.userId));
  input.requiredUserIds.forEach((userId, i) => {
    if (!memberIds.has(userId)) {
      problems.push({ path: `requiredUserIds.${i}`, message: 'Choose a member of the network.' });
    }
  });
  if (problems.length > 0 || !checked.ok) {
    throw invalid(problems[0]?.message ?? 'Please check the poll.', problems);
  }

  const pollId = await services.db.transaction(async (tx) => {
    const [poll] = await tx
      .insert(polls)
      .values({
        networkId,
        title: input.title,
        description: input.description,
        timeZone: input.timeZone,
        deadlineAt,
        weights: input.weights,
        minStudents: input.minStudents,
        forSeries: input.forSeries,
        createdBy: actor.userId,
        createdAt: now,
      })
      .returning({ id: polls.id });
    await tx.insert(pollSlots).values(
      checked.slots.map((slot) => ({
        pollId: poll!.id,
        startsAt: slot.startsAt,
        durationMinutes: slot.durationMinutes,
        place: slot.place ?? null,
        onlineUrl: slot.onlineUrl ?? null,
      })),
    );
    const required = [...new Set(input.requiredUserIds)];
    if (required.length > 0) {
      await tx.insert(pollRequiredPeople).values(required.map((userId) => ({ pollId: poll!.id, userId })));
    }
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.poll_create',
      subjectType: 'meeting_poll',
      subjectId: poll!.id,
      data: { networkId, slots: checked.slots.length, required: required.length },
    });
    await notify(tx, {
      userIds: members.map((m) => m.userId).filter((id) => id !== actor.userId),
      networkId,
      kind: 'meeting.poll',
      subject: `When can you come? ${input.title}`,
      link: pollLink(poll!.id),
      email: {
        subject: `When can you come? ${input.title}`,
        text: `${network.name} is choosing a time for “${input.title}”. Say when you can come:`,
      },
      mail: mailOf(services),
      at: now,
    });
    return poll!.id;
  });
  return pollDetail(services.db, actor, pollId);
}

/** A network's polls, newest first. */
export async function listPolls(db: Db, actor: Actor | null, networkId: string): Promise<PollSummary[]> {
  assertSees(actor, networkId, 'That network');
  const rows = await db
    .select({
      id: polls.id,
      title: polls.title,
      status: polls.status,
      timeZone: polls.timeZone,
      deadlineAt: polls.deadlineAt,
      createdAt: polls.createdAt,
      slotCount: sql<number>`(select count(*)::int from ${pollSlots} where ${pollSlots.pollId} = ${polls.id})`,
      // Current members with active accounts, as in the poll's ranking.
      respondents: sql<number>`(select count(distinct a.user_id)::int from ${pollAnswers} a
        join ${memberships} m on m.user_id = a.user_id and m.network_id = "meeting_polls"."network_id"
        join ${users} u on u.id = a.user_id and u.disabled_at is null
        where a.poll_id = "meeting_polls"."id")`,
      answeredByMe: sql<boolean>`exists (select 1 from ${pollAnswers} where ${pollAnswers.pollId} = ${polls.id} and ${pollAnswers.userId} = ${actor.userId})`,
    })
    .from(polls)
    .where(eq(polls.networkId, networkId))
    .orderBy(desc(polls.createdAt))
    .limit(100);
  return rows.map((r) => ({
    ...r,
    deadlineAt: iso(r.deadlineAt),
    createdAt: r.createdAt.toISOString(),
    answeredByMe: Boolean(r.answeredByMe),
  }));
}

/** A poll with its slots in local and UTC time, the viewer's answers and the explained ranking. */
export async function pollDetail(db: Db | Tx, actor: Actor | null, pollId: string): Promise<PollDetail> {
  const poll = await loadPoll(db, pollId);
  assertSees(actor, poll.networkId, POLL);
  const manages = mayManageMeetings(actor, poll.networkId);
  // Answers are counted in the database (a poll may have thousands); only members' answers count.
  const hasAnswered = exists(
    db
      .select({ one: sql`1` })
      .from(pollAnswers)
      .where(and(eq(pollAnswers.pollId, pollId), eq(pollAnswers.userId, memberships.userId))),
  );
  const [network, slots, counted, respondents, members, required, mine, meeting, notAnswered] =
    await Promise.all([
      loadNetwork(db, poll.networkId),
      db.select().from(pollSlots).where(eq(pollSlots.pollId, pollId)).orderBy(asc(pollSlots.startsAt)),
      // Weighed by the kind each person had when they answered; current members with active accounts only.
      db
        .select({
          slotId: pollAnswers.slotId,
          kind: pollAnswers.kind,
          answer: pollAnswers.answer,
          n: sql<number>`count(*)::int`,
        })
        .from(pollAnswers)
        .innerJoin(
          memberships,
          and(eq(memberships.userId, pollAnswers.userId), eq(memberships.networkId, poll.networkId)),
        )
        .innerJoin(users, and(eq(users.id, pollAnswers.userId), isNull(users.disabledAt)))
        .where(eq(pollAnswers.pollId, pollId))
        .groupBy(pollAnswers.slotId, pollAnswers.kind, pollAnswers.answer),
      db
        .select({ n: sql<number>`count(*)::int` })
        .from(memberships)
        .innerJoin(users, and(eq(users.id, memberships.userId), isNull(users.disabledAt)))
        .where(and(eq(memberships.networkId, poll.networkId), hasAnswered)),
      db
        .select({ n: sql<number>`count(*)::int` })
        .from(memberships)
        .where(eq(memberships.networkId, poll.networkId)),
      db
        .select({
          userId: pollRequiredPeople.userId,
          name: users.name,
          kind: memberships.kind,
          leadTitle: memberships.leadTitle,
        })
        .from(pollRequiredPeople)
        .innerJoin(users, eq(users.id, pollRequiredPeople.userId))
        .leftJoin(
          memberships,
          and(eq(memberships.userId, pollRequiredPeople.userId), eq(memberships.networkId, poll.networkId)),
        )
        .where(eq(pollRequiredPeople.pollId, pollId)),
      db
        .select({ slotId: pollAnswers.slotId, userId: pollAnswers.userId, answer: pollAnswers.answer })
        .from(pollAnswers)
        .where(
          and(
            eq(pollAnswers.pollId, pollId),
            or(
              eq(pollAnswers.userId, actor.userId),
              inArray(
                pollAnswers.userId,
                db
                  .select({ userId: pollRequiredPeople.userId })
                  .from(pollRequiredPeople)
                  .where(eq(pollRequiredPeople.pollId, pollId)),
              ),
            ),
          ),
        ),
      db.select({ id: meetings.id }).from(meetings).where(eq(meetings.pollId, pollId)).limit(1),
      manages ? membersWhoHaveNotAnswered(db, poll.networkId, pollId) : Promise.resolve(null),
    ]);
  const tallies = new Map(slots.map((slot) => [slot.id, emptyTally()]));
  for (const row of counted) {
    const tally = tallies.get(row.slotId);
    if (tally) countAnswer(tally, row.kind, row.answer, row.n);
  }
  const requiredIds = new Set(required.filter((r) => r.kind !== null).map((r) => r.userId));
  const requiredAnswers = new Map<string, Map<string, PollAnswer>>();
  for (const a of mine) {
    if (!requiredIds.has(a.userId)) continue;
    if (!requiredAnswers.has(a.slotId)) requiredAnswers.set(a.slotId, new Map());
    requiredAnswers.get(a.slotId)!.set(a.userId, a.answer);
  }
  const requiredPeople = required.map((r) => ({
    userId: r.userId,
    name: r.kind ? r.name : 'A former member',
    kind: r.kind,
    leadTitle: r.leadTitle,
  }));
  const ranking = rankTallies({
    slots,
    tallies,
    requiredAnswers,
    weights: poll.weights,
    required: requiredPeople.map((p) => ({
      userId: p.userId,
      label: requiredLabel(p.name, p.kind, p.leadTitle),
    })),
    minStudents: poll.minStudents,
  });
  return {
    id: poll.id,
    networkId: poll.networkId,
    networkName: network.name,
    title: poll.title,
    description: poll.description,
    timeZone: poll.timeZone,
    status: poll.status,
    deadlineAt: iso(poll.deadlineAt),
    deadlineLocal: poll.deadlineAt ? utcToWallTime(poll.deadlineAt, poll.timeZone) : null,
    weights: poll.weights,
    minStudents: poll.minStudents,
    forSeries: poll.forSeries,
    requiredPeople: requiredPeople.map(({ userId, name, kind }) => ({ userId, name, kind })),
    slots: slots.map((s) => ({
      id: s.id,
      startsAt: s.startsAt.toISOString(),
      startsLocal: utcToWallTime(s.startsAt, poll.timeZone),
      endsLocal: utcToWallTime(new Date(s.startsAt.getTime() + s.durationMinutes * 60_000), poll.timeZone),
      durationMinutes: s.durationMinutes,
      place: s.place,
      onlineUrl: s.onlineUrl,
    })),
    myAnswers: mine
      .filter((a) => a.userId === actor.userId)
      .map((a) => ({ slotId: a.slotId, answer: a.answer })),
    canAnswer: mayAnswerPoll(actor, poll.networkId, poll.status),
    canManage: manages,
    ranking,
    respondents: respondents[0]?.n ?? 0,
    members: members[0]?.n ?? 0,
    notAnswered,
    confirmedSlotId: poll.confirmedSlotId,
    meetingId: meeting[0]?.id ?? null,
    remindedAt: iso(poll.remindedAt),
  };
}

/** The network's active members who have not answered a poll. */
async function membersWhoHaveNotAnswered(db: Db | Tx, networkId: string, pollId: string) {
  return db
    .select({ userId: users.id, name: users.name, kind: memberships.kind })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.networkId, networkId),
        isNull(users.disabledAt),
        notExists(
          db
            .select({ one: sql`1` })
            .from(pollAnswers)
            .where(and(eq(pollAnswers.pollId, pollId), eq(pollAnswers.userId, memberships.userId))),
        ),
      ),
    )
    .orderBy(users.name);
}

/** Saves the viewer's answers (all in one request; answers to other slots are kept). */
export async function submitAnswers(
  db: Db,
  actor: Actor | null,
  pollId: string,
  raw: AnswerSubmit,
  now = new Date(),
): Promise<PollDetail> {
  const input = AnswerSubmitSchema.parse(raw);
  const poll = await loadPoll(db, pollId);
  assertSees(actor, poll.networkId, POLL);
  if (!isNetworkMember(actor, poll.networkId)) {
    throw forbidden('Only members of the network answer its polls.');
  }
  if (!mayAnswerPoll(actor, poll.networkId, poll.status) || (poll.deadlineAt && poll.deadlineAt <= now)) {
    throw conflict('This poll is closed: answers can no longer be changed.');
  }
  const slotIds = new Set(
    (await db.select({ id: pollSlots.id }).from(pollSlots).where(eq(pollSlots.pollId, pollId))).map(
      (s) => s.id,
    ),
  );
  const seen = new Set<string>();
  const problems: { path: string; message: string }[] = [];
  input.answers.forEach((a, i) => {
    if (!slotIds.has(a.slotId))
      problems.push({ path: `answers.${i}.slotId`, message: 'That time is not in this poll.' });
    else if (seen.has(a.slotId))
      problems.push({ path: `answers.${i}.slotId`, message: 'That time is answered twice.' });
    seen.add(a.slotId);
  });
  if (problems.length > 0) throw invalid(problems[0]!.message, problems);
  await db.transaction(async (tx) => {
    // The answer keeps the kind the person has now: relabelling oneself later does not reweigh it.
    const [membership] = await tx
      .select({ kind: memberships.kind })
      .from(memberships)
      .where(and(eq(memberships.networkId, poll.networkId), eq(memberships.userId, actor.userId)));
    if (!membership) throw forbidden('Only members of the network answer its polls.');
    await tx
      .insert(pollAnswers)
      .values(
        input.answers.map((a) => ({
          pollId,
          slotId: a.slotId,
          userId: actor.userId,
          answer: a.answer,
          kind: membership.kind,
          updatedAt: now,
        })),
      )
      .onConflictDoUpdate({
        target: [pollAnswers.slotId, pollAnswers.userId],
        set: { answer: sql`excluded.answer`, kind: sql`excluded.kind`, updatedAt: now },
      });
  });
  return pollDetail(db, actor, pollId);
}

/** Closes a poll to answers (leads). */
export async function closePoll(db: Db, actor: Actor | null, pollId: string): Promise<PollDetail> {
  const poll = await loadPoll(db, pollId);
  assertManages(actor, poll.networkId, POLL);
  if (poll.status !== 'open') throw conflict('This poll is not open.');
  await db.transaction(async (tx) => {
    await tx.update(polls).set({ status: 'closed' }).where(eq(polls.id, pollId));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.poll_close',
      subjectType: 'meeting_poll',
      subjectId: pollId,
      data: {},
    });
  });
  return pollDetail(db, actor, pollId);
}

/**
 * Reminds the members who have not answered an open poll (in the app, and by e-mail for those who
 * want it: the poll's title and link only). Used by the lead's button and the reminder job.
 */
export async function remindNonRespondents(
  tx: Tx,
  services: Pick<Services, 'mailer' | 'config'>,
  poll: typeof polls.$inferSelect,
  now: Date,
): Promise<number> {
  const members = await networkMembers(tx, poll.networkId);
  const answered = new Set(
    (
      await tx
        .selectDistinct({ userId: pollAnswers.userId })
        .from(pollAnswers)
        .where(eq(pollAnswers.pollId, poll.id))
    ).map((r) => r.userId),
  );
  const waiting = members.filter((m) => !answered.has(m.userId)).map((m) => m.userId);
  await tx.update(polls).set({ remindedAt: now }).where(eq(polls.id, poll.id));
  if (waiting.length === 0) return 0;
  const { notified } = await notify(tx, {
    userIds: waiting,
    networkId: poll.networkId,
    kind: 'meeting.poll_reminder',
    subject: `Reminder: when can you come? ${poll.title}`,
    link: pollLink(poll.id),
    email: { subject: `Reminder: ${poll.title}`, text: `Please say when you can come to “${poll.title}”:` },
    mail: mailOf(services),
    at: now,
  });
  return notified;
}

export async function remindPoll(
  services: MeetingServices,
  actor: Actor | null,
  pollId: string,
  now = new Date(),
): Promise<{ reminded: number }> {
  const poll = await loadPoll(services.db, pollId);
  assertManages(actor, poll.networkId, POLL);
  if (poll.status !== 'open') throw conflict('This poll is not open: there is nobody to remind.');
  const reminded = await services.db.transaction(async (tx) => {
    const n = await remindNonRespondents(tx, services, poll, now);
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.poll_remind',
      subjectType: 'meeting_poll',
      subjectId: pollId,
      data: { reminded: n },
    });
    return n;
  });
  return { reminded };
}

/**
 * Confirms a slot (leads): creates the meeting (and, for a series poll, the monthly series its
 * weekday and time suggest), invites everyone who answered, builds the agenda and e-mails the
 * invitations with their calendar file. All in one transaction.
 */
export async function confirmPoll(
  services: MeetingServices,
  actor: Actor | null,
  pollId: string,
  input: Confirm,
  now = new Date(),
): Promise<MeetingDetail> {
  const poll = await loadPoll(services.db, pollId);
  assertManages(actor, poll.networkId, POLL);
  if (poll.status === 'confirmed' || poll.status === 'cancelled') {
    throw conflict(`This poll is already ${poll.status}.`);
  }
  const [slot] = await services.db
    .select()
    .from(pollSlots)
    .where(and(eq(pollSlots.id, input.slotId), eq(pollSlots.pollId, pollId)));
  if (!slot)
    throw invalid('That time is not in this poll.', [
      { path: 'slotId', message: 'That time is not in this poll.' },
    ]);
  if (slot.startsAt <= now) {
    throw invalid('That time has already passed.', [
      { path: 'slotId', message: 'That time has already passed.' },
    ]);
  }
  const meetingId = await services.db.transaction(async (tx) => {
    // Claim the poll first: a second confirmation racing this one finds it confirmed.
    const claimed = await tx
      .update(polls)
      .set({ status: 'confirmed', confirmedSlotId: slot.id })
      .where(and(eq(polls.id, pollId), inArray(polls.status, ['open', 'closed'])))
      .returning({ id: polls.id });
    if (claimed.length === 0) throw conflict('This poll was confirmed a moment ago.');
    let seriesId: string | null = null;
    if (poll.forSeries) {
      const startsLocal = utcToWallTime(slot.startsAt, poll.timeZone);
      const [series] = await tx
        .insert(meetingSeries)
        .values({
          networkId: poll.networkId,
          title: input.title ?? poll.title,
          rule: {
            freq: 'monthly',
            ...ruleFromWallTime(startsLocal),
          } as typeof meetingSeries.$inferInsert.rule,
          durationMinutes: slot.durationMinutes,
          timeZone: poll.timeZone,
          place: slot.place,
          onlineUrl: slot.onlineUrl,
          startsOn: startsLocal.slice(0, 10),
          createdBy: actor.userId,
          createdAt: now,
        })
        .returning({ id: meetingSeries.id });
      seriesId = series!.id;
    }
    // Everyone who answered and is still a member (someone removed since is not invited).
    const respondents = (
      await tx
        .selectDistinct({ userId: pollAnswers.userId })
        .from(pollAnswers)
        .innerJoin(
          memberships,
          and(eq(memberships.userId, pollAnswers.userId), eq(memberships.networkId, poll.networkId)),
        )
        .where(eq(pollAnswers.pollId, pollId))
    ).map((r) => r.userId);
    const meeting = await createMeetingRecord(tx, services, actor, {
      networkId: poll.networkId,
      title: input.title ?? poll.title,
      startsAt: slot.startsAt,
      durationMinutes: slot.durationMinutes,
      timeZone: poll.timeZone,
      place: slot.place,
      onlineUrl: slot.onlineUrl,
      pollId,
      seriesId,
      inviteeIds: respondents,
      sendInvitations: true,
      buildAgenda: true,
      now,
    });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.poll_confirm',
      subjectType: 'meeting_poll',
      subjectId: pollId,
      data: { slotId: slot.id, meetingId: meeting.id, seriesId, invited: respondents.length },
    });
    return meeting.id;
  });
  return meetingDetail(services.db, actor, meetingId);
}

/**
 * The hourly job: closes open polls whose deadline has passed, and reminds non-respondents once
 * when a deadline is less than two days away. Returns what it did.
 */
export async function closeAndRemindDuePolls(
  tx: Tx,
  services: Pick<Services, 'mailer' | 'config'>,
  at: Date,
): Promise<{ closed: number; reminded: number }> {
  const closed = await tx
    .update(polls)
    .set({ status: 'closed' })
    .where(and(eq(polls.status, 'open'), isNotNull(polls.deadlineAt), lte(polls.deadlineAt, at)))
    .returning({ id: polls.id, networkId: polls.networkId, title: polls.title });
  for (const poll of closed) {
    await recordAudit(tx, {
      actorUserId: null,
      action: 'meetings.poll_close',
      subjectType: 'meeting_poll',
      subjectId: poll.id,
      data: { reason: 'deadline' },
    });
    const leads = (await networkMembers(tx, poll.networkId))
      .filter((m) => m.role === 'lead')
      .map((m) => m.userId);
    await notify(tx, {
      userIds: leads,
      networkId: poll.networkId,
      kind: 'meeting.poll_closed',
      subject: `Poll closed, ready to confirm: ${poll.title}`,
      link: pollLink(poll.id),
      at,
    });
  }
  const soon = new Date(at.getTime() + 48 * 3_600_000);
  const due = await tx
    .select()
    .from(polls)
    .where(
      and(
        eq(polls.status, 'open'),
        isNull(polls.remindedAt),
        isNotNull(polls.deadlineAt),
        lte(polls.deadlineAt, soon),
      ),
    );
  let reminded = 0;
  for (const poll of due) reminded += await remindNonRespondents(tx, services, poll, at);
  return { closed: closed.length, reminded };
}
