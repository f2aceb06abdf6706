import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, Tx } from '../../../db/client';
import {
  institutionRoles,
  institutions,
  meetings,
  memberships,
  networks,
  oneTimeTokens,
  placementProviders,
  schoolSettings,
  supportContacts,
  users,
} from '../../../db/schema';
import type { SetUpChecklistSchema } from '../../../shared/speak-up/schema';
import {
  type DirectoryAdminSchema,
  type PlacementProviderAdminSchema,
  PlacementProviderCreateSchema,
  type PlacementProviderSchema,
  type ReadinessSchema,
  type SupportContactAdminSchema,
  SupportContactCreateSchema,
  type SupportContactSchema,
} from '../../../shared/speak-up/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { isUniqueViolation } from '../../platform/db-errors';
import { AppError, conflict, invalid, notFound } from '../../platform/errors';

/**
 * An institution's placement providers and support contacts (public, shown around the report
 * form), and whether the school is ready to take reports. Contacts and providers are retired,
 * never deleted: a report keeps the provider it named.
 */

type SupportContact = z.infer<typeof SupportContactSchema>;
type PlacementProvider = z.infer<typeof PlacementProviderSchema>;
type SupportContactAdmin = z.input<typeof SupportContactAdminSchema>;
type PlacementProviderAdmin = z.input<typeof PlacementProviderAdminSchema>;
type Readiness = z.infer<typeof ReadinessSchema>;

export async function assertInstitution(db: Db | Tx, institutionId: string): Promise<void> {
  const [row] = await db
    .select({ id: institutions.id })
    .from(institutions)
    .where(eq(institutions.id, institutionId))
    .limit(1);
  if (!row) throw notFound('That medical school');
}

const contactColumns = {
  id: supportContacts.id,
  kind: supportContacts.kind,
  name: supportContacts.name,
  description: supportContacts.description,
  phone: supportContacts.phone,
  url: supportContacts.url,
  urgent: supportContacts.urgent,
};

/** The current support contacts, in the admin's order. */
export async function listSupportContacts(db: Db | Tx, institutionId: string): Promise<SupportContact[]> {
  return db
    .select(contactColumns)
    .from(supportContacts)
    .where(and(eq(supportContacts.institutionId, institutionId), isNull(supportContacts.retiredAt)))
    .orderBy(asc(supportContacts.position), asc(supportContacts.name));
}

/** The current placement providers, in the admin's order: the report form's list. */
export async function listPlacementProviders(
  db: Db | Tx,
  institutionId: string,
): Promise<PlacementProvider[]> {
  return db
    .select({ id: placementProviders.id, name: placementProviders.name })
    .from(placementProviders)
    .where(and(eq(placementProviders.institutionId, institutionId), isNull(placementProviders.retiredAt)))
    .orderBy(asc(placementProviders.position), asc(placementProviders.name));
}

/** The provider, if it belongs to the institution and is not retired (a new report cannot name a retired one). */
export async function findProvider(
  db: Db | Tx,
  institutionId: string,
  providerId: string,
): Promise<PlacementProvider | null> {
  const [row] = await db
    .select({ id: placementProviders.id, name: placementProviders.name })
    .from(placementProviders)
    .where(
      and(
        eq(placementProviders.id, providerId),
        eq(placementProviders.institutionId, institutionId),
        isNull(placementProviders.retiredAt),
      ),
    )
    .limit(1);
  return row ?? null;
}

// ---- readiness ------------------------------------------------------------------------------------

/** What the school still lacks before it may take reports (see ReadinessSchema). */
export async function readiness(db: Db | Tx, institutionId: string): Promise<Readiness> {
  const [row] = (await db
    .select({
      caseHandler: sql<boolean>`exists (
        select 1 from ${institutionRoles} r join ${users} u on u.id = r.user_id
        where r.institution_id = ${institutionId} and r.role = 'case_handler'
          and u.totp_enabled_at is not null and u.disabled_at is null)`,
      supportContact: sql<boolean>`exists (
        select 1 from ${supportContacts} c
        where c.institution_id = ${institutionId} and c.retired_at is null)`,
      urgentContact: sql<boolean>`exists (
        select 1 from ${supportContacts} c
        where c.institution_id = ${institutionId} and c.retired_at is null and c.urgent)`,
      placementProviders: sql<boolean>`exists (
        select 1 from ${placementProviders} p
        where p.institution_id = ${institutionId} and p.retired_at is null)
        or exists (select 1 from ${schoolSettings} s
        where s.institution_id = ${institutionId} and s.no_placement_providers)`,
    })
    .from(institutions)
    .where(eq(institutions.id, institutionId))) as [Omit<Readiness, 'open'> | undefined];
  if (!row) throw notFound('That medical school');
  const open = row.caseHandler && row.supportContact && row.urgentContact && row.placementProviders;
  return { open, ...row };
}

