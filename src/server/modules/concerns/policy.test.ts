import { describe, expect, it } from 'vitest';
import type { Actor, ActorMembership } from '../../platform/actor';
import {
  type ConcernFacts,
  consentRoleOf,
  mayEditConcern,
  mayFlag,
  mayManageConcerns,
  mayMoveConcern,
  mayRaiseConcern,
  maySeeAuthor,
  maySeeConcern,
  maySupport,
  mayWorkOnAction,
} from './policy';

const NET = 'net-1';
const OTHER = 'net-2';

function actor(userId: string, memberships: Partial<ActorMembership>[] = [], isAdmin = false): Actor {
  return {
    userId,
    email: `${userId}@example.ac.uk`,
    name: userId,
    isAdmin,
    sessionIdHash: 'x',
    csrfToken: 'x',
    hasTotp: isAdmin,
    secondFactorDone: true,
    mustEnrolTotp: false,
    caseHandlerOf: [],
    memberships: memberships.map((m) => ({
      networkId: NET,
      institutionId: 'inst',
      kind: 'student',
      yearOfStudy: 2,
      role: 'member',
      leadTitle: null,
      ...m,
    })),
  };
}

const member = actor('member', [{}]);
const author = actor('author', [{}]);
const lead = actor('lead', [{ role: 'lead', leadTitle: 'co_chair' }]);
const actionLead = actor('action-lead', [
  { role: 'lead', leadTitle: 'action_lead', kind: 'staff', yearOfStudy: null },
]);
const outsider = actor('outsider', [{ networkId: OTHER }]);
const leadElsewhere = actor('lead-elsewhere', [{ networkId: OTHER, role: 'lead', leadTitle: 'co_chair' }]);
const admin = actor('admin', [], true);

const concern = (over: Partial<ConcernFacts> = {}): ConcernFacts => ({
  networkId: NET,
  authorId: 'author',
  visibility: 'named',
  status: 'new',
  hiddenAt: null,
  ...over,
});

