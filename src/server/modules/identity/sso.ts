import { and, asc, eq, lt, sql } from 'drizzle-orm';
import * as oidc from 'openid-client';
import type { z } from 'zod';
import { type Db, queryRows } from '../../../db/client';
import {
  identityProviders,
  institutionRoles,
  institutions,
  memberships,
  networks,
  ssoIdentities,
  ssoStates,
  users,
} from '../../../db/schema';
import { Email, Limits, type SsoProviderCreateSchema } from '../../../shared/identity/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { hashToken, seal, timingSafeEqualStrings, unseal } from '../../platform/crypto';
import { invalid, notFound } from '../../platform/errors';
import type { Services } from '../../platform/services';

/** The purpose an IdP client secret is sealed under. */
const SECRET_PURPOSE = 'idp-client-secret';
/** How long a person has between leaving for the IdP and coming back. */
const STATE_TTL_MS = 10 * 60 * 1000;
/** Discovery documents and keys are re-read this often (and whenever a provider changes). */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;
export const SSO_SCOPE = 'openid email profile';

/** Why an SSO sign-in did not happen; shown to the web app as `/sign-in?sso_error=<code>`. */
export type SsoFailureCode =
  | 'bad_state'
  | 'cancelled'
  | 'idp_error'
  | 'provider_unavailable'
  | 'token_error'
  | 'email_unverified'
  | 'no_account'
  | 'account_disabled'
  | 'account_conflict'
  /** The identity's e-mail is outside the provider's domains. */
  | 'email_domain'
  /** The account with that e-mail does not belong to the provider's institution. */
  | 'account_elsewhere'
  | 'failed';

export class SsoFailure extends Error {
  constructor(
    readonly code: SsoFailureCode,
    /** For the log: never a token, code or state. */
    readonly reason: string,
    /** For the audit log: an attempt to use an identity beyond what its provider may vouch for. */
    readonly refused?: { providerId: string; userId: string | null },
  ) {
    super(reason);
  }
}

type ProviderRow = typeof identityProviders.$inferSelect;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Plain http is allowed for an issuer on this machine only (development and tests). */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

// ---- administration ---------------------------------------------------------------------------------

export async function listProvidersPublic(db: Db) {
  return db
    .select({ id: identityProviders.id, name: identityProviders.name, institutionName: institutions.name })
    .from(identityProviders)
    .innerJoin(institutions, eq(institutions.id, identityProviders.institutionId))
    .orderBy(asc(institutions.name), asc(identityProviders.name));
}

const adminColumns = {
  id: identityProviders.id,
  institutionId: identityProviders.institutionId,
  name: identityProviders.name,
  issuer: identityProviders.issuer,
  clientId: identityProviders.clientId,
  autoCreateAccounts: identityProviders.autoCreateAccounts,
  emailDomains: identityProviders.emailDomains,
};

/** Providers as admins see them: never the client secret. */
export async function listProvidersAdmin(db: Db) {
  return db.select(adminColumns).from(identityProviders).orderBy(asc(identityProviders.name));
}

export async function createProvider(
  db: Db,
  masterKey: Buffer,
  actor: Actor,
  input: z.output<typeof SsoProviderCreateSchema>,
) {
  const issuer = new URL(input.issuer);
  if (issuer.protocol !== 'https:' && !isLoopbackHttp(issuer)) {
    throw invalid('The issuer must use https.', [
      { path: 'issuer', message: 'Use an https:// address (plain http only works for this machine).' },
    ]);
  }
  if (issuer.search || issuer.hash || issuer.username || issuer.password) {
    throw invalid('The issuer must be a plain address.', [
      { path: 'issuer', message: 'Leave out any query, fragment or credentials.' },
    ]);
  }
  return db.transaction(async (tx) => {
    const [institution] = await tx
      .select({ id: institutions.id })
      .from(institutions)
      .where(eq(institutions.id, input.institutionId));
    if (!institution) {
      throw invalid('That institution does not exist.', [
        { path: 'institutionId', message: 'Choose an existing institution.' },
      ]);
    }
    const [row] = await tx
      .insert(identityProviders)
      .values({
        institutionId: input.institutionId,
        name: input.name,
        issuer: input.issuer,
        clientId: input.clientId,
        clientSecretSealed: seal(masterKey, SECRET_PURPOSE, input.clientSecret),
        autoCreateAccounts: input.autoCreateAccounts,
        emailDomains: input.emailDomains,
      })
      .returning(adminColumns);
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'identity_providers.create',
      subjectType: 'identity_provider',
      subjectId: row!.id,
      data: {
        institutionId: input.institutionId,
        name: input.name,
        issuer: input.issuer,
        clientId: input.clientId,
        autoCreateAccounts: input.autoCreateAccounts,
        emailDomains: input.emailDomains,
      },
    });
    return row!;
  });
}

