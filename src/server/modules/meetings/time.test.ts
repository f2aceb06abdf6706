import { describe, expect, it } from 'vitest';
import {
  blockOn,
  checkSlots,
  describeRule,
  expandMonthly,
  nthWeekdayOfMonth,
  ruleFromWallTime,
  utcToWallTime,
  wallTimeToUtc,
} from './time';

const NOW = new Date('2026-11-22T12:00:00Z');

describe('wall times in a named zone', () => {
  it('converts with the given zone, not the process zone (the suite runs in Asia/Kathmandu)', () => {
    expect(process.env.TZ).toBe('Asia/Kathmandu');
    expect(wallTimeToUtc('2027-01-13T17:30', 'Europe/London')).toEqual({
      ok: true,
      at: new Date('2027-01-13T17:30:00Z'),
    });
    // British Summer Time: 17:30 in London is 16:30 UTC.
    expect(wallTimeToUtc('2027-06-09T17:30', 'Europe/London')).toEqual({
      ok: true,
      at: new Date('2027-06-09T16:30:00Z'),
    });
    expect(utcToWallTime(new Date('2027-06-09T16:30:00Z'), 'Europe/London')).toBe('2027-06-09T17:30');
    expect(utcToWallTime(new Date('2027-06-09T16:30:00Z'), 'Asia/Kolkata')).toBe('2027-06-09T22:00');
  });

  it('refuses a time in the spring-forward gap, naming it', () => {
    const result = wallTimeToUtc('2027-03-28T01:30', 'Europe/London');
    expect(result).toEqual({
      ok: false,
      message:
        '2027-03-28 01:30 does not exist in Europe/London: the clocks go forward then. Choose another time.',
    });
  });

  it('accepts the repeated hour when the clocks go back (as the later, GMT, one)', () => {
    expect(wallTimeToUtc('2027-10-31T01:30', 'Europe/London')).toEqual({
      ok: true,
      at: new Date('2027-10-31T01:30:00Z'),
    });
  });

  it('refuses dates that do not exist', () => {
    expect(wallTimeToUtc('2027-02-30T10:00', 'Europe/London').ok).toBe(false);
  });
});

describe('checking a poll’s slots', () => {
  const slot = (startsLocal: string, durationMinutes = 60) => ({ startsLocal, durationMinutes });

  it('gives UTC starts for good slots', () => {
    const result = checkSlots([slot('2027-01-13T17:30'), slot('2027-01-13T18:30')], 'Europe/London', NOW);
    expect(result.ok && result.slots.map((s) => s.startsAt.toISOString())).toEqual([
      '2027-01-13T17:30:00.000Z',
      '2027-01-13T18:30:00.000Z',
    ]);
  });

  it('reports past, gap and overlapping slots with their field paths', () => {
    const result = checkSlots(
      [
        slot('2027-01-13T17:30', 90),
        slot('2026-11-01T10:00'),
        slot('2027-03-28T01:30'),
        slot('2027-01-13T18:00'),
      ],
      'Europe/London',
      NOW,
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        { path: 'slots.1.startsLocal', message: '2026-11-01 10:00 has already passed.' },
        { path: 'slots.2.startsLocal', message: expect.stringContaining('2027-03-28 01:30 does not exist') },
        {
          path: 'slots.3.startsLocal',
          message: '2027-01-13 18:00 overlaps the time starting 2027-01-13 17:30.',
        },
      ],
    });
  });

  it('refuses a poll with no slots', () => {
    expect(checkSlots([], 'Europe/London', NOW)).toEqual({
      ok: false,
      problems: [{ path: 'slots', message: 'Propose at least one time.' }],
    });
  });
});

