import { and, eq, gte, lt, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../../../db/client';
import { reports, statisticsSnapshots } from '../../../db/schema';
import { ActionKind, CaseOutcome, type StatisticsSchema } from '../../../shared/speak-up/schema';
import type { Actor } from '../../platform/actor';
import { notFound } from '../../platform/errors';
import { assertInstitution, listPlacementProviders } from './directory';
import { mayViewStatistics } from './policy';
import { METHOD_NOTE, publishStatistics, type RawRow } from './statistics';
import { daysBetween, ukDate, ukMidnight } from './workflow';

/**
 * Aggregate statistics of an institution's reports. Periods are academic years (August to July),
 * whole months only: fixed, non-overlapping periods, so two answers cannot be subtracted to show
 * one month's cross-tabulation, and a report received this month does not show until it ends.
 * What is published for a period is frozen (`speak_up_statistics_snapshots`).
 */

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const OUTCOME_LABELS: Record<z.infer<typeof CaseOutcome>, string> = {
  resolved_informally: 'Resolved informally',
  complaint_upheld: 'Complaint upheld',
  complaint_partly_upheld: 'Complaint partly upheld',
  complaint_not_upheld: 'Complaint not upheld',
  provider_took_action: 'Placement provider took action',
  support_provided: 'Support provided',
  recorded_no_further_action: 'Recorded, no further action',
  withdrawn_by_reporter: 'Withdrawn by the reporter',
};
const ACTION_LABELS: Record<z.infer<typeof ActionKind>, string> = {
  informal_resolution: 'Informal resolution',
  formal_complaint: 'Formal complaint',
  escalated_to_provider: 'Escalated to the placement provider',
  support_only: 'Support only',
};

/** The academic year (by its first calendar year) a `YYYY-MM` month belongs to. */
export function academicYearOf(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m >= 8 ? y : y - 1;
}

/** The complete months of an academic year, as of `now` (UK time). */
export function completeMonths(academicYear: number, now: Date): string[] {
  const current = ukDate(now).slice(0, 7);
  const months: string[] = [];
  for (let i = 0; i < 12; i++) {
    const m = ((7 + i) % 12) + 1;
    const y = m >= 8 ? academicYear : academicYear + 1;
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month < current) months.push(month);
  }
  return months;
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * The published statistics of a school's academic year, through its last complete month. Frozen:
 * computed once, on the first read after that month ends, as things stood when it ended (an outcome
 * counts only if the case closed by then, a held report only if it was released by then), stored,
 * and from then on answered from the store. A case closing today changes nothing a lead can see
 * until the month ends, and then only together with everything else of that month.
 */
export async function institutionStatistics(
  db: Db,
  actor: Actor,
  institutionId: string,
  query: { year?: number | undefined },
  now = new Date(),
): Promise<z.input<typeof StatisticsSchema>> {
  if (!mayViewStatistics(actor, institutionId)) throw notFound('That school’s statistics');
  await assertInstitution(db, institutionId);
  const lastComplete = (() => {
    const current = ukDate(now).slice(0, 7);
    const [y, m] = current.split('-').map(Number) as [number, number];
    return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  })();
  const academicYear = query.year ?? academicYearOf(lastComplete);
  const months = completeMonths(academicYear, now);
  if (months.length === 0) return computeStatistics(db, institutionId, academicYear, months);
  const throughMonth = months[months.length - 1]!;
  const stored = async () =>
    (
      await db
        .select({ figures: statisticsSnapshots.figures })
        .from(statisticsSnapshots)
        .where(
          and(
            eq(statisticsSnapshots.institutionId, institutionId),
            eq(statisticsSnapshots.academicYear, academicYear),
            eq(statisticsSnapshots.throughMonth, throughMonth),
          ),
        )
    )[0]?.figures as z.input<typeof StatisticsSchema> | undefined;
  const frozen = await stored();
  if (frozen) return frozen;
  const figures = await computeStatistics(db, institutionId, academicYear, months);
  // Two first reads at once: the first one stored wins, and both answer with it.
  await db
    .insert(statisticsSnapshots)
    .values({ institutionId, academicYear, throughMonth, figures })
    .onConflictDoNothing();
  return (await stored()) ?? figures;
}

/** The figures of these complete months, as they stood when the last of them ended. */
async function computeStatistics(
  db: Db,
  institutionId: string,
  academicYear: number,
  months: string[],
): Promise<z.input<typeof StatisticsSchema>> {
  const end = months.length > 0 ? ukMidnight(`${nextMonth(months[months.length - 1]!)}-01`) : new Date(0);
  const rows =
    months.length === 0
      ? []
      : await db
          .select({
            receivedAt: reports.receivedAt,
            setting: reports.setting,
            providerId: reports.placementProviderId,
            outcome: reports.outcome,
            actionKind: reports.actionKind,
            acknowledgedAt: reports.acknowledgedAt,
            actionAt: reports.actionAt,
            closedAt: reports.closedAt,
          })
          .from(reports)
          .where(
            and(
              eq(reports.institutionId, institutionId),
              gte(reports.receivedAt, ukMidnight(`${months[0]}-01`)),
              lt(reports.receivedAt, end),
              // A report held in matching escrow had not reached the school: it counts once released.
              sql`not exists (select 1 from speak_up_match_holds h where h.report_id = "speak_up_reports"."id" and (h.released_at is null or h.released_at >= ${end}))`,
            ),
          );
  const before = (at: Date | null) => at !== null && at < end;
  const providers = await listPlacementProviders(db, institutionId);

  const count = <K extends string>(
    keys: { key: K; label: string }[],
    keyOf: (r: (typeof rows)[number]) => K | null,
  ) =>
    keys.map(
      ({ key, label }): RawRow => ({ key, label, count: rows.filter((r) => keyOf(r) === key).length }),
    );

  const published = publishStatistics({
    total: rows.length,
    byMonth: count(
      months.map((m) => ({ key: m, label: `${MONTH_NAMES[Number(m.slice(5)) - 1]} ${m.slice(0, 4)}` })),
      (r) => ukDate(r.receivedAt).slice(0, 7),
    ),
    bySetting: count(
      [
        { key: 'campus', label: 'On campus' },
        { key: 'placement', label: 'On placement' },
      ],
      (r) => r.setting,
    ),
    byProvider: count(
      [
        ...providers.map((p) => ({ key: p.id, label: p.name })),
        { key: 'not_listed', label: 'A provider not on the list' },
      ],
      (r) => {
        if (r.setting !== 'placement') return null;
        return r.providerId && providers.some((p) => p.id === r.providerId) ? r.providerId : 'not_listed';
      },
    ),
    byOutcome: count(
      CaseOutcome.options.map((o) => ({ key: o, label: OUTCOME_LABELS[o] })),
      (r) => (before(r.closedAt) ? r.outcome : null),
    ),
    byActionKind: count(
      ActionKind.options.map((a) => ({ key: a, label: ACTION_LABELS[a] })),
      (r) => (before(r.actionAt) ? r.actionKind : null),
    ),
    daysToAcknowledge: rows
      .filter((r) => before(r.acknowledgedAt))
      .map((r) => daysBetween(r.receivedAt, r.acknowledgedAt!)),
    daysToClose: rows.filter((r) => before(r.closedAt)).map((r) => daysBetween(r.receivedAt, r.closedAt!)),
  });
  return { institutionId, academicYear, months, ...published, method: METHOD_NOTE };
}
