import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import { users } from '../../db/schema';
import { type App, buildApp } from '../app';
import { loadConfig } from '../config';
import { openTestDatabase } from '../test/database';
import { buildUser } from '../test/factories';

/**
 * An unexpected database error reaches the error handler and the log. The driver's text quotes the
 * query's values (the unique-violation detail, a failed cast) and the query layer's message lists
 * every parameter: none of that may reach the log.
 */
describe('logging unexpected database errors', () => {
  const canary = `canary${crypto.randomBytes(6).toString('hex')}`;
  const email = `${canary}@example.ac.uk`;
  const passwordHash = `$argon2id$v=19$m=65536,t=3,p=4$${canary}-hash`;
  let database: Database;
  let app: App;
  const logs: string[] = [];

  beforeAll(async () => {
    database = await openTestDatabase();
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    app = await buildApp({
      database,
      config: loadConfig({ DATA_DIR: path.join(os.tmpdir(), `upstander-log-${canary}`), LOG_LEVEL: 'info' }),
      masterKey: crypto.randomBytes(32),
      logStream,
    });
    await buildUser(database.db, { email });
    // Routes of this test only, that fail the way a bug in a domain function would.
    app.post('/api/test/duplicate-account', async () => {
      await database.db.insert(users).values({ email: email.toUpperCase(), name: 'Copy', passwordHash });
      return {};
    });
    app.post('/api/test/bad-cast', async () => {
      await database.db.execute(sql`select ${`${canary} ${passwordHash}`}::integer as n`);
      return {};
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await database.close();
  });

  it('a database error quoting an e-mail and a password hash never puts them in the log', async () => {
    const duplicate = await app.inject({ method: 'POST', url: '/api/test/duplicate-account' });
    expect(duplicate.statusCode).toBe(500);
    const cast = await app.inject({ method: 'POST', url: '/api/test/bad-cast' });
    expect(cast.statusCode).toBe(500);
    expect(duplicate.body + cast.body).not.toContain(canary);

    // The same errors logged the other ways the code does: whole, and as a bare message.
    const error = await database.db
      .insert(users)
      .values({ email, name: 'Again', passwordHash })
      .catch((e: unknown) => e as Error);
    app.log.error(error, 'logged whole');
    app.log.warn({ err: (error as Error).message }, 'logged as a message');

    await new Promise((resolve) => setTimeout(resolve, 50)); // the log stream is asynchronous
    type Line = { msg: string; err?: { code?: string; stack?: string; [field: string]: unknown } };
    const unhandled = logs.map((line) => JSON.parse(line) as Line).filter((l) => l.err);
    expect(unhandled.length).toBeGreaterThanOrEqual(4);
    for (const line of logs) expect(line).not.toContain(canary);
    // What is logged still says what went wrong: the SQLSTATE and the names involved.
    const [first, second] = unhandled;
    expect(first!.msg).toBe('unhandled error');
    expect(first!.err).toMatchObject({ code: '23505', table: 'users', constraint: 'users_email_lower_key' });
    expect(first!.err!.stack).toMatch(/^\s+at /);
    expect(second!.err).toMatchObject({ code: '22P02' });
  });
});
