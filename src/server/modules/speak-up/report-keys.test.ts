import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../../db/client';
import { equalityPending, keyEpochs, keyRotationsDue, reports } from '../../../db/schema';
import { runJobSlot } from '../../platform/jobs';
import { FileSecretStore } from '../../platform/key-store';
import { createTestApp, type TestApp } from '../../test/app';
import { openTestDatabase } from '../../test/database';
import { speakUpJobs } from './jobs';
import { ReportKey, ReportKeyring, wrappedKeyEpoch } from './report-crypto';
import { keyBucket } from './report-keys';
import { buildSchool, submit } from './testing';

/**
 * Crypto-shredding and unlinkable equality answers, attacked as someone holding a copy of every
 * file the database wrote (tables, indexes, the write-ahead log) together with the master key and
 * the key folder as they are after the deletion.
 */

const onPostgres = Boolean(process.env.DATABASE_URL);
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
  });
}

const B64 = '[A-Za-z0-9_-]';
/** Every wrapped data key (`k1` or `k2`) found anywhere in these bytes. */
function wrappedKeysIn(text: string): string[] {
  const k2 = new RegExp(`k2\\.[0-9a-f-]{36}\\.${B64}{16}\\.${B64}{43}\\.${B64}{22}`, 'g');
  const k1 = new RegExp(`k1\\.${B64}{16}\\.${B64}{43}\\.${B64}{22}`, 'g');
  return [...(text.match(k2) ?? []), ...(text.match(k1) ?? [])];
}
/** Every sealed field (`f1`) found anywhere in these bytes. */
function sealedFieldsIn(text: string): string[] {
  return text.match(new RegExp(`f1\\.${B64}{16}\\.${B64}+\\.${B64}{22}`, 'g')) ?? [];
}

/**
 * Every data key of this report that a keyring can recover from any candidate: each candidate is
 * tried as it stands and under every epoch secret the keyring's folder holds (in case an epoch id
 * was altered), so nothing short of the destroyed secret would stop it.
 */
function recoverKeys(keys: ReportKeyring, reportId: string, candidates: string[]): ReportKey[] {
  const epochs = keys.store.list().map((f) => f.name);
  const found: ReportKey[] = [];
  for (const candidate of new Set(candidates)) {
    const epoch = wrappedKeyEpoch(candidate);
    const variants = epoch ? [candidate, ...epochs.map((e) => candidate.replace(epoch, e))] : [candidate];
    for (const variant of variants) {
      try {
        found.push(keys.open(reportId, variant));
        break;
      } catch {
        // not this one
      }
    }
  }
  return found;
}

