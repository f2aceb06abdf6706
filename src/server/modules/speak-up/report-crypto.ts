import crypto from 'node:crypto';
import type { FileSecretStore } from '../../platform/key-store';

/**
 * Envelope encryption of reports, with keys that can really be destroyed.
 *
 * - Each report has its own random 32-byte data key (DEK).
 * - The DEK is stored wrapped (AES-256-GCM, the report id as associated data, so a wrapped key
 *   copied onto another report does not open) under a key-encryption key of a *key epoch*:
 *   HKDF-SHA256 of the master key with the epoch's own random secret as salt. Epoch secrets live
 *   in a folder outside the database (platform/key-store.ts); the database holds only epoch ids.
 * - Every sensitive field is sealed with the DEK (AES-256-GCM, random 96-bit IV), with
 *   `upstander:report:<report id>:<field>` as associated data, so a ciphertext moved to another
 *   report or another field (a note passed off as a message to the reporter) fails to open.
 * - Deleting a report (crypto-shredding, see report-keys.ts and docs/decisions): its epoch is
 *   retired, every other live report of that epoch is re-wrapped under a new epoch, and the old
 *   epoch's secret file is overwritten and removed. Old row versions, the write-ahead log and
 *   backups of the database may still hold the deleted report's wrapped key and sealed fields, but
 *   nothing anywhere can unwrap that key any more, even with the master key.
 *
 * Formats (base64url parts): wrapped key `k2.<epoch id>.<iv>.<ciphertext>.<tag>` (`k1.<iv>.…`,
 * wrapped under the master key alone, is read for reports made before epochs and re-wrapped by
 * the key-maintenance job), field `f1.<iv>.<ciphertext>.<tag>`.
 */

const KEK_PURPOSE = 'report-dek';
const LOOKUP_PURPOSE = 'report-reporter-lookup';
const NAMED_HANDLER_PURPOSE = 'report-named-handler';
const IV_BYTES = 12;
const KEY_BYTES = 32;

function derive(masterKey: Buffer, purpose: string): Buffer {
  if (masterKey.length !== KEY_BYTES) throw new Error('The master key must be 32 bytes');
  return Buffer.from(
    crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), `upstander:${purpose}`, KEY_BYTES),
  );
}

function encrypt(key: Buffer, aad: string, plaintext: Buffer, version: string): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [
    version,
    iv.toString('base64url'),
    ct.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}

function decrypt(key: Buffer, aad: string, sealed: string, version: string): Buffer {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== version) throw new Error('Unknown sealed value format');
  const [, iv, ct, tag] = parts as [string, string, string, string];
  const tagBytes = Buffer.from(tag, 'base64url');
  const ivBytes = Buffer.from(iv, 'base64url');
  if (tagBytes.length !== 16 || ivBytes.length !== IV_BYTES) throw new Error('Malformed sealed value');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: 16 });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tagBytes);
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
}

const wrapAad = (reportId: string) => `upstander:report-dek:${reportId}`;
const fieldAad = (reportId: string, field: string) => `upstander:report:${reportId}:${field}`;

/** Field names bound into each ciphertext. Messages and notes carry their own id. */
export type ReportField =
  | 'when'
  | 'where'
  | 'people'
  | 'what_happened'
  | 'effect'
  | 'reporter'
  | 'outcome_note'
  | `message:${string}`
  | `note:${string}`
  | `escalation:${string}`
  | `attachment:${string}`;

/** A report's data key, unwrapped, ready to seal and open that report's fields. */
export class ReportKey {
  readonly #dek: Buffer;
  constructor(
    dek: Buffer,
    readonly reportId: string,
  ) {
    if (dek.length !== KEY_BYTES) throw new Error('A report data key is 32 bytes');
    this.#dek = dek;
  }