/**
 * Changes the e-mail domains a provider vouches for (audited, before and after). Identities linked
 * already stay linked; new links and new accounts follow the new list.
 */
export async function updateProviderDomains(db: Db, actor: Actor, id: string, emailDomains: string[]) {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ emailDomains: identityProviders.emailDomains })
      .from(identityProviders)
      .where(eq(identityProviders.id, id))
      .for('update');
    if (!before) throw notFound('That identity provider');
    const [row] = await tx
      .update(identityProviders)
      .set({ emailDomains })
      .where(eq(identityProviders.id, id))
      .returning(adminColumns);
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'identity_providers.update',
      subjectType: 'identity_provider',
      subjectId: id,
      data: { before: { emailDomains: before.emailDomains }, after: { emailDomains } },
    });
    return row!;
  });
}

/** Deletes a provider; its linked identities and pending sign-ins go with it (cascade). */
export async function deleteProvider(db: Db, actor: Actor, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.delete(identityProviders).where(eq(identityProviders.id, id)).returning({
      id: identityProviders.id,
      name: identityProviders.name,
      issuer: identityProviders.issuer,
    });
    if (!row) throw notFound('That identity provider');
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'identity_providers.delete',
      subjectType: 'identity_provider',
      subjectId: row.id,
      data: { name: row.name, issuer: row.issuer },
    });
  });
}

// ---- the OpenID Connect client ---------------------------------------------------------------------

export type OidcClients = {
  /** The client configuration for a provider (discovery is cached per provider). */
  get(provider: ProviderRow): Promise<oidc.Configuration>;
  /** Drops a cached configuration (the provider was deleted or changed). */
  forget(providerId: string): void;
};

/** One cache per app instance: discovery documents, keyed by provider and its settings. */
export function createOidcClients(masterKey: Buffer): OidcClients {
  const cache = new Map<string, { key: string; at: number; config: Promise<oidc.Configuration> }>();
  return {
    get(provider) {
      const key = `${provider.issuer}\n${provider.clientId}\n${provider.clientSecretSealed}`;
      const hit = cache.get(provider.id);
      if (hit && hit.key === key && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.config;
      const config = discover(provider, unseal(masterKey, SECRET_PURPOSE, provider.clientSecretSealed));
      cache.set(provider.id, { key, at: Date.now(), config });
      // A failed discovery is not remembered: the next sign-in tries again.
      config.catch(() => {
        if (cache.get(provider.id)?.config === config) cache.delete(provider.id);
      });
      return config;
    },
    forget(providerId) {
      cache.delete(providerId);
    },
  };
}

async function discover(provider: ProviderRow, clientSecret: string): Promise<oidc.Configuration> {
  const issuer = new URL(provider.issuer);
  const insecure = isLoopbackHttp(issuer);
  if (issuer.protocol !== 'https:' && !insecure) throw new Error('issuer is not https');
  const options = { timeout: 10, ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}) };
  const config = await oidc.discovery(
    issuer,
    provider.clientId,
    clientSecret,
    oidc.ClientSecretBasic(clientSecret),
    options,
  );
  // client_secret_basic is the default of the spec; use client_secret_post where that is all the IdP takes.
  const methods = config.serverMetadata().token_endpoint_auth_methods_supported;
  if (methods && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')) {
    const post = new oidc.Configuration(
      config.serverMetadata(),
      provider.clientId,
      clientSecret,
      oidc.ClientSecretPost(clientSecret),
    );
    if (insecure) oidc.allowInsecureRequests(post);
    return post;
  }
  return config;
}

async function findProvider(db: Db, id: string): Promise<ProviderRow | undefined> {
  const [row] = await db.select().from(identityProviders).where(eq(identityProviders.id, id));
  return row;
}

/**
 * Starts a sign-in: remembers state (hashed), PKCE verifier and nonce for ten minutes and
 * returns the IdP's authorisation URL. The caller also binds `state` to the browser (a cookie),
 * so a callback link made in another browser cannot sign this one in.
 */
