import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting Upstander reads from the environment. The README's configuration
 * table is written from this list; keep the two in step.
 */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres://')
    .optional(),
  MASTER_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'MASTER_KEY must be 32 bytes, base64-encoded')
    .optional(),
  MASTER_KEY_FILE: z.string().optional(),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Upstander <no-reply@upstander.invalid>'),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  SESSION_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  masterKey: string | undefined;
  masterKeyFile: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  trustProxy: boolean;
  sessionDays: number;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    dataDir,
    databaseUrl: e.DATABASE_URL,
    masterKey: e.MASTER_KEY,
    // The key lives beside, not inside, the database folder: a copy of the database alone reveals nothing.
    masterKeyFile: e.MASTER_KEY_FILE ?? path.join(dataDir, 'keys', 'master.key'),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    trustProxy: e.TRUST_PROXY === 'true',
    sessionDays: e.SESSION_DAYS,
    logLevel: e.LOG_LEVEL,
  };
}
