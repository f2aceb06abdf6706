// What a module adds to `npm run bench`: its own seeding (set-based SQL, after the shared people
// and networks exist) and the routes to measure. bench/run.ts runs every module in BENCH_MODULES.
import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client';
import type { ReportKeyring } from '../src/server/modules/speak-up/report-crypto';

/** Who makes the requests: nobody, an ordinary member, a co-chair, an admin or a case handler (TOTP given). */
export type SessionKind = 'none' | 'member' | 'lead' | 'admin' | 'handler';

export const SCALES = {
  school: { institutions: 1, networks: 3, users: 1_000, reports: 1_000, concerns: 2_000 },
  national: { institutions: 50, networks: 150, users: 100_000, reports: 100_000, concerns: 200_000 },
} as const;
export type ScaleName = keyof typeof SCALES;
export type Scale = (typeof SCALES)[ScaleName];

/** The people and places every module's seeding and routes can use. */
export type BaseFixture = {
  /** A network the member and the lead belong to (network-1, in school-1). */
  network: { id: string; slug: string };
  /** The first school: the case handler's. */
  institution: { id: string };
  users: Record<Exclude<SessionKind, 'none'>, string>;
};

export type Fixture = BaseFixture & {
  /** The session cookie of each kind of person. */
  sessions: Record<Exclude<SessionKind, 'none'>, string>;
  /** What each module's seed returned (ids and tokens its routes need), by module name. */
  modules: Record<string, Record<string, string>>;
};

export type BenchRoute = {
  name: string;
  /** A path, or a function of the seeded fixture (ids and slugs are only known after seeding). */
  path: string | ((f: Fixture) => string);
  session: SessionKind;
  /** GET unless said otherwise; a POST sends `body` as JSON. */
  method?: 'GET' | 'POST';
  body?: (f: Fixture) => unknown;
  /**
   * Each request from its own client address (`X-Forwarded-For`, the server trusting its proxy),
   * for a route rate-limited per client: many reporters, not one client hammering it.
   */
  distinctClients?: boolean;
  /**
   * The main query behind the route, as plain SQL with the fixture's values written in (one
   * statement, no parameters). With `--pgbench` on PostgreSQL it is run directly with pgbench at
   * the same concurrency, and the route's throughput is reported as a share of it.
   */
  sql?: (f: Fixture) => string;
};

export type SeedContext = {
  db: Db;
  masterKey: Buffer;
  /** The report keyring the benchmarked app uses (its key folder is REPORT_KEY_DIR). */
  reportKeys: ReportKeyring;
  scale: Scale;
  scaleName: ScaleName;
  base: BaseFixture;
};

export type BenchModule = {
  name: string;
  /** Seeds the module's rows; returns what its routes need (found again as `fixture.modules[name]`). */
  seed(context: SeedContext): Promise<Record<string, string>>;
  routes: BenchRoute[];
  /** A line for the report's data-set description, e.g. "200,000 concerns". */
  describe?(db: Db): Promise<string>;
};

/** Runs SQL and returns its rows, on either driver. */
export async function query<T>(db: Db, text: string): Promise<T[]> {
  const result = (await db.execute(sql.raw(text))) as unknown as { rows: T[] };
  return result.rows;
}
