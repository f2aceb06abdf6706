import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { oneTimeTokens, sessions, users } from '../../../db/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { hashToken, randomToken, seal, unseal } from '../../platform/crypto';
import { AppError, conflict } from '../../platform/errors';
import { type Attempt, beginAttempt, FAILURE_POLICIES } from '../../platform/rate-limit';
import type { Services } from '../../platform/services';
import { revokeFeedsOfUser } from '../meetings';
import { hashPassword, matchTotp, newTotpSecret, totpQrSvg, totpUri, verifyPassword } from './credentials';

const TOTP_PURPOSE = 'totp-secret';

/**
 * Finds the account for an e-mail and password; the same error whether the e-mail or the password
 * is wrong. Failures, not sign-ins, are limited: per address (generously: a campus network puts
 * hundreds of people behind one) and per e-mail address typed (known or not, so the limit does not
 * tell them apart); the account holder is told by e-mail when their account's limit is reached.
 */
export async function checkPassword(
  services: Pick<Services, 'db' | 'masterKey' | 'mailer' | 'config' | 'log'>,
  input: { email: string; password: string; address: string },
) {
  const { db, masterKey } = services;
  const email = input.email.toLowerCase();
  const byAddress = await beginAttempt(db, masterKey, FAILURE_POLICIES.signInAddress, input.address);
  let byAccount: Attempt;
  try {
    byAccount = await beginAttempt(db, masterKey, FAILURE_POLICIES.signInAccount, email);
  } catch (error) {
    // Refused without a look at the password: not a failure of this address.
    await byAddress.succeeded();
    throw error;
  }
  const [user] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      passwordHash: users.passwordHash,
      totpEnabledAt: users.totpEnabledAt,
      disabledAt: users.disabledAt,
    })
    .from(users)
    .where(eq(sql`lower(${users.email})`, email))
    .limit(1);
  const ok = await verifyPassword(user?.passwordHash ?? null, input.password);
  if (!user || !ok || user.disabledAt) {
    if (user && !user.disabledAt && byAccount.firstOverLimit) {
      // Not on this request's time: the answer must not take longer for a real account.
      setImmediate(() => {
        warnAccountHolder(services, user, 'password').catch((error: Error) => {
          services.log.warn({ err: error.message }, 'could not queue the sign-in warning e-mail');
        });
      });
    }
    throw new AppError('unauthenticated', 'That e-mail and password do not match an account.');
  }
  await byAddress.succeeded();
  await byAccount.succeeded();
  return { userId: user.id, hasTotp: user.totpEnabledAt !== null };
}

/** Tells an account holder that someone is guessing their password or codes (once per streak). */
async function warnAccountHolder(
  services: Pick<Services, 'db' | 'mailer' | 'config' | 'log'>,
  user: { id: string; email: string; name: string },
  what: 'password' | 'code',
) {
  const { db, mailer, config } = services;
  await db.transaction(async (tx) => {
    await mailer.queue(tx, {
      to: user.email,
      subject: 'Someone is trying to sign in to your Upstander account',
      text: [
        `Hello ${user.name},`,
        '',
        what === 'password'
          ? 'Several wrong passwords were just tried for your Upstander account, so we have paused sign-ins to it for a while.'
          : 'Your password was given correctly, but several wrong two-factor codes were then tried, so we have paused code entry for a while.',
        '',
        what === 'password'
          ? 'If this was you, wait a few minutes and try again, or reset your password from the sign-in page.'
          : 'If this was not you, someone knows your password: change it now (Profile → Change password) and then choose "Sign out everywhere".',
        `Sign in at ${config.publicUrl}/sign-in`,
      ].join('\n'),
    });
    await recordAudit(tx, {
      actorUserId: null,
      action: what === 'password' ? 'users.password_failures' : 'users.totp_failures',
      subjectType: 'user',
      subjectId: user.id,
    });
  });
  mailer.deliverPending().catch((error: Error) => {
    services.log.warn({ err: error.message }, 'mail delivery run failed; queued mail will be retried');
  });
}

