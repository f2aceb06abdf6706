import { openConfiguredDatabase } from '../db/open-from-config';
import { migrateAsOwner } from '../db/roles';
import { buildApp } from './app';
import { loadConfig } from './config';
import { loadDemo } from './demo';
import { MODULES } from './modules';
import { issueSetupToken } from './modules/identity';
import { loadMasterKey } from './platform/crypto';
import { startJobRunner } from './platform/jobs';

/**
 * The longest one query may run on PostgreSQL, in ms (STATEMENT_TIMEOUT_MS, default 15 s; 0 turns
 * it off): a runaway query fails its request instead of holding a connection the pool needs.
 * The time includes waiting for row locks: submissions queue on their school's reference
 * counter, and under a burst on an overloaded machine 5 s was seen to fail some (the crash test).
 * PGlite runs one query at a time in-process and has no such limit.
 */
function statementTimeoutMs(): number {
  const value = Number(process.env.STATEMENT_TIMEOUT_MS ?? 15_000);
  return Number.isFinite(value) && value >= 0 ? value : 15_000;
}

/** Starts Upstander: migrate, serve, print the address (and the first-admin link on a new instance). */
async function main() {
  const started = performance.now();
  const args = new Set(process.argv.slice(2));
  const config = loadConfig();
  const database = await openConfiguredDatabase(config);
  if (database.pool) {
    // Migrations may run long (index builds on big tables): they get a connection of their own (the
    // owner's, MIGRATION_DATABASE_URL, when set), and only the serving pool gets the time limit.
    await migrateAsOwner(config);
    database.pool.options.statement_timeout = statementTimeoutMs();
  } else {
    await database.migrate();
  }
  const masterKey = loadMasterKey(config, { say: (line) => console.log(`\n${line}`) });
  const app = await buildApp({ database, config, masterKey });

  if (args.has('--demo')) {
    const summary = await loadDemo(app.services);
    console.log(summary);
  }

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = config.publicUrl.replace(`:${config.port}`, `:${port}`);
  console.log(
    `\nUpstander is running at ${base}  (${database.kind}, ready in ${Math.round(performance.now() - started)} ms)`,
  );
  const setupToken = await issueSetupToken(database.db);
  if (setupToken) {
    console.log(
      `\nFirst run: create the administrator account with this one-time link:\n  ${base}/setup/${setupToken}\n`,
    );
  }

  // Queued e-mail goes out in the background; a crash loses none (it waits in the outbox).
  const mailTimer = setInterval(() => {
    app.services.mailer
      .deliverPending()
      .catch((error) => app.log.error({ err: error }, 'mail delivery run failed'));
  }, 5000);

  // Reminders and retention purges: each slot runs exactly once, however many instances are up.
  const stopJobs = startJobRunner(
    app.services,
    MODULES.flatMap((module) => module.jobs?.() ?? []),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    clearInterval(mailTimer);
    await stopJobs();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
