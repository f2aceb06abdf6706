import { and, asc, desc, eq, ilike, inArray, lt, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../../../db/client';
import {
  auditEvents,
  institutionRoles,
  institutions,
  mailOutbox,
  memberships,
  networks,
  sessions,
  users,
} from '../../../db/schema';
import type {
  AdminMembershipCreateSchema,
  AdminUserQuerySchema,
  AdminUserSchema,
  AdminUserUpdateSchema,
  AuditEventSchema,
  InstitutionCreateSchema,
  InstitutionSchema,
  NetworkCreateSchema,
  NetworkUpdateSchema,
  OutboxMailSchema,
} from '../../../shared/identity/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { isUniqueViolation } from '../../platform/db-errors';
import { conflict, forbidden, notFound } from '../../platform/errors';
import { redactOneTimeLinks } from '../../platform/mail';
import type { NotifyMail } from '../../platform/notifications';
import { revokeFeedsOfUser } from '../meetings';
import { announceSelfAppointment, getNetworkSummary, type NetworkSummary } from './networks';
import { mayChangeAdminFlags } from './policy';

type Institution = z.infer<typeof InstitutionSchema>;
type AdminUser = z.input<typeof AdminUserSchema>;
export const ADMIN_USERS_PAGE_SIZE = 50;
export const AUDIT_PAGE_SIZE = 50;
export const OUTBOX_LIMIT = 100;

const slugTaken = (what: string) =>
  conflict(`That address is already used by another ${what}.`, [
    { path: 'slug', message: `Already used by another ${what}; choose another.` },
  ]);

// ---- institutions and networks ------------------------------------------------------------------

export async function listInstitutions(db: Db): Promise<Institution[]> {
  return db
    .select({
      id: institutions.id,
      name: institutions.name,
      slug: institutions.slug,
      // Written out in full: Drizzle leaves columns unqualified in a one-table query, and an
      // unqualified "id" inside the subquery would mean the subquery's own table.
      networkCount: sql<number>`(select count(*)::int from networks n where n.institution_id = "institutions"."id")`,
    })
    .from(institutions)
    .orderBy(asc(institutions.name));
}

export async function createInstitution(
  db: Db,
  actor: Actor,
  input: z.infer<typeof InstitutionCreateSchema>,
): Promise<Institution> {
  try {
    return await db.transaction(async (tx) => {
      const [taken] = await tx
        .select({ id: institutions.id })
        .from(institutions)
        .where(eq(institutions.slug, input.slug));
      if (taken) throw slugTaken('institution');
      const [row] = await tx.insert(institutions).values(input).returning();
      await recordAudit(tx, {
        actorUserId: actor.userId,
        action: 'institutions.create',
        subjectType: 'institution',
        subjectId: row!.id,
        data: { name: row!.name, slug: row!.slug },
      });
      return { id: row!.id, name: row!.name, slug: row!.slug, networkCount: 0 };
    });
  } catch (error) {
    // Two admins racing for one slug: the unique index decides, and the loser gets the same answer.
    if (isUniqueViolation(error)) throw slugTaken('institution');
    throw error;
  }
}

export async function createNetwork(
  db: Db,
  actor: Actor,
  input: z.infer<typeof NetworkCreateSchema>,
): Promise<NetworkSummary> {
  try {
    const id = await db.transaction(async (tx) => {
      const [institution] = await tx
        .select({ id: institutions.id })
        .from(institutions)
        .where(eq(institutions.id, input.institutionId));
      if (!institution) throw notFound('That institution');
      const [taken] = await tx
        .select({ id: networks.id })
        .from(networks)
        .where(eq(networks.slug, input.slug));
      if (taken) throw slugTaken('network');
      const [row] = await tx.insert(networks).values(input).returning({ id: networks.id });
      await recordAudit(tx, {
        actorUserId: actor.userId,
        action: 'networks.create',
        subjectType: 'network',
        subjectId: row!.id,
        data: { institutionId: input.institutionId, name: input.name, slug: input.slug },
      });
      return row!.id;
    });
    return (await getNetworkSummary(db, id))!;
  } catch (error) {
    if (isUniqueViolation(error)) throw slugTaken('network');
    throw error;
  }
}

export async function updateNetwork(
  db: Db,
  actor: Actor,
  networkId: string,
  input: z.infer<typeof NetworkUpdateSchema>,
): Promise<NetworkSummary> {
  await db.transaction(async (tx) => {
    const [before] = await tx
      .select({
        name: networks.name,
        description: networks.description,
        visitorsMayRaiseConcerns: networks.visitorsMayRaiseConcerns,
      })
      .from(networks)
      .where(eq(networks.id, networkId))
      .for('update');
    if (!before) throw notFound('That network');
    const changes = Object.fromEntries(
      Object.entries(input).filter(
        ([key, value]) => value !== undefined && before[key as keyof typeof before] !== value,
      ),
    ) as Partial<typeof before>;
    if (Object.keys(changes).length === 0) return;
    await tx.update(networks).set(changes).where(eq(networks.id, networkId));
    const was = Object.fromEntries(Object.keys(changes).map((k) => [k, before[k as keyof typeof before]]));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'networks.update',
      subjectType: 'network',
      subjectId: networkId,
      data: { before: was, after: changes },
    });
  });
  return (await getNetworkSummary(db, networkId))!;
}

