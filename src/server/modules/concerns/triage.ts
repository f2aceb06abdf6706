import { and, asc, desc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client';
import { actions, actionUpdates, concernEvents, concerns, meetings } from '../../../db/schema';
import {
  ACTION_STATUS_LABELS,
  type ActionStatus,
  AGENDA_UPDATE_HORIZON_DAYS,
  type ConcernStatus,
  STATUS_LABELS,
  type TriageInput,
} from '../../../shared/concerns/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors';
import { type NotifyMail, notify } from '../../platform/notifications';
import { createActionTx, insertEvidence, lockVisibleAction } from './actions';
import { addDays, clocksOf, isConcernOverdue, updateDueAt } from './clocks';
import {
  actionLink,
  concernColumns,
  concernLink,
  discreetAuthorsOf,
  followersOf,
  statusSubject,
} from './concerns';
import { mayManageConcerns, mayMoveConcern, maySeeConcern, mayWorkOnAction } from './policy';

export type { TriageInput };

/**
 * Triage (a lead answers a concern and decides what becomes of it), the queue a meeting's agenda
 * is built from, and action updates. The meetings module calls these inside its own transaction
 * when minutes record a decision; `meetingId` links the decision to that meeting.
 */

export type DomainContext = {
  /** The meeting whose minutes record this decision or update. */
  meetingId?: string | undefined;
  now?: Date | undefined;
  /** To e-mail the notifications (people who chose e-mail); without it they are in-app only. */
  mail?: NotifyMail | null | undefined;
};

async function meetingLabel(tx: Tx, meetingId: string): Promise<string> {
  const [meeting] = await tx
    .select({ title: meetings.title, startsAt: meetings.startsAt })
    .from(meetings)
    .where(eq(meetings.id, meetingId));
  if (!meeting) throw invalid('That meeting does not exist.');
  const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', dateStyle: 'medium' }).format(
    meeting.startsAt,
  );
  return `${meeting.title} (${day})`;
}

/**
 * Answers a concern with a status and a public answer. Accepting it links it to an existing open
 * action of its network or to a new one. Checks the policy (a lead of the concern's network, or an
 * admin), records the concern's event, links the meeting (if any) as the action's evidence,
 * audits, and notifies its author and supporters.
 */
