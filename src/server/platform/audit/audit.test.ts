import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { asc, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, type Db, openDatabase, queryRows } from '../../../db/client';
import { migrateAsOwner } from '../../../db/roles';
import { auditEvents } from '../../../db/schema';
import { loadConfig } from '../../config';
import { issueSetupToken } from '../../modules/identity/mutations';
import { createTestApp } from '../../test/app';
import { openTestDatabase } from '../../test/database';
import {
  type AuditRow,
  bindAuditKey,
  CHAIN_KEYED_ACTION,
  canonicalJson,
  GENESIS_HASH,
  hashAuditRow,
  KEYED_PREFIX,
  keyAuditChain,
  recordAudit,
  unkeyedHashAuditRow,
} from './audit';
import { verifyAuditChain } from './verify';

const run = promisify(execFile);
const postgresUrl = process.env.DATABASE_URL;

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

/** A fresh database whose audit chain is keyed with a fresh master key (what buildApp does). */
async function openKeyed(options: { dataDir?: string } = {}) {
  const database = await openTestDatabase(options);
  const masterKey = crypto.randomBytes(32);
  bindAuditKey(database.db, masterKey);
  return { database, masterKey };
}

/** Tampering needs the append-only trigger out of the way, as a database owner could do. */
async function tamper(database: Database, statement: ReturnType<typeof sql>) {
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
    await tx.execute(statement);
    await tx.execute(sql`alter table audit_events enable trigger audit_events_append_only`);
  });
}

async function allRows(db: Db): Promise<AuditRow[]> {
  return db.select().from(auditEvents).orderBy(asc(auditEvents.seq));
}

/**
 * What someone with the database's credentials but not the master key can do: edit an event, then
 * recompute every link from there on with `link` (they cannot compute the keyed HMAC).
 */
async function rewriteChain(database: Database, seq: number, link: (row: Omit<AuditRow, 'hash'>) => string) {
  const rows = await allRows(database.db);
  let prevHash = rows.find((r) => r.seq === seq - 1)?.hash ?? GENESIS_HASH;
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
    for (const row of rows.filter((r) => r.seq >= seq)) {
      const forged = { ...row, prevHash, ...(row.seq === seq ? { action: 'test.forged' } : {}) };
      const hash = link(forged);
      await tx.execute(
        sql`update audit_events set action = ${forged.action}, prev_hash = ${prevHash}, hash = ${hash} where seq = ${row.seq}`,
      );
      prevHash = hash;
    }
    await tx.execute(sql`alter table audit_events enable trigger audit_events_append_only`);
  });
}

describe('hash-chained audit log', () => {
  let database: Database;
  let masterKey: Buffer;
  beforeAll(async () => {
    ({ database, masterKey } = await openKeyed());
  });
  afterAll(() => database.close());

  it('hashes independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });

  it('chains events with keyed links and verifies an intact log', async () => {
    await appendEvents(database, 5);
    const result = await verifyAuditChain(database.db, masterKey);
    expect(result).toMatchObject({ ok: true, checked: 5, headSeq: 5, unkeyedEvents: 0, problems: [] });
    const rows = await allRows(database.db);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(rows.every((r) => r.hash.startsWith(KEYED_PREFIX))).toBe(true);
    expect(result.headHash).toBe(rows[4]!.hash);
  });

  it('refuses UPDATE, DELETE and TRUNCATE at the database', async () => {
    await expect(
      database.db.execute(sql`update audit_events set action = 'x' where seq = 1`),
    ).rejects.toThrow();
    await expect(database.db.execute(sql`delete from audit_events where seq = 1`)).rejects.toThrow();
    await expect(database.db.execute(sql`truncate audit_events`)).rejects.toThrow();
    expect((await verifyAuditChain(database.db, masterKey)).checked).toBe(5);
  });

  it('keeps one unbroken chain under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 12 }, () => appendEvents(database, 1)));
    const result = await verifyAuditChain(database.db, masterKey);
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
    const result = await verifyAuditChain(database.db, masterKey);
    expect(result).toMatchObject({ ok: true, checked: 17 });
  });

  it('detects an edited row', async () => {
    const { database: db, masterKey: key } = await openKeyed();
    try {
      await appendEvents(db, 4);
      await tamper(db, sql`update audit_events set data = '{"i": 99}'::jsonb where seq = 2`);
      const result = await verifyAuditChain(db.db, key);
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual({ seq: 2, problem: 'edited' });
    } finally {
      await db.close();
    }
  });

  it('detects a removed row', async () => {
    const { database: db, masterKey: key } = await openKeyed();
    try {
      await appendEvents(db, 4);
      await tamper(db, sql`delete from audit_events where seq = 2`);
      const result = await verifyAuditChain(db.db, key);
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual({ seq: 3, problem: 'removed_or_reordered' });
    } finally {
      await db.close();
    }
  });

  it('detects reordered rows', async () => {
    const { database: db, masterKey: key } = await openKeyed();
    try {
      await appendEvents(db, 4);
      // Swap the positions of events 2 and 3, keeping their contents and hashes.
      await tamper(db, sql`update audit_events set seq = 1000 where seq = 2`);
      await tamper(db, sql`update audit_events set seq = 2 where seq = 3`);
      await tamper(db, sql`update audit_events set seq = 3 where seq = 1000`);
      const result = await verifyAuditChain(db.db, key);
      expect(result.ok).toBe(false);
      expect(
        result.problems.some((p) => p.problem === 'removed_or_reordered' || p.problem === 'edited'),
      ).toBe(true);
    } finally {
      await db.close();
    }
  });
});

