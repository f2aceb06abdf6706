import {
  and,
  asc,
  count,
  desc,
  eq,
  exists,
  getTableColumns,
  inArray,
  isNull,
  lt,
  ne,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client';
import {
  actions,
  concernCounters,
  concernEvents,
  concernFlags,
  concernReceipts,
  concernSupports,
  concerns,
  memberships,
  networks,
  users,
} from '../../../db/schema';
import {
  type ActionBrief,
  type ConcernAuthorView,
  type ConcernCreate,
  type ConcernCreated,
  type ConcernDetail,
  type ConcernEdit,
  type ConcernEvent,
  type ConcernList,
  type ConcernListQuery,
  type ConcernSummary,
  STATUS_LABELS,
  type SupportState,
} from '../../../shared/concerns/schema';
import { type Actor, isLeadOf } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { isUniqueViolation } from '../../platform/db-errors';
import { AppError, conflict, forbidden, invalid, notFound } from '../../platform/errors';
import { type NotifyMail, notify } from '../../platform/notifications';
import { findByReceipt, storeWithFreshReceipt } from '../../platform/receipt';
import { addDays, clocksOf, isConcernOverdue } from './clocks';
import {
  type ConcernFacts,
  mayEditConcern,
  mayFlag,
  mayManageConcerns,
  mayRaiseConcern,
  maySeeAuthor,
  maySeeConcern,
  maySeeNetworkConcerns,
  maySupport,
} from './policy';
import { effectiveProgress } from './progress';

/**
 * Concerns: raising (named, anonymous to members, or fully anonymous with a receipt), reading
 * (authors shown only as the policy allows), editing with history, support, and moderation.
 * Triage and actions are in triage.ts and actions.ts.
 */

/** A concern's columns without its search vector (never sent anywhere; large). */
export const { search: _search, ...concernColumns } = getTableColumns(concerns);
export type ConcernRow = Omit<typeof concerns.$inferSelect, 'search'>;

/** Options every writing function takes: the e-mail copies of notifications, and the time (demo data). */
export type WriteOptions = { mail?: NotifyMail | null | undefined; now?: Date | undefined };

export async function loadNetwork(db: Db | Tx, networkId: string) {
  const [network] = await db
    .select({
      id: networks.id,
      name: networks.name,
      slug: networks.slug,
      institutionId: networks.institutionId,
      visitorsMayRaiseConcerns: networks.visitorsMayRaiseConcerns,
    })
    .from(networks)
    .where(eq(networks.id, networkId));
  if (!network) throw notFound('That network');
  return network;
}

/** The network's concerns and actions are for its members and admins; to anyone else it is not there. */
export function assertSeesNetwork(actor: Actor | null, networkId: string): asserts actor is Actor {
  if (!maySeeNetworkConcerns(actor, networkId)) throw notFound('That network');
}
export function assertManagesNetwork(actor: Actor | null, networkId: string): asserts actor is Actor {
  assertSeesNetwork(actor, networkId);
  if (!mayManageConcerns(actor, networkId)) {
    throw forbidden('Only the network’s leads (and admins) may do that.');
  }
}

/** The next number of a concern or an action in a network (#12, A-7): the counter row is locked by the upsert. */
export async function nextNumber(tx: Tx, networkId: string, kind: 'concern' | 'action'): Promise<number> {
  const [row] = await tx
    .insert(concernCounters)
    .values({ networkId, kind, lastNumber: 1 })
    .onConflictDoUpdate({
      target: [concernCounters.networkId, concernCounters.kind],
      set: { lastNumber: sql`"concern_counters"."last_number" + 1` },
    })
    .returning({ lastNumber: concernCounters.lastNumber });
  return row!.lastNumber;
}

export const concernLink = (id: string) => `/concerns/${id}`;
export const actionLink = (id: string) => `/actions/${id}`;

// ---- raising --------------------------------------------------------------------------------------

/**
 * Raises a concern. A fully anonymous concern stores no author at all (not in the row, its events
 * or the audit log) and answers with a receipt code, shown once; the audit log never names the
 * author of a concern that is anonymous to members either (the row keeps them, for the leads).
 */
export async function raiseConcern(
  db: Db,
  actor: Actor | null,
  networkId: string,
  input: ConcernCreate,
  options: WriteOptions = {},
): Promise<ConcernCreated> {
  const network = await loadNetwork(db, networkId);
  if (!mayRaiseConcern(actor, network, input.visibility)) {
    if (network.visitorsMayRaiseConcerns) {
      throw invalid('Without membership of this network, a concern can only be raised fully anonymously.', [
        { path: 'visibility', message: 'Choose “fully anonymous”, or join the network first.' },
      ]);
    }
    if (!actor) throw new AppError('unauthenticated', 'Sign in to raise a concern in this network.');
    throw forbidden('Only members of this network may raise concerns in it.');
  }
  const at = options.now ?? new Date();
  const authorId = input.visibility === 'anonymous' ? null : actor!.userId;
  const write = (receipt?: { locator: string; secretHash: string }) =>
    db.transaction(async (tx) => {
      const { firstAnswerDays } = await clocksOf(tx, networkId);
      const number = await nextNumber(tx, networkId, 'concern');
      const [row] = await tx
        .insert(concerns)
        .values({
          networkId,
          number,
          title: input.title,
          description: input.description,
          category: input.category,
          moduleRef: input.moduleRef ?? null,
          placementSite: input.placementSite ?? null,
          visibility: input.visibility,
          authorId,
          firstAnswerDueAt: addDays(at, firstAnswerDays),
          createdAt: at,
          updatedAt: at,
        })
        .returning({ id: concerns.id });
      const id = row!.id;
      if (receipt) await tx.insert(concernReceipts).values({ concernId: id, ...receipt });
      await tx.insert(concernEvents).values({
        concernId: id,
        kind: 'raised',
        actorId: authorId,
        toStatus: 'new',
        data: { visibility: input.visibility },
        createdAt: at,
      });
      await recordAudit(tx, {
        actorUserId: input.visibility === 'named' ? authorId : null,
        action: 'concerns.raise',
        subjectType: 'concern',
        subjectId: id,
        data: { networkId, number, visibility: input.visibility },
      });
      return { id, number };
    });
  if (input.visibility === 'anonymous') {
    const { value, code } = await storeWithFreshReceipt((receipt) => write(receipt), isUniqueViolation);
    return { ...value, receipt: code };
  }
  return { ...(await write()), receipt: null };
}

// ---- reading --------------------------------------------------------------------------------------

const facts = (row: ConcernRow): ConcernFacts => ({
  networkId: row.networkId,
  authorId: row.authorId,
  visibility: row.visibility,
  status: row.status,
  hiddenAt: row.hiddenAt,
});

/** Brief views of some actions, with their rolled-up progress. */
export async function actionBriefs(db: Db | Tx, actionIds: readonly (string | null)[]) {
  const ids = [...new Set(actionIds.filter((id): id is string => !!id))];
  if (ids.length === 0) return new Map<string, ActionBrief>();
  const rows = await db
    .select({ id: actions.id, number: actions.number, title: actions.title, status: actions.status })
    .from(actions)
    .where(inArray(actions.id, ids));
  const progress = await effectiveProgress(db, ids);
  return new Map(rows.map((r) => [r.id, { ...r, progress: progress.get(r.id) ?? 0 }]));
}

type SummaryRow = ConcernRow & { authorName: string | null; supportedByMe: boolean };

function presentSummary(
  actor: Actor | null,
  row: SummaryRow,
  briefs: Map<string, ActionBrief>,
  now: Date,
): ConcernSummary {
  const showAuthor = maySeeAuthor(actor, facts(row));
  return {
    id: row.id,
    networkId: row.networkId,
    number: row.number,
    title: row.title,
    category: row.category,
    status: row.status,
    visibility: row.visibility,
    author: showAuthor && row.authorId ? { id: row.authorId, name: row.authorName ?? '' } : null,
    authorHiddenFromYou: row.visibility !== 'named' && !showAuthor,
    mine: !!actor && row.authorId === actor.userId,
    supportCount: row.supportCount,
    supportedByMe: row.supportedByMe,
    firstAnswerDueAt: row.firstAnswerDueAt.toISOString(),
    firstAnsweredAt: row.firstAnsweredAt?.toISOString() ?? null,
    overdue: isConcernOverdue(row, now),
    forAgenda: row.forAgenda,
    hidden: row.hiddenAt !== null,
    action: row.actionId ? (briefs.get(row.actionId) ?? null) : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const supportedBy = (userId: string | null) =>
  userId
    ? sql<boolean>`exists (select 1 from ${concernSupports} s where s.concern_id = ${concerns.id} and s.user_id = ${userId})`
    : sql<boolean>`false`;

/** What a viewer of a network's list may see: leads and admins everything, others no hidden concern but their own. */
function visibleTo(actor: Actor, networkId: string): SQL | undefined {
  if (mayManageConcerns(actor, networkId)) return undefined;
  return or(isNull(concerns.hiddenAt), eq(concerns.authorId, actor.userId));
}

/** A search of title and description: every word must match (websearch syntax: "quoted", or, -not). */
const matchesSearch = (q: string) => sql`${concerns.search} @@ websearch_to_tsquery('english', ${q})`;

export async function listConcerns(
  db: Db,
  actor: Actor | null,
  networkId: string,
  query: ConcernListQuery,
  now = new Date(),
): Promise<ConcernList> {
  await loadNetwork(db, networkId);
  assertSeesNetwork(actor, networkId);
  const where = and(
    eq(concerns.networkId, networkId),
    visibleTo(actor, networkId),
    query.status ? eq(concerns.status, query.status) : undefined,
    query.category ? eq(concerns.category, query.category) : undefined,
    query.q ? matchesSearch(query.q) : undefined,
    query.overdue
      ? and(isNull(concerns.firstAnsweredAt), isNull(concerns.hiddenAt), lt(concerns.firstAnswerDueAt, now))
      : undefined,
    query.mine
      ? or(
          eq(concerns.authorId, actor.userId),
          exists(
            db
              .select({ one: sql`1` })
              .from(concernSupports)
              .where(
                and(eq(concernSupports.concernId, concerns.id), eq(concernSupports.userId, actor.userId)),
              ),
          ),
        )
      : undefined,
  );
  const rows = await db
    .select({ concern: concernColumns, authorName: users.name, supportedByMe: supportedBy(actor.userId) })
    .from(concerns)
    .leftJoin(users, eq(users.id, concerns.authorId))
    .where(where)
    .orderBy(desc(concerns.createdAt), desc(concerns.number))
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize);
  const [total] = await db.select({ n: count() }).from(concerns).where(where);
  const briefs = await actionBriefs(
    db,
    rows.map((r) => r.concern.actionId),
  );
  return {
    items: rows.map((r) =>
      presentSummary(
        actor,
        { ...r.concern, authorName: r.authorName, supportedByMe: r.supportedByMe },
        briefs,
        now,
      ),
    ),
    total: total?.n ?? 0,
    page: query.page,
    pageSize: query.pageSize,
  };
}

/**
 * Open concerns like the one about to be raised: any of its words, best matches first (so the
 * author can support an existing one instead). Works the same on PGlite and PostgreSQL.
 */
export async function similarConcerns(db: Db, actor: Actor | null, networkId: string, q: string) {
  await loadNetwork(db, networkId);
  assertSeesNetwork(actor, networkId);
  const words = (q.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? []).slice(0, 12);
  if (words.length === 0) return [];
  const tsquery = sql`websearch_to_tsquery('english', ${words.join(' or ')})`;
  return db
    .select({
      id: concerns.id,
      number: concerns.number,
      title: concerns.title,
      status: concerns.status,
      supportCount: concerns.supportCount,
    })
    .from(concerns)
    .where(
      and(
        eq(concerns.networkId, networkId),
        isNull(concerns.hiddenAt),
        inArray(concerns.status, ['new', 'under_discussion', 'accepted']),
        sql`${concerns.search} @@ ${tsquery}`,
      ),
    )
    .orderBy(
      desc(sql`ts_rank(${concerns.search}, ${tsquery})`),
      desc(concerns.supportCount),
      asc(concerns.number),
    )
    .limit(5);
}

/** One concern with what its presentation needs; null when there is none. */
async function loadConcern(db: Db | Tx, id: string, viewerId: string | null) {
  const [row] = await db
    .select({
      concern: concernColumns,
      authorName: users.name,
      networkName: networks.name,
      supportedByMe: supportedBy(viewerId),
      flaggedByMe: viewerId
        ? sql<boolean>`exists (select 1 from ${concernFlags} f where f.concern_id = ${concerns.id} and f.user_id = ${viewerId})`
        : sql<boolean>`false`,
    })
    .from(concerns)
    .innerJoin(networks, eq(networks.id, concerns.networkId))
    .leftJoin(users, eq(users.id, concerns.authorId))
    .where(eq(concerns.id, id));
  return row ?? null;
}

/** Locks a concern for a change, checking that the actor may see it (else 404). */
async function lockVisibleConcern(tx: Tx, actor: Actor | null, id: string): Promise<ConcernRow> {
  const [row] = await tx.select(concernColumns).from(concerns).where(eq(concerns.id, id)).for('update');
  if (!row || !maySeeConcern(actor, facts(row))) throw notFound('That concern');
  return row;
}

export async function concernDetail(
  db: Db | Tx,
  actor: Actor | null,
  id: string,
  now = new Date(),
): Promise<ConcernDetail> {
  const loaded = await loadConcern(db, id, actor?.userId ?? null);
  if (!loaded || !maySeeConcern(actor, facts(loaded.concern))) throw notFound('That concern');
  const row = loaded.concern;
  const manager = mayManageConcerns(actor, row.networkId);
  const showAuthor = maySeeAuthor(actor, facts(row));
  const events = await db
    .select({ event: concernEvents, actorName: users.name })
    .from(concernEvents)
    .leftJoin(users, eq(users.id, concernEvents.actorId))
    .where(eq(concernEvents.concernId, id))
    .orderBy(asc(concernEvents.createdAt), asc(concernEvents.id));
  // Earlier wording may hold what its author took out (a name, a detail): only leads read it.
  const seesEarlierWording = !!actor && isLeadOf(actor, row.networkId);
  const timeline: ConcernEvent[] = events.map(({ event, actorName }) => {
    // The author's own steps (raising, editing) do not name an author this viewer may not see;
    // who hid a concern is for the leads.
    const byHiddenAuthor = event.actorId !== null && event.actorId === row.authorId && !showAuthor;
    const moderation = (event.kind === 'hidden' || event.kind === 'unhidden') && !manager;
    const showActor = event.actorId !== null && !byHiddenAuthor && !moderation;
    return {
      id: event.id,
      kind: event.kind,
      at: event.createdAt.toISOString(),
      actor: showActor ? { id: event.actorId!, name: actorName ?? '' } : null,
      fromStatus: event.fromStatus,
      toStatus: event.toStatus,
      data: event.kind === 'edited' && !seesEarlierWording ? editSummary(event.data) : event.data,
    };
  });
  let hiddenBy: { id: string; name: string } | null = null;
  if (row.hiddenAt && manager && row.hiddenBy) {
    const [lead] = await db
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(eq(users.id, row.hiddenBy));
    hiddenBy = lead ?? null;
  }
  const briefs = await actionBriefs(db, [row.actionId]);
  const f = facts(row);
  return {
    ...presentSummary(
      actor,
      { ...row, authorName: loaded.authorName, supportedByMe: loaded.supportedByMe },
      briefs,
      now,
    ),
    networkName: loaded.networkName,
    description: row.description,
    moduleRef: row.moduleRef,
    placementSite: row.placementSite,
    answer: row.answer,
    hiddenInfo: row.hiddenAt
      ? { reason: row.hiddenReason ?? '', hiddenAt: row.hiddenAt.toISOString(), hiddenBy }
      : null,
    flagCount: manager ? row.flagCount : null,
    flaggedByMe: loaded.flaggedByMe,
    timeline,
    may: {
      edit: mayEditConcern(actor, f),
      support: maySupport(actor, f),
      triage: manager && !row.hiddenAt,
      moderate: manager,
      flag: mayFlag(actor, f) && !loaded.flaggedByMe,
      redactHistory: manager,
    },
  };
}

// ---- editing, with history ----------------------------------------------------------------------------

type EditData = {
  changes?: Record<string, { before: unknown; after: unknown }>;
  fields?: string[];
  redacted?: { reason: string; at: string };
};

/** An edit as members see it: which fields changed (and whether the leads removed the wording), not the wording. */
function editSummary(data: Record<string, unknown>): Record<string, unknown> {
  const edit = data as EditData;
  return {
    fields: edit.fields ?? Object.keys(edit.changes ?? {}),
    ...(edit.redacted ? { redacted: edit.redacted } : {}),
  };
}

const EDITABLE = ['title', 'description', 'category', 'moduleRef', 'placementSite'] as const;

/** Corrects a concern; the fields before and after go into its history and the audit log. */
export async function editConcern(
  db: Db,
  actor: Actor,
  id: string,
  input: ConcernEdit,
  options: WriteOptions = {},
): Promise<void> {
  const now = options.now ?? new Date();
  await db.transaction(async (tx) => {
    const row = await lockVisibleConcern(tx, actor, id);
    if (!mayEditConcern(actor, facts(row))) {
      throw forbidden(
        row.authorId === actor.userId
          ? 'A concern can be edited by its author only while it is new.'
          : 'Only its author and the network’s leads may edit a concern.',
      );
    }
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    const set: Partial<Record<(typeof EDITABLE)[number], string | null>> = {};
    for (const field of EDITABLE) {
      const raw = input[field];
      if (raw === undefined) continue;
      const after = raw === '' ? null : raw;
      if (after === row[field]) continue;
      changes[field] = { before: row[field], after };
      set[field] = after;
    }
    if (Object.keys(changes).length === 0) return;
    if (set.title === null || set.description === null || set.category === null) {
      throw invalid('A concern needs a title, a description and a category.');
    }
    await tx
      .update(concerns)
      .set({ ...(set as Partial<ConcernRow>), updatedAt: now })
      .where(eq(concerns.id, id));
    await tx.insert(concernEvents).values({
      concernId: id,
      kind: 'edited',
      actorId: actor.userId,
      data: { changes },
      createdAt: now,
    });
    // The audit log is read by admins, who may not learn an anonymous author; it names the fields
    // only, since the audit log cannot be redacted and the wording may be.
    const byAnonymousAuthor = row.authorId === actor.userId && row.visibility !== 'named';
    await recordAudit(tx, {
      actorUserId: byAnonymousAuthor ? null : actor.userId,
      action: 'concerns.edit',
      subjectType: 'concern',
      subjectId: id,
      data: { fields: Object.keys(changes), ...(byAnonymousAuthor ? { by: 'author' } : {}) },
    });
  });
}

/**
 * Removes the earlier (and later) wording of one edit from a concern's history (the network's
 * leads and admins), e.g. a name its author took out. Which fields changed stays; the reason is kept
 * with the edit and in the audit log.
 */
export async function redactEdit(
  db: Db,
  actor: Actor,
  id: string,
  eventId: string,
  reason: string,
  options: WriteOptions = {},
): Promise<void> {
  const now = options.now ?? new Date();
  await db.transaction(async (tx) => {
    const row = await lockVisibleConcern(tx, actor, id);
    if (!mayManageConcerns(actor, row.networkId)) {
      throw forbidden('Only the network’s leads may remove wording from a concern’s history.');
    }
    const [event] = await tx
      .select({ kind: concernEvents.kind, data: concernEvents.data })
      .from(concernEvents)
      .where(and(eq(concernEvents.id, eventId), eq(concernEvents.concernId, id)));
    if (event?.kind !== 'edited') throw notFound('That edit');
    if ((event.data as EditData).redacted) throw conflict('The wording of this edit was already removed.');
    const fields = editSummary(event.data).fields as string[];
    await tx
      .update(concernEvents)
      .set({ data: { fields, redacted: { reason, at: now.toISOString() } } })
      .where(eq(concernEvents.id, eventId));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'concerns.history_redact',
      subjectType: 'concern',
      subjectId: id,
      data: { eventId, fields, reason },
    });
  });
}