export async function triageConcern(
  tx: Tx,
  actor: Actor,
  concernId: string,
  input: TriageInput,
  context: DomainContext = {},
): Promise<{ concernId: string; status: ConcernStatus; actionId: string | null }> {
  const now = context.now ?? new Date();
  const [row] = await tx
    .select(concernColumns)
    .from(concerns)
    .where(eq(concerns.id, concernId))
    .for('update');
  if (!row || !maySeeConcern(actor, row)) throw notFound('That concern');
  if (!mayManageConcerns(actor, row.networkId)) throw forbidden('Only the network’s leads triage concerns.');
  if (row.hiddenAt) throw conflict('A hidden concern cannot be triaged. Unhide it first.');
  if (!mayMoveConcern(row.status, input.status)) {
    throw conflict(
      `A concern that is “${STATUS_LABELS[row.status].toLowerCase()}” cannot become “${STATUS_LABELS[input.status].toLowerCase()}”.`,
      [{ path: 'status', message: 'Choose another status.' }],
    );
  }
  let actionId = row.actionId;
  let actionNumber: number | null = null;
  if (input.status === 'accepted') {
    if (input.existingActionId) {
      const [action] = await tx
        .select({
          id: actions.id,
          networkId: actions.networkId,
          number: actions.number,
          status: actions.status,
        })
        .from(actions)
        .where(eq(actions.id, input.existingActionId));
      if (!action || action.networkId !== row.networkId) {
        throw invalid('Choose an action of this network.', [
          { path: 'existingActionId', message: 'Choose an action of this network.' },
        ]);
      }
      if (action.status === 'completed' || action.status === 'dropped') {
        throw conflict('That action is closed. Choose an open one, or make a new action.', [
          { path: 'existingActionId', message: 'Choose an open action.' },
        ]);
      }
      actionId = action.id;
      actionNumber = action.number;
    } else if (input.newAction) {
      const created = await createActionTx(
        tx,
        actor,
        row.networkId,
        {
          title: input.newAction.title,
          summary: input.newAction.summary ?? '',
          category: row.category,
          studentLeadId: input.newAction.studentLeadId,
          staffSponsorId: input.newAction.staffSponsorId,
          weight: 1,
          public: true,
        },
        now,
      );
      actionId = created.id;
      actionNumber = created.number;
    }
  }
  await tx
    .update(concerns)
    .set({
      status: input.status,
      answer: input.answer,
      firstAnsweredAt: row.firstAnsweredAt ?? now,
      actionId,
      forAgenda: false,
      updatedAt: now,
    })
    .where(eq(concerns.id, concernId));
  await tx.insert(concernEvents).values({
    concernId,
    kind: context.meetingId ? 'meeting_decision' : 'status',
    actorId: actor.userId,
    fromStatus: row.status,
    toStatus: input.status,
    data: {
      answer: input.answer,
      ...(input.reason ? { reason: input.reason } : {}),
      ...(context.meetingId ? { meetingId: context.meetingId } : {}),
    },
    createdAt: now,
  });
  if (input.status === 'accepted' && actionId) {
    await tx.insert(concernEvents).values({
      concernId,
      kind: 'linked_action',
      actorId: actor.userId,
      data: { actionId, actionNumber },
      createdAt: now,
    });
    if (context.meetingId) {
      await insertEvidence(
        tx,
        actor.userId,
        actionId,
        { kind: 'meeting', refId: context.meetingId, label: await meetingLabel(tx, context.meetingId) },
        now,
      );
    }
  }
  await recordAudit(tx, {
    actorUserId: actor.userId,
    action: 'concerns.triage',
    subjectType: 'concern',
    subjectId: concernId,
    data: {
      from: row.status,
      to: input.status,
      actionId,
      ...(input.reason ? { reason: input.reason } : {}),
      ...(context.meetingId ? { meetingId: context.meetingId } : {}),
    },
  });
  const subject = statusSubject(row, input.status);
  await notify(tx, {
    userIds: (await followersOf(tx, [concernId])).filter((id) => id !== actor.userId),
    networkId: row.networkId,
    discreetFor: await discreetAuthorsOf(tx, [concernId]),
    kind: 'concern.status',
    subject,
    link: concernLink(concernId),
    email: {
      subject,
      text: `The network’s leads answered the concern “${row.title}” (#${row.number}): ${STATUS_LABELS[input.status].toLowerCase()}.\n\nTheir answer: ${input.answer}`,
    },
    mail: context.mail ?? null,
    at: now,
  });
  return { concernId, status: input.status, actionId };
}

/**
 * What awaits a network's next meeting: concerns awaiting triage (new or under discussion, or put
 * on the agenda by a lead; never hidden ones), and open actions whose update is due within 14
 * days or overdue.
 */
export async function agendaQueue(
  tx: Tx | Db,
  networkId: string,
  now: Date,
): Promise<{
  concerns: { id: string; number: number; title: string; status: ConcernStatus; overdue: boolean }[];
  actionsDue: { id: string; number: number; title: string; lastUpdateAt: Date | null; updateDueAt: Date }[];
}> {
  const awaiting = await tx
    .select({
      id: concerns.id,
      number: concerns.number,
      title: concerns.title,
      status: concerns.status,
      firstAnsweredAt: concerns.firstAnsweredAt,
      firstAnswerDueAt: concerns.firstAnswerDueAt,
      hiddenAt: concerns.hiddenAt,
    })
    .from(concerns)
    .where(
      and(
        eq(concerns.networkId, networkId),
        isNull(concerns.hiddenAt),
        or(inArray(concerns.status, ['new', 'under_discussion']), eq(concerns.forAgenda, true)),
      ),
    )
    .orderBy(desc(concerns.forAgenda), asc(concerns.firstAnswerDueAt), asc(concerns.number));
  const clocks = await clocksOf(tx, networkId);
  // Due within the horizon: last update + clock ≤ now + horizon.
  const latestAllowed = addDays(now, AGENDA_UPDATE_HORIZON_DAYS - clocks.actionUpdateDays);
  const due = await tx
    .select({
      id: actions.id,
      number: actions.number,
      title: actions.title,
      lastUpdateAt: actions.lastUpdateAt,
      createdAt: actions.createdAt,
    })
    .from(actions)
    .where(
      and(
        eq(actions.networkId, networkId),
        inArray(actions.status, ['planned', 'in_progress']),
        lte(sql`coalesce(${actions.lastUpdateAt}, ${actions.createdAt})`, latestAllowed),
      ),
    )
    .orderBy(asc(sql`coalesce(${actions.lastUpdateAt}, ${actions.createdAt})`), asc(actions.number));
  return {
    concerns: awaiting.map((c) => ({
      id: c.id,
      number: c.number,
      title: c.title,
      status: c.status,
      overdue: isConcernOverdue(c, now),
    })),
    actionsDue: due.map((a) => ({
      id: a.id,
      number: a.number,
      title: a.title,
      lastUpdateAt: a.lastUpdateAt,
      updateDueAt: updateDueAt(a, clocks.actionUpdateDays),
    })),
  };
}

