import { DateTime } from 'luxon';

/**
 * Wall-clock times in named zones, and monthly series. Everything goes through luxon with an
 * explicit zone: the process zone is never used (the tests run under Asia/Kathmandu to prove it).
 */

const LOCAL_FORMAT = "yyyy-MM-dd'T'HH:mm";
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const ORDINALS: Record<string, string> = {
  '1': 'First',
  '2': 'Second',
  '3': 'Third',
  '4': 'Fourth',
  '-1': 'Last',
};

export type FieldProblem = { path: string; message: string };

/** `2027-01-13T17:30` in `zone` → the UTC instant, or why it is not a time that happens there. */
export function wallTimeToUtc(
  local: string,
  zone: string,
): { ok: true; at: Date } | { ok: false; message: string } {
  const dt = DateTime.fromFormat(local, LOCAL_FORMAT, { zone });
  if (!dt.isValid) return { ok: false, message: `${local.replace('T', ' ')} is not a real date and time.` };
  // Luxon moves a time in a spring-forward gap to a real one; a round trip that differs was in the gap.
  if (dt.toFormat(LOCAL_FORMAT) !== local) {
    return {
      ok: false,
      message: `${local.replace('T', ' ')} does not exist in ${zone}: the clocks go forward then. Choose another time.`,
    };
  }
  return { ok: true, at: dt.toUTC().toJSDate() };
}

/** The wall-clock time of an instant in a zone, `YYYY-MM-DDTHH:mm`. */
export function utcToWallTime(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat(LOCAL_FORMAT);
}

/** A readable date and time in a zone for e-mails: "Wednesday 13 January 2027, 17:30 (Europe/London)". */
export function describeInstant(at: Date, zone: string): string {
  return `${DateTime.fromJSDate(at, { zone }).setLocale('en-GB').toFormat('cccc d LLLL yyyy, HH:mm')} (${zone})`;
}

export type SlotDraft = { startsLocal: string; durationMinutes: number };

/**
 * Checks a poll's proposed times: each must exist in the zone, lie in the future, and not overlap
 * another. Returns the UTC starts, or every problem with its field path (`slots.2.startsLocal`).
 */
export function checkSlots<S extends SlotDraft>(
  slots: S[],
  zone: string,
  now: Date,
): { ok: true; slots: (S & { startsAt: Date })[] } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (slots.length === 0) problems.push({ path: 'slots', message: 'Propose at least one time.' });
  const parsed: { slot: S & { startsAt: Date }; index: number }[] = [];
  slots.forEach((slot, index) => {
    const path = `slots.${index}.startsLocal`;
    const result = wallTimeToUtc(slot.startsLocal, zone);
    if (!result.ok) {
      problems.push({ path, message: result.message });
      return;
    }
    if (result.at.getTime() <= now.getTime()) {
      problems.push({ path, message: `${slot.startsLocal.replace('T', ' ')} has already passed.` });
      return;
    }
    parsed.push({ slot: { ...slot, startsAt: result.at }, index });
  });
  const byStart = [...parsed].sort((a, b) => a.slot.startsAt.getTime() - b.slot.startsAt.getTime());
  for (let k = 1; k < byStart.length; k++) {
    const previous = byStart[k - 1]!.slot;
    const current = byStart[k]!;
    const previousEnd = previous.startsAt.getTime() + previous.durationMinutes * 60_000;
    if (current.slot.startsAt.getTime() < previousEnd) {
      problems.push({
        path: `slots.${current.index}.startsLocal`,
        message: `${current.slot.startsLocal.replace('T', ' ')} overlaps the time starting ${previous.startsLocal.replace('T', ' ')}.`,
      });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, slots: parsed.map((p) => p.slot) };
}

// ---- monthly series ---------------------------------------------------------------------------

export type MonthlyRule = { nth: number; weekday: number; time: string };

/** "Second Wednesday of each month, 17:30 (Europe/London)". */
export function describeRule(rule: MonthlyRule, zone: string): string {
  return `${ORDINALS[String(rule.nth)] ?? `${rule.nth}th`} ${WEEKDAYS[rule.weekday - 1]} of each month, ${rule.time} (${zone})`;
}

