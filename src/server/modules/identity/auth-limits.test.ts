import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import { sessions } from '../../../db/schema';
import { loadConfig, parseTrustProxy } from '../../config';
import { createTestApp, type TestApp } from '../../test/app';
import { buildUser, TEST_PASSWORD } from '../../test/factories';
import { startTestSmtp, type TestSmtp } from '../../test/smtp';
import { totpNow } from './credentials';

/**
 * The attacks on sign-in limits: a forged X-Forwarded-For, TOTP guessing, and the opposite
 * failure (a lecture hall behind one campus address locked out by its own successes).
 */

let t: TestApp;
let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startTestSmtp();
  // One reverse proxy in front, at 10.0.0.1: it appends the client's address to X-Forwarded-For.
  t = await createTestApp({ env: { SMTP_URL: smtp.url, TRUST_PROXY: '1' } });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const db = () => t.database.db;
const PROXY = '10.0.0.1';

/** A request as the proxy forwards it: whatever the client claimed, then the address the proxy saw. */
function viaProxy(client: string, forged?: string) {
  return { remoteAddress: PROXY, headers: { 'x-forwarded-for': forged ? `${forged}, ${client}` : client } };
}

const signIn = (email: string, password: string, from: ReturnType<typeof viaProxy>) =>
  t.app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email, password }, ...from });

/** Six digits that are not the current code (nor its neighbours) of a secret. */
function wrongCode(secret: string, i: number): string {
  const near = new Set([-30_000, 0, 30_000].map((d) => totpNow(secret, Date.now() + d)));
  for (let n = i; ; n++) {
    const code = String((n * 7919) % 1_000_000).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

describe('TRUST_PROXY', () => {
  it('takes a number of hops or the proxies’ addresses, never "every hop"', () => {
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('true')).toBe(1);
    expect(parseTrustProxy('10.0.0.2, 10.1.0.0/16, ::1')).toEqual(['10.0.0.2', '10.1.0.0/16', '::1']);
    expect(parseTrustProxy('proxy.example')).toBeNull();
    expect(parseTrustProxy('10.0.0.0/40')).toBeNull();
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY must be/);
  });

  it('forged X-Forwarded-For no longer escapes the sign-in failure limit', async () => {
    const attacker = '203.0.113.50';
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      // A fresh forged address and a fresh e-mail each time: only the address the proxy saw is the same.
      const res = await signIn(
        `guess-${i}@example.ac.uk`,
        'not the password',
        viaProxy(attacker, `198.18.0.${i}`),
      );
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 31).every((s) => s === 401)).toBe(true);
    expect(statuses[31]).toBe(429);
    const res = await signIn('guess-x@example.ac.uk', 'x', viaProxy(attacker, '198.18.1.1'));
    expect(res.statusCode).toBe(429);
    expect(res.json().error.message).toMatch(/Too many wrong passwords from this network\. Please wait/);
    // Someone else behind the same proxy is not affected.
    const other = await signIn('guess-y@example.ac.uk', 'x', viaProxy('203.0.113.51'));
    expect(other.statusCode).toBe(401);
  });
});