export async function beginSsoSignIn(
  services: Services,
  clients: OidcClients,
  providerId: string,
): Promise<{ url: string; state: string }> {
  const { db, config } = services;
  const provider = await findProvider(db, providerId);
  if (!provider) throw notFound('That sign-in option');
  let client: oidc.Configuration;
  try {
    client = await clients.get(provider);
  } catch (error) {
    throw new SsoFailure('provider_unavailable', `discovery failed: ${describe(error)}`);
  }
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const codeChallenge = await oidc.calculatePKCECodeChallenge(codeVerifier);
  await db.transaction(async (tx) => {
    await tx.delete(ssoStates).where(lt(ssoStates.expiresAt, sql`now()`));
    await tx.insert(ssoStates).values({
      stateHash: hashToken(state),
      providerId: provider.id,
      codeVerifier,
      nonce,
      expiresAt: new Date(Date.now() + STATE_TTL_MS),
    });
  });
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: ssoRedirectUri(config.publicUrl),
    scope: SSO_SCOPE,
    response_type: 'code',
    state,
    nonce,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
  });
  return { url: url.href, state };
}

export const ssoRedirectUri = (publicUrl: string) => `${publicUrl}/api/auth/sso/callback`;

/**
 * Finishes a sign-in at the callback and returns the account to start a session for.
 * The state is deleted before anything else, so it works once whatever happens next.
 */