// ---- people -----------------------------------------------------------------------------------------

/** `%` and `_` typed into the search box are literal characters, not wildcards. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

type UserRow = {
  id: string;
  email: string;
  name: string;
  totpEnabledAt: Date | null;
  isAdmin: boolean;
  disabledAt: Date | null;
  createdAt: Date;
  networkCount: number;
  isStudent: boolean;
};

async function presentUsers(db: Db, rows: UserRow[]) {
  const ids = rows.map((r) => r.id);
  const roles = ids.length
    ? await db
        .select({ userId: institutionRoles.userId, institutionId: institutionRoles.institutionId })
        .from(institutionRoles)
        .where(and(inArray(institutionRoles.userId, ids), eq(institutionRoles.role, 'case_handler')))
        .orderBy(asc(institutionRoles.institutionId))
    : [];
  return rows.map(
    (r): AdminUser => ({
      id: r.id,
      name: r.name,
      email: r.email,
      isAdmin: r.isAdmin,
      hasTotp: r.totpEnabledAt !== null,
      disabled: r.disabledAt !== null,
      createdAt: r.createdAt.toISOString(),
      caseHandlerOf: roles.filter((x) => x.userId === r.id).map((x) => x.institutionId),
      networkCount: r.networkCount,
      isStudent: r.isStudent,
    }),
  );
}

/** Only what the admin page shows: no password hash or TOTP secret leaves the database. */
const userColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  totpEnabledAt: users.totpEnabledAt,
  isAdmin: users.isAdmin,
  disabledAt: users.disabledAt,
  createdAt: users.createdAt,
  networkCount: sql<number>`(select count(*)::int from memberships m where m.user_id = "users"."id")`,
  // For the warning before making a student an administrator or a case handler.
  isStudent: sql<boolean>`exists (select 1 from memberships m where m.user_id = "users"."id" and m.kind = 'student')`,
};

/**
 * The admin's filters as SQL: a school (members of its networks, or its case handlers), a network,
 * a role and a kind; role and kind count within the chosen school or network.
 */
