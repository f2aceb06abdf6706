import crypto from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { FastifyRequest, RouteOptions } from 'fastify';
import { type Db, queryRows } from '../../db/client';
import { authFailures, rateLimitCounters } from '../../db/schema';
import { AppError } from './errors';

/**
 * Rate limits shared by every instance: @fastify/rate-limit keeps its counters in memory, so N
 * instances behind a load balancer would allow N times the limit. This store keeps them in the
 * database instead: one row per route, client and fixed window, incremented with one upsert.
 *
 * No client address is stored: the row's key is an HMAC of the route, the window and the address
 * under a key derived from the master key, so a key means nothing outside its route and window
 * (rows of two routes cannot be joined to one client), and expired rows
 * are deleted (at most once a minute per instance, by whichever request notices first) once
 * they are too old to be weighed in.
 */

type StoreResult = { current: number; ttl: number };
type Callback = (error: Error | null, result?: StoreResult) => void;

/** What @fastify/rate-limit passes to `child()`: the merged route settings with the route itself. */
type ChildOptions = { routeInfo?: Partial<Pick<RouteOptions, 'method' | 'url'>> };

const PRUNE_EVERY_MS = 60_000;

export type RateLimitStoreOptions = {
  db: Db;
  masterKey: Buffer;
  /** The clock (tests move it); defaults to Date.now. */
  now?: () => number;
};

/**
 * The store class @fastify/rate-limit instantiates (`store` option). Each rate-limited route gets
 * a child keyed by its method and URL pattern, so routes count separately.
 */
