import crypto from 'node:crypto';

/**
 * Envelope encryption of reports.
 *
 * - Each report has its own random 32-byte data key (DEK).
 * - The DEK is stored wrapped: AES-256-GCM under a key-encryption key derived from the master key
 *   with HKDF-SHA256 (info `upstander:report-dek`), with the report id as associated data, so a
 *   wrapped key copied onto another report does not open.
 * - Every sensitive field is sealed with the DEK (AES-256-GCM, random 96-bit IV), with
 *   `upstander:report:<report id>:<field>` as associated data, so a ciphertext moved to another
 *   report or another field (a note passed off as a message to the reporter) fails to open.
 * - The master key is never in the database: a copy of the database alone reveals no content.
 *   Deleting the wrapped key destroys every field of the report at once (crypto-shredding).
 *
 * Formats (base64url parts): wrapped key `k1.<iv>.<ciphertext>.<tag>`, field `f1.<iv>.<ciphertext>.<tag>`.
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

/** A new data key for a report, and its wrapped form to store beside the report. */
export function createReportKey(masterKey: Buffer, reportId: string): { key: ReportKey; wrapped: string } {
  const dek = crypto.randomBytes(KEY_BYTES);
  const wrapped = encrypt(derive(masterKey, KEK_PURPOSE), wrapAad(reportId), dek, 'k1');
  return { key: new ReportKey(dek, reportId), wrapped };
}

/** Unwraps a report's data key; throws if the master key, the report id or the bytes are wrong. */
export function openReportKey(masterKey: Buffer, reportId: string, wrapped: string): ReportKey {
  return new ReportKey(decrypt(derive(masterKey, KEK_PURPOSE), wrapAad(reportId), wrapped, 'k1'), reportId);
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
