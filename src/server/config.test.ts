import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('configuration', () => {
  it('has working defaults: port 3000, embedded database under ./data', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir.endsWith('/data')).toBe(true);
    // The master key's default is outside the data folder; the old in-data default is moved out.
    expect(config.masterKeyFile.endsWith('/.config/upstander/master.key')).toBe(true);
    expect(config.masterKeyFile.startsWith(config.dataDir)).toBe(false);
    expect(config.legacyMasterKeyFile?.endsWith('/data/keys/master.key')).toBe(true);
    expect(config.publicUrl).toBe('http://localhost:3000');
  });

  it('names every bad setting in one clear error', () => {
    expect(() => loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', MASTER_KEY: 'short' })).toThrow(
      /PORT[\s\S]*DATABASE_URL must start with postgres[\s\S]*MASTER_KEY must be 32 bytes/,
    );
  });
});
