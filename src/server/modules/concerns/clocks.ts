import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client';
import { concernSettings } from '../../../db/schema';
import {
  type ConcernSettings,
  DEFAULT_ACTION_UPDATE_DAYS,
  DEFAULT_FIRST_ANSWER_DAYS,
} from '../../../shared/concerns/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';

/**
 * Response clocks, per network: a first answer to every concern within `firstAnswerDays`, and an
 * update on every open action at least every `actionUpdateDays`. Times are UTC instants; a day is
 * 24 hours (the clocks are about elapsed time, not calendar days).
 */

export const DAY_MS = 86_400_000;

export async function clocksOf(db: Db | Tx, networkId: string): Promise<ConcernSettings> {
  const [row] = await db
    .select({
      firstAnswerDays: concernSettings.firstAnswerDays,
      actionUpdateDays: concernSettings.actionUpdateDays,
    })
    .from(concernSettings)
    .where(eq(concernSettings.networkId, networkId));
  return row ?? { firstAnswerDays: DEFAULT_FIRST_ANSWER_DAYS, actionUpdateDays: DEFAULT_ACTION_UPDATE_DAYS };
}

export async function saveClocks(
  tx: Tx,
  actor: Actor,
  networkId: string,
  input: ConcernSettings,
): Promise<ConcernSettings> {
  const before = await clocksOf(tx, networkId);
  await tx
    .insert(concernSettings)
    .values({ networkId, ...input, updatedAt: new Date() })
    .onConflictDoUpdate({ target: concernSettings.networkId, set: { ...input, updatedAt: new Date() } });
  await recordAudit(tx, {
    actorUserId: actor.userId,
    action: 'concerns.settings_update',
    subjectType: 'network',
    subjectId: networkId,
    data: { before, after: input },
  });
  return input;
}

export const addDays = (at: Date, days: number) => new Date(at.getTime() + days * DAY_MS);

/** A concern is overdue when it has had no answer by its due time (hidden ones are not counted). */
export function isConcernOverdue(
  concern: { firstAnsweredAt: Date | null; firstAnswerDueAt: Date; hiddenAt: Date | null },
  now: Date,
): boolean {
  return !concern.firstAnsweredAt && !concern.hiddenAt && concern.firstAnswerDueAt.getTime() < now.getTime();
}

/** When an action's next update is due: the clock runs from its last update, or its creation. */
export function updateDueAt(action: { lastUpdateAt: Date | null; createdAt: Date }, days: number): Date {
  return addDays(action.lastUpdateAt ?? action.createdAt, days);
}

export const isOpenAction = (status: string) => status === 'planned' || status === 'in_progress';

/** An open action is stale once its update is overdue. */
export function isActionStale(
  action: { status: string; lastUpdateAt: Date | null; createdAt: Date },
  days: number,
  now: Date,
): boolean {
  return isOpenAction(action.status) && updateDueAt(action, days).getTime() < now.getTime();
}

/** Whole days from `from` to `to` (0 when not yet). */
export function daysBetween(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS));
}
