import { and, asc, desc, eq, gte, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import {
  agendaItems,
  calendarFeeds,
  concerns,
  meetings,
  memberships,
  networks,
  users,
} from '../../../db/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { hashToken, randomToken } from '../../platform/crypto';
import { notFound } from '../../platform/errors';
import type { Services } from '../../platform/services';
import { iso } from './access';
import { buildPublishedCalendar } from './ical';
import { agendaTitleSql, calendarMeetingOf } from './invitations';

/**
 * Personal calendar subscriptions: a secret address per feed (only its hash is stored; the
 * address is shown once), revocable. The feed lists the meetings of every network the person
 * belongs to, from three months ago on, cancelled ones as STATUS:CANCELLED with their SEQUENCE.
 */

const PAST_DAYS = 92;
const FEED_LIMIT = 500;

const presentFeed = (f: typeof calendarFeeds.$inferSelect) => ({
  id: f.id,
  createdAt: f.createdAt.toISOString(),
  revokedAt: iso(f.revokedAt),
});

export const feedUrl = (publicUrl: string, token: string) => `${publicUrl}/api/calendar/${token}.ics`;

export async function createFeed(services: Pick<Services, 'db' | 'config'>, actor: Actor, now = new Date()) {
  const token = randomToken(32);
  const feed = await services.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(calendarFeeds)
      .values({ userId: actor.userId, tokenHash: hashToken(token), createdAt: now })
      .returning();
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.feed_create',
      subjectType: 'calendar_feed',
      subjectId: row!.id,
      data: {},
    });
    return row!;
  });
  return { ...presentFeed(feed), url: feedUrl(services.config.publicUrl, token) };
}

export async function listFeeds(db: Db, actor: Actor) {
  const rows = await db
    .select()
    .from(calendarFeeds)
    .where(eq(calendarFeeds.userId, actor.userId))
    .orderBy(desc(calendarFeeds.createdAt));
  return rows.map(presentFeed);
}

/** Revokes one of the actor's own feeds (someone else's is not found). */
export async function revokeFeed(db: Db, actor: Actor, feedId: string, now = new Date()): Promise<void> {
  const [feed] = await db
    .select()
    .from(calendarFeeds)
    .where(and(eq(calendarFeeds.id, feedId), eq(calendarFeeds.userId, actor.userId)));
  if (!feed) throw notFound('That calendar feed');
  if (feed.revokedAt) return;
  await db.transaction(async (tx) => {
    await tx.update(calendarFeeds).set({ revokedAt: now }).where(eq(calendarFeeds.id, feedId));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'meetings.feed_revoke',
      subjectType: 'calendar_feed',
      subjectId: feedId,
      data: {},
    });
  });
}

/**
 * Revokes every calendar feed of an account, in the caller's transaction: identity calls it when
 * the account signs out everywhere, changes or resets its password, or is disabled, so a feed
 * address copied by someone else stops working then too. Returns how many were revoked.
 */
export async function revokeFeedsOfUser(tx: Db, userId: string, now = new Date()): Promise<number> {
  const revoked = await tx
    .update(calendarFeeds)
    .set({ revokedAt: now })
    .where(and(eq(calendarFeeds.userId, userId), isNull(calendarFeeds.revokedAt)))
    .returning({ id: calendarFeeds.id });
  return revoked.length;
}

/**
 * The feed behind a token, as iCalendar text; null for an unknown or revoked token or a disabled
 * account. Reads only: fetching a feed writes nothing.
 */
export async function feedCalendar(
  services: Pick<Services, 'db' | 'config'>,
  token: string,
  now = new Date(),
): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const { db } = services;
  const [feed] = await db
    .select({ userId: calendarFeeds.userId })
    .from(calendarFeeds)
    .innerJoin(users, eq(users.id, calendarFeeds.userId))
    .where(
      and(
        eq(calendarFeeds.tokenHash, hashToken(token)),
        isNull(calendarFeeds.revokedAt),
        isNull(users.disabledAt),
      ),
    );
  if (!feed) return null;
  const networkRows = await db
    .select({ id: networks.id, name: networks.name })
    .from(memberships)
    .innerJoin(networks, eq(networks.id, memberships.networkId))
    .where(eq(memberships.userId, feed.userId));
  const names = new Map(networkRows.map((n) => [n.id, n.name]));
  if (names.size === 0) return buildPublishedCalendar('Upstander meetings', [], now);
  const rows = await db
    .select()
    .from(meetings)
    .where(
      and(
        inArray(meetings.networkId, [...names.keys()]),
        gte(meetings.startsAt, new Date(now.getTime() - PAST_DAYS * 86_400_000)),
      ),
    )
    .orderBy(asc(meetings.startsAt))
    .limit(FEED_LIMIT);
  const agendas = new Map<string, string[]>();
  if (rows.length > 0) {
    const items = await db
      .select({ meetingId: agendaItems.meetingId, title: agendaTitleSql })
      .from(agendaItems)
      .leftJoin(concerns, eq(concerns.id, agendaItems.concernId))
      .where(
        inArray(
          agendaItems.meetingId,
          rows.map((r) => r.id),
        ),
      )
      .orderBy(asc(agendaItems.position));
    for (const item of items)
      agendas.set(item.meetingId, [...(agendas.get(item.meetingId) ?? []), item.title]);
  }
  return buildPublishedCalendar(
    'Upstander meetings',
    rows.map((m) =>
      calendarMeetingOf(m, services.config.publicUrl, names.get(m.networkId) ?? '', agendas.get(m.id) ?? []),
    ),
    now,
  );
}
