import crypto from 'node:crypto';
import type { Db } from '../../db/client';
import { institutionRoles, institutions, memberships, networks, users } from '../../db/schema';
import { hashPassword, newTotpSecret } from '../modules/identity/credentials';
import { createSupportContact, readiness, setNoPlacementProviders } from '../modules/speak-up/directory';
import { seal } from '../platform/crypto';

export const TEST_PASSWORD = 'correct horse battery staple';
let cachedHash: Promise<string> | null = null;
const passwordHash = () => {
  cachedHash ??= hashPassword(TEST_PASSWORD);
  return cachedHash;
};
const unique = () => crypto.randomBytes(4).toString('hex');

export async function buildUser(
  db: Db,
  overrides: Partial<typeof users.$inferInsert> & { totpMasterKey?: Buffer } = {},
): Promise<{ id: string; email: string; name: string; totpSecret: string | null }> {
  const { totpMasterKey, ...values } = overrides;
  const totpSecret = totpMasterKey ? newTotpSecret() : null;
  const [user] = await db
    .insert(users)
    .values({
      email: `person-${unique()}@example.ac.uk`,
      name: `Person ${unique()}`,
      passwordHash: await passwordHash(),
      ...(totpSecret && totpMasterKey
        ? { totpSecretSealed: seal(totpMasterKey, 'totp-secret', totpSecret), totpEnabledAt: new Date() }
        : {}),
      ...values,
    })
    .returning();
  return { id: user!.id, email: user!.email, name: user!.name, totpSecret };
}

export async function buildInstitution(db: Db, overrides: Partial<typeof institutions.$inferInsert> = {}) {
  const [row] = await db
    .insert(institutions)
    .values({ name: `Medical School ${unique()}`, slug: `school-${unique()}`, ...overrides })
    .returning();
  return row!;
}

export async function buildNetwork(
  db: Db,
  institutionId: string,
  overrides: Partial<typeof networks.$inferInsert> = {},
) {
  const [row] = await db
    .insert(networks)
    .values({ institutionId, name: `Network ${unique()}`, slug: `network-${unique()}`, ...overrides })
    .returning();
  return row!;
}

export async function addMember(
  db: Db,
  input: { userId: string; networkId: string } & Partial<typeof memberships.$inferInsert>,
) {
  const kind = input.kind ?? 'student';
  await db.insert(memberships).values({
    kind,
    yearOfStudy: kind === 'student' ? (input.yearOfStudy ?? 2) : null,
    role: input.role ?? 'member',
    leadTitle: input.role === 'lead' ? (input.leadTitle ?? 'co_chair') : null,
    ...input,
  });
}

export async function grantCaseHandler(db: Db, userId: string, institutionId: string) {
  await db.insert(institutionRoles).values({ userId, institutionId, role: 'case_handler' });
}

/**
 * Makes a school ready to take reports (see speak-up `readiness`): an urgent support contact,
 * "no placement providers" unless it has some, and a case handler with TOTP unless it has one.
 */
export async function readySpeakUp(db: Db, institutionId: string, masterKey: Buffer) {
  const before = await readiness(db, institutionId);
  if (!before.urgentContact) {
    await createSupportContact(db, null, institutionId, {
      kind: 'police_hate_crime',
      name: 'Emergency services',
      description: 'In an emergency call 999; for urgent medical help call 111.',
      phone: '999',
      urgent: true,
    });
  }
  if (!before.placementProviders) await setNoPlacementProviders(db, null, institutionId, true);
  if (!before.caseHandler) {
    const handler = await buildUser(db, { totpMasterKey: masterKey });
    await grantCaseHandler(db, handler.id, institutionId);
  }
}
