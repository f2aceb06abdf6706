import crypto from 'node:crypto';
import { and, asc, count, desc, eq, gte, lt, max, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../../../db/client';
import {
  actions,
  agendaItems,
  concerns,
  meetingActionItems,
  meetingAttendance,
  meetingDecisions,
  meetingInvitees,
  meetings,
  users,
} from '../../../db/schema';
import {
  type ActionItem,
  ActionItemCreateSchema,
  type AgendaItem,
  AgendaItemAddSchema,
  AgendaReorderSchema,
  type Decision,
  DecisionCreateSchema,
  MeetingCreateSchema,
  type MeetingDetail,
  type MeetingSummary,
  MeetingUpdateSchema,
  MinutesSaveSchema,
} from '../../../shared/meetings/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors';
import { notify } from '../../platform/notifications';
import type { Services } from '../../platform/services';
import { agendaQueue, postActionUpdate, triageConcern } from '../concerns';
import { assertManages, assertSees, iso, loadNetwork, mailOf, meetingLink, networkMembers } from './access';
import { buildPublishedCalendar } from './ical';
import { agendaTitleSql, calendarMeetingOf, type MeetingRow, mailInvitees } from './invitations';
import { mayAddAgendaItem, mayManageMeetings, maySeeMinutes } from './policy';
import { utcToWallTime, wallTimeToUtc } from './time';

/**
 * Meetings: creating one (directly, from a poll, from a series), rescheduling and cancelling
 * (calendar updates with SEQUENCE), the agenda (built from the concerns module's queue, plus
 * members' items), minutes (attendance, notes, decisions that update concerns and actions in the
 * same transaction, action items) and publishing them.
 */

type MeetingServices = Pick<Services, 'db' | 'mailer' | 'config'>;
const MEETING = 'That meeting';

async function loadMeeting(db: Db | Tx, meetingId: string): Promise<MeetingRow> {
  const [meeting] = await db.select().from(meetings).where(eq(meetings.id, meetingId));
  if (!meeting) throw notFound(MEETING);
  return meeting;
}

/** A fresh iCalendar UID: unique for all time, naming this instance's host. */
export function newIcalUid(publicUrl: string): string {
  return `${crypto.randomUUID()}@${new URL(publicUrl).hostname}`;
}

export function meetingSummary(m: MeetingRow): MeetingSummary {
  return {
    id: m.id,
    networkId: m.networkId,
    title: m.title,
    startsAt: m.startsAt.toISOString(),
    startsLocal: utcToWallTime(m.startsAt, m.timeZone),
    endsLocal: utcToWallTime(new Date(m.startsAt.getTime() + m.durationMinutes * 60_000), m.timeZone),
    timeZone: m.timeZone,
    durationMinutes: m.durationMinutes,
    place: m.place,
    onlineUrl: m.onlineUrl,
    status: m.status,
    minutesStatus: m.minutesStatus,
    seriesId: m.seriesId,
  };
}

/** Adds the concerns module's queue (concerns awaiting triage, actions with updates due) to an agenda. */
export async function addQueueToAgenda(
  tx: Tx,
  meetingId: string,
  networkId: string,
  now: Date,
): Promise<number> {
  const queue = await agendaQueue(tx, networkId, now);
  const [last] = await tx
    .select({ position: max(agendaItems.position) })
    .from(agendaItems)
    .where(eq(agendaItems.meetingId, meetingId));
  let position = (last?.position ?? 0) + 1;
  const rows = [
    ...queue.concerns.map((c) => ({
      meetingId,
      kind: 'concern' as const,
      concernId: c.id,
      title: c.title,
      position: position++,
    })),
    ...queue.actionsDue.map((a) => ({
      meetingId,
      kind: 'action' as const,
      actionId: a.id,
      title: a.title,
      position: position++,
    })),
  ];
  if (rows.length > 0) await tx.insert(agendaItems).values(rows.map((r) => ({ ...r, createdAt: now })));
  return rows.length;
}

/**
 * Writes a meeting, its invitees, optionally its agenda from the queue and the invitations (e-mail
 * with an iCalendar file, and in the app). In the caller's transaction.
 */
export async function createMeetingRecord(
  tx: Tx,
  services: Pick<Services, 'mailer' | 'config'>,
  actor: Actor | null,
  input: {
    networkId: string;
    title: string;
    startsAt: Date;
    durationMinutes: number;
    timeZone: string;
    place: string | null;
    onlineUrl: string | null;
    pollId?: string | null;
    seriesId?: string | null;
    inviteeIds: string[];
    sendInvitations: boolean;
    buildAgenda: boolean;
    now: Date;
    status?: MeetingRow['status'];
  },
): Promise<MeetingRow> {
  const [meeting] = await tx
    .insert(meetings)
    .values({
      networkId: input.networkId,
      seriesId: input.seriesId ?? null,
      pollId: input.pollId ?? null,
      title: input.title,
      startsAt: input.startsAt,
      durationMinutes: input.durationMinutes,
      timeZone: input.timeZone,
      place: input.place,
      onlineUrl: input.onlineUrl,
      status: input.status ?? 'scheduled',
      icalUid: newIcalUid(services.config.publicUrl),
      createdBy: actor?.userId ?? null,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .returning();
  const inviteeIds = [...new Set(input.inviteeIds)];
  if (inviteeIds.length > 0) {
    await tx
      .insert(meetingInvitees)
      .values(inviteeIds.map((userId) => ({ meetingId: meeting!.id, userId, invitedAt: input.now })));
  }
  if (input.buildAgenda) await addQueueToAgenda(tx, meeting!.id, input.networkId, input.now);
  await recordAudit(tx, {
    actorUserId: actor?.userId ?? null,
    action: 'meetings.create',
    subjectType: 'meeting',
    subjectId: meeting!.id,
    data: {
      networkId: input.networkId,
      pollId: input.pollId ?? null,
      seriesId: input.seriesId ?? null,
      invited: inviteeIds.length,
    },
  });
  if (input.sendInvitations && inviteeIds.length > 0) {
    const network = await loadNetwork(tx, input.networkId);
    await mailInvitees(tx, services, meeting!, network.name, 'invitation', input.now);
    await notify(tx, {
      userIds: inviteeIds,
      networkId: input.networkId,
      kind: 'meeting.invited',
      subject: `Invitation: ${meeting!.title}`,
      link: meetingLink(meeting!.id),
      at: input.now,
    });
  }
  return meeting!;
}

/** A single meeting made directly by a lead: every member is invited. */
export async function createMeeting(
  services: MeetingServices,
  actor: Actor | null,
  networkId: string,
  raw: unknown,
  now = new Date(),
): Promise<MeetingDetail> {
  assertManages(actor, networkId, 'That network');
  const input = MeetingCreateSchema.parse(raw);
  const startsAt = futureWallTime(input.startsLocal, input.timeZone, now);
  const members = await networkMembers(services.db, networkId);
  const meeting = await services.db.transaction((tx) =>
    createMeetingRecord(tx, services, actor, {
      networkId,
      title: input.title,
      startsAt,
      durationMinutes: input.durationMinutes,
      timeZone: input.timeZone,
      place: input.place ?? null,
      onlineUrl: input.onlineUrl ?? null,
      inviteeIds: members.map((m) => m.userId),
      sendInvitations: true,
      buildAgenda: true,
      now,
    }),
  );
  return meetingDetail(services.db, actor, meeting.id);
}

function futureWallTime(local: string, zone: string, now: Date, path = 'startsLocal'): Date {
  const result = wallTimeToUtc(local, zone);
  if (!result.ok) throw invalid(result.message, [{ path, message: result.message }]);
  if (result.at <= now) {
    const message = `${local.replace('T', ' ')} has already passed.`;
    throw invalid(message, [{ path, message }]);
  }
  return result.at;
}

/** A network's meetings: upcoming (soonest first) and past (latest first), 100 of each at most. */
export async function listMeetings(db: Db, actor: Actor | null, networkId: string, now = new Date()) {
  assertSees(actor, networkId, 'That network');
  const endsAt = sql`${meetings.startsAt} + make_interval(mins => ${meetings.durationMinutes})`;
  const [upcoming, past] = await Promise.all([
    db
      .select()
      .from(meetings)
      .where(and(eq(meetings.networkId, networkId), gte(endsAt, now)))
      .orderBy(asc(meetings.startsAt))
      .limit(100),
    db
      .select()
      .from(meetings)
      .where(and(eq(meetings.networkId, networkId), lt(endsAt, now)))
      .orderBy(desc(meetings.startsAt))
      .limit(100),
  ]);
  return {
    upcoming: upcoming.map(meetingSummary),
    past: past.map(meetingSummary),
    canManage: mayManageMeetings(actor, networkId),
  };
}

const addedBy = alias(users, 'added_by');

/** A meeting with its agenda, and its minutes when the viewer may see them. */
export async function meetingDetail(
  db: Db | Tx,
  actor: Actor | null,
  meetingId: string,
): Promise<MeetingDetail> {
  const meeting = await loadMeeting(db, meetingId);
  assertSees(actor, meeting.networkId, MEETING);
  const minutesVisible = maySeeMinutes(actor, meeting.networkId, meeting.minutesStatus);
  const [network, agenda, invited] = await Promise.all([
    loadNetwork(db, meeting.networkId),
    agendaOf(db, meetingId, minutesVisible),
    db.select({ n: count() }).from(meetingInvitees).where(eq(meetingInvitees.meetingId, meetingId)),
  ]);
  return {
    ...meetingSummary(meeting),
    networkName: network.name,
    pollId: meeting.pollId,
    sequence: meeting.sequence,
    canManage: mayManageMeetings(actor, meeting.networkId),
    canAddAgendaItem: mayAddAgendaItem(actor, meeting.networkId, meeting.status, false),
    invitedCount: invited[0]?.n ?? 0,
    agenda,
    minutes: minutesVisible ? await minutesOf(db, meeting) : null,
  };
}

async function agendaOf(db: Db | Tx, meetingId: string, withNotes: boolean): Promise<AgendaItem[]> {
  const rows = await db
    .select({
      item: agendaItems,
      title: agendaTitleSql,
      concernNumber: concerns.number,
      actionNumber: actions.number,
      addedByName: addedBy.name,
    })
    .from(agendaItems)
    .leftJoin(concerns, eq(concerns.id, agendaItems.concernId))
    .leftJoin(actions, eq(actions.id, agendaItems.actionId))
    .leftJoin(addedBy, eq(addedBy.id, agendaItems.addedBy))
    .where(eq(agendaItems.meetingId, meetingId))
    .orderBy(asc(agendaItems.position), asc(agendaItems.createdAt));
  return rows.map(({ item, title, concernNumber, actionNumber, addedByName }) => ({
    id: item.id,
    position: item.position,
    kind: item.kind,
    concernId: item.concernId,
    concernNumber,
    actionId: item.actionId,
    actionNumber,
    title,
    notes: withNotes ? item.notes : null,
    addedByName,
  }));
}

async function minutesOf(db: Db | Tx, meeting: MeetingRow): Promise<NonNullable<MeetingDetail['minutes']>> {
  const [attendance, decisions, items] = await Promise.all([
    db
      .select({
        userId: meetingAttendance.userId,
        name: users.name,
        kind: meetingAttendance.kind,
        present: meetingAttendance.present,
      })
      .from(meetingAttendance)
      .innerJoin(users, eq(users.id, meetingAttendance.userId))
      .where(eq(meetingAttendance.meetingId, meeting.id))
      .orderBy(asc(users.name)),
    decisionsOf(db, meeting.id),
    actionItemsOf(db, meeting.id),
  ]);
  return {
    status: meeting.minutesStatus,
    publishedAt: iso(meeting.minutesPublishedAt),
    attendance,
    decisions,
    actionItems: items,
  };
}

async function decisionsOf(db: Db | Tx, meetingId: string, only?: string): Promise<Decision[]> {
  const rows = await db
    .select({ d: meetingDecisions, concernNumber: concerns.number, actionNumber: actions.number })
    .from(meetingDecisions)
    .leftJoin(concerns, eq(concerns.id, meetingDecisions.concernId))
    .leftJoin(actions, eq(actions.id, meetingDecisions.actionId))
    .where(and(eq(meetingDecisions.meetingId, meetingId), only ? eq(meetingDecisions.id, only) : undefined))
    .orderBy(asc(meetingDecisions.createdAt), asc(meetingDecisions.id));
  return rows.map(({ d, concernNumber, actionNumber }) => ({
    id: d.id,
    kind: d.kind,
    agendaItemId: d.agendaItemId,
    concernId: d.concernId,
    concernNumber,
    actionId: d.actionId,
    actionNumber,
    text: d.text,
    createdAt: d.createdAt.toISOString(),
  }));
}

async function actionItemsOf(db: Db | Tx, meetingId: string, only?: string): Promise<ActionItem[]> {
  const rows = await db
    .select({ a: meetingActionItems, ownerName: users.name })
    .from(meetingActionItems)
    .leftJoin(users, eq(users.id, meetingActionItems.ownerId))
    .where(
      and(eq(meetingActionItems.meetingId, meetingId), only ? eq(meetingActionItems.id, only) : undefined),
    )
    .orderBy(asc(meetingActionItems.dueOn), asc(meetingActionItems.createdAt));
  return rows.map(({ a, ownerName }) => ({
    id: a.id,
    title: a.title,
    ownerId: a.ownerId,
    ownerName,
    dueOn: a.dueOn,
    actionId: a.actionId,
    doneAt: iso(a.doneAt),
  }));
}

/** Reschedules or relocates (leads): SEQUENCE + 1 and an update to every invitee. */
export async function updateMeeting(
  services: MeetingServices,
  actor: Actor | null,
  meetingId: string,
  raw: unknown,
  now = new Date(),
): Promise<MeetingDetail> {
  const meeting = await loadMeeting(services.db, meetingId);
  assertManages(actor, meeting.networkId, MEETING);
  const input = MeetingUpdateSchema.parse(raw);
  if (meeting.status !== 'scheduled')
    throw conflict(`This meeting is ${meeting.status}: it can no longer be changed.`);
  const timeZone = input.timeZone ?? meeting.timeZone;
  let startsAt = meeting.startsAt;
  if (input.startsLocal !== undefined || input.timeZone !== undefined) {
    const local = input.startsLocal ?? utcToWallTime(meeting.startsAt, meeting.timeZone);
    startsAt = futureWallTime(local, timeZone, now);
  }
  const network = await loadNetwork(services.db, meeting.networkId);
  await services.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(meetings)
      .set({
        title: input.title ?? meeting.title,
        startsAt,
        timeZone,
        durationMinutes: input.durationMinutes ?? meeting.durationMinutes,
        place: input.place === undefined ? meeting.place : input.place,
        onlineUrl: input.onlineUrl === undefined ? meeting.onlineUrl : input.onlineUrl,
        sequence: sql`${meetings.sequence} + 1`,
        updatedAt: now,
      })
      .where(eq(meetings.id, meetingId))
      .returning();
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.update',
      subjectType: 'meeting',
      subjectId: meetingId,
      data: { sequence: updated!.sequence, startsAt: startsAt.toISOString(), changed: Object.keys(input) },
    });
    await mailInvitees(tx, services, updated!, network.name, 'update', now);
  });
  return meetingDetail(services.db, actor, meetingId);
}

