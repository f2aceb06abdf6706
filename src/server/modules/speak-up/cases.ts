import crypto from 'node:crypto';
import { and, asc, eq, inArray, isNull, not, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { z } from 'zod';
import { queryRows, type Tx } from '../../../db/client';
import {
  institutionRoles,
  placementProviders,
  reportConflicts,
  reportEscalations,
  reportMessages,
  reports,
  users,
} from '../../../db/schema';
import {
  type CaseDetailSchema,
  type CaseListSchema,
  type CaseMessageSchema,
  type CaseQuerySchema,
  type CaseSummarySchema,
  type EscalationCreateSchema,
  type EscalationSchema,
  SpeakUpLimits,
  type Transition,
} from '../../../shared/speak-up/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { conflict, invalid, notFound } from '../../platform/errors';
import type { Services } from '../../platform/services';
import {
  ensureConflictScan,
  formerIdentitiesOf,
  handlersNamedIn,
  notNamedHandler,
  reportNamesHandler,
} from './conflicts';
import { findProvider } from './directory';
import { escrowMatchesOf, isHeld, matchedInEscrow, notHeld, releaseMatchedReport } from './matching';
import { handledInstitutions, mayBeAssigned, mayHandleCasesOf, mayReadCase } from './policy';
import { openReportKey, type ReportKey } from './report-crypto';
import { openPeople, openSubmission, peopleText, type ReporterSealed, reportConflictGone } from './reports';
import { nextStatuses, overdueFlags, STEP_TIMESTAMP, transitionProblem } from './workflow';

/**
 * The case handler's side. Every function starts from the actor: a case the actor may not read
 * (another school, not a handler, no second factor, a conflict of interest) is a 404, whatever
 * the reason, and nothing is written. Every read and every change writes an audit event in the
 * same transaction, without any of the report's content.
 */

type CaseSummary = z.input<typeof CaseSummarySchema>;
type CaseDetail = z.input<typeof CaseDetailSchema>;
type CaseMessage = z.input<typeof CaseMessageSchema>;
type Escalation = z.input<typeof EscalationSchema>;
type ReportRow = typeof reports.$inferSelect;

const noSuchCase = () => notFound('That case');

/** Options for demo data, which is created at past times. */
export type At = { at?: Date };

export type AuthorisedCase = {
  row: ReportRow;
  key: ReportKey | null;
  conflictedUserIds: string[];
  peopleText: string | null;
  /** Held in matching escrow (and matched, or it would not have opened). */
  held: boolean;
};

/**
 * Loads a case for this actor, or throws a 404. `lock` takes the row lock a change needs. The
 * caller must destroy the key (use `withCase`).
 */
async function authoriseCase(
  tx: Tx,
  services: Services,
  actor: Actor,
  reportId: string,
  lock: boolean,
): Promise<AuthorisedCase> {
  const query = tx.select().from(reports).where(eq(reports.id, reportId)).limit(1);
  const [row] = lock ? await query.for('update') : await query;
  // Decide on the institution before any decryption. A report held in matching escrow is not
  // a case yet: nobody sees it unless another person's live entry matches it.
  if (!row || !mayHandleCasesOf(actor, row.institutionId)) throw noSuchCase();
  const held = await isHeld(tx, reportId);
  if (held && (await escrowMatchesOf(tx, reportId)).length === 0) throw noSuchCase();
  const conflictedUserIds = (
    await tx
      .select({ userId: reportConflicts.userId })
      .from(reportConflicts)
      .where(eq(reportConflicts.reportId, reportId))
  ).map((c) => c.userId);
  // Found to name this handler once (under any name they had): closed to them for good.
  if (await reportNamesHandler(tx, services.masterKey, row, actor.userId)) throw noSuchCase();
  const former = (await formerIdentitiesOf(tx, [actor.userId])).get(actor.userId) ?? [];
  const key = row.wrappedKey ? openReportKey(services.reportKeys, row.id, row.wrappedKey) : null;
  const text = peopleText(openPeople(key, row));
  if (
    !mayReadCase(actor, { institutionId: row.institutionId, conflictedUserIds, peopleText: text }, former)
  ) {
    key?.destroy();
    throw noSuchCase();
  }
  return { row, key, conflictedUserIds, peopleText: text, held };
}

/** Runs `work` on a case this actor may read (else a 404); the key is destroyed afterwards. */
export async function withCase<T>(
  services: Services,
  actor: Actor,
  reportId: string,
  lock: boolean,
  work: (tx: Tx, c: AuthorisedCase) => Promise<T>,
): Promise<T> {
  return services.db.transaction(async (tx) => {
    const c = await authoriseCase(tx, services, actor, reportId, lock);
    try {
      return await work(tx, c);
    } finally {
      c.key?.destroy();
    }
  });
}

/** The columns a queue line needs: no sealed column is read for the queue. */
const summaryColumns = {
  id: reports.id,
  reference: reports.reference,
  institutionId: reports.institutionId,
  status: reports.status,
  anonymous: reports.anonymous,
  setting: reports.setting,
  outcomeWanted: reports.outcomeWanted,
  assessmentProtection: reports.assessmentProtection,
  receivedAt: reports.receivedAt,
  acknowledgedAt: reports.acknowledgedAt,
  actionAt: reports.actionAt,
  closedAt: reports.closedAt,
  acknowledgeDueAt: reports.acknowledgeDueAt,
  respondDueAt: reports.respondDueAt,
  lastReporterMessageAt: reports.lastReporterMessageAt,
  deletionRequestedAt: reports.deletionRequestedAt,
};

function summarise(
  row: Pick<ReportRow, keyof typeof summaryColumns>,
  handler: { id: string; name: string } | null,
  now: Date,
  matchedInEscrow = false,
): CaseSummary {
  return {
    id: row.id,
    reference: row.reference,
    institutionId: row.institutionId,
    status: row.status,
    anonymous: row.anonymous,
    setting: row.setting,
    outcomeWanted: row.outcomeWanted,
    assessmentProtection: row.assessmentProtection,
    receivedAt: row.receivedAt.toISOString(),
    acknowledgeDueAt: row.acknowledgeDueAt.toISOString(),
    respondDueAt: row.respondDueAt.toISOString(),
    assignedHandler: handler,
    lastReporterMessageAt: row.lastReporterMessageAt?.toISOString() ?? null,
    // Purged at the reporter's request (a retention purge is not the reporter's doing).
    deletedByReporter: row.deletionRequestedAt !== null,
    overdue: overdueFlags(row, now),
    matchedInEscrow,
  };
}

async function handlerOf(tx: Tx, userId: string | null): Promise<{ id: string; name: string } | null> {
  if (!userId) return null;
  const [u] = await tx.select({ id: users.id, name: users.name }).from(users).where(eq(users.id, userId));
  return u ?? null;
}

// ---- the queue --------------------------------------------------------------------------------------

/** SQL: a deadline of the case has passed (the same rule as `overdueFlags`). */
const overdueSql = (now: Date) =>
  sql`(${reports.closedAt} is null and ((${reports.acknowledgedAt} is null and ${reports.acknowledgeDueAt} < ${now}) or (${reports.actionAt} is null and ${reports.respondDueAt} < ${now})))`;

/**
 * The queue of the actor's institutions: filters, overdue flags, 25 to a page. Open cases come
 * first, the nearest response deadline first; closed ones after, the most recently closed first.
 * Filtered, counted and paged in SQL; nothing is decrypted. A case is left out when the actor is
 * marked conflicted on it or named in it (`speak_up_named_handlers`, brought up to date for this
 * handler first by `ensureConflictScan`).
 */
export async function listCases(
  services: Services,
  actor: Actor,
  query: z.output<typeof CaseQuerySchema>,
  now = new Date(),
): Promise<z.input<typeof CaseListSchema>> {
  let institutionIds = handledInstitutions(actor);
  if (query.institutionId) institutionIds = institutionIds.filter((id) => id === query.institutionId);
  if (institutionIds.length === 0) throw notFound('That case queue');
  for (const institutionId of institutionIds) {
    await ensureConflictScan(services.db, services.masterKey, services.reportKeys, actor, institutionId, now);
  }
  const conditions = [
    inArray(reports.institutionId, institutionIds),
    sql`not exists (select 1 from speak_up_conflicts c where c.report_id = "speak_up_reports"."id" and c.user_id = ${actor.userId})`,
    notNamedHandler(services.masterKey, institutionIds, actor.userId),
    or(notHeld, matchedInEscrow)!,
  ];
  if (query.status) conditions.push(eq(reports.status, query.status));
  if (query.assigned === 'me') conditions.push(eq(reports.assignedHandlerId, actor.userId));
  if (query.assigned === 'unassigned') conditions.push(isNull(reports.assignedHandlerId));
  if (query.overdue !== undefined) conditions.push(query.overdue ? overdueSql(now) : not(overdueSql(now)));
  const where = and(...conditions);
  const pageSize = SpeakUpLimits.casesPageSize;
  const offset = (query.page - 1) * pageSize;
  // Open and closed cases are read in two branches, each in the order of its own partial index
  // and only as far as this page needs; the outer query merges them in the queue's order.
  const branch = (open: boolean) =>
    sql`(select ${queueColumns} from speak_up_reports where ${where} and ${
      open ? sql`status <> 'closed'` : sql`status = 'closed'`
    } order by ${
      open ? sql`respond_due_at asc, reference asc` : sql`closed_at desc nulls last, reference asc`
    } limit ${offset + pageSize})`;
  const [rows, [counted]] = await Promise.all([
    queryRows<QueueRow>(
      services.db,
      sql`select q.*, u.name as "handlerName" from (${branch(true)} union all ${branch(false)}) q
        left join users u on u.id = q."assignedHandlerId"
        order by (q.status = 'closed'), case when q.status = 'closed' then null else q."respondDueAt" end asc,
          q."closedAt" desc nulls last, q.reference asc
        limit ${pageSize} offset ${offset}`,
    ),
    services.db.select({ total: sql<number>`count(*)::int` }).from(reports).where(where),
  ]);
  return {
    items: rows.map((r) =>
      summarise(
        queueRow(r),
        r.assignedHandlerId && r.handlerName ? { id: r.assignedHandlerId, name: r.handlerName } : null,
        now,
        r.held === true,
      ),
    ),
    page: query.page,
    pageSize,
    total: counted?.total ?? 0,
  };
}

/** The queue's columns as raw SQL (the branches of a union), named as the summary wants them. */
const queueColumns = sql.raw(
  [
    ...Object.entries(summaryColumns).map(([key, column]) => `"${column.name}" as "${key}"`),
    '"assigned_handler_id" as "assignedHandlerId"',
    // Only a matched entry is in the queue while held, so "held" here means "matched, to decide".
    'exists (select 1 from speak_up_match_holds h where h.report_id = "speak_up_reports"."id" and h.released_at is null) as "held"',
  ].join(', '),
);

type QueueRow = { [K in keyof typeof summaryColumns]: unknown } & {
  assignedHandlerId: string | null;
  handlerName: string | null;
  held: boolean;
};

/** A raw queue row with its timestamps as dates (drivers differ: Date or ISO text). */
function queueRow(r: QueueRow): Pick<ReportRow, keyof typeof summaryColumns> {
  const at = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string | Date));
  return {
    ...(r as unknown as Pick<ReportRow, keyof typeof summaryColumns>),
    receivedAt: at(r.receivedAt)!,
    acknowledgedAt: at(r.acknowledgedAt),
    actionAt: at(r.actionAt),
    closedAt: at(r.closedAt),
    acknowledgeDueAt: at(r.acknowledgeDueAt)!,
    respondDueAt: at(r.respondDueAt)!,
    lastReporterMessageAt: at(r.lastReporterMessageAt),
    deletionRequestedAt: at(r.deletionRequestedAt),
  };
}

