import crypto from 'node:crypto';
import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Tx } from '../../../db/client';
import { equalityCounts, equalityPending, keyEpochs, keyRotationsDue, reports } from '../../../db/schema';
import type { Services } from '../../platform/services';
import type { EpochPurpose, KeyEpoch, ReportKeyring } from './report-crypto';
import { ukDate } from './workflow';

/**
 * Crypto-shredding of reports and unlinkable equality answers: the database side of key epochs
 * (report-crypto.ts has the cryptography, docs/decisions/0008-crypto-shredding-with-key-epochs.md
 * the reasons).
 *
 * - A report's data key is wrapped under the current report epoch of its month. Deleting or
 *   purging a report removes its wrapped key; a trigger then lists its epoch in
 *   speak_up_key_rotations_due. `rotateDueReportKeys` retires each such epoch, re-wraps the other
 *   live reports of that epoch under a new one and destroys the retired epoch's secret: every copy
 *   of the deleted report's wrapped key (old row versions, the WAL, a backup) is now useless.
 * - Equality answers are sealed under the month's equality epoch in a pending row that every
 *   report gets; once the month is over, `aggregateEqualityAnswers` counts them, deletes the rows
 *   and retires the epoch, whose secret is then destroyed.
 *
 * Lock order: an epoch row before any report row. A submission takes its epochs FOR SHARE as the
 * first thing in its transaction; a rotation takes its epoch FOR UPDATE before touching reports.
 */

export type KeyServices = Pick<Services, 'db' | 'dbKind' | 'reportKeys'> & {
  log: Pick<Services['log'], 'warn'>;
};

/** The key epoch month of an instant (UK calendar month, as the statistics count). */
export const keyBucket = (at: Date): string => ukDate(at).slice(0, 7);

/**
 * The current epoch of a purpose and month, created (secret written to the key folder first) if
 * there is none. The row stays locked FOR SHARE until the caller's transaction ends, so no
 * rotation retires it while the caller wraps under it. Call before locking any report row.
 */
export async function currentEpoch(
  tx: Tx,
  keys: ReportKeyring,
  purpose: EpochPurpose,
  bucket: string,
): Promise<KeyEpoch> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [row] = await tx
      .select({ id: keyEpochs.id })
      .from(keyEpochs)
      .where(and(eq(keyEpochs.purpose, purpose), eq(keyEpochs.bucket, bucket), isNull(keyEpochs.retiredAt)))
      .for('share');
    if (row) {
      const secret = keys.epochSecret(row.id);
      if (!secret) throw missingSecret(keys, row.id);
      return { id: row.id, secret };
    }
    const id = crypto.randomUUID();
    const epoch = keys.createEpochSecret(id);
    const inserted = await tx
      .insert(keyEpochs)
      .values({ id, purpose, bucket })
      .onConflictDoNothing()
      .returning({ id: keyEpochs.id });
    if (inserted.length > 0) return epoch;
    // Another instance made this month's epoch at the same moment: use theirs.
    keys.destroyEpochSecret(id);
  }
  throw new Error(`Could not settle on a ${purpose} key epoch for ${bucket}`);
}

function missingSecret(keys: ReportKeyring, epochId: string): Error {
  return new Error(
    `The key epoch ${epochId} is not in the report key folder (${keys.store.dir}). Every instance must share this folder (REPORT_KEY_DIR), and it must be restored with the database.`,
  );
}

/** Wraps a new report's data key under its month's current epoch (first thing in the transaction). */
export async function wrapNewReportKey(
  tx: Tx,
  keys: ReportKeyring,
  reportId: string,
  dek: Buffer,
  receivedAt: Date,
): Promise<string> {
  const epoch = await currentEpoch(tx, keys, 'report', keyBucket(receivedAt));
  return keys.wrap(epoch, reportId, dek);
}

// ---- shredding ----------------------------------------------------------------------------------

/**
 * Retires every epoch that held a now-deleted report's key: the other live reports of the epoch
 * are re-wrapped under a new epoch of the same month, then the old secret is destroyed. Runs in
 * transactions of its own, after the deletion committed (the key-maintenance job repeats it after a
 * crash). Returns how many epochs were retired.
 */
export async function rotateDueReportKeys(services: KeyServices): Promise<{ rotated: number }> {
  const due = await services.db.selectDistinct({ epochId: keyRotationsDue.epochId }).from(keyRotationsDue);
  let rotated = 0;
  for (const { epochId } of due) {
    if (await rotateEpoch(services, epochId)) rotated++;
  }
  return { rotated };
}