/** Cancels (leads): STATUS:CANCELLED, SEQUENCE + 1, METHOD:CANCEL to every invitee. */
export async function cancelMeeting(
  services: MeetingServices,
  actor: Actor | null,
  meetingId: string,
  now = new Date(),
): Promise<MeetingDetail> {
  const meeting = await loadMeeting(services.db, meetingId);
  assertManages(actor, meeting.networkId, MEETING);
  if (meeting.status !== 'scheduled') throw conflict(`This meeting is already ${meeting.status}.`);
  const network = await loadNetwork(services.db, meeting.networkId);
  await services.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(meetings)
      .set({ status: 'cancelled', sequence: sql`${meetings.sequence} + 1`, updatedAt: now })
      .where(and(eq(meetings.id, meetingId), eq(meetings.status, 'scheduled')))
      .returning();
    if (!updated) throw conflict('This meeting was changed a moment ago. Reload and try again.');
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.cancel',
      subjectType: 'meeting',
      subjectId: meetingId,
      data: { sequence: updated.sequence },
    });
    await mailInvitees(tx, services, updated, network.name, 'cancellation', now);
    const invitees = await tx
      .select({ userId: meetingInvitees.userId })
      .from(meetingInvitees)
      .where(eq(meetingInvitees.meetingId, meetingId));
    await notify(tx, {
      userIds: invitees.map((i) => i.userId),
      networkId: meeting.networkId,
      kind: 'meeting.cancelled',
      subject: `Cancelled: ${meeting.title}`,
      link: meetingLink(meetingId),
      at: now,
    });
  });
  return meetingDetail(services.db, actor, meetingId);
}