// ---- one case ------------------------------------------------------------------------------------

/** A case in full, decrypted. Every read is an audit event, written in the same transaction. */
export async function getCase(
  services: Services,
  actor: Actor,
  reportId: string,
  now = new Date(),
): Promise<CaseDetail> {
  return withCase(
    services,
    actor,
    reportId,
    false,
    async (tx, { row, key, conflictedUserIds, peopleText: text, held }) => {
      const author = alias(users, 'author');
      const [providerRow] = row.placementProviderId
        ? await tx
            .select({ name: placementProviders.name })
            .from(placementProviders)
            .where(eq(placementProviders.id, row.placementProviderId))
        : [];
      const messageRows = await tx
        .select({ message: reportMessages, handlerName: author.name })
        .from(reportMessages)
        .leftJoin(author, eq(author.id, reportMessages.handlerUserId))
        .where(eq(reportMessages.reportId, row.id))
        .orderBy(asc(reportMessages.createdAt), asc(reportMessages.id));
      const creator = alias(users, 'creator');
      const escalationRows = await tx
        .select({
          escalation: reportEscalations,
          providerName: placementProviders.name,
          creatorName: creator.name,
        })
        .from(reportEscalations)
        .leftJoin(placementProviders, eq(placementProviders.id, reportEscalations.providerId))
        .leftJoin(creator, eq(creator.id, reportEscalations.createdBy))
        .where(eq(reportEscalations.reportId, row.id))
        .orderBy(asc(reportEscalations.createdAt));
      const reporter =
        key && row.reporterSealed ? key.openJson<ReporterSealed>('reporter', row.reporterSealed) : null;
      const detail: CaseDetail = {
        ...summarise(row, await handlerOf(tx, row.assignedHandlerId), now, held),
        actionKind: row.actionKind,
        outcome: row.outcome,
        outcomeNote: key ? key.openOptional('outcome_note', row.outcomeNoteSealed) : null,
        acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
        assessingAt: row.assessingAt?.toISOString() ?? null,
        actionAt: row.actionAt?.toISOString() ?? null,
        closedAt: row.closedAt?.toISOString() ?? null,
        submission: key ? openSubmission(key, row, providerRow?.name ?? null) : null,
        reporter: reporter
          ? { name: reporter.name, email: reporter.email, consentToContact: reporter.consentToContact }
          : null,
        messages: key
          ? messageRows.map(({ message: m, handlerName }) => presentMessage(key, m, handlerName))
          : [],
        escalations: key
          ? escalationRows.map(({ escalation, providerName, creatorName }) =>
              presentEscalation(key, escalation, providerName, creatorName),
            )
          : [],
        // A held report is not a case until a handler releases it.
        nextStatuses: held ? [] : nextStatuses(row.status, { purged: row.purgedAt !== null }),
        ...(held ? { escrowMatches: await escrowMatchesOf(tx, row.id) } : {}),
        handlers: await handlersOfCase(tx, row.institutionId, conflictedUserIds, text),
      };
      await recordAudit(tx, {
        actorUserId: actor.userId,
        action: 'cases.read',
        subjectType: 'speak_up_report',
        subjectId: row.id,
        data: { reference: row.reference },
      });
      return detail;
    },
  );
}

