import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { TRUST_PROXY: 'true' } });
});
afterAll(() => t.close());

describe('request logs', () => {
  it('record the route and status, never the address, user agent, cookie or tokens in the URL', async () => {
    const c = t.client();
    await c.get('/api/health', {
      headers: {
        'user-agent': 'CanaryAgent/1.0',
        'x-forwarded-for': '203.0.113.77',
        cookie: 'upstander_session=CanaryCookieValue123456789',
      },
    });
    await c.get('/api/setup/CanaryTokenInUrl1234567890');
    const text = t.logs.join('\n');
    expect(text).toContain('"route":"/api/health"');
    expect(text).toContain('"route":"/api/setup/:token"');
    for (const secret of [
      'CanaryAgent',
      '203.0.113.77',
      c.remoteAddress,
      'CanaryCookieValue',
      'CanaryTokenInUrl',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('sets no-store on API answers and a strict CSP everywhere', async () => {
    const r = await t.client().get('/api/session');
    expect(r.headers['cache-control']).toBe('no-store');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['strict-transport-security']).toBeUndefined();
  });

  it('answers unknown API paths with the JSON error shape', async () => {
    const r = await t.client().get('/api/no-such-thing');
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
