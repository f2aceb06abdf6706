import { describe, expect, it } from 'vitest';
import {
  daysBetween,
  nextStatuses,
  overdueFlags,
  transitionProblem,
  ukDate,
  ukMidnight,
  workingDaysAfter,
} from './workflow';

describe('the case workflow', () => {
  it('goes one step at a time: received → acknowledged → assessing → action → closed', () => {
    const purged = false;
    expect(nextStatuses('received', { purged })).toEqual(['acknowledged']);
    expect(nextStatuses('acknowledged', { purged })).toEqual(['assessing']);
    expect(nextStatuses('assessing', { purged })).toEqual(['action']);
    expect(nextStatuses('action', { purged })).toEqual(['closed']);
    expect(nextStatuses('closed', { purged })).toEqual([]);
    expect(transitionProblem('received', { to: 'acknowledged' }, { purged })).toBeNull();
    expect(transitionProblem('received', { to: 'assessing' }, { purged })).toMatch(/only to acknowledged/);
    expect(transitionProblem('assessing', { to: 'acknowledged' }, { purged })).toMatch(/only to action/);
    expect(transitionProblem('received', { to: 'received' }, { purged })).not.toBeNull();
    expect(transitionProblem('closed', { to: 'closed', outcome: 'support_provided' }, { purged })).toMatch(
      /closed/,
    );
  });

  it('needs an action kind to enter action and an outcome to close', () => {
    const purged = false;
    expect(transitionProblem('assessing', { to: 'action' }, { purged })).toMatch(/kind of action/);
    expect(
      transitionProblem('assessing', { to: 'action', actionKind: 'support_only' }, { purged }),
    ).toBeNull();
    expect(transitionProblem('action', { to: 'closed' }, { purged })).toMatch(/outcome/);
    expect(
      transitionProblem('action', { to: 'closed', outcome: 'resolved_informally' }, { purged }),
    ).toBeNull();
    expect(
      transitionProblem('received', { to: 'acknowledged', outcome: 'resolved_informally' }, { purged }),
    ).toMatch(/only when closing/);
    expect(
      transitionProblem('acknowledged', { to: 'assessing', actionKind: 'formal_complaint' }, { purged }),
    ).toMatch(/only when entering action/);
  });

  it('lets a case the reporter deleted be closed from any step', () => {
    expect(nextStatuses('received', { purged: true })).toEqual(['acknowledged', 'closed']);
    expect(
      transitionProblem('received', { to: 'closed', outcome: 'withdrawn_by_reporter' }, { purged: true }),
    ).toBeNull();
    expect(nextStatuses('action', { purged: true })).toEqual(['closed']);
  });
});

