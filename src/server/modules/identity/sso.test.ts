import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEvents,
  identityProviders,
  sessions,
  ssoIdentities,
  ssoStates,
  users,
} from '../../../db/schema';
import { hashToken, unseal } from '../../platform/crypto';
import { SESSION_COOKIE } from '../../platform/sessions';
import { createTestApp, type TestApp, type TestClient } from '../../test/app';
import { addMember, buildInstitution, buildNetwork, buildUser, TEST_PASSWORD } from '../../test/factories';
import { startTestOidcProvider, type TestOidcProvider } from '../../test/oidc';
import { totpNow } from './credentials';
import { SSO_STATE_COOKIE } from './sso.routes';

let t: TestApp;
let op: TestOidcProvider;
let admin: TestClient;
let institution: { id: string; name: string };
/** Links to existing accounts only. */
let providerId: string;
/** Creates accounts on first sign-in. */
let autoProviderId: string;

const db = () => t.database.db;
const unique = () => Math.random().toString(36).slice(2, 10);

beforeAll(async () => {
  t = await createTestApp();
  op = await startTestOidcProvider({ redirectUris: [`${t.config.publicUrl}/api/auth/sso/callback`] });
  institution = await buildInstitution(db(), { name: 'University of Leicester' });
  const adminUser = await buildUser(db(), { isAdmin: true, totpMasterKey: t.app.services.masterKey });
  admin = t.client();
  await admin.post('/api/auth/sign-in', { email: adminUser.email, password: TEST_PASSWORD });
  const done = await admin.post('/api/auth/second-factor', { code: totpNow(adminUser.totpSecret!) });
  expect(done.json()).toMatchObject({ stage: 'signed_in' });
  providerId = (await createProvider({ name: 'Leicester sign-in' })).id;
  autoProviderId = (await createProvider({ name: 'Leicester (new accounts)', autoCreateAccounts: true })).id;
});
afterAll(async () => {
  await t.close();
  await op.close();
});