/** The school's case handlers, each with the conflict of interest that keeps them off this case. */
async function handlersOfCase(
  tx: Tx,
  institutionId: string,
  conflictedUserIds: readonly string[],
  text: string | null,
): Promise<NonNullable<CaseDetail['handlers']>> {
  const rows = await tx
    .select({ id: users.id, name: users.name, email: users.email })
    .from(institutionRoles)
    .innerJoin(users, eq(users.id, institutionRoles.userId))
    .where(
      and(
        eq(institutionRoles.institutionId, institutionId),
        eq(institutionRoles.role, 'case_handler'),
        isNull(users.disabledAt),
      ),
    )
    .orderBy(asc(users.name));
  const former = await formerIdentitiesOf(
    tx,
    rows.map((h) => h.id),
  );
  return rows.map((h) => ({
    id: h.id,
    name: h.name,
    conflict:
      handlersNamedIn(text, [{ ...h, userId: h.id }], former).length > 0
        ? 'named'
        : conflictedUserIds.includes(h.id)
          ? 'declared'
          : null,
  }));
}

function presentMessage(
  key: ReportKey,
  m: typeof reportMessages.$inferSelect,
  handlerName: string | null,
): CaseMessage {
  const field = m.internal ? (`note:${m.id}` as const) : (`message:${m.author}:${m.id}` as const);
  return {
    id: m.id,
    author: m.author,
    internal: m.internal,
    handler: m.handlerUserId && handlerName ? { id: m.handlerUserId, name: handlerName } : null,
    body: key.open(field, m.bodySealed),
    createdAt: m.createdAt.toISOString(),
  };
}

