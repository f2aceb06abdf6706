import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, Tx } from '../../../db/client';
import { institutions, memberships, networks, users } from '../../../db/schema';
import type {
  KindRequestSchema,
  MembershipUpdateSchema,
  NetworkDetailSchema,
  NetworkMemberSchema,
  NetworkSummarySchema,
} from '../../../shared/identity/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { conflict, forbidden, notFound } from '../../platform/errors';
import { type NotifyMail, notify } from '../../platform/notifications';
import {
  mayAlterLead,
  mayChangeRole,
  mayManageNetwork,
  mayRemoveMembership,
  maySeeMemberEmails,
  maySeeNetworkMembers,
} from './policy';

export type NetworkSummary = z.infer<typeof NetworkSummarySchema>;
export type NetworkDetail = z.infer<typeof NetworkDetailSchema>;
export type NetworkMember = z.infer<typeof NetworkMemberSchema>;
export type MembershipUpdate = z.infer<typeof MembershipUpdateSchema>;
type MembershipRow = typeof memberships.$inferSelect;

/** The columns of a network summary; the member count is kept by triggers (migrations 0007, 0012). */
export const networkSummaryColumns = {
  id: networks.id,
  name: networks.name,
  slug: networks.slug,
  description: networks.description,
  institutionId: networks.institutionId,
  institutionName: institutions.name,
  memberCount: networks.memberCount,
};

/** Every network, with its institution and how many people belong to it. */
export async function listNetworks(db: Db): Promise<NetworkSummary[]> {
  return db
    .select(networkSummaryColumns)
    .from(networks)
    .innerJoin(institutions, eq(institutions.id, networks.institutionId))
    .orderBy(asc(institutions.name), asc(networks.name));
}

export async function getNetworkSummary(db: Db, networkId: string): Promise<NetworkSummary | null> {
  const [row] = await db
    .select(networkSummaryColumns)
    .from(networks)
    .innerJoin(institutions, eq(institutions.id, networks.institutionId))
    .where(eq(networks.id, networkId))
    .limit(1);
  return row ?? null;
}

/**
 * A network's public page: who its co-chairs are (public contacts), and what the viewer may do.
 * Co-chairs whose accounts are disabled are not shown.
 */
export async function getNetworkDetail(db: Db, slug: string, actor: Actor | null): Promise<NetworkDetail> {
  const [network] = await db
    .select(networkSummaryColumns)
    .from(networks)
    .innerJoin(institutions, eq(institutions.id, networks.institutionId))
    .where(eq(networks.slug, slug))
    .limit(1);
  if (!network) throw notFound('That network');
  const coChairs = await db
    .select({ name: users.name, kind: memberships.kind })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.networkId, network.id),
        eq(memberships.leadTitle, 'co_chair'),
        isNull(users.disabledAt),
      ),
    )
    // Student co-chairs first: the network is led by students and staff as equals, students named first.
    .orderBy(sql`${memberships.kind} <> 'student'`, asc(users.name));
  const mine = actor?.memberships.find((m) => m.networkId === network.id);
  return {
    ...network,
    coChairs,
    viewer: {
      isMember: mine !== undefined,
      isLead: mine?.role === 'lead',
      canManage: mayManageNetwork(actor, network.id),
    },
  };
}

/** The member list, for members and admins; e-mail addresses for managers only. */
export async function listNetworkMembers(db: Db, actor: Actor, networkId: string): Promise<NetworkMember[]> {
  await requireVisibleNetwork(db, actor, networkId);
  const showEmails = maySeeMemberEmails(actor, networkId);
  const rows = await db
    .select({
      userId: memberships.userId,
      name: users.name,
      email: users.email,
      kind: memberships.kind,
      yearOfStudy: memberships.yearOfStudy,
      role: memberships.role,
      leadTitle: memberships.leadTitle,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.networkId, networkId))
    // Leads first (co-chairs, then action leads), then everyone by name.
    .orderBy(
      sql`case ${memberships.leadTitle} when 'co_chair' then 0 when 'action_lead' then 1 else 2 end`,
      asc(users.name),
      asc(users.id),
    );
  return rows.map((r) => ({ ...r, email: showEmails ? r.email : null }));
}

/**
 * Loads a network the actor may see the people of, or answers 404 (an unknown network and one the
 * actor may not look into look the same). With `lock`, membership changes of the network are
 * serialised for the rest of the transaction, so invariants such as "at least one co-chair" hold
 * under concurrent requests.
 */
