import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Database } from '../../src/db/client';
import { type App, buildApp, webRoot } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { openTestDatabase } from '../../src/server/test/database';
import { startTestSmtp, type TestSmtp } from '../../src/server/test/smtp';

export type E2eServer = {
  /** The real listening origin, e.g. http://127.0.0.1:41234 (also the app's PUBLIC_URL). */
  baseUrl: string;
  app: App;
  db: Database['db'];
  database: Database;
  masterKey: Buffer;
  /** The in-process SMTP server the app delivers to (SMTP_URL). */
  smtp: TestSmtp;
  /** Every log line the server wrote (for debugging a failed journey). */
  logs: string[];
  /** Delivers queued mail now instead of waiting for the next background run. */
  deliverMail(): Promise<number>;
  close(): Promise<void>;
};

/** Asks the kernel for a free loopback port: PUBLIC_URL must be known before the app is built. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * A real Upstander for browser journeys: the built web app, a fresh database, real SMTP delivery to
 * an in-process mail server, listening on loopback at a real port. Nothing is mocked.
 */
export async function startE2eServer(options: { env?: Record<string, string> } = {}): Promise<E2eServer> {
  if (!fs.existsSync(path.join(webRoot, 'index.html'))) {
    throw new Error(
      'dist/web is missing: run `npm run build` (npm test and npm run test:e2e do it for you).',
    );
  }
  const smtp = await startTestSmtp();
  const database = await openTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-e2e-'));
  const masterKey = crypto.randomBytes(32);
  const logs: string[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));

  // Another process may take the port between probe and listen; try a few times.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      DATA_DIR: dataDir,
      PUBLIC_URL: baseUrl,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Upstander <no-reply@upstander.test>',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      ...options.env,
    });
    const app = await buildApp({ database, config, masterKey, serveWeb: true, logStream });
    try {
      await app.listen({ port, host: '127.0.0.1' });
    } catch (error) {
      await app.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 5) continue;
      await database.close();
      await smtp.close();
      throw error;
    }

    // What main.ts does in production: deliver the outbox in the background (faster here).
    const deliverMail = () => app.services.mailer.deliverPending();
    const mailTimer = setInterval(() => {
      deliverMail().catch((error) => logs.push(`mail delivery failed: ${(error as Error).message}`));
    }, 200);

    return {
      baseUrl,
      app,
      db: database.db,
      database,
      masterKey,
      smtp,
      logs,
      deliverMail,
      async close() {
        clearInterval(mailTimer);
        await deliverMail().catch(() => 0); // let a run in progress finish before the database closes
        await app.close();
        await database.close();
        await smtp.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
}
