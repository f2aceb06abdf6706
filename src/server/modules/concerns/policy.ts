import {
  CONCERN_TRANSITIONS,
  type ConcernStatus,
  type ConcernVisibility,
} from '../../../shared/concerns/schema';
import { type Actor, isLeadOf, isMemberOf } from '../../platform/actor';

/**
 * Who may do what with concerns and actions: pure functions, deny by default. Routes call these
 * after the route-level access rule; a record the actor may not see becomes a 404, a visible one
 * they may not change a 403.
 */

export type ConcernFacts = {
  networkId: string;
  authorId: string | null;
  visibility: ConcernVisibility;
  status: ConcernStatus;
  hiddenAt: Date | null;
};

export type ActionFacts = {
  networkId: string;
  studentLeadId: string | null;
  staffSponsorId: string | null;
};

/** A network's concerns and actions are read by its members, and by admins. */
export function maySeeNetworkConcerns(actor: Actor | null, networkId: string): boolean {
  if (!actor) return false;
  return actor.isAdmin || isMemberOf(actor, networkId);
}

/** Triage, moderation, clocks, the dashboard and actions: the network's leads, and admins. */
export function mayManageConcerns(actor: Actor | null, networkId: string): boolean {
  if (!actor) return false;
  return actor.isAdmin || isLeadOf(actor, networkId);
}

/**
 * Raising: members of the network in any visibility. Anyone else (a visitor, or a signed-in person
 * of another network) only fully anonymously, and only where the network allows visitors.
 */
export function mayRaiseConcern(
  actor: Actor | null,
  network: { id: string; visitorsMayRaiseConcerns: boolean },
  visibility: ConcernVisibility,
): boolean {
  if (actor && isMemberOf(actor, network.id)) return true;
  return network.visitorsMayRaiseConcerns && visibility === 'anonymous';
}

function isAuthor(actor: Actor | null, concern: ConcernFacts): boolean {
  return !!actor && concern.authorId !== null && concern.authorId === actor.userId;
}

/** A hidden concern is seen by the network's leads, admins and its author only. */
export function maySeeConcern(actor: Actor | null, concern: ConcernFacts): boolean {
  if (!maySeeNetworkConcerns(actor, concern.networkId)) return false;
  if (!concern.hiddenAt) return true;
  return mayManageConcerns(actor, concern.networkId) || isAuthor(actor, concern);
}

/**
 * Whether the author is shown to this viewer: a named author to everyone who sees the concern; an
 * author anonymous to members to the network's leads (and to themselves) only, not even to admins;
 * a fully anonymous author to nobody (none is stored).
 */
export function maySeeAuthor(actor: Actor | null, concern: ConcernFacts): boolean {
  if (concern.authorId === null) return false;
  if (concern.visibility === 'named') return true;
  if (concern.visibility === 'anonymous') return false;
  if (!actor) return false;
  return isAuthor(actor, concern) || isLeadOf(actor, concern.networkId);
}

/** Its author corrects it while it is new (and not hidden); leads and admins at any time. */
export function mayEditConcern(actor: Actor | null, concern: ConcernFacts): boolean {
  if (mayManageConcerns(actor, concern.networkId)) return true;
  return isAuthor(actor, concern) && concern.status === 'new' && !concern.hiddenAt;
}

/** Members support (and withdraw support from) concerns that are not hidden. */
export function maySupport(actor: Actor | null, concern: ConcernFacts): boolean {
  return !!actor && isMemberOf(actor, concern.networkId) && !concern.hiddenAt;
}

/** Members flag others' concerns as abusive (not hidden ones: a lead already acted). */
export function mayFlag(actor: Actor | null, concern: ConcernFacts): boolean {
  return maySupport(actor, concern) && !isAuthor(actor, concern);
}

/** Whether a concern may move from one status to another (see CONCERN_TRANSITIONS). */
export function mayMoveConcern(from: ConcernStatus, to: ConcernStatus): boolean {
  return CONCERN_TRANSITIONS[from].includes(to);
}

/** Changing an action itself (title, people, parent, visibility on the board): leads and admins. */
export function mayEditAction(actor: Actor | null, action: ActionFacts): boolean {
  return mayManageConcerns(actor, action.networkId);
}

/** Updates, milestones, attachments and evidence: leads, admins, and the action's student lead and staff sponsor. */
export function mayWorkOnAction(actor: Actor | null, action: ActionFacts): boolean {
  if (!actor) return false;
  if (mayEditAction(actor, action)) return true;
  if (!isMemberOf(actor, action.networkId)) return false;
  return actor.userId === action.studentLeadId || actor.userId === action.staffSponsorId;
}

/** The consent a person gives for themselves: as the student lead, the staff sponsor, or none. */
export function consentRoleOf(
  actor: Actor | null,
  action: ActionFacts,
): 'student_lead' | 'staff_sponsor' | null {
  if (!actor) return null;
  if (actor.userId === action.studentLeadId) return 'student_lead';
  if (actor.userId === action.staffSponsorId) return 'staff_sponsor';
  return null;
}
