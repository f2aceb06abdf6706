import { and, asc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, Tx } from '../../../db/client';
import { institutions, placementProviders, supportContacts } from '../../../db/schema';
import type {
  PlacementProviderCreateSchema,
  PlacementProviderSchema,
  SupportContactCreateSchema,
  SupportContactSchema,
} from '../../../shared/speak-up/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { conflict, notFound } from '../../platform/errors';
import { isUniqueViolation } from '../../platform/db-errors';

/** An institution's placement providers and support contacts: public, shown around the report form. */

type SupportContact = z.infer<typeof SupportContactSchema>;
type PlacementProvider = z.infer<typeof PlacementProviderSchema>;

export async function assertInstitution(db: Db | Tx, institutionId: string): Promise<void> {
  const [row] = await db
    .select({ id: institutions.id })
    .from(institutions)
    .where(eq(institutions.id, institutionId))
    .limit(1);
  if (!row) throw notFound('That medical school');
}

export async function listSupportContacts(db: Db | Tx, institutionId: string): Promise<SupportContact[]> {
  return db
    .select({
      id: supportContacts.id,
      kind: supportContacts.kind,
      name: supportContacts.name,
      description: supportContacts.description,
      phone: supportContacts.phone,
      url: supportContacts.url,
    })
    .from(supportContacts)
    .where(eq(supportContacts.institutionId, institutionId))
    .orderBy(asc(supportContacts.position), asc(supportContacts.name));
}

export async function listPlacementProviders(
  db: Db | Tx,
  institutionId: string,
): Promise<PlacementProvider[]> {
  return db
    .select({ id: placementProviders.id, name: placementProviders.name })
    .from(placementProviders)
    .where(eq(placementProviders.institutionId, institutionId))
    .orderBy(asc(placementProviders.name));
}

/** The provider, if it belongs to the institution. */
export async function findProvider(
  db: Db | Tx,
  institutionId: string,
  providerId: string,
): Promise<PlacementProvider | null> {
  const [row] = await db
    .select({ id: placementProviders.id, name: placementProviders.name })
    .from(placementProviders)
    .where(and(eq(placementProviders.id, providerId), eq(placementProviders.institutionId, institutionId)))
    .limit(1);
  return row ?? null;
}

export async function createSupportContact(
  db: Db,
  actor: Actor | null,
  institutionId: string,
  input: z.infer<typeof SupportContactCreateSchema>,
): Promise<SupportContact> {
  return db.transaction(async (tx) => {
    await assertInstitution(tx, institutionId);
    const [{ next }] = (await tx
      .select({ next: sql<number>`coalesce(max(${supportContacts.position}), 0)::int + 1` })
      .from(supportContacts)
      .where(eq(supportContacts.institutionId, institutionId))) as [{ next: number }];
    const [row] = await tx
      .insert(supportContacts)
      .values({ institutionId, position: next, ...input })
      .returning();
    await recordAudit(tx, {
      actorUserId: actor?.userId ?? null,
      action: 'speak_up.support_contact_create',
      subjectType: 'institution',
      subjectId: institutionId,
      data: { contactId: row!.id, kind: row!.kind, name: row!.name },
    });
    return {
      id: row!.id,
      kind: row!.kind,
      name: row!.name,
      description: row!.description,
      phone: row!.phone,
      url: row!.url,
    };
  });
}

export async function createPlacementProvider(
  db: Db,
  actor: Actor | null,
  institutionId: string,
  input: z.infer<typeof PlacementProviderCreateSchema>,
): Promise<PlacementProvider> {
  const taken = () =>
    conflict('That provider is already on the list.', [
      { path: 'name', message: 'Already on the list for this school.' },
    ]);
  try {
    return await db.transaction(async (tx) => {
      await assertInstitution(tx, institutionId);
      const [existing] = await tx
        .select({ id: placementProviders.id })
        .from(placementProviders)
        .where(
          and(
            eq(placementProviders.institutionId, institutionId),
            sql`lower(${placementProviders.name}) = lower(${input.name})`,
          ),
        );
      if (existing) throw taken();
      const [row] = await tx
        .insert(placementProviders)
        .values({ institutionId, name: input.name })
        .returning({ id: placementProviders.id, name: placementProviders.name });
      await recordAudit(tx, {
        actorUserId: actor?.userId ?? null,
        action: 'speak_up.provider_create',
        subjectType: 'institution',
        subjectId: institutionId,
        data: { providerId: row!.id, name: row!.name },
      });
      return row!;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
}
