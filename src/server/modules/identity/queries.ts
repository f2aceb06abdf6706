import { eq, inArray } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../../../db/client';
import { institutions, memberships, networks } from '../../../db/schema';
import type { SessionInfoSchema } from '../../../shared/identity/schema';
import type { Actor } from '../../platform/actor';

export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** What the web app needs to know about the current session: stage, CSRF token, who, and their roles. */
export async function getSessionInfo(db: Db, actor: Actor | null): Promise<SessionInfo> {
  if (!actor) return { stage: 'signed_out', csrfToken: null, user: null, memberships: [], caseHandlerOf: [] };
  const stage = !actor.secondFactorDone ? 'second_factor' : actor.mustEnrolTotp ? 'enrol_totp' : 'signed_in';
  const user = {
    id: actor.userId,
    name: actor.name,
    email: actor.email,
    isAdmin: actor.isAdmin,
    hasTotp: actor.hasTotp,
    mustEnrolTotp: actor.mustEnrolTotp,
  };
  if (stage !== 'signed_in')
    return { stage, csrfToken: actor.csrfToken, user, memberships: [], caseHandlerOf: [] };
  const [myMemberships, handlerOf] = await Promise.all([
    db
      .select({
        networkId: networks.id,
        networkName: networks.name,
        networkSlug: networks.slug,
        institutionId: institutions.id,
        institutionName: institutions.name,
        kind: memberships.kind,
        yearOfStudy: memberships.yearOfStudy,
        role: memberships.role,
        leadTitle: memberships.leadTitle,
      })
      .from(memberships)
      .innerJoin(networks, eq(networks.id, memberships.networkId))
      .innerJoin(institutions, eq(institutions.id, networks.institutionId))
      .where(eq(memberships.userId, actor.userId))
      .orderBy(networks.name),
    actor.caseHandlerOf.length
      ? db
          .select({ institutionId: institutions.id, institutionName: institutions.name })
          .from(institutions)
          .where(inArray(institutions.id, actor.caseHandlerOf))
      : Promise.resolve([]),
  ]);
  return { stage, csrfToken: actor.csrfToken, user, memberships: myMemberships, caseHandlerOf: handlerOf };
}
