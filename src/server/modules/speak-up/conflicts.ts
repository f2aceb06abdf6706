import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client';
import {
  institutionRoles,
  reportConflictScans,
  reportNamedHandlers,
  reports,
  users,
} from '../../../db/schema';
import { recordAudit } from '../../platform/audit/audit';
import { openPeople, peopleText } from './people';
import { isNamedIn } from './policy';
import { conflictScanFingerprint, namedHandlerToken, openReportKey, type ReportKeyring } from './report-crypto';

/**
 * Conflicts of interest found by name, kept ahead of time so the case queue filters them in SQL
 * without decrypting anything. A report that names a case handler of its school gets a row in
 * `speak_up_named_handlers` with that handler's keyed token:
 *
 * - when it is submitted, for every handler the school has then;
 * - when a handler opens the queue and the school's reports were not yet compared with their
 *   current name, e-mail address and role grant (a handler granted the role later, by any route,
 *   or renamed): `ensureConflictScan` compares them first, once.
 *
 * Both run under one advisory lock per school, so a report submitted while a handler is being
 * granted the role is compared with them by one or the other. Rows are never removed when a name
 * changes: the old name is still the one in the report. Opening a case still decrypts and checks
 * the names (`authoriseCase`), as a second guard.
 */

type Handler = { userId: string; name: string; email: string };

/** One lock per school, held by a submission's comparison and by a scan until they commit. */
async function lockSchool(tx: Tx, institutionId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(712102, hashtext(${institutionId}))`);
}

/** The school's case handlers this text names (pure). */
export function handlersNamedIn<H extends Handler>(text: string | null, handlers: readonly H[]): H[] {
  if (!text) return [];
  return handlers.filter((h) => isNamedIn(text, h));
}

/**
 * At submission, in its transaction: records which of the school's case handlers the report's
 * "people involved" text names. Returns how many.
 */
export async function recordNamedHandlers(
  tx: Tx,
  masterKey: Buffer,
  report: { id: string; institutionId: string; peopleText: string | null },
): Promise<number> {
  if (!report.peopleText) return 0;
  await lockSchool(tx, report.institutionId);
  const handlers = await tx
    .select({ userId: users.id, name: users.name, email: users.email })
    .from(institutionRoles)
    .innerJoin(users, eq(users.id, institutionRoles.userId))
    .where(
      and(
        eq(institutionRoles.institutionId, report.institutionId),
        eq(institutionRoles.role, 'case_handler'),
      ),
    );
  const named = handlersNamedIn(report.peopleText, handlers);
  if (named.length > 0) {
    await tx
      .insert(reportNamedHandlers)
      .values(
        named.map((h) => ({
          reportId: report.id,
          handlerToken: namedHandlerToken(masterKey, report.institutionId, h.userId),
        })),
      )
      .onConflictDoNothing();
  }
  return named.length;
}

/**
 * Before a handler's queue is listed: if the school's reports were not yet compared with this
 * handler as they are now (name, e-mail address, role grant), compare them and record the ones
 * that name them. Cheap when nothing changed (one indexed lookup); otherwise decrypts the "people
 * involved" of each of the school's reports once. Audited when it runs.
 */
export async function ensureConflictScan(
  db: Db,
  masterKey: Buffer,
  reportKeys: ReportKeyring,
  handler: Handler,
  institutionId: string,
  now = new Date(),
): Promise<{ scanned: boolean; named: number }> {
  const state = async (q: Db | Tx) => {
    const [row] = await q
      .select({ grantedAt: institutionRoles.grantedAt, fingerprint: reportConflictScans.fingerprint })
      .from(institutionRoles)
      .leftJoin(
        reportConflictScans,
        and(
          eq(reportConflictScans.userId, institutionRoles.userId),
          eq(reportConflictScans.institutionId, institutionRoles.institutionId),
        ),
      )
      .where(
        and(
          eq(institutionRoles.userId, handler.userId),
          eq(institutionRoles.institutionId, institutionId),
          eq(institutionRoles.role, 'case_handler'),
        ),
      );
    if (!row) return { current: true, fingerprint: '' }; // not a handler there: nothing to list
    const fingerprint = conflictScanFingerprint(masterKey, { ...handler, grantedAt: row.grantedAt });
    return { current: row.fingerprint === fingerprint, fingerprint };
  };
  if ((await state(db)).current) return { scanned: false, named: 0 };

  return db.transaction(async (tx) => {
    await lockSchool(tx, institutionId);
    // Another request of the same handler may have scanned while this one waited for the lock.
    const { current, fingerprint } = await state(tx);
    if (current) return { scanned: false, named: 0 };
    const rows = await tx
      .select({ id: reports.id, wrappedKey: reports.wrappedKey, peopleSealed: reports.peopleSealed })
      .from(reports)
      .where(
        and(
          eq(reports.institutionId, institutionId),
          isNotNull(reports.peopleSealed),
          isNotNull(reports.wrappedKey),
        ),
      );
    const token = namedHandlerToken(masterKey, institutionId, handler.userId);
    const named: string[] = [];
    for (const row of rows) {
      const key = openReportKey(reportKeys, row.id, row.wrappedKey!);
      try {
        if (handlersNamedIn(peopleText(openPeople(key, row)), [handler]).length > 0) named.push(row.id);
      } finally {
        key.destroy();
      }
    }
    for (let i = 0; i < named.length; i += 500) {
      await tx
        .insert(reportNamedHandlers)
        .values(named.slice(i, i + 500).map((reportId) => ({ reportId, handlerToken: token })))
        .onConflictDoNothing();
    }
    await tx
      .insert(reportConflictScans)
      .values({ userId: handler.userId, institutionId, fingerprint, scannedAt: now })
      .onConflictDoUpdate({
        target: [reportConflictScans.userId, reportConflictScans.institutionId],
        set: { fingerprint, scannedAt: now },
      });
    await recordAudit(tx, {
      actorUserId: handler.userId,
      action: 'cases.conflict_scan',
      subjectType: 'institution',
      subjectId: institutionId,
      // How many were compared, not which: which reports name a handler is not for the audit log.
      data: { reports: rows.length },
    });
    return { scanned: true, named: named.length };
  });
}

/** SQL: the report in the outer query does not name this handler, by token. */
export function notNamedHandler(masterKey: Buffer, institutionIds: readonly string[], userId: string) {
  const tokens = institutionIds.map((id) => namedHandlerToken(masterKey, id, userId));
  return sql`not exists (select 1 from speak_up_named_handlers n where n.report_id = "speak_up_reports"."id" and n.handler_token in (${sql.join(
    tokens.map((t) => sql`${t}`),
    sql`, `,
  )}))`;
}
