import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createReportKey, openReportKey, ReportKey, reporterLookupHash } from './report-crypto';

const master = crypto.randomBytes(32);
const reportId = crypto.randomUUID();
const otherId = crypto.randomUUID();

/** Flips one bit of one base64url part of a sealed value. */
function tamper(sealed: string, part: 1 | 2 | 3): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0]! ^= 1;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('report data keys', () => {
  it('wrap and unwrap with the master key and the report id', () => {
    const { key, wrapped } = createReportKey(master, reportId);
    const sealed = key.seal('what_happened', 'a private account');
    const reopened = openReportKey(master, reportId, wrapped);
    expect(reopened.open('what_happened', sealed)).toBe('a private account');
    expect(wrapped.startsWith('k1.')).toBe(true);
  });

  it('do not unwrap under another report id, another master key, or after tampering', () => {
    const { wrapped } = createReportKey(master, reportId);
    expect(() => openReportKey(master, otherId, wrapped)).toThrow();
    expect(() => openReportKey(crypto.randomBytes(32), reportId, wrapped)).toThrow();
    for (const part of [1, 2, 3] as const)
      expect(() => openReportKey(master, reportId, tamper(wrapped, part))).toThrow();
    expect(() => openReportKey(master, reportId, wrapped.replace('k1.', 'k2.'))).toThrow();
  });

  it('are different for every report', () => {
    const a = createReportKey(master, reportId);
    const b = createReportKey(master, reportId);
    expect(a.wrapped).not.toBe(b.wrapped);
    const sealed = a.key.seal('effect', 'x');
    expect(() => b.key.open('effect', sealed)).toThrow();
  });
});

describe('sealed fields', () => {
  it('round-trip text and JSON, hide the plaintext and use a fresh IV each time', () => {
    const { key } = createReportKey(master, reportId);
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
    const { key } = createReportKey(master, reportId);
    const id = crypto.randomUUID();
    const note = key.seal(`note:${id}`, 'internal: the consultant has two prior complaints');
    expect(() => key.open(`message:handler:${id}`, note)).toThrow();
    expect(() => key.open('effect', key.seal('what_happened', 'x'))).toThrow();
    expect(key.open(`note:${id}`, note)).toContain('internal');
  });

  it('fail after any tampering with the IV, the ciphertext or the tag', () => {
    const { key } = createReportKey(master, reportId);
    const sealed = key.seal('where', 'Ward 7, Northfield General');
    for (const part of [1, 2, 3] as const) expect(() => key.open('where', tamper(sealed, part))).toThrow();
    expect(() => key.open('where', sealed.replace('f1.', 'f0.'))).toThrow();
    expect(() => key.open('where', 'f1.abc')).toThrow();
    // A truncated tag is refused, not accepted as a shorter (weaker) tag.
    const [v, iv, ct, tag] = sealed.split('.');
    const shortTag = Buffer.from(tag!, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => key.open('where', [v, iv, ct, shortTag].join('.'))).toThrow();
  });

  it('cannot be opened once the key is destroyed', () => {
    const { key } = createReportKey(master, reportId);
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
