import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, queryRows } from '../../../db/client';
import { auditEvents } from '../../../db/schema';
import { openTestDatabase } from '../../test/database';
import { canonicalJson, recordAudit } from './audit';
import { verifyAuditChain } from './verify';

const run = promisify(execFile);

async function appendEvents(database: Database, n: number) {
  for (let i = 0; i < n; i++) {
    await database.db.transaction((tx) =>
      recordAudit(tx, {
        actorUserId: null,
        action: 'test.event',
        subjectType: 'test',
        subjectId: String(i),
        data: { i, nested: { z: 1, a: [2, { y: 'x', b: null }] } },
      }),
    );
  }
}

/** Tampering needs the append-only trigger out of the way, as a database owner could do. */
async function tamper(database: Database, statement: ReturnType<typeof sql>) {
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
    await tx.execute(statement);
    await tx.execute(sql`alter table audit_events enable trigger audit_events_append_only`);
  });
}

describe('hash-chained audit log', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  it('hashes independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });

  it('chains events and verifies an intact log', async () => {
    await appendEvents(database, 5);
    const result = await verifyAuditChain(database.db);
    expect(result).toMatchObject({ ok: true, checked: 5, problems: [] });
    const rows = await database.db.select().from(auditEvents).orderBy(auditEvents.seq);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
  });

  it('refuses UPDATE, DELETE and TRUNCATE at the database', async () => {
    await expect(
      database.db.execute(sql`update audit_events set action = 'x' where seq = 1`),
    ).rejects.toThrow();
    await expect(database.db.execute(sql`delete from audit_events where seq = 1`)).rejects.toThrow();
    await expect(database.db.execute(sql`truncate audit_events`)).rejects.toThrow();
    expect((await verifyAuditChain(database.db)).checked).toBe(5);
  });

  it('keeps one unbroken chain under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 12 }, () => appendEvents(database, 1)));
    const result = await verifyAuditChain(database.db);
    expect(result).toMatchObject({ ok: true, checked: 17 });
  });

  it('rolls back the event with the change it records', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await recordAudit(tx, {
          actorUserId: null,
          action: 'test.rolled_back',
          subjectType: 'test',
          subjectId: null,
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const result = await verifyAuditChain(database.db);
    expect(result).toMatchObject({ ok: true, checked: 17 });
  });

  it('detects an edited row', async () => {
    const db = await openTestDatabase();
    try {
      await appendEvents(db, 4);
      await tamper(db, sql`update audit_events set data = '{"i": 99}'::jsonb where seq = 2`);
      const result = await verifyAuditChain(db.db);
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual({ seq: 2, problem: 'edited' });
    } finally {
      await db.close();
    }
  });

  it('detects a removed row', async () => {
    const db = await openTestDatabase();
    try {
      await appendEvents(db, 4);
      await tamper(db, sql`delete from audit_events where seq = 2`);
      const result = await verifyAuditChain(db.db);
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual({ seq: 3, problem: 'removed_or_reordered' });
    } finally {
      await db.close();
    }
  });

  it('detects reordered rows', async () => {
    const db = await openTestDatabase();
    try {
      await appendEvents(db, 4);
      // Swap the positions of events 2 and 3, keeping their contents and hashes.
      await tamper(db, sql`update audit_events set seq = 1000 where seq = 2`);
      await tamper(db, sql`update audit_events set seq = 2 where seq = 3`);
      await tamper(db, sql`update audit_events set seq = 3 where seq = 1000`);
      const result = await verifyAuditChain(db.db);
      expect(result.ok).toBe(false);
      expect(
        result.problems.some((p) => p.problem === 'removed_or_reordered' || p.problem === 'edited'),
      ).toBe(true);
    } finally {
      await db.close();
    }
  });
});

describe('npm run verify-audit', () => {
  it('exits 0 on an intact log and 1 after tampering', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    let dataDir: string | undefined;
    let database: Database;
    if (process.env.DATABASE_URL) {
      database = await openTestDatabase();
      const url = new URL(process.env.DATABASE_URL);
      const [row] = await queryRows<{ name: string }>(database.db, sql`select current_database() as name`);
      url.pathname = `/${row!.name}`;
      env.DATABASE_URL = url.toString();
    } else {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-audit-cli-'));
      database = await openTestDatabase({ dataDir: path.join(dataDir, 'pglite') });
      env.DATA_DIR = dataDir;
    }
    const cli = () =>
      run(process.execPath, ['--import', 'tsx', 'src/server/platform/audit/verify-cli.ts'], { env }).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
    try {
      await appendEvents(database, 3);
      if (dataDir) await database.close(); // PGlite: one process at a time on a data folder
      const intact = await cli();
      expect(intact.out).toContain('Audit log intact: 3 events');
      expect(intact.code).toBe(0);
      if (dataDir) database = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
      await tamper(database, sql`update audit_events set action = 'test.forged' where seq = 2`);
      if (dataDir) await database.close();
      const tampered = await cli();
      expect(tampered.code).toBe(1);
      expect(tampered.out).toContain('audit event 2: edited');
      expect(tampered.out).toContain('TAMPERED');
    } finally {
      if (!dataDir) await database.close();
    }
  }, 90_000);
});
