// `npm run bench -- --scale school|national [--duration 10] [--connections 20] [--pgbench]`
//
// Seeds a synthetic data set with set-based SQL, starts the real app on loopback, and load-tests the
// main read routes with autocannon running in a separate process (so the load generator does not
// share the server's event loop). Prints a markdown table and writes bench/results/latest.md.
//
// Database: PGlite in a temporary folder by default; with DATABASE_URL, a fresh database created
// on that PostgreSQL server for the run (and dropped afterwards).
//
// --pgbench (PostgreSQL only): each route with a `sql` (its main query) is also run directly with
// Debian's pgbench at the same concurrency (`-c <connections> -j 2 -T <duration>`, capped by the
// server's max_connections), and the table gives the route's req/s as a share of that: how close
// the app comes to the database's own limit (goal ≥ 30 % for member-facing reads).
//
// Modules add their seeding and heavy routes as a BenchModule (bench/module.ts, e.g.
// bench/speak-up.ts), named by the module's `bench` in src/server/modules/<m>/index.ts. The load generator is bench/load-worker.ts.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type Database, type Db, openDatabase } from '../src/db/client';
import { buildApp } from '../src/server/app';
import { loadConfig } from '../src/server/config';
import { MODULES } from '../src/server/modules';
import { hashPassword } from '../src/server/modules/identity/credentials';
import { ReportKeyring } from '../src/server/modules/speak-up/report-crypto';
import { bindAuditKey } from '../src/server/platform/audit/audit';
import { hashToken, seal } from '../src/server/platform/crypto';
import { FileSecretStore } from '../src/server/platform/key-store';
import { createSession } from '../src/server/platform/sessions';
import type { LoadSpec } from './load-worker';
import {
  type BaseFixture,
  type BenchModule,
  type BenchRoute,
  type Fixture,
  query,
  SCALES,
  type ScaleName,
} from './module';

const root = path.resolve(import.meta.dirname, '..');

// ---- what to measure --------------------------------------------------------------------------

/** Each module's BenchModule, from the module list (its `bench` in modules/<m>/index.ts). */
const BENCH_MODULES: BenchModule[] = await Promise.all(MODULES.flatMap((m) => (m.bench ? [m.bench()] : [])));

/** The platform's own routes; each module adds its own (BENCH_MODULES). */
const PLATFORM_ROUTES: BenchRoute[] = [
  { name: 'GET /api/health', path: '/api/health', session: 'none' },
  {
    name: 'GET /api/session (signed in)',
    path: '/api/session',
    session: 'member',
    // The one query behind every signed-in request (platform/sessions.ts, loadActorBySessionHash).
    sql: (f) => `select u.id, u.email, u.name, u.is_admin, (u.totp_enabled_at is not null), s.csrf_token,
        (s.second_factor_at is not null), (s.last_seen_at < now() - make_interval(secs => 300)),
        coalesce((select json_agg(json_build_object('networkId', m.network_id, 'institutionId', n.institution_id,
                    'kind', m.kind, 'yearOfStudy', m.year_of_study, 'role', m.role, 'leadTitle', m.lead_title))
                  from memberships m join networks n on n.id = m.network_id where m.user_id = u.id), '[]'::json),
        coalesce((select json_agg(r.institution_id) from institution_roles r
                  where r.user_id = u.id and r.role = 'case_handler'), '[]'::json)
      from sessions s join users u on u.id = s.user_id
      where s.id_hash = '${hashToken(f.sessions.member)}' and s.expires_at > now() and u.disabled_at is null;`,
  },
  {
    name: 'GET /api/networks',
    path: '/api/networks',
    session: 'member',
    // listNetworks (identity/networks.ts); the member's session lookup comes on top in the app.
    sql: () => `select n.id, n.name, n.slug, n.description, n.institution_id, i.name, n.member_count
      from networks n join institutions i on i.id = n.institution_id order by i.name, n.name;`,
  },
  { name: 'GET /api/networks/:slug', path: (f) => `/api/networks/${f.network.slug}`, session: 'member' },
  {
    name: 'GET /api/networks/:id/members',
    path: (f) => `/api/networks/${f.network.id}/members`,
    session: 'member',
  },
  { name: 'GET /api/admin/users?q=', path: '/api/admin/users?q=patel', session: 'admin' },
];