export async function completeSsoSignIn(
  services: Services,
  clients: OidcClients,
  input: {
    /** The callback URL as the browser requested it: our redirect URI plus the IdP's query. */
    callbackUrl: URL;
    /** The state value bound to this browser when the sign-in started. */
    browserState: string | undefined;
  },
): Promise<{ userId: string; hasTotp: boolean; providerId: string }> {
  const { db } = services;
  const query = input.callbackUrl.searchParams;
  const state = query.get('state');
  if (!state) throw new SsoFailure('bad_state', 'callback without state');
  const [pending] = await db
    .delete(ssoStates)
    .where(eq(ssoStates.stateHash, hashToken(state)))
    .returning();
  if (!pending) throw new SsoFailure('bad_state', 'unknown or already used state');
  if (pending.expiresAt.getTime() <= Date.now()) throw new SsoFailure('bad_state', 'state expired');
  if (!input.browserState || !timingSafeEqualStrings(input.browserState, state)) {
    throw new SsoFailure('bad_state', 'state not bound to this browser');
  }
  const idpError = query.get('error');
  if (idpError) {
    throw new SsoFailure(
      idpError === 'access_denied' ? 'cancelled' : 'idp_error',
      `identity provider answered ${idpError.slice(0, 60)}`,
    );
  }
  const provider = await findProvider(db, pending.providerId);
  if (!provider) throw new SsoFailure('bad_state', 'provider no longer exists');
  let client: oidc.Configuration;
  try {
    client = await clients.get(provider);
  } catch (error) {
    throw new SsoFailure('provider_unavailable', `discovery failed: ${describe(error)}`);
  }

  let claims: { sub: string; email?: unknown; email_verified?: unknown; name?: unknown };
  try {
    const tokens = await oidc.authorizationCodeGrant(client, input.callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims();
    if (!idToken) throw new Error('no ID token');
    claims = { ...idToken };
    // Many IdPs give e-mail and name only at the userinfo endpoint.
    if (
      (claims.email === undefined || claims.email_verified === undefined) &&
      client.serverMetadata().userinfo_endpoint
    ) {
      const info = await oidc.fetchUserInfo(client, tokens.access_token, idToken.sub);
      claims = {
        ...info,
        ...claims,
        email: claims.email ?? info.email,
        email_verified: claims.email_verified ?? info.email_verified,
        sub: idToken.sub,
      };
    }
  } catch (error) {
    throw new SsoFailure('token_error', `code exchange failed: ${describe(error)}`);
  }
  try {
    return await linkAndResolve(db, provider, claims);
  } catch (error) {
    // The refusal is recorded outside the sign-in's (rolled back) transaction.
    if (error instanceof SsoFailure && error.refused) {
      await db.transaction((tx) =>
        recordAudit(tx, {
          actorUserId: null,
          action: 'sso.refused',
          subjectType: 'identity_provider',
          subjectId: error.refused!.providerId,
          data: { reason: error.code, targetUserId: error.refused!.userId },
        }),
      );
    }
    throw error;
  }
}

/** Whether an e-mail address is in one of a provider's domains (exactly: a subdomain is listed on its own). */
export function emailInDomains(email: string, domains: readonly string[]): boolean {
  const at = email.lastIndexOf('@');
  if (at < 1) return false;
  const domain = email.slice(at + 1).toLowerCase();
  return domains.some((d) => d.toLowerCase() === domain);
}

/** Whether an account belongs to an institution: a member of one of its networks, or one of its case handlers. */
async function belongsToInstitution(tx: Db, userId: string, institutionId: string): Promise<boolean> {
  const [row] = await queryRows<{ belongs: boolean }>(
    tx,
    sql`select exists (select 1 from ${memberships} m join ${networks} n on n.id = m.network_id
                        where m.user_id = ${userId} and n.institution_id = ${institutionId})
            or exists (select 1 from ${institutionRoles} r
                        where r.user_id = ${userId} and r.institution_id = ${institutionId}) as belongs`,
  );
  return row?.belongs === true;
}

/**
 * The account for a verified identity: an existing link; else the account with the same
 * verified e-mail (linked now); else a new account when the provider allows it. A provider vouches
 * only for addresses in its own e-mail domains, and an existing account is linked only when it
 * belongs to the provider's institution: a provider added for one school cannot sign anyone in as
 * a person of another (refused, and audited by the caller).
 */
async function linkAndResolve(
  db: Db,
  provider: ProviderRow,
  claims: { sub: string; email?: unknown; email_verified?: unknown; name?: unknown },
): Promise<{ userId: string; hasTotp: boolean; providerId: string }> {
  return db.transaction(async (tx) => {
    const [linked] = await tx
      .select({ id: users.id, disabledAt: users.disabledAt, totpEnabledAt: users.totpEnabledAt })
      .from(ssoIdentities)
      .innerJoin(users, eq(users.id, ssoIdentities.userId))
      .where(and(eq(ssoIdentities.providerId, provider.id), eq(ssoIdentities.subject, claims.sub)));
    let user = linked;
    if (!user) {
      // Only an address the IdP vouches for may pick or create an account.
      const email = Email.safeParse(claims.email);
      if (!email.success || claims.email_verified !== true) {
        throw new SsoFailure('email_unverified', 'no verified e-mail in the identity');
      }
      const [existing] = await tx
        .select({ id: users.id, disabledAt: users.disabledAt, totpEnabledAt: users.totpEnabledAt })
        .from(users)
        .where(eq(sql`lower(${users.email})`, email.data));
      if (!emailInDomains(email.data, provider.emailDomains)) {
        throw new SsoFailure('email_domain', 'e-mail outside the provider’s domains', {
          providerId: provider.id,
          userId: existing?.id ?? null,
        });
      }
      if (existing) {
        if (!(await belongsToInstitution(tx, existing.id, provider.institutionId))) {
          throw new SsoFailure('account_elsewhere', 'account does not belong to the provider’s institution', {
            providerId: provider.id,
            userId: existing.id,
          });
        }
        const [other] = await tx
          .select({ subject: ssoIdentities.subject })
          .from(ssoIdentities)
          .where(and(eq(ssoIdentities.providerId, provider.id), eq(ssoIdentities.userId, existing.id)));
        // The account is already linked to another identity at this IdP (a reassigned address?).
        if (other) throw new SsoFailure('account_conflict', 'account linked to another subject');
        if (existing.disabledAt) throw new SsoFailure('account_disabled', 'account disabled');
        user = existing;
      } else if (provider.autoCreateAccounts) {
        const name =
          typeof claims.name === 'string' && claims.name.trim()
            ? claims.name.trim().slice(0, Limits.nameMax)
            : email.data.split('@')[0]!;
        const [created] = await tx
          .insert(users)
          .values({ email: email.data, name, passwordHash: null })
          .returning({ id: users.id, disabledAt: users.disabledAt, totpEnabledAt: users.totpEnabledAt });
        user = created!;
        await recordAudit(tx, {
          actorUserId: user.id,
          action: 'users.create',
          subjectType: 'user',
          subjectId: user.id,
          data: { via: 'sso', providerId: provider.id },
        });
      } else {
        throw new SsoFailure(
          'no_account',
          'no account has this e-mail and the provider does not create them',
        );
      }
      await tx
        .insert(ssoIdentities)
        .values({ providerId: provider.id, subject: claims.sub, userId: user.id });
      await recordAudit(tx, {
        actorUserId: user.id,
        action: 'sso_identities.link',
        subjectType: 'user',
        subjectId: user.id,
        data: { providerId: provider.id },
      });
    }
    if (user.disabledAt) throw new SsoFailure('account_disabled', 'account disabled');
    await recordAudit(tx, {
      actorUserId: user.id,
      action: 'users.sso_sign_in',
      subjectType: 'user',
      subjectId: user.id,
      data: { providerId: provider.id },
    });
    return { userId: user.id, hasTotp: user.totpEnabledAt !== null, providerId: provider.id };
  });
}

/** An error's kind and message for the log (openid-client messages carry no token values). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error as { code?: unknown }).code;
  const oauthError = (error as { error?: unknown }).error;
  return [
    error.name,
    typeof code === 'string' ? code : null,
    typeof oauthError === 'string' ? oauthError : null,
    error.message.slice(0, 200),
  ]
    .filter(Boolean)
    .join(': ');
}