/** The text of these files (as latin1), skipping any removed while reading (other databases' files). */
function readAll(files: string[]): string {
  const parts: string[] = [];
  for (const file of files) {
    try {
      parts.push(fs.readFileSync(file).toString('latin1'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return parts.join('\n');
}

/**
 * On PostgreSQL, the text of the cluster's files of this database and of its WAL, read before the
 * test database is dropped; null if this process cannot read the cluster's folder.
 */
async function postgresFiles(database: Database): Promise<{ count: number; text: string } | null> {
  const [row] = await queryRows<{ dir: string; oid: number }>(
    database.db,
    sql`select current_setting('data_directory') as dir, (select oid from pg_database where datname = current_database())::int as oid`,
  );
  const dir = row!.dir;
  try {
    fs.accessSync(path.join(dir, 'pg_wal'), fs.constants.R_OK);
  } catch {
    return null;
  }
  await database.db.execute(sql`checkpoint`);
  const files = [
    ...filesUnder(path.join(dir, 'base', String(row!.oid))),
    ...filesUnder(path.join(dir, 'pg_wal')),
  ];
  return { count: files.length, text: readAll(files) };
}

describe('crypto-shredding: a deleted report cannot be read back', () => {
  it('from every file of the database (WAL included) with the master key, after deletion with the receipt and after a retention purge', async () => {
    const dataDir = tempDir('upstander-shred-db-');
    const keyDir = tempDir('upstander-shred-keys-');
    const database = await openTestDatabase(onPostgres ? {} : { dataDir });
    const t = await createTestApp({ database, env: { REPORT_KEY_DIR: keyDir } });
    const secret = (what: string) => `${what} Shred${crypto.randomBytes(5).toString('hex')}`;
    const school = await buildSchool(t);
    const deletedText = secret('What happened to me');
    const purgedText = secret('An old case');
    const keptText = secret('Still open');
    const deleted = await submit(t, school.institution.id, {
      whatHappened: deletedText,
      who: { roles: ['consultant'], names: secret('Dr Named') },
    });
    const message = await t
      .client()
      .post('/api/speak-up/receipt/messages', { receipt: deleted.receipt, body: secret('More detail') });
    expect(message.statusCode).toBe(201);
    const kept = await submit(t, school.institution.id, { whatHappened: keptText });
    const purged = await submit(t, school.institution.id, { whatHappened: purgedText });
    // The purged case was closed seven years ago.
    await t.database.db
      .update(reports)
      .set({
        status: 'closed',
        outcome: 'support_provided',
        closedAt: new Date(Date.now() - 7 * 365.25 * 86_400_000),
      })
      .where(eq(reports.id, purged.id));
    const wrappedOf = async (id: string) =>
      (await t.database.db.select({ w: reports.wrappedKey }).from(reports).where(eq(reports.id, id)))[0]!.w;
    const epoch = wrappedKeyEpoch((await wrappedOf(deleted.id))!)!;
    // All three share the month's epoch. Its secret, as it was before the deletion: the positive
    // control below shows that only its destruction protects the deleted report.
    expect(wrappedKeyEpoch((await wrappedOf(kept.id))!)).toBe(epoch);
    const oldSecret = fs.readFileSync(path.join(keyDir, `${epoch}.key`), 'utf8');

    const gone = await t.client().post('/api/speak-up/receipt/delete', { receipt: deleted.receipt });
    expect(gone.statusCode).toBe(200);
    const [retention] = speakUpJobs({});
    expect(await runJobSlot(t.app.services, retention!, new Date())).toBe('ran');
    expect(await wrappedOf(purged.id)).toBeNull();

    // The epoch is retired, its secret destroyed; the report that was kept moved to a new epoch.
    expect(fs.existsSync(path.join(keyDir, `${epoch}.key`))).toBe(false);
    const [retired] = await t.database.db.select().from(keyEpochs).where(eq(keyEpochs.id, epoch));
    expect(retired!.retiredAt).not.toBeNull();
    expect(wrappedKeyEpoch((await wrappedOf(kept.id))!)).not.toBe(epoch);
    const follow = await t.client().post('/api/speak-up/receipt/report', { receipt: kept.receipt });
    expect(follow.statusCode).toBe(200);
    expect(follow.body).toContain(keptText);

    const masterKey = t.app.services.masterKey;
    const cluster = onPostgres ? await postgresFiles(database) : null;
    await t.close();
    await database.close();
    const pglite = onPostgres ? [] : filesUnder(dataDir);
    const copy = onPostgres ? cluster : { count: pglite.length, text: readAll(pglite) };
    if (!copy) {
      // The cluster's files are not readable here: at least the key material needed is gone.
      expect(fs.existsSync(path.join(keyDir, `${epoch}.key`))).toBe(false);
      return;
    }
    expect(copy.count).toBeGreaterThan(onPostgres ? 1 : 100);
    const text = copy.text;
    const candidates = wrappedKeysIn(text);
    const fields = sealedFieldsIn(text);

    // The attacker: every file of the database, the master key, the key folder as it is now.
    const attacker = new ReportKeyring(masterKey, new FileSecretStore(keyDir));
    for (const id of [deleted.id, purged.id]) {
      expect(recoverKeys(attacker, id, candidates), `a data key of ${id}`).toEqual([]);
    }
    // The search works: the report that was kept is found and opens.
    const keptKeys = recoverKeys(attacker, kept.id, candidates);
    expect(keptKeys.length).toBeGreaterThan(0);
    expect(fields.some((f) => tryOpen(keptKeys, 'what_happened', f) === keptText)).toBe(true);

    // Positive control: the deleted report's wrapped key and sealed words are still in the files
    // (old row versions, the WAL); with the destroyed secret they would open. Without it, nothing.
    const stolenDir = tempDir('upstander-shred-stolen-');
    fs.writeFileSync(path.join(stolenDir, `${epoch}.key`), oldSecret);
    const withOldSecret = new ReportKeyring(masterKey, new FileSecretStore(stolenDir));
    const deletedKeys = recoverKeys(withOldSecret, deleted.id, candidates);
    expect(deletedKeys.length).toBeGreaterThan(0);
    expect(fields.some((f) => tryOpen(deletedKeys, 'what_happened', f) === deletedText)).toBe(true);
    const purgedKeys = recoverKeys(withOldSecret, purged.id, candidates);
    expect(fields.some((f) => tryOpen(purgedKeys, 'what_happened', f) === purgedText)).toBe(true);
  });

  it('re-wraps reports sealed before key epochs (k1) under their month’s epoch, so they can be shredded too', async () => {
    const t = await createTestApp();
    try {
      const school = await buildSchool(t);
      const a = await submit(t, school.institution.id);
      // As an older version stored it: a data key wrapped under the master key alone (`k1`).
      const dek = crypto.randomBytes(32);
      const legacyKek = Buffer.from(
        crypto.hkdfSync('sha256', t.app.services.masterKey, Buffer.alloc(0), 'upstander:report-dek', 32),
      );
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', legacyKek, iv);
      cipher.setAAD(Buffer.from(`upstander:report-dek:${a.id}`));
      const ct = Buffer.concat([cipher.update(dek), cipher.final()]);
      const old = new ReportKey(Buffer.from(dek), a.id);
      const legacy = `k1.${[iv, ct, cipher.getAuthTag()].map((p) => p.toString('base64url')).join('.')}`;
      await t.database.db
        .update(reports)
        .set({
          wrappedKey: legacy,
          whenSealed: old.sealJson('when', { kind: 'date', date: '2026-01-08' }),
          whereSealed: old.sealJson('where', {
            location: 'Seminar room',
            providerOther: null,
            site: null,
            department: null,
          }),
          peopleSealed: null,
          whatHappenedSealed: old.seal('what_happened', 'Made before epochs.'),
          effectSealed: null,
        })
        .where(eq(reports.id, a.id));
      const view = () => t.client().post('/api/speak-up/receipt/report', { receipt: a.receipt });
      expect((await view()).body).toContain('Made before epochs.');

      const maintenance = speakUpJobs({}).find((j) => j.name === 'speak-up.key-maintenance')!;
      expect(await runJobSlot(t.app.services, maintenance)).toBe('ran');
      const now = (await wrapped(t, a.id))!;
      expect(wrappedKeyEpoch(now)).not.toBeNull();
      expect((await view()).body).toContain('Made before epochs.');
    } finally {
      await t.close();
    }
  });
});

async function wrapped(t: TestApp, id: string): Promise<string | null> {
  return (await t.database.db.select({ w: reports.wrappedKey }).from(reports).where(eq(reports.id, id)))[0]!
    .w;
}

function tryOpen(keys: ReportKey[], field: 'what_happened', sealed: string): string | null {
  for (const key of keys) {
    try {
      return key.open(field, sealed);
    } catch {
      // another key's
    }
  }
  return null;
}

describe('equality answers cannot be linked to their report', () => {
  it('by transaction ids (xmin), row order (ctid) or time, on this engine', async () => {
    const t = await createTestApp();
    try {
      const school = await buildSchool(t);
      const db = t.database.db;
      // Submitted in an order that is not the sorted order of the answers, with some reports
      // that answered nothing in between.
      const answers = ['white_british', 'asian_indian', null, 'black_caribbean', null, 'mixed_other'];
      for (const ethnicity of answers) {
        await submit(t, school.institution.id, ethnicity ? { equality: { ethnicity } as never } : {});
      }
      const reportRows = await queryRows<{ xmin: string }>(
        db,
        sql`select xmin::text as xmin from speak_up_reports where institution_id = ${school.institution.id}`,
      );
      const pending = await queryRows<{ xmin: string; answers_sealed: string }>(
        db,
        sql`select xmin::text as xmin, answers_sealed from speak_up_equality_pending where institution_id = ${school.institution.id}`,
      );
      // Every report has a pending row, answered or not, in its own transaction (same xmin, so no
      // neighbouring transaction carries an answer), of one length, with no answer in plain.
      expect(pending.length).toBe(answers.length);
      expect(new Set(pending.map((p) => p.xmin))).toEqual(new Set(reportRows.map((r) => r.xmin)));
      expect(new Set(pending.map((p) => p.answers_sealed.length)).size).toBe(1);
      for (const value of answers.filter(Boolean)) {
        expect(pending.some((p) => p.answers_sealed.includes(value!))).toBe(false);
      }
      // No per-answer count, no time, while the month is open.
      const countRows = () =>
        queryRows<{ xmin: string; value: string; count: number }>(
          db,
          sql`select xmin::text as xmin, value, count from speak_up_equality_counts where institution_id = ${school.institution.id} order by ctid`,
        );
      expect(await countRows()).toEqual([]);
      const columns = await queryRows<{ table_name: string; data_type: string }>(
        db,
        sql`select table_name, data_type from information_schema.columns where table_name in ('speak_up_equality_pending', 'speak_up_equality_counts')`,
      );
      expect(columns.filter((c) => /time|date|serial/.test(c.data_type))).toEqual([]);

      // The month ends: the daily job counts it, in one transaction, in sorted order.
      const [epoch] = await db
        .select({ id: keyEpochs.id })
        .from(keyEpochs)
        .where(sql`${keyEpochs.purpose} = 'equality' and ${keyEpochs.bucket} = ${keyBucket(new Date())}`);
      const aggregation = speakUpJobs({}).find((j) => j.name === 'speak-up.equality-aggregation')!;
      expect(await runJobSlot(t.app.services, aggregation, new Date(Date.now() + 32 * 86_400_000))).toBe(
        'ran',
      );
      const counts = await countRows();
      expect(counts.map((c) => [c.value, c.count])).toEqual([
        ['asian_indian', 1],
        ['black_caribbean', 1],
        ['mixed_other', 1],
        ['white_british', 1],
      ]);
      // One transaction wrote them all, after every report: the whole month's answers share one
      // transaction id and sit in sorted order, so neither says which report gave which answer.
      expect(new Set(counts.map((c) => c.xmin)).size).toBe(1);
      const countXmin = BigInt(counts[0]!.xmin);
      for (const r of reportRows) expect(countXmin > BigInt(r.xmin)).toBe(true);
      // No per-answer row survives, and the pending rows' key is destroyed.
      expect(await db.select().from(equalityPending).where(eq(equalityPending.epochId, epoch!.id))).toEqual(
        [],
      );
      expect(t.app.services.reportKeys.store.read(epoch!.id)).toBeNull();
    } finally {
      await t.close();
    }
  });
});

describe('the key folder', () => {
  it('after a crash between retirement and destruction, the next maintenance run destroys the secret', async () => {
    const t = await createTestApp();
    try {
      const school = await buildSchool(t);
      const a = await submit(t, school.institution.id);
      const epoch = wrappedKeyEpoch((await wrapped(t, a.id))!)!;
      // The deletion commits, then the process dies before shredding.
      await t.database.db.transaction(async (tx) => {
        await tx
          .update(reports)
          .set({
            wrappedKey: null,
            whenSealed: null,
            whereSealed: null,
            peopleSealed: null,
            whatHappenedSealed: null,
            effectSealed: null,
            purgedAt: new Date(),
          })
          .where(eq(reports.id, a.id));
      });
      // A report deleted row and all (as a held report is) lists its epoch too, by the trigger.
      const b = await submit(t, school.institution.id);
      await t.database.db.delete(reports).where(eq(reports.id, b.id));
      const due = await t.database.db.select().from(keyRotationsDue);
      expect(due.map((d) => d.epochId)).toEqual([epoch, epoch]);
      expect(t.app.services.reportKeys.store.read(epoch)).not.toBeNull();
      const maintenance = speakUpJobs({}).find((j) => j.name === 'speak-up.key-maintenance')!;
      expect(await runJobSlot(t.app.services, maintenance)).toBe('ran');
      expect(t.app.services.reportKeys.store.read(epoch)).toBeNull();
    } finally {
      await t.close();
    }
  });
});
