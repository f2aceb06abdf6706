import { describe, expect, it } from 'vitest';
import type { Actor, ActorMembership } from '../../platform/actor';
import { mayAddAgendaItem, mayAnswerPoll, mayManageMeetings, maySeeMeetings, maySeeMinutes } from './policy';

const NETWORK = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

function membership(overrides: Partial<ActorMembership> = {}): ActorMembership {
  return {
    networkId: NETWORK,
    institutionId: '33333333-3333-4333-8333-333333333333',
    kind: 'student',
    yearOfStudy: 3,
    role: 'member',
    leadTitle: null,
    ...overrides,
  };
}
function actor(memberships: ActorMembership[], isAdmin = false): Actor {
  return {
    userId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
    email: 'aisha@example.ac.uk',
    name: 'Aisha',
    isAdmin,
    sessionIdHash: 'x',
    csrfToken: 'y',
    hasTotp: isAdmin,
    secondFactorDone: true,
    mustEnrolTotp: false,
    memberships,
    caseHandlerOf: [],
  };
}
const member = actor([membership()]);
const lead = actor([membership({ role: 'lead', leadTitle: 'co_chair' })]);
const outsider = actor([membership({ networkId: OTHER, role: 'lead', leadTitle: 'co_chair' })]);
const admin = actor([], true);

describe('meetings policy', () => {
  it('lets members and admins see a network’s meetings, and nobody else', () => {
    expect([member, lead, admin, outsider, null].map((a) => maySeeMeetings(a, NETWORK))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('lets the network’s leads and admins run meetings, not members or leads of another network', () => {
    expect([member, lead, admin, outsider, null].map((a) => mayManageMeetings(a, NETWORK))).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
  });

  it('lets members answer open polls only, and not an admin who is not a member', () => {
    expect(mayAnswerPoll(member, NETWORK, 'open')).toBe(true);
    expect(mayAnswerPoll(lead, NETWORK, 'open')).toBe(true);
    expect(mayAnswerPoll(member, NETWORK, 'closed')).toBe(false);
    expect(mayAnswerPoll(admin, NETWORK, 'open')).toBe(false);
    expect(mayAnswerPoll(outsider, NETWORK, 'open')).toBe(false);
  });

  it('shows draft minutes to leads only and published minutes to members', () => {
    expect(maySeeMinutes(member, NETWORK, 'draft')).toBe(false);
    expect(maySeeMinutes(lead, NETWORK, 'draft')).toBe(true);
    expect(maySeeMinutes(member, NETWORK, 'published')).toBe(true);
    expect(maySeeMinutes(outsider, NETWORK, 'published')).toBe(false);
  });

  it('lets members add their own agenda items to scheduled meetings; only leads link concerns', () => {
    expect(mayAddAgendaItem(member, NETWORK, 'scheduled', false)).toBe(true);
    expect(mayAddAgendaItem(member, NETWORK, 'scheduled', true)).toBe(false);
    expect(mayAddAgendaItem(lead, NETWORK, 'scheduled', true)).toBe(true);
    expect(mayAddAgendaItem(member, NETWORK, 'cancelled', false)).toBe(false);
    expect(mayAddAgendaItem(outsider, NETWORK, 'scheduled', false)).toBe(false);
  });
});
