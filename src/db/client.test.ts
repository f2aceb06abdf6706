import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDir } from './client';

describe('embedded database folder lock', () => {
  it('refuses a second holder while the first is alive, and releases on close', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-lock-'));
    // Another live process (the parent of this test worker) holds the lock.
    fs.writeFileSync(path.join(dir, 'upstander.pid'), String(process.ppid));
    expect(() => lockDataDir(dir)).toThrow(/in use by process/);
    fs.rmSync(path.join(dir, 'upstander.pid'));
    const release = lockDataDir(dir);
    expect(fs.readFileSync(path.join(dir, 'upstander.pid'), 'utf8')).toBe(String(process.pid));
    release();
    expect(fs.existsSync(path.join(dir, 'upstander.pid'))).toBe(false);
  });

  it('takes over a stale lock left by a crashed process', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-lock-'));
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    fs.writeFileSync(path.join(dir, 'upstander.pid'), dead);
    const release = lockDataDir(dir);
    expect(fs.readFileSync(path.join(dir, 'upstander.pid'), 'utf8')).toBe(String(process.pid));
    release();
  });
});
