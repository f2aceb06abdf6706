import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { type Database, openDatabase } from '../../db/client';
import { pgliteTemplateFile, pgTemplateDatabase } from './global-setup';

/**
 * A fresh, migrated database for one test file: the real engine (PGlite, or PostgreSQL when
 * DATABASE_URL is set), copied from the run's template. Nothing is mocked.
 */
export async function openTestDatabase(options: { dataDir?: string } = {}): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `upstander_t_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create database ${name} template ${pgTemplateDatabase()}`);
    } finally {
      await admin.end();
    }
    const testUrl = new URL(url);
    testUrl.pathname = `/${name}`;
    const database = await openDatabase({ kind: 'postgres', url: testUrl.toString(), poolSize: 5 });
    return {
      ...database,
      async close() {
        await database.close();
        const cleanup = new pg.Client({ connectionString: url });
        await cleanup.connect();
        await cleanup.query(`drop database if exists ${name} with (force)`).finally(() => cleanup.end());
      },
    };
  }
  const template = new Blob([fs.readFileSync(pgliteTemplateFile())]);
  return openDatabase({
    kind: 'pglite',
    loadDataDir: template,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
}
