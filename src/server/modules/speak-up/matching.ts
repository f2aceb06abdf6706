import crypto from 'node:crypto';
import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import { type Db, queryRows, type Tx } from '../../../db/client';
import { reportMatchHolds, reportMatchKeys, reportMessages, reports } from '../../../db/schema';
import {
  ACKNOWLEDGE_WORKING_DAYS,
  MATCHING_HOLD_MONTHS,
  type MatchingOnExpiry,
  RESPOND_WORKING_DAYS,
  type ReportMatching,
} from '../../../shared/speak-up/schema';
import { recordAudit } from '../../platform/audit/audit';
import { conflict, invalid } from '../../platform/errors';
import type { Mailer } from '../../platform/mail';
import { openReportKey, type ReportKeyring } from './report-crypto';
import { workingDaysAfter } from './workflow';

/**
 * Matching escrow (after Callisto). A signed-in member of a school may ask that their report be
 * acted on only if someone else reports the same person: a named person, or a site + role + month.
 * The report is held: no case handler sees it.
 *
 * What a match reveals, and to whom (Callisto's rule): nothing to any reporter. Submitting, the
 * receipt page and "My reports" take the same path and give the same answers whether or not
 * another entry matches; nothing is looked up when an entry is made. A held report that shares an
 * identifier with a live entry from a DIFFERENT account appears in its school's case queue, marked
 * as a match; a case handler reads both and decides: release it to case handling, or first write to
 * each reporter through their receipt. Nothing is ever released automatically on a match, and the
 * match is worked out from the live entries at each look, so an entry deleted by its reporter can
 * never have caused (or later cause) a release.
 *
 * The account: only a keyed hash of it is stored with the entry (never shown, never a user id), to
 * count distinct people and to cap each account at MAX_ESCROW_ENTRIES open entries. An entry may
 * still be anonymous to the case handlers: the report itself then carries no identity.
 *
 * Nothing of the identifier is stored in plain: only HMAC-SHA256 under a key derived from the
 * master key (purpose `matching`), scoped to the institution. Without the master key a copy of the
 * database cannot test a guessed name.
 */

/** Open escrow entries one account may have at once (everywhere). */
export const MAX_ESCROW_ENTRIES = 3;

const PURPOSE = 'upstander:matching';

function matchingKey(masterKey: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), PURPOSE, 32));
}

const hmac = (key: Buffer, value: string) =>
  crypto.createHmac('sha256', key).update(value, 'utf8').digest('hex');

const TITLES = new Set([
  'dr',
  'doctor',
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'prof',
  'professor',
  'sir',
  'dame',
  'rev',
  'revd',
  'reverend',
  'sr',
  'sister',
  'nurse',
  'matron',
  'lord',
  'lady',
]);

