import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A random URL-safe token with `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/** Fast hash for high-entropy tokens (sessions, one-time links). Slow hashes are for low-entropy secrets. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function sha256Hex(data: string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export function timingSafeEqualStrings(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

/**
 * The master key, kept outside the database: from MASTER_KEY, or a key file created on first
 * run (mode 0600) beside the data folder. It wraps per-record data keys and seals small secrets.
 */
export function loadMasterKey(options: { masterKey?: string | undefined; masterKeyFile: string }): Buffer {
  if (options.masterKey) return Buffer.from(options.masterKey, 'base64');
  if (fs.existsSync(options.masterKeyFile)) {
    const key = Buffer.from(fs.readFileSync(options.masterKeyFile, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${options.masterKeyFile} does not hold a 32-byte base64 key`);
    return key;
  }
  fs.mkdirSync(path.dirname(options.masterKeyFile), { recursive: true, mode: 0o700 });
  const key = crypto.randomBytes(32);
  fs.writeFileSync(options.masterKeyFile, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

/**
 * Seals a small secret (a TOTP seed, an IdP client secret) with AES-256-GCM under a key derived
 * from the master key for `purpose`; the purpose is bound as associated data too.
 * Output: "v1.<iv>.<ciphertext>.<tag>" in base64url.
 */
export function seal(masterKey: Buffer, purpose: string, plaintext: string): string {
  const key = Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), `upstander:${purpose}`, 32));
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(purpose));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, ct, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

export function unseal(masterKey: Buffer, purpose: string, sealed: string): string {
  const [version, iv, ct, tag] = sealed.split('.');
  if (version !== 'v1' || !iv || !ct || !tag) throw new Error('Unknown sealed value format');
  const key = Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), `upstander:${purpose}`, 32));
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(purpose));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}