// ---- support ------------------------------------------------------------------------------------------

/**
 * Supports a concern (or withdraws support). One per person (the primary key); the count is kept
 * in the same transaction, under the concern's row lock, so it never drifts from the rows.
 */
export async function setSupport(db: Db, actor: Actor, id: string, support: boolean): Promise<SupportState> {
  return db.transaction(async (tx) => {
    const row = await lockVisibleConcern(tx, actor, id);
    if (!maySupport(actor, facts(row))) {
      throw forbidden(
        row.hiddenAt
          ? 'A hidden concern cannot be supported.'
          : 'Only members of the network may support it.',
      );
    }
    let delta = 0;
    if (support) {
      const added = await tx
        .insert(concernSupports)
        .values({ concernId: id, userId: actor.userId })
        .onConflictDoNothing()
        .returning({ userId: concernSupports.userId });
      delta = added.length;
    } else {
      const removed = await tx
        .delete(concernSupports)
        .where(and(eq(concernSupports.concernId, id), eq(concernSupports.userId, actor.userId)))
        .returning({ userId: concernSupports.userId });
      delta = -removed.length;
    }
    let supportCount = row.supportCount;
    if (delta !== 0) {
      const [updated] = await tx
        .update(concerns)
        .set({ supportCount: sql`${concerns.supportCount} + ${delta}` })
        .where(eq(concerns.id, id))
        .returning({ supportCount: concerns.supportCount });
      supportCount = updated!.supportCount;
    }
    return { supportCount, supportedByMe: support };
  });
}

