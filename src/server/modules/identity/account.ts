import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { oneTimeTokens, passwordResetRequests, sessions, users } from '../../../db/schema';
import type { Profile } from '../../../shared/identity/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { hashToken, randomToken } from '../../platform/crypto';
import { AppError, invalid, notFound } from '../../platform/errors';
import type { Services } from '../../platform/services';
import { revokeFeedsOfUser } from '../meetings';
import { handlerProfileChanged } from '../speak-up';
import { hashPassword, verifyPassword } from './credentials';
import { spendToken } from './mutations';
import { getSessionInfo } from './queries';

/** How long a password-reset link works. */
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;

/** The signed-in person's own account. */
export async function getProfile(db: Db, actor: Actor): Promise<Profile> {
  const [row] = await db
    .select({ hasPassword: sql<boolean>`${users.passwordHash} is not null` })
    .from(users)
    .where(eq(users.id, actor.userId));
  if (!row) throw notFound('Your account');
  const info = await getSessionInfo(db, actor);
  return {
    id: actor.userId,
    name: actor.name,
    email: actor.email,
    hasTotp: actor.hasTotp,
    isAdmin: actor.isAdmin,
    hasPassword: row.hasPassword,
    memberships: info.memberships,
  };
}

/** Changes the name on one's own account. */
export async function updateProfile(
  db: Db,
  actor: Actor,
  input: { name: string },
  keys: Pick<Services, 'masterKey' | 'reportKeys'>,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(users).set({ name: input.name }).where(eq(users.id, actor.userId));
    // A case handler keeps every name they had for conflicts of interest (a rename adds, never removes).
    await handlerProfileChanged(tx, keys.masterKey, keys.reportKeys, {
      userId: actor.userId,
      before: { name: actor.name, email: actor.email },
      after: { name: input.name, email: actor.email },
    });
    // The name itself stays out of the append-only log: it is personal data that may need erasing.
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'users.update_profile',
      subjectType: 'user',
      subjectId: actor.userId,
      data: { fields: ['name'] },
    });
  });
}

/**
 * Changes one's password after checking the current one. Every other session of the account
 * ends (a stolen session does not outlive the change); this one carries on.
 */
export async function changePassword(
  db: Db,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const [row] = await db
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, actor.userId));
  if (!(await verifyPassword(row?.passwordHash ?? null, input.currentPassword))) {
    throw invalid('Your current password is not right.', [
      { path: 'currentPassword', message: 'That is not your current password.' },
    ]);
  }
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, actor.userId));
    const ended = await tx
      .delete(sessions)
      .where(and(eq(sessions.userId, actor.userId), ne(sessions.idHash, actor.sessionIdHash)))
      .returning({ idHash: sessions.idHash });
    const feedsRevoked = await revokeFeedsOfUser(tx, actor.userId);
    // A reset link sent before the change must not undo it.
    await tx
      .delete(oneTimeTokens)
      .where(
        and(
          eq(oneTimeTokens.purpose, 'password_reset'),
          eq(oneTimeTokens.userId, actor.userId),
          isNull(oneTimeTokens.usedAt),
        ),
      );
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'users.password_change',
      subjectType: 'user',
      subjectId: actor.userId,
      data: { otherSessionsEnded: ended.length, feedsRevoked },
    });
  });
}

/**
 * Asks for a reset link. This only queues the request, one row, the same whether or not an
 * account has the address, and the caller answers at once: the work that depends on the account
 * (a link, an e-mail, an audit event) happens afterwards, in `handlePasswordResetRequests`, so
 * neither the answer nor its timing tells anyone who has an account.
 */
export async function requestPasswordReset(db: Db, email: string): Promise<void> {
  await db.insert(passwordResetRequests).values({ email: email.toLowerCase() });
}

/** Requests older than this are dropped unhandled (the person has long since tried again). */
const RESET_REQUEST_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * Handles queued reset requests: for each, sends a link if an active account has the address,
 * otherwise does nothing. Each row is claimed (deleted) in the transaction that handles it, so
 * several instances never send one link twice. Returns how many requests were handled.
 */
