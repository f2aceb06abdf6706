import { and, asc, eq, gte } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { meetingBlocks, meetingSeries, meetings } from '../../../db/schema';
import {
  BlockCreateSchema,
  type MeetingSummary,
  type Series,
  SeriesCreateSchema,
  SeriesGenerateSchema,
} from '../../../shared/meetings/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { notFound } from '../../platform/errors';
import type { Services } from '../../platform/services';
import { assertManages, assertSees, loadNetwork, networkMembers } from './access';
import type { MeetingRow } from './invitations';
import { createMeetingRecord, meetingSummary } from './meetings';
import { describeRule, expandMonthly } from './time';

/** Monthly series ("second Wednesday, 17:30") and the exam and placement blocks they skip. */

type SeriesRow = typeof meetingSeries.$inferSelect;

function presentSeries(s: SeriesRow): Series {
  return {
    id: s.id,
    networkId: s.networkId,
    title: s.title,
    rule: s.rule,
    ruleText: describeRule(s.rule, s.timeZone),
    timeZone: s.timeZone,
    durationMinutes: s.durationMinutes,
    place: s.place,
    onlineUrl: s.onlineUrl,
    startsOn: s.startsOn,
    endsOn: s.endsOn,
    respectsBlocksFor: s.respectsBlocksFor,
  };
}

export async function listSeries(db: Db, actor: Actor | null, networkId: string): Promise<Series[]> {
  assertSees(actor, networkId, 'That network');
  await loadNetwork(db, networkId);
  const rows = await db
    .select()
    .from(meetingSeries)
    .where(eq(meetingSeries.networkId, networkId))
    .orderBy(asc(meetingSeries.startsOn));
  return rows.map(presentSeries);
}

export async function createSeries(
  db: Db,
  actor: Actor | null,
  networkId: string,
  raw: unknown,
  now = new Date(),
): Promise<Series> {
  assertManages(actor, networkId, 'That network');
  const input = SeriesCreateSchema.parse(raw);
  await loadNetwork(db, networkId);
  const row = await db.transaction(async (tx) => {
    const [series] = await tx
      .insert(meetingSeries)
      .values({
        networkId,
        title: input.title,
        rule: {
          freq: 'monthly',
          nth: input.rule.nth,
          weekday: input.rule.weekday as SeriesRow['rule']['weekday'],
          time: input.rule.time,
        },
        durationMinutes: input.durationMinutes,
        timeZone: input.timeZone,
        place: input.place ?? null,
        onlineUrl: input.onlineUrl ?? null,
        startsOn: input.startsOn,
        endsOn: input.endsOn ?? null,
        respectsBlocksFor: [...new Set(input.respectsBlocksFor)].sort(),
        createdBy: actor.userId,
        createdAt: now,
      })
      .returning();
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.series_create',
      subjectType: 'meeting_series',
      subjectId: series!.id,
      data: { networkId, rule: series!.rule, timeZone: series!.timeZone },
    });
    return series!;
  });
  return presentSeries(row);
}

/**
 * Creates the series' meetings for the next `months` months (from today or its start), skipping
 * dates in blocks that apply, and those already made. Every member is invited; no e-mail is sent
 * for months ahead (they are in members' calendar feeds). The first new meeting gets the agenda
 * queue when it is the network's next meeting.
 */