/**
 * The authors of some concerns who must not be named in mail about them: those of concerns that
 * are anonymous to members (their e-mail copies are discreet, see `notify`).
 */
export async function discreetAuthorsOf(db: Db | Tx, concernIds: readonly string[]): Promise<string[]> {
  if (concernIds.length === 0) return [];
  const rows = await db
    .select({ id: concerns.authorId })
    .from(concerns)
    .where(and(inArray(concerns.id, [...concernIds]), ne(concerns.visibility, 'named')));
  return rows.map((r) => r.id).filter((id): id is string => !!id);
}

/** Everyone who follows a concern: its author (if known) and its supporters. */
export async function followersOf(db: Db | Tx, concernIds: readonly string[]): Promise<string[]> {
  if (concernIds.length === 0) return [];
  const authors = await db
    .select({ id: concerns.authorId })
    .from(concerns)
    .where(inArray(concerns.id, [...concernIds]));
  const supporters = await db
    .select({ id: concernSupports.userId })
    .from(concernSupports)
    .where(inArray(concernSupports.concernId, [...concernIds]));
  return [...new Set([...authors, ...supporters].map((r) => r.id).filter((id): id is string => !!id))];
}

// ---- moderation ------------------------------------------------------------------------------------------

/** Leads of a network (who hear of flags). */
export async function leadsOf(db: Db | Tx, networkId: string, title?: 'co_chair'): Promise<string[]> {
  const rows = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(
      and(
        eq(memberships.networkId, networkId),
        eq(memberships.role, 'lead'),
        title ? eq(memberships.leadTitle, title) : undefined,
      ),
    );
  return rows.map((r) => r.userId);
}

