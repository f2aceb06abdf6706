import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { type Database, type Db, openDatabase, queryRows } from '../../db/client';
import { sessions } from '../../db/schema';
import { openReportKey, ReportKeyring } from '../modules/speak-up/report-crypto';
import { bindAuditKey } from '../platform/audit/audit';
import { verifyAuditChain } from '../platform/audit/verify';
import { hashToken, randomToken } from '../platform/crypto';
import { FileSecretStore } from '../platform/key-store';
import { openTestDatabase } from '../test/database';
import { addMember, buildInstitution, buildNetwork, buildUser, readySpeakUp } from '../test/factories';
import { type ServerProcess, startServerProcess } from './server-process';

/**
 * Crash safety: the real server (a child process, as `npm start` runs it) takes a burst of
 * concurrent anonymous submissions and is killed with SIGKILL part-way. After a restart on the
 * same data, every submission that was acknowledged with a receipt must open with it, and no
 * half-written record may exist: each report has its receipt, its sealed fields decrypt, the
 * reference counter equals the number of reports, and the audit chain is whole.
 *
 * RESILIENCE_SUBMISSIONS sets the burst (default 200). Each submission hashes its receipt with
 * argon2 (≈50–100 ms of CPU), so on CI's 2 cores 200 take ≈10 s and keep this file near a
 * minute including two server starts; `RESILIENCE_SUBMISSIONS=1000 npm run test:resilience` is
 * the full run. The server trusts its proxy (TRUST_PROXY) so each submission comes from
 * its own client address, as many reporters would, under the per-client rate limit.
 */

const SUBMISSIONS = Number(process.env.RESILIENCE_SUBMISSIONS ?? 200);
/** The share of acknowledged submissions after which the process is killed. */
const KILL_AFTER = 0.4;
const postgresUrl = process.env.DATABASE_URL;

type Context = {
  institutionId: string;
  networkId: string;
  member: { token: string; csrf: string };
  masterKey: Buffer;
  /** The server's report keyring: its key folder is DATA_DIR/report-keys. */
  reportKeys: ReportKeyring;
};

/**
 * One kind of anonymous submission: how to send the i-th, how to open it again with its receipt,
 * and what a complete record looks like in the database. A module whose submissions must survive
 * a crash adds an entry; an entry whose route is not registered yet is reported, not run.
 */
type SubmissionKind = {
  name: string;
  route: { method: 'post'; path: string };
  count: number;
  submit(origin: string, i: number, c: Context): Promise<Response>;
  open(origin: string, receipt: string, c: Context): Promise<Response>;
  /** Problems with the stored records (empty when every record is whole). */
  check(db: Db, c: Context, sentTexts: Set<string>): Promise<string[]>;
};

let clientNumber = 0;
/** Each request its own client address (the server trusts the proxy header). */
const client = () => {
  clientNumber++;
  return `10.${(clientNumber >> 16) & 255}.${(clientNumber >> 8) & 255}.${clientNumber & 255}`;
};
const json = (body: unknown, extra: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-forwarded-for': client(), ...extra },
  body: JSON.stringify(body),
});
const reportText = (i: number) => `Crash test report ${i}: a remark about my name on the ward round.`;

