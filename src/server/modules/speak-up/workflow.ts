import type { ActionKind, CaseOutcome, ReportStatus } from '../../../shared/speak-up/schema';

/**
 * The case workflow and its clocks: pure functions, no database.
 *
 * received → acknowledged → assessing → action → closed, one step at a time. Entering `action`
 * needs an action kind; closing needs an outcome. A report its reporter deleted may be closed
 * from any step (there is nothing left to act on).
 */
export const STATUS_ORDER: readonly ReportStatus[] = [
  'received',
  'acknowledged',
  'assessing',
  'action',
  'closed',
];

/** The column that records when a case entered each step. */
export const STEP_TIMESTAMP = {
  acknowledged: 'acknowledgedAt',
  assessing: 'assessingAt',
  action: 'actionAt',
  closed: 'closedAt',
} as const;

export function nextStatuses(status: ReportStatus, options: { purged: boolean }): ReportStatus[] {
  const i = STATUS_ORDER.indexOf(status);
  const next = STATUS_ORDER[i + 1];
  if (!next) return [];
  if (options.purged && next !== 'closed') return [next, 'closed'];
  return [next];
}

export type TransitionRequest = {
  to: ReportStatus;
  actionKind?: ActionKind | undefined;
  outcome?: CaseOutcome | undefined;
};

/** Why a transition is refused, in words for the handler; null when it is allowed. */
export function transitionProblem(
  from: ReportStatus,
  request: TransitionRequest,
  options: { purged: boolean },
): string | null {
  if (from === 'closed') return 'This case is closed.';
  if (!nextStatuses(from, options).includes(request.to)) {
    const next = nextStatuses(from, options);
    return `A case that is ${from} can move only to ${next.join(' or ')}.`;
  }
  if (request.to === 'action' && !request.actionKind) return 'Say what kind of action is being taken.';
  if (request.to === 'closed' && !request.outcome) return 'Record the outcome before closing the case.';
  if (request.actionKind && request.to !== 'action')
    return 'An action kind is given only when entering action.';
  if (request.outcome && request.to !== 'closed') return 'An outcome is given only when closing.';
  return null;
}

// ---- clocks ---------------------------------------------------------------------------------------

/** Deadlines run on UK working days, whatever the server's time zone. */
export const CASE_TIME_ZONE = 'Europe/London';

const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: CASE_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const wallFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: CASE_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** The UK calendar date of an instant, `YYYY-MM-DD`. */
export function ukDate(at: Date): string {
  return dayFormat.format(at);
}

/** Milliseconds the UK clock is ahead of UTC at an instant (0 in winter, 3,600,000 in summer). */
function ukOffset(at: number): number {
  const parts = Object.fromEntries(wallFormat.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(
    +parts.year!,
    +parts.month! - 1,
    +parts.day!,
    +parts.hour!,
    +parts.minute!,
    +parts.second!,
  );
  return wall - Math.floor(at / 1000) * 1000;
}

/** The instant UK midnight begins on a calendar date. */
export function ukMidnight(date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(y, m - 1, d);
  let guess = utcMidnight - ukOffset(utcMidnight);
  guess = utcMidnight - ukOffset(guess);
  return new Date(guess);
}

function addCalendarDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function isWeekend(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return day === 0 || day === 6;
}

/**
 * The deadline `days` working days after an instant: the end of the UK day that is the `days`-th
 * working day after the day it happened (weekends and the given holidays skipped). A report
 * received on Friday or Saturday with 2 days is due at the end of Tuesday.
 */
export function workingDaysAfter(from: Date, days: number, holidays: readonly string[] = []): Date {
  if (!Number.isInteger(days) || days < 1) throw new Error('days must be a positive integer');
  const skip = new Set(holidays);
  let date = ukDate(from);
  let counted = 0;
  while (counted < days) {
    date = addCalendarDays(date, 1);
    if (!isWeekend(date) && !skip.has(date)) counted++;
  }
  return new Date(ukMidnight(addCalendarDays(date, 1)).getTime() - 1);
}

export type Clocks = {
  acknowledgedAt: Date | null;
  actionAt: Date | null;
  closedAt: Date | null;
  acknowledgeDueAt: Date;
  respondDueAt: Date;
};

/** Overdue flags: a deadline passed while its step is still not done. */
export function overdueFlags(c: Clocks, now: Date): { acknowledgement: boolean; response: boolean } {
  const open = c.closedAt === null;
  return {
    acknowledgement: open && c.acknowledgedAt === null && now.getTime() > c.acknowledgeDueAt.getTime(),
    response: open && c.actionAt === null && now.getTime() > c.respondDueAt.getTime(),
  };
}

/** Days between two instants, to one decimal place. */
export function daysBetween(from: Date, to: Date): number {
  return Math.round(((to.getTime() - from.getTime()) / 86_400_000) * 10) / 10;
}
