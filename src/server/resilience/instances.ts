import { Writable } from 'node:stream';
import { type Database, openDatabase } from '../../db/client';
import { type App, buildApp } from '../app';
import type { Mailer } from '../platform/mail';
import type { TestApp } from '../test/app';

/**
 * A second app instance on the same database as a test app, as a second server behind a load
 * balancer would be: the same settings and master key; on PostgreSQL its own connection pool
 * (so the two really run concurrently), on PGlite the same embedded database.
 */
export async function secondInstance(
  first: TestApp,
  options: { mailer?: Mailer } = {},
): Promise<{ app: App; database: Database; close(): Promise<void> }> {
  const url = first.database.pool?.options.connectionString;
  const database = url
    ? await openDatabase({ kind: 'postgres', url: String(url), poolSize: 5 })
    : first.database;
  const app = await buildApp({
    database,
    config: first.config,
    masterKey: first.app.services.masterKey,
    serveWeb: false,
    logStream: new Writable({ write: (_chunk, _encoding, done) => done() }),
    ...(options.mailer ? { mailer: options.mailer } : {}),
  });
  await app.ready();
  return {
    app,
    database,
    async close() {
      await app.close();
      if (database !== first.database) await database.close();
    },
  };
}