const KINDS: SubmissionKind[] = [
  {
    name: 'speak-up reports',
    route: { method: 'post', path: '/api/speak-up/reports' },
    count: SUBMISSIONS,
    submit: (origin, i, c) =>
      fetch(
        `${origin}/api/speak-up/reports`,
        json({
          institutionId: c.institutionId,
          when: { kind: 'not_sure' },
          where: { setting: 'campus', location: `Ward ${i}` },
          who: { roles: ['consultant'] },
          involvement: 'directed_at_me',
          whatHappened: reportText(i),
          outcomeWanted: 'record_only',
        }),
      ),
    open: (origin, receipt) => fetch(`${origin}/api/speak-up/receipt/report`, json({ receipt })),
    async check(db, c, sentTexts) {
      const problems: string[] = [];
      const rows = await queryRows<{ id: string; wrapped: string; what: string; receipt: string | null }>(
        db,
        sql`select r.id, r.wrapped_key as wrapped, r.what_happened_sealed as what, c.locator as receipt
            from speak_up_reports r left join speak_up_receipts c on c.report_id = r.id
            where r.institution_id = ${c.institutionId}`,
      );
      for (const row of rows) {
        if (!row.receipt) problems.push(`report ${row.id} has no receipt`);
        try {
          const text = openReportKey(c.reportKeys, row.id, row.wrapped).open('what_happened', row.what);
          if (!sentTexts.has(text)) problems.push(`report ${row.id} holds text nobody sent`);
        } catch (error) {
          problems.push(`report ${row.id} does not decrypt: ${(error as Error).message}`);
        }
      }
      // References are random now (no counter to keep in step): each report still has its own.
      const [counter] = await queryRows<{ references: number }>(
        db,
        sql`select count(distinct reference)::int as references from speak_up_reports where institution_id = ${c.institutionId}`,
      );
      if (counter?.references !== rows.length) problems.push('two reports share a reference');
      const [audit] = await queryRows<{ n: number }>(
        db,
        sql`select count(*)::int as n from audit_events where action = 'reports.submit'`,
      );
      if (audit?.n !== rows.length)
        problems.push(`${audit?.n} submit audit events for ${rows.length} reports`);
      return problems;
    },
  },
  {
    // A signed-in member raising fully anonymous concerns (they get a receipt, no author is kept).
    name: 'anonymous concerns',
    route: { method: 'post', path: '/api/networks/{networkId}/concerns' },
    count: Math.ceil(SUBMISSIONS / 2),
    submit: (origin, i, c) =>
      fetch(
        `${origin}/api/networks/${c.networkId}/concerns`,
        json(
          {
            title: `Crash test concern ${i}`,
            description: `${reportText(i)} Teaching examples only ever show pale skin.`,
            category: 'curriculum',
            visibility: 'anonymous',
          },
          { cookie: `upstander_session=${c.member.token}`, 'x-csrf-token': c.member.csrf },
        ),
      ),
    open: (origin, receipt) => fetch(`${origin}/api/concerns/follow`, json({ receipt })),
    async check(db, c) {
      const problems: string[] = [];
      const orphans = await queryRows<{ id: string }>(
        db,
        sql`select k.id from concerns k left join concern_receipts r on r.concern_id = k.id
            where k.network_id = ${c.networkId} and k.visibility = 'anonymous' and r.concern_id is null`,
      );
      for (const o of orphans) problems.push(`concern ${o.id} has no receipt`);
      const [numbers] = await queryRows<{ n: number; distinct: number }>(
        db,
        sql`select count(*)::int as n, count(distinct number)::int as distinct from concerns where network_id = ${c.networkId}`,
      );
      if (numbers?.n !== numbers?.distinct) problems.push('two concerns share a number');
      return problems;
    },
  },
];

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** A fresh database with a school, a network and a member; the server's settings to open it. */
async function prepare(dataDir: string, masterKey: Buffer) {
  const database = postgresUrl
    ? await openTestDatabase()
    : await openTestDatabase({ dataDir: path.join(dataDir, 'pglite') });
  const { db } = database;
  // What buildApp does: changes made here are audited under the key the server will run with.
  bindAuditKey(db, masterKey);
  const institution = await buildInstitution(db);
  await readySpeakUp(db, institution.id, masterKey);
  const network = await buildNetwork(db, institution.id);
  const member = await buildUser(db);
  await addMember(db, { userId: member.id, networkId: network.id, kind: 'student', yearOfStudy: 2 });
  const token = randomToken(32);
  const csrf = randomToken(24);
  await db.insert(sessions).values({
    idHash: hashToken(token),
    userId: member.id,
    csrfToken: csrf,
    authMethod: 'password',
    secondFactorAt: new Date(),
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  const context: Context = {
    institutionId: institution.id,
    networkId: network.id,
    member: { token, csrf },
    masterKey,
    reportKeys: new ReportKeyring(masterKey, new FileSecretStore(path.join(dataDir, 'report-keys'))),
  };
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    MASTER_KEY: masterKey.toString('base64'),
    TRUST_PROXY: 'true',
  };
  if (database.pool) {
    env.DATABASE_URL = String(database.pool.options.connectionString);
    cleanups.push(() => database.close());
  } else {
    await database.close(); // the server process takes the PGlite folder
  }
  return { database: database.pool ? database : null, context, env };
}

/** Runs `task` on each item, at most `limit` at a time. */
async function inBatches<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!);
      }
    }),
  );
  return results;
}