/** A member flags a concern as abusive (once each); the leads are told and decide. */
export async function flagConcern(
  db: Db,
  actor: Actor,
  id: string,
  reason: string,
  options: WriteOptions = {},
): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await lockVisibleConcern(tx, actor, id);
    if (!mayFlag(actor, facts(row))) {
      throw forbidden(
        row.hiddenAt
          ? 'This concern is already hidden.'
          : 'Members of the network may flag others’ concerns.',
      );
    }
    const added = await tx
      .insert(concernFlags)
      .values({ concernId: id, userId: actor.userId, reason })
      .onConflictDoNothing()
      .returning({ userId: concernFlags.userId });
    if (added.length === 0) return;
    await tx
      .update(concerns)
      .set({ flagCount: sql`${concerns.flagCount} + 1` })
      .where(eq(concerns.id, id));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'concerns.flag',
      subjectType: 'concern',
      subjectId: id,
      data: { reason },
    });
    await notify(tx, {
      userIds: (await leadsOf(tx, row.networkId)).filter((u) => u !== actor.userId),
      networkId: row.networkId,
      kind: 'concern.flagged',
      subject: `Concern #${row.number} was flagged for moderation`,
      link: concernLink(id),
      email: {
        subject: `Concern #${row.number} was flagged for moderation`,
        text: `A member flagged concern #${row.number} (“${row.title}”) as abusive. Please review it: hide it with a reason, or leave it.`,
      },
      mail: options.mail ?? null,
      ...(options.now ? { at: options.now } : {}),
    });
  });
}