describe('limits fall on failures, not on sign-ins', () => {
  it('200 successful sign-ins from one campus address in a minute all succeed', async () => {
    const campus = '192.0.2.200';
    const students = await Promise.all(Array.from({ length: 200 }, () => buildUser(db())));
    const statuses: number[] = [];
    for (const [i, student] of students.entries()) {
      // A few mistype first: failures from the hall are allowed for too.
      if (i % 20 === 0) statuses.push((await signIn(student.email, 'typo', viaProxy(campus))).statusCode);
      statuses.push((await signIn(student.email, TEST_PASSWORD, viaProxy(campus))).statusCode);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(200);
    expect(statuses.filter((s) => s === 429)).toHaveLength(0);
  }, 120_000);

  it('wrong passwords for one account are limited from any address, and the holder is told', async () => {
    const user = await buildUser(db());
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await signIn(user.email, `wrong ${i}`, viaProxy(`198.51.100.${i + 1}`))).statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    // Even the right password waits out the delay.
    const right = await signIn(user.email.toUpperCase(), TEST_PASSWORD, viaProxy('198.51.100.99'));
    expect(right.statusCode).toBe(429);
    expect(right.json().error.message).toMatch(/Too many wrong passwords for this account/);
    const mail = await smtp.waitFor((m) => m.to.includes(user.email));
    expect(mail.subject).toBe('Someone is trying to sign in to your Upstander account');
    expect(mail.text).toMatch(/Several wrong passwords/);
    // An unknown address is limited the same way (the limit does not tell who has an account).
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      unknown.push(
        (await signIn('nobody-at-all@example.ac.uk', 'x', viaProxy(`198.51.101.${i + 1}`))).statusCode,
      );
    }
    expect(unknown).toEqual([401, 401, 401, 401, 401, 401, 429]);
  });

  it('300 TOTP guesses are stopped after a few, from any session, and the account holder gets an e-mail', async () => {
    const user = await buildUser(db(), { totpMasterKey: t.app.services.masterKey });
    const sessionsOf = async (n: number) => {
      const clients = [];
      for (let i = 0; i < n; i++) {
        const c = t.client();
        const res = await c.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
        expect(res.json()).toMatchObject({ stage: 'second_factor' });
        clients.push(c);
      }
      return clients;
    };
    const clients = await sessionsOf(3);
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) {
      const c = clients[i % clients.length]!;
      statuses.push(
        (await c.post('/api/auth/second-factor', { code: wrongCode(user.totpSecret!, i) })).statusCode,
      );
    }
    const checked = statuses.filter((s) => s !== 429);
    expect(checked.length).toBeLessThanOrEqual(6);
    expect(checked.every((s) => s === 400)).toBe(true);
    // The right code waits too, while the delay runs.
    const [fresh] = await sessionsOf(1);
    const right = await fresh!.post('/api/auth/second-factor', { code: totpNow(user.totpSecret!) });
    expect(right.statusCode).toBe(429);
    expect(right.json().error.message).toMatch(
      /Too many wrong codes for this account\. Please wait \d+ seconds/,
    );
    const mail = await smtp.waitFor((m) => m.to.includes(user.email));
    expect(mail.text).toMatch(/wrong two-factor codes/);
    expect(mail.text).toMatch(/change it now/);
  });
});

describe('public routes leave no trace on the session', () => {
  it('a signed-in visitor on public and anonymous routes does not refresh the session’s last-seen time', async () => {
    const user = await buildUser(db());
    const c = t.client();
    expect(
      (await c.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD })).statusCode,
    ).toBe(200);
    const old = new Date(Date.now() - 60 * 60_000);
    await db().update(sessions).set({ lastSeenAt: old }).where(eq(sessions.userId, user.id));
    const lastSeen = async () =>
      (
        await queryRows<{ t: Date }>(
          db(),
          sql`select last_seen_at as t from sessions where user_id = ${user.id}`,
        )
      )[0]!.t;

    expect((await c.get('/api/session')).json()).toMatchObject({ stage: 'signed_in' });
    expect((await c.get('/api/health')).statusCode).toBe(200);
    expect((await c.get('/api/auth/sso/providers')).statusCode).toBe(200);
    expect(new Date(await lastSeen()).getTime()).toBe(old.getTime());

    // A route that needs the session does refresh it.
    expect((await c.get('/api/profile')).statusCode).toBe(200);
    expect(new Date(await lastSeen()).getTime()).toBeGreaterThan(old.getTime());
  });
});

describe('calendar feeds end with the sessions', () => {
  async function withFeed() {
    const user = await buildUser(db());
    const c = t.client();
    await c.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
    const created = await c.post('/api/calendar/feeds');
    expect(created.statusCode).toBe(201);
    const path = new URL(created.json().url as string).pathname;
    expect((await t.client().get(path)).statusCode).toBe(200);
    return { user, c, path };
  }

  it('a calendar-feed address stops working after "sign out everywhere"', async () => {
    const { c, path } = await withFeed();
    expect((await c.post('/api/auth/sign-out-everywhere')).statusCode).toBe(204);
    expect((await t.client().get(path)).statusCode).toBe(404);
  });

  it('a calendar-feed address stops working after a password change', async () => {
    const { c, path } = await withFeed();
    const changed = await c.post('/api/auth/password/change', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'a brand new long passphrase',
    });
    expect(changed.statusCode).toBe(204);
    expect((await t.client().get(path)).statusCode).toBe(404);
  });

  it('a calendar-feed address stays dead when a disabled account is enabled again', async () => {
    const { user, path } = await withFeed();
    const admin = await buildUser(db(), { isAdmin: true, totpMasterKey: t.app.services.masterKey });
    const a = t.client();
    await a.post('/api/auth/sign-in', { email: admin.email, password: TEST_PASSWORD });
    await a.post('/api/auth/second-factor', { code: totpNow(admin.totpSecret!) });
    expect((await a.patch(`/api/admin/users/${user.id}`, { disabled: true })).statusCode).toBe(200);
    expect((await t.client().get(path)).statusCode).toBe(404);
    expect((await a.patch(`/api/admin/users/${user.id}`, { disabled: false })).statusCode).toBe(200);
    expect((await t.client().get(path)).statusCode).toBe(404);
  });
});