async function requireVisibleNetwork(db: Db | Tx, actor: Actor, networkId: string, lock = false) {
  if (!maySeeNetworkMembers(actor, networkId)) throw notFound('That network');
  const query = db
    .select({ id: networks.id, institutionId: networks.institutionId, name: networks.name })
    .from(networks)
    .where(eq(networks.id, networkId))
    .limit(1);
  const [network] = lock ? await query.for('no key update') : await query;
  if (!network) throw notFound('That network');
  return network;
}

async function findMembership(tx: Tx, networkId: string, userId: string): Promise<MembershipRow | null> {
  const [row] = await tx
    .select()
    .from(memberships)
    .where(and(eq(memberships.networkId, networkId), eq(memberships.userId, userId)))
    .limit(1);
  return row ?? null;
}

async function coChairCount(tx: Tx, networkId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.networkId, networkId), eq(memberships.leadTitle, 'co_chair')));
  return row?.n ?? 0;
}

const LAST_CO_CHAIR = 'A network keeps at least one co-chair. Appoint another co-chair first.';
const OWN_KIND =
  'Your own kind (student, staff or alumnus) decides how much your poll answers weigh, so another co-chair or an administrator changes it: use “Ask the co-chairs” to request it.';
const OTHERS_KIND =
  'Only co-chairs and administrators may change whether someone is a student, staff or alumnus.';
const snapshot = (m: Pick<MembershipRow, 'kind' | 'yearOfStudy' | 'role' | 'leadTitle'>) => ({
  kind: m.kind,
  yearOfStudy: m.yearOfStudy,
  role: m.role,
  leadTitle: m.leadTitle,
});

/**
 * An administrator who adds themselves to a network, or gives themselves a lead role in it, is
 * announced to its co-chairs: a lead sees who wrote concerns that are anonymous to members, so
 * nobody becomes one unseen. In the caller's transaction.
 */
export async function announceSelfAppointment(
  tx: Tx,
  actor: Actor,
  networkId: string,
  now: { role: 'member' | 'lead'; leadTitle: 'co_chair' | 'action_lead' | null },
  mail: NotifyMail | null = null,
): Promise<void> {
  const [network] = await tx
    .select({ name: networks.name, slug: networks.slug })
    .from(networks)
    .where(eq(networks.id, networkId));
  if (!network) return;
  const coChairs = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.networkId, networkId), eq(memberships.leadTitle, 'co_chair')));
  const as =
    now.leadTitle === 'co_chair'
      ? 'a co-chair'
      : now.leadTitle === 'action_lead'
        ? 'an action lead'
        : 'a member';
  const subject = `${actor.name}, an administrator, made themselves ${as} of ${network.name}`;
  await notify(tx, {
    userIds: coChairs.map((c) => c.userId).filter((id) => id !== actor.userId),
    networkId,
    kind: 'network.self_appointed',
    subject,
    link: `/networks/${network.slug}#members`,
    email: {
      subject,
      text: `${actor.name} (${actor.email}), an administrator, made themselves ${as} of ${network.name}.${now.role === 'lead' ? ' As a lead they can see who wrote concerns that are anonymous to members.' : ''} If you did not expect this, you can change their membership on the network’s page:`,
    },
    mail,
  });
}

/**
 * Changes someone's membership (kind, year, role, lead title). Managers only; appointing a lead
 * needs a co-chair or an admin, and only they may change the membership of another lead.
 */
export async function updateMembership(
  db: Db,
  actor: Actor,
  networkId: string,
  userId: string,
  to: MembershipUpdate,
  mail: NotifyMail | null = null,
): Promise<NetworkMember> {
  return db.transaction(async (tx) => {
    await requireVisibleNetwork(tx, actor, networkId, true);
    if (!mayManageNetwork(actor, networkId)) {
      throw forbidden('Only the network’s leads and administrators may change memberships.');
    }
    const target = await findMembership(tx, networkId, userId);
    if (!target) throw notFound('That member');
    const roleChanges = target.role !== to.role || target.leadTitle !== to.leadTitle;
    if (roleChanges && !mayChangeRole(actor, networkId, to.role)) {
      throw forbidden('Only co-chairs and administrators may appoint leads.');
    }
    if (target.role === 'lead' && target.userId !== actor.userId && !mayAlterLead(actor, networkId)) {
      throw forbidden('Only co-chairs and administrators may change another lead’s membership.');
    }
    // The kind weighs poll answers (students count more): nobody relabels themselves, and an
    // action lead relabels nobody.
    if (target.kind !== to.kind) {
      if (userId === actor.userId) throw forbidden(OWN_KIND);
      if (!mayAlterLead(actor, networkId)) throw forbidden(OTHERS_KIND);
    }
    if (target.leadTitle === 'co_chair' && to.leadTitle !== 'co_chair') {
      if ((await coChairCount(tx, networkId)) <= 1) throw conflict(LAST_CO_CHAIR);
    }
    const after = snapshot(to);
    await tx
      .update(memberships)
      .set(after)
      .where(and(eq(memberships.networkId, networkId), eq(memberships.userId, userId)));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'memberships.update',
      subjectType: 'network',
      subjectId: networkId,
      data: { userId, before: snapshot(target), after },
    });
    const promoted =
      (target.role !== 'lead' && to.role === 'lead') ||
      (target.leadTitle !== 'co_chair' && to.leadTitle === 'co_chair');
    if (userId === actor.userId && promoted) {
      await announceSelfAppointment(tx, actor, networkId, to, mail);
    }
    const [person] = await tx
      .select({ name: users.name, email: users.email })
      .from(users)
      .where(eq(users.id, userId));
    return { userId, name: person!.name, email: person!.email, ...after };
  });
}

