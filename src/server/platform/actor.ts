/** The signed-in person behind a request, as loaded from their session. */
export type Actor = {
  userId: string;
  email: string;
  name: string;
  isAdmin: boolean;
  sessionIdHash: string;
  csrfToken: string;
  /** TOTP is set up for this account. */
  hasTotp: boolean;
  /** The second factor was given in this session (or is not needed). */
  secondFactorDone: boolean;
  /** This account must set up TOTP before doing anything else (admins and case handlers). */
  mustEnrolTotp: boolean;
  memberships: ActorMembership[];
  /** Institutions where this person is a case handler. */
  caseHandlerOf: string[];
};

export type ActorMembership = {
  networkId: string;
  institutionId: string;
  kind: 'student' | 'staff' | 'alumnus';
  yearOfStudy: number | null;
  role: 'member' | 'lead';
  leadTitle: 'co_chair' | 'action_lead' | null;
};

export function isLeadOf(actor: Actor, networkId: string): boolean {
  return actor.memberships.some((m) => m.networkId === networkId && m.role === 'lead');
}
export function isMemberOf(actor: Actor, networkId: string): boolean {
  return actor.memberships.some((m) => m.networkId === networkId);
}
export function isCaseHandlerOf(actor: Actor, institutionId: string): boolean {
  return actor.secondFactorDone && actor.hasTotp && actor.caseHandlerOf.includes(institutionId);
}
