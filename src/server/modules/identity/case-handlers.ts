import { and, asc, eq, inArray, isNull, ne, notInArray, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { z } from 'zod';
import type { Db } from '../../../db/client';
import { caseHandlerRequests, institutionRoles, institutions, users } from '../../../db/schema';
import type { CaseHandlerRequestSchema } from '../../../shared/identity/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { conflict, forbidden, notFound } from '../../platform/errors';
import type { Services } from '../../platform/services';

/**
 * Case handlers read reports, so nobody makes a case handler alone: an admin asks, and a second
 * person approves: another admin, or an existing case handler of that institution (never the
 * person asking, never the person to be made one). The institution's handlers are told when it is
 * asked and when it is granted. Taking the role away needs no second person.
 */

type CaseHandlerRequest = z.input<typeof CaseHandlerRequestSchema>;
type Mail = Pick<Services, 'mailer' | 'config'>;

/** Who may decide a request: an admin or a case handler of its institution, other than the asker and the person. */
export function mayDecideCaseHandlerRequest(
  actor: Pick<Actor, 'userId' | 'isAdmin' | 'caseHandlerOf'>,
  request: { institutionId: string; userId: string; requestedBy: string | null },
): boolean {
  if (actor.userId === request.userId || actor.userId === request.requestedBy) return false;
  return actor.isAdmin || actor.caseHandlerOf.includes(request.institutionId);
}

/** Whether a request is visible to the actor at all (others' requests answer 404). */
function maySee(
  actor: Pick<Actor, 'userId' | 'isAdmin' | 'caseHandlerOf'>,
  request: { institutionId: string; requestedBy: string | null },
): boolean {
  return (
    actor.isAdmin ||
    actor.caseHandlerOf.includes(request.institutionId) ||
    actor.userId === request.requestedBy
  );
}

async function institutionAndPerson(tx: Db, institutionId: string, userId: string) {
  const [institution] = await tx
    .select({ id: institutions.id, name: institutions.name })
    .from(institutions)
    .where(eq(institutions.id, institutionId));
  if (!institution) throw notFound('That institution');
  const [person] = await tx
    .select({ id: users.id, name: users.name, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.id, userId));
  if (!person) throw notFound('That person');
  return { institution, person };
}

/** The people to tell about a school's case handling: its handlers and every admin, except `exclude`. */
async function deciders(tx: Db, institutionId: string, exclude: string[]) {
  return tx
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(
      and(
        isNull(users.disabledAt),
        exclude.length ? notInArray(users.id, exclude) : undefined,
        or(
          eq(users.isAdmin, true),
          sql`exists (select 1 from ${institutionRoles} r where r.user_id = ${users.id}
                        and r.institution_id = ${institutionId} and r.role = 'case_handler')`,
        ),
      ),
    );
}

async function handlersOf(tx: Db, institutionId: string, exclude: string[]) {
  return tx
    .select({ id: users.id, email: users.email, name: users.name })
    .from(institutionRoles)
    .innerJoin(users, eq(users.id, institutionRoles.userId))
    .where(
      and(
        eq(institutionRoles.institutionId, institutionId),
        eq(institutionRoles.role, 'case_handler'),
        isNull(users.disabledAt),
        exclude.length ? notInArray(users.id, exclude) : undefined,
      ),
    );
}

/**
 * An admin asks for someone to be made a case handler. Nothing is granted yet; the institution's
 * handlers and the other admins are asked by e-mail to approve. Asking again while a request is
 * open returns that request; asking for an existing handler is a conflict.
 */
export async function requestCaseHandlerRole(
  services: Pick<Services, 'db'> & Mail,
  actor: Actor,
  institutionId: string,
  userId: string,
): Promise<CaseHandlerRequest> {
  const { db } = services;
  const openRequest = async (tx: Db) =>
    (
      await tx
        .select({ id: caseHandlerRequests.id })
        .from(caseHandlerRequests)
        .where(
          and(
            eq(caseHandlerRequests.institutionId, institutionId),
            eq(caseHandlerRequests.userId, userId),
            isNull(caseHandlerRequests.decidedAt),
          ),
        )
    )[0];
  const id = await db.transaction(async (tx) => {
    const { institution, person } = await institutionAndPerson(tx, institutionId, userId);
    const [already] = await tx
      .select({ userId: institutionRoles.userId })
      .from(institutionRoles)
      .where(
        and(
          eq(institutionRoles.userId, userId),
          eq(institutionRoles.institutionId, institutionId),
          eq(institutionRoles.role, 'case_handler'),
        ),
      );
    if (already) throw conflict(`${person.name} is already a case handler for ${institution.name}.`);
    // Two admins asking at once: the open-request index lets one row in; both get that request.
    const [row] = await tx
      .insert(caseHandlerRequests)
      .values({ institutionId, userId, requestedBy: actor.userId })
      .onConflictDoNothing()
      .returning({ id: caseHandlerRequests.id });
    if (!row) {
      const open = await openRequest(tx);
      if (!open) throw conflict('That request was just decided. Reload and try again.');
      return open.id;
    }
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'institution_roles.request',
      subjectType: 'institution',
      subjectId: institutionId,
      data: { userId, role: 'case_handler', requestId: row.id },
    });
    for (const to of await deciders(tx, institutionId, [actor.userId, userId])) {
      await services.mailer.queue(tx, {
        to: to.email,
        subject: `Approval needed: a new case handler for ${institution.name}`,
        text: [
          `Hello ${to.name},`,
          '',
          `${actor.name} has asked for ${person.name} to become a case handler for ${institution.name}.`,
          'Case handlers read the reports of that school, so a second person must approve before the role is given.',
          '',
          `If you know this is right, approve it here; if not, decline it: ${services.config.publicUrl}/case-handler-requests`,
        ].join('\n'),
      });
    }
    return row.id;
  });
  return (await getRequest(db, id, actor))!;
}