// ---- agenda ---------------------------------------------------------------------------------------

async function assertRecordInNetwork(
  db: Db | Tx,
  table: typeof concerns | typeof actions,
  id: string,
  networkId: string,
  path: string,
  what: string,
) {
  const [row] = await db
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.id, id), eq(table.networkId, networkId)));
  if (!row)
    throw invalid(`Choose ${what} of this network.`, [{ path, message: `Choose ${what} of this network.` }]);
}

/** Adds an agenda item: a member's own item, or (leads) one about a concern or an action. */
export async function addAgendaItem(
  db: Db,
  actor: Actor | null,
  meetingId: string,
  raw: unknown,
  now = new Date(),
): Promise<AgendaItem> {
  const meeting = await loadMeeting(db, meetingId);
  assertSees(actor, meeting.networkId, MEETING);
  const input = AgendaItemAddSchema.parse(raw);
  const linksRecord = !!(input.concernId || input.actionId);
  if (!mayAddAgendaItem(actor, meeting.networkId, meeting.status, linksRecord)) {
    if (meeting.status !== 'scheduled')
      throw conflict(`This meeting is ${meeting.status}: its agenda is closed.`);
    throw forbidden(
      linksRecord
        ? 'Only the network’s leads put concerns and actions on the agenda.'
        : 'Only members of the network add to its agenda.',
    );
  }
  if (input.concernId && input.actionId) {
    throw invalid('An item is about a concern or an action, not both.', [
      { path: 'actionId', message: 'An item is about a concern or an action, not both.' },
    ]);
  }
  if (input.concernId)
    await assertRecordInNetwork(db, concerns, input.concernId, meeting.networkId, 'concernId', 'a concern');
  if (input.actionId)
    await assertRecordInNetwork(db, actions, input.actionId, meeting.networkId, 'actionId', 'an action');
  const itemId = await db.transaction(async (tx) => {
    const [count] = await tx
      .select({ n: sql<number>`count(*)::int`, last: max(agendaItems.position) })
      .from(agendaItems)
      .where(eq(agendaItems.meetingId, meetingId));
    if ((count?.n ?? 0) >= 100) throw conflict('This agenda is full (100 items).');
    const [item] = await tx
      .insert(agendaItems)
      .values({
        meetingId,
        position: (count?.last ?? 0) + 1,
        kind: input.concernId ? 'concern' : input.actionId ? 'action' : 'member_item',
        concernId: input.concernId ?? null,
        actionId: input.actionId ?? null,
        title: input.title,
        addedBy: actor.userId,
        createdAt: now,
      })
      .returning({ id: agendaItems.id });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.agenda_add',
      subjectType: 'meeting',
      subjectId: meetingId,
      data: { itemId: item!.id },
    });
    return item!.id;
  });
  const items = await agendaOf(db, meetingId, maySeeMinutes(actor, meeting.networkId, meeting.minutesStatus));
  return items.find((i) => i.id === itemId)!;
}

