import { and, asc, count, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client';
import {
  actionAttachments,
  actionEvidence,
  actionMilestones,
  actions,
  actionUpdates,
  concerns,
  memberships,
  networks,
  users,
} from '../../../db/schema';
import type {
  ActionCreate,
  ActionDetail,
  ActionSummary,
  ActionUpdate,
  EvidenceCreate,
  MilestoneCreate,
  MilestoneUpdate,
} from '../../../shared/concerns/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors';
import { decodeUpload, sanitiseUpload } from '../../platform/uploads';
import { clocksOf, isActionStale, updateDueAt } from './clocks';
import {
  assertManagesNetwork,
  assertSeesNetwork,
  loadNetwork,
  nextNumber,
  type WriteOptions,
} from './concerns';
import {
  type ActionFacts,
  consentRoleOf,
  mayEditAction,
  maySeeNetworkConcerns,
  mayWorkOnAction,
} from './policy';
import { effectiveProgress } from './progress';

/**
 * Actions: what the network does about concerns. Each has a student lead and a staff sponsor
 * (members of the network of those kinds), milestones, updates (the story the impact board tells),
 * attachments (metadata stripped, as for speak-up), evidence links and an outcome. Sub-actions roll
 * their progress up into their parent.
 */

export type ActionRow = typeof actions.$inferSelect;

export const ACTION_ATTACHMENTS_MAX = 20;

const actionFacts = (row: ActionRow): ActionFacts => ({
  networkId: row.networkId,
  studentLeadId: row.studentLeadId,
  staffSponsorId: row.staffSponsorId,
});

/** Checks that a person is a member of the network of the kind the role needs. */
async function assertPersonOfKind(
  tx: Db | Tx,
  networkId: string,
  userId: string,
  kind: 'student' | 'staff',
  field: string,
): Promise<void> {
  const [row] = await tx
    .select({ kind: memberships.kind })
    .from(memberships)
    .where(and(eq(memberships.networkId, networkId), eq(memberships.userId, userId)));
  if (row?.kind !== kind) {
    throw invalid(
      kind === 'student'
        ? 'The student lead must be a student member of this network.'
        : 'The staff sponsor must be a staff member of this network.',
      [{ path: field, message: `Choose a ${kind} member of the network.` }],
    );
  }
}

/** An action of the network that may become a parent of `childId` (same network, no cycle). */
async function assertParent(tx: Tx, networkId: string, parentId: string, childId: string | null) {
  const [parent] = await tx
    .select({ id: actions.id, networkId: actions.networkId })
    .from(actions)
    .where(eq(actions.id, parentId));
  if (!parent || parent.networkId !== networkId) {
    throw invalid('Choose a parent action of this network.', [
      { path: 'parentId', message: 'Choose an action of this network.' },
    ]);
  }
  if (!childId) return;
  // The parent may not be the action itself or one of its descendants.
  const [cycle] = await tx
    .execute<{ found: boolean }>(
      sql`with recursive up as (
          select id, parent_id from actions where id = ${parentId}::uuid
          union
          select a.id, a.parent_id from actions a join up on a.id = up.parent_id
        ) select exists (select 1 from up where id = ${childId}::uuid) as found`,
    )
    .then((r) => (r as unknown as { rows: { found: boolean }[] }).rows);
  if (cycle?.found) {
    throw invalid('An action cannot be a sub-action of itself or of its own sub-actions.', [
      { path: 'parentId', message: 'Choose another parent.' },
    ]);
  }
}

/** Creates an action in the caller's transaction (also used by triage). */
export async function createActionTx(
  tx: Tx,
  actor: Actor,
  networkId: string,
  input: ActionCreate,
  now: Date,
): Promise<{ id: string; number: number }> {
  await assertPersonOfKind(tx, networkId, input.studentLeadId, 'student', 'studentLeadId');
  await assertPersonOfKind(tx, networkId, input.staffSponsorId, 'staff', 'staffSponsorId');
  if (input.parentId) await assertParent(tx, networkId, input.parentId, null);
  const number = await nextNumber(tx, networkId, 'action');
  const [row] = await tx
    .insert(actions)
    .values({
      networkId,
      number,
      parentId: input.parentId ?? null,
      weight: input.weight,
      title: input.title,
      summary: input.summary,
      category: input.category,
      studentLeadId: input.studentLeadId,
      staffSponsorId: input.staffSponsorId,
      public: input.public,
      createdBy: actor.userId,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: actions.id });
  await recordAudit(tx, {
    actorUserId: actor.userId,
    action: 'actions.create',
    subjectType: 'action',
    subjectId: row!.id,
    data: { networkId, number, title: input.title },
  });
  return { id: row!.id, number };
}

export async function createAction(
  db: Db,
  actor: Actor | null,
  networkId: string,
  input: ActionCreate,
  options: WriteOptions = {},
): Promise<{ id: string; number: number }> {
  await loadNetwork(db, networkId);
  assertManagesNetwork(actor, networkId);
  return db.transaction((tx) => createActionTx(tx, actor, networkId, input, options.now ?? new Date()));
}

/** Locks an action the actor may see (members of its network and admins), else 404. */
export async function lockVisibleAction(tx: Tx, actor: Actor | null, id: string): Promise<ActionRow> {
  const [row] = await tx.select().from(actions).where(eq(actions.id, id)).for('update');
  if (!row || !maySeeNetworkConcerns(actor, row.networkId)) throw notFound('That action');
  return row;
}

async function lockWorkableAction(tx: Tx, actor: Actor | null, id: string): Promise<ActionRow> {
  const row = await lockVisibleAction(tx, actor, id);
  if (!mayWorkOnAction(actor, actionFacts(row))) {
    throw forbidden(
      'Only the network’s leads, and the action’s student lead and staff sponsor, may do that.',
    );
  }
  return row;
}

/** Changes an action itself; every change is audited with before and after. */
export async function updateAction(
  db: Db,
  actor: Actor,
  id: string,
  input: ActionUpdate,
  options: WriteOptions = {},
): Promise<void> {
  const now = options.now ?? new Date();
  await db.transaction(async (tx) => {
    const row = await lockVisibleAction(tx, actor, id);
    if (!mayEditAction(actor, actionFacts(row)))
      throw forbidden('Only the network’s leads may change an action.');
    if (input.studentLeadId && input.studentLeadId !== row.studentLeadId) {
      await assertPersonOfKind(tx, row.networkId, input.studentLeadId, 'student', 'studentLeadId');
    }
    if (input.staffSponsorId && input.staffSponsorId !== row.staffSponsorId) {
      await assertPersonOfKind(tx, row.networkId, input.staffSponsorId, 'staff', 'staffSponsorId');
    }
    if (input.parentId) await assertParent(tx, row.networkId, input.parentId, id);
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    const set: Record<string, unknown> = {};
    for (const [field, after] of Object.entries(input)) {
      if (after === undefined) continue;
      const before = row[field as keyof ActionRow];
      if (before === after) continue;
      changes[field] = { before, after };
      set[field] = after;
    }
    if (Object.keys(changes).length === 0) return;
    // A new person has not consented to be named.
    if ('studentLeadId' in set) set.studentLeadNamed = false;
    if ('staffSponsorId' in set) set.staffSponsorNamed = false;
    await tx
      .update(actions)
      .set({ ...(set as Partial<ActionRow>), updatedAt: now })
      .where(eq(actions.id, id));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'actions.update',
      subjectType: 'action',
      subjectId: id,
      data: { changes },
    });
  });
}

