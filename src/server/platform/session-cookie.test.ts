import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/app';
import { buildUser, TEST_PASSWORD } from '../test/factories';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from './sessions';

// Under https the session cookie is `__Host-` prefixed, and only that one is read: a cookie a
// neighbouring subdomain plants under the plain name signs nobody in.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { PUBLIC_URL: 'https://upstander.example.ac.uk' } });
});
afterAll(() => t?.close());

describe('the session cookie behind https', () => {
  it('is __Host- prefixed, Secure, Path=/ and without Domain, and only it is read', async () => {
    const user = await buildUser(t.database.db);
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      headers: { 'content-type': 'application/json', origin: 'https://upstander.example.ac.uk' },
      payload: { email: user.email, password: TEST_PASSWORD },
    });
    expect(signIn.statusCode, signIn.body).toBe(200);
    const cookie = signIn.cookies.find((c) => c.name === SECURE_SESSION_COOKIE);
    expect(cookie, 'a __Host- session cookie').toBeDefined();
    expect(cookie).toMatchObject({ secure: true, path: '/', httpOnly: true });
    expect((cookie as { domain?: string }).domain).toBeUndefined();
    expect(signIn.cookies.some((c) => c.name === SESSION_COOKIE)).toBe(false);

    const read = (name: string) =>
      t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: `${name}=${cookie!.value}` } });
    expect((await read(SECURE_SESSION_COOKIE)).json()).toMatchObject({ stage: 'signed_in' });
    // The same token under the plain name (as a planted cookie would be) is not a session.
    expect((await read(SESSION_COOKIE)).json()).not.toMatchObject({ stage: 'signed_in' });
  });
});
