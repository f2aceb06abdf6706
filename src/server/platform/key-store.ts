import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A folder of small random secrets kept outside the database, one file per secret, so that a
 * secret can really be destroyed: the database cannot forget (old row versions, the write-ahead
 * log, free space, backups), a file can be overwritten and removed. Speak-up keeps the secrets of
 * its key epochs here (see docs/decisions/0008-crypto-shredding-with-key-epochs.md); each secret
 * is useless without the master key, so the folder alone reveals nothing either.
 *
 * Several instances must share one folder (a shared volume): a secret created by one instance is
 * read by the others.
 */
export class FileSecretStore {
  constructor(readonly dir: string) {}

  #file(name: string): string {
    if (!/^[0-9a-f-]{36}$/.test(name)) throw new Error(`Not a secret name: ${name}`);
    return path.join(this.dir, `${name}.key`);
  }

  /** Writes a new random 32-byte secret, on disk (fsync) before it is returned. */
  create(name: string): Buffer {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const secret = crypto.randomBytes(32);
    const fd = fs.openSync(this.#file(name), 'wx', 0o600);
    try {
      fs.writeSync(fd, `${secret.toString('base64')}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.#syncDir();
    return secret;
  }

  /** The secret, or null if it does not exist (never made here, or destroyed). */
  read(name: string): Buffer | null {
    let text: string;
    try {
      text = fs.readFileSync(this.#file(name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const secret = Buffer.from(text.trim(), 'base64');
    if (secret.length !== 32) throw new Error(`${this.#file(name)} does not hold a 32-byte secret`);
    return secret;
  }

  /**
   * Overwrites the secret's file with random bytes, flushes it, removes it and flushes the folder.
   * (Best effort below the file system: copy-on-write file systems and SSDs may keep old blocks;
   * the decision record says what an operator should do about backups and disks.)
   */
  destroy(name: string): void {
    const file = this.#file(name);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      const size = fs.fstatSync(fd).size;
      fs.writeSync(fd, crypto.randomBytes(Math.max(size, 64)), 0, Math.max(size, 64), 0);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.unlinkSync(file);
    this.#syncDir();
  }

  /** Every secret in the folder, with when its file was written. */
  list(): { name: string; writtenAt: Date }[] {
    let entries: string[];
    try {
      entries = fs.readdirSync(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return entries
      .filter((entry) => /^[0-9a-f-]{36}\.key$/.test(entry))
      .map((entry) => ({
        name: entry.slice(0, -4),
        writtenAt: fs.statSync(path.join(this.dir, entry)).mtime,
      }));
  }

  #syncDir() {
    try {
      const fd = fs.openSync(this.dir, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // Some platforms cannot fsync a folder; the file itself was flushed.
    }
  }
}