export async function addMilestone(
  db: Db,
  actor: Actor,
  actionId: string,
  input: MilestoneCreate,
): Promise<{ id: string }> {
  return db.transaction(async (tx) => {
    await lockWorkableAction(tx, actor, actionId);
    const [last] = await tx
      .select({ n: sql<number>`coalesce(max(${actionMilestones.position}), -1)::int` })
      .from(actionMilestones)
      .where(eq(actionMilestones.actionId, actionId));
    const [row] = await tx
      .insert(actionMilestones)
      .values({ actionId, title: input.title, dueOn: input.dueOn, position: (last?.n ?? -1) + 1 })
      .returning({ id: actionMilestones.id });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'actions.milestone_add',
      subjectType: 'action',
      subjectId: actionId,
      data: { milestoneId: row!.id, ...input },
    });
    return { id: row!.id };
  });
}

export async function updateMilestone(
  db: Db,
  actor: Actor,
  actionId: string,
  milestoneId: string,
  input: MilestoneUpdate,
  options: WriteOptions = {},
): Promise<void> {
  const now = options.now ?? new Date();
  await db.transaction(async (tx) => {
    await lockWorkableAction(tx, actor, actionId);
    const [milestone] = await tx
      .select()
      .from(actionMilestones)
      .where(and(eq(actionMilestones.id, milestoneId), eq(actionMilestones.actionId, actionId)));
    if (!milestone) throw notFound('That milestone');
    const set: Partial<typeof actionMilestones.$inferInsert> = {};
    if (input.title !== undefined) set.title = input.title;
    if (input.dueOn !== undefined) set.dueOn = input.dueOn;
    if (input.done !== undefined) set.doneAt = input.done ? (milestone.doneAt ?? now) : null;
    await tx.update(actionMilestones).set(set).where(eq(actionMilestones.id, milestoneId));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'actions.milestone_update',
      subjectType: 'action',
      subjectId: actionId,
      data: {
        milestoneId,
        before: { title: milestone.title, dueOn: milestone.dueOn, done: milestone.doneAt !== null },
        after: input,
      },
    });
  });
}