describe('keyed audit chain', () => {
  it('a chain recomputed without the master key fails verification', async () => {
    const { database, masterKey } = await openKeyed();
    try {
      await appendEvents(database, 5);
      // 1. The old, unkeyed SHA-256 links: anyone could compute them.
      await rewriteChain(database, 3, unkeyedHashAuditRow);
      const unkeyed = await verifyAuditChain(database.db, masterKey);
      expect(unkeyed.ok).toBe(false);
      expect(unkeyed.problems).toContainEqual({ seq: 3, problem: 'unkeyed_after_keyed' });
      // 2. Keyed-looking links under a key of the forger's choosing.
      const guessed = crypto.hkdfSync('sha256', crypto.randomBytes(32), Buffer.alloc(0), 'x', 32);
      await rewriteChain(database, 3, (row) => hashAuditRow(row, Buffer.from(guessed)));
      const forged = await verifyAuditChain(database.db, masterKey);
      expect(forged.ok).toBe(false);
      expect(forged.problems.filter((p) => p.problem === 'edited').map((p) => p.seq)).toEqual([3, 4, 5]);
      // 3. The whole chain rewritten unkeyed from the first event: no keyed link is left at all.
      await rewriteChain(database, 1, unkeyedHashAuditRow);
      const rewritten = await verifyAuditChain(database.db, masterKey);
      expect(rewritten.ok).toBe(false);
      expect(rewritten.problems).toContainEqual({ seq: 5, problem: 'not_keyed' });
      // Under another master key nothing verifies either.
      expect((await verifyAuditChain(database.db, crypto.randomBytes(32))).ok).toBe(false);
    } finally {
      await database.close();
    }
  });

  it('an upgraded chain is keyed forward, and its older events can then not be rewritten', async () => {
    const database = await openTestDatabase();
    const masterKey = crypto.randomBytes(32);
    try {
      // Three events as an older version wrote them: plain SHA-256 links.
      let prevHash = GENESIS_HASH;
      for (let seq = 1; seq <= 3; seq++) {
        const row = {
          seq,
          occurredAt: new Date(Date.UTC(2025, 0, seq)),
          actorUserId: null,
          action: 'test.old',
          subjectType: 'test',
          subjectId: String(seq),
          data: { seq },
          prevHash,
        };
        prevHash = unkeyedHashAuditRow(row);
        await database.db.insert(auditEvents).values({ ...row, hash: prevHash });
      }
      const unkeyedHead = prevHash;
      expect((await verifyAuditChain(database.db, masterKey)).problems).toEqual([
        { seq: 3, problem: 'not_keyed' },
      ]);

      // Starting the new version (buildApp) keys the chain with one marked event, once.
      const t = await createTestApp({ database, masterKey });
      await t.close();
      bindAuditKey(database.db, masterKey);
      expect(await keyAuditChain(database.db)).toBe(false);
      const rows = await allRows(database.db);
      expect(rows).toHaveLength(4);
      expect(rows[3]).toMatchObject({
        action: CHAIN_KEYED_ACTION,
        prevHash: unkeyedHead,
        data: { unkeyedEvents: 3, unkeyedHead },
      });
      await appendEvents(database, 1);
      expect(await verifyAuditChain(database.db, masterKey)).toMatchObject({
        ok: true,
        checked: 5,
        unkeyedEvents: 3,
      });

      // Starting with another master key (a new key made where the old one was not found) is refused
      // (what buildApp runs at start).
      bindAuditKey(database.db, crypto.randomBytes(32));
      await expect(keyAuditChain(database.db)).rejects.toThrow(/not written with this master key/);
      bindAuditKey(database.db, masterKey);

      // An old event rewritten with recomputed unkeyed links no longer meets the keyed marker.
      await database.db.transaction(async (tx) => {
        await tx.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
        let link = unkeyedHashAuditRow({ ...rows[0]!, action: 'test.forged' });
        await tx.execute(sql`update audit_events set action = 'test.forged', hash = ${link} where seq = 1`);
        for (const row of rows.slice(1, 3)) {
          const hash = unkeyedHashAuditRow({ ...row, prevHash: link });
          await tx.execute(
            sql`update audit_events set prev_hash = ${link}, hash = ${hash} where seq = ${row.seq}`,
          );
          link = hash;
        }
        await tx.execute(sql`alter table audit_events enable trigger audit_events_append_only`);
      });
      const result = await verifyAuditChain(database.db, masterKey);
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([{ seq: 4, problem: 'removed_or_reordered' }]);
    } finally {
      await database.close();
    }
  });

  it('removing the newest events is caught by a head hash kept elsewhere', async () => {
    const { database, masterKey } = await openKeyed();
    try {
      await appendEvents(database, 3);
      const kept = (await verifyAuditChain(database.db, masterKey)).headHash;
      await appendEvents(database, 2);
      // The kept head is an older event of a chain that grew since: still fine.
      expect(await verifyAuditChain(database.db, masterKey, { expectHead: kept })).toMatchObject({
        ok: true,
      });
      await tamper(database, sql`delete from audit_events where seq >= 3`);
      expect((await verifyAuditChain(database.db, masterKey)).ok).toBe(true);
      const checked = await verifyAuditChain(database.db, masterKey, { expectHead: kept });
      expect(checked.ok).toBe(false);
      expect(checked.problems).toEqual([{ seq: 2, problem: 'expected_head_missing' }]);
    } finally {
      await database.close();
    }
  });
});

