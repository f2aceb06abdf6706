import { and, asc, eq, isNotNull } from 'drizzle-orm';
import {
  agendaItems,
  concerns,
  meetingActionItems,
  meetingAttendance,
  meetingDecisions,
  meetingSeries,
  meetings,
  networks,
  pollAnswers,
  pollRequiredPeople,
  pollSlots,
  polls,
} from '../../../db/schema';
import type { Services } from '../../platform/services';
import { actorFor, networkMembers } from './access';
import { addQueueToAgenda, createMeetingRecord } from './meetings';
import { expandMonthly, nthWeekdayOfMonth, wallTimeToUtc } from './time';

/**
 * Meetings demo data for Northfield Medical School (idempotent; needs the identity demo, and links
 * to the concerns demo when it is there): a year of NorthRACE's monthly meetings, the second
 * Wednesday at 17:30 London time, with attendance, published minutes and decisions on the
 * concerns that were answered around then; and an open poll for next term's meeting evening.
 */

const SERIES_TITLE = 'NorthRACE monthly meeting';
const ZONE = 'Europe/London';
const DAY = 86_400_000;

/** Standing items of every meeting (as MedRACE runs them), before the concerns of the month. */
const STANDING_ITEMS = ['Welcome and introductions', 'Updates from the co-chairs'];
const CLOSING_ITEM = 'Any other business';
const NOTES = [
  'Welcomed new members; introductions round.',
  'Co-chairs reported on the school’s equality committee and the curriculum review.',
];

/** A fixed pseudo-random choice, so the demo looks the same on every load. */
const chance = (a: number, b: number) => ((a * 7919 + b * 104_729) % 100) / 100;