async function rotateEpoch(services: KeyServices, epochId: string): Promise<boolean> {
  const keys = services.reportKeys;
  let created: string | null = null;
  let retired: boolean;
  try {
    retired = await services.db.transaction(async (tx) => {
      const [epoch] = await tx.select().from(keyEpochs).where(eq(keyEpochs.id, epochId)).for('update');
      await tx.delete(keyRotationsDue).where(eq(keyRotationsDue.epochId, epochId));
      if (epoch?.purpose !== 'report') return false;
      if (epoch.retiredAt) return true;
      await tx.update(keyEpochs).set({ retiredAt: new Date() }).where(eq(keyEpochs.id, epochId));
      const survivors = await tx
        .select({ id: reports.id, wrappedKey: reports.wrappedKey })
        .from(reports)
        .where(sql`${reports.wrappedKey} like ${`k2.${epochId}.%`}`);
      if (survivors.length === 0) return true;
      if (!keys.epochSecret(epochId)) throw missingSecret(keys, epochId);
      const id = crypto.randomUUID();
      const next = keys.createEpochSecret(id);
      created = id;
      await tx.insert(keyEpochs).values({ id, purpose: 'report', bucket: epoch.bucket });
      const rewrapped = survivors.map((r) => ({ id: r.id, w: keys.rewrap(r.id, r.wrappedKey!, next) }));
      for (let i = 0; i < rewrapped.length; i += 500) {
        const batch = JSON.stringify(rewrapped.slice(i, i + 500));
        // Only rows still under the retired epoch: a report deleted meanwhile stays deleted.
        await tx.execute(sql`
          update speak_up_reports r set wrapped_key = v.w
          from json_to_recordset(${batch}::json) as v(id uuid, w text)
          where r.id = v.id and r.wrapped_key like ${`k2.${epochId}.%`}`);
      }
      return true;
    });
  } catch (error) {
    if (created) keys.destroyEpochSecret(created);
    throw error;
  }
  if (retired) keys.destroyEpochSecret(epochId);
  return retired;
}

/**
 * Destroys the secret of every retired epoch still in the key folder (left by a crash between a
 * retirement's commit and the destruction). Secrets the database does not know are left alone.
 */
export async function destroyRetiredSecrets(services: KeyServices): Promise<{ destroyed: number }> {
  const names = services.reportKeys.store.list().map((f) => f.name);
  if (names.length === 0) return { destroyed: 0 };
  const retired = await services.db
    .select({ id: keyEpochs.id })
    .from(keyEpochs)
    .where(and(inArray(keyEpochs.id, names), sql`${keyEpochs.retiredAt} is not null`));
  for (const { id } of retired) services.reportKeys.destroyEpochSecret(id);
  return { destroyed: retired.length };
}

/** The tables that hold a report's sealed content, and the pending equality answers. */
const SPEAK_UP_CONTENT_TABLES = [
  'speak_up_reports',
  'speak_up_messages',
  'speak_up_escalations',
  'speak_up_attachments',
  'speak_up_receipts',
  'speak_up_match_holds',
  'speak_up_match_keys',
  'speak_up_named_handlers',
  'speak_up_equality_pending',
];

/**
 * Removes dead row versions of the speak-up tables (and, on PGlite, checkpoints so the write-ahead
 * log moves on). Hygiene only: the shredded keys are what make deleted content unreadable. Never
 * fails the caller; a database role that does not own the tables skips them with a warning.
 */
export async function compactSpeakUp(services: KeyServices): Promise<void> {
  try {
    await services.db.execute(sql.raw(`vacuum ${SPEAK_UP_CONTENT_TABLES.join(', ')}`));
    if (services.dbKind === 'pglite') await services.db.execute(sql`checkpoint`);
  } catch (error) {
    services.log.warn({ err: (error as Error).message }, 'speak-up tables not vacuumed');
  }
}

/**
 * After a deletion or purge committed: retire the epochs, destroy their secrets, compact. Never
 * fails the caller (the deletion is done); what fails is retried by the key-maintenance job.
 */
export async function shredDeletedReports(services: KeyServices): Promise<void> {
  try {
    await rotateDueReportKeys(services);
    await destroyRetiredSecrets(services);
  } catch (error) {
    services.log.warn(
      { err: (error as Error).message },
      'a deleted report’s key epoch is not yet retired; the key-maintenance job will retry',
    );
  }
  await compactSpeakUp(services);
}

/**
 * Reports made before key epochs (`k1`, wrapped under the master key alone) are re-wrapped under
 * their month's epoch, a batch at a time, so that deleting them later shreds them too.
 */
