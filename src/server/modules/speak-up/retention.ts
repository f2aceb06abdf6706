import { and, asc, eq, isNull, lt } from 'drizzle-orm';
import type { Tx } from '../../../db/client';
import { reports } from '../../../db/schema';
import { recordAudit } from '../../platform/audit/audit';
import { purgeReportContent } from './reports';

/**
 * Retention: a closed case's content is purged a set time after closure (default 6 years, what
 * many schools' records policies use; set SPEAK_UP_RETENTION_YEARS to change it). The purge
 * destroys the wrapped data key, every sealed column, messages, notes, escalations, attachments,
 * the receipt and any matching escrow. The report row stays as a tombstone (reference, dates,
 * category facets), so the statistics still count it. Each purge is audited with no content.
 * After the job's transaction commits, the purged reports' key epochs are retired and their
 * secrets destroyed (`shredDeletedReports`, see report-keys.ts), so the copies of the keys that
 * old row versions and the write-ahead log keep can no longer be opened.
 */

export const DEFAULT_RETENTION_YEARS = 6;

/** The retention period in years from the environment; the default if unset; throws if nonsense. */
export function retentionYearsFrom(env: Record<string, string | undefined> = process.env): number {
  const raw = env.SPEAK_UP_RETENTION_YEARS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_RETENTION_YEARS;
  const years = Number(raw);
  if (!Number.isFinite(years) || years < 1 || years > 100) {
    throw new Error('SPEAK_UP_RETENTION_YEARS must be a number of years between 1 and 100');
  }
  return years;
}

/** The closure time before which a closed case is purged. */
export function retentionCutoff(now: Date, years: number): Date {
  const cutoff = new Date(now);
  const whole = Math.floor(years);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - whole);
  return new Date(cutoff.getTime() - Math.round((years - whole) * 365.25 * 86_400_000));
}

/** Purges every closed case past the retention period, in the caller's transaction. */
export async function purgeExpiredCases(
  tx: Tx,
  options: { now?: Date; retentionYears?: number; batch?: number } = {},
): Promise<{ purged: number }> {
  const now = options.now ?? new Date();
  const years = options.retentionYears ?? DEFAULT_RETENTION_YEARS;
  const due = await tx
    .select({ id: reports.id })
    .from(reports)
    .where(
      and(
        eq(reports.status, 'closed'),
        isNull(reports.purgedAt),
        lt(reports.closedAt, retentionCutoff(now, years)),
      ),
    )
    .orderBy(asc(reports.closedAt))
    .limit(options.batch ?? 1000)
    .for('update', { skipLocked: true });
  for (const { id } of due) {
    await purgeReportContent(tx, id, now);
    await recordAudit(tx, {
      actorUserId: null,
      action: 'reports.retention_purge',
      subjectType: 'speak_up_report',
      subjectId: id,
      data: { retentionYears: years },
    });
  }
  if (due.length > 0) {
    await recordAudit(tx, {
      actorUserId: null,
      action: 'reports.retention_run',
      subjectType: 'speak_up_report',
      subjectId: null,
      data: { count: due.length, retentionYears: years },
    });
  }
  return { purged: due.length };
}