/** Folds accents and case, drops punctuation. `Dr. Zoë  O'Brien` and `zoe obrien` agree. */
function fold(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’‘`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/** A person's name, normalised: folded, and leading titles (Dr, Mr, Prof…) removed. */
export function normalisePersonName(name: string): string {
  const words = fold(name).split(' ').filter(Boolean);
  while (words.length > 1 && TITLES.has(words[0]!)) words.shift();
  return words.join(' ');
}

/** The keyed hashes of what the reporter gave, scoped to the institution. */
export function identifierHashes(
  masterKey: Buffer,
  institutionId: string,
  matching: ReportMatching,
): string[] {
  const key = matchingKey(masterKey);
  try {
    const out: string[] = [];
    if (matching.person) {
      const name = normalisePersonName(matching.person);
      if (name) out.push(hmac(key, `person\u0000${institutionId}\u0000${name}`));
    }
    if (matching.context) {
      const { site, role, month } = matching.context;
      out.push(hmac(key, `context\u0000${institutionId}\u0000${fold(site)}\u0000${role}\u0000${month}`));
    }
    return [...new Set(out)];
  } finally {
    key.fill(0);
  }
}

/** The keyed hash standing for an account in escrow (never a user id, never shown). */
export function accountMatchHash(masterKey: Buffer, userId: string): string {
  const key = matchingKey(masterKey);
  try {
    return hmac(key, `reporter\u0000user\u0000${userId}`);
  } finally {
    key.fill(0);
  }
}

/** SQL: this report is not held in escrow (for the case queue and the reminders). */
export const notHeld = sql`not exists (select 1 from speak_up_match_holds h where h.report_id = "speak_up_reports"."id" and h.released_at is null)`;

export async function isHeld(tx: Db | Tx, reportId: string): Promise<boolean> {
  const [row] = await tx
    .select({ reportId: reportMatchHolds.reportId })
    .from(reportMatchHolds)
    .where(and(eq(reportMatchHolds.reportId, reportId), isNull(reportMatchHolds.releasedAt)));
  return row !== undefined;
}

/**
 * SQL: the report in the outer query is held, and a live entry from another account in its school
 * shares one of its identifiers: a match for a case handler to review.
 */
export const matchedInEscrow = sql`exists (select 1 from speak_up_match_holds mh
  join speak_up_match_keys mk on mk.report_id = mh.report_id
  join speak_up_match_keys ok on ok.identifier_hash = mk.identifier_hash and ok.report_id <> mk.report_id
  join speak_up_match_holds oh on oh.report_id = ok.report_id
  where mh.report_id = "speak_up_reports"."id" and mh.released_at is null
    and mh.account_hash is not null and oh.account_hash is not null
    and oh.account_hash <> mh.account_hash and oh.institution_id = mh.institution_id)`;

/**
 * The live entries from other accounts that share an identifier with this held report (none if it
 * is not held). `lock` takes a share lock on them, so an entry being deleted either is gone already
 * or waits until the caller's decision is committed.
 */
export async function escrowMatchesOf(
  tx: Db | Tx,
  reportId: string,
  lock = false,
): Promise<{ id: string; reference: string }[]> {
  const rows = await queryRows<{ id: string; reference: string }>(
    tx,
    // No DISTINCT: a locking read may not use it; duplicates (several shared identifiers) are dropped below.
    sql`select r.id, r.reference from speak_up_match_holds mh
      join speak_up_match_keys mk on mk.report_id = mh.report_id
      join speak_up_match_keys ok on ok.identifier_hash = mk.identifier_hash and ok.report_id <> mk.report_id
      join speak_up_match_holds oh on oh.report_id = ok.report_id
      join speak_up_reports r on r.id = oh.report_id
      where mh.report_id = ${reportId} and mh.released_at is null
        and mh.account_hash is not null and oh.account_hash is not null
        and oh.account_hash <> mh.account_hash and oh.institution_id = mh.institution_id
      order by r.reference${lock ? sql` for share of oh` : sql``}`,
  );
  return [...new Map(rows.map((r) => [r.id, r])).values()];
}

/** What the reporter is told when a case handler takes up a held report: nothing about why. */
export const HANDLER_RELEASE_MESSAGE =
  'A case handler has taken up your report. They will be in touch here. You can still add information or delete your report with your receipt code.';

export const expiryReleaseMessage = (months: number) =>
  `Nobody else reported the same person in the ${months} months your report was held. As you chose, your report has now been passed to the case handlers, who will be in touch here. You can still add information or delete your report with your receipt code.`;

/** How long a report waits in matching escrow (SPEAK_UP_MATCHING_HOLD_MONTHS, 1–60; default 12). */
export function matchingHoldMonthsFrom(env: Record<string, string | undefined> = process.env): number {
  const raw = env.SPEAK_UP_MATCHING_HOLD_MONTHS;
  if (raw === undefined || raw.trim() === '') return MATCHING_HOLD_MONTHS;
  const months = Number(raw);
  if (!Number.isInteger(months) || months < 1 || months > 60) {
    throw new Error('SPEAK_UP_MATCHING_HOLD_MONTHS must be a whole number of months between 1 and 60');
  }
  return months;
}

/** The same instant `months` calendar months later (the 31st becomes the last day of a short month). */
export function addMonths(at: Date, months: number): Date {
  const out = new Date(at);
  const day = out.getUTCDate();
  out.setUTCDate(1);
  out.setUTCMonth(out.getUTCMonth() + months);
  const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
  out.setUTCDate(Math.min(day, last));
  return out;
}

/** While a report is held: until when, and what the reporter chose to happen then. */
export async function holdOf(
  db: Db | Tx,
  reportId: string,
): Promise<{ until: Date; onExpiry: MatchingOnExpiry } | null> {
  const [row] = await db
    .select({ until: reportMatchHolds.expiresAt, onExpiry: reportMatchHolds.onExpiry })
    .from(reportMatchHolds)
    .where(and(eq(reportMatchHolds.reportId, reportId), isNull(reportMatchHolds.releasedAt)));
  return row ?? null;
}

type MatchingServices = {
  masterKey: Buffer;
  reportKeys: ReportKeyring;
  mailer?: Pick<Mailer, 'queue'> | undefined;
};

/** Takes the per-school matching lock. Always before any row lock and before the audit log's lock. */
async function lockMatching(tx: Tx, institutionId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(712101, hashtext(${institutionId}))`);
}

