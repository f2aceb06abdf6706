import { eq } from 'drizzle-orm';
import { sessions } from '../../../db/schema';
import type { Actor } from '../../platform/actor';
import { hashToken } from '../../platform/crypto';
import { createSession, loadActor } from '../../platform/sessions';
import type { TestApp, TestClient } from '../../test/app';
import { addMember, buildInstitution, buildNetwork, buildUser } from '../../test/factories';

/**
 * Test fixtures for the concerns module: a network with a student and a staff co-chair, an action
 * lead, students and a staff member; another network with a member; an admin. Each person can be
 * signed in (a real session) as a client, and as an Actor for the domain functions.
 */
export async function buildConcernsCast(t: TestApp, options: { visitorsMayRaiseConcerns?: boolean } = {}) {
  const db = t.database.db;
  const institution = await buildInstitution(db);
  const network = await buildNetwork(db, institution.id, {
    visitorsMayRaiseConcerns: options.visitorsMayRaiseConcerns ?? false,
  });
  const other = await buildNetwork(db, institution.id);
  const person = (name: string) => buildUser(db, { name });
  const people = {
    chair: await person('Amara Chair'),
    staffChair: await person('Ravi Staff-Chair'),
    actionLead: await person('Kwame Action-Lead'),
    student: await person('Yusuf Student'),
    student2: await person('Zara Student'),
    student3: await person('Ife Student'),
    staff: await person('Dr Helen Staff'),
    outsider: await person('Sam Outsider'),
    admin: await buildUser(db, { name: 'Ada Admin', isAdmin: true, totpMasterKey: t.app.services.masterKey }),
  };
  await addMember(db, {
    userId: people.chair.id,
    networkId: network.id,
    role: 'lead',
    leadTitle: 'co_chair',
    yearOfStudy: 4,
  });
  await addMember(db, {
    userId: people.staffChair.id,
    networkId: network.id,
    kind: 'staff',
    role: 'lead',
    leadTitle: 'co_chair',
  });
  await addMember(db, {
    userId: people.actionLead.id,
    networkId: network.id,
    kind: 'staff',
    role: 'lead',
    leadTitle: 'action_lead',
  });
  for (const s of [people.student, people.student2, people.student3]) {
    await addMember(db, { userId: s.id, networkId: network.id, yearOfStudy: 2 });
  }
  await addMember(db, { userId: people.staff.id, networkId: network.id, kind: 'staff' });
  await addMember(db, { userId: people.outsider.id, networkId: other.id, yearOfStudy: 3 });
  return { institution, network, other, people };
}

export type SignedIn = TestClient & { actor: Actor; userId: string };

/** A client with a real, fully verified session of this person, and their Actor. */
export async function signedIn(t: TestApp, userId: string): Promise<SignedIn> {
  const db = t.database.db;
  const token = await createSession(db, { userId, method: 'password', secondFactorDone: true, days: 1 });
  const [row] = await db
    .select({ csrf: sessions.csrfToken })
    .from(sessions)
    .where(eq(sessions.idHash, hashToken(token)));
  const client = t.client();
  client.cookie = token;
  client.csrfToken = row!.csrf;
  const actor = await loadActor(db, token);
  return Object.assign(client, { actor: actor!, userId });
}

export const validConcern = (over: Record<string, unknown> = {}) => ({
  title: 'Theatre headwear for braids and locs',
  description: 'The theatre caps do not fit over braids or locs, so students are sent out of theatre.',
  category: 'uniform_and_facilities',
  visibility: 'named',
  ...over,
});
