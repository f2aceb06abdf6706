import path from 'node:path';
import type { Config } from '../server/config';
import { type Database, openDatabase } from './client';

/** The database the configuration asks for: PostgreSQL when DATABASE_URL is set, else embedded PGlite. */
export function openConfiguredDatabase(config: Config, poolSize?: number): Promise<Database> {
  if (config.databaseUrl) {
    return openDatabase({ kind: 'postgres', url: config.databaseUrl, ...(poolSize ? { poolSize } : {}) });
  }
  return openDatabase({ kind: 'pglite', dataDir: path.join(config.dataDir, 'pglite') });
}