type EscalationSealed = { contactRole: string; contactName: string | null; shared: string };

function presentEscalation(
  key: ReportKey,
  e: typeof reportEscalations.$inferSelect,
  providerName: string | null,
  creatorName: string | null,
): Escalation {
  const detail = key.openJson<EscalationSealed>(`escalation:${e.id}`, e.detailSealed);
  return {
    id: e.id,
    providerId: e.providerId,
    providerName,
    contactRole: detail.contactRole,
    contactName: detail.contactName,
    shared: detail.shared,
    responseDueOn: e.responseDueOn,
    createdAt: e.createdAt.toISOString(),
    createdBy: e.createdBy && creatorName ? { id: e.createdBy, name: creatorName } : null,
  };
}

// ---- changes ------------------------------------------------------------------------------------

/**
 * A case handler's decision on a held report that another person's entry matches: release it to
 * case handling (deadlines start now; the reporter is told only that a handler took it up). The
 * handler may instead first write to the reporter through the case's messages, which they read
 * with their receipt.
 */
export async function releaseFromEscrow(
  services: Services,
  actor: Actor,
  reportId: string,
  options: At = {},
): Promise<CaseSummary> {
  const at = options.at ?? new Date();
  return withCase(services, actor, reportId, true, async (tx) => {
    await releaseMatchedReport(tx, services, reportId, actor.userId, at);
    const [updated] = await tx.select().from(reports).where(eq(reports.id, reportId));
    return summarise(updated!, await handlerOf(tx, updated!.assignedHandlerId), at);
  });
}