/**
 * The rule a slot suggests: the same weekday in the same week of the month at the same time; a
 * date in the month's last seven days that is not also its fourth occurrence becomes "last".
 */
export function ruleFromWallTime(local: string): MonthlyRule {
  const dt = DateTime.fromFormat(local, LOCAL_FORMAT, { zone: 'UTC' });
  const nth = Math.ceil(dt.day / 7);
  return { nth: nth >= 5 ? -1 : nth, weekday: dt.weekday, time: dt.toFormat('HH:mm') };
}

/** The date (`YYYY-MM-DD`) of the nth (or last, -1) given ISO weekday of a month. */
export function nthWeekdayOfMonth(year: number, month: number, nth: number, weekday: number): string {
  // Calendar arithmetic only: done in UTC, where every day has 24 hours.
  if (nth === -1) {
    const last = DateTime.utc(year, month, 1).endOf('month').startOf('day');
    return last.minus({ days: (last.weekday - weekday + 7) % 7 }).toISODate()!;
  }
  const first = DateTime.utc(year, month, 1);
  return first.plus({ days: ((weekday - first.weekday + 7) % 7) + (nth - 1) * 7 }).toISODate()!;
}

export type BlockRange = { label: string; yearOfStudy: number | null; startsOn: string; endsOn: string };

/** Blocks that apply to a series: those for everyone, and those of the year groups it respects. */
export function blockOn(date: string, blocks: BlockRange[], respectsBlocksFor: number[]): BlockRange | null {
  return (
    blocks.find(
      (b) =>
        b.startsOn <= date &&
        date <= b.endsOn &&
        (b.yearOfStudy === null || respectsBlocksFor.includes(b.yearOfStudy)),
    ) ?? null
  );
}

export type Occurrence = { date: string; startsLocal: string; startsAt: Date };

/**
 * The occurrences of a monthly series from `from` (inclusive) for `months` calendar months, in
 * the series' zone (so 17:30 stays 17:30 across the clock changes), within startsOn–endsOn,
 * skipping dates inside blocks that apply. A rule time that falls in a spring-forward gap moves
 * to the first real minute after it (as luxon resolves it).
 */
export function expandMonthly(input: {
  rule: MonthlyRule;
  zone: string;
  startsOn: string;
  endsOn: string | null;
  from: Date;
  months: number;
  blocks: BlockRange[];
  respectsBlocksFor: number[];
}): { occurrences: Occurrence[]; skipped: { date: string; reason: string }[] } {
  const { rule, zone } = input;
  const occurrences: Occurrence[] = [];
  const skipped: { date: string; reason: string }[] = [];
  const fromLocal = DateTime.fromJSDate(input.from, { zone });
  const startMonth = DateTime.utc(fromLocal.year, fromLocal.month, 1);
  for (let i = 0; i < input.months; i++) {
    const month = startMonth.plus({ months: i });
    const date = nthWeekdayOfMonth(month.year, month.month, rule.nth, rule.weekday);
    if (date < input.startsOn || (input.endsOn && date > input.endsOn)) continue;
    const at = DateTime.fromISO(`${date}T${rule.time}`, { zone });
    if (at.toMillis() < input.from.getTime()) continue;
    const block = blockOn(date, input.blocks, input.respectsBlocksFor);
    if (block) {
      skipped.push({
        date,
        reason: `${block.label}${block.yearOfStudy ? ` (year ${block.yearOfStudy})` : ''}`,
      });
      continue;
    }
    occurrences.push({ date, startsLocal: at.toFormat(LOCAL_FORMAT), startsAt: at.toUTC().toJSDate() });
  }
  return { occurrences, skipped };
}

/** `YYYY-MM` of an instant in a zone. */
export function monthOf(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('yyyy-MM');
}

/** Every month from `first` to `last` inclusive (`YYYY-MM`). */
export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  let m = DateTime.fromFormat(first, 'yyyy-MM', { zone: 'UTC' });
  const end = DateTime.fromFormat(last, 'yyyy-MM', { zone: 'UTC' });
  while (m <= end && months.length < 1200) {
    months.push(m.toFormat('yyyy-MM'));
    m = m.plus({ months: 1 });
  }
  return months;
}