async function createProvider(overrides: Record<string, unknown> = {}) {
  const res = await admin.post('/api/admin/identity-providers', {
    institutionId: institution.id,
    name: 'Provider',
    issuer: op.issuer,
    clientId: op.clientId,
    clientSecret: op.clientSecret,
    emailDomains: 'student.le.ac.uk, le.ac.uk',
    ...overrides,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string };
}

/** GET /start: the redirect to the IdP and the state cookie bound to this browser. */
async function start(c: TestClient, id = providerId) {
  const res = await c.get(`/api/auth/sso/${id}/start`);
  expect(res.statusCode, res.body).toBe(302);
  const stateCookie = res.cookies.find((x) => x.name === SSO_STATE_COOKIE);
  expect(stateCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/api/auth/sso/' });
  return { location: String(res.headers.location), state: stateCookie!.value };
}

/** The browser arriving back at our callback, with whatever cookies it holds. */
async function callback(c: TestClient, url: string, state: string | null) {
  const target = new URL(url);
  expect(`${target.origin}${target.pathname}`).toBe(`${t.config.publicUrl}/api/auth/sso/callback`);
  const cookies = [
    ...(c.cookie ? [`${SESSION_COOKIE}=${c.cookie}`] : []),
    ...(state !== null ? [`${SSO_STATE_COOKIE}=${state}`] : []),
  ];
  const res = await t.app.inject({
    method: 'GET',
    url: target.pathname + target.search,
    headers: cookies.length ? { cookie: cookies.join('; ') } : {},
    remoteAddress: c.remoteAddress,
  });
  const session = res.cookies.find((x) => x.name === SESSION_COOKIE);
  if (session?.value) c.cookie = session.value;
  return res;
}

/** The whole journey: start → the IdP's sign-in page → callback. */
async function ssoSignIn(c: TestClient, login: string, id = providerId) {
  const { location, state } = await start(c, id);
  const back = await op.signIn(location, login);
  return { res: await callback(c, back, state), back, state };
}

let schoolNetworkId: string;
/** An account of the provider's institution (a member of one of its networks), with a university address. */
async function schoolUser(overrides: Parameters<typeof buildUser>[1] = {}) {
  schoolNetworkId ??= (await buildNetwork(db(), institution.id)).id;
  const user = await buildUser(db(), { email: `person-${unique()}@student.le.ac.uk`, ...overrides });
  await addMember(db(), { userId: user.id, networkId: schoolNetworkId, kind: 'student', yearOfStudy: 3 });
  return user;
}

const stageOf = async (c: TestClient) => ((await c.get('/api/session')).json() as { stage: string }).stage;
const count = async (table: typeof users | typeof ssoIdentities | typeof sessions | typeof auditEvents) =>
  (await db().select().from(table)).length;

function newAccount(overrides: { email?: string; name?: string; emailVerified?: boolean } = {}) {
  const sub = `sub-${unique()}`;
  const account = {
    sub,
    email: overrides.email ?? `${sub}@student.le.ac.uk`,
    name: overrides.name ?? 'Test Person',
    ...(overrides.emailVerified !== undefined ? { emailVerified: overrides.emailVerified } : {}),
  };
  op.addAccount(account);
  return account;
}

describe('identity provider administration', () => {
  it('keeps the client secret sealed and never shows it', async () => {
    const secret = `super-secret-${unique()}`;
    const res = await admin.post('/api/admin/identity-providers', {
      institutionId: institution.id,
      name: 'Secret test',
      issuer: 'https://login.example.ac.uk',
      clientId: 'client-1',
      clientSecret: secret,
      emailDomains: '@LE.ac.uk, student.le.ac.uk, le.ac.uk',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: expect.any(String),
      institutionId: institution.id,
      name: 'Secret test',
      issuer: 'https://login.example.ac.uk',
      clientId: 'client-1',
      autoCreateAccounts: false,
      emailDomains: ['le.ac.uk', 'student.le.ac.uk'],
    });
    const id = res.json().id as string;
    const [row] = await db().select().from(identityProviders).where(eq(identityProviders.id, id));
    expect(row!.clientSecretSealed).not.toContain(secret);
    expect(unseal(t.app.services.masterKey, 'idp-client-secret', row!.clientSecretSealed)).toBe(secret);
    const list = await admin.get('/api/admin/identity-providers');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(secret);
    expect(list.body).not.toContain(row!.clientSecretSealed);
    expect(list.json()).toEqual(
      expect.arrayContaining([expect.objectContaining({ id, name: 'Secret test' })]),
    );
    const events = await db().select().from(auditEvents).where(eq(auditEvents.subjectId, id));
    expect(events.map((e) => e.action)).toEqual(['identity_providers.create']);
    expect(JSON.stringify(events)).not.toContain(secret);

    const removed = await admin.delete(`/api/admin/identity-providers/${id}`);
    expect(removed.statusCode).toBe(204);
    expect(await db().select().from(identityProviders).where(eq(identityProviders.id, id))).toHaveLength(0);
    const after = await db().select().from(auditEvents).where(eq(auditEvents.subjectId, id));
    expect(after.map((e) => e.action)).toEqual(['identity_providers.create', 'identity_providers.delete']);
    expect((await admin.delete(`/api/admin/identity-providers/${id}`)).statusCode).toBe(404);
  });

  it('refuses bad settings and non-admins, writing nothing', async () => {
    const before = await db().select().from(identityProviders);
    const auditBefore = await count(auditEvents);
    const base = {
      institutionId: institution.id,
      name: 'Bad',
      issuer: 'https://login.example.ac.uk',
      clientId: 'c',
      clientSecret: 's',
      emailDomains: 'le.ac.uk',
    };
    const plainHttp = await admin.post('/api/admin/identity-providers', {
      ...base,
      issuer: 'http://login.example.ac.uk',
    });
    expect(plainHttp.statusCode).toBe(400);
    expect(plainHttp.json().error.fields[0].path).toBe('issuer');
    const noInstitution = await admin.post('/api/admin/identity-providers', {
      ...base,
      institutionId: '00000000-0000-4000-8000-000000000000',
    });
    expect(noInstitution.statusCode).toBe(400);
    expect(noInstitution.json().error.fields[0].path).toBe('institutionId');
    const extra = await admin.post('/api/admin/identity-providers', { ...base, clientSecretSealed: 'x' });
    expect(extra.statusCode).toBe(400);

    const member = await buildUser(db());
    const c = t.client();
    await c.post('/api/auth/sign-in', { email: member.email, password: TEST_PASSWORD });
    expect((await c.post('/api/admin/identity-providers', base)).statusCode).toBe(403);
    expect((await c.get('/api/admin/identity-providers')).statusCode).toBe(403);
    expect((await c.delete(`/api/admin/identity-providers/${providerId}`)).statusCode).toBe(403);
    expect((await t.client().get('/api/admin/identity-providers')).statusCode).toBe(401);

    expect(await db().select().from(identityProviders)).toEqual(before);
    expect(await count(auditEvents)).toBe(auditBefore);
  });

  it('lists the sign-in options publicly, without settings', async () => {
    const res = await t.client().get('/api/auth/sso/providers');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(
      expect.arrayContaining([
        { id: providerId, name: 'Leicester sign-in', institutionName: 'University of Leicester' },
      ]),
    );
    expect(res.body).not.toContain(op.clientId);
    expect(res.body).not.toContain(op.issuer);
  });
});

describe('single sign-on', () => {
  it('sends people to the IdP with PKCE, state and nonce', async () => {
    const { location, state } = await start(t.client());
    const url = new URL(location);
    expect(url.origin).toBe(op.issuer);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: op.clientId,
      response_type: 'code',
      redirect_uri: `${t.config.publicUrl}/api/auth/sso/callback`,
      scope: 'openid email profile',
      state,
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      nonce: expect.any(String),
    });
    // Only a hash of the state is kept.
    const rows = await db().select().from(ssoStates);
    expect(rows.some((r) => r.stateHash === state)).toBe(false);
    expect(rows.some((r) => r.codeVerifier === url.searchParams.get('code_challenge'))).toBe(false);
  });

  it('answers an unknown provider with 404 and a malformed id with 400', async () => {
    const unknown = await t.client().get('/api/auth/sso/00000000-0000-4000-8000-000000000000/start');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await t.client().get('/api/auth/sso/not-a-uuid/start')).statusCode).toBe(400);
  });

  it('signs in an existing account by its verified e-mail, links it, and uses the link next time', async () => {
    const user = await schoolUser({ email: `amara-${unique()}@student.le.ac.uk` });
    const account = newAccount({ email: user.email.toUpperCase() });
    const c = t.client();
    const { res, back, state } = await ssoSignIn(c, account.email);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/');
    const session = res.cookies.find((x) => x.name === SESSION_COOKIE);
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    // The state cookie is cleared at the callback.
    expect(res.cookies.find((x) => x.name === SSO_STATE_COOKIE)?.value).toBe('');
    expect((await c.get('/api/session')).json()).toMatchObject({
      stage: 'signed_in',
      user: { id: user.id, email: user.email },
    });
    const [dbSession] = await db().select().from(sessions).where(eq(sessions.userId, user.id));
    expect(dbSession!.authMethod).toBe('sso');
    const links = await db().select().from(ssoIdentities).where(eq(ssoIdentities.userId, user.id));
    expect(links).toEqual([expect.objectContaining({ providerId, subject: account.sub })]);
    const actions = async () =>
      (await db().select().from(auditEvents).where(eq(auditEvents.subjectId, user.id))).map((e) => e.action);
    expect(await actions()).toEqual(['sso_identities.link', 'users.sso_sign_in']);
    // Nothing from the URL reaches the logs.
    const code = new URL(back).searchParams.get('code')!;
    expect(code).toBeTruthy();
    expect(t.logs.join('\n')).not.toContain(code);
    expect(t.logs.join('\n')).not.toContain(state);

    // The IdP now reports another address: the link, not the e-mail, finds the account.
    op.addAccount({ ...account, email: `renamed-${unique()}@student.le.ac.uk` });
    const again = t.client();
    const second = await ssoSignIn(again, account.sub);
    expect(second.res.headers.location).toBe('/');
    expect((await again.get('/api/session')).json()).toMatchObject({
      stage: 'signed_in',
      user: { id: user.id },
    });
    expect(await db().select().from(ssoIdentities).where(eq(ssoIdentities.userId, user.id))).toHaveLength(1);
    expect(await actions()).toEqual(['sso_identities.link', 'users.sso_sign_in', 'users.sso_sign_in']);
    expect((await db().select().from(users).where(eq(users.id, user.id)))[0]!.email).toBe(user.email);
  });

  it('refuses an unknown e-mail when the provider does not create accounts', async () => {
    const account = newAccount();
    const usersBefore = await count(users);
    const linksBefore = await count(ssoIdentities);
    const sessionsBefore = await count(sessions);
    const auditBefore = await count(auditEvents);
    const c = t.client();
    const { res, state } = await ssoSignIn(c, account.email);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/sign-in?sso_error=no_account');
    expect(res.cookies.find((x) => x.name === SESSION_COOKIE)).toBeUndefined();
    expect(await stageOf(c)).toBe('signed_out');
    expect(await count(users)).toBe(usersBefore);
    expect(await count(ssoIdentities)).toBe(linksBefore);
    expect(await count(sessions)).toBe(sessionsBefore);
    expect(await count(auditEvents)).toBe(auditBefore);
    expect(t.logs.some((l) => l.includes('"ssoError":"no_account"'))).toBe(true);
    expect(t.logs.join('\n')).not.toContain(state);
  });

  it('creates the account on first sign-in when the provider allows it', async () => {
    const account = newAccount({ email: `New.Student-${unique()}@Student.le.ac.uk`, name: 'Kwame Mensah' });
    const c = t.client();
    const { res } = await ssoSignIn(c, account.email, autoProviderId);
    expect(res.headers.location).toBe('/');
    const [created] = await db().select().from(users).where(eq(users.email, account.email.toLowerCase()));
    expect(created).toMatchObject({ name: 'Kwame Mensah', passwordHash: null, isAdmin: false });
    expect((await c.get('/api/session')).json()).toMatchObject({
      stage: 'signed_in',
      user: { id: created!.id, name: 'Kwame Mensah' },
    });
    expect(
      await db()
        .select()
        .from(ssoIdentities)
        .where(and(eq(ssoIdentities.providerId, autoProviderId), eq(ssoIdentities.subject, account.sub))),
    ).toEqual([expect.objectContaining({ userId: created!.id })]);
    const actions = (await db().select().from(auditEvents).where(eq(auditEvents.subjectId, created!.id))).map(
      (e) => e.action,
    );
    expect(actions).toEqual(['users.create', 'sso_identities.link', 'users.sso_sign_in']);
    expect((await c.get('/api/profile')).json()).toMatchObject({ hasPassword: false });
  });

  it('refuses an e-mail the IdP has not verified, even for an existing account', async () => {
    const user = await schoolUser();
    const account = newAccount({ email: user.email, emailVerified: false });
    const linksBefore = await count(ssoIdentities);
    const usersBefore = await count(users);
    for (const id of [providerId, autoProviderId]) {
      const c = t.client();
      const { res } = await ssoSignIn(c, account.sub, id);
      expect(res.headers.location).toBe('/sign-in?sso_error=email_unverified');
      expect(await stageOf(c)).toBe('signed_out');
    }
    expect(await count(ssoIdentities)).toBe(linksBefore);
    expect(await count(users)).toBe(usersBefore);
    expect(await db().select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
  });

  it('works once per state: a replayed callback is refused', async () => {
    const user = await schoolUser();
    const account = newAccount({ email: user.email });
    const c = t.client();
    const { res, back, state } = await ssoSignIn(c, account.email);
    expect(res.headers.location).toBe('/');
    const sessionsBefore = await count(sessions);
    const auditBefore = await count(auditEvents);
    const replay = t.client();
    const replayed = await callback(replay, back, state);
    expect(replayed.statusCode).toBe(302);
    expect(replayed.headers.location).toBe('/sign-in?sso_error=bad_state');
    expect(replayed.cookies.find((x) => x.name === SESSION_COOKIE)).toBeUndefined();
    expect(await stageOf(replay)).toBe('signed_out');
    expect(await count(sessions)).toBe(sessionsBefore);
    expect(await count(auditEvents)).toBe(auditBefore);
  });

  it('refuses a callback in a browser that did not start the sign-in, and burns that state', async () => {
    const user = await schoolUser();
    const account = newAccount({ email: user.email });
    const attacker = t.client();
    const { location, state } = await start(attacker);
    const back = await op.signIn(location, account.email);
    // The link is sent to someone else's browser, which has no state cookie (login CSRF).
    const victim = t.client();
    const res = await callback(victim, back, null);
    expect(res.headers.location).toBe('/sign-in?sso_error=bad_state');
    expect(await stageOf(victim)).toBe('signed_out');
    const wrongCookie = await callback(t.client(), back, 'some-other-state-value');
    expect(wrongCookie.headers.location).toBe('/sign-in?sso_error=bad_state');
    // And the state cannot be used afterwards by the browser that started it either.
    const late = await callback(attacker, back, state);
    expect(late.headers.location).toBe('/sign-in?sso_error=bad_state');
    expect(await db().select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    expect(await db().select().from(ssoIdentities).where(eq(ssoIdentities.userId, user.id))).toHaveLength(0);
  });

  it('refuses a tampered code, and reports a cancelled sign-in', async () => {
    const user = await schoolUser();
    const account = newAccount({ email: user.email });
    const c = t.client();
    const { location, state } = await start(c);
    const back = new URL(await op.signIn(location, account.email));
    back.searchParams.set('code', `${back.searchParams.get('code')}x`);
    const tampered = await callback(c, back.href, state);
    expect(tampered.headers.location).toBe('/sign-in?sso_error=token_error');

    const d = t.client();
    const second = await start(d);
    const cancelled = await callback(d, await op.cancel(second.location), second.state);
    expect(cancelled.headers.location).toBe('/sign-in?sso_error=cancelled');
    expect(await db().select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    expect(await db().select().from(ssoIdentities).where(eq(ssoIdentities.userId, user.id))).toHaveLength(0);
    expect(t.logs.some((l) => l.includes('"ssoError":"token_error"'))).toBe(true);
    expect(t.logs.join('\n')).not.toContain(back.searchParams.get('code')!);
  });

  it('refuses an expired state, removing it', async () => {
    const state = `expired-${unique()}-state-value`;
    await db()
      .insert(ssoStates)
      .values({
        stateHash: hashToken(state),
        providerId,
        codeVerifier: 'v'.repeat(43),
        nonce: 'n'.repeat(22),
        expiresAt: new Date(Date.now() - 1000),
      });
    const res = await callback(
      t.client(),
      `${t.config.publicUrl}/api/auth/sso/callback?code=whatever&state=${state}`,
      state,
    );
    expect(res.headers.location).toBe('/sign-in?sso_error=bad_state');
    expect(
      await db()
        .select()
        .from(ssoStates)
        .where(eq(ssoStates.stateHash, hashToken(state))),
    ).toHaveLength(0);
  });

  it('sends people back with a message when the IdP cannot be reached', async () => {
    const { id } = await createProvider({ name: 'Offline', issuer: 'http://127.0.0.1:1' });
    const statesBefore = await db().select().from(ssoStates);
    const res = await t.client().get(`/api/auth/sso/${id}/start`);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/sign-in?sso_error=provider_unavailable');
    expect(res.cookies.find((x) => x.name === SSO_STATE_COOKIE)).toBeUndefined();
    expect(await db().select().from(ssoStates)).toEqual(statesBefore);
  });

  it('still asks for the TOTP code of an account that has it', async () => {
    const user = await schoolUser({ totpMasterKey: t.app.services.masterKey });
    const account = newAccount({ email: user.email });
    const c = t.client();
    const { res } = await ssoSignIn(c, account.email);
    expect(res.headers.location).toBe('/');
    expect((await c.get('/api/session')).json()).toMatchObject({
      stage: 'second_factor',
      user: { id: user.id },
    });
    expect((await c.get('/api/profile')).statusCode).toBe(401);
    const done = await c.post('/api/auth/second-factor', { code: totpNow(user.totpSecret!) });
    expect(done.json()).toMatchObject({ stage: 'signed_in' });
  });

  it('refuses a disabled account', async () => {
    const user = await schoolUser({ disabledAt: new Date() });
    const account = newAccount({ email: user.email });
    const c = t.client();
    const { res } = await ssoSignIn(c, account.email);
    expect(res.headers.location).toBe('/sign-in?sso_error=account_disabled');
    expect(await db().select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    expect(await db().select().from(ssoIdentities).where(eq(ssoIdentities.userId, user.id))).toHaveLength(0);
  });

  it('a provider added for school B cannot sign in as a school A user with the same e-mail', async () => {
    // School A's person, with an address in a domain school B's provider also claims.
    const schoolA = await buildInstitution(db(), { name: 'School A' });
    const networkA = await buildNetwork(db(), schoolA.id);
    const victim = await buildUser(db(), { email: `victim-${unique()}@le.ac.uk` });
    await addMember(db(), { userId: victim.id, networkId: networkA.id, kind: 'staff' });
    // School B's (hostile or careless) provider asserts the victim's verified e-mail.
    const account = newAccount({ email: victim.email });
    const auditBefore = await count(auditEvents);
    const c = t.client();
    const { res } = await ssoSignIn(c, account.email);
    expect(res.headers.location).toBe('/sign-in?sso_error=account_elsewhere');
    expect(res.cookies.find((x) => x.name === SESSION_COOKIE)).toBeUndefined();
    expect(await stageOf(c)).toBe('signed_out');
    expect(await db().select().from(sessions).where(eq(sessions.userId, victim.id))).toHaveLength(0);
    expect(await db().select().from(ssoIdentities).where(eq(ssoIdentities.userId, victim.id))).toHaveLength(
      0,
    );
    // The attempt is audited (outside the refused sign-in's transaction).
    const events = await db().select().from(auditEvents).where(eq(auditEvents.action, 'sso.refused'));
    expect(await count(auditEvents)).toBe(auditBefore + 1);
    expect(events.at(-1)).toMatchObject({
      subjectType: 'identity_provider',
      subjectId: providerId,
      data: { reason: 'account_elsewhere', targetUserId: victim.id },
    });
  });

  it('a provider cannot vouch for an address outside its e-mail domains, nor create an account with one', async () => {
    const outsider = await schoolUser({ email: `admin-${unique()}@other-school.ac.uk` });
    const existing = newAccount({ email: outsider.email });
    const first = await ssoSignIn(t.client(), existing.email);
    expect(first.res.headers.location).toBe('/sign-in?sso_error=email_domain');
    expect(await db().select().from(ssoIdentities).where(eq(ssoIdentities.userId, outsider.id))).toHaveLength(
      0,
    );

    const stranger = newAccount({ email: `new-${unique()}@other-school.ac.uk` });
    const usersBefore = await count(users);
    const second = await ssoSignIn(t.client(), stranger.email, autoProviderId);
    expect(second.res.headers.location).toBe('/sign-in?sso_error=email_domain');
    expect(await count(users)).toBe(usersBefore);
    const refused = await db().select().from(auditEvents).where(eq(auditEvents.action, 'sso.refused'));
    expect(refused.slice(-2).map((e) => (e.data as { reason: string }).reason)).toEqual([
      'email_domain',
      'email_domain',
    ]);
  });

  it('a provider needs its e-mail domains', async () => {
    const res = await admin.post('/api/admin/identity-providers', {
      institutionId: institution.id,
      name: 'No domains',
      issuer: op.issuer,
      clientId: op.clientId,
      clientSecret: op.clientSecret,
      emailDomains: '',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toEqual([expect.objectContaining({ path: 'emailDomains' })]);
    const bad = await admin.post('/api/admin/identity-providers', {
      institutionId: institution.id,
      name: 'Bad domains',
      issuer: op.issuer,
      clientId: op.clientId,
      clientSecret: op.clientSecret,
      emailDomains: 'le.ac.uk, not a domain',
    });
    expect(bad.statusCode).toBe(400);
  });

  it('an admin changes a provider’s e-mail domains, audited, and new links follow the new list', async () => {
    const { id } = await createProvider({ name: 'Domains later', emailDomains: 'le.ac.uk' });
    const user = await schoolUser({ email: `later-${unique()}@medschool.le.ac.uk` });
    const account = newAccount({ email: user.email });
    expect((await ssoSignIn(t.client(), account.email, id)).res.headers.location).toBe(
      '/sign-in?sso_error=email_domain',
    );
    const changed = await admin.patch(`/api/admin/identity-providers/${id}`, {
      emailDomains: 'le.ac.uk, medschool.le.ac.uk',
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ emailDomains: ['le.ac.uk', 'medschool.le.ac.uk'] });
    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, id), eq(auditEvents.action, 'identity_providers.update')));
    expect(event!.data).toEqual({
      before: { emailDomains: ['le.ac.uk'] },
      after: { emailDomains: ['le.ac.uk', 'medschool.le.ac.uk'] },
    });
    expect((await ssoSignIn(t.client(), account.email, id)).res.headers.location).toBe('/');
    expect((await admin.patch(`/api/admin/identity-providers/${id}`, { emailDomains: 'x' })).statusCode).toBe(
      400,
    );
  });

  it('stops sign-ins through a deleted provider and drops its links', async () => {
    const { id } = await createProvider({ name: 'Short-lived' });
    const user = await schoolUser();
    const account = newAccount({ email: user.email });
    // Link through this provider, and leave one sign-in half-way.
    const linked = await ssoSignIn(t.client(), account.email, id);
    expect(linked.res.headers.location).toBe('/');
    const c = t.client();
    const pending = await start(c, id);
    const back = await op.signIn(pending.location, account.email);

    expect((await admin.delete(`/api/admin/identity-providers/${id}`)).statusCode).toBe(204);
    expect(await db().select().from(ssoIdentities).where(eq(ssoIdentities.providerId, id))).toHaveLength(0);
    const res = await callback(c, back, pending.state);
    expect(res.headers.location).toBe('/sign-in?sso_error=bad_state');
    expect((await t.client().get(`/api/auth/sso/${id}/start`)).statusCode).toBe(404);
  });
});