describe(`crash safety on ${postgresUrl ? 'PostgreSQL' : 'PGlite'}`, () => {
  it(`keeps every acknowledged submission of a burst (${SUBMISSIONS}) when killed part-way`, async () => {
    const started = performance.now();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-crash-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const masterKey = crypto.randomBytes(32);
    const { database, context, env } = await prepare(dataDir, masterKey);

    let server: ServerProcess = await startServerProcess(env);
    cleanups.push(() => server.stop());
    const spec = (await (await fetch(`${server.origin}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const kinds = KINDS.filter((k) => spec.paths[k.route.path]?.[k.route.method]);
    const missing = KINDS.filter((k) => !kinds.includes(k)).map((k) => `${k.name} (${k.route.path})`);
    if (missing.length) console.log(`crash test: not yet registered, not tested: ${missing.join(', ')}`);

    // The burst: every submission of every kind at once; the kill comes after KILL_AFTER of them.
    const total = kinds.reduce((n, k) => n + k.count, 0);
    const sentTexts = new Set(Array.from({ length: SUBMISSIONS }, (_, i) => reportText(i)));
    let acknowledged = 0;
    let killed: Promise<void> | null = null;
    const outcomes = await Promise.all(
      kinds.map((kind) =>
        Promise.all(
          Array.from({ length: kind.count }, async (_, i) => {
            try {
              const response = await kind.submit(server.origin, i, context);
              const body = (await response.json()) as { receipt?: string | null };
              if (response.status === 201 && body.receipt) {
                acknowledged++;
                if (!killed && acknowledged >= total * KILL_AFTER) killed = server.crash();
                return { kind, status: 201, receipt: body.receipt };
              }
              return { kind, status: response.status, receipt: null, body };
            } catch {
              return { kind, status: 0, receipt: null }; // the connection died with the process
            }
          }),
        ),
      ),
    );
    await killed;
    const burstMs = performance.now() - started;
    const all = outcomes.flat();
    const receipts = all.filter((o) => o.receipt);
    const failures = all.filter((o) => o.status !== 0 && o.status !== 201);
    const serverErrors = () =>
      server
        .output()
        .split('\n')
        .filter((line) => line.includes('"level":50') || line.includes('rror'))
        .slice(-5)
        .join('\n');
    expect(
      failures.map((f) => `${f.kind.name}: ${f.status} ${JSON.stringify(f.body)}`),
      `the server said:\n${serverErrors()}`,
    ).toEqual([]);
    expect(killed, 'the server was killed part-way').not.toBeNull();
    expect(receipts.length).toBeGreaterThan(0);
    expect(receipts.length, 'some submissions were cut off by the kill').toBeLessThan(total);

    // Restart on the same data: every acknowledged receipt opens its record.
    server = await startServerProcess(env);
    const opened = await inBatches(receipts, 8, async (o) => {
      const response = await o.kind.open(server.origin, o.receipt!, context);
      return { kind: o.kind.name, status: response.status };
    });
    expect(opened.filter((o) => o.status !== 200)).toEqual([]);
    await server.stop();

    // And nothing is half-written.
    const checked: Database =
      database ?? (await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') }));
    try {
      for (const kind of kinds) {
        expect(await kind.check(checked.db, context, sentTexts), kind.name).toEqual([]);
      }
      const chain = await verifyAuditChain(checked.db, context.masterKey);
      expect(chain.problems).toEqual([]);
    } finally {
      if (!database) await checked.close();
    }
    console.log(
      `crash test: ${receipts.length} of ${total} submissions acknowledged before SIGKILL ` +
        `(${kinds.map((k) => k.name).join(', ')}); all reopened after restart; ` +
        `burst ${Math.round(burstMs)} ms, whole test ${Math.round(performance.now() - started)} ms`,
    );
  }, 240_000);
});
