import { desc, sql } from 'drizzle-orm';
import type { Tx } from '../../../db/client';
import { auditEvents } from '../../../db/schema';
import { sha256Hex } from '../crypto';

export const GENESIS_HASH = '0'.repeat(64);
const AUDIT_LOCK_KEY = 712002;

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

export function hashAuditRow(row: Omit<AuditRow, 'hash'>): string {
  return sha256Hex(
    canonicalJson([
      row.seq,
      row.occurredAt.toISOString(),
      row.actorUserId,
      row.action,
      row.subjectType,
      row.subjectId,
      row.data,
      row.prevHash,
    ]),
  );
}

/**
 * Appends an event inside the caller's transaction, so the event exists exactly when the change
 * it records does. A transaction-scoped advisory lock serialises appenders: no forks, no gaps.
 */
export async function recordAudit(tx: Tx, event: AuditEventInput): Promise<void> {
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
  await tx.insert(auditEvents).values({ ...row, hash: hashAuditRow(row) });
}
