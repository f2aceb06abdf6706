import crypto from 'node:crypto';
import { lt, sql } from 'drizzle-orm';
import type { FastifyRequest, RouteOptions } from 'fastify';
import { type Db, queryRows } from '../../db/client';
import { rateLimitCounters } from '../../db/schema';
import { AppError } from './errors';

/**
 * Rate limits shared by every instance: @fastify/rate-limit keeps its counters in memory, so N
 * instances behind a load balancer would allow N times the limit. This store keeps them in the
 * database instead: one row per route, client and fixed window, incremented with one upsert.
 *
 * No client address is stored: the row's key is an HMAC of the address under a key derived from
 * the master key and the window, so a key means nothing outside its window, and expired rows
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

  const clientKey = (client: string, windowStart: number) =>
    crypto
      .createHmac('sha256', Buffer.from(hmacKey))
      .update(`${windowStart}|${client}`)
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
            values (${bucket}, ${clientKey(client, windowStart)}, ${new Date(windowStart).toISOString()}, 1, ${new Date(expiresAt).toISOString()})
            on conflict (bucket, client_key, window_start) do update set count = ${t}.count + 1
            returning count)
          select (select count from counted) as current,
                 (select count from ${t} where bucket = ${bucket} and client_key = ${clientKey(client, previousStart)}
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
