/**
 * Speak-up's published statistics: every table of a school's year as one linked system, protected
 * with the platform's disclosure control (platform/disclosure.ts: HESA rounding, "fewer than 5",
 * secondary suppression). Pure functions, no database; queries.ts freezes what it publishes.
 */
import {
  type LinkedCounts,
  type PublishedCell,
  protect,
  protectGroup,
  publishCell,
  publishMedian,
} from '../../platform/disclosure';

// ---- a whole set of statistics -----------------------------------------------------------------

export type RawRow = { key: string; label: string; count: number };
export type PublishedRow = { key: string; label: string; count: PublishedCell };

export type RawStatistics = {
  total: number;
  byMonth: RawRow[];
  /** campus and placement: a partition of all reports. */
  bySetting: RawRow[];
  /** A partition of the placement reports (including "not listed"). */
  byProvider: RawRow[];
  byOutcome: RawRow[];
  byActionKind: RawRow[];
  daysToAcknowledge: number[];
  daysToClose: number[];
};

export type PublishedStatistics = {
  total: PublishedCell;
  byMonth: PublishedRow[];
  bySetting: PublishedRow[];
  byProvider: PublishedRow[];
  byOutcome: PublishedRow[];
  byActionKind: PublishedRow[];
  medianDaysToAcknowledge: PublishedCell;
  medianDaysToClose: PublishedCell;
};

/**
 * Publishes every table as one linked system, so no table undoes another's protection: months and
 * settings both add up to the grand total, and providers add up to the placement count. Outcomes
 * and action kinds are groups of their own; their totals are not published, but the observer is
 * assumed to know them to within rounding (the cautious assumption).
 */
export function publishStatistics(raw: RawStatistics): PublishedStatistics {
  const sum = (rows: RawRow[]) => rows.reduce((a, r) => a + r.count, 0);
  if (sum(raw.byMonth) !== raw.total || sum(raw.bySetting) !== raw.total) {
    throw new Error('Months and settings must each add up to the total');
  }
  const placement = raw.bySetting.findIndex((r) => r.key === 'placement');
  if (sum(raw.byProvider) !== (placement >= 0 ? raw.bySetting[placement]!.count : 0)) {
    throw new Error('Providers must add up to the placements');
  }
  const counts: number[] = [raw.total];
  const add = (rows: RawRow[]) => rows.map((r) => counts.push(r.count) - 1);
  const months = add(raw.byMonth);
  const settings = add(raw.bySetting);
  const providers = add(raw.byProvider);
  const groups: LinkedCounts['groups'] = [];
  if (months.length > 0) groups.push({ cells: months, total: 0 });
  groups.push({ cells: settings, total: 0 });
  if (placement >= 0 && providers.length > 0) groups.push({ cells: providers, total: settings[placement]! });
  const marks = protect({ counts, groups });
  const rows = (table: RawRow[], ids: number[]): PublishedRow[] =>
    table.map((r, k) => ({ key: r.key, label: r.label, count: publishCell(r.count, marks[ids[k]!]!) }));
  const separate = (table: RawRow[]): PublishedRow[] => {
    const plan = protectGroup(table.map((r) => r.count));
    return table.map((r, k) => ({ key: r.key, label: r.label, count: publishCell(r.count, plan.marks[k]!) }));
  };
  return {
    total: publishCell(raw.total, marks[0]!),
    byMonth: rows(raw.byMonth, months),
    bySetting: rows(raw.bySetting, settings),
    byProvider: rows(raw.byProvider, providers),
    byOutcome: separate(raw.byOutcome),
    byActionKind: separate(raw.byActionKind),
    medianDaysToAcknowledge: publishMedian(raw.daysToAcknowledge),
    medianDaysToClose: publishMedian(raw.daysToClose),
  };
}

export const METHOD_NOTE =
  'Counts are rounded to the nearest 5 (HESA standard rounding, halves round up); counts of 0 to 4 show as ' +
  '"fewer than 5"; ".." marks a count suppressed so that a small count cannot be worked out from the totals; ' +
  'totals are rounded separately, so rows need not add up; medians based on 7 or fewer cases are not shown. ' +
  'Only complete months are included, as things stood when the last of them ended; once published for a ' +
  'month, the figures do not change.';