describe('monthly series', () => {
  it('finds the nth and the last weekday of a month', () => {
    // November 2026 starts on a Sunday.
    expect(nthWeekdayOfMonth(2026, 11, 2, 3)).toBe('2026-11-11');
    expect(nthWeekdayOfMonth(2026, 11, 1, 7)).toBe('2026-11-01');
    expect(nthWeekdayOfMonth(2026, 11, -1, 1)).toBe('2026-11-30');
    expect(nthWeekdayOfMonth(2027, 2, -1, 7)).toBe('2027-02-28');
    expect(nthWeekdayOfMonth(2027, 3, -1, 7)).toBe('2027-03-28');
  });

  it('keeps 17:30 local across the October and March clock changes', () => {
    const { occurrences } = expandMonthly({
      rule: { nth: 2, weekday: 3, time: '17:30' },
      zone: 'Europe/London',
      startsOn: '2026-09-01',
      endsOn: null,
      from: new Date('2026-09-01T00:00:00Z'),
      months: 8,
      blocks: [],
      respectsBlocksFor: [],
    });
    expect(occurrences.map((o) => o.startsAt.toISOString())).toEqual([
      '2026-09-09T16:30:00.000Z', // BST
      '2026-10-14T16:30:00.000Z', // BST (clocks go back on 25 October)
      '2026-11-11T17:30:00.000Z', // GMT
      '2026-12-09T17:30:00.000Z',
      '2027-01-13T17:30:00.000Z',
      '2027-02-10T17:30:00.000Z',
      '2027-03-10T17:30:00.000Z', // GMT (clocks go forward on 28 March)
      '2027-04-14T16:30:00.000Z', // BST
    ]);
    expect(occurrences.every((o) => o.startsLocal.endsWith('T17:30'))).toBe(true);
  });

  it('handles the last Sunday at 01:30, the day the clocks change', () => {
    const { occurrences } = expandMonthly({
      rule: { nth: -1, weekday: 7, time: '01:30' },
      zone: 'Europe/London',
      startsOn: '2027-03-01',
      endsOn: '2027-10-31',
      from: new Date('2027-03-01T00:00:00Z'),
      months: 12,
      blocks: [],
      respectsBlocksFor: [],
    });
    // 28 March: 01:30 does not exist and moves to 02:30 BST; 31 October: the second 01:30 (GMT).
    expect(occurrences[0]!.startsAt.toISOString()).toBe('2027-03-28T01:30:00.000Z');
    expect(occurrences.at(-1)!.startsAt.toISOString()).toBe('2027-10-31T01:30:00.000Z');
    expect(occurrences).toHaveLength(8);
  });

  it('skips dates inside blocks of the year groups it respects, and blocks for everyone', () => {
    const blocks = [
      { label: 'Year 3 exams', yearOfStudy: 3, startsOn: '2027-01-04', endsOn: '2027-01-15' },
      { label: 'Year 5 placement', yearOfStudy: 5, startsOn: '2027-02-01', endsOn: '2027-02-28' },
      { label: 'Easter', yearOfStudy: null, startsOn: '2027-03-08', endsOn: '2027-03-12' },
    ];
    const { occurrences, skipped } = expandMonthly({
      rule: { nth: 2, weekday: 3, time: '17:30' },
      zone: 'Europe/London',
      startsOn: '2026-12-01',
      endsOn: null,
      from: new Date('2026-12-01T00:00:00Z'),
      months: 5,
      blocks,
      respectsBlocksFor: [3],
    });
    expect(occurrences.map((o) => o.date)).toEqual(['2026-12-09', '2027-02-10', '2027-04-14']);
    expect(skipped).toEqual([
      { date: '2027-01-13', reason: 'Year 3 exams (year 3)' },
      { date: '2027-03-10', reason: 'Easter' },
    ]);
    expect(blockOn('2027-02-10', blocks, [3, 5])?.label).toBe('Year 5 placement');
  });

  it('describes rules and derives one from a slot', () => {
    expect(describeRule({ nth: 2, weekday: 3, time: '17:30' }, 'Europe/London')).toBe(
      'Second Wednesday of each month, 17:30 (Europe/London)',
    );
    expect(ruleFromWallTime('2027-01-13T17:30')).toEqual({ nth: 2, weekday: 3, time: '17:30' });
    expect(ruleFromWallTime('2027-01-29T09:00')).toEqual({ nth: -1, weekday: 5, time: '09:00' });
  });
});