/** Reorders the agenda (leads): the request names every item once, in the new order. */
export async function reorderAgenda(
  db: Db,
  actor: Actor | null,
  meetingId: string,
  raw: unknown,
): Promise<AgendaItem[]> {
  const meeting = await loadMeeting(db, meetingId);
  assertManages(actor, meeting.networkId, MEETING);
  const input = AgendaReorderSchema.parse(raw);
  const existing = await db
    .select({ id: agendaItems.id })
    .from(agendaItems)
    .where(eq(agendaItems.meetingId, meetingId));
  const ids = new Set(existing.map((e) => e.id));
  const given = new Set(input.itemIds);
  if (
    given.size !== input.itemIds.length ||
    given.size !== ids.size ||
    input.itemIds.some((id) => !ids.has(id))
  ) {
    throw invalid('Give every item of this agenda exactly once.', [
      { path: 'itemIds', message: 'Give every item of this agenda exactly once.' },
    ]);
  }
  await db.transaction(async (tx) => {
    for (const [i, id] of input.itemIds.entries()) {
      await tx
        .update(agendaItems)
        .set({ position: i + 1 })
        .where(eq(agendaItems.id, id));
    }
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.agenda_reorder',
      subjectType: 'meeting',
      subjectId: meetingId,
      data: {},
    });
  });
  return agendaOf(db, meetingId, true);
}