/**
 * Posts an update on an action: what was done, optionally its own progress and a new status.
 * Starting sets `startedAt`; completing sets `completedAt` and progress 100; reopening clears it.
 * The followers of its concerns (authors and supporters) and its student lead and staff sponsor
 * are notified.
 */
export async function postActionUpdate(
  tx: Tx,
  actor: Actor,
  actionId: string,
  input: { body: string; progress?: number | undefined; status?: ActionStatus | undefined },
  context: DomainContext = {},
): Promise<{ id: string; actionId: string; status: ActionStatus; progress: number }> {
  const now = context.now ?? new Date();
  const row = await lockVisibleAction(tx, actor, actionId);
  if (!mayWorkOnAction(actor, row)) {
    throw forbidden(
      'Only the network’s leads, and the action’s student lead and staff sponsor, may post updates.',
    );
  }
  let status = input.status ?? row.status;
  // Reporting progress on a planned action means it has started.
  if (!input.status && row.status === 'planned' && (input.progress ?? 0) > 0) status = 'in_progress';
  const progress = status === 'completed' ? 100 : (input.progress ?? row.progress);
  const started = status === 'in_progress' || status === 'completed';
  await tx
    .update(actions)
    .set({
      status,
      progress,
      startedAt: row.startedAt ?? (started ? now : null),
      completedAt: status === 'completed' ? (row.status === 'completed' ? row.completedAt : now) : null,
      lastUpdateAt: now,
      updatedAt: now,
    })
    .where(eq(actions.id, actionId));
  const [update] = await tx
    .insert(actionUpdates)
    .values({
      actionId,
      authorId: actor.userId,
      body: input.body,
      progress: input.progress ?? (status === 'completed' ? 100 : null),
      status: status !== row.status ? status : null,
      createdAt: now,
    })
    .returning({ id: actionUpdates.id });
  if (context.meetingId) {
    await insertEvidence(
      tx,
      actor.userId,
      actionId,
      { kind: 'meeting', refId: context.meetingId, label: await meetingLabel(tx, context.meetingId) },
      now,
    );
  }
  await recordAudit(tx, {
    actorUserId: actor.userId,
    action: 'actions.update_post',
    subjectType: 'action',
    subjectId: actionId,
    data: {
      updateId: update!.id,
      from: { status: row.status, progress: row.progress },
      to: { status, progress },
      ...(context.meetingId ? { meetingId: context.meetingId } : {}),
    },
  });
  const linked = await tx.select({ id: concerns.id }).from(concerns).where(eq(concerns.actionId, actionId));
  const followers = await followersOf(
    tx,
    linked.map((c) => c.id),
  );
  const people = [...followers, row.studentLeadId, row.staffSponsorId].filter(
    (id): id is string => !!id && id !== actor.userId,
  );
  const changed = status !== row.status;
  const subject = changed
    ? `Action A-${row.number} “${row.title}”: ${ACTION_STATUS_LABELS[status].toLowerCase()}`
    : `Action A-${row.number} “${row.title}”: a new update`;
  await notify(tx, {
    userIds: people,
    networkId: row.networkId,
    discreetFor: await discreetAuthorsOf(
      tx,
      linked.map((c) => c.id),
    ),
    kind: changed ? 'action.status' : 'action.update',
    subject,
    link: actionLink(actionId),
    email: {
      subject,
      text: `There is news on the action “${row.title}” (A-${row.number}), which answers a concern you raised or support.\n\n${input.body}`,
    },
    mail: context.mail ?? null,
    at: now,
  });
  return { id: update!.id, actionId, status, progress };
}