/** A lead hides a concern with a reason (never deletes it); its author is told. */
export async function setHidden(
  db: Db,
  actor: Actor,
  id: string,
  hide: { reason: string } | null,
  options: WriteOptions = {},
): Promise<void> {
  const now = options.now ?? new Date();
  await db.transaction(async (tx) => {
    const row = await lockVisibleConcern(tx, actor, id);
    if (!mayManageConcerns(actor, row.networkId))
      throw forbidden('Only the network’s leads may hide concerns.');
    if (hide && row.hiddenAt) throw conflict('This concern is already hidden.');
    if (!hide && !row.hiddenAt) throw conflict('This concern is not hidden.');
    await tx
      .update(concerns)
      .set(
        hide
          ? {
              hiddenAt: now,
              hiddenReason: hide.reason,
              hiddenBy: actor.userId,
              forAgenda: false,
              updatedAt: now,
            }
          : { hiddenAt: null, hiddenReason: null, hiddenBy: null, updatedAt: now },
      )
      .where(eq(concerns.id, id));
    await tx.insert(concernEvents).values({
      concernId: id,
      kind: hide ? 'hidden' : 'unhidden',
      actorId: actor.userId,
      data: hide ? { reason: hide.reason } : { previousReason: row.hiddenReason },
      createdAt: now,
    });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: hide ? 'concerns.hide' : 'concerns.unhide',
      subjectType: 'concern',
      subjectId: id,
      data: hide ? { reason: hide.reason } : {},
    });
    if (row.authorId) {
      const subject = hide
        ? `Your concern #${row.number} was hidden by the network’s leads`
        : `Your concern #${row.number} is visible again`;
      await notify(tx, {
        userIds: [row.authorId],
        networkId: row.networkId,
        // Others read mail headers and the outbox: they must not learn who wrote it.
        discreetFor: row.visibility === 'named' ? [] : [row.authorId],
        kind: hide ? 'concern.hidden' : 'concern.unhidden',
        subject,
        link: concernLink(id),
        email: {
          subject,
          text: hide
            ? `The leads hid your concern “${row.title}” from other members. It is not deleted: you and the leads can still see it.\n\nTheir reason: ${hide.reason}`
            : `The leads made your concern “${row.title}” visible to the network’s members again.`,
        },
        mail: options.mail ?? null,
        at: now,
      });
    }
  });
}

