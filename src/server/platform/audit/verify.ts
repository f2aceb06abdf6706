import { asc, desc, gt } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { auditEvents } from '../../../db/schema';
import {
  type AuditRow,
  auditChainKey,
  GENESIS_HASH,
  hashAuditRow,
  KEYED_PREFIX,
  unkeyedHashAuditRow,
} from './audit';

export type AuditProblem = {
  seq: number;
  problem:
    | 'edited'
    | 'removed_or_reordered'
    | 'gap'
    /** An unkeyed link after the chain was keyed: written by someone without the master key. */
    | 'unkeyed_after_keyed'
    /** No event carries a keyed link, so nothing shows the app wrote this chain. */
    | 'not_keyed'
    /** The head hash kept elsewhere is not in the chain: events were removed or the chain rewritten. */
    | 'expected_head_missing';
};
export type AuditVerification = {
  ok: boolean;
  checked: number;
  headSeq: number;
  headHash: string;
  /** Events from before the chain was keyed (their links are anchored by the first keyed event). */
  unkeyedEvents: number;
  problems: AuditProblem[];
};

/**
 * Walks the chain in order. An edited row no longer matches its own link; a removed or moved row
 * breaks the link to the previous hash or the run of sequence numbers. Links are HMACs under a key
 * derived from the master key, so a chain recomputed by someone who can only write the database
 * fails here. Links from before keying are checked as plain SHA-256 and anchored by the first keyed
 * event. Keep the head hash somewhere else and pass it as `expectHead`: that also catches removal of
 * the newest events and a chain rewritten from before the first keyed event.
 */
export async function verifyAuditChain(
  db: Db,
  masterKey: Buffer,
  options: { expectHead?: string | undefined; pageSize?: number } = {},
): Promise<AuditVerification> {
  const key = auditChainKey(masterKey);
  const pageSize = options.pageSize ?? 5000;
  const problems: AuditProblem[] = [];
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  let unkeyedEvents = 0;
  let keyed = false;
  let expectedHeadFound = false;
  let after = 0;
  for (;;) {
    const rows: AuditRow[] = await db
      .select()
      .from(auditEvents)
      .where(gt(auditEvents.seq, after))
      .orderBy(asc(auditEvents.seq))
      .limit(pageSize);
    if (rows.length === 0) break;
    for (const row of rows) {
      if (row.seq !== expectedSeq) problems.push({ seq: row.seq, problem: 'gap' });
      if (row.prevHash !== prevHash) problems.push({ seq: row.seq, problem: 'removed_or_reordered' });
      if (row.hash.startsWith(KEYED_PREFIX)) {
        keyed = true;
        if (hashAuditRow(row, key) !== row.hash) problems.push({ seq: row.seq, problem: 'edited' });
      } else if (keyed) {
        problems.push({ seq: row.seq, problem: 'unkeyed_after_keyed' });
      } else {
        unkeyedEvents++;
        if (unkeyedHashAuditRow(row) !== row.hash) problems.push({ seq: row.seq, problem: 'edited' });
      }
      if (options.expectHead && row.hash === options.expectHead) expectedHeadFound = true;
      prevHash = row.hash;
      expectedSeq = row.seq + 1;
      checked++;
    }
    after = rows[rows.length - 1]!.seq;
  }
  if (checked > 0 && !keyed) problems.push({ seq: after, problem: 'not_keyed' });
  if (options.expectHead && !expectedHeadFound && options.expectHead !== GENESIS_HASH) {
    problems.push({ seq: after, problem: 'expected_head_missing' });
  }
  return { ok: problems.length === 0, checked, headSeq: after, headHash: prevHash, unkeyedEvents, problems };
}

/** The newest event's sequence number and link, to be kept somewhere outside the database. */
export async function auditHead(db: Db): Promise<{ seq: number; hash: string; occurredAt: string | null }> {
  const [last] = await db
    .select({ seq: auditEvents.seq, hash: auditEvents.hash, occurredAt: auditEvents.occurredAt })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  return last
    ? { seq: last.seq, hash: last.hash, occurredAt: last.occurredAt.toISOString() }
    : { seq: 0, hash: GENESIS_HASH, occurredAt: null };
}
