import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client';

/**
 * A cheap, exact "did this request commit any change?" for tests that send thousands of requests
 * (a full `databaseFingerprint` per request would take minutes): a row-level trigger on every
 * table of the public schema logs (table, operation) into `test_changes.log`. A write that is
 * rolled back rolls its log row back too, so the log holds exactly the committed changes.
 * The log lives in its own schema, out of `databaseFingerprint`'s sight. Test databases only.
 */
export async function trackChanges(db: Db): Promise<ChangeTracker> {
  for (const statement of [
    'create schema if not exists test_changes',
    'create table if not exists test_changes.log (seq bigserial primary key, tbl text not null, op text not null)',
    `create or replace function test_changes.record() returns trigger language plpgsql as $$
      begin insert into test_changes.log (tbl, op) values (tg_table_name, tg_op); return null; end $$`,
  ]) {
    await db.execute(sql.raw(statement));
  }
  const tables = await queryRows<{ name: string }>(
    db,
    sql`select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
  );
  for (const { name } of tables) {
    await db.execute(sql.raw(`drop trigger if exists test_changes_record on public."${name}"`));
    await db.execute(
      sql.raw(`create trigger test_changes_record after insert or update or delete on public."${name}"
        for each row execute function test_changes.record()`),
    );
  }
  const last = async () => {
    const [row] = await queryRows<{ seq: number | null }>(
      db,
      sql.raw('select max(seq)::int as seq from test_changes.log'),
    );
    return row?.seq ?? 0;
  };
  return {
    mark: last,
    async since(mark: number) {
      return queryRows<{ tbl: string; op: string }>(
        db,
        sql`select tbl, op from test_changes.log where seq > ${mark} order by seq`,
      );
    },
  };
}

export type ChangeTracker = {
  /** The position of the log now. */
  mark(): Promise<number>;
  /** The changes committed since a mark. */
  since(mark: number): Promise<{ tbl: string; op: string }[]>;
};
