import { describe, expect, it } from 'vitest';
import {
  consistentWith,
  FEWER_THAN_5,
  feasibleValues,
  hesaRound,
  median,
  type PublishedCell,
  protectGroup,
  publishCell,
  publishMedian,
  SUPPRESSED,
} from '../../platform/disclosure';
import { publishStatistics, type RawStatistics } from './statistics';

describe('HESA rounding', () => {
  it.each([
    [0, 0],
    [1, 0],
    [2, 0],
    [2.4, 0],
    [2.5, 5],
    [3, 5],
    [7, 5],
    [7.5, 10],
    [8, 10],
    [12, 10],
    [13, 15],
    [22, 20],
    [23, 25],
    [100, 100],
    [102, 100],
    [103, 105],
  ])('r(%s) = %s', (n, expected) => {
    expect(hesaRound(n)).toBe(expected);
  });
});

describe('publishing one count', () => {
  it('shows rounded counts, "fewer than 5" for 0 to 4 and ".." for a protecting suppression', () => {
    // A zero looks like any other small count: a count going from 0 to 1 shows no change.
    expect(publishCell(0, 'small')).toEqual(publishCell(1, 'small'));
    expect(() => publishCell(0, 'shown')).toThrow();
    expect(publishCell(13, 'shown')).toEqual({ value: 15, display: '15', suppressed: false });
    expect(publishCell(3, 'small')).toEqual({ value: null, display: FEWER_THAN_5, suppressed: true });
    expect(publishCell(40, 'hidden')).toEqual({ value: null, display: SUPPRESSED, suppressed: true });
    expect(() => publishCell(3, 'shown')).toThrow();
  });
});

describe('medians', () => {
  it('are computed, and suppressed when based on 7 or fewer cases', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(publishMedian([1, 2, 3, 4, 5, 6, 7])).toEqual({
      value: null,
      display: SUPPRESSED,
      suppressed: true,
    });
    expect(publishMedian([1, 2, 3, 4, 5, 6, 7, 8.25])).toEqual({
      value: 4.5,
      display: '4.5 days',
      suppressed: false,
    });
  });
});

// ---- an attacker, written independently of the production code -----------------------------------

/**
 * Every assignment of true counts consistent with what was published, found by brute force: each
 * cell within what its display allows, adding up to a value consistent with the published total.
 * Returns, per cell, the set of values it can take.
 */
function bruteForce(cells: PublishedCell[], total: PublishedCell | null, cap = 130): Set<number>[] {
  const options = cells.map((cell) => {
    const out: number[] = [];
    for (let n = 0; n <= cap; n++) if (consistentWith(n, cell)) out.push(n);
    return out;
  });
  const seen = cells.map(() => new Set<number>());
  const current: number[] = [];
  const walk = (i: number, sum: number) => {
    if (i === cells.length) {
      if (!total || consistentWith(sum, total, 'total')) {
        for (const [j, v] of current.entries()) seen[j]!.add(v);
      }
      return;
    }
    const limit = !total
      ? cap
      : total.display === FEWER_THAN_5
        ? 4
        : total.suppressed
          ? cap
          : total.value! + 2;
    for (const v of options[i]!) {
      if (sum + v > limit) break;
      current[i] = v;
      walk(i + 1, sum + v);
    }
  };
  walk(0, 0);
  return seen;
}

function publishGroup(counts: number[]) {
  const plan = protectGroup(counts);
  const total = counts.reduce((a, b) => a + b, 0);
  return {
    plan,
    cells: counts.map((n, i) => publishCell(n, plan.marks[i]!)),
    total: publishCell(total, plan.totalMark),
  };
}

