import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concernsMatrix } from '../modules/concerns/role-matrix';
import { meetingsMatrix } from '../modules/meetings/role-matrix';
import { createTestApp, type TestApp } from '../test/app';
import { TEST_PASSWORD } from '../test/factories';
import {
  adminOnly,
  buildFixture,
  databaseFingerprint,
  type Expect,
  everyone,
  type Fixture,
  type MatrixModule,
  type MatrixRequest,
  managers,
  ROLES,
  type Role,
  requestAs,
  signedIn,
} from '../test/matrix';

/**
 * Every route, driven as every role, against a fresh cast of people for each request. The
 * expected status is written out per role; on any 4xx the whole database must be unchanged.
 * A route registered without an entry here fails the suite.
 */

type Entry = { request: (f: Fixture) => MatrixRequest; expect: Expect };

/** Speak-up cases: only a case handler of the report's institution; everyone else a 404. */
const caseHandlers = (status: number): Expect => ({
  visitor: 401,
  member: 404,
  lead: 404,
  caseHandler: status,
  admin: 404,
});

/** A valid 1×1 PNG. */
const TINY_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const fresh = () => crypto.randomBytes(4).toString('hex');
const randomUuid = () => crypto.randomUUID();

const MATRIX: Record<string, Entry> = {
  // platform
  'GET /api/health': { request: () => ({ url: '/api/health' }), expect: everyone(200) },
  'GET /api/openapi.json': { request: () => ({ url: '/api/openapi.json' }), expect: everyone(200) },
  'GET /api/docs': { request: () => ({ url: '/api/docs' }), expect: everyone(200) },
  'GET /api/docs.css': { request: () => ({ url: '/api/docs.css' }), expect: everyone(200) },
  // sessions and sign-in
  'GET /api/session': { request: () => ({ url: '/api/session' }), expect: everyone(200) },
  'POST /api/auth/sign-in': {
    request: (f) => ({ url: '/api/auth/sign-in', body: { email: f.loner.email, password: TEST_PASSWORD } }),
    expect: everyone(200),
  },
  'POST /api/auth/second-factor': {
    request: () => ({ url: '/api/auth/second-factor', body: { code: '000000' } }),
    // Without TOTP there is nothing to give (409); with it, a wrong code (400).
    expect: signedIn(409, { caseHandler: 400, admin: 400 }),
  },
  'POST /api/auth/sign-out': { request: () => ({ url: '/api/auth/sign-out' }), expect: signedIn(204) },
  'POST /api/auth/sign-out-everywhere': {
    request: () => ({ url: '/api/auth/sign-out-everywhere' }),
    expect: signedIn(204),
  },
  'POST /api/auth/totp/setup': {
    request: () => ({ url: '/api/auth/totp/setup' }),
    expect: signedIn(200, { caseHandler: 409, admin: 409 }),
  },
  'POST /api/auth/totp/confirm': {
    request: () => ({ url: '/api/auth/totp/confirm', body: { code: '000000' } }),
    expect: signedIn(409),
  },
  'POST /api/auth/totp/disable': {
    request: () => ({ url: '/api/auth/totp/disable', body: { code: '000000' } }),
    expect: signedIn(409, { caseHandler: 403, admin: 403 }),
  },
  'GET /api/setup/:token': {
    request: () => ({ url: `/api/setup/${'x'.repeat(43)}` }),
    expect: everyone(200),
  },
  'POST /api/setup': {
    request: () => ({
      url: '/api/setup',
      body: {
        token: 'y'.repeat(43),
        name: 'Someone',
        email: `s-${fresh()}@example.ac.uk`,
        password: 'a long enough password',
      },
    }),
    expect: everyone(404),
  },
  // account
  'GET /api/profile': { request: () => ({ url: '/api/profile' }), expect: signedIn(200) },
  'PATCH /api/profile': {
    request: () => ({ url: '/api/profile', body: { name: 'A New Name' } }),
    expect: signedIn(200),
  },
  'POST /api/auth/password/change': {
    request: () => ({
      url: '/api/auth/password/change',
      body: { currentPassword: TEST_PASSWORD, newPassword: 'a brand new password' },
    }),
    expect: signedIn(204),
  },
  'POST /api/auth/password-reset/request': {
    request: (f) => ({ url: '/api/auth/password-reset/request', body: { email: f.target.email } }),
    expect: everyone(202),
  },
  'GET /api/auth/password-reset/:token': {
    request: (f) => ({ url: `/api/auth/password-reset/${f.resetToken}` }),
    expect: everyone(200),
  },
  'POST /api/auth/password-reset/complete': {
    request: (f) => ({
      url: '/api/auth/password-reset/complete',
      body: { token: f.resetToken, password: 'another new password' },
    }),
    expect: everyone(204),
  },
  // single sign-on
  'GET /api/auth/sso/providers': {
    request: () => ({ url: '/api/auth/sso/providers' }),
    expect: everyone(200),
  },
  'GET /api/auth/sso/:providerId/start': {
    request: () => ({ url: `/api/auth/sso/${randomUuid()}/start` }),
    expect: everyone(404),
  },
  'GET /api/auth/sso/callback': {
    request: () => ({ url: `/api/auth/sso/callback?code=abc&state=${'s'.repeat(43)}` }),
    expect: everyone(302),
  },
  'GET /api/admin/identity-providers': {
    request: () => ({ url: '/api/admin/identity-providers' }),
    expect: adminOnly(200),
  },
  'POST /api/admin/identity-providers': {
    request: (f) => ({
      url: '/api/admin/identity-providers',
      body: {
        institutionId: f.institutionId,
        name: 'University login',
        issuer: 'https://login.example.ac.uk',
        clientId: 'c',
        clientSecret: 's',
      },
    }),
    expect: adminOnly(201),
  },
  'DELETE /api/admin/identity-providers/:id': {
    request: () => ({ url: `/api/admin/identity-providers/${randomUuid()}` }),
    expect: adminOnly(404),
  },
  // invitations
  'POST /api/invitations': {
    request: (f) => ({
      url: '/api/invitations',
      body: {
        email: `new-${fresh()}@example.ac.uk`,
        name: 'New Student',
        networkId: f.networkId,
        kind: 'student',
        yearOfStudy: 1,
      },
    }),
    expect: managers(201),
  },
  'GET /api/invitations/:token': {
    request: (f) => ({ url: `/api/invitations/${f.invitationToken}` }),
    expect: everyone(200),
  },
  'POST /api/invitations/accept': {
    request: (f) => ({
      url: '/api/invitations/accept',
      body: { token: f.invitationToken, name: 'Invitee', password: 'a long enough password' },
    }),
    expect: everyone(201),
  },
  'POST /api/invitations/accept-signed-in': {
    // The invitation is for someone else's e-mail: nobody here may take it.
    request: (f) => ({ url: '/api/invitations/accept-signed-in', body: { token: f.invitationToken } }),
    expect: signedIn(404),
  },
  // networks
  'GET /api/networks': { request: () => ({ url: '/api/networks' }), expect: everyone(200) },
  'GET /api/networks/:slug': {
    request: (f) => ({ url: `/api/networks/${f.networkSlug}` }),
    expect: everyone(200),
  },
  'GET /api/networks/:id/members': {
    request: (f) => ({ url: `/api/networks/${f.networkId}/members` }),
    expect: { visitor: 401, member: 200, lead: 200, caseHandler: 404, admin: 200 },
  },
  'PUT /api/networks/:id/members/:userId': {
    request: (f) => ({
      url: `/api/networks/${f.networkId}/members/${f.target.id}`,
      body: { kind: 'staff', yearOfStudy: null, role: 'lead', leadTitle: 'action_lead' },
    }),
    expect: managers(200),
  },
  'DELETE /api/networks/:id/members/:userId': {
    request: (f) => ({ url: `/api/networks/${f.networkId}/members/${f.target.id}` }),
    expect: managers(204),
  },
  'POST /api/networks/:id/import': {
    request: (f) => ({
      url: `/api/networks/${f.networkId}/import`,
      body: { csv: `name,email,kind,year\nNew Person,new-${fresh()}@example.ac.uk,student,2\n` },
    }),
    expect: managers(200),
  },
  // administration
  'GET /api/admin/institutions': {
    request: () => ({ url: '/api/admin/institutions' }),
    expect: adminOnly(200),
  },
  'POST /api/admin/institutions': {
    request: () => ({
      url: '/api/admin/institutions',
      body: { name: 'Another School', slug: `another-${fresh()}` },
    }),
    expect: adminOnly(201),
  },
  'PUT /api/admin/institutions/:id/case-handlers/:userId': {
    request: (f) => ({
      url: `/api/admin/institutions/${f.institutionId}/case-handlers/${f.users.member.id}`,
    }),
    expect: adminOnly(204),
  },
  'DELETE /api/admin/institutions/:id/case-handlers/:userId': {
    request: (f) => ({
      url: `/api/admin/institutions/${f.institutionId}/case-handlers/${f.users.caseHandler.id}`,
    }),
    expect: adminOnly(204),
  },
  'POST /api/admin/networks': {
    request: (f) => ({
      url: '/api/admin/networks',
      body: { institutionId: f.institutionId, name: 'MedDialect', slug: `dialect-${fresh()}` },
    }),
    expect: adminOnly(201),
  },
  'PATCH /api/admin/networks/:id': {
    request: (f) => ({
      url: `/api/admin/networks/${f.networkId}`,
      body: { description: 'Monthly meetings, all welcome.' },
    }),
    expect: adminOnly(200),
  },
  'POST /api/admin/networks/:id/members': {
    request: (f) => ({
      url: `/api/admin/networks/${f.networkId}/members`,
      body: { userId: f.loner.id, kind: 'staff', yearOfStudy: null, role: 'member', leadTitle: null },
    }),
    expect: adminOnly(201),
  },
  'GET /api/admin/users': { request: () => ({ url: '/api/admin/users?q=person' }), expect: adminOnly(200) },
  'PATCH /api/admin/users/:id': {
    request: (f) => ({ url: `/api/admin/users/${f.target.id}`, body: { disabled: true } }),
    expect: adminOnly(200),
  },
  'GET /api/admin/mail-outbox': {
    request: () => ({ url: '/api/admin/mail-outbox' }),
    expect: adminOnly(200),
  },
  'GET /api/admin/audit': { request: () => ({ url: '/api/admin/audit' }), expect: adminOnly(200) },
  'GET /api/admin/audit/verify': {
    request: () => ({ url: '/api/admin/audit/verify' }),
    expect: adminOnly(200),
  },
  // speak-up: signposting and the report form
  'GET /api/speak-up/institutions/:id/support': {
    request: (f) => ({ url: `/api/speak-up/institutions/${f.institutionId}/support` }),
    expect: everyone(200),
  },
  'GET /api/speak-up/institutions/:id/placement-providers': {
    request: (f) => ({ url: `/api/speak-up/institutions/${f.institutionId}/placement-providers` }),
    expect: everyone(200),
  },
  'POST /api/speak-up/institutions/:id/support': {
    request: (f) => ({
      url: `/api/speak-up/institutions/${f.institutionId}/support`,
      body: { kind: 'ftsu_guardian', name: 'Freedom to Speak Up Guardian', phone: null, url: null },
    }),
    expect: adminOnly(201),
  },
  'POST /api/speak-up/institutions/:id/placement-providers': {
    request: (f) => ({
      url: `/api/speak-up/institutions/${f.institutionId}/placement-providers`,
      body: { name: `Trust ${fresh()}` },
    }),
    expect: adminOnly(201),
  },
  // speak-up: reporting (anonymous routes answer everyone alike: no session is read)
  'POST /api/speak-up/reports': {
    request: (f) => ({ url: '/api/speak-up/reports', body: speakUpReport(f) }),
    expect: everyone(201),
  },
  'POST /api/speak-up/named-reports': {
    request: (f) => ({ url: '/api/speak-up/named-reports', body: speakUpReport(f) }),
    expect: signedIn(201),
  },
  'GET /api/speak-up/my-reports': {
    request: () => ({ url: '/api/speak-up/my-reports' }),
    expect: signedIn(200),
  },
  'GET /api/speak-up/my-reports/:id': {
    request: (f) => ({ url: `/api/speak-up/my-reports/${f.speakUp.namedReportId}` }),
    expect: { visitor: 401, member: 200, lead: 404, caseHandler: 404, admin: 404 },
  },
  'POST /api/speak-up/my-reports/:id/messages': {
    request: (f) => ({
      url: `/api/speak-up/my-reports/${f.speakUp.namedReportId}/messages`,
      body: { body: 'More.' },
    }),
    expect: { visitor: 401, member: 201, lead: 404, caseHandler: 404, admin: 404 },
  },
  'POST /api/speak-up/receipt/report': {
    request: (f) => ({ url: '/api/speak-up/receipt/report', body: { receipt: f.speakUp.receipt } }),
    expect: everyone(200),
  },
  'POST /api/speak-up/receipt/messages': {
    request: (f) => ({
      url: '/api/speak-up/receipt/messages',
      body: { receipt: f.speakUp.receipt, body: 'More.' },
    }),
    expect: everyone(201),
  },
  'POST /api/speak-up/receipt/delete': {
    request: (f) => ({ url: '/api/speak-up/receipt/delete', body: { receipt: f.speakUp.receipt } }),
    expect: everyone(200),
  },
  // speak-up: case handling
  'GET /api/speak-up/cases': { request: () => ({ url: '/api/speak-up/cases' }), expect: caseHandlers(200) },
  'GET /api/speak-up/cases/:id': {
    request: (f) => ({ url: `/api/speak-up/cases/${f.speakUp.reportId}` }),
    expect: caseHandlers(200),
  },
  'POST /api/speak-up/cases/:id/assign': {
    request: (f) => ({
      url: `/api/speak-up/cases/${f.speakUp.reportId}/assign`,
      body: { handlerId: f.users.caseHandler.id },
    }),
    expect: caseHandlers(200),
  },
  'POST /api/speak-up/cases/:id/transition': {
    request: (f) => ({
      url: `/api/speak-up/cases/${f.speakUp.reportId}/transition`,
      body: { to: 'acknowledged' },
    }),
    expect: caseHandlers(200),
  },
  'POST /api/speak-up/cases/:id/messages': {
    request: (f) => ({
      url: `/api/speak-up/cases/${f.speakUp.reportId}/messages`,
      body: { body: 'Thank you.' },
    }),
    expect: caseHandlers(201),
  },
  'POST /api/speak-up/cases/:id/notes': {
    request: (f) => ({
      url: `/api/speak-up/cases/${f.speakUp.reportId}/notes`,
      body: { body: 'Triage next week.' },
    }),
    expect: caseHandlers(201),
  },
  'POST /api/speak-up/cases/:id/escalations': {
    request: (f) => ({
      url: `/api/speak-up/cases/${f.speakUp.reportId}/escalations`,
      body: {
        contactRole: 'Director of Medical Education',
        shared: 'The date.',
        consent: true,
        responseDueOn: '2026-12-01',
      },
    }),
    expect: caseHandlers(201),
  },
  'POST /api/speak-up/cases/:id/conflicts': {
    request: (f) => ({
      url: `/api/speak-up/cases/${f.speakUp.reportId}/conflicts`,
      body: { handlerId: f.users.caseHandler.id },
    }),
    expect: caseHandlers(204),
  },
  // speak-up: attachments (a 2×2 PNG; the fixture report has one file already)
  'POST /api/speak-up/receipt/attachments': {
    request: (f) => ({
      url: '/api/speak-up/receipt/attachments',
      body: { receipt: f.speakUp.receipt, fileName: 'p.png', data: TINY_PNG },
    }),
    expect: everyone(201),
  },
  'POST /api/speak-up/receipt/attachments/list': {
    request: (f) => ({ url: '/api/speak-up/receipt/attachments/list', body: { receipt: f.speakUp.receipt } }),
    expect: everyone(200),
  },
  'GET /api/speak-up/cases/:id/attachments': {
    request: (f) => ({ url: `/api/speak-up/cases/${f.speakUp.reportId}/attachments` }),
    expect: caseHandlers(200),
  },
  'POST /api/speak-up/cases/:id/attachments': {
    request: (f) => ({
      url: `/api/speak-up/cases/${f.speakUp.reportId}/attachments`,
      body: { fileName: 'p.png', data: TINY_PNG },
    }),
    expect: caseHandlers(201),
  },
  'GET /api/speak-up/cases/:id/attachments/:attachmentId': {
    request: (f) => ({
      url: `/api/speak-up/cases/${f.speakUp.reportId}/attachments/${f.speakUp.attachmentId}`,
    }),
    expect: caseHandlers(200),
  },
  'POST /api/speak-up/receipt/attachments/download': {
    request: (f) => ({
      url: '/api/speak-up/receipt/attachments/download',
      body: { receipt: f.speakUp.receipt, attachmentId: f.speakUp.attachmentId },
    }),
    expect: everyone(200),
  },
  'GET /api/speak-up/my-reports/:id/attachments': {
    request: (f) => ({ url: `/api/speak-up/my-reports/${f.speakUp.namedReportId}/attachments` }),
    expect: { visitor: 401, member: 200, lead: 404, caseHandler: 404, admin: 404 },
  },
  'POST /api/speak-up/my-reports/:id/attachments': {
    request: (f) => ({
      url: `/api/speak-up/my-reports/${f.speakUp.namedReportId}/attachments`,
      body: { fileName: 'p.png', data: TINY_PNG },
    }),
    expect: { visitor: 401, member: 201, lead: 404, caseHandler: 404, admin: 404 },
  },
  'GET /api/speak-up/my-reports/:id/attachments/:attachmentId': {
    // The fixture's file belongs to the anonymous report: not a file of the member's named report.
    request: (f) => ({
      url: `/api/speak-up/my-reports/${f.speakUp.namedReportId}/attachments/${f.speakUp.attachmentId}`,
    }),
    expect: { visitor: 401, member: 404, lead: 404, caseHandler: 404, admin: 404 },
  },
  'GET /api/speak-up/institutions/:id/statistics': {
    request: (f) => ({ url: `/api/speak-up/institutions/${f.institutionId}/statistics` }),
    // Suppressed aggregates: the institution's leads and case handlers, and admins.
    expect: { visitor: 401, member: 404, lead: 200, caseHandler: 200, admin: 200 },
  },
};

