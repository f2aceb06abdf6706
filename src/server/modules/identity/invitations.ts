import { and, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client';
import { institutions, memberships, networks, oneTimeTokens, users } from '../../../db/schema';
import {
  type InvitationCreateSchema,
  type InvitationViewSchema,
  MembershipKind,
  type PendingInvitationSchema,
  YearOfStudy,
} from '../../../shared/identity/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { hashToken, randomToken } from '../../platform/crypto';
import { AppError, conflict, forbidden, invalid, notFound } from '../../platform/errors';
import type { Services } from '../../platform/services';
import { hashPassword } from './credentials';
import { isUsableToken, spendToken } from './mutations';
import { mayManageNetwork, maySeeNetworkMembers } from './policy';

export const INVITATION_DAYS = 14;

export type InvitationCreate = z.infer<typeof InvitationCreateSchema>;
export type InvitationView = z.infer<typeof InvitationViewSchema>;

/** What an invitation token carries (one_time_tokens.payload). Parsed on the way out: never trusted blindly. */
const InvitationPayload = z.object({
  networkId: z.uuid(),
  kind: MembershipKind,
  yearOfStudy: YearOfStudy.nullable(),
  name: z.string(),
});
type InvitationPayload = z.infer<typeof InvitationPayload>;

export type InvitationTarget = {
  networkId: string;
  networkName: string;
  institutionName: string;
};

export type Invitee = {
  email: string;
  name: string;
  kind: 'student' | 'staff' | 'alumnus';
  yearOfStudy: number | null;
};

/** Students have a year of study (1–6); staff and alumni have none. The same rule as the database's. */
export function yearMatchesKind(kind: Invitee['kind'], yearOfStudy: number | null): boolean {
  return (kind === 'student') === (yearOfStudy !== null);
}

export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl}/invite/${token}`;
}

/**
 * The invitation e-mail. Names typed by people (the invitee's, the inviter's) are left out: only
 * the network and school, whose names are single-line plain text set by leads and admins, quoted.
 * So a name like "Jane\nYour account is locked: sign in at https://…" cannot speak in the
 * school's voice.
 */
function invitationMail(publicUrl: string, target: InvitationTarget, email: string, token: string) {
  return {
    to: email,
    subject: `You are invited to join “${target.networkName}”`,
    text: [
      'Hello,',
      '',
      `You are invited to join the network “${target.networkName}” at “${target.institutionName}” on Upstander.`,
      '',
      `Open this link to accept. It works once, for ${INVITATION_DAYS} days:`,
      invitationLink(publicUrl, token),
      '',
      'Upstander never asks for your password by e-mail. If you were not expecting this invitation, you can ignore this e-mail.',
    ].join('\n'),
  };
}

/** New invitations a network may send in 24 hours (leads and admins together). */
export const INVITATIONS_PER_NETWORK_PER_DAY = 2000;

/** Serialises the invitations of one network until the transaction ends. */
export async function lockNetworkInvitations(tx: Db, networkId: string) {
  await tx.select({ id: networks.id }).from(networks).where(eq(networks.id, networkId)).for('no key update');
}

/**
 * Refuses to send more than a day's allowance of invitations for a network (counting the last
 * 24 hours). Call inside the transaction that issues them.
 */
export async function assertInvitationAllowance(tx: Db, networkId: string, adding: number) {
  await lockNetworkInvitations(tx, networkId);
  const [{ sent }] = (await tx
    .select({ sent: sql<number>`count(*)::int` })
    .from(oneTimeTokens)
    .where(
      and(
        eq(oneTimeTokens.purpose, 'invitation'),
        sql`${oneTimeTokens.payload}->>'networkId' = ${networkId}`,
        sql`${oneTimeTokens.createdAt} > now() - interval '1 day'`,
      ),
    )) as [{ sent: number }];
  if (sent + adding > INVITATIONS_PER_NETWORK_PER_DAY) {
    const left = Math.max(0, INVITATIONS_PER_NETWORK_PER_DAY - sent);
    throw new AppError(
      'rate_limited',
      `A network can send at most ${INVITATIONS_PER_NETWORK_PER_DAY} invitations a day; ${left} are left today and this would send ${adding}. Nothing was sent: try again tomorrow, or with a smaller file.`,
    );
  }
}

/** Of these (lower-case) addresses, those holding an unexpired, unused invitation to the network. */
export async function pendingInvitations(db: Db, networkId: string, emails: string[]): Promise<string[]> {
  if (emails.length === 0) return [];
  const rows = await db
    .selectDistinct({ email: sql<string>`lower(${oneTimeTokens.email})` })
    .from(oneTimeTokens)
    .where(
      and(
        eq(oneTimeTokens.purpose, 'invitation'),
        isNull(oneTimeTokens.usedAt),
        gt(oneTimeTokens.expiresAt, sql`now()`),
        sql`${oneTimeTokens.payload}->>'networkId' = ${networkId}`,
        inArray(sql`lower(${oneTimeTokens.email})`, emails),
      ),
    );
  return rows.map((r) => r.email);
}

/** The network and institution names an invitation names, or null for an unknown network. */
export async function loadInvitationTarget(db: Db, networkId: string): Promise<InvitationTarget | null> {
  const [row] = await db
    .select({ networkId: networks.id, networkName: networks.name, institutionName: institutions.name })
    .from(networks)
    .innerJoin(institutions, eq(institutions.id, networks.institutionId))
    .where(eq(networks.id, networkId))
    .limit(1);
  return row ?? null;
}

/**
 * Creates invitations and queues their e-mails inside the caller's transaction: the tokens and
 * the mail exist exactly if the rest of the change does. Tokens are stored only as hashes.
 */
export async function issueInvitations(
  tx: Db,
  services: Pick<Services, 'mailer' | 'config'>,
  input: { target: InvitationTarget; invitedBy: { userId: string }; people: Invitee[] },
  newToken: () => string = () => randomToken(32),
): Promise<number> {
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
  const issued = input.people.map((person) => ({ person, token: newToken() }));
  for (let i = 0; i < issued.length; i += 1000) {
    await tx.insert(oneTimeTokens).values(
      issued.slice(i, i + 1000).map(({ person, token }) => ({
        purpose: 'invitation' as const,
        tokenHash: hashToken(token),
        email: person.email,
        payload: {
          networkId: input.target.networkId,
          kind: person.kind,
          yearOfStudy: person.yearOfStudy,
          name: person.name,
        } satisfies InvitationPayload,
        createdBy: input.invitedBy.userId,
        expiresAt,
      })),
    );
  }
  for (const { person, token } of issued) {
    await services.mailer.queue(
      tx,
      invitationMail(services.config.publicUrl, input.target, person.email, token),
    );
  }
  return issued.length;
}

/**
 * Who may manage a network's people: answers 404 when the actor may not even see them (or the
 * network does not exist) and 403 to a member who is not one of its leads.
 */
export async function requireManagedNetwork(db: Db, actor: Actor, networkId: string) {
  if (!maySeeNetworkMembers(actor, networkId)) throw notFound('That network');
  const target = await loadInvitationTarget(db, networkId);
  if (!target) throw notFound('That network');
  if (!mayManageNetwork(actor, networkId)) {
    throw forbidden('Only the network’s leads and administrators may invite people.');
  }
  return target;
}

/** Invites one person to a network by e-mail. */
export async function createInvitation(services: Services, actor: Actor, input: InvitationCreate) {
  const { db } = services;
  const target = await requireManagedNetwork(db, actor, input.networkId);
  if (!yearMatchesKind(input.kind, input.yearOfStudy)) {
    throw invalid('Students need a year of study; staff and alumni have none.', [
      { path: 'yearOfStudy', message: 'Students need a year of study; staff and alumni have none.' },
    ]);
  }
  await db.transaction(async (tx) => {
    const [member] = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.networkId, input.networkId), eq(sql`lower(${users.email})`, input.email)))
      .limit(1);
    if (member) {
      throw conflict('That person is already a member of this network.', [
        { path: 'email', message: 'Already a member of this network.' },
      ]);
    }
    await assertInvitationAllowance(tx, input.networkId, 1);
    await issueInvitations(tx, services, {
      target,
      invitedBy: { userId: actor.userId },
      people: [input],
    });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'invitations.create',
      subjectType: 'network',
      subjectId: input.networkId,
      // No e-mail address in the (permanent) audit log: the token row holds it and can be purged.
      data: { kind: input.kind, yearOfStudy: input.yearOfStudy },
    });
  });
  sendQueuedMail(services);
}

/** Sends queued mail after the transaction committed; a failure is logged and retried later, never thrown. */
export function sendQueuedMail(services: Pick<Services, 'mailer' | 'log'>) {
  services.mailer.deliverPending().catch((error: Error) => {
    services.log.warn({ err: error.message }, 'mail delivery run failed; it will be retried');
  });
}

async function accountIdForEmail(db: Db, email: string): Promise<string | null> {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
    .limit(1);
  return row?.id ?? null;
}

function readPayload(row: { email: string | null; payload: Record<string, unknown> }) {
  const payload = InvitationPayload.safeParse(row.payload);
  if (!payload.success || !row.email) throw notFound('That invitation');
  return { email: row.email, ...payload.data };
}

const expired = () =>
  new AppError(
    'not_found',
    'This invitation has expired or has already been used. Ask the network’s leads for a new one.',
  );

/** What the invitation page shows; an unknown, expired or used link is a 404. */
export async function viewInvitation(db: Db, token: string): Promise<InvitationView> {
  const row = await isUsableToken(db, 'invitation', token);
  if (!row) throw expired();
  const invitation = readPayload(row);
  const target = await loadInvitationTarget(db, invitation.networkId);
  if (!target) throw expired();
  return {
    email: invitation.email,
    name: invitation.name,
    networkName: target.networkName,
    institutionName: target.institutionName,
    accountExists: (await accountIdForEmail(db, invitation.email)) !== null,
  };
}

/**
 * Accepts an invitation by creating the account it was sent to, with its membership. If an
 * account already exists for the e-mail, nothing changes (the token stays usable) and the person
 * is asked to sign in and accept from there. Returns the new user's id.
 */
export async function acceptInvitation(
  db: Db,
  input: { token: string; name: string; password: string },
): Promise<string> {
  // Check the link before the (deliberately slow) password hash.
  if (!(await isUsableToken(db, 'invitation', input.token))) throw expired();
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const row = await spendToken(tx, 'invitation', input.token);
    const invitation = readPayload(row);
    if (await accountIdForEmail(tx, invitation.email)) {
      throw conflict(
        'An account already exists for this e-mail address. Sign in, then open the invitation link again to accept it.',
      );
    }
    if (!(await loadInvitationTarget(tx, invitation.networkId))) throw notFound('That network');
    const [user] = await tx
      .insert(users)
      .values({ email: invitation.email, name: input.name, passwordHash })
      .returning({ id: users.id });
    await tx.insert(memberships).values({
      userId: user!.id,
      networkId: invitation.networkId,
      kind: invitation.kind,
      yearOfStudy: invitation.yearOfStudy,
    });
    await recordAudit(tx, {
      actorUserId: user!.id,
      action: 'invitations.accept',
      subjectType: 'network',
      subjectId: invitation.networkId,
      data: { userId: user!.id, newAccount: true, invitedBy: row.createdBy },
    });
    return user!.id;
  });
}

/**
 * Accepts an invitation for the signed-in account. The invitation must have been sent to this
 * account's e-mail address; any other answers 404 and leaves the link unspent.
 */
export async function acceptInvitationSignedIn(db: Db, actor: Actor, token: string) {
  await db.transaction(async (tx) => {
    const row = await spendToken(tx, 'invitation', token);
    const invitation = readPayload(row);
    if (invitation.email.toLowerCase() !== actor.email.toLowerCase()) throw notFound('That invitation');
    if (!(await loadInvitationTarget(tx, invitation.networkId))) throw notFound('That network');
    const added = await tx
      .insert(memberships)
      .values({
        userId: actor.userId,
        networkId: invitation.networkId,
        kind: invitation.kind,
        yearOfStudy: invitation.yearOfStudy,
      })
      .onConflictDoNothing()
      .returning({ userId: memberships.userId });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'invitations.accept',
      subjectType: 'network',
      subjectId: invitation.networkId,
      data: {
        userId: actor.userId,
        newAccount: false,
        alreadyMember: added.length === 0,
        invitedBy: row.createdBy,
      },
    });
  });
}

// ---- pending invitations: what a network's leads see, resend and revoke ------------------------

const pendingWhere = (networkId: string) =>
  and(
    eq(oneTimeTokens.purpose, 'invitation'),
    isNull(oneTimeTokens.usedAt),
    gt(oneTimeTokens.expiresAt, sql`now()`),
    sql`${oneTimeTokens.payload}->>'networkId' = ${networkId}`,
  );

/** The network's invitations not yet accepted, revoked or expired, newest first (at most 1,000). */
export async function listPendingInvitations(
  db: Db,
  actor: Actor,
  networkId: string,
): Promise<z.input<typeof PendingInvitationSchema>[]> {
  await requireManagedNetwork(db, actor, networkId);
  const rows = await db
    .select({
      id: oneTimeTokens.id,
      email: oneTimeTokens.email,
      payload: oneTimeTokens.payload,
      createdAt: oneTimeTokens.createdAt,
      expiresAt: oneTimeTokens.expiresAt,
    })
    .from(oneTimeTokens)
    .where(pendingWhere(networkId))
    .orderBy(desc(oneTimeTokens.createdAt))
    .limit(1000);
  return rows.map((r) => {
    const invitation = readPayload(r);
    return {
      id: r.id,
      email: invitation.email,
      name: invitation.name,
      kind: invitation.kind,
      yearOfStudy: invitation.yearOfStudy,
      sentAt: r.createdAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
    };
  });
}

/** Locks one pending invitation of the network; anything else (used, expired, elsewhere) is a 404. */
async function lockPending(tx: Db, networkId: string, invitationId: string) {
  const [row] = await tx
    .select({ id: oneTimeTokens.id, email: oneTimeTokens.email, payload: oneTimeTokens.payload })
    .from(oneTimeTokens)
    .where(and(eq(oneTimeTokens.id, invitationId), pendingWhere(networkId)))
    .for('update');
  if (!row) throw notFound('That invitation');
  return { id: row.id, ...readPayload(row) };
}

/** Sends the invitation again with a new link (the old link stops working); counts in the day's allowance. */
export async function resendInvitation(
  services: Services,
  actor: Actor,
  networkId: string,
  invitationId: string,
) {
  const { db } = services;
  const target = await requireManagedNetwork(db, actor, networkId);
  await db.transaction(async (tx) => {
    const invitation = await lockPending(tx, networkId, invitationId);
    await assertInvitationAllowance(tx, networkId, 1);
    await tx.update(oneTimeTokens).set({ usedAt: new Date() }).where(eq(oneTimeTokens.id, invitation.id));
    await issueInvitations(tx, services, {
      target,
      invitedBy: { userId: actor.userId },
      people: [invitation],
    });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'invitations.resend',
      subjectType: 'network',
      subjectId: networkId,
      data: { invitationId },
    });
  });
  sendQueuedMail(services);
}

/** Withdraws an invitation: its link stops working. */
export async function revokeInvitation(db: Db, actor: Actor, networkId: string, invitationId: string) {
  await requireManagedNetwork(db, actor, networkId);
  await db.transaction(async (tx) => {
    const invitation = await lockPending(tx, networkId, invitationId);
    await tx.update(oneTimeTokens).set({ usedAt: new Date() }).where(eq(oneTimeTokens.id, invitation.id));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'invitations.revoke',
      subjectType: 'network',
      subjectId: networkId,
      data: { invitationId },
    });
  });
}