/** Asserts that no suppressed non-zero count can be pinned to a single value. */
function expectNothingRecoverable(counts: number[], cells: PublishedCell[], total: PublishedCell) {
  const possible = bruteForce(cells, total);
  counts.forEach((n, i) => {
    if (!cells[i]!.suppressed) return;
    // The truth is always among the possibilities (the attacker model is sound)…
    expect(possible[i]!.has(n), `cell ${i} (${n}) must be possible`).toBe(true);
    // …and a suppressed count is never the only one.
    if (n > 0) expect(possible[i]!.size, `cell ${i} = ${n} of [${counts}] was recovered`).toBeGreaterThan(1);
  });
}

describe('secondary suppression', () => {
  it('never leaves exactly one suppressed cell in a group: the next smallest goes too', () => {
    const { cells, total } = publishGroup([2, 9, 30, 40]);
    expect(cells.map((c) => c.display)).toEqual([FEWER_THAN_5, SUPPRESSED, '30', '40']);
    expect(total.display).toBe('80');
  });

  it('counts a zero among the small counts, so it protects another small count as well as hiding itself', () => {
    const withZero = publishGroup([3, 0, 12]);
    expect(withZero.cells.map((c) => c.display)).toEqual([FEWER_THAN_5, FEWER_THAN_5, '10']);
    expectNothingRecoverable([3, 0, 12], withZero.cells, withZero.total);
    const onlyZeros = publishGroup([3, 0, 0]);
    expect(onlyZeros.cells.map((c) => c.display)).toEqual([FEWER_THAN_5, FEWER_THAN_5, FEWER_THAN_5]);
    expect(onlyZeros.total.display).toBe(FEWER_THAN_5);
    // A lone zero is protected like any lone small count: the next smallest goes too.
    expect(publishGroup([12, 30, 0, 7]).cells.map((c) => c.display)).toEqual([
      '10',
      '30',
      FEWER_THAN_5,
      SUPPRESSED,
    ]);
  });

  it('suppresses the total when the suppressed cells would add up to a telling sum', () => {
    // 4 + 4 = 8 rounds to 10; without more, the two cells could only be 4 and 4.
    const { cells, total } = publishGroup([4, 4]);
    expect(cells.every((c) => c.suppressed)).toBe(true);
    expect(total.display).toBe(SUPPRESSED);
    expectNothingRecoverable([4, 4], cells, total);
  });

  it('leaves a table with no small counts alone', () => {
    const { cells, total } = publishGroup([12, 30, 7]);
    expect(cells.map((c) => c.display)).toEqual(['10', '30', '5']);
    expect(total.display).toBe('50');
  });

  const tricky: number[][] = [
    [1],
    [4],
    [1, 1],
    [1, 2],
    [4, 4],
    [1, 4],
    [4, 5],
    [1, 5],
    [1, 0, 0],
    [2, 0, 5],
    [3, 3, 3],
    [4, 4, 5],
    [1, 5, 5],
    [2, 9, 30, 40, 0],
    [1, 100],
    [4, 100],
    [1, 1, 1, 1, 1],
    [4, 4, 4, 4, 4],
    [4, 4, 4, 4, 5],
    [0, 0, 0, 0, 1],
    [7, 3, 0, 0, 8],
  ];
  it.each(tricky.map((t) => [t.join(', '), t] as const))(
    'an attacker cannot recover any suppressed cell of [%s] from the published cells and total',
    (_, counts) => {
      const { cells, total } = publishGroup([...counts]);
      expectNothingRecoverable([...counts], cells, total);
    },
  );

  it('holds for 3,000 random groups (brute force against every published total)', () => {
    let seed = 20260314;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let t = 0; t < 3000; t++) {
      const size = 1 + Math.floor(random() * 4);
      const counts = Array.from({ length: size }, () => {
        const r = random();
        return r < 0.25 ? 0 : r < 0.7 ? 1 + Math.floor(random() * 4) : 5 + Math.floor(random() * 12);
      });
      const { cells, total } = publishGroup(counts);
      expectNothingRecoverable(counts, cells, total);
    }
  });

  it('the production auditor agrees with the brute-force attacker', () => {
    const cells = [publishCell(4, 'small'), publishCell(9, 'hidden'), publishCell(30, 'shown')];
    const total = publishCell(43, 'shown');
    const brute = bruteForce(cells, total);
    for (const i of cells.keys()) {
      expect(feasibleValues(cells, total, i)).toEqual([...brute[i]!].sort((a, b) => a - b));
    }
  });
});