/** Refuses someone who may not add files to this action; the upload route calls it before reading the body. */
export async function authoriseActionAttachment(db: Db, actor: Actor, actionId: string): Promise<void> {
  await db.transaction((tx) => lockWorkableAction(tx, actor, actionId));
}

/**
 * Adds a photo or PDF, checked and with its metadata stripped by the platform's bounded upload
 * processing (as speak-up's files); who may add it is checked again as it is stored.
 */
export async function addActionAttachment(
  db: Db,
  actor: Actor,
  actionId: string,
  input: { fileName: string; contentType?: string | undefined; data: string },
): Promise<{ id: string; fileName: string; mediaType: string; size: number; createdAt: string }> {
  const cleaned = await sanitiseUpload(input.fileName, decodeUpload(input.data), {
    claimedType: input.contentType,
  });
  const fileName = cleaned.fileName;
  return db.transaction(async (tx) => {
    await lockWorkableAction(tx, actor, actionId);
    const [n] = await tx
      .select({ n: count() })
      .from(actionAttachments)
      .where(eq(actionAttachments.actionId, actionId));
    if ((n?.n ?? 0) >= ACTION_ATTACHMENTS_MAX) {
      throw conflict(`An action has at most ${ACTION_ATTACHMENTS_MAX} files. Nothing was saved.`);
    }
    const [row] = await tx
      .insert(actionAttachments)
      .values({
        actionId,
        fileName,
        mediaType: cleaned.mediaType,
        size: cleaned.bytes.length,
        data: cleaned.bytes,
        uploadedBy: actor.userId,
      })
      .returning();
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'actions.attachment_add',
      subjectType: 'action',
      subjectId: actionId,
      data: { attachmentId: row!.id, fileName, size: row!.size },
    });
    return {
      id: row!.id,
      fileName: row!.fileName,
      mediaType: row!.mediaType,
      size: row!.size,
      createdAt: row!.createdAt.toISOString(),
    };
  });
}

export async function readActionAttachment(db: Db, actor: Actor, actionId: string, attachmentId: string) {
  const [row] = await db
    .select({ attachment: actionAttachments, networkId: actions.networkId })
    .from(actionAttachments)
    .innerJoin(actions, eq(actions.id, actionAttachments.actionId))
    .where(and(eq(actionAttachments.id, attachmentId), eq(actionAttachments.actionId, actionId)));
  if (!row || !maySeeNetworkConcerns(actor, row.networkId)) throw notFound('That file');
  return row.attachment;
}

/** Links evidence (a meeting, a finding, a survey, a web page) to an action. */
export async function addEvidence(
  db: Db,
  actor: Actor,
  actionId: string,
  input: EvidenceCreate,
  options: WriteOptions = {},
): Promise<{ id: string }> {
  return db.transaction(async (tx) => {
    await lockWorkableAction(tx, actor, actionId);
    return insertEvidence(tx, actor.userId, actionId, input, options.now ?? new Date());
  });
}

export async function insertEvidence(
  tx: Tx,
  actorId: string | null,
  actionId: string,
  input: EvidenceCreate,
  now: Date,
): Promise<{ id: string }> {
  const refId = input.kind === 'link' ? null : input.refId;
  const url = input.kind === 'link' ? input.url : null;
  const [row] = await tx
    .insert(actionEvidence)
    .values({
      actionId,
      kind: input.kind,
      refId,
      label: input.label,
      url,
      createdBy: actorId,
      createdAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: actionEvidence.id });
  if (!row) {
    if (input.kind === 'link') throw conflict('That evidence is already linked.');
    const [existing] = await tx
      .select({ id: actionEvidence.id })
      .from(actionEvidence)
      .where(
        and(
          eq(actionEvidence.actionId, actionId),
          eq(actionEvidence.kind, input.kind),
          eq(actionEvidence.refId, refId!),
        ),
      );
    return { id: existing!.id };
  }
  await recordAudit(tx, {
    actorUserId: actorId,
    action: 'actions.evidence_add',
    subjectType: 'action',
    subjectId: actionId,
    data: { evidenceId: row.id, kind: input.kind, refId, label: input.label },
  });
  return row;
}