/**
 * Refuses a report the school cannot yet receive: nobody could read it, or the reporter could
 * not be pointed to help. Called by every submission path before anything is sealed or stored.
 */
export async function assertReportingOpen(db: Db | Tx, institutionId: string): Promise<void> {
  await assertInstitution(db, institutionId);
  if (!(await readiness(db, institutionId)).open) {
    throw new AppError(
      'conflict',
      'This school is still setting up its speak-up service and cannot take reports yet. Nothing was sent. ' +
        'If you are in danger call 999; for urgent medical help call 111; otherwise talk to your personal tutor or student support.',
    );
  }
}

// ---- administration -------------------------------------------------------------------------------

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Everything the admin manages for a school: current contacts and providers in order, then retired ones. */
export async function directoryForAdmin(
  db: Db,
  institutionId: string,
): Promise<z.input<typeof DirectoryAdminSchema>> {
  await assertInstitution(db, institutionId);
  const contacts = await db
    .select({ ...contactColumns, retiredAt: supportContacts.retiredAt })
    .from(supportContacts)
    .where(eq(supportContacts.institutionId, institutionId))
    .orderBy(
      sql`${supportContacts.retiredAt} is not null`,
      asc(supportContacts.position),
      asc(supportContacts.name),
    );
  const providers = await db
    .select({
      id: placementProviders.id,
      name: placementProviders.name,
      retiredAt: placementProviders.retiredAt,
    })
    .from(placementProviders)
    .where(eq(placementProviders.institutionId, institutionId))
    .orderBy(
      sql`${placementProviders.retiredAt} is not null`,
      asc(placementProviders.position),
      asc(placementProviders.name),
    );
  const [settings] = await db
    .select({ none: schoolSettings.noPlacementProviders })
    .from(schoolSettings)
    .where(eq(schoolSettings.institutionId, institutionId));
  return {
    supportContacts: contacts.map((c): SupportContactAdmin => ({ ...c, retiredAt: iso(c.retiredAt) })),
    placementProviders: providers.map((p): PlacementProviderAdmin => ({ ...p, retiredAt: iso(p.retiredAt) })),
    noPlacementProviders: settings?.none ?? false,
  };
}

async function nextPosition(
  tx: Tx,
  table: typeof supportContacts | typeof placementProviders,
  institutionId: string,
) {
  const [{ next }] = (await tx
    .select({ next: sql<number>`coalesce(max(${table.position}), 0)::int + 1` })
    .from(table)
    .where(eq(table.institutionId, institutionId))) as [{ next: number }];
  return next;
}

export async function createSupportContact(
  db: Db,
  actor: Actor | null,
  institutionId: string,
  input: z.input<typeof SupportContactCreateSchema>,
): Promise<SupportContact> {
  const values = SupportContactCreateSchema.parse(input);
  return db.transaction(async (tx) => {
    await assertInstitution(tx, institutionId);
    const position = await nextPosition(tx, supportContacts, institutionId);
    const [row] = await tx
      .insert(supportContacts)
      .values({ institutionId, position, ...values })
      .returning(contactColumns);
    await recordAudit(tx, {
      actorUserId: actor?.userId ?? null,
      action: 'speak_up.support_contact_create',
      subjectType: 'institution',
      subjectId: institutionId,
      data: { contactId: row!.id, kind: row!.kind, name: row!.name, urgent: row!.urgent },
    });
    return row!;
  });
}

/** Locks one of the school's contacts for a change; another school's (or an unknown id) is a 404. */
async function lockContact(tx: Tx, institutionId: string, contactId: string) {
  const [row] = await tx
    .select({ id: supportContacts.id, retiredAt: supportContacts.retiredAt })
    .from(supportContacts)
    .where(and(eq(supportContacts.id, contactId), eq(supportContacts.institutionId, institutionId)))
    .for('update');
  if (!row) throw notFound('That support contact');
  return row;
}

export async function updateSupportContact(
  db: Db,
  actor: Actor,
  institutionId: string,
  contactId: string,
  input: z.input<typeof SupportContactCreateSchema>,
): Promise<SupportContact> {
  const values = SupportContactCreateSchema.parse(input);
  return db.transaction(async (tx) => {
    const current = await lockContact(tx, institutionId, contactId);
    if (current.retiredAt) throw conflict('That support contact is retired: add it again instead.');
    const [row] = await tx
      .update(supportContacts)
      .set(values)
      .where(eq(supportContacts.id, contactId))
      .returning(contactColumns);
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'speak_up.support_contact_update',
      subjectType: 'institution',
      subjectId: institutionId,
      data: { contactId, kind: row!.kind, name: row!.name, urgent: row!.urgent },
    });
    return row!;
  });
}

