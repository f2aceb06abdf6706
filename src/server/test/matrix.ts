import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, queryRows } from '../../db/client';
import { oneTimeTokens, sessions } from '../../db/schema';
import type { App } from '../app';
import { addReporterAttachment } from '../modules/speak-up/attachments';
import { submitReport } from '../modules/speak-up/reports';
import { hashToken, randomToken } from '../platform/crypto';
import type { Services } from '../platform/services';
import { CSRF_HEADER, SESSION_COOKIE } from '../platform/sessions';
import { type ChangeTracker, trackChanges } from '../resilience/changes';
import { createTestApp, type TestApp } from './app';
import {
  addMember,
  buildInstitution,
  buildNetwork,
  buildUser,
  grantCaseHandler,
  readySpeakUp,
} from './factories';

export const ROLES = ['visitor', 'member', 'lead', 'caseHandler', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A fresh cast for one route: so what one role's allowed request changes cannot affect the next route. */
export type Fixture = {
  institutionId: string;
  otherInstitutionId: string;
  networkId: string;
  networkSlug: string;
  otherNetworkId: string;
  users: Record<Exclude<Role, 'visitor'>, { id: string; email: string }>;
  /** A plain member of the network: the subject of membership changes. */
  target: { id: string; email: string };
  /** Someone with no membership at all. */
  loner: { id: string; email: string };
  invitationToken: string;
  resetToken: string;
  sessions: Record<Exclude<Role, 'visitor'>, { token: string; csrf: string }>;
  /**
   * Speak-up: an anonymous report in the institution, and a named one by the member. Built only
   * when asked for (receipts are slow to hash on purpose); otherwise ids that match nothing.
   */
  speakUp: { reportId: string; receipt: string; namedReportId: string; attachmentId: string };
};

async function sessionFor(db: Db, userId: string) {
  const token = randomToken(32);
  const csrf = randomToken(24);
  await db.insert(sessions).values({
    idHash: hashToken(token),
    userId,
    csrfToken: csrf,
    authMethod: 'password',
    secondFactorAt: new Date(),
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  return { token, csrf };
}

export async function buildFixture(
  db: Db,
  keys: Pick<Services, 'masterKey' | 'reportKeys'>,
  options: { speakUp?: boolean } = {},
): Promise<Fixture> {
  const { masterKey } = keys;
  const institution = await buildInstitution(db);
  const otherInstitution = await buildInstitution(db);
  const network = await buildNetwork(db, institution.id);
  const otherNetwork = await buildNetwork(db, otherInstitution.id);
  const member = await buildUser(db);
  const lead = await buildUser(db);
  const caseHandler = await buildUser(db, { totpMasterKey: masterKey });
  const admin = await buildUser(db, { isAdmin: true, totpMasterKey: masterKey });
  const target = await buildUser(db);
  const loner = await buildUser(db);
  await addMember(db, { userId: member.id, networkId: network.id, kind: 'student', yearOfStudy: 3 });
  await addMember(db, {
    userId: lead.id,
    networkId: network.id,
    kind: 'student',
    yearOfStudy: 4,
    role: 'lead',
    leadTitle: 'co_chair',
  });
  await addMember(db, { userId: target.id, networkId: network.id, kind: 'staff' });
  await addMember(db, { userId: caseHandler.id, networkId: otherNetwork.id, kind: 'staff' });
  await grantCaseHandler(db, caseHandler.id, institution.id);
  await readySpeakUp(db, institution.id, masterKey);
  const invitationToken = randomToken(32);
  const resetToken = randomToken(32);
  await db.insert(oneTimeTokens).values([
    {
      purpose: 'invitation',
      tokenHash: hashToken(invitationToken),
      email: `invitee-${crypto.randomBytes(4).toString('hex')}@example.ac.uk`,
      payload: { networkId: network.id, kind: 'student', yearOfStudy: 1, name: 'Invitee' },
      expiresAt: new Date(Date.now() + 86_400_000),
    },
    {
      purpose: 'password_reset',
      tokenHash: hashToken(resetToken),
      userId: target.id,
      expiresAt: new Date(Date.now() + 3_600_000),
    },
  ]);
  const users = { member, lead, caseHandler, admin };
  const speakUp = options.speakUp
    ? await buildSpeakUpFixture(db, keys, institution.id, member)
    : {
        reportId: crypto.randomUUID(),
        receipt: '0000-0000-0000-0000-0000',
        namedReportId: crypto.randomUUID(),
        attachmentId: crypto.randomUUID(),
      };
  return {
    institutionId: institution.id,
    otherInstitutionId: otherInstitution.id,
    networkId: network.id,
    networkSlug: network.slug,
    otherNetworkId: otherNetwork.id,
    users,
    target,
    loner,
    invitationToken,
    resetToken,
    speakUp,
    sessions: {
      member: await sessionFor(db, member.id),
      lead: await sessionFor(db, lead.id),
      caseHandler: await sessionFor(db, caseHandler.id),
      admin: await sessionFor(db, admin.id),
    },
  };
}

/** Two speak-up reports, made through the module's own domain function (so they are sealed). */
async function buildSpeakUpFixture(
  db: Db,
  keys: Pick<Services, 'masterKey' | 'reportKeys'>,
  institutionId: string,
  member: { id: string; email: string; name: string },
) {
  const services = { db, ...keys, log: { warn: () => {} } };
  const report = {
    institutionId,
    when: { kind: 'date' as const, date: '2026-01-08' },
    where: { setting: 'campus' as const, location: 'Seminar room 4' },
    who: { roles: ['fellow_student' as const] },
    involvement: 'directed_at_me' as const,
    whatHappened: 'A racist remark in a seminar.',
    outcomeWanted: 'support' as const,
    assessmentProtection: false,
  };
  const anonymous = await submitReport(services, report);
  const named = await submitReport(
    services,
    { ...report, consentToContact: true },
    {
      reporter: {
        person: { userId: member.id, name: member.name, email: member.email },
        consentToContact: true,
      },
    },
  );
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  const attachment = await addReporterAttachment(services as unknown as Services, anonymous.id, {
    fileName: 'photo.png',
    data: png.toString('base64'),
  });
  return {
    reportId: anonymous.id,
    receipt: anonymous.receipt,
    namedReportId: named.id,
    attachmentId: attachment.id,
  };
}

/**
 * A fingerprint of every row of every table: equal fingerprints mean the database is untouched.
 * Tables are discovered from the catalogue, so a new module's tables are included automatically.
 */
export async function databaseFingerprint(db: Db): Promise<string> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
  );
  const parts = tables.map(
    (t) =>
      `select '${t.name}' as t, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from "${t.name}" x`,
  );
  const rows = await queryRows<{ t: string; h: string }>(db, sql.raw(parts.join(' union all ')));
  return rows.map((r) => `${r.t}:${r.h}`).join(',');
}

export type MatrixRequest = {
  url: string;
  body?: unknown;
};

export async function requestAs(
  app: App,
  role: Role,
  fixture: Fixture,
  method: string,
  request: MatrixRequest,
) {
  const headers: Record<string, string> = {};
  if (role !== 'visitor') {
    const s = fixture.sessions[role];
    headers.cookie = `${SESSION_COOKIE}=${s.token}`;
    if (method !== 'GET') headers[CSRF_HEADER] = s.csrf;
  }
  const response: LightMyRequestResponse = await app.inject({
    method: method as 'GET',
    url: request.url,
    headers,
    remoteAddress: `127.0.${crypto.randomInt(0, 255)}.${crypto.randomInt(1, 255)}`,
    ...(request.body !== undefined ? { payload: request.body as object } : {}),
  });
  return response;
}

/** The status each role must get for one route. */
export type Expect = Record<Role, number>;

/**
 * A module's rows of the role matrix. `build` adds the module's own records to the fresh cast
 * (e.g. a concern and an action in the fixture's network), made through the module's own domain
 * functions; each entry's request may use both.
 */
export type MatrixModule<X> = {
  /** The module's own records on the cast (`noRecords` when the cast is enough). */
  build: (db: Db, masterKey: Buffer, fixture: Fixture) => Promise<X>;
  entries: Record<string, MatrixEntry<X>>;
};

/** For a module whose rows need only the cast. */
export const noRecords = async () => undefined;

/** One row: the request (given the cast and the module's records) and each role's status. */
export type MatrixEntry<X = unknown> = { request: (f: Fixture, x: X) => MatrixRequest; expect: Expect };

/**
 * Drives every row of a module's matrix as every role; a module's `role-matrix.test.ts` calls it
 * (one file per module, so test workers run the modules side by side).
 *
 * Per route, the roles that must be refused share one fresh cast and go first: each refusal must
 * commit nothing (checked with the change-tracking triggers of resilience/changes.ts, exact and
 * cheap), so the cast is still untouched for the first role that is allowed; every further
 * allowed role gets a fresh cast of its own, since what one allowed request changes could change
 * the next one's answer.
 */
export function describeRoleMatrix(name: string, module: MatrixModule<unknown>) {
  let t: TestApp;
  let changes: ChangeTracker;
  beforeAll(async () => {
    t = await createTestApp();
    changes = await trackChanges(t.database.db);
  });
  afterAll(() => t?.close());

  describe(`role matrix: ${name}`, () => {
    for (const [key, entry] of Object.entries(module.entries)) {
      const [method, url] = key.split(' ') as [string, string];
      it(`${key} answers each role as written, and refusals change nothing`, async () => {
        const { db } = t.database;
        const { masterKey } = t.app.services;
        const cast = async () => {
          const fixture = await buildFixture(db, t.app.services, {
            speakUp: url.startsWith('/api/speak-up/'),
          });
          const extra = await module.build(db, masterKey, fixture);
          return { fixture, extra };
        };
        const refused = ROLES.filter((r) => entry.expect[r] >= 400);
        const allowed = ROLES.filter((r) => entry.expect[r] < 400);
        const got: Partial<Expect> = {};
        const untouched: Role[] = [];
        const shared = await cast();
        let sharedSpent = false;
        for (const role of [...refused, ...allowed]) {
          const isRefused = entry.expect[role] >= 400;
          const { fixture, extra } = isRefused || !sharedSpent ? shared : await cast();
          if (!isRefused) sharedSpent = true;
          // Mail delivery started by an earlier request must not land inside this one's window.
          await t.app.services.mailer.deliverPending();
          const mark = await changes.mark();
          const response = await requestAs(t.app, role, fixture, method, entry.request(fixture, extra));
          got[role] = response.statusCode;
          if (response.statusCode >= 400) {
            expect(response.json(), `${role}: ${url}`).toMatchObject({ error: { code: expect.any(String) } });
            if ((await changes.since(mark)).length === 0) untouched.push(role);
          }
        }
        expect(got).toEqual(entry.expect);
        expect(untouched, 'roles whose refused request changed the database').toEqual(refused);
      });
    }
  });
}

export const everyone = (status: number): Expect => ({
  visitor: status,
  member: status,
  lead: status,
  caseHandler: status,
  admin: status,
});
/** Anyone signed in; the visitor gets 401. */
export const signedIn = (status: number, overrides: Partial<Expect> = {}): Expect => ({
  visitor: 401,
  member: status,
  lead: status,
  caseHandler: status,
  admin: status,
  ...overrides,
});
export const adminOnly = (status: number): Expect => ({
  visitor: 401,
  member: 403,
  lead: 403,
  caseHandler: 403,
  admin: status,
});
/**
 * Network management: its leads and admins; a member sees the network (403), an outsider (the
 * case handler belongs to the other network) does not (404).
 */
export const managers = (status: number): Expect => ({
  visitor: 401,
  member: 403,
  lead: status,
  caseHandler: 404,
  admin: status,
});
