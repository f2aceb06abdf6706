import { describe, expect, it } from 'vitest';
import type { Actor } from '../../platform/actor';
import {
  handledInstitutions,
  isNamedIn,
  mayBeAssigned,
  mayHandleCasesOf,
  mayReadCase,
  mayViewStatistics,
} from './policy';

const SCHOOL = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

function actor(overrides: Partial<Actor> = {}): Actor {
  return {
    userId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
    email: 'helen.adeyemi@northfield.example.ac.uk',
    name: 'Helen Adeyemi',
    isAdmin: false,
    sessionIdHash: 'x',
    csrfToken: 'y',
    hasTotp: true,
    secondFactorDone: true,
    mustEnrolTotp: false,
    memberships: [],
    caseHandlerOf: [SCHOOL],
    ...overrides,
  };
}
const subject = (overrides: Partial<Parameters<typeof mayReadCase>[1]> = {}) => ({
  institutionId: SCHOOL,
  conflictedUserIds: [],
  peopleText: 'A consultant on ward 7 (I do not know his name)',
  ...overrides,
});

describe('who may read a case', () => {
  it('a case handler of the institution with two-factor authentication', () => {
    expect(mayReadCase(actor(), subject())).toBe(true);
    expect(mayHandleCasesOf(actor(), SCHOOL)).toBe(true);
    expect(handledInstitutions(actor())).toEqual([SCHOOL]);
  });

  it('nobody else: another school’s handler, a handler without TOTP or owing the code, admins, leads', () => {
    expect(mayReadCase(null, subject())).toBe(false);
    expect(mayReadCase(actor({ caseHandlerOf: [OTHER] }), subject())).toBe(false);
    expect(mayReadCase(actor({ hasTotp: false }), subject())).toBe(false);
    expect(mayReadCase(actor({ secondFactorDone: false }), subject())).toBe(false);
    expect(handledInstitutions(actor({ hasTotp: false }))).toEqual([]);
    expect(mayReadCase(actor({ caseHandlerOf: [], isAdmin: true }), subject())).toBe(false);
    const lead = actor({
      caseHandlerOf: [],
      memberships: [
        {
          networkId: 'n',
          institutionId: SCHOOL,
          kind: 'staff',
          yearOfStudy: null,
          role: 'lead',
          leadTitle: 'co_chair',
        },
      ],
    });
    expect(mayReadCase(lead, subject())).toBe(false);
  });

  it('not a handler marked conflicted, nor one the report names', () => {
    expect(mayReadCase(actor(), subject({ conflictedUserIds: [actor().userId] }))).toBe(false);
    expect(mayReadCase(actor(), subject({ peopleText: 'It was Dr Adeyemi in the seminar.' }))).toBe(false);
    expect(mayReadCase(actor(), subject({ peopleText: 'helen.adeyemi@northfield.example.ac.uk' }))).toBe(
      false,
    );
  });
});

describe('conflict of interest: is a person named in the report?', () => {
  const helen = { name: 'Helen Adeyemi', email: 'helen.adeyemi@northfield.example.ac.uk' };
  it.each([
    'Helen Adeyemi',
    'helen adeyemi was there',
    'ADEYEMI, Helen (tutor)',
    'Dr. Adeyemi',
    'Prof Adeyemi and a nurse',
    'Mrs Adéyemi',
    'e-mail: Helen.Adeyemi@Northfield.example.ac.uk',
    'her address is helen.adeyemi.',
  ])('matches “%s”', (text) => {
    expect(isNamedIn(text, helen)).toBe(true);
  });

  it.each([
    null,
    '',
    'Helena Adeyemison',
    'Helen (a nurse) and Mr Smith',
    'someone called Adeyemi', // a surname alone is not enough: it is too common to exclude on
    'xhelen.adeyemi@elsewhere.example',
  ])('does not match “%s”', (text) => {
    expect(isNamedIn(text, helen)).toBe(false);
  });

  it('handles hyphenated and apostrophe names', () => {
    expect(isNamedIn('Dr Lewis-Grant', { name: 'Catherine Lewis-Grant', email: 'c.lg@x.ac.uk' })).toBe(true);
    expect(isNamedIn("Patrick O'Neill", { name: "Patrick O'Neill", email: 'p@x.ac.uk' })).toBe(true);
    expect(isNamedIn('Patrick ONeill', { name: "Patrick O'Neill", email: 'p@x.ac.uk' })).toBe(false);
  });

  it('never matches a one-word name on its own', () => {
    expect(isNamedIn('Madonna was rude', { name: 'Madonna', email: 'm@x.ac.uk' })).toBe(false);
  });
});

describe('assignment', () => {
  const candidate = { userId: 'c', name: 'Kwame Mensah', email: 'kwame.mensah@x.ac.uk', handlerOf: [SCHOOL] };
  it('only to a handler of the school without a conflict', () => {
    expect(mayBeAssigned(candidate, subject())).toBe(true);
    expect(mayBeAssigned({ ...candidate, handlerOf: [OTHER] }, subject())).toBe(false);
    expect(mayBeAssigned(candidate, subject({ conflictedUserIds: ['c'] }))).toBe(false);
    expect(mayBeAssigned(candidate, subject({ peopleText: 'Mr Mensah' }))).toBe(false);
  });
});

describe('who may see the suppressed statistics', () => {
  it('leads of a network of the institution, its case handlers, and admins', () => {
    const lead = actor({
      caseHandlerOf: [],
      memberships: [
        {
          networkId: 'n',
          institutionId: SCHOOL,
          kind: 'student',
          yearOfStudy: 3,
          role: 'lead',
          leadTitle: 'co_chair',
        },
      ],
    });
    expect(mayViewStatistics(lead, SCHOOL)).toBe(true);
    expect(mayViewStatistics(lead, OTHER)).toBe(false);
    expect(mayViewStatistics(actor(), SCHOOL)).toBe(true);
    expect(mayViewStatistics(actor({ caseHandlerOf: [], isAdmin: true }), OTHER)).toBe(true);
  });

  it('not members, nor the signed-out', () => {
    const member = actor({
      caseHandlerOf: [],
      memberships: [
        {
          networkId: 'n',
          institutionId: SCHOOL,
          kind: 'student',
          yearOfStudy: 3,
          role: 'member',
          leadTitle: null,
        },
      ],
    });
    expect(mayViewStatistics(member, SCHOOL)).toBe(false);
    expect(mayViewStatistics(null, SCHOOL)).toBe(false);
  });
});
