import crypto from 'node:crypto';
import { and, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client';
import { reportMatchHolds, reportMatchKeys, reportMessages, reports } from '../../../db/schema';
import {
  ACKNOWLEDGE_WORKING_DAYS,
  RESPOND_WORKING_DAYS,
  type ReportMatching,
} from '../../../shared/speak-up/schema';
import { recordAudit } from '../../platform/audit/audit';
import type { Mailer } from '../../platform/mail';
import { openReportKey } from './report-crypto';
import { workingDaysAfter } from './workflow';

/**
 * Matching escrow (after Callisto). A reporter may ask that their report be acted on only if
 * someone else reports the same person: a named person, or a site + role + month. The report is
 * held (no case handler sees it) until a report from a DIFFERENT reporter carries the same
 * identifier; then both are released to the case handlers and both reporters are told.
 *
 * Nothing of the identifier is stored in plain: only HMAC-SHA256 under a key derived from the
 * master key (purpose `matching`), scoped to the institution. The reporter is also a keyed hash:
 * of a named reporter's user id, or, for an anonymous reporter, of their receipt code (the first
 * report's receipt when they give it with a later report), so their own reports never match each
 * other. Without the master key a copy of the database cannot test a guessed name.
 */

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

/** The keyed hash standing for the reporter: a signed-in person's id, or a receipt code's digits. */
export function reporterMatchHash(masterKey: Buffer, who: { userId: string } | { receipt: string }): string {
  const key = matchingKey(masterKey);
  try {
    return 'userId' in who
      ? hmac(key, `reporter\u0000user\u0000${who.userId}`)
      : hmac(key, `reporter\u0000receipt\u0000${who.receipt.replace(/[\s-]/g, '')}`);
  } finally {
    key.fill(0);
  }
}

/** The reporter hash a held report was stored with (to chain an anonymous reporter's reports). */
export async function heldReporterHash(db: Db | Tx, reportId: string): Promise<string | null> {
  const [row] = await db
    .select({ reporterHash: reportMatchHolds.reporterHash })
    .from(reportMatchHolds)
    .where(eq(reportMatchHolds.reportId, reportId));
  return row?.reporterHash ?? null;
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

export const RELEASE_MESSAGE =
  'Someone else has reported the same person. As you asked, your report has now been passed to the case handlers, who will be in touch here. You can still add information or delete your report with your receipt code.';

/**
 * Holds a just-stored report in escrow, then looks for a match: the same identifier from another
 * reporter. Runs in the submission's transaction, under a per-institution lock so two reports
 * arriving together still find each other. Returns the ids of the reports released.
 */
export async function holdForMatching(
  tx: Tx,
  services: { masterKey: Buffer; mailer?: Pick<Mailer, 'queue'> | undefined },
  input: {
    reportId: string;
    institutionId: string;
    reporterHash: string;
    matching: ReportMatching;
    at: Date;
  },
): Promise<string[]> {
  const hashes = identifierHashes(services.masterKey, input.institutionId, input.matching);
  await tx.execute(sql`select pg_advisory_xact_lock(712101, hashtext(${input.institutionId}))`);
  await tx.insert(reportMatchHolds).values({
    reportId: input.reportId,
    institutionId: input.institutionId,
    reporterHash: input.reporterHash,
    heldAt: input.at,
  });
  if (hashes.length > 0) {
    await tx
      .insert(reportMatchKeys)
      .values(hashes.map((identifierHash) => ({ reportId: input.reportId, identifierHash })));
  }
  const others = await tx
    .selectDistinct({ reportId: reportMatchHolds.reportId, releasedAt: reportMatchHolds.releasedAt })
    .from(reportMatchKeys)
    .innerJoin(reportMatchHolds, eq(reportMatchHolds.reportId, reportMatchKeys.reportId))
    .where(
      and(
        inArray(reportMatchKeys.identifierHash, hashes.length > 0 ? hashes : ['-']),
        eq(reportMatchHolds.institutionId, input.institutionId),
        ne(reportMatchHolds.reporterHash, input.reporterHash),
        ne(reportMatchHolds.reportId, input.reportId),
      ),
    );
  await recordAudit(tx, {
    actorUserId: null,
    action: 'reports.matching_hold',
    subjectType: 'speak_up_report',
    subjectId: input.reportId,
    data: { identifiers: hashes.length },
  });
  if (others.length === 0) return [];
  const release = [input.reportId, ...others.filter((o) => o.releasedAt === null).map((o) => o.reportId)];
  for (const reportId of release) await releaseReport(tx, services, reportId, input.at);
  return release;
}

/** Releases a held report: deadlines start now, the reporter gets a message (and a named one an e-mail). */
async function releaseReport(
  tx: Tx,
  services: { masterKey: Buffer; mailer?: Pick<Mailer, 'queue'> | undefined },
  reportId: string,
  at: Date,
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
  const key = openReportKey(services.masterKey, reportId, row.wrappedKey);
  try {
    const messageId = crypto.randomUUID();
    await tx.insert(reportMessages).values({
      id: messageId,
      reportId,
      author: 'handler',
      handlerUserId: null,
      internal: false,
      bodySealed: key.seal(`message:handler:${messageId}`, RELEASE_MESSAGE),
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
    actorUserId: null,
    action: 'reports.matching_release',
    subjectType: 'speak_up_report',
    subjectId: reportId,
    data: { reference: row.reference },
  });
}
