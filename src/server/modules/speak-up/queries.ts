import { and, eq, gte, lt } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../../../db/client';
import { reports } from '../../../db/schema';
import { ActionKind, CaseOutcome, type StatisticsSchema } from '../../../shared/speak-up/schema';
import type { Actor } from '../../platform/actor';
import { notFound } from '../../platform/errors';
import { assertInstitution, listPlacementProviders } from './directory';
import { notHeld } from './matching';
import { mayViewStatistics } from './policy';
import { METHOD_NOTE, publishStatistics, type RawRow } from './statistics';
import { daysBetween, ukDate, ukMidnight } from './workflow';

/**
 * Aggregate statistics of an institution's reports. Periods are academic years (August to July),
 * whole months only: fixed, non-overlapping periods, so two answers cannot be subtracted to show
 * one month's cross-tabulation, and a report received this month does not show until it ends.
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
            closedAt: reports.closedAt,
          })
          .from(reports)
          .where(
            and(
              eq(reports.institutionId, institutionId),
              gte(reports.receivedAt, ukMidnight(`${months[0]}-01`)),
              lt(reports.receivedAt, ukMidnight(`${nextMonth(months[months.length - 1]!)}-01`)),
              // A report held in matching escrow has not reached the school yet: it counts once released.
              notHeld,
            ),
          );
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
      (r) => r.outcome,
    ),
    byActionKind: count(
      ActionKind.options.map((a) => ({ key: a, label: ACTION_LABELS[a] })),
      (r) => r.actionKind,
    ),
    daysToAcknowledge: rows
      .filter((r) => r.acknowledgedAt)
      .map((r) => daysBetween(r.receivedAt, r.acknowledgedAt!)),
    daysToClose: rows.filter((r) => r.closedAt).map((r) => daysBetween(r.receivedAt, r.closedAt!)),
  });
  return { institutionId, academicYear, months, ...published, method: METHOD_NOTE };
}