// ---- minutes --------------------------------------------------------------------------------------

async function assertMinutesOpen(meeting: MeetingRow) {
  if (meeting.status === 'cancelled') throw conflict('This meeting was cancelled: it has no minutes.');
}

/** The meeting is held once minutes are recorded after it started; minutes start as a draft. */
async function markMinutesStarted(tx: Tx, meeting: MeetingRow, now: Date) {
  await tx
    .update(meetings)
    .set({
      minutesStatus: meeting.minutesStatus === 'published' ? 'published' : 'draft',
      status: meeting.startsAt <= now ? 'held' : meeting.status,
      updatedAt: now,
    })
    .where(eq(meetings.id, meeting.id));
}

/** Saves attendance (with each person's membership kind now) and notes per agenda item (leads). */
export async function saveMinutes(
  db: Db,
  actor: Actor | null,
  meetingId: string,
  raw: unknown,
  now = new Date(),
): Promise<MeetingDetail> {
  const meeting = await loadMeeting(db, meetingId);
  assertManages(actor, meeting.networkId, MEETING);
  const input = MinutesSaveSchema.parse(raw);
  await assertMinutesOpen(meeting);
  const members = new Map((await networkMembers(db, meeting.networkId)).map((m) => [m.userId, m]));
  const items = new Set(
    (
      await db.select({ id: agendaItems.id }).from(agendaItems).where(eq(agendaItems.meetingId, meetingId))
    ).map((i) => i.id),
  );
  const problems: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  input.attendance.forEach((a, i) => {
    if (!members.has(a.userId))
      problems.push({ path: `attendance.${i}.userId`, message: 'Choose a member of the network.' });
    else if (seen.has(a.userId))
      problems.push({ path: `attendance.${i}.userId`, message: 'This person is listed twice.' });
    seen.add(a.userId);
  });
  input.notes.forEach((n, i) => {
    if (!items.has(n.agendaItemId)) {
      problems.push({ path: `notes.${i}.agendaItemId`, message: 'That item is not on this agenda.' });
    }
  });
  if (problems.length > 0) throw invalid(problems[0]!.message, problems);
  await db.transaction(async (tx) => {
    await tx.delete(meetingAttendance).where(eq(meetingAttendance.meetingId, meetingId));
    if (input.attendance.length > 0) {
      await tx.insert(meetingAttendance).values(
        input.attendance.map((a) => ({
          meetingId,
          userId: a.userId,
          kind: members.get(a.userId)!.kind,
          present: a.present,
        })),
      );
    }
    for (const n of input.notes) {
      await tx.update(agendaItems).set({ notes: n.notes }).where(eq(agendaItems.id, n.agendaItemId));
    }
    await markMinutesStarted(tx, meeting, now);
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.minutes_save',
      subjectType: 'meeting',
      subjectId: meetingId,
      data: { attendance: input.attendance.length, notes: input.notes.length },
    });
  });
  return meetingDetail(db, actor, meetingId);
}