function userFilters(query: z.infer<typeof AdminUserQuerySchema>) {
  const scope = query.networkId
    ? sql`m.network_id = ${query.networkId}`
    : query.institutionId
      ? sql`m.network_id in (select id from networks where institution_id = ${query.institutionId})`
      : sql`true`;
  const membership = (extra: ReturnType<typeof sql>) =>
    sql`exists (select 1 from memberships m where m.user_id = "users"."id" and ${scope} and ${extra})`;
  const handlerOf = query.institutionId
    ? sql`exists (select 1 from institution_roles r where r.user_id = "users"."id" and r.institution_id = ${query.institutionId})`
    : sql`exists (select 1 from institution_roles r where r.user_id = "users"."id")`;
  const conditions = [
    query.q
      ? or(ilike(users.name, likePattern(query.q)), ilike(users.email, likePattern(query.q)))
      : undefined,
    query.networkId ? membership(sql`true`) : undefined,
    query.institutionId && !query.networkId ? or(membership(sql`true`), handlerOf) : undefined,
    query.kind ? membership(sql`m.kind = ${query.kind}`) : undefined,
    query.role === 'admin' ? eq(users.isAdmin, true) : undefined,
    query.role === 'case_handler' ? handlerOf : undefined,
    query.role === 'lead' ? membership(sql`m.role = 'lead'`) : undefined,
    query.role === 'co_chair' ? membership(sql`m.lead_title = 'co_chair'`) : undefined,
    query.role === 'action_lead' ? membership(sql`m.lead_title = 'action_lead'`) : undefined,
  ];
  return and(...conditions);
}

/** People by name, searched by name or e-mail and filtered (see userFilters), 50 to a page. */
export async function listUsers(db: Db, query: z.infer<typeof AdminUserQuerySchema>) {
  const where = userFilters(query);
  const [rows, [total]] = await Promise.all([
    db
      .select(userColumns)
      .from(users)
      .where(where)
      .orderBy(asc(users.name), asc(users.id))
      .limit(ADMIN_USERS_PAGE_SIZE)
      .offset((query.page - 1) * ADMIN_USERS_PAGE_SIZE),
    db.select({ n: sql<number>`count(*)::int` }).from(users).where(where),
  ]);
  return {
    users: await presentUsers(db, rows),
    total: total?.n ?? 0,
    page: query.page,
    pageSize: ADMIN_USERS_PAGE_SIZE,
  };
}

async function getAdminUser(db: Db, userId: string): Promise<AdminUser | null> {
  const rows = await db.select(userColumns).from(users).where(eq(users.id, userId));
  return (await presentUsers(db, rows))[0] ?? null;
}

/**
 * Grants or removes admin rights and disables or re-enables an account. Nobody changes their own
 * flags (an instance always keeps the admin who is acting). Disabling ends every session at once.
 */
export async function updateUserFlags(
  db: Db,
  actor: Actor,
  userId: string,
  input: z.infer<typeof AdminUserUpdateSchema>,
): Promise<AdminUser> {
  await db.transaction(async (tx) => {
    const [before] = await tx
      .select({ isAdmin: users.isAdmin, disabledAt: users.disabledAt })
      .from(users)
      .where(eq(users.id, userId))
      .for('update');
    if (!before) throw notFound('That person');
    if (!mayChangeAdminFlags(actor, userId)) {
      throw forbidden('You cannot change your own administrator rights or disable your own account.');
    }
    const wasDisabled = before.disabledAt !== null;
    const isAdmin = input.isAdmin ?? before.isAdmin;
    const disabled = input.disabled ?? wasDisabled;
    if (isAdmin === before.isAdmin && disabled === wasDisabled) return;
    await tx
      .update(users)
      .set({ isAdmin, disabledAt: disabled ? (before.disabledAt ?? new Date()) : null })
      .where(eq(users.id, userId));
    if (disabled) {
      await tx.delete(sessions).where(eq(sessions.userId, userId));
      // Calendar-feed addresses stay dead if the account is enabled again: new ones must be made.
      await revokeFeedsOfUser(tx, userId);
    }
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'users.admin_flags',
      subjectType: 'user',
      subjectId: userId,
      data: { before: { isAdmin: before.isAdmin, disabled: wasDisabled }, after: { isAdmin, disabled } },
    });
  });
  return (await getAdminUser(db, userId))!;
}

