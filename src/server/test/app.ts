import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import type { Database } from '../../db/client';
import { sessions } from '../../db/schema';
import { type App, buildApp } from '../app';
import { type Config, loadConfig } from '../config';
import { hashToken, randomToken } from '../platform/crypto';
import { CSRF_HEADER, SESSION_COOKIE } from '../platform/sessions';
import { openTestDatabase } from './database';

export type TestApp = {
  app: App;
  database: Database;
  config: Config;
  /** Every log line the server wrote, for tests that check what is (not) logged. */
  logs: string[];
  client(): TestClient;
  /**
   * A client already signed in as this user, second factor done: a session row as sign-in makes it,
   * for tests of other things than signing in (sign-in itself is tested in identity).
   */
  signedIn(user: { id: string }): Promise<TestClient>;
  close(): Promise<void>;
};

/** A real app on a real, fresh database, driven in-process through Fastify's inject. */
export async function createTestApp(
  options: { env?: Record<string, string>; serveWeb?: boolean; database?: Database; masterKey?: Buffer } = {},
): Promise<TestApp> {
  const database = options.database ?? (await openTestDatabase());
  const config = loadConfig({
    DATA_DIR: path.join(os.tmpdir(), `upstander-test-${crypto.randomBytes(4).toString('hex')}`),
    LOG_LEVEL: 'info',
    PUBLIC_URL: 'http://localhost:3000',
    ...options.env,
  });
  const logs: string[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const app = await buildApp({
    database,
    config,
    masterKey: options.masterKey ?? crypto.randomBytes(32),
    logStream,
    serveWeb: options.serveWeb ?? false,
  });
  await app.ready();
  return {
    app,
    database,
    config,
    logs,
    client: () => new TestClient(app),
    async signedIn(user) {
      const c = new TestClient(app);
      const token = randomToken(32);
      c.csrfToken = randomToken(24);
      c.cookie = token;
      await database.db.insert(sessions).values({
        idHash: hashToken(token),
        userId: user.id,
        csrfToken: c.csrfToken,
        authMethod: 'password',
        secondFactorAt: new Date(),
        expiresAt: new Date(Date.now() + 3_600_000),
      });
      return c;
    },
    async close() {
      await app.close();
      if (!options.database) await database.close();
    },
  };
}

type RequestOptions = { body?: unknown; headers?: Record<string, string>; csrf?: boolean };

/** A browser-like client: keeps the session cookie and sends the CSRF token on mutations. */
export class TestClient {
  cookie: string | null = null;
  csrfToken: string | null = null;
  /** Each client is its own "device" on loopback, so per-client rate limits apply per client. */
  readonly remoteAddress =
    `127.${crypto.randomInt(1, 255)}.${crypto.randomInt(0, 255)}.${crypto.randomInt(1, 255)}`;
  constructor(readonly app: App) {}

  async request(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options: RequestOptions = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookie) headers.cookie = `${SESSION_COOKIE}=${this.cookie}`;
    if (method !== 'GET' && this.csrfToken && options.csrf !== false) headers[CSRF_HEADER] = this.csrfToken;
    const response = await this.app.inject({
      method,
      url,
      headers,
      remoteAddress: this.remoteAddress,
      ...(options.body !== undefined ? { payload: options.body as object } : {}),
    });
    this.absorb(response);
    return response;
  }

  get(url: string, options?: RequestOptions) {
    return this.request('GET', url, options);
  }
  post(url: string, body?: unknown, options?: RequestOptions) {
    return this.request('POST', url, { ...options, body });
  }
  put(url: string, body?: unknown, options?: RequestOptions) {
    return this.request('PUT', url, { ...options, body });
  }
  patch(url: string, body?: unknown, options?: RequestOptions) {
    return this.request('PATCH', url, { ...options, body });
  }
  delete(url: string, options?: RequestOptions) {
    return this.request('DELETE', url, options);
  }

  private absorb(response: LightMyRequestResponse) {
    for (const c of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.name !== SESSION_COOKIE) continue;
      const cleared = c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now());
      this.cookie = cleared ? null : c.value;
      if (cleared) this.csrfToken = null;
    }
    if (response.headers['content-type']?.toString().includes('application/json')) {
      const body = response.json() as { csrfToken?: unknown };
      if (body && typeof body === 'object' && 'csrfToken' in body) {
        this.csrfToken = typeof body.csrfToken === 'string' ? body.csrfToken : null;
      }
    }
  }
}
