import crypto from 'node:crypto';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, Tx } from '../../../db/client';
import {
  placementProviders,
  reportAttachments,
  reportEscalations,
  reportMatchHolds,
  reportMessages,
  reportNamedHandlers,
  reportReceipts,
  reports,
} from '../../../db/schema';
import {
  ACKNOWLEDGE_WORKING_DAYS,
  type MyReportSchema,
  type NamedReportSubmission,
  RESPOND_WORKING_DAYS,
  type ReporterViewSchema,
  type ReportSubmission,
  type ReportWhen,
  type SubmissionView,
} from '../../../shared/speak-up/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { isUniqueViolation } from '../../platform/db-errors';
import { AppError, conflict, invalid, notFound } from '../../platform/errors';
import { findByReceipt, splitReceipt, storeWithFreshReceipt } from '../../platform/receipt';
import type { Services } from '../../platform/services';
import { recordNamedHandlers } from './conflicts';
import { assertReportingOpen, findProvider, listSupportContacts } from './directory';
import { accountMatchHash, deleteHeldReport, holdForMatching, holdOf, isHeld } from './matching';
import { openPeople, type PeopleSealed, peopleText } from './people';
import { newReference } from './references';
import { createReportKey, openReportKey, type ReportKey, reporterLookupHash } from './report-crypto';
import { recordPendingEquality, shredDeletedReports, wrapNewReportKey } from './report-keys';
import { workingDaysAfter } from './workflow';

/**
 * The reporter's side: submitting (anonymous or named), following a report with the receipt code,
 * adding information, and deleting it. Anonymous functions take no actor and write nothing that
 * identifies anyone: no address, no user agent, no account, and an audit event with no actor.
 */

// ---- what is sealed ---------------------------------------------------------------------------------

/** Sealed as `where`: the free-text parts of the place (the setting and provider id are plain facets). */
type WhereSealed = {
  location: string | null;
  providerOther: string | null;
  site: string | null;
  department: string | null;
};
/** Sealed as `reporter`: a named reporter's identity. */
export type ReporterSealed = { userId: string; name: string; email: string; consentToContact: boolean };

type ReportRow = typeof reports.$inferSelect;

export function incidentMonth(when: ReportWhen): string {
  if (when.kind === 'date') return when.date.slice(0, 7);
  if (when.kind === 'range') return when.from.slice(0, 7);
  return 'unknown';
}

export { openPeople, peopleText } from './people';

/** Decrypts what the reporter submitted. */
export function openSubmission(key: ReportKey, row: ReportRow, providerName: string | null): SubmissionView {
  const where = key.openJson<WhereSealed>('where', row.whereSealed!);
  const people = openPeople(key, row);
  return {
    when: key.openJson<ReportWhen>('when', row.whenSealed!),
    where: {
      setting: row.setting,
      location: where.location,
      providerId: row.placementProviderId,
      providerName: providerName ?? where.providerOther,
      site: where.site,
      department: where.department,
    },
    who: {
      roles: row.involvedRoles as SubmissionView['who']['roles'],
      otherRole: people?.otherRole ?? null,
      names: people?.names ?? null,
    },
    involvement: row.involvement,
    whatHappened: key.open('what_happened', row.whatHappenedSealed!),
    effect: key.openOptional('effect', row.effectSealed),
    outcomeWanted: row.outcomeWanted,
    assessmentProtection: row.assessmentProtection,
  };
}

// ---- submitting ---------------------------------------------------------------------------------

/** What submitting needs of the services (the role-matrix fixtures submit without an app). */
export type SubmitServices = Pick<Services, 'db' | 'masterKey' | 'reportKeys'> & {
  log: Pick<Services['log'], 'warn'>;
  /** Tells reporters when matching escrow releases their report (absent in some fixtures). */
  mailer?: Pick<Services['mailer'], 'queue' | 'deliverPending'>;
};

export type SubmitOptions = {
  /** A named report: the signed-in reporter, whose identity is sealed into the report. */
  reporter?: { person: Pick<Actor, 'userId' | 'name' | 'email'>; consentToContact: boolean };
  /** When it was received (demo data only; reports are otherwise received now). */
  receivedAt?: Date;
  /**
   * The signed-in person making it (named, or anonymous to the case handlers): needed for
   * matching escrow, where a keyed hash of the account counts distinct people. Never stored plain.
   */
  account?: { userId: string; institutionIds: readonly string[] };
  /** How long matching escrow holds it (default SPEAK_UP_MATCHING_HOLD_MONTHS, or 12). */
  matchingHoldMonths?: number;
};

/**
 * Stores a report, sealed under its own data key, with a receipt. Returns the reference and the
 * receipt code, which exists only in this answer. Equality answers go into a sealed pending row
 * that every report gets (answered or not), counted only when the month is over (report-keys.ts),
 * so nothing in the database ties an answer to the report.
 */