// ---- arguments ----------------------------------------------------------------------------------

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: 'school' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
    only: { type: 'string' },
    /** Keep the seeded database afterwards (to EXPLAIN a slow query); prints where it is. */
    keep: { type: 'boolean', default: false },
    /** Also run each route's main SQL directly with pgbench (PostgreSQL only). */
    pgbench: { type: 'boolean', default: false },
  },
});
const scaleName = args.scale as ScaleName;
if (!(scaleName in SCALES)) {
  console.error(`--scale must be one of: ${Object.keys(SCALES).join(', ')}`);
  process.exit(2);
}
const scale = SCALES[scaleName];
const duration = Math.min(60, Math.max(1, Number(args.duration)));
const connections = Math.min(200, Math.max(1, Number(args.connections)));

// ---- peak memory ----------------------------------------------------------------------------------

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
};
const rssTimer = setInterval(sampleRss, 100);
rssTimer.unref();

const ms = (since: number) => Math.round(performance.now() - since);
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const percent = (part: number, whole: number) => `${Math.round((100 * part) / whole)} %`;

// ---- database -------------------------------------------------------------------------------------

async function openBenchDatabase(): Promise<{
  database: Database;
  location: string;
  cleanup: () => Promise<void>;
}> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `upstander_bench_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const benchUrl = new URL(url);
    benchUrl.pathname = `/${name}`;
    const database = await openDatabase({ kind: 'postgres', url: benchUrl.toString(), poolSize: 10 });
    return {
      database,
      location: benchUrl.toString(),
      async cleanup() {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`).finally(() => c.end());
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-bench-'));
  const database = await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
  return {
    database,
    location: path.join(dir, 'pglite'),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

const FIRST = ['Amara', 'Ravi', 'Chloe', 'Kwame', 'Priya', 'Tom', 'Aisha', 'Oliver', 'Mei', 'Yusuf'];
const LAST = ['Patel', 'Okafor', 'Smith', 'Khan', 'Jones', 'Chen', 'Mensah', 'Williams', 'Ali', 'Brown'];
const pgArray = (items: readonly string[]) => `array[${items.map((s) => `'${s}'`).join(',')}]`;

/**
 * The synthetic data set, set-based: institutions, networks, users (one argon2 hash shared by all),
 * one membership each plus a second for one user in five, two co-chairs per network.
 */
async function seed(db: Db, masterKey: Buffer): Promise<BaseFixture> {
  const passwordHash = await hashPassword('upstander-bench-password');
  const { institutions: ni, networks: nn, users: nu } = scale;
  await query(
    db,
    `insert into institutions (name, slug)
     select 'Medical School ' || i, 'school-' || i from generate_series(1, ${ni}) i`,
  );
  await query(
    db,
    `insert into networks (institution_id, name, slug, description)
     select inst.id, (${pgArray(['MedRACE', 'MedPRIDE', 'MedDialect'])})[1 + (k - 1) % 3] || ' ' || k,
            'network-' || k, 'A synthetic network for the benchmark.'
     from generate_series(1, ${nn}) k
     join institutions inst on inst.slug = 'school-' || (1 + (k - 1) % ${ni})`,
  );
  await query(
    db,
    `insert into users (email, name, password_hash)
     select 'person-' || n || '@example.ac.uk',
            (${pgArray(FIRST)})[1 + n % ${FIRST.length}] || ' ' || (${pgArray(LAST)})[1 + (n / ${FIRST.length}) % ${LAST.length}],
            '${passwordHash}'
     from generate_series(1, ${nu}) n`,
  );
  // Primary membership: person n joins network 1 + n % nn. Students (years 1–6), staff, alumni.
  const memberKind = (seq: string) =>
    `case when ${seq} % 10 < 7 then 'student' when ${seq} % 10 < 9 then 'staff' else 'alumnus' end`;
  await query(
    db,
    `insert into memberships (user_id, network_id, kind, year_of_study)
     select u.id, n.id, ${memberKind('u.seq')}, case when u.seq % 10 < 7 then 1 + u.seq % 6 end
     from (select id, substring(email from 'person-([0-9]+)@')::int as seq from users) u
     join networks n on n.slug = 'network-' || (1 + u.seq % ${nn})`,
  );
  // A second network for one person in five (a sister network of the same school, when there is one).
  await query(
    db,
    `insert into memberships (user_id, network_id, kind, year_of_study)
     select u.id, n.id, ${memberKind('u.seq')}, case when u.seq % 10 < 7 then 1 + u.seq % 6 end
     from (select id, substring(email from 'person-([0-9]+)@')::int as seq from users) u
     join networks n on n.slug = 'network-' || (1 + (u.seq + ${ni}) % ${nn})
     where u.seq % 5 = 0 and (u.seq + ${ni}) % ${nn} <> u.seq % ${nn}
     on conflict do nothing`,
  );
  // Two co-chairs (one student, one staff where possible) per network.
  await query(
    db,
    `update memberships m set role = 'lead', lead_title = 'co_chair'
     from (select user_id, network_id, row_number() over (partition by network_id, kind order by user_id) r
           from memberships where kind in ('student', 'staff')) pick
     where pick.user_id = m.user_id and pick.network_id = m.network_id and pick.r = 1`,
  );
  await query(db, 'analyze');

  const [network] = await query<{ id: string; slug: string }>(
    db,
    `select id, slug from networks where slug = 'network-1'`,
  );
  const [member] = await query<{ user_id: string }>(
    db,
    `select user_id from memberships where network_id = '${network!.id}' and role = 'member' limit 1`,
  );
  const [lead] = await query<{ user_id: string }>(
    db,
    `select user_id from memberships where network_id = '${network!.id}' and role = 'lead' limit 1`,
  );
  // An admin with TOTP enrolled (a real sealed secret) whose session has given its code.
  const [admin] = await query<{ id: string }>(
    db,
    `insert into users (email, name, password_hash, is_admin, totp_secret_sealed, totp_enabled_at)
     values ('admin@example.ac.uk', 'Bench Admin', '${passwordHash}', true,
             '${seal(masterKey, 'totp-secret', 'JBSWY3DPEHPK3PXP')}', now())
     returning id`,
  );
  // A case handler of the first school, TOTP enrolled, whose session has given its code.
  const [institution] = await query<{ id: string }>(
    db,
    `select id from institutions where slug = 'school-1'`,
  );
  const [handler] = await query<{ id: string }>(
    db,
    `insert into users (email, name, password_hash, totp_secret_sealed, totp_enabled_at)
     values ('helen.adeyemi@example.ac.uk', 'Helen Adeyemi', '${passwordHash}',
             '${seal(masterKey, 'totp-secret', 'JBSWY3DPEHPK3PXP')}', now())
     returning id`,
  );
  await query(
    db,
    `insert into institution_roles (user_id, institution_id, role)
     values ('${handler!.id}', '${institution!.id}', 'case_handler')`,
  );
  return {
    network: network!,
    institution: institution!,
    users: { member: member!.user_id, lead: lead!.user_id, admin: admin!.id, handler: handler!.id },
  };
}

// ---- load -----------------------------------------------------------------------------------------

type LoadResult = { p50: number; p99: number; rps: number; errors: number; requests: number };

/** autocannon in its own process (bench/load-worker.ts), against one URL; JSON on stdout. */
function runAutocannon(spec: Omit<LoadSpec, 'connections' | 'duration'>): Promise<LoadResult> {
  const worker = path.join(root, 'bench/load-worker.ts');
  const argv = ['--import', 'tsx', worker, JSON.stringify({ ...spec, connections, duration })];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    // Bounded: the run takes `duration` seconds; anything far past that is a hang.
    const timer = setTimeout(() => child.kill('SIGKILL'), (duration + 30) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      try {
        const r = JSON.parse(out);
        resolve({
          p50: r.latency.p50,
          p99: r.latency.p99,
          rps: r.requests.average,
          errors: r.errors + r.timeouts + r.non2xx,
          requests: r.requests.total,
        });
      } catch {
        reject(new Error(`autocannon failed (exit ${code}): ${err.slice(0, 500)}`));
      }
    });
  });
}

