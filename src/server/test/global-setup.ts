import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../db/client';

/**
 * This run's PGlite template. Each test run (its vitest process) writes its own, so two runs in one
 * checkout never read each other's half-migrated template; the path reaches the test workers
 * through the environment they inherit.
 */
export function pgliteTemplateFile(): string {
  return process.env.UPSTANDER_PGLITE_TEMPLATE ?? path.resolve(`.tmp/pglite-template-${process.pid}.tar.gz`);
}
/**
 * The PostgreSQL template, named after DATABASE_URL's database so that two test runs on one server
 * (two checkouts, or two people) each migrate and copy their own.
 */
export function pgTemplateDatabase(url = process.env.DATABASE_URL ?? ''): string {
  const name = decodeURIComponent(new URL(url).pathname.slice(1)) || 'upstander';
  return `${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_template`;
}

/**
 * Migrates one template database per run; each test file then starts from a copy of it:
 * a PGlite data-folder dump, or a PostgreSQL `CREATE DATABASE … TEMPLATE`.
 */
export default async function setup() {
  const url = process.env.DATABASE_URL;
  if (url) {
    const PG_TEMPLATE_DB = pgTemplateDatabase(url);
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
  const TEMPLATE_FILE = pgliteTemplateFile();
  process.env.UPSTANDER_PGLITE_TEMPLATE = TEMPLATE_FILE;
  fs.mkdirSync(path.dirname(TEMPLATE_FILE), { recursive: true });
  const database = await openDatabase({ kind: 'pglite' });
  await database.migrate();
  const dump = await database.pglite!.dumpDataDir('gzip');
  // Written aside and renamed: another test run in the same checkout may be reading it.
  const partial = `${TEMPLATE_FILE}.${process.pid}`;
  fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(partial, TEMPLATE_FILE);
  await database.close();
  return () => fs.rmSync(TEMPLATE_FILE, { force: true });
}
