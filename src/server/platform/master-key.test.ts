import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client';
import { loadConfig } from '../config';
import { startServerProcess } from '../resilience/server-process';
import { verifyAuditChain } from './audit/verify';
import { loadMasterKey, seal, unseal } from './crypto';

/** A data folder and a separate config home, as on a fresh machine. */
function folders() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-master-key-'));
  return { dataDir: path.join(root, 'data'), configHome: path.join(root, 'config') };
}

/** Every file under `dir`, read whole. */
function filesUnder(dir: string): Buffer[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name)));
}

describe('the master key lives outside the data folder', () => {
  it('a copy of the data folder does not carry the master key', () => {
    const { dataDir, configHome } = folders();
    const config = loadConfig({ DATA_DIR: dataDir, XDG_CONFIG_HOME: configHome });
    const said: string[] = [];
    const key = loadMasterKey(config, { say: (line) => said.push(line) });
    expect(config.masterKeyFile).toBe(path.join(configHome, 'upstander', 'master.key'));
    expect(fs.readFileSync(config.masterKeyFile, 'utf8').trim()).toBe(key.toString('base64'));
    expect(fs.statSync(config.masterKeyFile).mode & 0o777).toBe(0o600);
    expect(said.join('\n')).toContain(`Created a new master key in ${config.masterKeyFile}`);
    const encoded = Buffer.from(key.toString('base64'));
    expect(filesUnder(dataDir).some((f) => f.includes(encoded) || f.includes(key))).toBe(false);
    // Later starts reuse it and say nothing.
    const again: string[] = [];
    expect(loadMasterKey(config, { say: (line) => again.push(line) }).equals(key)).toBe(true);
    expect(again).toEqual([]);
  });

  it('a key an older version left inside the data folder is moved out, and old data still opens', () => {
    const { dataDir, configHome } = folders();
    const legacy = path.join(dataDir, 'keys', 'master.key');
    fs.mkdirSync(path.dirname(legacy), { recursive: true });
    const key = crypto.randomBytes(32);
    fs.writeFileSync(legacy, `${key.toString('base64')}\n`, { mode: 0o600 });
    const sealed = seal(key, 'totp-secret', 'JBSWY3DPEHPK3PXP');

    const config = loadConfig({ DATA_DIR: dataDir, XDG_CONFIG_HOME: configHome });
    const said: string[] = [];
    const loaded = loadMasterKey(config, { say: (line) => said.push(line) });
    expect(loaded.equals(key)).toBe(true);
    expect(unseal(loaded, 'totp-secret', sealed)).toBe('JBSWY3DPEHPK3PXP');
    expect(fs.existsSync(legacy)).toBe(false);
    expect(fs.existsSync(path.dirname(legacy))).toBe(false);
    expect(fs.statSync(config.masterKeyFile).mode & 0o777).toBe(0o600);
    expect(said.join('\n')).toContain(
      `Moved the master key out of the data folder: from ${legacy} to ${config.masterKeyFile}`,
    );
  });

  it('refuses to choose between two different keys, and never makes one where only reading is asked', () => {
    const { dataDir, configHome } = folders();
    const config = loadConfig({ DATA_DIR: dataDir, XDG_CONFIG_HOME: configHome });
    expect(() => loadMasterKey(config, { create: false })).toThrow(/No master key/);
    expect(fs.existsSync(config.masterKeyFile)).toBe(false);
    const outside = loadMasterKey(config, { say: () => {} });
    fs.mkdirSync(path.dirname(config.legacyMasterKeyFile!), { recursive: true });
    fs.writeFileSync(config.legacyMasterKeyFile!, crypto.randomBytes(32).toString('base64'));
    expect(() => loadMasterKey(config)).toThrow(/Two different master keys/);
    // Neither key was touched.
    expect(fs.existsSync(config.legacyMasterKeyFile!)).toBe(true);
    expect(loadMasterKey({ masterKeyFile: config.masterKeyFile }).equals(outside)).toBe(true);
  });

  it('MASTER_KEY_FILE and MASTER_KEY still choose the key', () => {
    const { dataDir } = folders();
    const file = path.join(path.dirname(dataDir), 'elsewhere', 'key');
    const config = loadConfig({ DATA_DIR: dataDir, MASTER_KEY_FILE: file });
    expect(config.masterKeyFile).toBe(file);
    expect(config.legacyMasterKeyFile).toBeUndefined();
    const env = crypto.randomBytes(32);
    expect(loadMasterKey({ ...config, masterKey: env.toString('base64') }).equals(env)).toBe(true);
  });

  it('the server says where a new key is at first start and moves an old one at the next', async () => {
    const { dataDir, configHome } = folders();
    const env = { DATA_DIR: dataDir, XDG_CONFIG_HOME: configHome };
    const keyFile = path.join(configHome, 'upstander', 'master.key');
    let server = await startServerProcess(env);
    let key: Buffer;
    try {
      expect(server.output()).toContain(`Created a new master key in ${keyFile}`);
      // The first admin is created: an audited change keyed under this master key.
      // The set-up link is printed just after the address.
      for (let i = 0; i < 100 && !server.output().includes('/setup/'); i++)
        await new Promise((r) => setTimeout(r, 50));
      const token = /\/setup\/([\w-]+)/.exec(server.output())![1]!;
      const created = await fetch(`${server.origin}/api/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.origin },
        body: JSON.stringify({
          token,
          name: 'Ada Admin',
          email: 'ada@example.ac.uk',
          password: 'a long enough password',
        }),
      });
      expect(created.status).toBe(201);
    } finally {
      await server.stop();
    }
    // An older version's layout: the same key inside the data folder, none outside.
    key = Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'base64');
    fs.mkdirSync(path.join(dataDir, 'keys'));
    fs.renameSync(keyFile, path.join(dataDir, 'keys', 'master.key'));
    server = await startServerProcess(env);
    try {
      expect(server.output()).toContain('Moved the master key out of the data folder');
      expect(server.output()).not.toContain('Created a new master key');
    } finally {
      await server.stop();
    }
    expect(fs.existsSync(path.join(dataDir, 'keys', 'master.key'))).toBe(false);
    expect(Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'base64').equals(key)).toBe(true);
    const database = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
    try {
      expect(await verifyAuditChain(database.db, key)).toMatchObject({ ok: true });
      expect((await verifyAuditChain(database.db, key)).checked).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  }, 180_000);
});
