import type { Actor } from '../../platform/actor';

/**
 * Who may do what in identity: pure functions, deny by default. Routes call these after the
 * route-level access rule has passed; a `false` on a record the actor may not see becomes a 404.
 */

/** Admins and case handlers must use TOTP; they may not turn it off. */
export function mayDisableTotp(actor: Actor): boolean {
  return !actor.isAdmin && actor.caseHandlerOf.length === 0;
}

/** Seeing a network's member list: its members, and admins. */
export function maySeeNetworkMembers(actor: Actor | null, networkId: string): boolean {
  if (!actor) return false;
  return actor.isAdmin || actor.memberships.some((m) => m.networkId === networkId);
}

/** Managing a network's people (invite, import a cohort, change roles): its leads, and admins. */
export function mayManageNetwork(actor: Actor | null, networkId: string): boolean {
  if (!actor) return false;
  return actor.isAdmin || actor.memberships.some((m) => m.networkId === networkId && m.role === 'lead');
}

/** E-mail addresses of members are shown to those who manage the network only. */
export function maySeeMemberEmails(actor: Actor | null, networkId: string): boolean {
  return mayManageNetwork(actor, networkId);
}

/** Removing a membership: the network's managers, or the person leaving themselves. */
export function mayRemoveMembership(actor: Actor | null, networkId: string, userId: string): boolean {
  if (!actor) return false;
  return actor.userId === userId || mayManageNetwork(actor, networkId);
}

/**
 * Only admins grant lead roles to someone who is not already a lead, except that a co-chair may
 * appoint others: a flat hierarchy, as MedRACE runs it. An action lead may not promote anyone.
 */
export function mayChangeRole(actor: Actor | null, networkId: string, toRole: 'member' | 'lead'): boolean {
  if (!actor) return false;
  if (actor.isAdmin) return true;
  const mine = actor.memberships.find((m) => m.networkId === networkId);
  if (mine?.role !== 'lead') return false;
  return toRole === 'member' || mine.leadTitle === 'co_chair';
}

/** Admins may not remove their own admin rights or disable themselves (an instance must keep an admin). */
export function mayChangeAdminFlags(actor: Actor, targetUserId: string): boolean {
  return actor.isAdmin && actor.userId !== targetUserId;
}

/**
 * Changing or removing the membership of someone who is already a lead: admins and the network's
 * co-chairs. An action lead manages members but may not unseat a co-chair or another lead.
 */
export function mayAlterLead(actor: Actor | null, networkId: string): boolean {
  if (!actor) return false;
  if (actor.isAdmin) return true;
  return actor.memberships.some(
    (m) => m.networkId === networkId && m.role === 'lead' && m.leadTitle === 'co_chair',
  );
}