const KIND_NAMES = { student: 'a student', staff: 'staff', alumnus: 'an alumnus' } as const;

/**
 * A member asks to be recorded as another kind (student, staff, alumnus): their own kind weighs
 * their poll answers, so they may not change it themselves. The network's other co-chairs are asked
 * (in the app and by e-mail); one of them approves by changing it on the network's page.
 */
export async function requestKindChange(
  db: Db,
  actor: Actor,
  networkId: string,
  input: z.infer<typeof KindRequestSchema>,
  mail: NotifyMail | null = null,
): Promise<void> {
  await db.transaction(async (tx) => {
    if (!actor.memberships.some((m) => m.networkId === networkId)) throw notFound('That network');
    const [network] = await tx
      .select({ name: networks.name, slug: networks.slug })
      .from(networks)
      .where(eq(networks.id, networkId));
    const mine = await findMembership(tx, networkId, actor.userId);
    if (!network || !mine) throw notFound('That network');
    if (mine.kind === input.kind && mine.yearOfStudy === input.yearOfStudy) {
      throw conflict('That is already how you are recorded in this network.');
    }
    const coChairs = (
      await tx
        .select({ userId: memberships.userId })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(
          and(
            eq(memberships.networkId, networkId),
            eq(memberships.leadTitle, 'co_chair'),
            isNull(users.disabledAt),
          ),
        )
    )
      .map((c) => c.userId)
      .filter((id) => id !== actor.userId);
    if (coChairs.length === 0) {
      throw conflict('This network has no other co-chair to approve it: ask an administrator to change it.');
    }
    const as = `${KIND_NAMES[input.kind]}${input.yearOfStudy ? ` in year ${input.yearOfStudy}` : ''}`;
    const subject = `${actor.name} asks to be recorded as ${as} in ${network.name}`;
    await notify(tx, {
      userIds: coChairs,
      networkId,
      kind: 'network.kind_request',
      subject,
      link: `/networks/${network.slug}#members`,
      email: {
        subject,
        text: `${actor.name} asks to be recorded as ${as} (now ${KIND_NAMES[mine.kind]}) in ${network.name}. Their kind decides how much their poll answers weigh, so another co-chair approves it. If it is right, change it on the network’s page:`,
      },
      mail,
    });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'memberships.kind_request',
      subjectType: 'network',
      subjectId: networkId,
      data: { from: { kind: mine.kind, yearOfStudy: mine.yearOfStudy }, to: input },
    });
  });
}

/** Ends a membership: the person themselves, or the network's managers (leads need a co-chair or admin). */
export async function removeMembership(db: Db, actor: Actor, networkId: string, userId: string) {
  await db.transaction(async (tx) => {
    await requireVisibleNetwork(tx, actor, networkId, true);
    const target = await findMembership(tx, networkId, userId);
    if (!target) throw notFound('That member');
    if (!mayRemoveMembership(actor, networkId, userId)) {
      throw forbidden('Only the network’s leads and administrators may remove someone else.');
    }
    if (target.role === 'lead' && userId !== actor.userId && !mayAlterLead(actor, networkId)) {
      throw forbidden('Only co-chairs and administrators may remove a lead.');
    }
    if (target.leadTitle === 'co_chair' && (await coChairCount(tx, networkId)) <= 1) {
      throw conflict(LAST_CO_CHAIR);
    }
    await tx
      .delete(memberships)
      .where(and(eq(memberships.networkId, networkId), eq(memberships.userId, userId)));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'memberships.remove',
      subjectType: 'network',
      subjectId: networkId,
      data: { userId, left: userId === actor.userId, before: snapshot(target) },
    });
  });
}
