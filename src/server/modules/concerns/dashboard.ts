import { and, asc, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { type Db, queryRows, type Tx } from '../../../db/client';
import { actions, concerns } from '../../../db/schema';
import type { Dashboard } from '../../../shared/concerns/schema';
import type { Actor } from '../../platform/actor';
import {
  MIN_CASES_FOR_AVERAGE,
  primaryMark,
  publishCell,
  publishMedian,
  SUPPRESSED,
} from '../../platform/disclosure';
import { addDays, clocksOf, DAY_MS, daysBetween, updateDueAt } from './clocks';
import { assertManagesNetwork, loadNetwork } from './concerns';

/**
 * The co-chairs' dashboard: concerns raised per month, median days to a first answer, the share
 * answered within the clock, actions completed per year, and the lists of overdue concerns and
 * stale actions. Counts of concerns describe the people who raised them, so they are published
 * the way speak-up's statistics are (HESA rounding to 5, "fewer than 5" for 1–4); medians and
 * shares resting on 7 or fewer concerns are suppressed. Months are UK calendar months.
 */

export const DASHBOARD_METHOD =
  'Counts of concerns are rounded to the nearest 5 (HESA rounding); 1 to 4 shows as “fewer than 5”. ' +
  'Medians and shares based on 7 or fewer concerns are not shown (“..”). The share answered within ' +
  'the clock counts the concerns answered in time among those answered or past their due date. Months are UK months.';

const UK = 'Europe/London';

/** One month's measures, from its concerns. Pure: exported for tests. */
export function monthMeasures(
  rows: readonly { createdAt: Date; firstAnsweredAt: Date | null; firstAnswerDueAt: Date }[],
  now: Date,
) {
  const raised = publishCell(rows.length, primaryMark(rows.length));
  const answeredDays = rows
    .filter((r) => r.firstAnsweredAt)
    .map((r) => (r.firstAnsweredAt!.getTime() - r.createdAt.getTime()) / DAY_MS);
  const median = publishMedian(answeredDays);
  const base = rows.filter((r) => r.firstAnsweredAt || r.firstAnswerDueAt.getTime() < now.getTime());
  const inTime = base.filter(
    (r) => r.firstAnsweredAt && r.firstAnsweredAt.getTime() <= r.firstAnswerDueAt.getTime(),
  );
  const share =
    base.length < MIN_CASES_FOR_AVERAGE
      ? { value: null, display: SUPPRESSED, suppressed: true }
      : (() => {
          const value = Math.round((100 * inTime.length) / base.length);
          return { value, display: `${value}%`, suppressed: false };
        })();
  return { raised, medianDaysToFirstAnswer: median, answeredWithinClock: share };
}

export async function concernsDashboard(
  db: Db | Tx,
  actor: Actor | null,
  networkId: string,
  monthsBack: number,
  now = new Date(),
): Promise<Dashboard> {
  await loadNetwork(db, networkId);
  assertManagesNetwork(actor, networkId);
  const clocks = await clocksOf(db, networkId);
  const thisMonth = DateTime.fromJSDate(now, { zone: UK }).startOf('month');
  const first = thisMonth.minus({ months: monthsBack - 1 });
  // The UK month of each concern is worked out by the database: a date library per row costs
  // more than the query at a network's scale.
  const raised = await db
    .select({
      month: sql<string>`to_char(${concerns.createdAt} at time zone 'Europe/London', 'YYYY-MM')`,
      createdAt: concerns.createdAt,
      firstAnsweredAt: concerns.firstAnsweredAt,
      firstAnswerDueAt: concerns.firstAnswerDueAt,
    })
    .from(concerns)
    .where(and(eq(concerns.networkId, networkId), gte(concerns.createdAt, first.toJSDate())));
  const byMonth = new Map<string, typeof raised>();
  for (const row of raised) {
    const bucket = byMonth.get(row.month);
    if (bucket) bucket.push(row);
    else byMonth.set(row.month, [row]);
  }
  const months = Array.from({ length: monthsBack }, (_, i) =>
    first.plus({ months: i }).toFormat('yyyy-MM'),
  ).map((month) => ({ month, ...monthMeasures(byMonth.get(month) ?? [], now) }));

  const completed = await queryRows<{ year: number; completed: number }>(
    db as Db,
    sql`select extract(year from (${actions.completedAt} at time zone 'Europe/London'))::int as year,
               count(*)::int as completed
          from ${actions}
         where ${actions.networkId} = ${networkId} and ${actions.status} = 'completed' and ${actions.completedAt} is not null
         group by 1 order by 1`,
  );

  const overdue = await db
    .select({
      id: concerns.id,
      number: concerns.number,
      title: concerns.title,
      status: concerns.status,
      firstAnswerDueAt: concerns.firstAnswerDueAt,
    })
    .from(concerns)
    .where(
      and(
        eq(concerns.networkId, networkId),
        isNull(concerns.firstAnsweredAt),
        isNull(concerns.hiddenAt),
        lt(concerns.firstAnswerDueAt, now),
      ),
    )
    .orderBy(asc(concerns.firstAnswerDueAt))
    .limit(100);

  const stale = await db
    .select({
      id: actions.id,
      number: actions.number,
      title: actions.title,
      status: actions.status,
      lastUpdateAt: actions.lastUpdateAt,
      createdAt: actions.createdAt,
    })
    .from(actions)
    .where(
      and(
        eq(actions.networkId, networkId),
        inArray(actions.status, ['planned', 'in_progress']),
        lt(
          sql`coalesce(${actions.lastUpdateAt}, ${actions.createdAt})`,
          addDays(now, -clocks.actionUpdateDays),
        ),
      ),
    )
    .orderBy(asc(sql`coalesce(${actions.lastUpdateAt}, ${actions.createdAt})`))
    .limit(100);

  return {
    networkId,
    clocks,
    months,
    actionsCompletedPerYear: completed,
    overdueConcerns: overdue.map((c) => ({
      id: c.id,
      number: c.number,
      title: c.title,
      status: c.status,
      firstAnswerDueAt: c.firstAnswerDueAt.toISOString(),
      daysOverdue: daysBetween(c.firstAnswerDueAt, now),
    })),
    staleActions: stale.map((a) => {
      const due = updateDueAt(a, clocks.actionUpdateDays);
      return {
        id: a.id,
        number: a.number,
        title: a.title,
        status: a.status,
        lastUpdateAt: a.lastUpdateAt?.toISOString() ?? null,
        updateDueAt: due.toISOString(),
        daysStale: daysBetween(due, now),
      };
    }),
    method: DASHBOARD_METHOD,
  };
}
