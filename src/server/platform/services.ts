import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/client';
import type { Config } from '../config';
import type { ReportKeyring } from '../modules/speak-up';
import type { Mailer } from './mail';

/** What every module's routes and domain functions are given. No globals. */
export type Services = {
  db: Db;
  dbKind: 'pglite' | 'postgres';
  config: Config;
  masterKey: Buffer;
  /** Wraps and unwraps speak-up report keys (master key + key-epoch secrets outside the database). */
  reportKeys: ReportKeyring;
  mailer: Mailer;
  log: FastifyBaseLogger;
};
