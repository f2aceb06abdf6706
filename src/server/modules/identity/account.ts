import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { oneTimeTokens, sessions, users } from '../../../db/schema';
import type { Profile } from '../../../shared/identity/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { hashToken, randomToken } from '../../platform/crypto';
import { AppError, invalid, notFound } from '../../platform/errors';
import type { Services } from '../../platform/services';
import { revokeFeedsOfUser } from '../meetings/calendar';
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
export async function updateProfile(db: Db, actor: Actor, input: { name: string }): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(users).set({ name: input.name }).where(eq(users.id, actor.userId));
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
 * Sends a reset link if an active account has this e-mail; otherwise does nothing. The caller
 * answers the same either way, so the form cannot be used to find out who has an account.
 */
export async function requestPasswordReset(services: Services, email: string): Promise<void> {
  const { db, mailer, config } = services;
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(and(eq(sql`lower(${users.email})`, email.toLowerCase()), isNull(users.disabledAt)))
    .limit(1);
  if (!user) return;
  const token = randomToken(32);
  await db.transaction(async (tx) => {
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
  });
  mailer.deliverPending().catch((error: Error) => {
    services.log.warn({ err: error.message }, 'mail delivery run failed; queued mail will be retried');
  });
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