/** The student lead or the staff sponsor says whether the public board may name them. */
export async function setConsent(db: Db, actor: Actor, actionId: string, named: boolean): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await lockVisibleAction(tx, actor, actionId);
    const role = consentRoleOf(actor, actionFacts(row));
    if (!role)
      throw forbidden('Only the action’s student lead and staff sponsor give consent, each for themselves.');
    await tx
      .update(actions)
      .set(role === 'student_lead' ? { studentLeadNamed: named } : { staffSponsorNamed: named })
      .where(eq(actions.id, actionId));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'actions.consent',
      subjectType: 'action',
      subjectId: actionId,
      data: { role, named },
    });
  });
}

// ---- reading ------------------------------------------------------------------------------------------------

const person = (id: string | null, name: string | null) => (id ? { id, name: name ?? '' } : null);

export async function listActions(
  db: Db,
  actor: Actor | null,
  networkId: string,
  query: {
    status?: ActionRow['status'] | undefined;
    category?: ActionRow['category'] | undefined;
    stale?: boolean | undefined;
    page: number;
    pageSize: number;
  },
  now = new Date(),
): Promise<{ items: ActionSummary[]; total: number; page: number; pageSize: number }> {
  await loadNetwork(db, networkId);
  assertSeesNetwork(actor, networkId);
  const clocks = await clocksOf(db, networkId);
  const staleBefore = new Date(now.getTime() - clocks.actionUpdateDays * 86_400_000);
  const where = and(
    eq(actions.networkId, networkId),
    query.status ? eq(actions.status, query.status) : undefined,
    query.category ? eq(actions.category, query.category) : undefined,
    query.stale
      ? and(
          inArray(actions.status, ['planned', 'in_progress']),
          lt(sql`coalesce(${actions.lastUpdateAt}, ${actions.createdAt})`, staleBefore),
        )
      : undefined,
  );
  const lead = sql<string | null>`(select name from ${users} where ${users.id} = ${actions.studentLeadId})`;
  const sponsor = sql<
    string | null
  >`(select name from ${users} where ${users.id} = ${actions.staffSponsorId})`;
  const rows = await db
    .select({
      action: actions,
      leadName: lead,
      sponsorName: sponsor,
      concernCount: sql<number>`(select count(*)::int from ${concerns} where ${concerns.actionId} = ${actions.id})`,
    })
    .from(actions)
    .where(where)
    .orderBy(desc(actions.createdAt), desc(actions.number))
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize);
  const [total] = await db.select({ n: count() }).from(actions).where(where);
  const progress = await effectiveProgress(
    db,
    rows.map((r) => r.action.id),
  );
  return {
    items: rows.map((r) =>
      presentActionSummary(r.action, r.leadName, r.sponsorName, r.concernCount, progress, clocks, now),
    ),
    total: total?.n ?? 0,
    page: query.page,
    pageSize: query.pageSize,
  };
}

function presentActionSummary(
  row: ActionRow,
  leadName: string | null,
  sponsorName: string | null,
  concernCount: number,
  progress: Map<string, number>,
  clocks: { actionUpdateDays: number },
  now: Date,
): ActionSummary {
  const open = row.status === 'planned' || row.status === 'in_progress';
  return {
    id: row.id,
    networkId: row.networkId,
    number: row.number,
    title: row.title,
    status: row.status,
    progress: progress.get(row.id) ?? row.progress,
    category: row.category,
    parentId: row.parentId,
    studentLead: person(row.studentLeadId, leadName),
    staffSponsor: person(row.staffSponsorId, sponsorName),
    public: row.public,
    concernCount,
    lastUpdateAt: row.lastUpdateAt?.toISOString() ?? null,
    updateDueAt: open ? updateDueAt(row, clocks.actionUpdateDays).toISOString() : null,
    stale: isActionStale(row, clocks.actionUpdateDays, now),
    createdAt: row.createdAt.toISOString(),
  };
}

