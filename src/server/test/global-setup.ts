import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../db/client';

export const TEMPLATE_FILE = path.resolve('.tmp/pglite-template.tar.gz');
export const PG_TEMPLATE_DB = 'upstander_template';

/**
 * Migrates one template database per run; each test file then starts from a copy of it:
 * a PGlite data-folder dump, or a PostgreSQL `CREATE DATABASE … TEMPLATE`.
 */
export default async function setup() {
  const url = process.env.DATABASE_URL;
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`drop database if exists ${PG_TEMPLATE_DB} with (force)`);
      await admin.query(`create database ${PG_TEMPLATE_DB}`);
    } finally {
      await admin.end();
    }
    const template = new URL(url);
    template.pathname = `/${PG_TEMPLATE_DB}`;
    const database = await openDatabase({ kind: 'postgres', url: template.toString(), poolSize: 1 });
    await database.migrate();
    await database.close();
    return;
  }
  fs.mkdirSync(path.dirname(TEMPLATE_FILE), { recursive: true });
  const database = await openDatabase({ kind: 'pglite' });
  await database.migrate();
  const dump = await database.pglite!.dumpDataDir('gzip');
  // Written aside and renamed: another test run in the same checkout may be reading it.
  const partial = `${TEMPLATE_FILE}.${process.pid}`;
  fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(partial, TEMPLATE_FILE);
  await database.close();
}
