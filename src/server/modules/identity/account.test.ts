import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import { auditEvents, mailOutbox, oneTimeTokens, sessions, users } from '../../../db/schema';
import { hashToken, randomToken } from '../../platform/crypto';
import { createTestApp, type TestApp, type TestClient } from '../../test/app';
import { addMember, buildInstitution, buildNetwork, buildUser, TEST_PASSWORD } from '../../test/factories';
import { startTestSmtp, type TestSmtp } from '../../test/smtp';
import { handlePasswordResetRequests } from './account';
import { totpNow } from './credentials';

let t: TestApp;
let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await createTestApp({ env: { SMTP_URL: smtp.url } });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const NEW_PASSWORD = 'a brand new long passphrase';

const queuedResets = async () =>
  (
    await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from transient.password_reset_requests`,
    )
  )[0]!.n;
/** Waits until no reset request is queued (a row being handled stays visible until its transaction commits). */
async function resetsHandled() {
  for (let i = 0; i < 500 && (await queuedResets()) > 0; i++) {
    await handlePasswordResetRequests(t.app.services);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(await queuedResets()).toBe(0);
}

async function signedIn(email: string, password = TEST_PASSWORD): Promise<TestClient> {
  const c = t.client();
  const res = await c.post('/api/auth/sign-in', { email, password });
  expect(res.statusCode).toBe(200);
  return c;
}
const db = () => t.database.db;
const userRow = async (id: string) => (await db().select().from(users).where(eq(users.id, id)))[0]!;
const sessionCount = async (userId: string) =>
  (await db().select().from(sessions).where(eq(sessions.userId, userId))).length;
const auditCount = async () => (await db().select().from(auditEvents)).length;
const auditFor = async (userId: string) =>
  (await db().select().from(auditEvents).where(eq(auditEvents.subjectId, userId))).map((e) => e.action);

describe('profile', () => {
  it('shows your own account with your memberships', async () => {
    const user = await buildUser(db());
    const institution = await buildInstitution(db(), { name: 'Leicester Medical School' });
    const network = await buildNetwork(db(), institution.id, { name: 'MedRACE' });
    await addMember(db(), { userId: user.id, networkId: network.id, kind: 'student', yearOfStudy: 3 });
    const c = await signedIn(user.email);
    const res = await c.get('/api/profile');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id: user.id,
      name: user.name,
      email: user.email,
      hasTotp: false,
      isAdmin: false,
      hasPassword: true,
      memberships: [
        {
          networkId: network.id,
          networkName: 'MedRACE',
          networkSlug: network.slug,
          institutionId: institution.id,
          institutionName: 'Leicester Medical School',
          kind: 'student',
          yearOfStudy: 3,
          role: 'member',
          leadTitle: null,
        },
      ],
    });
    expect(JSON.stringify(res.json())).not.toContain('passwordHash');
  });

  it('needs a fully signed-in session', async () => {
    expect((await t.client().get('/api/profile')).statusCode).toBe(401);
    const user = await buildUser(db(), { totpMasterKey: t.app.services.masterKey });
    const c = await signedIn(user.email);
    const owed = await c.get('/api/profile');
    expect(owed.statusCode).toBe(401);
    expect(owed.json()).toMatchObject({ error: { code: 'second_factor_required' } });
  });

  it('changes your name, audited, and refuses bad input writing nothing', async () => {
    const user = await buildUser(db());
    const c = await signedIn(user.email);
    const before = await auditCount();
    const bad = [
      await c.patch('/api/profile', { name: '   ' }),
      await c.patch('/api/profile', { name: 'x'.repeat(121) }),
      await c.patch('/api/profile', { name: 'Ok Name', email: 'takeover@example.ac.uk' }),
      await c.patch('/api/profile', { name: 'Ok Name' }, { csrf: false }),
    ];
    expect(bad.map((r) => r.statusCode)).toEqual([400, 400, 400, 403]);
    expect(bad[0]!.json().error.fields[0].path).toBe('name');
    expect((await userRow(user.id)).name).toBe(user.name);
    expect(await auditCount()).toBe(before);

    const res = await c.patch('/api/profile', { name: '  Amara Okafor ' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: user.id, name: 'Amara Okafor', email: user.email });
    expect((await userRow(user.id)).name).toBe('Amara Okafor');
    expect((await c.get('/api/session')).json()).toMatchObject({ user: { name: 'Amara Okafor' } });
    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'users.update_profile'), eq(auditEvents.subjectId, user.id)));
    expect(event).toMatchObject({ actorUserId: user.id, subjectType: 'user' });
    expect(JSON.stringify(event!.data)).not.toContain('Amara');
  });
});

describe('password change', () => {
  it('refuses a wrong current password, with the message beside that field, changing nothing', async () => {
    const user = await buildUser(db());
    const c = await signedIn(user.email);
    const other = await signedIn(user.email);
    const hashBefore = (await userRow(user.id)).passwordHash;
    const auditBefore = await auditCount();
    const res = await c.post('/api/auth/password/change', {
      currentPassword: 'not my password at all',
      newPassword: NEW_PASSWORD,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: { code: 'validation_failed', fields: [{ path: 'currentPassword' }] },
    });
    const tooShort = await c.post('/api/auth/password/change', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'short',
    });
    expect(tooShort.statusCode).toBe(400);
    expect(tooShort.json().error.fields[0].path).toBe('newPassword');
    expect((await userRow(user.id)).passwordHash).toBe(hashBefore);
    expect(await sessionCount(user.id)).toBe(2);
    expect(await auditCount()).toBe(auditBefore);
    expect((await other.get('/api/session')).json()).toMatchObject({ stage: 'signed_in' });
  });

  it('sets the new password and signs out every other session, keeping this one', async () => {
    const user = await buildUser(db());
    const laptop = await signedIn(user.email);
    const phone = await signedIn(user.email);
    const stranger = await signedIn((await buildUser(db())).email);
    // A reset link sent earlier must not work after the change.
    const pending = randomToken(32);
    await db()
      .insert(oneTimeTokens)
      .values({
        purpose: 'password_reset',
        tokenHash: hashToken(pending),
        userId: user.id,
        email: user.email,
        expiresAt: new Date(Date.now() + 3_600_000),
      });
    const res = await laptop.post('/api/auth/password/change', {
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(res.statusCode).toBe(204);
    expect((await laptop.get('/api/session')).json()).toMatchObject({ stage: 'signed_in' });
    expect((await phone.get('/api/session')).json()).toMatchObject({ stage: 'signed_out' });
    expect((await stranger.get('/api/session')).json()).toMatchObject({ stage: 'signed_in' });
    expect(await sessionCount(user.id)).toBe(1);
    expect((await t.client().get(`/api/auth/password-reset/${pending}`)).json()).toEqual({ valid: false });

    const old = await t.client().post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
    expect(old.statusCode).toBe(401);
    await signedIn(user.email, NEW_PASSWORD);
    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'users.password_change'), eq(auditEvents.subjectId, user.id)));
    expect(event!.data).toEqual({ otherSessionsEnded: 1, feedsRevoked: 0 });
  });
});

describe('password reset by e-mail', () => {
  /** Asks for a link, then waits until the background worker has handled the queued request. */
  const requestReset = async (email: string) => {
    const res = await t.client().post('/api/auth/password-reset/request', { email });
    await resetsHandled();
    return res;
  };
  const linkIn = (text: string) => {
    const match = /(\S+)\/reset-password\/([A-Za-z0-9_-]+)/.exec(text);
    expect(match, text).not.toBeNull();
    return { base: match![1]!, token: match![2]! };
  };

  it('mails a one-time link that sets a new password and signs out everywhere', async () => {
    const user = await buildUser(db());
    const phone = await signedIn(user.email);
    const laptop = await signedIn(user.email);
    const mailsBefore = smtp.messages.length;

    const res = await requestReset(user.email.toUpperCase());
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ ok: true });
    await t.app.services.mailer.deliverPending();
    const mail = await smtp.waitFor((m) => m.to.includes(user.email));
    expect(smtp.messages.length).toBe(mailsBefore + 1);
    expect(mail.subject).toBe('Reset your Upstander password');
    const { base, token } = linkIn(mail.text);
    expect(base).toBe(t.config.publicUrl);
    // The database keeps only the hash; the outbox drops the body once it is sent.
    const [row] = await db()
      .select()
      .from(oneTimeTokens)
      .where(and(eq(oneTimeTokens.userId, user.id), eq(oneTimeTokens.purpose, 'password_reset')));
    expect(row!.tokenHash).toBe(hashToken(token));
    expect(row!.expiresAt.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(row!.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    const [outbox] = await db().select().from(mailOutbox).where(eq(mailOutbox.toAddress, user.email));
    expect(outbox).toMatchObject({ transport: 'smtp', textBody: '' });
    expect(outbox!.sentAt).not.toBeNull();

    expect((await t.client().get(`/api/auth/password-reset/${token}`)).json()).toEqual({ valid: true });
    const done = await t
      .client()
      .post('/api/auth/password-reset/complete', { token, password: NEW_PASSWORD });
    expect(done.statusCode).toBe(204);
    // Resetting does not sign anyone in, and every existing session is gone.
    expect(done.headers['set-cookie']).toBeUndefined();
    expect(await sessionCount(user.id)).toBe(0);
    expect((await phone.get('/api/session')).json()).toMatchObject({ stage: 'signed_out' });
    expect((await laptop.get('/api/session')).json()).toMatchObject({ stage: 'signed_out' });

    // The link works once.
    const hashAfter = (await userRow(user.id)).passwordHash;
    const auditAfter = await auditCount();
    expect((await t.client().get(`/api/auth/password-reset/${token}`)).json()).toEqual({ valid: false });
    const again = await t
      .client()
      .post('/api/auth/password-reset/complete', { token, password: 'yet another long password' });
    expect(again.statusCode).toBe(404);
    expect((await userRow(user.id)).passwordHash).toBe(hashAfter);
    expect(await auditCount()).toBe(auditAfter);

    const old = await t.client().post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
    expect(old.statusCode).toBe(401);
    await signedIn(user.email, NEW_PASSWORD);

    expect(await auditFor(user.id)).toEqual(
      expect.arrayContaining(['users.password_reset_request', 'users.password_reset']),
    );
    const events = await db().select().from(auditEvents);
    expect(JSON.stringify(events)).not.toContain(token);
    expect(JSON.stringify(events)).not.toContain(hashToken(token));
    expect(t.logs.join('\n')).not.toContain(token);
  });

  it('answers an unknown or disabled e-mail exactly the same, and sends nothing', async () => {
    const known = await buildUser(db());
    const disabled = await buildUser(db(), { disabledAt: new Date() });
    const knownRes = await requestReset(known.email);
    await t.app.services.mailer.deliverPending();
    await smtp.waitFor((m) => m.to.includes(known.email));

    const tokensBefore = (await db().select().from(oneTimeTokens)).length;
    const outboxBefore = (await db().select().from(mailOutbox)).length;
    const auditBefore = await auditCount();
    const mailsBefore = smtp.messages.length;
    const unknownRes = await requestReset('nobody-here@example.ac.uk');
    const disabledRes = await requestReset(disabled.email);
    await t.app.services.mailer.deliverPending();
    for (const res of [unknownRes, disabledRes]) {
      expect(res.statusCode).toBe(knownRes.statusCode);
      expect(res.body).toBe(knownRes.body);
      expect(res.headers['content-type']).toBe(knownRes.headers['content-type']);
    }
    expect(smtp.messages.length).toBe(mailsBefore);
    expect((await db().select().from(oneTimeTokens)).length).toBe(tokensBefore);
    expect((await db().select().from(mailOutbox)).length).toBe(outboxBefore);
    expect(await auditCount()).toBe(auditBefore);
  });

  it('password-reset timing cannot tell who has an account: the request does the same database work for both', async () => {
    const known = await buildUser(db());
    // Every statement the database runs while each request is answered (PGlite: the one connection).
    const pglite = t.database.pglite;
    const recorded: string[] = [];
    const restore: (() => void)[] = [];
    if (pglite) {
      for (const method of ['query', 'exec', 'transaction'] as const) {
        const original = pglite[method].bind(pglite) as (...args: unknown[]) => unknown;
        (pglite as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          recorded.push(method === 'transaction' ? 'begin' : String(args[0]));
          return original(...args);
        };
        restore.push(() => {
          (pglite as unknown as Record<string, unknown>)[method] = original;
        });
      }
    }
    const snapshot = async () => ({
      tokens: (await db().select().from(oneTimeTokens)).length,
      outbox: (await db().select().from(mailOutbox)).length,
      audit: await auditCount(),
      queued: await queuedResets(),
    });
    const answer = async (email: string) => {
      await resetsHandled();
      const before = await snapshot();
      recorded.length = 0;
      const res = await t.client().post('/api/auth/password-reset/request', { email });
      const statements = [...recorded];
      const after = await snapshot();
      return {
        res,
        statements,
        change: {
          ...after,
          audit: after.audit - before.audit,
          tokens: after.tokens - before.tokens,
          outbox: after.outbox - before.outbox,
        },
      };
    };
    try {
      const forKnown = await answer(known.email);
      const forUnknown = await answer('no-account-here@example.ac.uk');
      expect(forKnown.res.statusCode).toBe(202);
      expect(forUnknown.res.body).toBe(forKnown.res.body);
      // Answered before any account-dependent work: one queued row each, nothing else yet.
      expect(forKnown.change).toEqual({ tokens: 0, outbox: 0, audit: 0, queued: 1 });
      expect(forUnknown.change).toEqual(forKnown.change);
      if (pglite) {
        expect(forKnown.statements.length).toBeGreaterThan(0);
        expect(forUnknown.statements).toEqual(forKnown.statements);
      }
    } finally {
      for (const undo of restore) undo();
    }
    // Afterwards, in the background, only the account holder gets a link.
    await resetsHandled();
    const mail = await smtp.waitFor((m) => m.to.includes(known.email));
    expect(mail.subject).toBe('Reset your Upstander password');
    expect(smtp.messages.some((m) => m.to.includes('no-account-here@example.ac.uk'))).toBe(false);
  });

  it('keeps only the newest link working', async () => {
    const user = await buildUser(db());
    await requestReset(user.email);
    await t.app.services.mailer.deliverPending();
    const first = linkIn((await smtp.waitFor((m) => m.to.includes(user.email))).text).token;
    await requestReset(user.email);
    await t.app.services.mailer.deliverPending();
    const second = linkIn(
      (await smtp.waitFor((m) => m.to.includes(user.email) && !m.text.includes(first))).text,
    ).token;
    expect(second).not.toBe(first);
    expect((await t.client().get(`/api/auth/password-reset/${first}`)).json()).toEqual({ valid: false });
    expect((await t.client().get(`/api/auth/password-reset/${second}`)).json()).toEqual({ valid: true });
  });

  it('refuses an expired link and writes nothing', async () => {
    const user = await buildUser(db());
    const c = await signedIn(user.email);
    const token = randomToken(32);
    await db()
      .insert(oneTimeTokens)
      .values({
        purpose: 'password_reset',
        tokenHash: hashToken(token),
        userId: user.id,
        email: user.email,
        expiresAt: new Date(Date.now() - 1000),
      });
    const hashBefore = (await userRow(user.id)).passwordHash;
    const auditBefore = await auditCount();
    expect((await t.client().get(`/api/auth/password-reset/${token}`)).json()).toEqual({ valid: false });
    const res = await t.client().post('/api/auth/password-reset/complete', { token, password: NEW_PASSWORD });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await userRow(user.id)).passwordHash).toBe(hashBefore);
    expect(await sessionCount(user.id)).toBe(1);
    expect((await c.get('/api/session')).json()).toMatchObject({ stage: 'signed_in' });
    const [row] = await db()
      .select()
      .from(oneTimeTokens)
      .where(eq(oneTimeTokens.tokenHash, hashToken(token)));
    expect(row!.usedAt).toBeNull();
    expect(await auditCount()).toBe(auditBefore);
  });

  it('refuses a link of another kind, a malformed one, and a weak new password', async () => {
    const user = await buildUser(db());
    const invitation = randomToken(32);
    await db()
      .insert(oneTimeTokens)
      .values({
        purpose: 'invitation',
        tokenHash: hashToken(invitation),
        email: user.email,
        expiresAt: new Date(Date.now() + 3_600_000),
      });
    const hashBefore = (await userRow(user.id)).passwordHash;
    const c = t.client();
    const wrongKind = await c.post('/api/auth/password-reset/complete', {
      token: invitation,
      password: NEW_PASSWORD,
    });
    const malformed = await c.post('/api/auth/password-reset/complete', {
      token: 'short',
      password: NEW_PASSWORD,
    });
    const weak = await c.post('/api/auth/password-reset/complete', { token: invitation, password: 'short' });
    expect([wrongKind.statusCode, malformed.statusCode, weak.statusCode]).toEqual([404, 400, 400]);
    expect(weak.json().error.fields[0].path).toBe('password');
    expect((await c.get('/api/auth/password-reset/short')).statusCode).toBe(400);
    expect((await userRow(user.id)).passwordHash).toBe(hashBefore);
    const [row] = await db()
      .select()
      .from(oneTimeTokens)
      .where(eq(oneTimeTokens.tokenHash, hashToken(invitation)));
    expect(row!.usedAt).toBeNull();
  });

  it('still asks for the TOTP code after a reset', async () => {
    const user = await buildUser(db(), { totpMasterKey: t.app.services.masterKey });
    await requestReset(user.email);
    await t.app.services.mailer.deliverPending();
    const { token } = linkIn((await smtp.waitFor((m) => m.to.includes(user.email))).text);
    const done = await t
      .client()
      .post('/api/auth/password-reset/complete', { token, password: NEW_PASSWORD });
    expect(done.statusCode).toBe(204);
    const c = t.client();
    const res = await c.post('/api/auth/sign-in', { email: user.email, password: NEW_PASSWORD });
    expect(res.json()).toMatchObject({ stage: 'second_factor' });
    const code = await c.post('/api/auth/second-factor', { code: totpNow(user.totpSecret!) });
    expect(code.json()).toMatchObject({ stage: 'signed_in' });
  });

  it('limits how often one client may ask for links', async () => {
    const c = t.client();
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      codes.push((await c.post('/api/auth/password-reset/request', { email: 'x@example.ac.uk' })).statusCode);
    }
    expect(codes).toEqual([202, 202, 202, 202, 202, 429]);
  });
});
