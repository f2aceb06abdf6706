import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/app';

let t: TestApp;
beforeAll(async () => {
  // With the web app served too, so its asset route is enumerated as well.
  t = await createTestApp({ serveWeb: true });
});
afterAll(() => t.close());

const ACCESS_RULES = new Set(['public', 'anonymous', 'session', 'user', 'admin']);

describe('route coverage', () => {
  it('every registered route declares an access rule (deny by default)', () => {
    const routes = t.app.registeredRoutes;
    expect(routes.length).toBeGreaterThan(10);
    const missing = routes
      .filter((r) => !r.access || !ACCESS_RULES.has(r.access))
      .map((r) => `${r.method} ${r.url}`);
    expect(missing, `routes without an authorisation rule: ${missing.join(', ')}`).toEqual([]);
  });

  it('fails a route added without a rule', async () => {
    const { buildApp } = await import('../app');
    const probe = await buildApp({
      database: t.database,
      config: t.config,
      masterKey: t.app.services.masterKey,
      serveWeb: false,
    });
    probe.get('/api/sneaky', async () => ({ secret: true }));
    await probe.ready();
    expect(probe.registeredRoutes.find((r) => r.url === '/api/sneaky')?.access).toBeUndefined();
    await probe.close();
  });

  it('every API route is in the OpenAPI document with its access rule', async () => {
    const doc = (await t.client().get('/api/openapi.json')).json() as {
      paths: Record<string, Record<string, { 'x-access': string; responses: object }>>;
    };
    for (const route of t.app.registeredRoutes) {
      if (route.method === 'HEAD' || !route.url.startsWith('/api/')) continue;
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const op = doc.paths[path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.url} missing from OpenAPI`).toBeDefined();
      expect(op!['x-access']).toBe(route.access);
    }
  });

  it('serves a browsable API page without scripts', async () => {
    const page = await t.client().get('/api/docs');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/api/auth/sign-in');
    expect(page.body).not.toContain('<script');
  });

  it('serves page paths the app shell, but a missing build file as a 404', async () => {
    const c = t.client();
    const page = await c.get('/networks/some-network');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const missing = await c.get('/assets/no-such-file.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it("sends the build precompressed by the request's Accept-Encoding, and plain to a client without one", async () => {
    const c = t.client();
    const shell = await c.get('/impact', { headers: { 'accept-encoding': 'br, gzip' } });
    expect(shell.headers['content-encoding']).toBe('br');
    const script = /src="(\/assets\/index-[^"]+\.js)"/.exec(
      zlib.brotliDecompressSync(shell.rawPayload).toString(),
    )![1]!;
    const br = await c.get(script, { headers: { 'accept-encoding': 'br' } });
    const gz = await c.get(script, { headers: { 'accept-encoding': 'gzip' } });
    const plain = await c.get(script, { headers: { 'accept-encoding': 'identity' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zlib.brotliDecompressSync(br.rawPayload).equals(plain.rawPayload)).toBe(true);
    expect(zlib.gunzipSync(gz.rawPayload).equals(plain.rawPayload)).toBe(true);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2.5);
    expect(br.headers['cache-control']).toContain('immutable');
  });

  it('answers a path outside every page section with a real 404 (and the shell), robots.txt as text', async () => {
    const c = t.client();
    const nowhere = await c.get('/wp-login.php');
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.headers['content-type']).toContain('text/html');
    const robots = await c.get('/robots.txt');
    expect(robots.statusCode).toBe(200);
    expect(robots.headers['content-type']).toMatch(/^text\/plain/);
    expect(robots.body).toMatch(/^User-agent: \*/m);
  });
});
