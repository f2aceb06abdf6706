import pg from 'pg';
import type { Config } from '../server/config';
import { openDatabase } from './client';
import { openConfiguredDatabase } from './open-from-config';

/**
 * Runs the migrations as the tables' owner: over MIGRATION_DATABASE_URL when it is set (then grants
 * the DATABASE_URL role what it needs and no more), else over DATABASE_URL or the embedded database.
 * Migrations get a connection of their own (index builds may run long).
 */
export async function migrateAsOwner(config: Config): Promise<void> {
  const ownerUrl = config.migrationDatabaseUrl;
  if (ownerUrl && !config.databaseUrl) {
    throw new Error(
      'MIGRATION_DATABASE_URL is set but DATABASE_URL is not: set both (README, "Running on PostgreSQL").',
    );
  }
  const migrator = ownerUrl
    ? await openDatabase({ kind: 'postgres', url: ownerUrl, poolSize: 1 })
    : await openConfiguredDatabase(config, 1);
  await migrator.migrate().finally(() => migrator.close());
  if (ownerUrl && config.databaseUrl) await grantAppRole(ownerUrl, await roleOf(config.databaseUrl));
}

/**
 * Two PostgreSQL roles (README, "Running on PostgreSQL"): the owner runs migrations and owns every
 * table, trigger and function; the app role, which serves requests, may read and write rows but not
 * alter tables or triggers. On `audit_events` it may only read and append, so the app's own
 * credentials cannot switch off the append-only trigger or edit the log.
 *
 * Run over the owner's connection after every migration (new tables get their grants at once).
 * Returns false, changing nothing, when the app role is the owner itself (a one-role deployment).
 */
export async function grantAppRole(ownerUrl: string, appRole: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rows: who } = await client.query<{ owner: string; is_superuser: boolean }>(
      'select current_user as owner, (select rolsuper from pg_roles where rolname = $1) as is_superuser',
      [appRole],
    );
    if (who[0]!.owner === appRole) return false;
    if (who[0]!.is_superuser) {
      throw new Error(
        `The app role ${appRole} (DATABASE_URL) is a superuser, which can alter every table: ` +
          'give the app an ordinary login role (README, "Running on PostgreSQL").',
      );
    }
    const role = client.escapeIdentifier(appRole);
    const { rows: schemas } = await client.query<{ name: string }>(
      `select nspname as name from pg_namespace
        where nspname not like 'pg\\_%' and nspname not in ('information_schema', 'drizzle')
        order by 1`,
    );
    await client.query('begin');
    for (const { name } of schemas) {
      const schema = client.escapeIdentifier(name);
      await client.query(`grant usage on schema ${schema} to ${role}`);
      await client.query(`revoke create on schema ${schema} from ${role}`);
      await client.query(`grant select, insert, update, delete on all tables in schema ${schema} to ${role}`);
      await client.query(
        `revoke truncate, references, trigger on all tables in schema ${schema} from ${role}`,
      );
      await client.query(`grant usage, select, update on all sequences in schema ${schema} to ${role}`);
    }
    // The audit log: read and append only. (Only an owner can ALTER TABLE or disable a trigger.)
    await client.query(`revoke update, delete, truncate on table public.audit_events from ${role}`);
    await client.query('commit');
    return true;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

/** The role a connection string signs in as (what `current_user` is on it). */
export async function roleOf(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ role: string }>('select current_user as role');
    return rows[0]!.role;
  } finally {
    await client.end();
  }
}