describe('UK working-day clocks (the tests run in Asia/Kathmandu)', () => {
  it('knows the UK date of an instant whatever the server zone', () => {
    expect(ukDate(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01'); // BST
    expect(ukDate(new Date('2026-01-31T23:30:00Z'))).toBe('2026-01-31'); // GMT
  });

  it('finds UK midnight in winter, in summer and on the days the clocks change', () => {
    expect(ukMidnight('2026-01-15').toISOString()).toBe('2026-01-15T00:00:00.000Z');
    expect(ukMidnight('2026-06-15').toISOString()).toBe('2026-06-14T23:00:00.000Z');
    expect(ukMidnight('2026-03-29').toISOString()).toBe('2026-03-29T00:00:00.000Z'); // clocks go forward at 01:00
    expect(ukMidnight('2026-03-30').toISOString()).toBe('2026-03-29T23:00:00.000Z');
    expect(ukMidnight('2026-10-25').toISOString()).toBe('2026-10-24T23:00:00.000Z'); // clocks go back at 02:00 BST
    expect(ukMidnight('2026-10-26').toISOString()).toBe('2026-10-26T00:00:00.000Z');
  });

  it('counts working days after the day received, ending at the end of the UK day', () => {
    // Monday 12 January 2026, 10:00 → 2 working days → end of Wednesday 14th (GMT).
    expect(workingDaysAfter(new Date('2026-01-12T10:00:00Z'), 2).toISOString()).toBe(
      '2026-01-14T23:59:59.999Z',
    );
    // Friday 16th → Monday 19th, Tuesday 20th.
    expect(workingDaysAfter(new Date('2026-01-16T16:59:00Z'), 2).toISOString()).toBe(
      '2026-01-20T23:59:59.999Z',
    );
    // Saturday and Sunday count as received at the weekend: due at the end of Tuesday too.
    expect(workingDaysAfter(new Date('2026-01-17T09:00:00Z'), 2).toISOString()).toBe(
      '2026-01-20T23:59:59.999Z',
    );
    expect(workingDaysAfter(new Date('2026-01-18T09:00:00Z'), 2).toISOString()).toBe(
      '2026-01-20T23:59:59.999Z',
    );
    // 10 working days from Monday 12th: Tuesday 13th … Monday 26th.
    expect(workingDaysAfter(new Date('2026-01-12T10:00:00Z'), 10).toISOString()).toBe(
      '2026-01-26T23:59:59.999Z',
    );
  });

  it('uses the UK day, not the UTC day or the server’s', () => {
    // 23:30 UTC on Tuesday 30 June is already Wednesday 1 July in the UK (BST).
    const due = workingDaysAfter(new Date('2026-06-30T23:30:00Z'), 2);
    expect(due.toISOString()).toBe('2026-07-03T22:59:59.999Z'); // end of Friday 3 July, BST
  });

  it('crosses the clock change and skips given holidays', () => {
    // Friday 27 March 2026 (GMT) + 2 → Tuesday 31 March, which is BST.
    expect(workingDaysAfter(new Date('2026-03-27T12:00:00Z'), 2).toISOString()).toBe(
      '2026-03-31T22:59:59.999Z',
    );
    // Easter 2026: Good Friday 3 April and Easter Monday 6 April.
    const holidays = ['2026-04-03', '2026-04-06'];
    expect(workingDaysAfter(new Date('2026-04-02T12:00:00Z'), 2, holidays).toISOString()).toBe(
      '2026-04-08T22:59:59.999Z',
    );
    expect(() => workingDaysAfter(new Date(), 0)).toThrow();
  });
});

describe('overdue flags', () => {
  const base = {
    acknowledgedAt: null,
    actionAt: null,
    closedAt: null,
    acknowledgeDueAt: new Date('2026-01-14T23:59:59.999Z'),
    respondDueAt: new Date('2026-01-26T23:59:59.999Z'),
  };
  it('flags a missed acknowledgement, then a missed response, and nothing once closed', () => {
    expect(overdueFlags(base, new Date('2026-01-14T12:00:00Z'))).toEqual({
      acknowledgement: false,
      response: false,
    });
    expect(overdueFlags(base, new Date('2026-01-15T00:00:00Z'))).toEqual({
      acknowledgement: true,
      response: false,
    });
    const acknowledged = { ...base, acknowledgedAt: new Date('2026-01-15T09:00:00Z') };
    expect(overdueFlags(acknowledged, new Date('2026-01-20T00:00:00Z'))).toEqual({
      acknowledgement: false,
      response: false,
    });
    expect(overdueFlags(acknowledged, new Date('2026-01-27T00:00:00Z'))).toEqual({
      acknowledgement: false,
      response: true,
    });
    const acting = { ...acknowledged, actionAt: new Date('2026-01-26T09:00:00Z') };
    expect(overdueFlags(acting, new Date('2026-02-27T00:00:00Z'))).toEqual({
      acknowledgement: false,
      response: false,
    });
    const closed = { ...base, closedAt: new Date('2026-01-13T09:00:00Z') };
    expect(overdueFlags(closed, new Date('2026-03-01T00:00:00Z'))).toEqual({
      acknowledgement: false,
      response: false,
    });
  });

  it('measures days to one decimal place', () => {
    expect(daysBetween(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-02T12:00:00Z'))).toBe(1.5);
  });
});