/**
 * Records a decision (leads). Decisions about concerns go through the concerns module's triage,
 * action updates through its update function, in the same transaction as the decision's row:
 * if either fails, neither is written.
 */
export async function recordDecision(
  services: MeetingServices,
  actor: Actor | null,
  meetingId: string,
  raw: unknown,
  now = new Date(),
): Promise<Decision> {
  const meeting = await loadMeeting(services.db, meetingId);
  assertManages(actor, meeting.networkId, MEETING);
  const input = DecisionCreateSchema.parse(raw);
  await assertMinutesOpen(meeting);
  if (input.agendaItemId) {
    const [item] = await services.db
      .select({ id: agendaItems.id })
      .from(agendaItems)
      .where(and(eq(agendaItems.id, input.agendaItemId), eq(agendaItems.meetingId, meetingId)));
    if (!item) {
      throw invalid('That item is not on this agenda.', [
        { path: 'agendaItemId', message: 'That item is not on this agenda.' },
      ]);
    }
  }
  if ('concernId' in input) {
    await assertRecordInNetwork(
      services.db,
      concerns,
      input.concernId,
      meeting.networkId,
      'concernId',
      'a concern',
    );
  }
  if (input.kind === 'action_update') {
    await assertRecordInNetwork(
      services.db,
      actions,
      input.actionId,
      meeting.networkId,
      'actionId',
      'an action',
    );
  }
  const context = { meetingId, now, mail: mailOf(services) };
  const decisionId = await services.db.transaction(async (tx) => {
    let concernId: string | null = null;
    let actionId: string | null = null;
    let text = input.text ?? '';
    if (
      input.kind === 'concern_accepted' ||
      input.kind === 'concern_answered' ||
      input.kind === 'concern_not_taken_forward'
    ) {
      const status =
        input.kind === 'concern_accepted'
          ? 'accepted'
          : input.kind === 'concern_answered'
            ? 'answered'
            : 'not_taken_forward';
      const result = await triageConcern(
        tx,
        actor,
        input.concernId,
        {
          status,
          answer: input.answer,
          ...(input.kind === 'concern_not_taken_forward' ? { reason: input.reason } : {}),
          ...(input.kind === 'concern_accepted' && input.existingActionId
            ? { existingActionId: input.existingActionId }
            : {}),
          ...(input.kind === 'concern_accepted' && input.newAction ? { newAction: input.newAction } : {}),
        },
        context,
      );
      concernId = result.concernId;
      actionId = result.actionId;
      const [numbers] = await tx
        .select({ concern: concerns.number, action: actions.number })
        .from(concerns)
        .leftJoin(actions, eq(actions.id, concerns.actionId))
        .where(eq(concerns.id, concernId));
      if (!text) {
        text =
          input.kind === 'concern_accepted'
            ? `Concern #${numbers?.concern} accepted as action A-${numbers?.action}. ${input.answer}`
            : input.kind === 'concern_answered'
              ? `Concern #${numbers?.concern} answered. ${input.answer}`
              : `Concern #${numbers?.concern} not taken forward. ${input.answer}`;
      }
    } else if (input.kind === 'action_update') {
      const update = await postActionUpdate(tx, actor, input.actionId, input.update, context);
      actionId = update.actionId;
      if (!text) {
        const [action] = await tx
          .select({ number: actions.number })
          .from(actions)
          .where(eq(actions.id, actionId));
        text = `Update on action A-${action?.number}: ${input.update.body}`;
      }
    }
    const [decision] = await tx
      .insert(meetingDecisions)
      .values({
        meetingId,
        agendaItemId: input.agendaItemId ?? null,
        kind: input.kind,
        concernId,
        actionId,
        text,
        createdBy: actor.userId,
        createdAt: now,
      })
      .returning({ id: meetingDecisions.id });
    await markMinutesStarted(tx, meeting, now);
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.decision',
      subjectType: 'meeting',
      subjectId: meetingId,
      data: { decisionId: decision!.id, kind: input.kind, concernId, actionId },
    });
    return decision!.id;
  });
  const [decision] = await decisionsOf(services.db, meetingId, decisionId);
  return decision!;
}

