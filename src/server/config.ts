import net from 'node:net';
import os from 'node:os';
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
  /** The owner role's connection, for migrations; DATABASE_URL is then a role that cannot alter tables. */
  MIGRATION_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'MIGRATION_DATABASE_URL must start with postgres://')
    .optional(),
  MASTER_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'MASTER_KEY must be 32 bytes, base64-encoded')
    .optional(),
  MASTER_KEY_FILE: z.string().optional(),
  /** The folder of speak-up key-epoch secrets (crypto-shredding); shared by every instance. */
  REPORT_KEY_DIR: z.string().optional(),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Upstander <no-reply@upstander.invalid>'),
  TRUST_PROXY: z
    .string()
    .trim()
    .default('false')
    .transform((value, ctx) => {
      const parsed = parseTrustProxy(value);
      if (parsed === null) {
        ctx.addIssue({
          code: 'custom',
          message:
            'TRUST_PROXY must be false, the number of proxies in front of Upstander (e.g. 1), or their addresses (e.g. 10.0.0.2,10.0.0.0/24)',
        });
        return z.NEVER;
      }
      return parsed;
    }),
  SESSION_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Migrations run over this connection (the tables' owner) when set; else over databaseUrl. */
  migrationDatabaseUrl: string | undefined;
  masterKey: string | undefined;
  masterKeyFile: string;
  /** Where older versions kept the key by default (inside the data folder); moved out at start. */
  legacyMasterKeyFile: string | undefined;
  /**
   * Secrets of the report key epochs, outside the database (a database cannot forget, a file can be
   * destroyed). Every instance must use the same folder; back it up with the database.
   */
  reportKeyDir: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  /**
   * Which X-Forwarded-For hops to believe: false (none), a number of proxy hops counted from the
   * right, or the proxies' own addresses (IPs or CIDR ranges). Never "every hop": a client could
   * then choose its own address and escape every per-address limit.
   */
  trustProxy: false | number | string[];
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
    migrationDatabaseUrl: e.MIGRATION_DATABASE_URL,
    masterKey: e.MASTER_KEY,
    // The key lives outside the data folder, so a copy of the data folder alone opens nothing.
    masterKeyFile: path.resolve(e.MASTER_KEY_FILE ?? defaultMasterKeyFile(env)),
    legacyMasterKeyFile: e.MASTER_KEY_FILE ? undefined : path.join(dataDir, 'keys', 'master.key'),
    reportKeyDir: path.resolve(e.REPORT_KEY_DIR ?? path.join(dataDir, 'report-keys')),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    trustProxy: e.TRUST_PROXY,
    sessionDays: e.SESSION_DAYS,
    logLevel: e.LOG_LEVEL,
  };
}

/** `$XDG_CONFIG_HOME/upstander/master.key`, else `~/.config/upstander/master.key`: never in DATA_DIR. */
export function defaultMasterKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(configHome, 'upstander', 'master.key');
}

/**
 * `false`/`0` → false; a number of hops; `true` → 1 (one proxy, the old meaning made safe); or a
 * comma-separated list of IP addresses or CIDR ranges. Null when the value is none of these.
 */
export function parseTrustProxy(value: string): false | number | string[] | null {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'false' || v === '0') return false;
  if (v === 'true') return 1;
  if (/^\d{1,2}$/.test(v)) return Number(v);
  const entries = v.split(',').map((x) => x.trim());
  const valid = entries.every((entry) => {
    const [address, bits, extra] = entry.split('/');
    if (extra !== undefined || !address) return false;
    const family = net.isIP(address);
    if (family === 0) return false;
    if (bits === undefined) return true;
    if (!/^\d{1,3}$/.test(bits)) return false;
    return Number(bits) <= (family === 4 ? 32 : 128);
  });
  return valid && entries.length > 0 ? entries : null;
}

/**
 * The setting in the form Fastify takes: a hop count becomes "trust the nearest N hops" (the
 * client is the address the furthest trusted proxy saw); addresses are passed through.
 */
export function fastifyTrustProxy(
  trust: Config['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust;
}