export async function retireSupportContact(db: Db, actor: Actor, institutionId: string, contactId: string) {
  await db.transaction(async (tx) => {
    const current = await lockContact(tx, institutionId, contactId);
    if (current.retiredAt) return;
    await tx.update(supportContacts).set({ retiredAt: new Date() }).where(eq(supportContacts.id, contactId));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'speak_up.support_contact_retire',
      subjectType: 'institution',
      subjectId: institutionId,
      data: { contactId },
    });
  });
}

const providerTaken = () =>
  conflict('That provider is already on the list.', [
    { path: 'name', message: 'Already on the list for this school (perhaps retired).' },
  ]);

async function withProviderNameCheck<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw providerTaken();
    throw error;
  }
}

async function assertProviderNameFree(tx: Tx, institutionId: string, name: string, except?: string) {
  const [existing] = await tx
    .select({ id: placementProviders.id })
    .from(placementProviders)
    .where(
      and(
        eq(placementProviders.institutionId, institutionId),
        sql`lower(${placementProviders.name}) = lower(${name})`,
        except ? sql`${placementProviders.id} <> ${except}` : undefined,
      ),
    );
  if (existing) throw providerTaken();
}

export async function createPlacementProvider(
  db: Db,
  actor: Actor | null,
  institutionId: string,
  input: z.input<typeof PlacementProviderCreateSchema>,
): Promise<PlacementProvider> {
  const { name } = PlacementProviderCreateSchema.parse(input);
  return withProviderNameCheck(() =>
    db.transaction(async (tx) => {
      await assertInstitution(tx, institutionId);
      await assertProviderNameFree(tx, institutionId, name);
      const position = await nextPosition(tx, placementProviders, institutionId);
      const [row] = await tx
        .insert(placementProviders)
        .values({ institutionId, name, position })
        .returning({ id: placementProviders.id, name: placementProviders.name });
      await recordAudit(tx, {
        actorUserId: actor?.userId ?? null,
        action: 'speak_up.provider_create',
        subjectType: 'institution',
        subjectId: institutionId,
        data: { providerId: row!.id, name: row!.name },
      });
      return row!;
    }),
  );
}

async function lockProvider(tx: Tx, institutionId: string, providerId: string) {
  const [row] = await tx
    .select({
      id: placementProviders.id,
      name: placementProviders.name,
      retiredAt: placementProviders.retiredAt,
    })
    .from(placementProviders)
    .where(and(eq(placementProviders.id, providerId), eq(placementProviders.institutionId, institutionId)))
    .for('update');
  if (!row) throw notFound('That placement provider');
  return row;
}

/** Renames a provider (a trust's new name): the reports that name it show the new name. */
export async function updatePlacementProvider(
  db: Db,
  actor: Actor,
  institutionId: string,
  providerId: string,
  input: z.input<typeof PlacementProviderCreateSchema>,
): Promise<PlacementProvider> {
  const { name } = PlacementProviderCreateSchema.parse(input);
  return withProviderNameCheck(() =>
    db.transaction(async (tx) => {
      const current = await lockProvider(tx, institutionId, providerId);
      if (current.retiredAt) throw conflict('That provider is retired: it cannot be renamed.');
      await assertProviderNameFree(tx, institutionId, name, providerId);
      await tx.update(placementProviders).set({ name }).where(eq(placementProviders.id, providerId));
      await recordAudit(tx, {
        actorUserId: actor.userId,
        action: 'speak_up.provider_update',
        subjectType: 'institution',
        subjectId: institutionId,
        data: { providerId, from: current.name, name },
      });
      return { id: providerId, name };
    }),
  );
}

/** Takes a provider off the report form; reports that already name it keep it. */
export async function retirePlacementProvider(
  db: Db,
  actor: Actor,
  institutionId: string,
  providerId: string,
) {
  await db.transaction(async (tx) => {
    const current = await lockProvider(tx, institutionId, providerId);
    if (current.retiredAt) return;
    await tx
      .update(placementProviders)
      .set({ retiredAt: new Date() })
      .where(eq(placementProviders.id, providerId));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'speak_up.provider_retire',
      subjectType: 'institution',
      subjectId: institutionId,
      data: { providerId, name: current.name },
    });
  });
}

/**
 * Puts the school's current contacts (or providers) in the given order. The list must name each
 * current one exactly once: a stale page (one added or retired meanwhile) is refused, not guessed.
 */