export async function handlePasswordResetRequests(services: Services): Promise<number> {
  const { db, mailer, config } = services;
  let handled = 0;
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const [request] = await tx
        .delete(passwordResetRequests)
        .where(
          eq(
            passwordResetRequests.id,
            sql`(select id from ${passwordResetRequests} order by created_at limit 1 for update skip locked)`,
          ),
        )
        .returning();
      if (!request) return false;
      if (Date.now() - request.requestedAt.getTime() > RESET_REQUEST_MAX_AGE_MS) return true;
      const [user] = await tx
        .select({ id: users.id, email: users.email, name: users.name })
        .from(users)
        .where(and(eq(sql`lower(${users.email})`, request.email), isNull(users.disabledAt)))
        .limit(1);
      if (!user) return true;
      const token = randomToken(32);
      // Only the newest link works.
      await tx
        .delete(oneTimeTokens)
        .where(
          and(
            eq(oneTimeTokens.purpose, 'password_reset'),
            eq(oneTimeTokens.userId, user.id),
            isNull(oneTimeTokens.usedAt),
          ),
        );
      await tx.insert(oneTimeTokens).values({
        purpose: 'password_reset',
        tokenHash: hashToken(token),
        userId: user.id,
        email: user.email,
        expiresAt: new Date(Date.now() + PASSWORD_RESET_TTL_MS),
      });
      await mailer.queue(tx, {
        to: user.email,
        subject: 'Reset your Upstander password',
        text: [
          `Hello ${user.name},`,
          '',
          'Someone (we hope you) asked to reset the password of your Upstander account.',
          'To choose a new password, open this link within the next hour:',
          '',
          `${config.publicUrl}/reset-password/${token}`,
          '',
          'The link works once. If you did not ask for this, ignore this e-mail: your password stays as it is.',
        ].join('\n'),
      });
      await recordAudit(tx, {
        actorUserId: null,
        action: 'users.password_reset_request',
        subjectType: 'user',
        subjectId: user.id,
      });
      return true;
    });
    if (!done) break;
    handled++;
  }
  if (handled > 0) {
    await mailer.deliverPending().catch((error: Error) => {
      services.log.warn({ err: error.message }, 'mail delivery run failed; queued mail will be retried');
    });
  }
  return handled;
}

/**
 * Runs `handlePasswordResetRequests` in the background, one run at a time per instance; a kick
 * while a run is going makes it go round once more. `settled()` waits for the queue to be empty
 * (tests, and shutting down).
 */
export function passwordResetWorker(services: Services) {
  let running: Promise<void> | null = null;
  let again = false;
  const run = async () => {
    do {
      again = false;
      await handlePasswordResetRequests(services).catch((error: Error) => {
        services.log.warn({ err: error.message }, 'password-reset requests could not be handled; will retry');
      });
    } while (again);
  };
  return {
    kick() {
      if (running) {
        again = true;
        return;
      }
      // After this request's answer has gone, with a little jitter: nothing that depends on the
      // account is done on the request's time.
      running = new Promise<void>((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 100)))
        .then(run)
        .finally(() => {
          running = null;
        });
    },
    async settled() {
      while (running) await running;
    },
  };
}

/**
 * Sets a new password from a reset link. The link is spent in the same transaction, every
 * session of the account ends, and nobody is signed in: the person signs in next (with TOTP if
 * they have it), so a reset link alone never bypasses the second factor.
 */
export async function completePasswordReset(
  db: Db,
  input: { token: string; password: string },
): Promise<{ userId: string }> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const token = await spendToken(tx, 'password_reset', input.token);
    const [user] = token.userId
      ? await tx
          .select({ id: users.id })
          .from(users)
          .where(and(eq(users.id, token.userId), isNull(users.disabledAt)))
      : [];
    // Throwing rolls the spend back too; the same answer as for a stale link.
    if (!user) throw new AppError('not_found', 'This link has expired or has already been used.');
    await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
    const ended = await tx
      .delete(sessions)
      .where(eq(sessions.userId, user.id))
      .returning({ idHash: sessions.idHash });
    const feedsRevoked = await revokeFeedsOfUser(tx, user.id);
    await tx
      .delete(oneTimeTokens)
      .where(
        and(
          eq(oneTimeTokens.purpose, 'password_reset'),
          eq(oneTimeTokens.userId, user.id),
          isNull(oneTimeTokens.usedAt),
        ),
      );
    await recordAudit(tx, {
      actorUserId: user.id,
      action: 'users.password_reset',
      subjectType: 'user',
      subjectId: user.id,
      data: { sessionsEnded: ended.length, feedsRevoked },
    });
    return { userId: user.id };
  });
}