/** A lead puts a concern on (or takes it off) the next meeting's agenda. */
export async function setForAgenda(
  db: Db,
  actor: Actor,
  id: string,
  forAgenda: boolean,
  options: WriteOptions = {},
): Promise<void> {
  const now = options.now ?? new Date();
  await db.transaction(async (tx) => {
    const row = await lockVisibleConcern(tx, actor, id);
    if (!mayManageConcerns(actor, row.networkId)) throw forbidden('Only the network’s leads set the agenda.');
    if (row.hiddenAt && forAgenda)
      throw conflict('A hidden concern cannot go on the agenda. Unhide it first.');
    if (row.forAgenda === forAgenda) return;
    await tx.update(concerns).set({ forAgenda, updatedAt: now }).where(eq(concerns.id, id));
    await tx.insert(concernEvents).values({
      concernId: id,
      kind: 'agenda',
      actorId: actor.userId,
      data: { forAgenda },
      createdAt: now,
    });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'concerns.agenda',
      subjectType: 'concern',
      subjectId: id,
      data: { forAgenda },
    });
  });
}

// ---- following a fully anonymous concern with its receipt ----------------------------------------------

const noSuchReceipt = () =>
  new AppError('not_found', 'No concern matches that receipt code. Check all 20 digits and try again.');

