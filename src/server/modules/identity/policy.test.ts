import { describe, expect, it } from 'vitest';
import type { Actor, ActorMembership } from '../../platform/actor';
import {
  mayAlterLead,
  mayChangeAdminFlags,
  mayChangeRole,
  mayDisableTotp,
  mayManageNetwork,
  mayRemoveMembership,
  maySeeMemberEmails,
  maySeeNetworkMembers,
} from './policy';

const NET = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const INST = '33333333-3333-4333-8333-333333333333';
const ME = '44444444-4444-4444-8444-444444444444';
const SOMEONE = '55555555-5555-4555-8555-555555555555';

function membership(overrides: Partial<ActorMembership> = {}): ActorMembership {
  return {
    networkId: NET,
    institutionId: INST,
    kind: 'student',
    yearOfStudy: 2,
    role: 'member',
    leadTitle: null,
    ...overrides,
  };
}

function actor(overrides: Partial<Actor> = {}): Actor {
  return {
    userId: ME,
    email: 'me@example.ac.uk',
    name: 'Me',
    isAdmin: false,
    sessionIdHash: 'hash',
    csrfToken: 'csrf',
    hasTotp: false,
    secondFactorDone: true,
    mustEnrolTotp: false,
    memberships: [],
    caseHandlerOf: [],
    ...overrides,
  };
}

const signedOut = null;
const stranger = actor();
const memberOfOther = actor({
  memberships: [membership({ networkId: OTHER, role: 'lead', leadTitle: 'co_chair' })],
});
const member = actor({ memberships: [membership()] });
const actionLead = actor({
  memberships: [membership({ kind: 'staff', yearOfStudy: null, role: 'lead', leadTitle: 'action_lead' })],
});
const coChair = actor({ memberships: [membership({ role: 'lead', leadTitle: 'co_chair' })] });
const admin = actor({ isAdmin: true, hasTotp: true });

/** Each row: who, and the expected answer. Listing everyone keeps deny-by-default visible. */
function matrix(check: (a: Actor | null) => boolean) {
  return {
    signedOut: check(signedOut),
    stranger: check(stranger),
    leadOfAnotherNetwork: check(memberOfOther),
    member: check(member),
    actionLead: check(actionLead),
    coChair: check(coChair),
    admin: check(admin),
  };
}

describe('maySeeNetworkMembers', () => {
  it('lets the network’s members and admins see its people, nobody else', () => {
    expect(matrix((a) => maySeeNetworkMembers(a, NET))).toEqual({
      signedOut: false,
      stranger: false,
      leadOfAnotherNetwork: false,
      member: true,
      actionLead: true,
      coChair: true,
      admin: true,
    });
  });
});

describe('mayManageNetwork and maySeeMemberEmails', () => {
  it('lets the network’s leads (of either title) and admins manage it', () => {
    const expected = {
      signedOut: false,
      stranger: false,
      leadOfAnotherNetwork: false,
      member: false,
      actionLead: true,
      coChair: true,
      admin: true,
    };
    expect(matrix((a) => mayManageNetwork(a, NET))).toEqual(expected);
    expect(matrix((a) => maySeeMemberEmails(a, NET))).toEqual(expected);
  });

  it('does not carry a lead role over to another network', () => {
    expect(mayManageNetwork(coChair, OTHER)).toBe(false);
    expect(maySeeMemberEmails(coChair, OTHER)).toBe(false);
  });
});

describe('mayRemoveMembership', () => {
  it('lets anyone leave, and managers remove others', () => {
    expect(matrix((a) => mayRemoveMembership(a, NET, SOMEONE))).toEqual({
      signedOut: false,
      stranger: false,
      leadOfAnotherNetwork: false,
      member: false,
      actionLead: true,
      coChair: true,
      admin: true,
    });
    expect(mayRemoveMembership(member, NET, ME)).toBe(true);
    expect(mayRemoveMembership(signedOut, NET, ME)).toBe(false);
  });
});

describe('mayChangeRole', () => {
  it('lets co-chairs and admins appoint leads', () => {
    expect(matrix((a) => mayChangeRole(a, NET, 'lead'))).toEqual({
      signedOut: false,
      stranger: false,
      leadOfAnotherNetwork: false,
      member: false,
      actionLead: false,
      coChair: true,
      admin: true,
    });
  });

  it('lets any lead set someone to member, but not members themselves', () => {
    expect(matrix((a) => mayChangeRole(a, NET, 'member'))).toEqual({
      signedOut: false,
      stranger: false,
      leadOfAnotherNetwork: false,
      member: false,
      actionLead: true,
      coChair: true,
      admin: true,
    });
  });
});

describe('mayAlterLead', () => {
  it('lets only co-chairs of that network and admins change another lead', () => {
    expect(matrix((a) => mayAlterLead(a, NET))).toEqual({
      signedOut: false,
      stranger: false,
      leadOfAnotherNetwork: false,
      member: false,
      actionLead: false,
      coChair: true,
      admin: true,
    });
    expect(mayAlterLead(coChair, OTHER)).toBe(false);
  });
});

describe('mayChangeAdminFlags', () => {
  it('lets admins change others, never themselves', () => {
    expect(mayChangeAdminFlags(admin, SOMEONE)).toBe(true);
    expect(mayChangeAdminFlags(admin, ME)).toBe(false);
    expect(mayChangeAdminFlags(coChair, SOMEONE)).toBe(false);
    expect(mayChangeAdminFlags(stranger, ME)).toBe(false);
  });
});

describe('mayDisableTotp', () => {
  it('keeps TOTP on for admins and case handlers', () => {
    expect(mayDisableTotp(member)).toBe(true);
    expect(mayDisableTotp(coChair)).toBe(true);
    expect(mayDisableTotp(admin)).toBe(false);
    expect(mayDisableTotp(actor({ caseHandlerOf: [INST] }))).toBe(false);
  });
});
