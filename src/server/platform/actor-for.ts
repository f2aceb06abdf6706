import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client';
import { memberships, networks, users } from '../../db/schema';
import type { Actor } from './actor';
import { notFound } from './errors';

/**
 * The actor of a person without a session (demo data, benchmarks, test fixtures), read from
 * their account and memberships as a session would.
 */
export async function actorFor(db: Db | Tx, userId: string): Promise<Actor> {
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name, isAdmin: users.isAdmin })
    .from(users)
    .where(eq(users.id, userId));
  if (!user) throw notFound('That person');
  const rows = await db
    .select({
      networkId: memberships.networkId,
      institutionId: networks.institutionId,
      kind: memberships.kind,
      yearOfStudy: memberships.yearOfStudy,
      role: memberships.role,
      leadTitle: memberships.leadTitle,
    })
    .from(memberships)
    .innerJoin(networks, eq(networks.id, memberships.networkId))
    .where(eq(memberships.userId, userId));
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    isAdmin: user.isAdmin,
    sessionIdHash: '',
    csrfToken: '',
    hasTotp: true,
    secondFactorDone: true,
    mustEnrolTotp: false,
    memberships: rows,
    caseHandlerOf: [],
  };
}