async function requireInstitutionAndUser(db: Db, institutionId: string, userId: string) {
  const [institution] = await db
    .select({ id: institutions.id })
    .from(institutions)
    .where(eq(institutions.id, institutionId));
  if (!institution) throw notFound('That institution');
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId));
  if (!user) throw notFound('That person');
}

/** Takes case handling away (idempotent). Effective on the person's next request. */
export async function revokeCaseHandlerRole(db: Db, actor: Actor, institutionId: string, userId: string) {
  await db.transaction(async (tx) => {
    await requireInstitutionAndUser(tx, institutionId, userId);
    const removed = await tx
      .delete(institutionRoles)
      .where(
        and(
          eq(institutionRoles.userId, userId),
          eq(institutionRoles.institutionId, institutionId),
          eq(institutionRoles.role, 'case_handler'),
        ),
      )
      .returning({ userId: institutionRoles.userId });
    if (removed.length === 0) return;
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'institution_roles.revoke',
      subjectType: 'institution',
      subjectId: institutionId,
      data: { userId, role: 'case_handler' },
    });
  });
}

/** An admin adds an existing account to a network directly (with any role); adding oneself is announced to its co-chairs. */
export async function addMemberAsAdmin(
  db: Db,
  actor: Actor,
  networkId: string,
  input: z.infer<typeof AdminMembershipCreateSchema>,
  mail: NotifyMail | null = null,
) {
  await db.transaction(async (tx) => {
    const [network] = await tx.select({ id: networks.id }).from(networks).where(eq(networks.id, networkId));
    if (!network) throw notFound('That network');
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, input.userId));
    if (!user) throw notFound('That person');
    const { userId, ...membership } = input;
    const added = await tx
      .insert(memberships)
      .values({ userId, networkId, ...membership })
      .onConflictDoNothing()
      .returning({ userId: memberships.userId });
    if (added.length === 0) {
      throw conflict('That person is already a member of this network. Change their membership instead.');
    }
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'memberships.create',
      subjectType: 'network',
      subjectId: networkId,
      data: { userId, after: membership },
    });
    if (userId === actor.userId) await announceSelfAppointment(tx, actor, networkId, membership, mail);
  });
}

// ---- outbox and audit ---------------------------------------------------------------------------

/**
 * The newest mail, for an instance without SMTP (the dev outbox) and to check what was sent.
 * Personal notifications (about someone's concern or meeting) are listed to their recipient only:
 * who was told what would tell an admin who wrote an anonymous concern.
 */
export async function listOutbox(db: Db, viewerEmail: string): Promise<z.input<typeof OutboxMailSchema>[]> {
  const rows = await db
    .select()
    .from(mailOutbox)
    .where(or(eq(mailOutbox.personal, false), eq(mailOutbox.toAddress, viewerEmail)))
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(OUTBOX_LIMIT);
  return rows.map((m) => ({
    id: m.id,
    to: m.toAddress,
    subject: m.subject,
    // Another person's working reset or invitation link is not shown: it would let the admin act as them.
    text:
      m.toAddress.toLowerCase() === viewerEmail.toLowerCase() ? m.textBody : redactOneTimeLinks(m.textBody),
    transport: m.transport,
    createdAt: m.createdAt.toISOString(),
    sentAt: m.sentAt?.toISOString() ?? null,
  }));
}

/** The newest audit events before `before` (by sequence number), without their data payloads. */
export async function listAudit(db: Db, before?: number): Promise<z.input<typeof AuditEventSchema>[]> {
  const rows = await db
    .select({
      seq: auditEvents.seq,
      occurredAt: auditEvents.occurredAt,
      actorUserId: auditEvents.actorUserId,
      action: auditEvents.action,
      subjectType: auditEvents.subjectType,
      subjectId: auditEvents.subjectId,
    })
    .from(auditEvents)
    .where(before === undefined ? undefined : lt(auditEvents.seq, before))
    .orderBy(desc(auditEvents.seq))
    .limit(AUDIT_PAGE_SIZE);
  return rows.map((r) => ({ ...r, occurredAt: r.occurredAt.toISOString() }));
}
