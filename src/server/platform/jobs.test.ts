import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { createTestApp, type TestApp } from '../test/app';
import { type Job, runJobSlot, slotFor, startJobRunner } from './jobs';

/** Two app instances on one database, as two servers behind a load balancer would be. */
describe('durable jobs', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ database: a.database });
  });
  afterAll(async () => {
    // On PostgreSQL the concurrent runs opened several pooled connections; dropping the test
    // database (WITH FORCE) can reach one still saying goodbye. That is teardown, not a job error.
    a.database.pool?.on('error', () => {});
    await b.close();
    await a.close();
  });

  const countingJob = (name: string, calls: { n: number }, fail = { times: 0 }): Job => ({
    name,
    every: 'hour',
    async run(tx) {
      calls.n++;
      // Widen the race: the body takes a while inside its transaction.
      await tx.execute(sql`select pg_sleep(0.2)`);
      await tx.execute(
        sql`insert into job_runs (job_name, slot) values (${`${name}:side-effect`}, ${String(calls.n)})`,
      );
      if (fail.times > 0) {
        fail.times--;
        throw new Error('the job failed');
      }
      return { calls: calls.n };
    },
  });

  it('names slots by the UTC hour or day', () => {
    const at = new Date('2026-11-22T01:59:59Z');
    expect(slotFor('hour', at)).toBe('2026-11-22T01');
    expect(slotFor('day', at)).toBe('2026-11-22');
  });

  it('names weekly slots by the ISO week in UTC (Monday to Sunday; the week of its Thursday’s year)', () => {
    expect(slotFor('week', new Date('2026-11-22T23:59:59Z'))).toBe('2026-W47'); // a Sunday
    expect(slotFor('week', new Date('2026-11-23T00:00:00Z'))).toBe('2026-W48'); // the Monday after
    expect(slotFor('week', new Date('2026-11-22T23:30:00+05:45'))).toBe('2026-W47'); // Kathmandu Monday, UTC Sunday
    expect(slotFor('week', new Date('2027-01-01T12:00:00Z'))).toBe('2026-W53'); // a Friday: 2026 has 53 weeks
    expect(slotFor('week', new Date('2024-12-30T12:00:00Z'))).toBe('2025-W01'); // a Monday in 2025's first week
    expect(slotFor('week', new Date('2026-01-01T00:00:00Z'))).toBe('2026-W01'); // a Thursday
  });

  it('runs a slot exactly once when two instances start it together', async () => {
    const calls = { n: 0 };
    const job = countingJob('test.once', calls);
    const at = new Date('2026-01-05T10:15:00Z');
    const outcomes = await Promise.all([
      runJobSlot(a.app.services, job, at),
      runJobSlot(b.app.services, job, at),
      runJobSlot(a.app.services, job, new Date('2026-01-05T10:45:00Z')),
      runJobSlot(b.app.services, job, new Date('2026-01-05T10:59:00Z')),
    ]);
    expect(outcomes.filter((o) => o === 'ran')).toHaveLength(1);
    expect(calls.n).toBe(1);
    const rows = await queryRows<{ job_name: string; slot: string; finished: boolean }>(
      a.database.db,
      sql`select job_name, slot, finished_at is not null as finished from job_runs where job_name like 'test.once%' order by job_name`,
    );
    expect(rows).toEqual([
      { job_name: 'test.once', slot: '2026-01-05T10', finished: true },
      { job_name: 'test.once:side-effect', slot: '1', finished: false },
    ]);
    // The next hour is a new slot.
    expect(await runJobSlot(b.app.services, job, new Date('2026-01-05T11:00:00Z'))).toBe('ran');
    expect(calls.n).toBe(2);
  });

  it('rolls a failed run back entirely, so the slot runs again', async () => {
    const calls = { n: 0 };
    const job = countingJob('test.retry', calls, { times: 1 });
    const at = new Date('2026-01-06T08:00:00Z');
    await expect(runJobSlot(a.app.services, job, at)).rejects.toThrow('the job failed');
    const [before] = await queryRows<{ n: number }>(
      a.database.db,
      sql`select count(*)::int as n from job_runs where job_name like 'test.retry%'`,
    );
    expect(before!.n).toBe(0);
    expect(await runJobSlot(b.app.services, job, at)).toBe('ran');
    expect(await runJobSlot(a.app.services, job, at)).toBe('skipped');
  });

  it('a runner on each instance: the current slot still runs once', async () => {
    const calls = { n: 0 };
    const job: Job = {
      name: 'test.runner',
      every: 'day',
      async run() {
        calls.n++;
        return undefined;
      },
    };
    const stops = [
      startJobRunner(a.app.services, [job], { intervalMs: 20, firstTickMs: 0 }),
      startJobRunner(b.app.services, [job], { intervalMs: 20, firstTickMs: 0 }),
    ];
    await new Promise((r) => setTimeout(r, 300));
    await Promise.all(stops.map((stop) => stop()));
    expect(calls.n).toBe(1);
  });
});
