import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/client';
import type { Config } from '../config';
import type { Mailer } from './mail';

/** What every module's routes and domain functions are given. No globals. */
export type Services = {
  db: Db;
  dbKind: 'pglite' | 'postgres';
  config: Config;
  masterKey: Buffer;
  mailer: Mailer;
  log: FastifyBaseLogger;
};