export async function actionDetail(
  db: Db | Tx,
  actor: Actor | null,
  id: string,
  now = new Date(),
): Promise<ActionDetail> {
  const [loaded] = await db
    .select({
      action: actions,
      networkName: networks.name,
      leadName: sql<string | null>`(select name from ${users} where ${users.id} = ${actions.studentLeadId})`,
      sponsorName: sql<
        string | null
      >`(select name from ${users} where ${users.id} = ${actions.staffSponsorId})`,
    })
    .from(actions)
    .innerJoin(networks, eq(networks.id, actions.networkId))
    .where(eq(actions.id, id));
  if (!loaded || !maySeeNetworkConcerns(actor, loaded.action.networkId)) throw notFound('That action');
  const row = loaded.action;
  const clocks = await clocksOf(db, row.networkId);
  const subActions = await db
    .select({
      id: actions.id,
      number: actions.number,
      title: actions.title,
      status: actions.status,
      weight: actions.weight,
    })
    .from(actions)
    .where(eq(actions.parentId, id))
    .orderBy(asc(actions.number));
  const parent = row.parentId
    ? (
        await db
          .select({ id: actions.id, number: actions.number, title: actions.title, status: actions.status })
          .from(actions)
          .where(eq(actions.id, row.parentId))
      )[0]
    : undefined;
  const progress = await effectiveProgress(db, [
    id,
    ...subActions.map((s) => s.id),
    ...(parent ? [parent.id] : []),
  ]);
  const milestones = await db
    .select()
    .from(actionMilestones)
    .where(eq(actionMilestones.actionId, id))
    .orderBy(asc(actionMilestones.dueOn), asc(actionMilestones.position));
  const updates = await db
    .select({ update: actionUpdates, authorName: users.name })
    .from(actionUpdates)
    .leftJoin(users, eq(users.id, actionUpdates.authorId))
    .where(eq(actionUpdates.actionId, id))
    .orderBy(desc(actionUpdates.createdAt), desc(actionUpdates.id));
  const attachments = await db
    .select({
      id: actionAttachments.id,
      fileName: actionAttachments.fileName,
      mediaType: actionAttachments.mediaType,
      size: actionAttachments.size,
      createdAt: actionAttachments.createdAt,
    })
    .from(actionAttachments)
    .where(eq(actionAttachments.actionId, id))
    .orderBy(asc(actionAttachments.createdAt));
  const evidence = await db
    .select()
    .from(actionEvidence)
    .where(eq(actionEvidence.actionId, id))
    .orderBy(asc(actionEvidence.createdAt));
  const manager = actor ? mayEditAction(actor, actionFacts(row)) : false;
  // Hidden concerns are listed to the leads only.
  const linked = await db
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
        eq(concerns.actionId, id),
        manager
          ? undefined
          : or(isNull(concerns.hiddenAt), actor ? eq(concerns.authorId, actor.userId) : undefined),
      ),
    )
    .orderBy(asc(concerns.number));
  const today = now.toISOString().slice(0, 10);
  const summary = presentActionSummary(
    row,
    loaded.leadName,
    loaded.sponsorName,
    linked.length,
    progress,
    clocks,
    now,
  );
  return {
    ...summary,
    networkName: loaded.networkName,
    summary: row.summary,
    ownProgress: row.progress,
    weight: row.weight,
    parent: parent ? { ...parent, progress: progress.get(parent.id) ?? 0 } : null,
    subActions: subActions.map((s) => ({ ...s, progress: progress.get(s.id) ?? 0 })),
    studentLead: row.studentLeadId
      ? { id: row.studentLeadId, name: loaded.leadName ?? '', named: row.studentLeadNamed }
      : null,
    staffSponsor: row.staffSponsorId
      ? { id: row.staffSponsorId, name: loaded.sponsorName ?? '', named: row.staffSponsorNamed }
      : null,
    outcome: row.outcome,
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
    milestones: milestones.map((m) => ({
      id: m.id,
      title: m.title,
      dueOn: m.dueOn,
      doneAt: m.doneAt?.toISOString() ?? null,
      overdue: !m.doneAt && m.dueOn < today,
    })),
    updates: updates.map(({ update, authorName }) => ({
      id: update.id,
      body: update.body,
      progress: update.progress,
      status: update.status,
      author: person(update.authorId, authorName),
      createdAt: update.createdAt.toISOString(),
    })),
    attachments: attachments.map((a) => ({ ...a, createdAt: a.createdAt.toISOString() })),
    evidence: evidence.map((e) => ({
      id: e.id,
      kind: e.kind,
      refId: e.refId,
      label: e.label,
      url: e.url,
      createdAt: e.createdAt.toISOString(),
    })),
    concerns: linked,
    may: {
      manage: actor ? mayWorkOnAction(actor, actionFacts(row)) : false,
      consentAs: consentRoleOf(actor, actionFacts(row)),
    },
  };
}