describe('concerns policy', () => {
  it('shows a network’s concerns to its members and admins only', () => {
    expect(maySeeConcern(member, concern())).toBe(true);
    expect(maySeeConcern(admin, concern())).toBe(true);
    expect(maySeeConcern(outsider, concern())).toBe(false);
    expect(maySeeConcern(leadElsewhere, concern())).toBe(false);
    expect(maySeeConcern(null, concern())).toBe(false);
  });

  it('shows a hidden concern to leads, admins and its author, not to other members', () => {
    const hidden = concern({ hiddenAt: new Date() });
    expect(maySeeConcern(member, hidden)).toBe(false);
    expect(maySeeConcern(author, hidden)).toBe(true);
    expect(maySeeConcern(lead, hidden)).toBe(true);
    expect(maySeeConcern(admin, hidden)).toBe(true);
  });

  it('shows an author anonymous to members to the network’s leads and themselves only (not admins)', () => {
    const c = concern({ visibility: 'anonymous_to_members' });
    expect(maySeeAuthor(member, c)).toBe(false);
    expect(maySeeAuthor(admin, c)).toBe(false);
    expect(maySeeAuthor(leadElsewhere, c)).toBe(false);
    expect(maySeeAuthor(lead, c)).toBe(true);
    expect(maySeeAuthor(actionLead, c)).toBe(true);
    expect(maySeeAuthor(author, c)).toBe(true);
    expect(maySeeAuthor(null, c)).toBe(false);
  });

  it('never shows a fully anonymous author, and a named one to everyone who sees the concern', () => {
    const anonymous = concern({ visibility: 'anonymous', authorId: null });
    for (const a of [member, lead, admin, author]) expect(maySeeAuthor(a, anonymous)).toBe(false);
    expect(maySeeAuthor(member, concern())).toBe(true);
  });

  it('lets members raise in any visibility, others only fully anonymously where visitors are allowed', () => {
    const closed = { id: NET, visitorsMayRaiseConcerns: false };
    const open = { id: NET, visitorsMayRaiseConcerns: true };
    expect(mayRaiseConcern(member, closed, 'named')).toBe(true);
    expect(mayRaiseConcern(member, closed, 'anonymous')).toBe(true);
    expect(mayRaiseConcern(null, closed, 'anonymous')).toBe(false);
    expect(mayRaiseConcern(outsider, closed, 'anonymous')).toBe(false);
    expect(mayRaiseConcern(admin, closed, 'anonymous')).toBe(false);
    expect(mayRaiseConcern(null, open, 'anonymous')).toBe(true);
    expect(mayRaiseConcern(null, open, 'named')).toBe(false);
    expect(mayRaiseConcern(outsider, open, 'anonymous_to_members')).toBe(false);
  });

  it('lets its author edit while new and not hidden; leads and admins always', () => {
    expect(mayEditConcern(author, concern())).toBe(true);
    expect(mayEditConcern(author, concern({ status: 'under_discussion' }))).toBe(false);
    expect(mayEditConcern(author, concern({ hiddenAt: new Date() }))).toBe(false);
    expect(mayEditConcern(member, concern())).toBe(false);
    expect(mayEditConcern(lead, concern({ status: 'answered' }))).toBe(true);
    expect(mayEditConcern(admin, concern())).toBe(true);
    expect(mayEditConcern(leadElsewhere, concern())).toBe(false);
  });

  it('lets members support and flag (not their own, not hidden ones); admins who are not members neither', () => {
    expect(maySupport(member, concern())).toBe(true);
    expect(maySupport(admin, concern())).toBe(false);
    expect(maySupport(member, concern({ hiddenAt: new Date() }))).toBe(false);
    expect(mayFlag(member, concern())).toBe(true);
    expect(mayFlag(author, concern())).toBe(false);
    expect(mayFlag(outsider, concern())).toBe(false);
  });

  it('lets leads of the network and admins manage; not leads of another network', () => {
    expect(mayManageConcerns(lead, NET)).toBe(true);
    expect(mayManageConcerns(actionLead, NET)).toBe(true);
    expect(mayManageConcerns(admin, NET)).toBe(true);
    expect(mayManageConcerns(member, NET)).toBe(false);
    expect(mayManageConcerns(leadElsewhere, NET)).toBe(false);
    expect(mayManageConcerns(null, NET)).toBe(false);
  });

  it('moves concerns only along the status rules', () => {
    expect(mayMoveConcern('new', 'under_discussion')).toBe(true);
    expect(mayMoveConcern('new', 'accepted')).toBe(true);
    expect(mayMoveConcern('under_discussion', 'not_taken_forward')).toBe(true);
    expect(mayMoveConcern('answered', 'under_discussion')).toBe(true);
    expect(mayMoveConcern('accepted', 'answered')).toBe(false);
    expect(mayMoveConcern('under_discussion', 'under_discussion')).toBe(false);
    expect(mayMoveConcern('not_taken_forward', 'accepted')).toBe(false);
    expect(mayMoveConcern('answered', 'new')).toBe(false);
  });

  it('lets the action’s student lead and staff sponsor work on it, and consent for themselves only', () => {
    const a = { networkId: NET, studentLeadId: 'member', staffSponsorId: 'action-lead' };
    expect(mayWorkOnAction(member, a)).toBe(true);
    expect(mayWorkOnAction(author, a)).toBe(false);
    expect(mayWorkOnAction(lead, a)).toBe(true);
    expect(mayWorkOnAction(admin, a)).toBe(true);
    // The same person in another network is not this action's lead any more once they leave it.
    expect(mayWorkOnAction(actor('member', [{ networkId: OTHER }]), a)).toBe(false);
    expect(consentRoleOf(member, a)).toBe('student_lead');
    expect(consentRoleOf(actionLead, a)).toBe('staff_sponsor');
    expect(consentRoleOf(lead, a)).toBeNull();
    expect(consentRoleOf(null, a)).toBeNull();
  });
});