// ---- direct SQL (pgbench) ---------------------------------------------------------------------------

type DirectResult = { tps: number; clients: number };

/**
 * How many pgbench clients the server can take: the asked-for concurrency, but no more than its
 * max_connections leaves free (PostgreSQL's default of 100 is below 200), keeping 5 spare.
 */
async function pgbenchClients(db: Db): Promise<number> {
  const [row] = await query<{ max: number; used: number }>(
    db,
    `select current_setting('max_connections')::int as max, (select count(*)::int from pg_stat_activity) as used`,
  );
  return Math.max(1, Math.min(connections, row!.max - row!.used - 5));
}

/** Runs one SQL statement with pgbench for `duration` seconds; its transactions per second. */
function runPgbench(url: string, text: string, clients: number): DirectResult | { error: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-pgbench-'));
  const file = path.join(dir, 'route.sql');
  // pgbench reads one statement per line unless it ends with a semicolon: keep it on one line.
  fs.writeFileSync(file, `${text.replace(/\s+/g, ' ').trim().replace(/;?$/, ';')}\n`);
  try {
    const result = spawnSync(
      PGBENCH,
      ['-n', '-c', String(clients), '-j', '2', '-T', String(duration), '-f', file, url],
      { encoding: 'utf8', timeout: (duration + 60) * 1000 },
    );
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(result.stdout ?? '');
    if (!tps) return { error: `${result.stderr || result.stdout || result.error?.message}`.slice(0, 300) };
    return { tps: Number(tps[1]), clients };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const PGBENCH = process.env.PGBENCH ?? '/usr/bin/pgbench';

// ---- main -----------------------------------------------------------------------------------------

async function main() {
  // Other work on the machine skews every number: record how busy it was.
  const loadAtStart = os.loadavg()[0]!;
  const masterKey = crypto.randomBytes(32);
  const reportKeyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-bench-keys-'));
  const reportKeys = new ReportKeyring(masterKey, new FileSecretStore(reportKeyDir));
  let t = performance.now();
  const { database, location, cleanup } = await openBenchDatabase();
  const openMs = ms(t);
  t = performance.now();
  await database.migrate();
  const migrateMs = ms(t);
  t = performance.now();
  // Seeding calls audited domain functions before buildApp: key the audit chain as buildApp does.
  bindAuditKey(database.db, masterKey);
  const base = await seed(database.db, masterKey);
  const modules: Fixture['modules'] = {};
  const moduleSeedMs: string[] = [];
  for (const module of BENCH_MODULES) {
    const started = performance.now();
    modules[module.name] = await module.seed({
      db: database.db,
      masterKey,
      reportKeys,
      scale,
      scaleName,
      base,
    });
    moduleSeedMs.push(`${module.name} ${ms(started)} ms`);
  }
  await query(database.db, 'analyze');
  const session = (userId: string) =>
    createSession(database.db, { userId, method: 'password', secondFactorDone: true, days: 1 });
  const fixture: Fixture = {
    ...base,
    modules,
    sessions: {
      member: await session(base.users.member),
      lead: await session(base.users.lead),
      admin: await session(base.users.admin),
      handler: await session(base.users.handler),
    },
  };
  const seedMs = ms(t);
  const described = (
    await Promise.all(BENCH_MODULES.map((m) => (m.describe ? m.describe(database.db) : Promise.resolve(''))))
  ).filter(Boolean);
  const [{ version } = { version: '?' }] = await query<{ version: string }>(
    database.db,
    'select version() as version',
  );
  const [counts] = await query<{ users: number; memberships: number; queue: number }>(
    database.db,
    `select (select count(*) from users)::int as users, (select count(*) from memberships)::int as memberships,
            (select count(*) from speak_up_reports where institution_id = '${fixture.institution.id}')::int as queue`,
  );
  console.log(
    `Seeded ${scaleName}: ${counts!.users} users, ${counts!.memberships} memberships, ${described.join(', ')} ` +
      `(${counts!.queue} reports in the handler's school) in ${seedMs} ms (${moduleSeedMs.join(', ')}; ` +
      `open ${openMs} ms, migrate ${migrateMs} ms)`,
  );

  // Start-up as production does it: build the app on a migrated database, then ready.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-bench-data-'));
  // Behind a trusted reverse proxy, as deployed: the submission route gives every request its own
  // client address (X-Forwarded-For) so its per-client rate limit is met as many reporters meet it.
  const config = loadConfig({
    DATA_DIR: dataDir,
    REPORT_KEY_DIR: reportKeyDir,
    PUBLIC_URL: 'http://127.0.0.1:3000',
    LOG_LEVEL: 'info',
    TRUST_PROXY: 'true',
  });
  // Request logs are produced (their cost is real) and thrown away.
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  t = performance.now();
  const app = await buildApp({ database, config, masterKey, serveWeb: false, logStream: sink });
  await app.ready();
  const startupMs = ms(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const origin = `http://127.0.0.1:${port}`;
  console.log(
    `App ready in ${startupMs} ms at ${origin}; ${connections} connections × ${duration} s per route\n`,
  );

  const usePgbench = args.pgbench && database.kind === 'postgres';
  if (args.pgbench && !usePgbench)
    console.log('--pgbench needs PostgreSQL (DATABASE_URL): not run on PGlite.');
  if (usePgbench && !fs.existsSync(PGBENCH)) {
    throw new Error(`--pgbench: ${PGBENCH} not found (apt-get install postgresql-client, or set PGBENCH)`);
  }
  const rows: string[] = [];
  const results: Record<string, unknown>[] = [];
  const selected = [...PLATFORM_ROUTES, ...BENCH_MODULES.flatMap((m) => m.routes)].filter(
    (r) => !args.only || r.name.includes(args.only),
  );
  for (const route of selected) {
    const url = origin + (typeof route.path === 'function' ? route.path(fixture) : route.path);
    const cookie = route.session === 'none' ? null : fixture.sessions[route.session];
    const method = route.method ?? 'GET';
    const headers: Record<string, string> = {};
    if (cookie) headers.cookie = `upstander_session=${cookie}`;
    const body = route.body ? JSON.stringify(route.body(fixture)) : undefined;
    if (body) headers['content-type'] = 'application/json';
    // One request first: a route that is not there (yet) or refuses is reported, not measured.
    const probe = await fetch(url, {
      method,
      headers: route.distinctClients ? { ...headers, 'x-forwarded-for': '192.0.2.1' } : headers,
      ...(body ? { body } : {}),
    });
    const probeText = await probe.text();
    if (probe.status < 200 || probe.status > 299) {
      console.log(`    ${probeText.slice(0, 300)}`);
      console.log(`  ${route.name}: skipped (answers ${probe.status})`);
      rows.push(`| ${route.name} | – | – | – | skipped: HTTP ${probe.status} | – | – |`);
      results.push({ route: route.name, skipped: probe.status });
      continue;
    }
    const r = await runAutocannon({
      url,
      method,
      headers,
      ...(body ? { body } : {}),
      distinctClients: route.distinctClients ?? false,
    });
    sampleRss();
    console.log(
      `  ${route.name}: p50 ${r.p50} ms, p99 ${r.p99} ms, ${Math.round(r.rps)} req/s, ${r.errors} errors`,
    );
    let direct: DirectResult | null = null;
    if (usePgbench && route.sql) {
      const outcome = runPgbench(location, route.sql(fixture), await pgbenchClients(database.db));
      if ('error' in outcome) console.log(`    pgbench failed: ${outcome.error}`);
      else {
        direct = outcome;
        console.log(
          `    direct SQL: ${Math.round(outcome.tps)} tx/s with ${outcome.clients} clients; ` +
            `the route reaches ${percent(r.rps, outcome.tps)} of it`,
        );
      }
    }
    rows.push(
      `| ${route.name} | ${r.p50} | ${r.p99} | ${Math.round(r.rps)} | ${r.errors} | ` +
        `${direct ? Math.round(direct.tps) : '–'} | ${direct ? percent(r.rps, direct.tps) : '–'} |`,
    );
    results.push({
      route: route.name,
      ...r,
      ...(direct ? { directTps: direct.tps, directClients: direct.clients } : {}),
    });
  }

  await app.close();
  await database.close();
  if (args.keep) console.log(`Kept the seeded database: ${location}`);
  else await cleanup();
  fs.rmSync(dataDir, { recursive: true, force: true });

  const cpus = os.cpus();
  const dbKind = database.kind === 'pglite' ? 'PGlite (embedded, WASM)' : 'PostgreSQL';
  const dbVersion = version.split(' ').slice(0, 2).join(' ');
  const machine = `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${mb(os.totalmem())} RAM, Node ${process.version}, ${dbKind} (${dbVersion})`;
  const report = [
    `### ${scaleName} scale on ${database.kind === 'pglite' ? 'PGlite' : 'PostgreSQL'}`,
    '',
    `${counts!.users.toLocaleString('en-GB')} users, ${counts!.memberships.toLocaleString('en-GB')} memberships, ` +
      `${scale.networks} networks, ${scale.institutions} institution(s), ` +
      `${described.join(', ')} (${counts!.queue.toLocaleString('en-GB')} reports in the case handler's school). ` +
      `autocannon: ${connections} connections for ${duration} s per route, on loopback, sharing the machine with the server.` +
      (usePgbench
        ? ` Direct SQL: the route's main query with pgbench (-j 2, ${duration} s, as many clients as ` +
          `max_connections leaves, up to ${connections}); the app itself uses a pool of 10 connections.`
        : ''),
    '',
    '| route | p50 ms | p99 ms | req/s | errors | direct SQL tx/s | route ÷ SQL |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `- start-up (buildApp + ready, database already migrated): ${startupMs} ms; ` +
      `open database ${openMs} ms, migrate ${migrateMs} ms, seed ${seedMs} ms`,
    `- peak RSS of the server process: ${mb(peakRss)}`,
    `- machine: ${machine}`,
    `- 1-minute load average: ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end ` +
      `(above the core count means other work competed with the benchmark)`,
    `- run: ${new Date().toISOString()}`,
    '',
  ].join('\n');
  console.log(`\n${report}`);
  if (args.only) return; // a partial run is for investigating, not a result to keep
  const outDir = path.join(root, 'bench/results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'latest.md'), report);
  // One file per scale and engine too, so the README can show several.
  fs.writeFileSync(path.join(outDir, `${scaleName}-${database.kind}.md`), report);
  fs.writeFileSync(
    path.join(outDir, `${scaleName}-${database.kind}.json`),
    JSON.stringify(
      { scale: scaleName, database: database.kind, startupMs, seedMs, peakRss, machine, results },
      null,
      2,
    ),
  );
  console.log(`Written to bench/results/latest.md and bench/results/${scaleName}-${database.kind}.{md,json}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