export async function submitReport(
  services: SubmitServices,
  input: ReportSubmission | NamedReportSubmission,
  options: SubmitOptions = {},
): Promise<{ id: string; reference: string; receipt: string }> {
  const { db, masterKey } = services;
  await assertReportingOpen(db, input.institutionId);
  const where = input.where;
  if (where.setting === 'placement' && where.providerId) {
    if (!(await findProvider(db, input.institutionId, where.providerId))) {
      throw invalid('That placement provider is not on this school’s list.', [
        { path: 'where.providerId', message: 'Choose a provider from the list, or type its name.' },
      ]);
    }
  }
  const receivedAt = options.receivedAt ?? new Date();
  const id = crypto.randomUUID();
  const { key, dek } = createReportKey(id);
  const people: PeopleSealed = { names: input.who.names ?? null, otherRole: input.who.otherRole ?? null };
  const whereSealed: WhereSealed =
    where.setting === 'campus'
      ? { location: where.location, providerOther: null, site: null, department: null }
      : {
          location: null,
          providerOther: where.providerOther ?? null,
          site: where.site ?? null,
          department: where.department ?? null,
        };
  const reporter = options.reporter;
  const values = {
    id,
    institutionId: input.institutionId,
    status: 'received' as const,
    receivedAt,
    acknowledgeDueAt: workingDaysAfter(receivedAt, ACKNOWLEDGE_WORKING_DAYS),
    respondDueAt: workingDaysAfter(receivedAt, RESPOND_WORKING_DAYS),
    anonymous: !reporter,
    reporterLookup: reporter ? reporterLookupHash(masterKey, reporter.person.userId) : null,
    incidentMonth: incidentMonth(input.when),
    setting: where.setting,
    placementProviderId: where.setting === 'placement' ? where.providerId : null,
    involvedRoles: input.who.roles,
    involvement: input.involvement,
    outcomeWanted: input.outcomeWanted,
    assessmentProtection: input.assessmentProtection,
    whenSealed: key.sealJson('when', input.when),
    whereSealed: key.sealJson('where', whereSealed),
    peopleSealed: peopleText(people) ? key.sealJson('people', people) : null,
    whatHappenedSealed: key.seal('what_happened', input.whatHappened),
    effectSealed: key.sealOptional('effect', input.effect),
    reporterSealed: reporter
      ? key.sealJson('reporter', {
          userId: reporter.person.userId,
          name: reporter.person.name,
          email: reporter.person.email,
          consentToContact: reporter.consentToContact,
        } satisfies ReporterSealed)
      : null,
    updatedAt: receivedAt,
  };
  key.destroy();

  // Matching escrow: only for a signed-in member of the school; the account counts as one person.
  let escrowAccount: string | null = null;
  if (input.matching) {
    const account = options.account;
    if (!account) {
      throw invalid(
        'To wait for someone else to report the same person, sign in first. Your report can still be anonymous to the case handlers.',
        [{ path: 'matching', message: 'Sign in to use this.' }],
      );
    }
    if (!account.institutionIds.includes(input.institutionId)) {
      throw invalid('Only members of this school can hold a report for a match at this school.', [
        { path: 'matching', message: 'You are not a member of this school.' },
      ]);
    }
    escrowAccount = accountMatchHash(masterKey, account.userId);
  }

  // Two receipts with one locator (1 in a million per report): storeWithFreshReceipt draws another.
  const { value: stored } = await storeWithFreshReceipt(
    (receipt) =>
      db.transaction(async (tx) => {
        // First, before any row lock: the month's key epochs (a key rotation takes them first too).
        const wrappedKey = await wrapNewReportKey(tx, services.reportKeys, id, dek, receivedAt);
        await recordPendingEquality(tx, services.reportKeys, input.institutionId, receivedAt, input.equality);
        // Random: a repeat within the school is a unique violation, and the whole attempt is redrawn.
        const reference = newReference();
        await tx.insert(reports).values({ ...values, wrappedKey, reference });
        // Before any audit event: the school's lock is always taken before the audit log's.
        await recordNamedHandlers(tx, masterKey, {
          id,
          institutionId: input.institutionId,
          peopleText: peopleText(people),
        });
        await tx
          .insert(reportReceipts)
          .values({ reportId: id, locator: receipt.locator, secretHash: receipt.secretHash });
        if (input.matching && escrowAccount) {
          await holdForMatching(tx, services, {
            reportId: id,
            institutionId: input.institutionId,
            accountHash: escrowAccount,
            matching: input.matching,
            at: receivedAt,
            ...(options.matchingHoldMonths ? { holdMonths: options.matchingHoldMonths } : {}),
          });
        }
        await recordAudit(tx, {
          // Never the reporter, even for a named report: the audit log is not sealed.
          actorUserId: null,
          action: 'reports.submit',
          subjectType: 'speak_up_report',
          subjectId: id,
          data: { reference, anonymous: !reporter },
        });
        return { reference, receipt: receipt.code };
      }),
    isUniqueViolation,
  ).finally(() => dek.fill(0));
  return { id, ...stored };
}

