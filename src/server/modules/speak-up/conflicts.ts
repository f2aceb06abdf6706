import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client';
import {
  handlerIdentities,
  institutionRoles,
  reportConflictScans,
  reportNamedHandlers,
  reports,
  users,
} from '../../../db/schema';
import { recordAudit } from '../../platform/audit/audit';
import { openPeople, peopleText } from './people';
import { type Identity, isNamedInAny } from './policy';
import {
  conflictScanFingerprint,
  namedHandlerToken,
  openReportKey,
  type ReportKeyring,
} from './report-crypto';

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
 *
 * A handler is compared under every name and e-mail address they have had
 * (`speak_up_handler_identities`, only ever added to): renaming oneself away from the name a
 * report gives never opens it. A profile change calls `handlerProfileChanged`, which records the
 * old and new identity and compares the school's reports again at once.
 */

type Handler = { userId: string; name: string; email: string };

/** One lock per school, held by a submission's comparison and by a scan until they commit. */
async function lockSchool(tx: Tx, institutionId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(712102, hashtext(${institutionId}))`);
}

/** The school's case handlers this text names, under their current or any former identity (pure). */
export function handlersNamedIn<H extends Handler>(
  text: string | null,
  handlers: readonly H[],
  former: ReadonlyMap<string, readonly Identity[]> = new Map(),
): H[] {
  if (!text) return [];
  return handlers.filter((h) => isNamedInAny(text, [h, ...(former.get(h.userId) ?? [])]));
}

/** Records a name and address as this person's (kept for good: conflicts are checked against all). */
export async function recordHandlerIdentity(tx: Db | Tx, userId: string, identity: Identity): Promise<void> {
  await tx
    .insert(handlerIdentities)
    .values([
      { userId, kind: 'name' as const, value: identity.name },
      { userId, kind: 'email' as const, value: identity.email.toLowerCase() },
    ])
    .onConflictDoNothing();
}

/**
 * Every name and e-mail address recorded for these people, as identities to compare: each former
 * name with each former address (and the current ones are compared by the caller).
 */
export async function formerIdentitiesOf(
  db: Db | Tx,
  userIds: readonly string[],
): Promise<Map<string, Identity[]>> {
  const out = new Map<string, Identity[]>();
  if (userIds.length === 0) return out;
  const rows = await db
    .select({
      userId: handlerIdentities.userId,
      kind: handlerIdentities.kind,
      value: handlerIdentities.value,
    })
    .from(handlerIdentities)
    .where(inArray(handlerIdentities.userId, [...userIds]));
  for (const userId of new Set(rows.map((r) => r.userId))) {
    const mine = rows.filter((r) => r.userId === userId);
    // A name alone (with no address) and an address alone are each enough to match.
    out.set(userId, [
      ...mine.filter((r) => r.kind === 'name').map((r) => ({ name: r.value, email: '' })),
      ...mine.filter((r) => r.kind === 'email').map((r) => ({ name: '', email: r.value })),
    ]);
  }
  return out;
}

/** Whether a report was found to name this handler (by token), under any identity, at any time. */
export async function reportNamesHandler(
  db: Db | Tx,
  masterKey: Buffer,
  report: { id: string; institutionId: string },
  userId: string,
): Promise<boolean> {
  const [row] = await db
    .select({ reportId: reportNamedHandlers.reportId })
    .from(reportNamedHandlers)
    .where(
      and(
        eq(reportNamedHandlers.reportId, report.id),
        eq(reportNamedHandlers.handlerToken, namedHandlerToken(masterKey, report.institutionId, userId)),
      ),
    );
  return row !== undefined;
}

/**
 * Called by the identity module when someone changes their name or e-mail address, in the same
 * transaction. For a case handler: keeps the old and the new identity, and compares each of their
 * schools' reports with all of them now (a rename can add conflicts, never remove one).
 */
export async function handlerProfileChanged(
  tx: Tx,
  masterKey: Buffer,
  reportKeys: ReportKeyring,
  change: { userId: string; before: Identity; after: Identity },
): Promise<void> {
  const schools = await tx
    .select({ institutionId: institutionRoles.institutionId })
    .from(institutionRoles)
    .where(and(eq(institutionRoles.userId, change.userId), eq(institutionRoles.role, 'case_handler')));
  if (schools.length === 0) return;
  await recordHandlerIdentity(tx, change.userId, change.before);
  await recordHandlerIdentity(tx, change.userId, change.after);
  for (const { institutionId } of schools) {
    await scanSchool(tx, masterKey, reportKeys, { userId: change.userId, ...change.after }, institutionId);
  }
}

/** Compares every report of a school with a handler's identities; records the ones that name them. */
async function scanSchool(
  tx: Tx,
  masterKey: Buffer,
  reportKeys: ReportKeyring,
  handler: Handler,
  institutionId: string,
) {
  await lockSchool(tx, institutionId);
  const former = await formerIdentitiesOf(tx, [handler.userId]);
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
      if (handlersNamedIn(peopleText(openPeople(key, row)), [handler], former).length > 0) named.push(row.id);
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
  return { compared: rows.length, named: named.length };
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
  const named = handlersNamedIn(
    report.peopleText,
    handlers,
    await formerIdentitiesOf(
      tx,
      handlers.map((h) => h.userId),
    ),
  );
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
    await recordHandlerIdentity(tx, handler.userId, handler);
    const scan = await scanSchool(tx, masterKey, reportKeys, handler, institutionId);
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
      data: { reports: scan.compared },
    });
    return { scanned: true, named: scan.named };
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
