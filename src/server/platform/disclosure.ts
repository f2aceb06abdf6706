/**
 * Disclosure control for every count about people the platform publishes (speak-up statistics,
 * the concerns dashboard, and any module that shows how many people did something): pure
 * functions, no database.
 *
 * The HESA standard rounding methodology (domain notes §6), with the design's small-number rule:
 * - every count is rounded to the nearest 5, halves up: r(n) = 5·floor(n/5 + 0.5);
 * - a count of 0 to 4 is not shown at all: "fewer than 5". A zero looks exactly like 1 to 4, so a
 *   count moving from 0 to 1 (one case closing, one person joining) shows no change;
 * - averages (here medians) based on 7 or fewer people are suppressed;
 * - totals are rounded after they are calculated, so rows need not add up;
 * - percentages are not published beside rounded counts: they would undo the rounding.
 *
 * Secondary suppression: a suppressed cell must not be recoverable from the other published cells
 * and the totals. If exactly one cell of a group is suppressed, the next smallest is suppressed too
 * (shown ".."). Then everything published is audited the way an observer would work: each number
 * narrows the true count to the values that round to it, every group must add up to its total, and
 * groups that share a total are reasoned about together. While a suppressed count still has only
 * one possible value, one more count near it is suppressed.
 *
 * Publishing over time is the caller's part: publish a period only once it has ended, and freeze
 * what was published (speak-up's statistics snapshots), so two answers cannot be subtracted.
 */

export const FEWER_THAN_5 = 'fewer than 5';
export const SUPPRESSED = '..';
export const MIN_CASES_FOR_AVERAGE = 8;

/** HESA rounding: r(n) = 5·floor(n/5 + 0.5); below 2.5 → 0. */
export function hesaRound(n: number): number {
  if (!Number.isFinite(n) || n < 2.5) return 0;
  return 5 * Math.floor(n / 5 + 0.5);
}

/**
 * How a count is shown: its rounded value (`shown`), "fewer than 5" (`small`, counts 0 to 4),
 * ".." to protect another count (`hidden`: only ever a count of 5 and more), or ".." for a
 * total withheld because it would give cells away (`withheld`: it may be any count).
 */
export type Mark = 'shown' | 'small' | 'hidden' | 'withheld';
/** Whether a position is a cell or a total: a ".." total may hide any count, a ".." cell not 1 to 4. */
export type Role = 'cell' | 'total';

export type PublishedCell = { value: number | null; display: string; suppressed: boolean };

export function primaryMark(count: number): Mark {
  return count <= 4 ? 'small' : 'shown';
}

export function publishCell(count: number, mark: Mark): PublishedCell {
  if (mark === 'small') return { value: null, display: FEWER_THAN_5, suppressed: true };
  if (mark === 'hidden' || mark === 'withheld') return { value: null, display: SUPPRESSED, suppressed: true };
  if (count <= 4) throw new Error('A count under 5 cannot be shown');
  const value = hesaRound(count);
  return { value, display: String(value), suppressed: false };
}

// ---- what an observer can infer ----------------------------------------------------------------

/**
 * Whether a true count `n` is consistent with what was published at a position. A ".." cell is
 * never 0 to 4 (those show "fewer than 5"); a ".." total may be anything.
 */
export function consistentWith(n: number, cell: PublishedCell, role: Role = 'cell'): boolean {
  if (!Number.isInteger(n) || n < 0) return false;
  if (cell.display === FEWER_THAN_5) return n <= 4;
  if (cell.suppressed) return role === 'total' || n >= 5;
  return n >= 5 && hesaRound(n) === cell.value;
}

// ---- the attacker's reasoning, for a system of linked groups --------------------------------------

/**
 * A set of counts that add up in groups: each group's cells add up to its total, and a count may
 * be a cell of one group and the total of another (the placement count is a setting cell and the
 * total of the providers). Counts are numbered; each group names its cells and its total.
 */
export type LinkedCounts = {
  counts: number[];
  groups: { cells: number[]; total: number }[];
};

/**
 * What an observer can infer about every count from what is published: for each count, the values
 * consistent with its own display and with every group adding up (generalised arc consistency,
 * which is exact here because the groups form a tree). Values above `cap` are not considered.
 */
export function possibleValues(
  system: LinkedCounts,
  cells: readonly PublishedCell[],
  cap: number,
): Uint8Array[] {
  const totals = new Set(system.groups.map((g) => g.total));
  const domains = cells.map((cell, i): Uint8Array => {
    const d = new Uint8Array(cap + 1);
    const role = totals.has(i) ? 'total' : 'cell';
    for (let n = 0; n <= cap; n++) if (consistentWith(n, cell, role)) d[n] = 1;
    return d;
  });
  for (let changed = true; changed; ) {
    changed = false;
    for (const group of system.groups) {
      const parts = group.cells.map((i) => domains[i]!);
      // prefix[k]: sums reachable by the first k cells; suffix[k]: by cells k… onwards.
      const prefix: Uint8Array[] = [unit(cap)];
      for (const d of parts) prefix.push(addSets(prefix[prefix.length - 1]!, d, cap));
      const suffix: Uint8Array[] = [unit(cap)];
      for (let k = parts.length - 1; k >= 0; k--) suffix.unshift(addSets(suffix[0]!, parts[k]!, cap));
      const total = domains[group.total]!;
      changed = intersect(total, prefix[parts.length]!) || changed;
      parts.forEach((d, k) => {
        const others = addSets(prefix[k]!, suffix[k + 1]!, cap);
        const allowed = new Uint8Array(cap + 1);
        for (let x = 0; x <= cap; x++) {
          if (!d[x]) continue;
          for (let t = x; t <= cap; t++) {
            if (total[t] && others[t - x]) {
              allowed[x] = 1;
              break;
            }
          }
        }
        changed = intersect(d, allowed) || changed;
      });
    }
  }
  return domains;
}