/** Adds an action item with an owner (a member of the network) and a due date (leads). */
export async function addActionItem(
  db: Db,
  actor: Actor | null,
  meetingId: string,
  raw: unknown,
  now = new Date(),
): Promise<ActionItem> {
  const meeting = await loadMeeting(db, meetingId);
  assertManages(actor, meeting.networkId, MEETING);
  const input = ActionItemCreateSchema.parse(raw);
  await assertMinutesOpen(meeting);
  const members = await networkMembers(db, meeting.networkId);
  if (!members.some((m) => m.userId === input.ownerId)) {
    throw invalid('Choose a member of the network.', [
      { path: 'ownerId', message: 'Choose a member of the network.' },
    ]);
  }
  if (input.actionId)
    await assertRecordInNetwork(db, actions, input.actionId, meeting.networkId, 'actionId', 'an action');
  const id = await db.transaction(async (tx) => {
    const [item] = await tx
      .insert(meetingActionItems)
      .values({
        meetingId,
        title: input.title,
        ownerId: input.ownerId,
        dueOn: input.dueOn,
        actionId: input.actionId ?? null,
        createdAt: now,
      })
      .returning({ id: meetingActionItems.id });
    await markMinutesStarted(tx, meeting, now);
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.action_item',
      subjectType: 'meeting',
      subjectId: meetingId,
      data: { itemId: item!.id, ownerId: input.ownerId },
    });
    return item!.id;
  });
  const [item] = await actionItemsOf(db, meetingId, id);
  return item!;
}