/** Assigns the case to a handler of its institution without a conflict of interest, or unassigns it. */
export async function assignCase(
  services: Services,
  actor: Actor,
  reportId: string,
  handlerId: string | null,
  options: At = {},
): Promise<CaseSummary> {
  return withCase(services, actor, reportId, true, async (tx, c) => {
    const at = options.at ?? new Date();
    if (handlerId) {
      const [candidate] = await tx
        .select({ id: users.id, name: users.name, email: users.email })
        .from(users)
        .innerJoin(
          institutionRoles,
          and(
            eq(institutionRoles.userId, users.id),
            eq(institutionRoles.institutionId, c.row.institutionId),
            eq(institutionRoles.role, 'case_handler'),
          ),
        )
        .where(and(eq(users.id, handlerId), isNull(users.disabledAt)));
      if (!candidate) {
        throw invalid('That person is not a case handler of this school.', [
          { path: 'handlerId', message: 'Choose one of the school’s case handlers.' },
        ]);
      }
      const subject = {
        institutionId: c.row.institutionId,
        conflictedUserIds: c.conflictedUserIds,
        peopleText: c.peopleText,
      };
      const former = (await formerIdentitiesOf(tx, [candidate.id])).get(candidate.id) ?? [];
      const named = await reportNamesHandler(tx, services.masterKey, c.row, candidate.id);
      if (
        named ||
        !mayBeAssigned(
          { userId: candidate.id, ...candidate, handlerOf: [c.row.institutionId] },
          subject,
          former,
        )
      ) {
        throw conflict('That handler has a conflict of interest with this case; choose another.');
      }
    }
    const [updated] = await tx
      .update(reports)
      .set({ assignedHandlerId: handlerId, updatedAt: at })
      .where(eq(reports.id, reportId))
      .returning();
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'cases.assign',
      subjectType: 'speak_up_report',
      subjectId: reportId,
      data: { reference: c.row.reference, from: c.row.assignedHandlerId, to: handlerId },
    });
    return summarise(updated!, await handlerOf(tx, handlerId), at);
  });
}

/** Moves the case one step along the workflow, stamping when it entered the step. */
export async function transitionCase(
  services: Services,
  actor: Actor,
  reportId: string,
  input: Transition,
  options: At = {},
): Promise<CaseSummary> {
  return withCase(services, actor, reportId, true, async (tx, c) => {
    const at = options.at ?? new Date();
    if (c.held) {
      throw conflict('This report is held for a match: release it to case handling before moving it on.');
    }
    const purged = c.row.purgedAt !== null;
    const problem = transitionProblem(c.row.status, input, { purged });
    if (problem) throw conflict(problem);
    if (input.outcomeNote && !c.key) throw reportConflictGone();
    const step = STEP_TIMESTAMP[input.to as keyof typeof STEP_TIMESTAMP];
    const [updated] = await tx
      .update(reports)
      .set({
        status: input.to,
        [step]: at,
        ...(input.to === 'action' ? { actionKind: input.actionKind } : {}),
        ...(input.to === 'closed'
          ? {
              outcome: input.outcome,
              outcomeNoteSealed: c.key ? c.key.sealOptional('outcome_note', input.outcomeNote) : null,
            }
          : {}),
        updatedAt: at,
      })
      .where(eq(reports.id, reportId))
      .returning();
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'cases.transition',
      subjectType: 'speak_up_report',
      subjectId: reportId,
      data: {
        reference: c.row.reference,
        from: c.row.status,
        to: input.to,
        ...(input.actionKind ? { actionKind: input.actionKind } : {}),
        ...(input.outcome ? { outcome: input.outcome } : {}),
      },
    });
    return summarise(updated!, await handlerOf(tx, updated!.assignedHandlerId), at);
  });
}