export async function upgradeLegacyReportKeys(
  tx: Tx,
  keys: ReportKeyring,
  options: { batch?: number } = {},
): Promise<{ upgraded: number }> {
  const candidates = await tx
    .select({ id: reports.id, receivedAt: reports.receivedAt })
    .from(reports)
    .where(sql`${reports.wrappedKey} like 'k1.%'`)
    .orderBy(asc(reports.id))
    .limit(options.batch ?? 500);
  if (candidates.length === 0) return { upgraded: 0 };
  // Epochs first (sorted), then the report rows: the lock order of every speak-up transaction.
  const epochs = new Map<string, KeyEpoch>();
  for (const bucket of [...new Set(candidates.map((c) => keyBucket(c.receivedAt)))].sort()) {
    epochs.set(bucket, await currentEpoch(tx, keys, 'report', bucket));
  }
  const locked = await tx
    .select({ id: reports.id, receivedAt: reports.receivedAt, wrappedKey: reports.wrappedKey })
    .from(reports)
    .where(
      and(
        inArray(
          reports.id,
          candidates.map((c) => c.id),
        ),
        sql`${reports.wrappedKey} like 'k1.%'`,
      ),
    )
    .for('update', { skipLocked: true });
  for (const row of locked) {
    const epoch = epochs.get(keyBucket(row.receivedAt))!;
    await tx
      .update(reports)
      .set({ wrappedKey: keys.rewrap(row.id, row.wrappedKey!, epoch) })
      .where(eq(reports.id, row.id));
  }
  return { upgraded: locked.length };
}

// ---- equality answers ---------------------------------------------------------------------------

/** Every pending row's plaintext is padded to this length, so its size says nothing. */
const EQUALITY_PLAINTEXT_BYTES = 128;

type EqualityAnswers = { ethnicity?: string | undefined; religion?: string | undefined };

/**
 * Adds a report's pending equality row, in the report's own transaction (after its key is
 * wrapped): every report gets one, with answers or without, sealed and padded, so the row says
 * nothing — not even whether the reporter answered — and is gone, key and all, once counted.
 */
export async function recordPendingEquality(
  tx: Tx,
  keys: ReportKeyring,
  institutionId: string,
  at: Date,
  answers: EqualityAnswers | undefined,
): Promise<void> {
  const month = keyBucket(at);
  const epoch = await currentEpoch(tx, keys, 'equality', month);
  const json = Buffer.from(JSON.stringify([answers?.ethnicity ?? null, answers?.religion ?? null]), 'utf8');
  if (json.length > EQUALITY_PLAINTEXT_BYTES) throw new Error('Equality answers too long to seal');
  const plaintext = Buffer.alloc(EQUALITY_PLAINTEXT_BYTES, 0x20);
  json.copy(plaintext);
  await tx.insert(equalityPending).values({
    institutionId,
    month,
    epochId: epoch.id,
    answersSealed: keys.sealUnder(epoch, `${institutionId}:${month}`, plaintext),
  });
}

/**
 * Counts the pending answers of every month that is over: for each, one transaction adds a
 * school-month's answers to the counts (in a fixed order that has nothing to do with when they
 * came), deletes the pending rows and retires the epoch; the caller destroys the secrets after
 * the commit (destroyRetiredSecrets).
 */
export async function aggregateEqualityAnswers(
  tx: Tx,
  keys: ReportKeyring,
  now: Date,
): Promise<{ months: number; answers: number }> {
  const epochs = await tx
    .select({ id: keyEpochs.id, bucket: keyEpochs.bucket })
    .from(keyEpochs)
    .where(
      and(
        eq(keyEpochs.purpose, 'equality'),
        isNull(keyEpochs.retiredAt),
        lt(keyEpochs.bucket, keyBucket(now)),
      ),
    )
    .orderBy(asc(keyEpochs.id))
    .for('update');
  let answers = 0;
  for (const { id } of epochs) {
    const secret = keys.epochSecret(id);
    if (!secret) throw missingSecret(keys, id);
    const pending = await tx.select().from(equalityPending).where(eq(equalityPending.epochId, id));
    const tally = new Map<string, number>();
    for (const row of pending) {
      const plaintext = keys.openUnder(
        { id, secret },
        `${row.institutionId}:${row.month}`,
        row.answersSealed,
      );
      const [ethnicity, religion] = JSON.parse(plaintext.toString('utf8').trimEnd()) as [
        string | null,
        string | null,
      ];
      for (const [dimension, value] of [
        ['ethnicity', ethnicity],
        ['religion', religion],
      ] as const) {
        if (!value) continue;
        const k = JSON.stringify([row.institutionId, row.month, dimension, value]);
        tally.set(k, (tally.get(k) ?? 0) + 1);
        answers++;
      }
    }
    for (const k of [...tally.keys()].sort()) {
      const [institutionId, month, dimension, value] = JSON.parse(k) as [
        string,
        string,
        'ethnicity' | 'religion',
        string,
      ];
      const count = tally.get(k)!;
      await tx
        .insert(equalityCounts)
        .values({ institutionId, month, dimension, value, count })
        .onConflictDoUpdate({
          target: [
            equalityCounts.institutionId,
            equalityCounts.month,
            equalityCounts.dimension,
            equalityCounts.value,
          ],
          set: { count: sql`"speak_up_equality_counts"."count" + ${count}` },
        });
    }
    await tx.delete(equalityPending).where(eq(equalityPending.epochId, id));
    await tx.update(keyEpochs).set({ retiredAt: now }).where(eq(keyEpochs.id, id));
  }
  return { months: epochs.length, answers };
}