export async function loadMeetingsDemo(services: Services): Promise<string> {
  const { db } = services;
  const [network] = await db.select().from(networks).where(eq(networks.slug, 'northrace'));
  if (!network) return '';
  const [existing] = await db
    .select({ id: meetingSeries.id })
    .from(meetingSeries)
    .where(and(eq(meetingSeries.networkId, network.id), eq(meetingSeries.title, SERIES_TITLE)));
  if (existing) return 'Meetings demo: already there; nothing was changed.';

  const members = await networkMembers(db, network.id);
  const chair =
    members.find((m) => m.leadTitle === 'co_chair' && m.kind === 'student') ??
    members.find((m) => m.role === 'lead');
  if (!chair) return '';
  const lead = await actorFor(db, chair.userId);
  const now = new Date();
  const first = new Date(now.getTime() - 365 * DAY);
  const startsOn = `${first.toISOString().slice(0, 7)}-01`;
  const answered = await db
    .select({
      id: concerns.id,
      number: concerns.number,
      title: concerns.title,
      status: concerns.status,
      actionId: concerns.actionId,
      answer: concerns.answer,
      at: concerns.firstAnsweredAt,
    })
    .from(concerns)
    .where(and(eq(concerns.networkId, network.id), isNotNull(concerns.firstAnsweredAt)))
    .orderBy(asc(concerns.firstAnsweredAt));

  const summary = await db.transaction(async (tx) => {
    const [series] = await tx
      .insert(meetingSeries)
      .values({
        networkId: network.id,
        title: SERIES_TITLE,
        rule: { freq: 'monthly', nth: 2, weekday: 3, time: '17:30' },
        durationMinutes: 90,
        timeZone: ZONE,
        place: 'Seminar room 2, Medical School',
        startsOn,
        respectsBlocksFor: [],
        createdBy: lead.userId,
        createdAt: first,
      })
      .returning();
    const { occurrences } = expandMonthly({
      rule: series!.rule,
      zone: ZONE,
      startsOn,
      endsOn: null,
      from: new Date(`${startsOn}T00:00:00Z`),
      months: 13,
      blocks: [],
      respectsBlocksFor: [],
    });
    let held = 0;
    let linked = 0;
    let previous = first;
    for (const [index, occurrence] of occurrences.entries()) {
      const past = occurrence.startsAt < now;
      const createdAt = new Date(Math.min(occurrence.startsAt.getTime() - 21 * DAY, now.getTime()));
      const meeting = await createMeetingRecord(tx, services, lead, {
        networkId: network.id,
        title: SERIES_TITLE,
        startsAt: occurrence.startsAt,
        durationMinutes: 90,
        timeZone: ZONE,
        place: series!.place,
        onlineUrl: null,
        seriesId: series!.id,
        inviteeIds: members.map((m) => m.userId),
        sendInvitations: false,
        buildAgenda: false,
        status: past ? 'held' : 'scheduled',
        now: createdAt,
      });
      // The concerns answered since the last meeting were decided at this one.
      const decided = past
        ? answered.filter((c) => c.at && c.at > previous && c.at <= occurrence.startsAt)
        : [];
      previous = occurrence.startsAt;
      const items = [
        ...STANDING_ITEMS.map((title, i) => ({
          title,
          kind: 'member_item' as const,
          notes: past ? NOTES[i]! : '',
        })),
        ...decided.map((c) => ({
          title: c.title,
          kind: 'concern' as const,
          concernId: c.id,
          notes: past ? `Discussed concern #${c.number}.` : '',
        })),
      ];
      const inserted = await tx
        .insert(agendaItems)
        .values(
          items.map((item, i) => ({
            ...item,
            meetingId: meeting.id,
            position: i + 1,
            addedBy: lead.userId,
            createdAt,
          })),
        )
        .returning({ id: agendaItems.id, concernId: agendaItems.concernId });
      if (!past) {
        await addQueueToAgenda(tx, meeting.id, network.id, now);
        await tx.insert(agendaItems).values({
          meetingId: meeting.id,
          position: 100,
          kind: 'member_item',
          title: CLOSING_ITEM,
          addedBy: lead.userId,
          createdAt,
        });
        continue;
      }
      held++;
      await tx.insert(meetingAttendance).values(
        members.map((m, j) => ({
          meetingId: meeting.id,
          userId: m.userId,
          kind: m.kind,
          present:
            m.role === 'lead'
              ? chance(index, j) < 0.9
              : chance(index, j) < (m.kind === 'student' ? 0.55 : 0.4),
        })),
      );
      for (const c of decided) {
        const kind =
          c.status === 'accepted'
            ? 'concern_accepted'
            : c.status === 'answered'
              ? 'concern_answered'
              : c.status === 'not_taken_forward'
                ? 'concern_not_taken_forward'
                : 'other';
        await tx.insert(meetingDecisions).values({
          meetingId: meeting.id,
          agendaItemId: inserted.find((i) => i.concernId === c.id)?.id ?? null,
          kind,
          concernId: c.id,
          actionId: c.actionId,
          text: `Concern #${c.number}: ${c.answer ?? 'discussed; to be answered.'}`,
          createdBy: lead.userId,
          createdAt: occurrence.startsAt,
        });
        linked++;
      }
      await tx.insert(meetingActionItems).values({
        meetingId: meeting.id,
        title: 'Circulate the minutes and the dates of the next meeting',
        ownerId: lead.userId,
        dueOn: new Date(occurrence.startsAt.getTime() + 7 * DAY).toISOString().slice(0, 10),
        doneAt: new Date(occurrence.startsAt.getTime() + 5 * DAY),
        createdAt: occurrence.startsAt,
      });
      await tx
        .update(meetings)
        .set({
          minutesStatus: 'published',
          minutesPublishedAt: new Date(occurrence.startsAt.getTime() + 3 * DAY),
        })
        .where(eq(meetings.id, meeting.id));
    }

    // Next term: which evening suits most students? An open poll, most members answered.
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1));
    const [y, m] = [nextMonth.getUTCFullYear(), nextMonth.getUTCMonth() + 1];
    const candidates = [
      `${nthWeekdayOfMonth(y, m, 2, 2)}T17:30`,
      `${nthWeekdayOfMonth(y, m, 2, 3)}T17:30`,
      `${nthWeekdayOfMonth(y, m, 2, 4)}T12:30`,
    ];
    const [poll] = await tx
      .insert(polls)
      .values({
        networkId: network.id,
        title: 'Next term’s meeting evening',
        description:
          'Timetables change next term. Which evening can you make? Students’ answers count three times.',
        timeZone: ZONE,
        deadlineAt: new Date(now.getTime() + 14 * DAY),
        weights: { student: 3, staff: 1, alumnus: 1 },
        minStudents: 5,
        forSeries: true,
        createdBy: lead.userId,
        createdAt: new Date(now.getTime() - 3 * DAY),
      })
      .returning();
    const slots = await tx
      .insert(pollSlots)
      .values(
        candidates.map((local) => {
          const at = wallTimeToUtc(local, ZONE);
          if (!at.ok) throw new Error(at.message);
          return { pollId: poll!.id, startsAt: at.at, durationMinutes: 90, place: series!.place };
        }),
      )
      .returning({ id: pollSlots.id });
    await tx.insert(pollRequiredPeople).values({ pollId: poll!.id, userId: chair.userId });
    const answers = members.flatMap((member, j) => {
      if (member.userId !== chair.userId && chance(j, 3) > 0.7) return [];
      return slots.map((slot, s) => {
        const r = chance(j, s + 11);
        // Students prefer Wednesday evening; staff lunchtime on Thursday.
        const likes = member.kind === 'student' ? s === 1 : s === 2;
        const answer = likes
          ? r < 0.8
            ? 'yes'
            : 'if_need_be'
          : r < 0.3
            ? 'yes'
            : r < 0.5
              ? 'if_need_be'
              : 'no';
        return {
          pollId: poll!.id,
          slotId: slot.id,
          userId: member.userId,
          answer: answer as 'yes' | 'if_need_be' | 'no',
          kind: member.kind,
          updatedAt: now,
        };
      });
    });
    if (answers.length > 0) await tx.insert(pollAnswers).values(answers);
    return { held, linked, respondents: new Set(answers.map((a) => a.userId)).size };
  });
  return `Meetings demo loaded: ${summary.held} NorthRACE meetings with published minutes (${summary.linked} decisions on concerns), an open poll answered by ${summary.respondents} members.`;
}