// ---- following a report with its receipt ---------------------------------------------------------

const noSuchReceipt = () =>
  new AppError(
    'not_found',
    'No report matches that receipt code. Check all 20 digits and try again; if the report was deleted, the code no longer works.',
  );

/** The report a receipt code opens, or a 404 that says nothing about which part was wrong. */
export async function reportIdForReceipt(db: Db | Tx, receipt: string): Promise<string> {
  if (!splitReceipt(receipt)) throw invalid('A receipt code is 20 digits, like 1234-5678-9012-3456-7890.');
  const row = await findByReceipt(receipt, async (locator) => {
    const [found] = await db
      .select({ reportId: reportReceipts.reportId, secretHash: reportReceipts.secretHash })
      .from(reportReceipts)
      .where(eq(reportReceipts.locator, locator))
      .limit(1);
    return found;
  });
  if (!row) throw noSuchReceipt();
  return row.reportId;
}

async function loadReport(tx: Db | Tx, reportId: string, lock = false) {
  const query = tx
    .select({ report: reports, providerName: placementProviders.name })
    .from(reports)
    .leftJoin(placementProviders, eq(placementProviders.id, reports.placementProviderId))
    .where(eq(reports.id, reportId))
    .limit(1);
  const [row] = lock ? await query.for('update', { of: reports }) : await query;
  return row ?? null;
}

type ReporterView = z.input<typeof ReporterViewSchema>;

/** What the reporter sees: status, their own words, the messages (never internal notes), support. */
export async function reporterView(services: Services, reportId: string): Promise<ReporterView> {
  const { db } = services;
  const row = await loadReport(db, reportId);
  if (!row?.report.wrappedKey) throw noSuchReceipt();
  const r = row.report;
  const key = openReportKey(services.reportKeys, r.id, r.wrappedKey!);
  try {
    const hold = await holdOf(db, r.id);
    const messages = await db
      .select({
        id: reportMessages.id,
        author: reportMessages.author,
        bodySealed: reportMessages.bodySealed,
        createdAt: reportMessages.createdAt,
      })
      .from(reportMessages)
      .where(and(eq(reportMessages.reportId, r.id), eq(reportMessages.internal, false)))
      .orderBy(asc(reportMessages.createdAt), asc(reportMessages.id));
    return {
      reference: r.reference,
      status: r.status,
      receivedAt: r.receivedAt.toISOString(),
      acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
      closedAt: r.closedAt?.toISOString() ?? null,
      outcome: r.outcome,
      submission: openSubmission(key, r, row.providerName),
      messages: messages.map((m) => ({
        id: m.id,
        author: m.author,
        // The field name binds author and kind: a note relabelled as a message would not open.
        body: key.open(`message:${m.author}:${m.id}`, m.bodySealed),
        createdAt: m.createdAt.toISOString(),
      })),
      supportContacts: await listSupportContacts(db, r.institutionId),
      hold: hold ? { until: hold.until.toISOString(), onExpiry: hold.onExpiry } : null,
    };
  } finally {
    key.destroy();
  }
}

/** The reporter adds information or answers a handler. */
export async function addReporterMessage(
  services: Services,
  reportId: string,
  body: string,
  options: { at?: Date } = {},
): Promise<{ id: string; createdAt: string }> {
  const { db } = services;
  return db.transaction(async (tx) => {
    const row = await loadReport(tx, reportId, true);
    if (!row?.report.wrappedKey) throw noSuchReceipt();
    const key = openReportKey(services.reportKeys, reportId, row.report.wrappedKey);
    const id = crypto.randomUUID();
    const now = options.at ?? new Date();
    const bodySealed = key.seal(`message:reporter:${id}`, body);
    key.destroy();
    await tx
      .insert(reportMessages)
      .values({ id, reportId, author: 'reporter', internal: false, bodySealed, createdAt: now });
    await tx
      .update(reports)
      .set({ lastReporterMessageAt: now, updatedAt: now })
      .where(eq(reports.id, reportId));
    await recordAudit(tx, {
      actorUserId: null,
      action: 'reports.reporter_message',
      subjectType: 'speak_up_report',
      subjectId: reportId,
      data: { reference: row.report.reference, messageId: id },
    });
    return { id, createdAt: now.toISOString() };
  });
}

