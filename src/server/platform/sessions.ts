import type {} from '@fastify/cookie';
import { eq, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Db, queryRows } from '../../db/client';
import { institutionRoles, memberships, networks, sessions, users } from '../../db/schema';
import type { Actor } from './actor';
import { hashToken, randomToken, timingSafeEqualStrings } from './crypto';
import { AppError } from './errors';
import type { Access, AccessGuard } from './routes';

export const SESSION_COOKIE = 'upstander_session';
/**
 * Under https the session cookie carries the `__Host-` prefix: browsers then accept it only with
 * Secure, Path=/ and no Domain, so a neighbouring subdomain cannot plant or overwrite it.
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
export const sessionCookieName = (secure: boolean) => (secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE);
export const CSRF_HEADER = 'x-csrf-token';
const TOUCH_EVERY_MS = 5 * 60 * 1000;

export type SessionMethod = (typeof sessions.$inferInsert)['authMethod'];

/** Creates a session and returns its cookie token (the database keeps only the token's hash). */
export async function createSession(
  db: Db,
  input: { userId: string; method: SessionMethod; secondFactorDone: boolean; days: number },
): Promise<string> {
  const token = randomToken(32);
  await db.insert(sessions).values({
    idHash: hashToken(token),
    userId: input.userId,
    csrfToken: randomToken(24),
    authMethod: input.method,
    secondFactorAt: input.secondFactorDone ? new Date() : null,
    expiresAt: new Date(Date.now() + input.days * 86_400_000),
  });
  return token;
}

export function setSessionCookie(
  reply: FastifyReply,
  token: string,
  options: { secure: boolean; days: number },
) {
  reply.setCookie(sessionCookieName(options.secure), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    maxAge: options.days * 86_400,
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean) {
  reply.clearCookie(sessionCookieName(secure), { path: '/', httpOnly: true, sameSite: 'lax', secure });
}

/**
 * Loads the actor behind a session cookie token, or null if the session is unknown, expired or its
 * user disabled. `touch: false` reads without refreshing the session's last-seen time: public
 * routes (anyone may call them, a session is only optional) must leave no trace on the session,
 * or a timestamp written beside an anonymous act would point at the session that made it.
 */
export async function loadActor(
  db: Db,
  token: string,
  options: { touch?: boolean } = {},
): Promise<Actor | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  return loadActorBySessionHash(db, hashToken(token), options);
}

/** The actor of a session known by its hash (to re-read a session's state after changing it). */
export async function loadActorBySessionHash(
  db: Db,
  idHash: string,
  options: { touch?: boolean } = {},
): Promise<Actor | null> {
  // One round trip per request: session, account, memberships and roles together (this runs on every call).
  const [row] = await queryRows<{
    userId: string;
    email: string;
    name: string;
    isAdmin: boolean;
    hasTotp: boolean;
    csrfToken: string;
    secondFactorDone: boolean;
    stale: boolean;
    memberships: Actor['memberships'];
    caseHandlerOf: string[];
  }>(
    db,
    sql`select ${users.id} as "userId", ${users.email} as email, ${users.name} as name, ${users.isAdmin} as "isAdmin",
          (${users.totpEnabledAt} is not null) as "hasTotp", ${sessions.csrfToken} as "csrfToken",
          (${sessions.secondFactorAt} is not null) as "secondFactorDone",
          (${sessions.lastSeenAt} < now() - make_interval(secs => ${TOUCH_EVERY_MS / 1000})) as stale,
          coalesce((select json_agg(json_build_object('networkId', m.network_id, 'institutionId', n.institution_id,
                      'kind', m.kind, 'yearOfStudy', m.year_of_study, 'role', m.role, 'leadTitle', m.lead_title))
                    from ${memberships} m join ${networks} n on n.id = m.network_id where m.user_id = ${users.id}), '[]'::json) as memberships,
          coalesce((select json_agg(r.institution_id) from ${institutionRoles} r
                    where r.user_id = ${users.id} and r.role = 'case_handler'), '[]'::json) as "caseHandlerOf"
        from ${sessions} join ${users} on ${users.id} = ${sessions.userId}
        where ${sessions.idHash} = ${idHash} and ${sessions.expiresAt} > now() and ${users.disabledAt} is null`,
  );
  if (!row) return null;
  if (row.stale && options.touch !== false) {
    await db.update(sessions).set({ lastSeenAt: new Date() }).where(eq(sessions.idHash, idHash));
  }
  return {
    userId: row.userId,
    email: row.email,
    name: row.name,
    isAdmin: row.isAdmin,
    sessionIdHash: idHash,
    csrfToken: row.csrfToken,
    hasTotp: row.hasTotp,
    secondFactorDone: !row.hasTotp || row.secondFactorDone,
    mustEnrolTotp: !row.hasTotp && (row.isAdmin || row.caseHandlerOf.length > 0),
    memberships: row.memberships,
    caseHandlerOf: row.caseHandlerOf,
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Applies a route's access rule. It also guards cookie-authenticated mutations against CSRF:
 * the session's token must come back in a header, which a cross-site form cannot set.
 */
export function createAccessGuard(options: { db: Db; publicOrigin: string }): AccessGuard {
  // Under https only the __Host- cookie counts: an unprefixed one may have been planted.
  const cookieName = sessionCookieName(options.publicOrigin.startsWith('https:'));
  return async (request: FastifyRequest, access: Access, method: string) => {
    request.actor = null;
    request.sessionActor = null;
    if (access === 'anonymous') return;
    const mutating = !SAFE_METHODS.has(method);
    if (mutating) {
      const origin = request.headers.origin;
      if (origin && origin !== options.publicOrigin && origin !== `${request.protocol}://${request.host}`) {
        throw new AppError('csrf_failed', 'This request came from another site and was refused.');
      }
    }
    const token = request.cookies[cookieName];
    // Only routes that need a session refresh its last-seen time; a public route reads it quietly.
    const actor = token ? await loadActor(options.db, token, { touch: access !== 'public' }) : null;
    if (actor && mutating) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !timingSafeEqualStrings(sent, actor.csrfToken)) {
        throw new AppError(
          'csrf_failed',
          'Your session token was missing or stale. Reload the page and try again.',
        );
      }
    }
    request.sessionActor = actor;
    if (access === 'public') {
      request.actor = actor?.secondFactorDone && !actor.mustEnrolTotp ? actor : null;
      return;
    }
    if (!actor) throw new AppError('unauthenticated', 'Please sign in.');
    request.actor = actor;
    if (access === 'session') return;
    if (!actor.secondFactorDone)
      throw new AppError('second_factor_required', 'Enter the code from your authenticator app.');
    if (actor.mustEnrolTotp) {
      throw new AppError('two_factor_enrolment_required', 'Set up two-factor authentication to continue.');
    }
    if (access === 'admin' && !actor.isAdmin)
      throw new AppError('forbidden', 'Only administrators may do that.');
  };
}
