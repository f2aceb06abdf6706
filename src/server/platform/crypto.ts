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

export type MasterKeyOptions = {
  masterKey?: string | undefined;
  masterKeyFile: string;
  /** The old default inside the data folder: a key found there is moved to `masterKeyFile`. */
  legacyMasterKeyFile?: string | undefined;
};

/**
 * The master key, kept outside the database and outside the data folder: from MASTER_KEY, or a
 * key file (default `~/.config/upstander/master.key`, mode 0600). A key left inside the data folder
 * by an older version is moved out first, so existing data stays readable. A new key is made only
 * when `create` is set (the server's first start) and none exists anywhere. `say` receives what a
 * person running the server must know: where a new key is, or where an old one was moved to.
 */
export function loadMasterKey(
  options: MasterKeyOptions,
  {
    create = true,
    say = (line: string) => console.log(line),
  }: { create?: boolean; say?: (line: string) => void } = {},
): Buffer {
  if (options.masterKey) return Buffer.from(options.masterKey, 'base64');
  const file = options.masterKeyFile;
  const legacy = options.legacyMasterKeyFile;
  if (legacy && path.resolve(legacy) !== path.resolve(file) && fs.existsSync(legacy)) {
    moveLegacyKey(legacy, file, say);
  }
  if (fs.existsSync(file)) return readKeyFile(file);
  if (!create) {
    throw new Error(`No master key: ${file} does not exist and MASTER_KEY is not set.`);
  }
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const key = crypto.randomBytes(32);
    fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    say(
      `Created a new master key in ${file}. Back it up somewhere other than the data folder and the ` +
        'database backups: without it no report, second factor or sign-in secret can be read.',
    );
    return key;
  } catch (error) {
    throw new Error(
      `Could not create the master key in ${file} (${(error as Error).message}). ` +
        'Set MASTER_KEY_FILE to a writable path outside the data folder, or MASTER_KEY.',
    );
  }
}

function readKeyFile(file: string): Buffer {
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return key;
}

/** Moves the key out of the data folder: copy, read back, then remove the old file (never lose it). */
function moveLegacyKey(legacy: string, file: string, say: (line: string) => void) {
  const key = readKeyFile(legacy);
  if (fs.existsSync(file)) {
    if (!readKeyFile(file).equals(key)) {
      throw new Error(
        `Two different master keys: ${legacy} (inside the data folder) and ${file}. ` +
          'Keep the one this data was written with, remove the other, and start again.',
      );
    }
  } else {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      throw new Error(
        `The master key is inside the data folder (${legacy}) and could not be moved to ${file} ` +
          `(${(error as Error).message}). Set MASTER_KEY_FILE to a writable path outside the data folder.`,
      );
    }
    if (!readKeyFile(file).equals(key)) throw new Error(`Could not write the master key to ${file} intact.`);
  }
  fs.rmSync(legacy);
  try {
    fs.rmdirSync(path.dirname(legacy)); // the old keys/ folder, when now empty
  } catch {
    // not empty, or already gone
  }
  say(
    `Moved the master key out of the data folder: from ${legacy} to ${file}. A copy of the data ` +
      'folder no longer carries the key. Back up that file separately from the data folder.',
  );
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
