import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, sessions, users } from '../../../db/schema';
import { createTestApp, type TestApp } from '../../test/app';
import { buildUser, TEST_PASSWORD } from '../../test/factories';
import { totpNow } from './credentials';
import { issueSetupToken } from './mutations';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('first admin and TOTP enrolment', () => {
  it('creates the first admin from the one-time link, then insists on TOTP', async () => {
    const token = await issueSetupToken(t.database.db);
    expect(token).toBeTruthy();
    const c = t.client();
    expect((await c.get(`/api/setup/${token}`)).json()).toEqual({ valid: true });
    const created = await c.post('/api/setup', {
      token,
      name: 'Ada Admin',
      email: 'Ada@Example.ac.uk',
      password: 'a long enough password',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      stage: 'enrol_totp',
      user: { email: 'ada@example.ac.uk', isAdmin: true },
    });
    // The link works once.
    expect((await c.get(`/api/setup/${token}`)).json()).toEqual({ valid: false });
    expect(
      (
        await t.client().post('/api/setup', {
          token,
          name: 'B',
          email: 'b@example.ac.uk',
          password: 'another long password',
        })
      ).statusCode,
    ).toBe(404);
    // Until TOTP is set up, admin routes refuse.
    expect((await c.get('/api/admin/institutions')).statusCode).toBeGreaterThanOrEqual(403);
    const setup = await c.post('/api/auth/totp/setup');
    expect(setup.statusCode).toBe(200);
    const { secret, qrSvg } = setup.json() as { secret: string; qrSvg: string };
    expect(qrSvg).toContain('<svg');
    const wrong = await c.post('/api/auth/totp/confirm', { code: '000000' });
    expect(wrong.statusCode).toBe(400);
    const confirmed = await c.post('/api/auth/totp/confirm', { code: totpNow(secret) });
    expect(confirmed.json()).toMatchObject({ stage: 'signed_in' });
    // No second set-up link is issued once an admin exists.
    expect(await issueSetupToken(t.database.db)).toBeNull();
    const events = await t.database.db.select().from(auditEvents);
    expect(events.map((e) => e.action)).toEqual(['users.first_admin', 'users.totp_enabled']);
  });
});

describe('sign-in', () => {
  it('signs in with the right password only, and gives the same error for an unknown e-mail', async () => {
    const user = await buildUser(t.database.db);
    const c = t.client();
    const bad = await c.post('/api/auth/sign-in', { email: user.email, password: 'wrong password!' });
    const unknown = await c.post('/api/auth/sign-in', {
      email: 'nobody@example.ac.uk',
      password: 'wrong password!',
    });
    expect(bad.statusCode).toBe(401);
    expect(unknown.json()).toEqual(bad.json());
    const ok = await c.post('/api/auth/sign-in', {
      email: user.email.toUpperCase(),
      password: TEST_PASSWORD,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ stage: 'signed_in', user: { id: user.id } });
    const setCookie = String(ok.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
  });

  it('asks for the TOTP code, accepts it once, and refuses a replay', async () => {
    const user = await buildUser(t.database.db, { totpMasterKey: t.app.services.masterKey });
    const c = t.client();
    const first = await c.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
    expect(first.json()).toMatchObject({ stage: 'second_factor' });
    const owed = await c.post('/api/auth/sign-out-everywhere');
    expect(owed.statusCode).toBe(401);
    expect(owed.json()).toMatchObject({ error: { code: 'second_factor_required' } });
    const code = totpNow(user.totpSecret!);
    const done = await c.post('/api/auth/second-factor', { code });
    expect(done.json()).toMatchObject({ stage: 'signed_in' });
    const other = t.client();
    await other.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
    expect((await other.post('/api/auth/second-factor', { code })).statusCode).toBe(400);
  });

  it('refuses a cookie-authenticated mutation without the CSRF token', async () => {
    const user = await buildUser(t.database.db);
    const c = t.client();
    await c.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
    const before = await t.database.db.select().from(sessions).where(eq(sessions.userId, user.id));
    const refused = await c.post('/api/auth/sign-out', undefined, { csrf: false });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'csrf_failed' } });
    expect(await t.database.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(
      before.length,
    );
    const foreign = await c.post('/api/auth/sign-out', undefined, {
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.statusCode).toBe(403);
    expect((await c.post('/api/auth/sign-out')).statusCode).toBe(204);
    expect(await t.database.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
  });

  it('signs out everywhere', async () => {
    const user = await buildUser(t.database.db);
    const phone = t.client();
    const laptop = t.client();
    await phone.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
    await laptop.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
    expect((await phone.post('/api/auth/sign-out-everywhere')).statusCode).toBe(204);
    expect((await laptop.get('/api/session')).json()).toMatchObject({ stage: 'signed_out' });
  });

  it('answers bad input with the shared error shape and writes nothing', async () => {
    const count = async () => (await t.database.db.select().from(users)).length;
    const before = await count();
    const c = t.client();
    const cases = [
      await c.post('/api/auth/sign-in', { email: 'not-an-email', password: 'x' }),
      await c.post('/api/auth/sign-in', { email: 'a@b.co', password: 'x', extra: true }),
      await c.request('POST', '/api/auth/sign-in', {
        body: 'email=a',
        headers: { 'content-type': 'text/plain' },
      }),
      await c.request('POST', '/api/auth/sign-in', {
        body: '{"email":',
        headers: { 'content-type': 'application/json' },
      }),
      await c.post('/api/auth/sign-in', { email: 'a@b.co', password: 'x'.repeat(2_000_000) }),
      await c.get('/api/session', { headers: { cookie: 'upstander_session=%%%; other=\u0001' } }),
    ];
    expect(cases.map((r) => r.statusCode)).toEqual([400, 400, 415, 400, 413, 200]);
    for (const r of cases.slice(0, 5)) {
      expect(r.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    expect(cases[0]!.json().error.fields[0].path).toBe('email');
    expect(await count()).toBe(before);
  });
});