/** Whether the instance still needs its first admin. */
export async function needsFirstAdmin(db: Db): Promise<boolean> {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.isAdmin, true)).limit(1);
  return !row;
}

/** A fresh one-time setup link token (older unused ones stop working). Null once an admin exists. */
export async function issueSetupToken(db: Db): Promise<string | null> {
  if (!(await needsFirstAdmin(db))) return null;
  const token = randomToken(32);
  await db.transaction(async (tx) => {
    await tx.delete(oneTimeTokens).where(eq(oneTimeTokens.purpose, 'setup'));
    await tx.insert(oneTimeTokens).values({
      purpose: 'setup',
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + 7 * 86_400_000),
    });
  });
  return token;
}

export async function isUsableToken(
  db: Db,
  purpose: 'setup' | 'invitation' | 'password_reset',
  token: string,
) {
  const [row] = await db
    .select()
    .from(oneTimeTokens)
    .where(
      and(
        eq(oneTimeTokens.tokenHash, hashToken(token)),
        eq(oneTimeTokens.purpose, purpose),
        isNull(oneTimeTokens.usedAt),
        gt(oneTimeTokens.expiresAt, sql`now()`),
      ),
    )
    .limit(1);
  return row ?? null;
}

/**
 * Spends a one-time token inside the caller's transaction. The conditional UPDATE makes a
 * second, concurrent use find nothing, so a link works exactly once.
 */
export async function spendToken(tx: Db, purpose: 'setup' | 'invitation' | 'password_reset', token: string) {
  const [row] = await tx
    .update(oneTimeTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(oneTimeTokens.tokenHash, hashToken(token)),
        eq(oneTimeTokens.purpose, purpose),
        isNull(oneTimeTokens.usedAt),
        gt(oneTimeTokens.expiresAt, sql`now()`),
      ),
    )
    .returning();
  if (!row) throw new AppError('not_found', 'This link has expired or has already been used.');
  return row;
}

/** Creates the first admin from the one-time setup link. */
export async function createFirstAdmin(
  db: Db,
  input: { token: string; name: string; email: string; password: string },
) {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    await spendToken(tx, 'setup', input.token);
    if (!(await needsFirstAdmin(tx))) throw conflict('An administrator already exists.');
    const [existing] = await tx
      .select({ id: users.id })
      .from(users)
      .where(eq(sql`lower(${users.email})`, input.email))
      .limit(1);
    const [user] = existing
      ? await tx
          .update(users)
          .set({ isAdmin: true, passwordHash, name: input.name })
          .where(eq(users.id, existing.id))
          .returning({ id: users.id })
      : await tx
          .insert(users)
          .values({ email: input.email, name: input.name, passwordHash, isAdmin: true })
          .returning({ id: users.id });
    await recordAudit(tx, {
      actorUserId: user!.id,
      action: 'users.first_admin',
      subjectType: 'user',
      subjectId: user!.id,
    });
    return user!.id;
  });
}

/** Starts (or restarts) TOTP enrolment: a new secret, sealed, not yet enabled. */
export async function beginTotpEnrolment(db: Db, masterKey: Buffer, actor: Actor) {
  if (actor.hasTotp) throw conflict('Two-factor authentication is already set up.');
  const secret = newTotpSecret();
  await db
    .update(users)
    .set({ totpSecretSealed: seal(masterKey, TOTP_PURPOSE, secret) })
    .where(eq(users.id, actor.userId));
  const otpauthUrl = totpUri(secret, actor.email);
  return { secret, otpauthUrl, qrSvg: await totpQrSvg(otpauthUrl) };
}

async function loadTotp(db: Db, masterKey: Buffer, userId: string) {
  const [row] = await db
    .select({ sealed: users.totpSecretSealed, lastStep: users.totpLastStep, enabledAt: users.totpEnabledAt })
    .from(users)
    .where(eq(users.id, userId));
  if (!row?.sealed) return null;
  return {
    secret: unseal(masterKey, TOTP_PURPOSE, row.sealed),
    lastStep: row.lastStep,
    enabledAt: row.enabledAt,
  };
}

