import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMasterKey, seal, unseal } from './crypto';

describe('sealing small secrets', () => {
  const key = crypto.randomBytes(32);

  it('round-trips and hides the plaintext', () => {
    const sealed = seal(key, 'totp-secret', 'JBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(unseal(key, 'totp-secret', sealed)).toBe('JBSWY3DPEHPK3PXP');
    expect(seal(key, 'totp-secret', 'same')).not.toBe(seal(key, 'totp-secret', 'same'));
  });

  it('refuses a wrong key, a wrong purpose and any tampering', () => {
    const sealed = seal(key, 'idp-client-secret', 'secret');
    expect(() => unseal(crypto.randomBytes(32), 'idp-client-secret', sealed)).toThrow();
    expect(() => unseal(key, 'totp-secret', sealed)).toThrow();
    const [v, iv, ct, tag] = sealed.split('.');
    const flipped = Buffer.from(ct!, 'base64url');
    flipped[0]! ^= 1;
    expect(() =>
      unseal(key, 'idp-client-secret', [v, iv, flipped.toString('base64url'), tag].join('.')),
    ).toThrow();
  });
});

describe('master key', () => {
  it('is created once with owner-only permissions and then reused', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-key-')), 'keys', 'master.key');
    const first = loadMasterKey({ masterKeyFile: file });
    expect(first).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadMasterKey({ masterKeyFile: file }).equals(first)).toBe(true);
  });

  it('prefers MASTER_KEY from the environment', () => {
    const env = crypto.randomBytes(32);
    expect(
      loadMasterKey({ masterKey: env.toString('base64'), masterKeyFile: '/nonexistent/key' }).equals(env),
    ).toBe(true);
  });
});