/** Publishes the minutes to the network's members (leads), and tells them. */
export async function publishMinutes(
  services: MeetingServices,
  actor: Actor | null,
  meetingId: string,
  now = new Date(),
): Promise<MeetingDetail> {
  const meeting = await loadMeeting(services.db, meetingId);
  assertManages(actor, meeting.networkId, MEETING);
  await assertMinutesOpen(meeting);
  if (meeting.minutesStatus === 'none') throw conflict('Record the minutes before publishing them.');
  if (meeting.minutesStatus === 'published') throw conflict('These minutes are already published.');
  const members = await networkMembers(services.db, meeting.networkId);
  await services.db.transaction(async (tx) => {
    await tx
      .update(meetings)
      .set({
        minutesStatus: 'published',
        minutesPublishedAt: now,
        status: meeting.startsAt <= now ? 'held' : meeting.status,
        updatedAt: now,
      })
      .where(eq(meetings.id, meetingId));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.minutes_publish',
      subjectType: 'meeting',
      subjectId: meetingId,
      data: {},
    });
    await notify(tx, {
      userIds: members.map((m) => m.userId).filter((id) => id !== actor.userId),
      networkId: meeting.networkId,
      kind: 'meeting.minutes',
      subject: `Minutes published: ${meeting.title}`,
      link: meetingLink(meetingId),
      email: {
        subject: `Minutes: ${meeting.title}`,
        text: `The minutes of “${meeting.title}” are published:`,
      },
      mail: mailOf(services),
      at: now,
    });
  });
  return meetingDetail(services.db, actor, meetingId);
}

/** One meeting as an .ics file to download (members). */
export async function meetingIcs(
  services: Pick<Services, 'db' | 'config'>,
  actor: Actor | null,
  meetingId: string,
  now = new Date(),
): Promise<string> {
  const meeting = await loadMeeting(services.db, meetingId);
  assertSees(actor, meeting.networkId, MEETING);
  const network = await loadNetwork(services.db, meeting.networkId);
  const agenda = (await agendaOf(services.db, meetingId, false)).map((a) => a.title);
  return buildPublishedCalendar(
    network.name,
    [calendarMeetingOf(meeting, services.config.publicUrl, network.name, agenda)],
    now,
  );
}