const requester = alias(users, 'requester');
const person = alias(users, 'person');

function requestQuery(db: Db) {
  return db
    .select({
      id: caseHandlerRequests.id,
      institutionId: caseHandlerRequests.institutionId,
      institutionName: institutions.name,
      userId: caseHandlerRequests.userId,
      userName: person.name,
      userEmail: person.email,
      requestedBy: caseHandlerRequests.requestedBy,
      requestedByName: requester.name,
      requestedAt: caseHandlerRequests.requestedAt,
    })
    .from(caseHandlerRequests)
    .innerJoin(institutions, eq(institutions.id, caseHandlerRequests.institutionId))
    .innerJoin(person, eq(person.id, caseHandlerRequests.userId))
    .leftJoin(requester, eq(requester.id, caseHandlerRequests.requestedBy));
}

type Row = Awaited<ReturnType<ReturnType<typeof requestQuery>['execute']>>[number];

function present(row: Row, actor?: Actor): CaseHandlerRequest {
  return {
    id: row.id,
    institutionId: row.institutionId,
    institutionName: row.institutionName,
    userId: row.userId,
    userName: row.userName,
    userEmail: row.userEmail,
    requestedByName: row.requestedByName ?? 'A former administrator',
    requestedAt: row.requestedAt.toISOString(),
    mayDecide: actor ? mayDecideCaseHandlerRequest(actor, row) : false,
    mayWithdraw: actor ? actor.userId === row.requestedBy : false,
  };
}

async function getRequest(db: Db, id: string, actor?: Actor) {
  const [row] = await requestQuery(db).where(eq(caseHandlerRequests.id, id));
  return row ? present(row, actor) : null;
}

/** Open requests the actor may see: all for admins, their institutions' for case handlers, their own asks. */
export async function listCaseHandlerRequests(db: Db, actor: Actor): Promise<CaseHandlerRequest[]> {
  const visible = actor.isAdmin
    ? undefined
    : or(
        actor.caseHandlerOf.length
          ? inArray(caseHandlerRequests.institutionId, actor.caseHandlerOf)
          : undefined,
        eq(caseHandlerRequests.requestedBy, actor.userId),
      );
  const rows = await requestQuery(db)
    .where(and(isNull(caseHandlerRequests.decidedAt), visible))
    .orderBy(asc(caseHandlerRequests.requestedAt), asc(caseHandlerRequests.id));
  return rows.map((r) => present(r, actor));
}

/**
 * Approves or declines an open request (or the asker withdraws it). Approving grants the role in
 * the same transaction and tells the institution's other handlers; the decision is audited.
 */
export async function decideCaseHandlerRequest(
  services: Pick<Services, 'db'> & Mail,
  actor: Actor,
  id: string,
  decision: 'approved' | 'declined',
): Promise<void> {
  await services.db.transaction(async (tx) => {
    const [request] = await tx
      .select()
      .from(caseHandlerRequests)
      .where(eq(caseHandlerRequests.id, id))
      .for('update');
    if (!request || !maySee(actor, request)) throw notFound('That request');
    if (request.decidedAt) throw conflict('That request has already been decided.');
    const withdrawing = decision === 'declined' && actor.userId === request.requestedBy;
    if (!withdrawing && !mayDecideCaseHandlerRequest(actor, request)) {
      throw forbidden(
        actor.userId === request.userId
          ? 'You cannot approve your own case-handler role: someone else must.'
          : 'Someone other than the person who asked must approve: another administrator or a case handler of that school.',
      );
    }
    const final = withdrawing ? 'withdrawn' : decision;
    await tx
      .update(caseHandlerRequests)
      .set({ decision: final, decidedBy: actor.userId, decidedAt: new Date() })
      .where(and(eq(caseHandlerRequests.id, id), isNull(caseHandlerRequests.decidedAt)));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: `institution_roles.request_${final}`,
      subjectType: 'institution',
      subjectId: request.institutionId,
      data: { userId: request.userId, role: 'case_handler', requestId: id, requestedBy: request.requestedBy },
    });
    if (final !== 'approved') return;
    const { institution, person: subject } = await institutionAndPerson(
      tx,
      request.institutionId,
      request.userId,
    );
    if (subject.disabledAt) throw conflict(`${subject.name}’s account is disabled.`);
    await tx
      .insert(institutionRoles)
      .values({ userId: request.userId, institutionId: request.institutionId, role: 'case_handler' })
      .onConflictDoNothing();
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'institution_roles.grant',
      subjectType: 'institution',
      subjectId: request.institutionId,
      data: { userId: request.userId, role: 'case_handler', requestId: id, requestedBy: request.requestedBy },
    });
    const told = await handlersOf(tx, request.institutionId, [request.userId, actor.userId]);
    const [asker] = request.requestedBy
      ? await tx
          .select({ id: users.id, email: users.email, name: users.name })
          .from(users)
          .where(and(eq(users.id, request.requestedBy), ne(users.id, actor.userId)))
      : [];
    for (const to of [...told, ...(asker && !told.some((x) => x.id === asker.id) ? [asker] : [])]) {
      await services.mailer.queue(tx, {
        to: to.email,
        subject: `${subject.name} is now a case handler for ${institution.name}`,
        text: [
          `Hello ${to.name},`,
          '',
          `${subject.name} is now a case handler for ${institution.name}: ${actor.name} approved the request.`,
          'If this is wrong, tell an administrator at once: they can take the role away.',
        ].join('\n'),
      });
    }
  });
}
