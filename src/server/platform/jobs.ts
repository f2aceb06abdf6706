import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { jobRuns } from '../../db/schema';
import type { Services } from './services';

/**
 * Durable scheduled jobs that run exactly once per slot across every instance.
 *
 * A slot is a period (the hour, the day). To run a job for a slot an instance opens a
 * transaction and inserts `(job_name, slot)` into `job_runs` with ON CONFLICT DO NOTHING: only
 * the instance whose insert succeeds runs the body, inside that same transaction. On PostgreSQL a
 * second instance's insert waits on the first's uncommitted row, then finds the conflict and does
 * nothing; if the first fails, its transaction (the row and every change of the body) rolls back
 * and the slot is free to be run again on the next tick. So a slot's changes commit exactly once.
 * Side effects outside the database (e-mail) are queued in the transaction (the mail outbox) and
 * delivered by `afterCommit`.
 */

export type JobPeriod = 'hour' | 'day' | 'week';

export type JobContext = { slot: string; at: Date };

export type Job = {
  name: string;
  every: JobPeriod;
  /** The body, in the slot's transaction. Use only `tx`. What it returns is kept in `job_runs.result`. */
  run(tx: Tx, services: Services, context: JobContext): Promise<Record<string, unknown> | undefined>;
  /** After the slot's transaction committed (e.g. deliver the mail it queued). */
  afterCommit?(services: Services): Promise<unknown>;
};

/**
 * The slot of a time, in UTC: `2026-11-22T01` for hourly jobs, `2026-11-22` for daily ones,
 * `2026-W47` (the ISO 8601 week, Monday to Sunday) for weekly ones.
 */
export function slotFor(every: JobPeriod, at: Date): string {
  const iso = at.toISOString();
  if (every === 'week') return isoWeek(at);
  return every === 'hour' ? iso.slice(0, 13) : iso.slice(0, 10);
}

/** The ISO 8601 week of a UTC day: the week belongs to the year of its Thursday. */
export function isoWeek(at: Date): string {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const weekday = day.getUTCDay() || 7; // Monday 1 … Sunday 7
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // that week's Thursday
  const year = day.getUTCFullYear();
  const week = Math.ceil(((day.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Runs a job for the slot of `at` if no instance has; 'skipped' when another already did. */
export async function runJobSlot(
  services: Services,
  job: Job,
  at: Date = new Date(),
): Promise<'ran' | 'skipped'> {
  const slot = slotFor(job.every, at);
  const ran = await services.db.transaction(async (tx) => {
    const claimed = await tx
      .insert(jobRuns)
      .values({ jobName: job.name, slot, startedAt: new Date() })
      .onConflictDoNothing()
      .returning({ slot: jobRuns.slot });
    if (claimed.length === 0) return false;
    const result = await job.run(tx, services, { slot, at });
    await tx
      .update(jobRuns)
      .set({ finishedAt: new Date(), result: result ?? {} })
      .where(and(eq(jobRuns.jobName, job.name), eq(jobRuns.slot, slot)));
    return true;
  });
  if (ran && job.afterCommit) {
    await job
      .afterCommit(services)
      .catch((error: Error) => services.log.warn({ job: job.name, err: error }, 'job follow-up failed'));
  }
  return ran ? 'ran' : 'skipped';
}

/** Whether a slot of a job has run (for tests and health pages). */
export async function slotHasRun(
  services: Pick<Services, 'db'>,
  jobName: string,
  slot: string,
): Promise<boolean> {
  const [row] = await services.db
    .select({ n: sql<number>`1` })
    .from(jobRuns)
    .where(and(eq(jobRuns.jobName, jobName), eq(jobRuns.slot, slot)));
  return row !== undefined;
}

/**
 * Starts the scheduler: every `intervalMs` (default a minute, and once shortly after start) each
 * job is offered its current slot. Ticks never overlap within an instance; instances race safely.
 * Returns a stop function that waits for a tick in progress.
 */
export function startJobRunner(
  services: Services,
  jobs: Job[],
  options: { intervalMs?: number; firstTickMs?: number } = {},
): () => Promise<void> {
  let stopped = false;
  let running: Promise<void> | null = null;
  const tick = () => {
    if (stopped || running) return;
    running = (async () => {
      for (const job of jobs) {
        if (stopped) break;
        try {
          const outcome = await runJobSlot(services, job);
          if (outcome === 'ran') services.log.info({ job: job.name }, 'scheduled job ran');
        } catch (error) {
          services.log.error({ job: job.name, err: error }, 'scheduled job failed; will retry');
        }
      }
    })().finally(() => {
      running = null;
    });
  };
  const first = setTimeout(tick, options.firstTickMs ?? 5_000);
  const timer = setInterval(tick, options.intervalMs ?? 60_000);
  first.unref();
  timer.unref();
  return async () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}
