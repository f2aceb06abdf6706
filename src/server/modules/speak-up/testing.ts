import { and, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { z } from 'zod';
import { reports } from '../../../db/schema';
import type { ReportSubmissionSchema } from '../../../shared/speak-up/schema';

type ReportInput = z.input<typeof ReportSubmissionSchema>;

import type { TestApp, TestClient } from '../../test/app';
import {
  addMember,
  buildInstitution,
  buildNetwork,
  buildUser,
  grantCaseHandler,
  TEST_PASSWORD,
} from '../../test/factories';
import { totpNow } from '../identity';
import { createPlacementProvider, createSupportContact } from './directory';

/** Test helpers for the speak-up module (not shipped behaviour). */

export type Person = { id: string; email: string; name: string; totpSecret: string | null };

const signedIn = new WeakMap<TestApp, Map<string, TestClient>>();

/**
 * A client signed in as this person (with the second factor). Cached per person: a TOTP code is
 * accepted once, so a second sign-in within the same 30 seconds would be refused.
 */
export async function signIn(t: TestApp, user: Person): Promise<TestClient> {
  const cache = signedIn.get(t) ?? new Map<string, TestClient>();
  signedIn.set(t, cache);
  const cached = cache.get(user.id);
  if (cached) return cached;
  const c = t.client();
  cache.set(user.id, c);
  const r = await c.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
  expect(r.statusCode).toBe(200);
  if (user.totpSecret) {
    expect((await c.post('/api/auth/second-factor', { code: totpNow(user.totpSecret) })).statusCode).toBe(
      200,
    );
  }
  return c;
}

/** A school with two placement providers, support contacts, two case handlers, a lead and a member. */
export async function buildSchool(t: TestApp, names: { handler?: string } = {}) {
  const db = t.database.db;
  const masterKey = t.app.services.masterKey;
  const institution = await buildInstitution(db);
  const network = await buildNetwork(db, institution.id);
  const providerA = await createPlacementProvider(db, null, institution.id, {
    name: `Northfield Teaching Hospitals NHS Trust ${institution.slug}`,
  });
  const providerB = await createPlacementProvider(db, null, institution.id, { name: 'Ashby Vale NHS Trust' });
  await createSupportContact(db, null, institution.id, {
    kind: 'wellbeing',
    name: 'Student Wellbeing Service',
    description: 'Confidential support, weekdays 9–5.',
    phone: '01632 960000',
    url: 'https://wellbeing.example.ac.uk',
  });
  await createSupportContact(db, null, institution.id, {
    kind: 'police_hate_crime',
    name: 'Report a hate crime',
    description: 'Call 999 in an emergency, 101 otherwise.',
    phone: '101',
    url: null,
    urgent: true,
  });
  const handler = await buildUser(db, {
    totpMasterKey: masterKey,
    ...(names.handler ? { name: names.handler } : {}),
  });
  const colleague = await buildUser(db, { totpMasterKey: masterKey });
  await grantCaseHandler(db, handler.id, institution.id);
  await grantCaseHandler(db, colleague.id, institution.id);
  const lead = await buildUser(db);
  const member = await buildUser(db);
  await addMember(db, { userId: lead.id, networkId: network.id, role: 'lead' });
  await addMember(db, { userId: member.id, networkId: network.id });
  return { institution, network, providerA, providerB, handler, colleague, lead, member };
}

/** A complete, valid anonymous report body. */
export function reportBody(
  institutionId: string,
  overrides: Partial<ReportInput> = {},
): Record<string, unknown> {
  return {
    institutionId,
    when: { kind: 'date', date: '2026-01-08' },
    where: { setting: 'campus', location: 'Lecture theatre 2, Medical School building' },
    who: { roles: ['fellow_student'], names: 'A student in my PBL group' },
    involvement: 'directed_at_me',
    whatHappened: 'During a teaching session a fellow student made a racist remark about my name.',
    effect: 'I did not want to go back to the group.',
    outcomeWanted: 'support',
    assessmentProtection: false,
    ...overrides,
  };
}

/** Submits an anonymous report through the API and returns the reference and receipt code. */
export async function submit(
  t: TestApp,
  institutionId: string,
  overrides: Partial<ReportInput> = {},
): Promise<{ reference: string; receipt: string; id: string }> {
  const r = await t.client().post('/api/speak-up/reports', reportBody(institutionId, overrides));
  expect(r.statusCode, r.body).toBe(201);
  const { reference, receipt } = r.json() as { reference: string; receipt: string };
  const [row] = await t.database.db
    .select({ id: reports.id })
    .from(reports)
    .where(and(eq(reports.institutionId, institutionId), eq(reports.reference, reference)));
  return { reference, receipt, id: row!.id };
}