export async function reorderDirectory(
  db: Db,
  actor: Actor,
  institutionId: string,
  which: 'support_contacts' | 'placement_providers',
  ids: string[],
) {
  const table = which === 'support_contacts' ? supportContacts : placementProviders;
  await db.transaction(async (tx) => {
    await assertInstitution(tx, institutionId);
    const current = await tx
      .select({ id: table.id })
      .from(table)
      .where(and(eq(table.institutionId, institutionId), isNull(table.retiredAt)))
      .for('update');
    const known = new Set(current.map((r) => r.id));
    if (new Set(ids).size !== ids.length || ids.length !== known.size || !ids.every((id) => known.has(id))) {
      throw invalid('The list changed since the page was loaded. Reload the page and try again.', [
        { path: 'ids', message: 'Name every current entry exactly once.' },
      ]);
    }
    for (const [index, id] of ids.entries()) {
      await tx
        .update(table)
        .set({ position: index + 1 })
        .where(eq(table.id, id));
    }
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: which === 'support_contacts' ? 'speak_up.support_contact_reorder' : 'speak_up.provider_reorder',
      subjectType: 'institution',
      subjectId: institutionId,
      data: { ids },
    });
  });
}

/** Records that the school has no placement providers (or takes that back). */
export async function setNoPlacementProviders(
  db: Db,
  actor: Actor | null,
  institutionId: string,
  none: boolean,
) {
  await db.transaction(async (tx) => {
    await assertInstitution(tx, institutionId);
    await tx
      .insert(schoolSettings)
      .values({ institutionId, noPlacementProviders: none })
      .onConflictDoUpdate({
        target: schoolSettings.institutionId,
        set: { noPlacementProviders: none, updatedAt: new Date() },
      });
    await recordAudit(tx, {
      actorUserId: actor?.userId ?? null,
      action: 'speak_up.no_placement_providers',
      subjectType: 'institution',
      subjectId: institutionId,
      data: { noPlacementProviders: none },
    });
  });
}

// ---- the admin's set-up checklist ---------------------------------------------------------------

/**
 * A school's first hour, step by step, each ticked by what exists (nothing is ticked by hand):
 * networks, a co-chair in every network, a case handler with 2FA, support contacts (one urgent),
 * placement providers (or "none"), a cohort imported or invited, a first meeting. It reads the
 * identity and meetings tables directly (counts only): it is the one view across the modules.
 */
export async function setUpChecklist(
  db: Db,
  institutionId: string,
): Promise<z.infer<typeof SetUpChecklistSchema>> {
  const ready = await readiness(db, institutionId);
  const own = await db
    .select({
      id: networks.id,
      slug: networks.slug,
      name: networks.name,
      coChair: sql<boolean>`exists (select 1 from ${memberships} m where m.network_id = ${networks.id}
        and m.role = 'lead' and m.lead_title = 'co_chair')`,
      invited: sql<boolean>`exists (select 1 from ${oneTimeTokens} o where o.purpose = 'invitation'
        and o.payload->>'networkId' = ${networks.id}::text)`,
      met: sql<boolean>`exists (select 1 from ${meetings} g where g.network_id = ${networks.id})`,
    })
    .from(networks)
    .where(eq(networks.institutionId, institutionId))
    .orderBy(asc(networks.name));
  const withoutCoChair = own.find((n) => !n.coChair);
  const first = own[0];
  const networkLink = (n: { slug: string } | undefined, hash = '') =>
    n ? `/networks/${encodeURIComponent(n.slug)}${hash}` : '/admin/institutions';
  const directory = `/admin/institutions/${institutionId}/speak-up`;
  return {
    open: ready.open,
    steps: [
      { key: 'institution', label: 'Add the institution', done: true, href: '/admin/institutions' },
      {
        key: 'networks',
        label: 'Add its networks',
        done: own.length > 0,
        href: '/admin/institutions#add-network',
      },
      {
        key: 'co_chairs',
        label: 'Give every network a co-chair',
        done: own.length > 0 && !withoutCoChair,
        href: withoutCoChair ? networkLink(withoutCoChair, '#members') : networkLink(first, '#members'),
      },
      {
        key: 'case_handlers',
        label: 'Name a case handler (who sets up two-factor authentication)',
        done: ready.caseHandler,
        href: '/admin/users',
      },
      {
        key: 'support_contacts',
        label: 'List support contacts, one of them urgent (999/111, out of hours)',
        done: ready.supportContact && ready.urgentContact,
        href: `${directory}#support-contacts`,
      },
      {
        key: 'placement_providers',
        label: 'List placement providers, or say there are none',
        done: ready.placementProviders,
        href: `${directory}#placement-providers`,
      },
      {
        key: 'cohort_import',
        label: 'Import the cohort',
        done: own.some((n) => n.invited),
        href: networkLink(first, '#import'),
      },
      {
        key: 'first_meeting',
        label: 'Plan the first meeting',
        done: own.some((n) => n.met),
        href: networkLink(first, '/meetings'),
      },
    ],
  };
}