const unit = (cap: number): Uint8Array => {
  const d = new Uint8Array(cap + 1);
  d[0] = 1;
  return d;
};

/** {a + b : a ∈ A, b ∈ B}, up to cap. */
function addSets(a: Uint8Array, b: Uint8Array, cap: number): Uint8Array {
  const out = new Uint8Array(cap + 1);
  const bs: number[] = [];
  for (let j = 0; j <= cap; j++) if (b[j]) bs.push(j);
  for (let i = 0; i <= cap; i++) {
    if (!a[i]) continue;
    for (const j of bs) {
      if (i + j > cap) break;
      out[i + j] = 1;
    }
  }
  return out;
}

/** a ∩= b; whether a changed. */
function intersect(a: Uint8Array, b: Uint8Array): boolean {
  let changed = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && !b[i]) {
      a[i] = 0;
      changed = true;
    }
  }
  return changed;
}

const size = (d: Uint8Array) => d.reduce((a, b) => a + b, 0);

/** The values one cell of a single group could have, given its group's cells and total. */
export function feasibleValues(
  cells: readonly PublishedCell[],
  total: PublishedCell,
  index: number,
  cap = 200,
): number[] {
  const system: LinkedCounts = {
    counts: [],
    groups: [{ cells: cells.map((_, i) => i), total: cells.length }],
  };
  const d = possibleValues(system, [...cells, total], cap)[index]!;
  const out: number[] = [];
  for (let n = 0; n <= cap; n++) if (d[n]) out.push(n);
  return out;
}

// ---- choosing what to suppress ------------------------------------------------------------------

/**
 * Chooses how to show every count of a linked system:
 * 1. counts of 0 to 4 are "fewer than 5";
 * 2. a group with exactly one suppressed cell also loses its next smallest cell;
 * 3. while the observer can still pin a suppressed count (zero too) to one value, one more count
 *    near it is suppressed: the smallest shown cell of its group, else the group's total is
 *    withheld, else the smallest shown cell of a group sharing that total, else the smallest
 *    shown count anywhere.
 * Suppression only ever removes information, so each step makes things safer and the loop ends.
 */
export function protect(system: LinkedCounts): Mark[] {
  const { counts, groups } = system;
  const marks: Mark[] = counts.map(primaryMark);
  const cap = Math.max(0, ...groups.map((g) => counts[g.total]!)) + 25;
  const rank = (i: number) => (counts[i] === 0 ? Number.MAX_SAFE_INTEGER : counts[i]!);
  const hideSmallestOf = (candidates: number[]): boolean => {
    const shown = candidates.filter((i) => marks[i] === 'shown').sort((a, b) => rank(a) - rank(b) || a - b);
    if (shown.length === 0) return false;
    marks[shown[0]!] = 'hidden';
    return true;
  };
  const withhold = (total: number): boolean => {
    if (marks[total] === 'withheld') return false;
    marks[total] = 'withheld';
    return true;
  };

  for (const g of groups) {
    if (g.cells.filter((i) => marks[i] !== 'shown').length === 1) hideSmallestOf(g.cells);
  }

  for (;;) {
    const published = counts.map((n, i) => publishCell(n, marks[i]!));
    const domains = possibleValues(system, published, cap);
    const exposed = counts.findIndex((_, i) => marks[i] !== 'shown' && size(domains[i]!) < 2);
    if (exposed === -1) return marks;
    const own = groups.filter((g) => g.cells.includes(exposed) || g.total === exposed);
    const siblings = groups.filter(
      (g) =>
        !own.includes(g) &&
        own.some((o) => o.total === g.total || g.cells.includes(o.total) || o.cells.includes(g.total)),
    );
    const steps: (() => boolean)[] = [
      ...own.map((g) => () => hideSmallestOf(g.cells)),
      ...own.map((g) => () => withhold(g.total)),
      ...siblings.map((g) => () => hideSmallestOf(g.cells)),
      () => hideSmallestOf(counts.map((_, i) => i)),
    ];
    if (!steps.some((step) => step())) return marks; // everything is suppressed already
  }
}

/** One group of counts adding up to its total: how to show each count and the total. */
export function protectGroup(counts: readonly number[]): { marks: Mark[]; totalMark: Mark } {
  const total = counts.reduce((a, b) => a + b, 0);
  const marks = protect({
    counts: [...counts, total],
    groups: [{ cells: counts.map((_, i) => i), total: counts.length }],
  });
  return { marks: marks.slice(0, counts.length), totalMark: marks[counts.length]! };
}

/** The median of some values, or null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A median in days, suppressed when it rests on 7 or fewer cases. */
export function publishMedian(values: readonly number[]): PublishedCell & { value: number | null } {
  if (values.length < MIN_CASES_FOR_AVERAGE) return { value: null, display: SUPPRESSED, suppressed: true };
  const m = Math.round(median(values)! * 10) / 10;
  return { value: m, display: `${m.toFixed(1)} days`, suppressed: false };
}