/** A message to the reporter (`internal: false`) or an internal note for handlers only. */
export async function addCaseMessage(
  services: Services,
  actor: Actor,
  reportId: string,
  body: string,
  internal: boolean,
  options: At = {},
): Promise<CaseMessage> {
  return withCase(services, actor, reportId, true, async (tx, c) => {
    if (!c.key) throw reportConflictGone();
    const at = options.at ?? new Date();
    const id = crypto.randomUUID();
    const field = internal ? (`note:${id}` as const) : (`message:handler:${id}` as const);
    const [m] = await tx
      .insert(reportMessages)
      .values({
        id,
        reportId,
        author: 'handler',
        handlerUserId: actor.userId,
        internal,
        bodySealed: c.key.seal(field, body),
        createdAt: at,
      })
      .returning();
    await tx.update(reports).set({ updatedAt: at }).where(eq(reports.id, reportId));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: internal ? 'cases.note' : 'cases.message',
      subjectType: 'speak_up_report',
      subjectId: reportId,
      data: { reference: c.row.reference, messageId: id },
    });
    return presentMessage(c.key, m!, actor.name);
  });
}

/** Records a referral to a placement provider (or the formal complaints process). */
export async function addEscalation(
  services: Services,
  actor: Actor,
  reportId: string,
  input: z.output<typeof EscalationCreateSchema>,
  options: At = {},
): Promise<Escalation> {
  return withCase(services, actor, reportId, true, async (tx, c) => {
    if (!c.key) throw reportConflictGone();
    if (c.row.status === 'closed') throw conflict('This case is closed.');
    const provider = input.providerId ? await findProvider(tx, c.row.institutionId, input.providerId) : null;
    if (input.providerId && !provider) {
      throw invalid('That placement provider is not on this school’s list.', [
        { path: 'providerId', message: 'Choose a provider from the list.' },
      ]);
    }
    const at = options.at ?? new Date();
    const id = crypto.randomUUID();
    const detail: EscalationSealed = {
      contactRole: input.contactRole,
      contactName: input.contactName ?? null,
      shared: input.shared,
    };
    const [e] = await tx
      .insert(reportEscalations)
      .values({
        id,
        reportId,
        providerId: provider?.id ?? null,
        detailSealed: c.key.sealJson(`escalation:${id}`, detail),
        responseDueOn: input.responseDueOn,
        createdBy: actor.userId,
        createdAt: at,
      })
      .returning();
    await tx.update(reports).set({ updatedAt: at }).where(eq(reports.id, reportId));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'cases.escalate',
      subjectType: 'speak_up_report',
      subjectId: reportId,
      data: {
        reference: c.row.reference,
        escalationId: id,
        providerId: provider?.id ?? null,
        responseDueOn: input.responseDueOn,
      },
    });
    return presentEscalation(c.key, e!, provider?.name ?? null, actor.name);
  });
}

/**
 * Marks a handler (oneself or a colleague) as having a conflict of interest: from then on they
 * cannot see the case, and it is taken off them if it was theirs.
 */
export async function declareConflict(
  services: Services,
  actor: Actor,
  reportId: string,
  handlerId: string,
): Promise<void> {
  await withCase(services, actor, reportId, true, async (tx, c) => {
    const [role] = await tx
      .select({ userId: institutionRoles.userId })
      .from(institutionRoles)
      .where(
        and(
          eq(institutionRoles.userId, handlerId),
          eq(institutionRoles.institutionId, c.row.institutionId),
          eq(institutionRoles.role, 'case_handler'),
        ),
      );
    if (!role) {
      throw invalid('That person is not a case handler of this school.', [
        { path: 'handlerId', message: 'Choose one of the school’s case handlers.' },
      ]);
    }
    await tx
      .insert(reportConflicts)
      .values({ reportId, userId: handlerId, declaredBy: actor.userId })
      .onConflictDoNothing();
    const unassigned = c.row.assignedHandlerId === handlerId;
    if (unassigned) {
      await tx
        .update(reports)
        .set({ assignedHandlerId: null, updatedAt: new Date() })
        .where(eq(reports.id, reportId));
    }
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'cases.conflict_declare',
      subjectType: 'speak_up_report',
      subjectId: reportId,
      data: { reference: c.row.reference, userId: handlerId, unassigned },
    });
  });
}