/**
 * Holds a just-stored report in escrow, in the submission's transaction: the entry, its keyed
 * identifiers and an audit event. It looks nothing up about other entries, so the submission takes
 * the same path and time whatever escrow holds. Refused (and nothing stored) when the account
 * already has MAX_ESCROW_ENTRIES open entries.
 */
export async function holdForMatching(
  tx: Tx,
  services: MatchingServices,
  input: {
    reportId: string;
    institutionId: string;
    accountHash: string;
    matching: ReportMatching;
    at: Date;
    holdMonths?: number;
  },
): Promise<void> {
  const hashes = identifierHashes(services.masterKey, input.institutionId, input.matching);
  // One account's entries are counted under its own lock: two submissions at once cannot both pass.
  await tx.execute(sql`select pg_advisory_xact_lock(712103, hashtext(${input.accountHash}))`);
  const [open] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(reportMatchHolds)
    .where(and(eq(reportMatchHolds.accountHash, input.accountHash), isNull(reportMatchHolds.releasedAt)));
  if ((open?.n ?? 0) >= MAX_ESCROW_ENTRIES) {
    throw invalid(
      `You already have ${MAX_ESCROW_ENTRIES} reports waiting for a match, the most one person may have at once. Send this one without waiting for a match, or delete one of the others with its receipt code first.`,
      [{ path: 'matching', message: `At most ${MAX_ESCROW_ENTRIES} reports can wait for a match at once.` }],
    );
  }
  await tx.insert(reportMatchHolds).values({
    reportId: input.reportId,
    institutionId: input.institutionId,
    reporterHash: input.accountHash,
    accountHash: input.accountHash,
    heldAt: input.at,
    expiresAt: addMonths(input.at, input.holdMonths ?? matchingHoldMonthsFrom()),
    onExpiry: input.matching.onExpiry ?? 'delete',
  });
  if (hashes.length > 0) {
    await tx
      .insert(reportMatchKeys)
      .values(hashes.map((identifierHash) => ({ reportId: input.reportId, identifierHash })));
  }
  await recordAudit(tx, {
    actorUserId: null,
    action: 'reports.matching_hold',
    subjectType: 'speak_up_report',
    subjectId: input.reportId,
    data: { identifiers: hashes.length },
  });
}

/**
 * A case handler's decision on a matched, held report: release it to case handling. Refused
 * unless it is still held and still matched by a live entry from another account (share-locked
 * until this commits, so a deletion racing the decision cannot have caused it).
 */
export async function releaseMatchedReport(
  tx: Tx,
  services: MatchingServices,
  reportId: string,
  handlerUserId: string,
  at: Date,
): Promise<void> {
  if (!(await isHeld(tx, reportId))) {
    throw conflict('This report is not held for a match: it is already with the case handlers.');
  }
  if ((await escrowMatchesOf(tx, reportId, true)).length === 0) {
    throw conflict('No other report matches this one any more, so it stays held as its reporter asked.');
  }
  await releaseReport(tx, services, reportId, at, HANDLER_RELEASE_MESSAGE, handlerUserId);
}

/**
 * Releases a held report: deadlines start now, the reporter gets a message from Upstander (and a
 * named one an e-mail saying only that there is an update).
 */
async function releaseReport(
  tx: Tx,
  services: MatchingServices,
  reportId: string,
  at: Date,
  message: string,
  actorUserId: string | null = null,
): Promise<void> {
  await tx.update(reportMatchHolds).set({ releasedAt: at }).where(eq(reportMatchHolds.reportId, reportId));
  const [row] = await tx.select().from(reports).where(eq(reports.id, reportId)).for('update');
  if (!row?.wrappedKey) return;
  await tx
    .update(reports)
    .set({
      acknowledgeDueAt: workingDaysAfter(at, ACKNOWLEDGE_WORKING_DAYS),
      respondDueAt: workingDaysAfter(at, RESPOND_WORKING_DAYS),
      updatedAt: at,
    })
    .where(eq(reports.id, reportId));
  const key = openReportKey(services.reportKeys, reportId, row.wrappedKey);
  try {
    const messageId = crypto.randomUUID();
    await tx.insert(reportMessages).values({
      id: messageId,
      reportId,
      author: 'system',
      handlerUserId: null,
      internal: false,
      bodySealed: key.seal(`message:system:${messageId}`, message),
      createdAt: at,
    });
    if (row.reporterSealed && services.mailer) {
      const reporter = key.openJson<{ email: string }>('reporter', row.reporterSealed);
      await services.mailer.queue(tx as unknown as Db, {
        to: reporter.email,
        subject: `An update on your report ${row.reference}`,
        text: `There is an update on your report ${row.reference}. Sign in to Upstander and open "My reports" to read it.\n\nThis e-mail contains nothing of the report itself.`,
      });
    }
  } finally {
    key.destroy();
  }
  await recordAudit(tx, {
    actorUserId,
    action: 'reports.matching_release',
    subjectType: 'speak_up_report',
    subjectId: reportId,
    data: { reference: row.reference },
  });
}