/**
 * Destroys a report's content: the wrapped data key and every sealed field, the messages, notes,
 * escalation details, the receipt and the tokens of the handlers its text named. The case's
 * reference, dates and category facets remain, so handlers see that it was withdrawn and the
 * anonymous counts stay right. Removing the wrapped key lists its key epoch for retirement (a
 * trigger); the caller runs `shredDeletedReports` after the commit, which makes every copy of the
 * key left in the database's files useless (report-keys.ts).
 */
export async function purgeReportContent(tx: Tx, reportId: string, at: Date): Promise<void> {
  await tx.delete(reportMessages).where(eq(reportMessages.reportId, reportId));
  await tx.delete(reportEscalations).where(eq(reportEscalations.reportId, reportId));
  await tx.delete(reportAttachments).where(eq(reportAttachments.reportId, reportId));
  await tx.delete(reportMatchHolds).where(eq(reportMatchHolds.reportId, reportId));
  await tx.delete(reportReceipts).where(eq(reportReceipts.reportId, reportId));
  await tx.delete(reportNamedHandlers).where(eq(reportNamedHandlers.reportId, reportId));
  await tx
    .update(reports)
    .set({
      wrappedKey: null,
      whenSealed: null,
      whereSealed: null,
      peopleSealed: null,
      whatHappenedSealed: null,
      effectSealed: null,
      reporterSealed: null,
      outcomeNoteSealed: null,
      reporterLookup: null,
      purgedAt: at,
      updatedAt: at,
    })
    .where(eq(reports.id, reportId));
}

/** The reporter asks for deletion: the content is purged, and its key shredded, at once. */
export async function deleteByReporter(services: Services, reportId: string): Promise<{ reference: string }> {
  const deleted = await services.db.transaction(async (tx) => {
    const row = await loadReport(tx, reportId, true);
    if (!row?.report.wrappedKey) throw noSuchReceipt();
    const now = new Date();
    // A report still held in matching escrow never reached a case handler: nothing of it is kept.
    if (await isHeld(tx, reportId)) await deleteHeldReport(tx, reportId);
    else {
      await tx.update(reports).set({ deletionRequestedAt: now }).where(eq(reports.id, reportId));
      await purgeReportContent(tx, reportId, now);
    }
    await recordAudit(tx, {
      actorUserId: null,
      action: 'reports.delete_by_reporter',
      subjectType: 'speak_up_report',
      subjectId: reportId,
      data: { reference: row.report.reference },
    });
    return { reference: row.report.reference };
  });
  await shredDeletedReports(services);
  return deleted;
}

// ---- named reporters -------------------------------------------------------------------------------

/** A named reporter's own reports, found by the keyed hash of their id. */
export async function myReports(services: Services, actor: Actor): Promise<z.input<typeof MyReportSchema>[]> {
  const rows = await services.db
    .select({
      id: reports.id,
      reference: reports.reference,
      status: reports.status,
      receivedAt: reports.receivedAt,
      held: sql<boolean>`exists (select 1 from speak_up_match_holds h where h.report_id = "speak_up_reports"."id" and h.released_at is null)`,
      lastReplyAt: sql<
        Date | string | null
      >`(select max(m.created_at) from speak_up_messages m where m.report_id = "speak_up_reports"."id" and m.author <> 'reporter' and not m.internal)`,
    })
    .from(reports)
    .where(eq(reports.reporterLookup, reporterLookupHash(services.masterKey, actor.userId)))
    .orderBy(desc(reports.receivedAt));
  return rows.map((r) => ({
    ...r,
    receivedAt: r.receivedAt.toISOString(),
    lastReplyAt: r.lastReplyAt === null ? null : new Date(r.lastReplyAt).toISOString(),
  }));
}

/** The report, if this signed-in person made it (named); otherwise the same 404 as a wrong receipt. */
export async function myReportId(services: Services, actor: Actor, reportId: string): Promise<string> {
  const [row] = await services.db
    .select({ id: reports.id, reporterSealed: reports.reporterSealed, wrappedKey: reports.wrappedKey })
    .from(reports)
    .where(
      and(
        eq(reports.id, reportId),
        eq(reports.reporterLookup, reporterLookupHash(services.masterKey, actor.userId)),
      ),
    )
    .limit(1);
  if (!row?.wrappedKey || !row.reporterSealed) throw notFound('That report');
  // The keyed hash found it; the sealed identity confirms it.
  const key = openReportKey(services.reportKeys, reportId, row.wrappedKey);
  const reporter = key.openJson<ReporterSealed>('reporter', row.reporterSealed);
  key.destroy();
  if (reporter.userId !== actor.userId) throw notFound('That report');
  return reportId;
}

export const reportConflictGone = () =>
  conflict('The reporter deleted this report; its content no longer exists.');