/** The concern a receipt opens, as its author sees it: no one's name, the answers and the status. */
export async function followConcern(db: Db, receipt: string, now = new Date()): Promise<ConcernAuthorView> {
  const found = await findByReceipt(receipt, async (locator) => {
    const [row] = await db
      .select({ concernId: concernReceipts.concernId, secretHash: concernReceipts.secretHash })
      .from(concernReceipts)
      .where(eq(concernReceipts.locator, locator));
    return row;
  });
  if (!found) throw noSuchReceipt();
  const loaded = await loadConcern(db, found.concernId, null);
  if (!loaded) throw noSuchReceipt();
  const row = loaded.concern;
  const events = await db
    .select()
    .from(concernEvents)
    .where(
      and(
        eq(concernEvents.concernId, row.id),
        inArray(concernEvents.kind, [
          'raised',
          'status',
          'meeting_decision',
          'hidden',
          'unhidden',
          'linked_action',
        ]),
      ),
    )
    .orderBy(asc(concernEvents.createdAt), asc(concernEvents.id));
  const briefs = await actionBriefs(db, [row.actionId]);
  return {
    id: row.id,
    number: row.number,
    networkName: loaded.networkName,
    title: row.title,
    description: row.description,
    category: row.category,
    status: row.status,
    answer: row.answer,
    supportCount: row.supportCount,
    firstAnswerDueAt: row.firstAnswerDueAt.toISOString(),
    overdue: isConcernOverdue(row, now),
    hiddenInfo: row.hiddenAt
      ? { reason: row.hiddenReason ?? '', hiddenAt: row.hiddenAt.toISOString() }
      : null,
    action: row.actionId ? (briefs.get(row.actionId) ?? null) : null,
    timeline: events.map((e) => ({
      kind: e.kind,
      at: e.createdAt.toISOString(),
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      answer: typeof e.data.answer === 'string' ? e.data.answer : null,
    })),
    createdAt: row.createdAt.toISOString(),
  };
}

export const statusSubject = (row: { number: number; title: string }, status: ConcernRow['status']) =>
  `Concern #${row.number} “${row.title}”: ${STATUS_LABELS[status].toLowerCase()}`;