/**
 * Deletes a report that never reached a case handler, row and all (its messages, files, receipt
 * and escrow go with it): unlike a case, a held report leaves no tombstone in the queue.
 */
export async function deleteHeldReport(tx: Tx, reportId: string): Promise<void> {
  await tx.delete(reports).where(eq(reports.id, reportId));
}

/**
 * The daily end of holds: each report held past its `expires_at` without a match is released to
 * the case handlers or deleted, as its reporter chose when making it (the follow-up page shows the
 * date and the choice). A named reporter is e-mailed either way, with nothing of the report.
 */
export async function expireMatchingHolds(
  tx: Tx,
  services: MatchingServices,
  options: { now?: Date; batch?: number } = {},
): Promise<{ released: number; deleted: number }> {
  const now = options.now ?? new Date();
  const due = await tx
    .select({ reportId: reportMatchHolds.reportId, institutionId: reportMatchHolds.institutionId })
    .from(reportMatchHolds)
    .where(and(isNull(reportMatchHolds.releasedAt), lte(reportMatchHolds.expiresAt, now)))
    .orderBy(asc(reportMatchHolds.expiresAt))
    .limit(options.batch ?? 500);
  if (due.length === 0) return { released: 0, deleted: 0 };
  // Lock order as in a submission: schools (sorted), then rows, then the audit log.
  for (const institutionId of [...new Set(due.map((d) => d.institutionId))].sort()) {
    await lockMatching(tx, institutionId);
  }
  const locked = await tx
    .select({
      reportId: reportMatchHolds.reportId,
      heldAt: reportMatchHolds.heldAt,
      expiresAt: reportMatchHolds.expiresAt,
      onExpiry: reportMatchHolds.onExpiry,
      reference: reports.reference,
      wrappedKey: reports.wrappedKey,
      reporterSealed: reports.reporterSealed,
    })
    .from(reportMatchHolds)
    .innerJoin(reports, eq(reports.id, reportMatchHolds.reportId))
    .where(
      and(
        inArray(
          reportMatchHolds.reportId,
          due.map((d) => d.reportId),
        ),
        // Matched while this run waited for the locks: no longer held.
        isNull(reportMatchHolds.releasedAt),
        lte(reportMatchHolds.expiresAt, now),
      ),
    )
    .for('update', { skipLocked: true });
  let released = 0;
  let deleted = 0;
  for (const hold of locked) {
    const months = Math.max(
      1,
      Math.round((hold.expiresAt.getTime() - hold.heldAt.getTime()) / (30.44 * 86_400_000)),
    );
    if (hold.onExpiry === 'release') {
      await releaseReport(tx, services, hold.reportId, now, expiryReleaseMessage(months));
      released++;
    } else {
      if (hold.wrappedKey && hold.reporterSealed && services.mailer) {
        const key = openReportKey(services.reportKeys, hold.reportId, hold.wrappedKey);
        let email: string;
        try {
          email = key.openJson<{ email: string }>('reporter', hold.reporterSealed).email;
        } finally {
          key.destroy();
        }
        await services.mailer.queue(tx as unknown as Db, {
          to: email,
          subject: `Your report ${hold.reference} has been deleted`,
          text: `Your report ${hold.reference} was held for ${months} months in case someone else reported the same person. Nobody did, so, as you chose when you made it, it has now been deleted. No case handler ever saw it.\n\nIf you would still like to report what happened, you can make a new report at any time.`,
        });
      }
      await deleteHeldReport(tx, hold.reportId);
      deleted++;
    }
    await recordAudit(tx, {
      actorUserId: null,
      action: 'reports.matching_expire',
      subjectType: 'speak_up_report',
      subjectId: hold.reportId,
      data: { reference: hold.reference, onExpiry: hold.onExpiry, months },
    });
  }
  return { released, deleted };
}