describe('a whole set of statistics', () => {
  const row = (key: string, count: number) => ({ key, label: key, count });
  const base = (overrides: Partial<RawStatistics> = {}): RawStatistics => ({
    total: 40,
    byMonth: [row('2025-08', 2), row('2025-09', 18), row('2025-10', 20)],
    bySetting: [row('campus', 3), row('placement', 37)],
    byProvider: [row('trust-a', 30), row('trust-b', 6), row('not_listed', 1)],
    byOutcome: [row('resolved_informally', 6), row('support_provided', 1), row('complaint_upheld', 0)],
    byActionKind: [row('informal_resolution', 9), row('support_only', 9)],
    daysToAcknowledge: [1, 1, 2, 2, 2, 3, 3, 4],
    daysToClose: [10, 12],
    ...overrides,
  });

  it('rounds, suppresses small counts, protects them, and suppresses medians of 7 or fewer', () => {
    const s = publishStatistics(base());
    expect(s.total).toEqual({ value: 40, display: '40', suppressed: false });
    expect(s.byMonth.map((r) => r.count.display)).toEqual([FEWER_THAN_5, SUPPRESSED, '20']);
    expect(s.bySetting.map((r) => r.count.display)).toEqual([FEWER_THAN_5, SUPPRESSED]);
    expect(s.byProvider.map((r) => r.count.display)).toEqual(['30', SUPPRESSED, FEWER_THAN_5]);
    expect(s.byOutcome.map((r) => r.count.display)).toEqual(['5', FEWER_THAN_5, FEWER_THAN_5]);
    expect(s.medianDaysToAcknowledge.display).toBe('2.0 days');
    expect(s.medianDaysToClose.display).toBe(SUPPRESSED);
  });

  it('keeps shared totals consistent: providers add up to the placement count shown in settings', () => {
    // Campus 1, placement 8 (providers 4 + 4): the provider group would give both away through
    // a shown placement count, so the placement count is suppressed as well.
    const raw = base({
      total: 9,
      byMonth: [row('2025-08', 9)],
      bySetting: [row('campus', 1), row('placement', 8)],
      byProvider: [row('trust-a', 4), row('trust-b', 4), row('not_listed', 0)],
    });
    const s = publishStatistics(raw);
    const placement = s.bySetting[1]!.count;
    expect(placement.suppressed).toBe(true);
    // The joint attack: campus + placement = total, providers add up to placement.
    const possible = { campus: new Set<number>(), a: new Set<number>(), b: new Set<number>() };
    const [campusCell] = [s.bySetting[0]!.count];
    const [aCell, bCell, otherCell] = s.byProvider.map((r) => r.count);
    for (let a = 0; a <= 30; a++) {
      for (let b = 0; b <= 30; b++) {
        for (let o = 0; o <= 30; o++) {
          const p = a + b + o;
          if (
            ![
              [a, aCell],
              [b, bCell],
              [o, otherCell],
            ].every(([n, c]) => consistentWith(n as number, c as PublishedCell))
          )
            continue;
          if (!consistentWith(p, placement, 'total')) continue;
          for (let c = 0; c <= 30; c++) {
            if (!consistentWith(c, campusCell!) || !consistentWith(c + p, s.total, 'total')) continue;
            if (!consistentWith(c + p, s.byMonth[0]!.count)) continue;
            possible.campus.add(c);
            possible.a.add(a);
            possible.b.add(b);
          }
        }
      }
    }
    expect(possible.campus.size).toBeGreaterThan(1);
    expect(possible.a.size).toBeGreaterThan(1);
    expect(possible.b.size).toBeGreaterThan(1);
  });

  it('suppresses the grand total everywhere when a group needs it hidden', () => {
    const s = publishStatistics(
      base({
        total: 8,
        byMonth: [row('2025-08', 4), row('2025-09', 4)],
        bySetting: [row('campus', 8), row('placement', 0)],
        byProvider: [row('not_listed', 0)],
      }),
    );
    expect(s.total.display).toBe(SUPPRESSED);
    expect(s.byMonth.map((r) => r.count.display)).toEqual([FEWER_THAN_5, FEWER_THAN_5]);
    // The settings would give the total away again (campus 10, placement 0), so campus goes too.
    expect(s.bySetting.map((r) => r.count.display)).toEqual([SUPPRESSED, FEWER_THAN_5]);
    expectNothingRecoverable(
      [4, 4],
      s.byMonth.map((r) => r.count),
      publishCell(8, 'hidden'),
    );
  });

  it('holds jointly for 150 random schools: months, settings and providers attacked together', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    const small = () => (random(3) === 0 ? 0 : random(2) === 0 ? 1 + random(4) : 5 + random(8));
    for (let t = 0; t < 150; t++) {
      const campus = small();
      const providers = [small(), small()];
      const placement = providers[0]! + providers[1]!;
      const total = campus + placement;
      const m1 = random(total + 1);
      const raw = base({
        total,
        byMonth: [row('m1', m1), row('m2', total - m1)],
        bySetting: [row('campus', campus), row('placement', placement)],
        byProvider: [row('a', providers[0]!), row('b', providers[1]!)],
      });
      const s = publishStatistics(raw);
      const cell = (rows: { count: PublishedCell }[], i: number) => rows[i]!.count;
      const possible = new Map<string, Set<number>>();
      const note = (name: string, v: number) => possible.set(name, (possible.get(name) ?? new Set()).add(v));
      for (let a = 0; a <= 40; a++) {
        if (!consistentWith(a, cell(s.byProvider, 0))) continue;
        for (let b = 0; b <= 40; b++) {
          if (!consistentWith(b, cell(s.byProvider, 1))) continue;
          const p = a + b;
          if (!consistentWith(p, cell(s.bySetting, 1), 'total')) continue;
          for (let c = 0; c <= 40; c++) {
            if (!consistentWith(c, cell(s.bySetting, 0))) continue;
            const tot = c + p;
            if (!consistentWith(tot, s.total, 'total')) continue;
            for (let x = 0; x <= tot; x++) {
              if (!consistentWith(x, cell(s.byMonth, 0)) || !consistentWith(tot - x, cell(s.byMonth, 1)))
                continue;
              for (const [name, v] of [
                ['a', a],
                ['b', b],
                ['p', p],
                ['c', c],
                ['m1', x],
                ['m2', tot - x],
                ['t', tot],
              ] as const) {
                note(name, v);
              }
            }
          }
        }
      }
      const truth = {
        a: providers[0]!,
        b: providers[1]!,
        p: placement,
        c: campus,
        m1,
        m2: total - m1,
        t: total,
      };
      const shown = {
        a: cell(s.byProvider, 0),
        b: cell(s.byProvider, 1),
        p: cell(s.bySetting, 1),
        c: cell(s.bySetting, 0),
        m1: cell(s.byMonth, 0),
        m2: cell(s.byMonth, 1),
        t: s.total,
      };
      for (const [name, value] of Object.entries(truth)) {
        const set = possible.get(name) ?? new Set();
        expect(set.has(value), `${name}=${value} possible in ${JSON.stringify(truth)}`).toBe(true);
        if (shown[name as keyof typeof shown].suppressed && value > 0) {
          expect(set.size, `${name}=${value} recovered in ${JSON.stringify(truth)}`).toBeGreaterThan(1);
        }
      }
    }
  });

  it('refuses tables that do not add up', () => {
    expect(() => publishStatistics(base({ total: 41 }))).toThrow();
    expect(() => publishStatistics(base({ byProvider: [row('trust-a', 1)] }))).toThrow();
  });
});