export async function generateSeries(
  services: Pick<Services, 'db' | 'mailer' | 'config'>,
  actor: Actor | null,
  seriesId: string,
  raw: unknown,
  now = new Date(),
): Promise<{ created: MeetingSummary[]; skipped: { date: string; reason: string }[] }> {
  const { db } = services;
  const [series] = await db.select().from(meetingSeries).where(eq(meetingSeries.id, seriesId));
  if (!series) throw notFound('That series');
  assertManages(actor, series.networkId, 'That series');
  const input = SeriesGenerateSchema.parse(raw ?? {});
  const blocks = await db.select().from(meetingBlocks).where(eq(meetingBlocks.networkId, series.networkId));
  const startDay = new Date(`${series.startsOn}T00:00:00Z`);
  const { occurrences, skipped } = expandMonthly({
    rule: series.rule,
    zone: series.timeZone,
    startsOn: series.startsOn,
    endsOn: series.endsOn,
    from: startDay > now ? startDay : now,
    months: input.months,
    blocks,
    respectsBlocksFor: series.respectsBlocksFor,
  });
  const members = await networkMembers(db, series.networkId);
  const created = await db.transaction(async (tx) => {
    const existing = new Set(
      (
        await tx
          .select({ startsAt: meetings.startsAt })
          .from(meetings)
          .where(and(eq(meetings.seriesId, seriesId), gte(meetings.startsAt, now)))
      ).map((m) => m.startsAt.getTime()),
    );
    const [next] = await tx
      .select({ startsAt: meetings.startsAt })
      .from(meetings)
      .where(
        and(
          eq(meetings.networkId, series.networkId),
          eq(meetings.status, 'scheduled'),
          gte(meetings.startsAt, now),
        ),
      )
      .orderBy(asc(meetings.startsAt))
      .limit(1);
    const made: MeetingRow[] = [];
    for (const occurrence of occurrences) {
      if (existing.has(occurrence.startsAt.getTime())) continue;
      const isNext = made.length === 0 && (!next || occurrence.startsAt < next.startsAt);
      made.push(
        await createMeetingRecord(tx, services, actor, {
          networkId: series.networkId,
          title: series.title,
          startsAt: occurrence.startsAt,
          durationMinutes: series.durationMinutes,
          timeZone: series.timeZone,
          place: series.place,
          onlineUrl: series.onlineUrl,
          seriesId,
          inviteeIds: members.map((m) => m.userId),
          sendInvitations: false,
          buildAgenda: isNext,
          now,
        }),
      );
    }
    return made;
  });
  return { created: created.map(meetingSummary), skipped };
}

// ---- blocks ---------------------------------------------------------------------------------------

type BlockRow = typeof meetingBlocks.$inferSelect;
const presentBlock = (b: BlockRow) => ({
  id: b.id,
  networkId: b.networkId,
  kind: b.kind,
  label: b.label,
  yearOfStudy: b.yearOfStudy,
  startsOn: b.startsOn,
  endsOn: b.endsOn,
});

export async function listBlocks(db: Db, actor: Actor | null, networkId: string) {
  assertSees(actor, networkId, 'That network');
  await loadNetwork(db, networkId);
  const rows = await db
    .select()
    .from(meetingBlocks)
    .where(eq(meetingBlocks.networkId, networkId))
    .orderBy(asc(meetingBlocks.startsOn));
  return rows.map(presentBlock);
}

export async function createBlock(
  db: Db,
  actor: Actor | null,
  networkId: string,
  raw: unknown,
  now = new Date(),
) {
  assertManages(actor, networkId, 'That network');
  const input = BlockCreateSchema.parse(raw);
  await loadNetwork(db, networkId);
  const block = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(meetingBlocks)
      .values({ networkId, ...input, yearOfStudy: input.yearOfStudy ?? null, createdAt: now })
      .returning();
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.block_create',
      subjectType: 'meeting_block',
      subjectId: row!.id,
      data: { networkId, kind: row!.kind, startsOn: row!.startsOn, endsOn: row!.endsOn },
    });
    return row!;
  });
  return presentBlock(block);
}

export async function deleteBlock(db: Db, actor: Actor | null, blockId: string): Promise<void> {
  const [block] = await db.select().from(meetingBlocks).where(eq(meetingBlocks.id, blockId));
  if (!block) throw notFound('That block');
  assertManages(actor, block.networkId, 'That block');
  await db.transaction(async (tx) => {
    await tx.delete(meetingBlocks).where(eq(meetingBlocks.id, blockId));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.block_delete',
      subjectType: 'meeting_block',
      subjectId: blockId,
      data: { networkId: block.networkId, label: block.label },
    });
  });
}
