import { and, eq, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client';
import { memberships, networks, users } from '../../../db/schema';
import type { Actor } from '../../platform/actor';
import { forbidden, notFound } from '../../platform/errors';
import type { NotifyMail } from '../../platform/notifications';
import type { Services } from '../../platform/services';
import { mayManageMeetings, maySeeMeetings } from './policy';

/**
 * Loading a network's records for the meetings module and applying the policy: what the actor
 * may not see is not there (404); what they see but may not change is a 403.
 */

export type Kind = 'student' | 'staff' | 'alumnus';

/** Asserts the actor sees the network's meetings; `what` names the record in the 404. */
export function assertSees(actor: Actor | null, networkId: string, what: string): asserts actor is Actor {
  if (!maySeeMeetings(actor, networkId)) throw notFound(what);
}

export function assertManages(actor: Actor | null, networkId: string, what: string): asserts actor is Actor {
  assertSees(actor, networkId, what);
  if (!mayManageMeetings(actor, networkId)) {
    throw forbidden('Only the network’s leads (and admins) may do that.');
  }
}

export async function loadNetwork(db: Db | Tx, networkId: string) {
  const [network] = await db
    .select({ id: networks.id, name: networks.name, slug: networks.slug, createdAt: networks.createdAt })
    .from(networks)
    .where(eq(networks.id, networkId));
  if (!network) throw notFound('That network');
  return network;
}

export type Member = {
  userId: string;
  name: string;
  email: string;
  kind: Kind;
  yearOfStudy: number | null;
  role: 'member' | 'lead';
  leadTitle: 'co_chair' | 'action_lead' | null;
};

/** The network's current members whose accounts are active. */
export async function networkMembers(db: Db | Tx, networkId: string): Promise<Member[]> {
  return db
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      kind: memberships.kind,
      yearOfStudy: memberships.yearOfStudy,
      role: memberships.role,
      leadTitle: memberships.leadTitle,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.networkId, networkId), isNull(users.disabledAt)))
    .orderBy(users.name);
}

/** The e-mail side of notifications: the mailer and the public address for links. */
export const mailOf = (services: Pick<Services, 'mailer' | 'config'>): NotifyMail => ({
  mailer: services.mailer,
  publicUrl: services.config.publicUrl,
});

export const pollLink = (id: string) => `/polls/${id}`;
export const meetingLink = (id: string) => `/meetings/${id}`;

export const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Kept here for the module's own callers; the helper itself lives in platform. */
export { actorFor } from '../../platform/actor-for';
