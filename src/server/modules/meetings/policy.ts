import type { Actor } from '../../platform/actor';

/**
 * Who may do what with meetings: pure functions, deny by default. A network's members see its
 * polls, meetings, agendas and published minutes, answer its polls and add agenda items; its
 * leads (and admins) run polls, meetings, series, blocks and minutes. Anyone else sees nothing
 * (the routes answer 404).
 */

export function isNetworkMember(actor: Actor | null, networkId: string): boolean {
  return !!actor && actor.memberships.some((m) => m.networkId === networkId);
}

/** Seeing a network's polls, meetings, agendas, series, blocks and statistics. */
export function maySeeMeetings(actor: Actor | null, networkId: string): boolean {
  return !!actor && (actor.isAdmin || isNetworkMember(actor, networkId));
}

/** Running polls, meetings, series, blocks and minutes. */
export function mayManageMeetings(actor: Actor | null, networkId: string): boolean {
  if (!actor) return false;
  return actor.isAdmin || actor.memberships.some((m) => m.networkId === networkId && m.role === 'lead');
}

/** Answering a poll: members only (an admin who is not a member has no availability to give). */
export function mayAnswerPoll(actor: Actor | null, networkId: string, pollStatus: string): boolean {
  return isNetworkMember(actor, networkId) && pollStatus === 'open';
}

/** Minutes: published ones to everyone who sees the meeting; drafts only to those who run it. */
export function maySeeMinutes(
  actor: Actor | null,
  networkId: string,
  minutesStatus: 'none' | 'draft' | 'published',
): boolean {
  if (minutesStatus === 'published') return maySeeMeetings(actor, networkId);
  return mayManageMeetings(actor, networkId);
}

/**
 * Adding to a meeting's agenda: members add their own items while it is scheduled; those who run
 * the meeting also link concerns and actions.
 */
export function mayAddAgendaItem(
  actor: Actor | null,
  networkId: string,
  meetingStatus: 'scheduled' | 'cancelled' | 'held',
  linksRecord: boolean,
): boolean {
  if (meetingStatus !== 'scheduled') return false;
  if (linksRecord) return mayManageMeetings(actor, networkId);
  return isNetworkMember(actor, networkId) || mayManageMeetings(actor, networkId);
}