export function databaseRateLimitStore(options: RateLimitStoreOptions) {
  const { db } = options;
  const now = options.now ?? Date.now;
  const hmacKey = crypto.hkdfSync('sha256', options.masterKey, Buffer.alloc(0), 'rate-limit-client', 32);
  let lastPrune = 0;

  // The route is part of the key: one client's rows on two routes (say, an anonymous report and
  // a sign-in in the same minute) share nothing, so they cannot be joined to each other.
  const clientKey = (bucket: string, client: string, windowStart: number) =>
    crypto
      .createHmac('sha256', Buffer.from(hmacKey))
      .update(`${bucket}\n${windowStart}\n${client}`)
      .digest('base64url')
      .slice(0, 32);

  /** Deletes windows too old to count: expired for longer than a window (every route's is a minute). */
  async function prune(at: number, windowMs: number) {
    if (at - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = at;
    await db.delete(rateLimitCounters).where(lt(rateLimitCounters.expiresAt, new Date(at - windowMs)));
  }

  /**
   * Counts a request in the current fixed window and weighs in the previous one (a sliding-window
   * estimate): `current + previous × the share of the previous window still inside the last
   * minute`, rounded up. So a client cannot send twice the limit across a window boundary.
   */
  async function increment(bucket: string, client: string, windowMs: number): Promise<StoreResult> {
    const at = now();
    const windowStart = Math.floor(at / windowMs) * windowMs;
    const previousStart = windowStart - windowMs;
    const expiresAt = windowStart + windowMs;
    const t = rateLimitCounters;
    const [row] = await queryRows<{ current: number; previous: number | null }>(
      db,
      sql`with counted as (
            insert into ${t} (bucket, client_key, window_start, count, expires_at)
            values (${bucket}, ${clientKey(bucket, client, windowStart)}, ${new Date(windowStart).toISOString()}, 1, ${new Date(expiresAt).toISOString()})
            on conflict (bucket, client_key, window_start) do update set count = ${t}.count + 1
            returning count)
          select (select count from counted) as current,
                 (select count from ${t} where bucket = ${bucket} and client_key = ${clientKey(bucket, client, previousStart)}
                    and window_start = ${new Date(previousStart).toISOString()}) as previous`,
    );
    await prune(at, windowMs).catch(() => {});
    const overlap = (expiresAt - at) / windowMs;
    return { current: row!.current + Math.ceil((row!.previous ?? 0) * overlap), ttl: expiresAt - at };
  }

  return class DatabaseRateLimitStore {
    readonly bucket: string;
    // Typed loosely: the plugin's types say route options, at run time it passes its merged
    // settings with the route as `routeInfo`.
    constructor(settings: object = {}) {
      const route = (settings as ChildOptions).routeInfo;
      this.bucket = route?.url ? `${[route.method].flat().join(',')} ${route.url}` : 'global';
    }
    incr(client: string, callback: Callback, timeWindow: number) {
      increment(this.bucket, client, timeWindow).then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
    }
    child(settings: object) {
      return new DatabaseRateLimitStore(settings);
    }
  };
}

/** The 429 every rate-limited route answers: the shared error shape, saying how long to wait. */
export function rateLimitError(_request: FastifyRequest, context: { ttl: number }) {
  const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
  return new AppError(
    'rate_limited',
    `Too many attempts from this device. Please wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`,
  );
}

/** Requests per minute per client on the receipt routes: 14 secret digits are not guessed at this pace. */
export const RECEIPT_RATE_LIMIT = 10;

// ---- failures per account and per address ---------------------------------------------------------

/**
 * How failures of one kind are limited. After `free` failures each further one locks the subject
 * for `baseDelayMs`, doubling each time up to `maxDelayMs`; a streak is forgotten `forgetAfterMs`
 * after its last failure (or when the subject succeeds, for accounts).
 */
export type FailurePolicy = {
  scope: string;
  free: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
  /** 'clear': a success forgets the streak (an account); 'uncount': it only takes back its own count (an address shared by many people). */
  onSuccess: 'clear' | 'uncount';
  /** The plain-English reason given when locked. */
  lockedMessage: string;
};

const MINUTE = 60_000;

export const FAILURE_POLICIES = {
  /** Wrong passwords for one e-mail address (known or not: the answer must not tell them apart). */
  signInAccount: {
    scope: 'sign-in:account',
    free: 5,
    baseDelayMs: 30_000,
    maxDelayMs: 15 * MINUTE,
    forgetAfterMs: 60 * MINUTE,
    onSuccess: 'clear',
    lockedMessage: 'Too many wrong passwords for this account.',
  },
  /** Wrong passwords from one address: generous, since a campus network puts hundreds of people behind one address. */
  signInAddress: {
    scope: 'sign-in:address',
    free: 30,
    baseDelayMs: 60_000,
    maxDelayMs: 15 * MINUTE,
    forgetAfterMs: 10 * MINUTE,
    onSuccess: 'uncount',
    lockedMessage: 'Too many wrong passwords from this network.',
  },
  /** Wrong TOTP codes for one account, whichever session or address they come from. */
  totpAccount: {
    scope: 'totp:account',
    free: 5,
    baseDelayMs: 30_000,
    maxDelayMs: 15 * MINUTE,
    forgetAfterMs: 60 * MINUTE,
    onSuccess: 'clear',
    lockedMessage: 'Too many wrong codes for this account.',
  },
} satisfies Record<string, FailurePolicy>;

export type Attempt = {
  /** Failures in the streak, this attempt included (it counts until it succeeds). */
  failures: number;
  /** True when this attempt is the first over the free allowance: the moment to warn the account holder. */
  firstOverLimit: boolean;
  /** Call when the attempt succeeded. */
  succeeded(): Promise<void>;
};

const waitText = (ms: number) => {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
};

/**
 * Counts an attempt before it is checked (so parallel guesses cannot all slip past the check) and
 * refuses it with `rate_limited` while the subject is locked. The attempt counts as a failure
 * unless the caller reports success. The subject (an account id, an e-mail, an address) is stored
 * only as a keyed hash, distinct per scope.
 */
export async function beginAttempt(
  db: Db,
  masterKey: Buffer,
  policy: FailurePolicy,
  subject: string,
  at: number = Date.now(),
): Promise<Attempt> {
  const key = crypto
    .createHmac(
      'sha256',
      Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), 'auth-failures', 32)),
    )
    .update(`${policy.scope}\n${subject}`)
    .digest('base64url')
    .slice(0, 32);
  const t = authFailures;
  const where = and(eq(t.scope, policy.scope), eq(t.subjectKey, key));
  const outcome = await db.transaction(async (tx) => {
    await tx
      .insert(t)
      .values({
        scope: policy.scope,
        subjectKey: key,
        failures: 0,
        expiresAt: new Date(at + policy.forgetAfterMs),
      })
      .onConflictDoNothing();
    const [row] = await tx.select().from(t).where(where).for('update');
    const fresh = !row || row.expiresAt.getTime() <= at;
    const previous = fresh ? 0 : row.failures;
    const lockedUntil = fresh ? null : row.lockedUntil;
    if (lockedUntil && lockedUntil.getTime() > at) {
      return { locked: true, waitMs: lockedUntil.getTime() - at, failures: previous };
    }
    const failures = previous + 1;
    const over = failures - policy.free;
    const lock =
      over > 0 ? new Date(at + Math.min(policy.baseDelayMs * 2 ** (over - 1), policy.maxDelayMs)) : null;
    const expiresAt = new Date(Math.max(at + policy.forgetAfterMs, lock?.getTime() ?? 0));
    await tx.update(t).set({ failures, lockedUntil: lock, expiresAt }).where(where);
    return { locked: false, waitMs: 0, failures };
  });
  if (outcome.locked) {
    throw new AppError(
      'rate_limited',
      `${policy.lockedMessage} Please wait ${waitText(outcome.waitMs)} and try again.`,
    );
  }
  // Now and then, forget streaks long over (any scope).
  if (Math.random() < 0.02) {
    await db
      .delete(t)
      .where(lt(t.expiresAt, new Date(at - MINUTE)))
      .catch(() => {});
  }
  return {
    failures: outcome.failures,
    firstOverLimit: outcome.failures === policy.free + 1,
    async succeeded() {
      if (policy.onSuccess === 'clear') {
        await db.delete(t).where(where);
        return;
      }
      await db
        .update(t)
        .set({
          failures: sql`greatest(${t.failures} - 1, 0)`,
          lockedUntil: sql`case when ${t.failures} - 1 <= ${policy.free} then null else ${t.lockedUntil} end`,
        })
        .where(where);
    },
  };
}