describe.runIf(postgresUrl)('the app’s PostgreSQL role', () => {
  it('an app-role database user cannot rewrite the audit log', async () => {
    const suffix = crypto.randomBytes(4).toString('hex');
    const owner = `upstander_owner_${suffix}`;
    const appRole = `upstander_app_${suffix}`;
    const name = `upstander_roles_${suffix}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    const urlFor = (role: string) => {
      const url = new URL(postgresUrl!);
      url.username = role;
      url.password = '';
      url.pathname = `/${name}`;
      return url.toString();
    };
    let appDatabase: Database | undefined;
    try {
      await admin.query(`create role ${owner} login`);
      await admin.query(`create role ${appRole} login`);
      await admin.query(`create database ${name} owner ${owner}`);
      // What `npm start` does with both settings: migrate as the owner, grant the app role.
      const config = loadConfig({
        DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-roles-')),
        DATABASE_URL: urlFor(appRole),
        MIGRATION_DATABASE_URL: urlFor(owner),
      });
      // An app role that is a superuser could alter anything: refused with a clear message.
      const superuser = new URL(postgresUrl!).username || 'postgres';
      await expect(migrateAsOwner({ ...config, databaseUrl: urlFor(superuser) })).rejects.toThrow(
        /is a superuser/,
      );
      await migrateAsOwner(config);
      appDatabase = await openDatabase({ kind: 'postgres', url: urlFor(appRole), poolSize: 2 });
      const masterKey = crypto.randomBytes(32);

      // The app still works as that role: the first admin is created and audited.
      const t = await createTestApp({ database: appDatabase, masterKey });
      try {
        const token = await issueSetupToken(appDatabase.db);
        const created = await t.client().post('/api/setup', {
          token,
          name: 'Ada Admin',
          email: 'ada@example.ac.uk',
          password: 'a long enough password',
        });
        expect(created.statusCode).toBe(201);
      } finally {
        await t.close();
      }
      const before = await verifyAuditChain(appDatabase.db, masterKey);
      expect(before.ok).toBe(true);
      expect(before.checked).toBeGreaterThan(0);

      // Everything the attack needs is refused to the app role.
      const attempts = [
        'alter table audit_events disable trigger audit_events_append_only',
        'alter table audit_events disable trigger all',
        'drop trigger audit_events_append_only on audit_events',
        `create or replace function audit_events_refuse_change() returns trigger language plpgsql as $$ begin return new; end $$`,
        'alter table audit_events add column note text',
        "update audit_events set action = 'test.forged' where seq = 1",
        'delete from audit_events where seq = 1',
        'truncate audit_events',
        'drop table audit_events',
        `set session_replication_role = replica`,
      ];
      for (const statement of attempts) {
        await expect(appDatabase.db.execute(sql.raw(statement)), statement).rejects.toMatchObject({
          cause: { code: expect.stringMatching(/^(42501|P0001|42883)$/) },
        });
      }
      const after = await verifyAuditChain(appDatabase.db, masterKey);
      expect(after).toMatchObject({ ok: true, checked: before.checked, headHash: before.headHash });

      // And the owner, who can rewrite rows, cannot make a rewrite verify without the master key.
      const ownerDatabase = await openDatabase({ kind: 'postgres', url: urlFor(owner), poolSize: 1 });
      try {
        await rewriteChain(ownerDatabase, 1, unkeyedHashAuditRow);
        expect((await verifyAuditChain(ownerDatabase.db, masterKey)).ok).toBe(false);
      } finally {
        await ownerDatabase.close();
      }
    } finally {
      await appDatabase?.close();
      // Let the closed pool's connections finish leaving before the database goes.
      for (let i = 0; i < 50; i++) {
        const { rows } = await admin.query(
          'select count(*)::int as n from pg_stat_activity where datname = $1',
          [name],
        );
        if (rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.query(`drop role if exists ${appRole}`);
      await admin.query(`drop role if exists ${owner}`);
      await admin.end();
    }
  }, 120_000);
});

describe.skipIf(postgresUrl)('the audit log on the embedded database', () => {
  it('an app-role database user cannot rewrite the audit log', async () => {
    // PGlite has one all-powerful user, so the defence here is the key alone: a rewrite with
    // recomputed unkeyed links (all the database's user can compute) is found by verify.
    const { database, masterKey } = await openKeyed();
    try {
      await appendEvents(database, 4);
      await rewriteChain(database, 2, unkeyedHashAuditRow);
      const result = await verifyAuditChain(database.db, masterKey);
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual({ seq: 2, problem: 'unkeyed_after_keyed' });
    } finally {
      await database.close();
    }
  });
});

describe('npm run verify-audit', () => {
  it('exits 0 on an intact log and 1 after tampering or when the kept head is gone', async () => {
    const masterKey = crypto.randomBytes(32);
    const env: NodeJS.ProcessEnv = { ...process.env, MASTER_KEY: masterKey.toString('base64') };
    let dataDir: string | undefined;
    let database: Database;
    if (postgresUrl) {
      database = await openTestDatabase();
      const url = new URL(postgresUrl);
      const [row] = await queryRows<{ name: string }>(database.db, sql`select current_database() as name`);
      url.pathname = `/${row!.name}`;
      env.DATABASE_URL = url.toString();
    } else {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-audit-cli-'));
      database = await openTestDatabase({ dataDir: path.join(dataDir, 'pglite') });
      env.DATA_DIR = dataDir;
    }
    bindAuditKey(database.db, masterKey);
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/server/platform/audit/verify-cli.ts', ...args], {
        env,
      }).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
    const reopen = async () => {
      if (!dataDir) return;
      database = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
      bindAuditKey(database.db, masterKey);
    };
    try {
      await appendEvents(database, 3);
      const head = (await verifyAuditChain(database.db, masterKey)).headHash;
      if (dataDir) await database.close(); // PGlite: one process at a time on a data folder
      const intact = await cli('--expect-head', head);
      expect(intact.out).toContain(`Audit log intact: 3 events, head ${head}`);
      expect(intact.code).toBe(0);
      expect((await cli(`--expect-head=${head.replace(/.$/, (c) => (c === '0' ? '1' : '0'))}`)).code).toBe(1);
      await reopen();
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
