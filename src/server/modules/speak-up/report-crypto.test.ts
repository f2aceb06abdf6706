import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../platform/key-store';
import {
  createReportKey,
  type KeyEpoch,
  openReportKey,
  ReportKey,
  ReportKeyring,
  reporterLookupHash,
  wrappedKeyEpoch,
} from './report-crypto';

const master = crypto.randomBytes(32);
const reportId = crypto.randomUUID();
const otherId = crypto.randomUUID();
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-keyring-'));
const keys = new ReportKeyring(master, new FileSecretStore(keyDir));
afterAll(() => fs.rmSync(keyDir, { recursive: true, force: true }));

/** Flips one bit of one base64url part of a sealed value. */
function tamper(sealed: string, part: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0]! ^= 1;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

function newEpoch(): KeyEpoch {
  return keys.createEpochSecret(crypto.randomUUID());
}

describe('report data keys', () => {
  it('wrap under a key epoch and unwrap with the master key, the epoch secret and the report id', () => {
    const epoch = newEpoch();
    const { key, dek } = createReportKey(reportId);
    const wrapped = keys.wrap(epoch, reportId, dek);
    const sealed = key.seal('what_happened', 'a private account');
    expect(openReportKey(keys, reportId, wrapped).open('what_happened', sealed)).toBe('a private account');
    expect(wrapped.startsWith(`k2.${epoch.id}.`)).toBe(true);
    expect(wrappedKeyEpoch(wrapped)).toBe(epoch.id);
    // The secret is in the key folder, not in what the database stores.
    expect(wrapped).not.toContain(epoch.secret.toString('base64url'));
  });

  it('do not unwrap under another report id, another master key, another epoch, or after tampering', () => {
    const epoch = newEpoch();
    const wrapped = keys.wrap(epoch, reportId, createReportKey(reportId).dek);
    expect(() => openReportKey(keys, otherId, wrapped)).toThrow();
    const stranger = new ReportKeyring(crypto.randomBytes(32), new FileSecretStore(keyDir));
    expect(() => openReportKey(stranger, reportId, wrapped)).toThrow();
    const other = newEpoch();
    expect(() => openReportKey(keys, reportId, wrapped.replace(epoch.id, other.id))).toThrow();
    for (const part of [2, 3, 4])
      expect(() => openReportKey(keys, reportId, tamper(wrapped, part))).toThrow();
    expect(() => openReportKey(keys, reportId, wrapped.replace('k2.', 'k3.'))).toThrow();
  });

  it('cannot be unwrapped, even with the master key, once the epoch secret is destroyed', () => {
    const epoch = newEpoch();
    const wrapped = keys.wrap(epoch, reportId, createReportKey(reportId).dek);
    const next = newEpoch();
    const moved = keys.rewrap(reportId, wrapped, next);
    keys.destroyEpochSecret(epoch.id);
    expect(fs.existsSync(path.join(keyDir, `${epoch.id}.key`))).toBe(false);
    expect(() => openReportKey(keys, reportId, wrapped)).toThrow(/not in the report key folder/);
    // A fresh keyring (another instance, or after a restart) cannot either.
    const fresh = new ReportKeyring(master, new FileSecretStore(keyDir));
    expect(() => openReportKey(fresh, reportId, wrapped)).toThrow();
    // The re-wrapped copy opens under the new epoch.
    expect(() => openReportKey(fresh, reportId, moved)).not.toThrow();
  });

  it('are different for every report', () => {
    const epoch = newEpoch();
    const a = createReportKey(reportId);
    const b = createReportKey(reportId);
    expect(keys.wrap(epoch, reportId, a.dek)).not.toBe(keys.wrap(epoch, reportId, b.dek));
    const sealed = a.key.seal('effect', 'x');
    expect(() => b.key.open('effect', sealed)).toThrow();
  });
});

describe('sealed fields', () => {
  it('round-trip text and JSON, hide the plaintext and use a fresh IV each time', () => {
    const { key } = createReportKey(reportId);
    const text = 'Dr Example said something racist on ward 7 — ünïcödé ✓';
    const sealed = key.seal('what_happened', text);
    expect(sealed).not.toContain('Example');
    expect(Buffer.from(sealed.split('.')[2]!, 'base64url').toString('utf8')).not.toContain('Example');
    expect(key.open('what_happened', sealed)).toBe(text);
    expect(key.seal('what_happened', text)).not.toBe(sealed);
    const json = { names: 'A. Person', otherRole: null };
    expect(key.openJson('people', key.sealJson('people', json))).toEqual(json);
    expect(key.sealOptional('effect', undefined)).toBeNull();
    expect(key.openOptional('effect', null)).toBeNull();
  });

  it('fail under another report id: a ciphertext moved to another report does not open', () => {
    const dek = crypto.randomBytes(32);
    const mine = new ReportKey(Buffer.from(dek), reportId);
    const theirs = new ReportKey(Buffer.from(dek), otherId);
    const sealed = mine.seal('what_happened', 'secret');
    expect(() => theirs.open('what_happened', sealed)).toThrow();
  });

  it('fail under another field name: a note cannot be passed off as a message to the reporter', () => {
    const { key } = createReportKey(reportId);
    const id = crypto.randomUUID();
    const note = key.seal(`note:${id}`, 'internal: the consultant has two prior complaints');
    expect(() => key.open(`message:handler:${id}`, note)).toThrow();
    expect(() => key.open('effect', key.seal('what_happened', 'x'))).toThrow();
    expect(key.open(`note:${id}`, note)).toContain('internal');
  });

  it('fail after any tampering with the IV, the ciphertext or the tag', () => {
    const { key } = createReportKey(reportId);
    const sealed = key.seal('where', 'Ward 7, Northfield General');
    for (const part of [1, 2, 3]) expect(() => key.open('where', tamper(sealed, part))).toThrow();
    expect(() => key.open('where', sealed.replace('f1.', 'f0.'))).toThrow();
    expect(() => key.open('where', 'f1.abc')).toThrow();
    // A truncated tag is refused, not accepted as a shorter (weaker) tag.
    const [v, iv, ct, tag] = sealed.split('.');
    const shortTag = Buffer.from(tag!, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => key.open('where', [v, iv, ct, shortTag].join('.'))).toThrow();
  });

  it('cannot be opened once the key is destroyed', () => {
    const { key } = createReportKey(reportId);
    const sealed = key.seal('what_happened', 'text');
    key.destroy();
    expect(() => key.open('what_happened', sealed)).toThrow();
  });
});

describe('reporter look-up hash', () => {
  it('is stable for one person, differs between people and between master keys, and is not the id', () => {
    const user = crypto.randomUUID();
    const a = reporterLookupHash(master, user);
    expect(a).toBe(reporterLookupHash(master, user));
    expect(a).not.toContain(user);
    expect(a).not.toBe(reporterLookupHash(master, crypto.randomUUID()));
    expect(a).not.toBe(reporterLookupHash(crypto.randomBytes(32), user));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });
});
