import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PollAnswer } from '../../../shared/meetings/schema';
import { type Kind, type RankingInput, rankSlots, requiredLabel } from './ranking';

const WEIGHTS = { student: 3, staff: 1, alumnus: 1 };
const at = (iso: string) => new Date(iso);

/** A cast: students s1…sN, staff t1…tN, the student co-chair `aisha`. */
function people(students: number, staff: number) {
  const map = new Map<string, { kind: Kind }>();
  for (let i = 1; i <= students; i++) map.set(`s${i}`, { kind: 'student' });
  for (let i = 1; i <= staff; i++) map.set(`t${i}`, { kind: 'staff' });
  map.set('aisha', { kind: 'student' });
  return map;
}
const answer = (slotId: string, userIds: string[], value: PollAnswer) =>
  userIds.map((userId) => ({ slotId, userId, answer: value }));
const ids = (prefix: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

describe('ranking slots', () => {
  it('prefers the slot most students and the student co-chair can make over one with more staff', () => {
    const input: RankingInput = {
      slots: [
        { id: 'staffy', startsAt: at('2027-01-12T12:00:00Z') },
        { id: 'studenty', startsAt: at('2027-01-13T17:30:00Z') },
        { id: 'no-chair', startsAt: at('2027-01-14T17:30:00Z') },
      ],
      answers: [
        // Monday lunchtime: every staff member, two students, the co-chair is on placement.
        ...answer('staffy', ids('t', 1, 8), 'yes'),
        ...answer('staffy', ids('s', 1, 2), 'yes'),
        ...answer('staffy', ['aisha'], 'no'),
        // Wednesday evening: most students (five yes, two if need be), two staff, the co-chair.
        ...answer('studenty', ids('s', 1, 5), 'yes'),
        ...answer('studenty', ids('s', 6, 7), 'if_need_be'),
        ...answer('studenty', ids('t', 1, 2), 'yes'),
        ...answer('studenty', ['aisha'], 'yes'),
        // Thursday: even more students, but the co-chair cannot come.
        ...answer('no-chair', ids('s', 1, 9), 'yes'),
        ...answer('no-chair', ['aisha'], 'no'),
      ],
      people: people(9, 8),
      weights: WEIGHTS,
      required: [{ userId: 'aisha', label: 'Aisha (student co-chair)' }],
      minStudents: 3,
    };
    const ranking = rankSlots(input);
    expect(ranking.map((r) => r.slotId)).toEqual(['studenty', 'no-chair', 'staffy']);
    const best = ranking[0]!;
    expect(best).toMatchObject({ rank: 1, eligible: true, problems: [] });
    // 5 + 1 (aisha) students yes ×3, 2 if need be ×1.5, 2 staff ×1.
    expect(best.score).toBe(6 * 3 + 2 * 1.5 + 2);
    expect(best.explanation).toBe(
      '8 students can come (6 yes, 2 if need be), 2 staff; Aisha (student co-chair) can come',
    );
    // Thursday scores higher but is not eligible, so it ranks after every eligible slot.
    expect(ranking[1]!.score).toBeGreaterThan(best.score);
    expect(ranking[1]!.problems).toEqual(['Aisha (student co-chair) cannot come']);
    expect(ranking[2]!.problems).toEqual([
      'Aisha (student co-chair) cannot come',
      'only 2 students can come; at least 3 needed',
    ]);
  });

  it('makes a slot ineligible when a required person has not answered it', () => {
    const [only] = rankSlots({
      slots: [{ id: 'a', startsAt: at('2027-01-13T17:30:00Z') }],
      answers: answer('a', ['s1'], 'yes'),
      people: people(1, 0),
      weights: WEIGHTS,
      required: [{ userId: 'aisha', label: 'Aisha (student co-chair)' }],
      minStudents: 0,
    });
    expect(only).toMatchObject({ eligible: false, problems: ['Aisha (student co-chair) has not answered'] });
  });

  it('breaks ties by more students saying yes, then by the earlier slot', () => {
    const ranking = rankSlots({
      slots: [
        { id: 'late', startsAt: at('2027-01-20T17:30:00Z') },
        { id: 'early', startsAt: at('2027-01-13T17:30:00Z') },
        { id: 'maybe', startsAt: at('2027-01-06T17:30:00Z') },
      ],
      answers: [
        ...answer('late', ['s1'], 'yes'),
        ...answer('early', ['s2'], 'yes'),
        // Same score (2 × 1.5 = 3) with no student saying yes outright.
        ...answer('maybe', ['s1', 's2'], 'if_need_be'),
      ],
      people: people(2, 0),
      weights: WEIGHTS,
      required: [],
      minStudents: 0,
    });
    expect(ranking.map((r) => r.slotId)).toEqual(['early', 'late', 'maybe']);
  });

  it('ignores answers from people who are not members and counts weights per kind', () => {
    const [only] = rankSlots({
      slots: [{ id: 'a', startsAt: at('2027-01-13T17:30:00Z') }],
      answers: [...answer('a', ['t1', 'stranger'], 'yes')],
      people: people(0, 1),
      weights: { student: 3, staff: 2, alumnus: 1 },
      required: [],
      minStudents: 0,
    });
    expect(only).toMatchObject({ score: 2, explanation: '1 staff' });
  });

  it('always ranks eligible slots before ineligible ones, whatever the answers', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 4 }),
            fc.integer({ min: 0, max: 6 }),
            fc.constantFrom<PollAnswer>('yes', 'if_need_be', 'no'),
          ),
        ),
        fc.integer({ min: 0, max: 3 }),
        (raw, minStudents) => {
          const slots = [0, 1, 2, 3, 4].map((i) => ({
            id: `x${i}`,
            startsAt: at(`2027-02-0${i + 1}T10:00:00Z`),
          }));
          const answers = raw.map(([slot, person, value]) => ({
            slotId: `x${slot}`,
            userId: person === 6 ? 'aisha' : `s${person}`,
            answer: value,
          }));
          const ranking = rankSlots({
            slots,
            answers,
            people: people(5, 0),
            weights: WEIGHTS,
            required: [{ userId: 'aisha', label: 'Aisha' }],
            minStudents,
          });
          const firstIneligible = ranking.findIndex((r) => !r.eligible);
          if (firstIneligible >= 0)
            expect(ranking.slice(firstIneligible).every((r) => !r.eligible)).toBe(true);
          expect(ranking.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('required person labels', () => {
  it('names the kind and the lead title', () => {
    expect(requiredLabel('Aisha Khan', 'student', 'co_chair')).toBe('Aisha Khan (student co-chair)');
    expect(requiredLabel('Ben Osei', 'staff', null)).toBe('Ben Osei (staff)');
  });
});