const wrongCode = () =>
  new AppError(
    'validation_failed',
    'That code is not right. Check the time on your phone and try the newest code.',
    [{ path: 'code', message: 'That code is not right.' }],
  );

/** Confirms enrolment with a first code; this session counts as having given its second factor. */
export async function confirmTotpEnrolment(db: Db, masterKey: Buffer, actor: Actor, code: string) {
  const totp = await loadTotp(db, masterKey, actor.userId);
  if (!totp || totp.enabledAt) throw conflict('Start the set-up again.');
  const attempt = await beginAttempt(db, masterKey, FAILURE_POLICIES.totpAccount, actor.userId);
  const step = matchTotp(totp.secret, code, totp.lastStep);
  if (step === null) throw wrongCode();
  await attempt.succeeded();
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ totpEnabledAt: new Date(), totpLastStep: step })
      .where(eq(users.id, actor.userId));
    await tx
      .update(sessions)
      .set({ secondFactorAt: new Date() })
      .where(eq(sessions.idHash, actor.sessionIdHash));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'users.totp_enabled',
      subjectType: 'user',
      subjectId: actor.userId,
    });
  });
}

/**
 * Checks a TOTP code for a session that still owes its second factor. Wrong codes are counted per
 * account, whichever session or address they come from: after a few, a growing delay, and the
 * account holder is told by e-mail (their password is known to whoever is guessing).
 */
export async function completeSecondFactor(
  services: Pick<Services, 'db' | 'masterKey' | 'mailer' | 'config' | 'log'>,
  actor: Actor,
  code: string,
) {
  const { db, masterKey } = services;
  const totp = await loadTotp(db, masterKey, actor.userId);
  if (!totp?.enabledAt) throw conflict('Two-factor authentication is not set up for this account.');
  const attempt = await beginAttempt(db, masterKey, FAILURE_POLICIES.totpAccount, actor.userId);
  const step = matchTotp(totp.secret, code, totp.lastStep);
  if (step === null) {
    if (attempt.firstOverLimit) await warnAccountHolder(services, actorAccount(actor), 'code');
    throw wrongCode();
  }
  await db.transaction(async (tx) => {
    // The conditional update refuses a step already used, even by a concurrent request.
    const updated = await tx
      .update(users)
      .set({ totpLastStep: step })
      .where(and(eq(users.id, actor.userId), sql`coalesce(${users.totpLastStep}, -1) < ${step}`))
      .returning({ id: users.id });
    if (updated.length === 0) throw wrongCode();
    await tx
      .update(sessions)
      .set({ secondFactorAt: new Date() })
      .where(eq(sessions.idHash, actor.sessionIdHash));
  });
  await attempt.succeeded();
}

const actorAccount = (actor: Actor) => ({ id: actor.userId, email: actor.email, name: actor.name });

export async function disableTotp(db: Db, masterKey: Buffer, actor: Actor, code: string) {
  const totp = await loadTotp(db, masterKey, actor.userId);
  if (!totp?.enabledAt) throw conflict('Two-factor authentication is not set up.');
  const attempt = await beginAttempt(db, masterKey, FAILURE_POLICIES.totpAccount, actor.userId);
  if (matchTotp(totp.secret, code, totp.lastStep) === null) throw wrongCode();
  await attempt.succeeded();
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ totpEnabledAt: null, totpSecretSealed: null, totpLastStep: null })
      .where(eq(users.id, actor.userId));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'users.totp_disabled',
      subjectType: 'user',
      subjectId: actor.userId,
    });
  });
}

export async function signOutEverywhere(db: Db, userId: string, actorUserId: string) {
  await db.transaction(async (tx) => {
    await tx.delete(sessions).where(eq(sessions.userId, userId));
    // A calendar-feed address is a credential too: it ends with the sessions.
    const feedsRevoked = await revokeFeedsOfUser(tx, userId);
    await recordAudit(tx, {
      actorUserId,
      action: 'sessions.revoke_all',
      subjectType: 'user',
      subjectId: userId,
      data: { feedsRevoked },
    });
  });
}
