import { describe, expect, it } from 'vitest';
import { monthMeasures } from './dashboard';
import { type ProgressNode, rollUpProgress } from './progress';

const node = (id: string, over: Partial<ProgressNode> = {}): ProgressNode => ({
  id,
  parentId: null,
  weight: 1,
  progress: 0,
  status: 'in_progress',
  ...over,
});

describe('weighted progress roll-up', () => {
  it('shows an action’s own progress without sub-actions, 100 once completed', () => {
    const p = rollUpProgress([node('a', { progress: 40 }), node('b', { progress: 40, status: 'completed' })]);
    expect(p.get('a')).toBe(40);
    expect(p.get('b')).toBe(100);
  });

  it('weights sub-actions and ignores the parent’s own progress', () => {
    const p = rollUpProgress([
      node('parent', { progress: 90 }),
      node('x', { parentId: 'parent', weight: 3, progress: 100, status: 'completed' }),
      node('y', { parentId: 'parent', weight: 1, progress: 20 }),
    ]);
    // (3·100 + 1·20) / 4 = 80
    expect(p.get('parent')).toBe(80);
  });

  it('rolls up recursively and rounds only at the end', () => {
    const p = rollUpProgress([
      node('root'),
      node('a', { parentId: 'root', weight: 1 }),
      node('b', { parentId: 'root', weight: 1, progress: 56 }),
      node('a1', { parentId: 'a', progress: 32 }),
      node('a2', { parentId: 'a', progress: 33 }),
    ]);
    // a = 32.5, shown 33; root = (32.5 + 56) / 2 = 44.25 → 44 (rounding a first would give 44.5 → 45)
    expect(p.get('a')).toBe(33);
    expect(p.get('root')).toBe(44);
  });

  it('leaves dropped sub-actions out; all dropped means the parent’s own progress', () => {
    const p = rollUpProgress([
      node('p', { progress: 10 }),
      node('done', { parentId: 'p', status: 'completed' }),
      node('gone', { parentId: 'p', status: 'dropped', weight: 50 }),
    ]);
    expect(p.get('p')).toBe(100);
    const q = rollUpProgress([
      node('q', { progress: 10 }),
      node('gone', { parentId: 'q', status: 'dropped' }),
    ]);
    expect(q.get('q')).toBe(10);
  });

  it('does not loop on a cycle in bad data', () => {
    const p = rollUpProgress([
      node('a', { parentId: 'b', progress: 10 }),
      node('b', { parentId: 'a', progress: 30 }),
    ]);
    expect(p.size).toBe(2);
  });
});

describe('dashboard month measures', () => {
  const now = new Date('2026-11-20T12:00:00Z');
  const day = 86_400_000;
  const concern = (created: string, answeredAfterDays: number | null, clockDays = 14) => {
    const createdAt = new Date(created);
    return {
      createdAt,
      firstAnsweredAt:
        answeredAfterDays === null ? null : new Date(createdAt.getTime() + answeredAfterDays * day),
      firstAnswerDueAt: new Date(createdAt.getTime() + clockDays * day),
    };
  };

  it('suppresses counts of 1 to 4 and medians or shares on 7 or fewer concerns', () => {
    const m = monthMeasures([concern('2026-10-01T10:00:00Z', 3), concern('2026-10-02T10:00:00Z', 5)], now);
    expect(m.raised).toEqual({ value: null, display: 'fewer than 5', suppressed: true });
    expect(m.medianDaysToFirstAnswer.suppressed).toBe(true);
    expect(m.answeredWithinClock.suppressed).toBe(true);
  });

  it('rounds counts to 5 and gives the median and the share answered in time', () => {
    const rows = [
      ...[1, 2, 3, 4, 5, 6, 7, 20].map((d) => concern('2026-09-01T10:00:00Z', d)),
      concern('2026-09-01T10:00:00Z', null), // unanswered, past its clock: counts against
      concern('2026-11-15T10:00:00Z', null), // unanswered, clock still running: not counted yet
    ];
    expect(rows).toHaveLength(10);
    const m = monthMeasures(rows, now);
    expect(m.raised).toEqual({ value: 10, display: '10', suppressed: false });
    expect(m.medianDaysToFirstAnswer.value).toBe(4.5);
    // 7 of 9 in time (the 20-day answer and the unanswered overdue one are late)
    expect(m.answeredWithinClock).toEqual({ value: 78, display: '78%', suppressed: false });
  });
});
