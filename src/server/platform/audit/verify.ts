import { asc, gt } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { auditEvents } from '../../../db/schema';
import { type AuditRow, GENESIS_HASH, hashAuditRow } from './audit';

export type AuditProblem = { seq: number; problem: 'edited' | 'removed_or_reordered' | 'gap' };
export type AuditVerification = { ok: boolean; checked: number; headHash: string; problems: AuditProblem[] };

/**
 * Walks the chain in order. An edited row no longer matches its own hash; a removed or moved row
 * breaks the link to the previous hash or the run of sequence numbers. Report the head hash and
 * keep it somewhere else: that also catches removal of the newest rows and a rewritten chain.
 */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
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
      if (hashAuditRow(row) !== row.hash) problems.push({ seq: row.seq, problem: 'edited' });
      prevHash = row.hash;
      expectedSeq = row.seq + 1;
      checked++;
    }
    after = rows[rows.length - 1]!.seq;
  }
  return { ok: problems.length === 0, checked, headHash: prevHash, problems };
}
