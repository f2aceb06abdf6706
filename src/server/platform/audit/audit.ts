import crypto from 'node:crypto';
import { desc, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client';
import { auditEvents } from '../../../db/schema';
import { sha256Hex } from '../crypto';

export const GENESIS_HASH = '0'.repeat(64);
const AUDIT_LOCK_KEY = 712002;
/**
 * Keyed links start with this prefix: an HMAC-SHA256 under a key derived from the master key,
 * which is not in the database, so whoever can write the table cannot recompute the chain.
 * Links without it are the unkeyed SHA-256 links written before the chain was keyed.
 */
export const KEYED_PREFIX = 'hmac-sha256:';
/** The event that marks where an upgraded instance's chain switched from unkeyed to keyed links. */
export const CHAIN_KEYED_ACTION = 'audit.chain_keyed';

export type AuditEventInput = {
  actorUserId: string | null;
  /** A dotted name such as `users.create` or `memberships.role_change`. */
  action: string;
  subjectType: string;
  subjectId: string | null;
  data?: Record<string, unknown>;
};

export type AuditRow = {
  seq: number;
  occurredAt: Date;
  actorUserId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

/** JSON with object keys sorted at every depth: jsonb reorders keys, so the hash must not depend on order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function rowContent(row: Omit<AuditRow, 'hash'>): string {
  return canonicalJson([
    row.seq,
    row.occurredAt.toISOString(),
    row.actorUserId,
    row.action,
    row.subjectType,
    row.subjectId,
    row.data,
    row.prevHash,
  ]);
}

/** The audit chain's own key: HKDF of the master key for this one purpose. */
export function auditChainKey(masterKey: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), 'upstander:audit-chain', 32));
}

/** The keyed link of a row (what recordAudit writes). */
export function hashAuditRow(row: Omit<AuditRow, 'hash'>, chainKey: Buffer): string {
  return KEYED_PREFIX + crypto.createHmac('sha256', chainKey).update(rowContent(row)).digest('hex');
}

/** The unkeyed link of a row written before the chain was keyed (anyone can compute it). */
export function unkeyedHashAuditRow(row: Omit<AuditRow, 'hash'>): string {
  return sha256Hex(rowContent(row));
}

/**
 * Which chain key recordAudit uses for a database handle. Keyed by the query layer's dialect
 * object, which a Drizzle database shares with every transaction opened from it, so the many
 * `recordAudit(tx, …)` calls need no key argument. buildApp binds it; nothing else should.
 */
const chainKeys = new WeakMap<object, Buffer>();
const dialectOf = (handle: Db | Tx) => (handle as unknown as { dialect: object }).dialect;

export function bindAuditKey(db: Db, masterKey: Buffer): void {
  chainKeys.set(dialectOf(db), auditChainKey(masterKey));
}

function boundKey(tx: Tx): Buffer {
  const key = chainKeys.get(dialectOf(tx));
  if (!key) {
    throw new Error(
      'No audit chain key is bound to this database: buildApp binds it; code that changes data ' +
        'without an app (a script, a test fixture) calls bindAuditKey(db, masterKey) first.',
    );
  }
  return key;
}

async function appendLocked(tx: Tx, key: Buffer, event: AuditEventInput) {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
  const [last] = await tx
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  const row = {
    seq: (last?.seq ?? 0) + 1,
    occurredAt: new Date(),
    actorUserId: event.actorUserId,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    // A JSON round trip now, so what is hashed is exactly what jsonb will give back.
    data: JSON.parse(JSON.stringify(event.data ?? {})) as Record<string, unknown>,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  await tx.insert(auditEvents).values({ ...row, hash: hashAuditRow(row, key) });
  return { last, row };
}

/**
 * Appends an event inside the caller's transaction, so the event exists exactly when the change
 * it records does. A transaction-scoped advisory lock serialises appenders: no forks, no gaps.
 */
export async function recordAudit(tx: Tx, event: AuditEventInput): Promise<void> {
  await appendLocked(tx, boundKey(tx), event);
}

/**
 * Re-keys an upgraded instance's chain forward: when the newest event still has an unkeyed link,
 * appends one keyed `audit.chain_keyed` event. Its keyed link covers the hash of every event
 * before it, so from then on no one without the master key can rewrite those either. Existing
 * rows are never changed (the table is append-only). Runs at start; a no-op afterwards.
 *
 * It also refuses to start with a master key the newest keyed event was not written with: that is
 * almost always the wrong key (a new one made where the old one was not found), and running on
 * would seal new reports under a key the old ones do not share.
 */
export async function keyAuditChain(db: Db): Promise<boolean> {
  return db.transaction(async (tx) => {
    const key = boundKey(tx);
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
    const [last]: AuditRow[] = await tx.select().from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
    if (!last) return false;
    if (last.hash.startsWith(KEYED_PREFIX)) {
      if (hashAuditRow(last, key) !== last.hash) {
        throw new Error(
          `The newest audit event (${last.seq}) was not written with this master key. Either the master ` +
            'key is not the one this database was written with (check MASTER_KEY or MASTER_KEY_FILE), ' +
            'or the audit log was changed: run npm run verify-audit.',
        );
      }
      return false;
    }
    await appendLocked(tx, key, {
      actorUserId: null,
      action: CHAIN_KEYED_ACTION,
      subjectType: 'audit',
      subjectId: null,
      data: { unkeyedEvents: last.seq, unkeyedHead: last.hash },
    });
    return true;
  });
}