  seal(field: ReportField, plaintext: string): string {
    return encrypt(this.#dek, fieldAad(this.reportId, field), Buffer.from(plaintext, 'utf8'), 'f1');
  }

  open(field: ReportField, sealed: string): string {
    return decrypt(this.#dek, fieldAad(this.reportId, field), sealed, 'f1').toString('utf8');
  }

  sealJson(field: ReportField, value: unknown): string {
    return this.seal(field, JSON.stringify(value));
  }

  openJson<T>(field: ReportField, sealed: string): T {
    return JSON.parse(this.open(field, sealed)) as T;
  }

  /** Seals a value that may be absent: absent stays null. */
  sealOptional(field: ReportField, plaintext: string | null | undefined): string | null {
    return plaintext === null || plaintext === undefined ? null : this.seal(field, plaintext);
  }

  openOptional(field: ReportField, sealed: string | null): string | null {
    return sealed === null ? null : this.open(field, sealed);
  }

  /** Overwrites the key in memory (best effort: the garbage collector may have copied it). */
  destroy() {
    this.#dek.fill(0);
  }
}

/** A new random data key for a report: the key to seal with, and its bytes to wrap (then zero). */
export function createReportKey(reportId: string): { key: ReportKey; dek: Buffer } {
  const dek = crypto.randomBytes(KEY_BYTES);
  return { key: new ReportKey(Buffer.from(dek), reportId), dek };
}

/** A key epoch: its id (stored beside wrapped keys) and its secret (kept only in the key folder). */
export type KeyEpoch = { id: string; secret: Buffer };
export type EpochPurpose = 'report' | 'equality';

const EPOCH_CACHE_MS = 60_000;

/**
 * The master key with the folder of epoch secrets: wraps and unwraps report data keys. Secrets are
 * cached in memory for a minute (a retired epoch's secret is dropped at once by the instance that
 * destroys it, and is useless to anyone after that minute on the others).
 */
export class ReportKeyring {
  readonly #masterKey: Buffer;
  readonly #cache = new Map<string, { secret: Buffer; until: number }>();
  constructor(
    masterKey: Buffer,
    readonly store: FileSecretStore,
  ) {
    if (masterKey.length !== KEY_BYTES) throw new Error('The master key must be 32 bytes');
    this.#masterKey = masterKey;
  }

  /** The secret of an epoch, or null if it has been destroyed (or this folder never had it). */
  epochSecret(epochId: string): Buffer | null {
    const cached = this.#cache.get(epochId);
    if (cached && cached.until > Date.now()) return cached.secret;
    const secret = this.store.read(epochId);
    if (secret) this.#cache.set(epochId, { secret, until: Date.now() + EPOCH_CACHE_MS });
    else this.#cache.delete(epochId);
    return secret;
  }

  /** Writes a new epoch's secret to the key folder. */
  createEpochSecret(epochId: string): KeyEpoch {
    const secret = this.store.create(epochId);
    this.#cache.set(epochId, { secret, until: Date.now() + EPOCH_CACHE_MS });
    return { id: epochId, secret };
  }

  /** Overwrites and removes an epoch's secret: whatever was wrapped under it is gone for good. */
  destroyEpochSecret(epochId: string): void {
    const cached = this.#cache.get(epochId);
    cached?.secret.fill(0);
    this.#cache.delete(epochId);
    this.store.destroy(epochId);
  }

  #kek(purpose: EpochPurpose, epoch: KeyEpoch): Buffer {
    return Buffer.from(
      crypto.hkdfSync(
        'sha256',
        this.#masterKey,
        epoch.secret,
        `upstander:${purpose}-kek:${epoch.id}`,
        KEY_BYTES,
      ),
    );
  }

  /** A report's data key wrapped under an epoch: `k2.<epoch id>.<iv>.<ciphertext>.<tag>`. */
  wrap(epoch: KeyEpoch, reportId: string, dek: Buffer): string {
    const sealed = encrypt(this.#kek('report', epoch), wrapAad(reportId), dek, 'k2');
    return sealed.replace(/^k2\./, `k2.${epoch.id}.`);
  }

  #unwrap(reportId: string, wrapped: string): Buffer {
    if (wrapped.startsWith('k1.')) {
      return decrypt(derive(this.#masterKey, KEK_PURPOSE), wrapAad(reportId), wrapped, 'k1');
    }
    const epochId = wrappedKeyEpoch(wrapped);
    if (!epochId) throw new Error('Unknown wrapped key format');
    const secret = this.epochSecret(epochId);
    if (!secret) {
      throw new Error(
        `The key epoch ${epochId} is not in the report key folder (${this.store.dir}): it was destroyed, or this instance does not share the key folder with the others`,
      );
    }
    const sealed = `k2.${wrapped.slice(`k2.${epochId}.`.length)}`;
    return decrypt(this.#kek('report', { id: epochId, secret }), wrapAad(reportId), sealed, 'k2');
  }

  /** Unwraps a report's data key; throws if its epoch was destroyed or anything is wrong. */
  open(reportId: string, wrapped: string): ReportKey {
    return new ReportKey(this.#unwrap(reportId, wrapped), reportId);
  }

  /** The same data key, wrapped under another epoch (a rotation, or a `k1` key upgraded). */
  rewrap(reportId: string, wrapped: string, to: KeyEpoch): string {
    const dek = this.#unwrap(reportId, wrapped);
    try {
      return this.wrap(to, reportId, dek);
    } finally {
      dek.fill(0);
    }
  }

  /** Seals a small value (a pending equality answer) under an epoch, bound to `aad`. */
  sealUnder(epoch: KeyEpoch, aad: string, plaintext: Buffer): string {
    return encrypt(this.#kek('equality', epoch), `upstander:equality:${epoch.id}:${aad}`, plaintext, 'e1');
  }

  /** Opens what sealUnder sealed; throws if the epoch was destroyed or anything is wrong. */
  openUnder(epoch: KeyEpoch, aad: string, sealed: string): Buffer {
    return decrypt(this.#kek('equality', epoch), `upstander:equality:${epoch.id}:${aad}`, sealed, 'e1');
  }
}

/** The epoch id in a `k2` wrapped key, or null for any other format. */
export function wrappedKeyEpoch(wrapped: string): string | null {
  const match = /^k2\.([0-9a-f-]{36})\./.exec(wrapped);
  return match ? match[1]! : null;
}

/** Unwraps a report's data key; throws if its epoch was destroyed, or the id or bytes are wrong. */
export function openReportKey(keys: ReportKeyring, reportId: string, wrapped: string): ReportKey {
  return keys.open(reportId, wrapped);
}

/**
 * A keyed hash of a named reporter's user id, to find their reports ("my reports") without a
 * plaintext link: without the master key a database copy cannot tell whose reports they are.
 */
export function reporterLookupHash(masterKey: Buffer, userId: string): string {
  return crypto.createHmac('sha256', derive(masterKey, LOOKUP_PURPOSE)).update(userId).digest('hex');
}

/**
 * A keyed token standing for a case handler of a school, stored beside the reports that name them
 * (speak_up_named_handlers): the queue filters on it, a database copy cannot tell who it is.
 */
export function namedHandlerToken(masterKey: Buffer, institutionId: string, userId: string): string {
  return crypto
    .createHmac('sha256', derive(masterKey, NAMED_HANDLER_PURPOSE))
    .update(`handler\u0000${institutionId}\u0000${userId}`)
    .digest('hex');
}

/** A keyed hash of what a conflict scan compared: the handler's name, e-mail and role grant. */
export function conflictScanFingerprint(
  masterKey: Buffer,
  handler: { name: string; email: string; grantedAt: Date },
): string {
  return crypto
    .createHmac('sha256', derive(masterKey, NAMED_HANDLER_PURPOSE))
    .update(`scan\u0000${handler.name}\u0000${handler.email}\u0000${handler.grantedAt.toISOString()}`)
    .digest('hex');
}