function speakUpReport(f: Fixture) {
  return {
    institutionId: f.institutionId,
    when: { kind: 'not_sure' },
    where: { setting: 'campus', location: 'Library' },
    who: { roles: ['other'] },
    involvement: 'witnessed',
    whatHappened: 'Someone was shouted at for their accent.',
    outcomeWanted: 'record_only',
  };
}

/** Modules that keep their rows beside their code: each builds its own records on the cast. */
// biome-ignore lint/suspicious/noExplicitAny: each module's extra fixture has its own type
const MODULES: MatrixModule<any>[] = [concernsMatrix, meetingsMatrix];

type Row = {
  module?: MatrixModule<unknown>;
  request: (f: Fixture, x: unknown) => MatrixRequest;
  expect: Expect;
};
const ROWS: Record<string, Row> = Object.fromEntries(
  Object.entries(MATRIX).map(([key, entry]) => [
    key,
    { request: (f: Fixture) => entry.request(f), expect: entry.expect },
  ]),
);
for (const module of MODULES) {
  for (const [key, entry] of Object.entries(module.entries)) {
    if (ROWS[key]) throw new Error(`role matrix: ${key} is written twice`);
    ROWS[key] = { module, request: entry.request, expect: entry.expect };
  }
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('role matrix', () => {
  it('has an entry for every registered route, and none for routes that do not exist', () => {
    const registered = t.app.routeRegistry
      .map((r) => `${r.method} ${r.url}`)
      .filter((k) => k !== 'GET /assets/*');
    expect(
      registered.filter((k) => !ROWS[k]),
      'routes missing from the role matrix',
    ).toEqual([]);
    expect(
      Object.keys(ROWS).filter((k) => !registered.includes(k)),
      'stale matrix entries',
    ).toEqual([]);
  });

  for (const [key, entry] of Object.entries(ROWS)) {
    const [method, url] = key.split(' ') as [string, string];
    it(`${key} answers each role as written, and refusals change nothing`, async () => {
      const got: Partial<Expect> = {};
      const untouched: Role[] = [];
      for (const role of ROLES) {
        const fixture = await buildFixture(t.database.db, t.app.services, {
          speakUp: url.startsWith('/api/speak-up/'),
        });
        const extra = entry.module
          ? await entry.module.build(t.database.db, t.app.services.masterKey, fixture)
          : {};
        const before = await databaseFingerprint(t.database.db);
        const response = await requestAs(t.app, role, fixture, method, entry.request(fixture, extra));
        got[role] = response.statusCode;
        if (response.statusCode >= 400) {
          expect(response.json(), `${role}: ${url}`).toMatchObject({ error: { code: expect.any(String) } });
          if ((await databaseFingerprint(t.database.db)) === before) untouched.push(role);
        }
      }
      expect(got).toEqual(entry.expect);
      const refused = ROLES.filter((r) => entry.expect[r] >= 400);
      expect(untouched, 'roles whose refused request changed the database').toEqual(refused);
    });
  }
});
