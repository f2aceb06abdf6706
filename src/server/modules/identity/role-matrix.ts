import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { caseHandlerRequests, identityProviders, oneTimeTokens } from '../../../db/schema';
import { seal } from '../../platform/crypto';
import { buildUser, TEST_PASSWORD } from '../../test/factories';
import { adminOnly, everyone, type MatrixModule, managers, signedIn } from '../../test/matrix';

/**
 * The identity module's rows of the role matrix (driven by role-matrix.test.ts beside this file):
 * sessions and sign-in, account, single sign-on, invitations, networks, administration. Besides
 * the cast (test/matrix.ts), one open case-handler request is built.
 */

const fresh = () => crypto.randomBytes(4).toString('hex');
const randomUuid = () => crypto.randomUUID();

type Records = { requestId: string; providerId: string; invitationId: string };

export const identityMatrix: MatrixModule<unknown> = {
  // An open case-handler request for the cast's target, asked by an admin outside the cast, and
  // a single sign-on provider of the cast's institution.
  build: async (db, masterKey, f): Promise<Records> => {
    const asker = await buildUser(db, { isAdmin: true });
    const [row] = await db
      .insert(caseHandlerRequests)
      .values({ institutionId: f.institutionId, userId: f.target.id, requestedBy: asker.id })
      .returning({ id: caseHandlerRequests.id });
    const [provider] = await db
      .insert(identityProviders)
      .values({
        institutionId: f.institutionId,
        name: 'University login',
        issuer: 'https://login.example.ac.uk',
        clientId: 'c',
        clientSecretSealed: seal(masterKey, 'idp-client-secret', 's'),
        emailDomains: ['example.ac.uk'],
      })
      .returning({ id: identityProviders.id });
    // The cast's pending invitation to its network.
    const [invitation] = await db
      .select({ id: oneTimeTokens.id })
      .from(oneTimeTokens)
      .where(
        sql`${oneTimeTokens.purpose} = 'invitation' and ${oneTimeTokens.payload}->>'networkId' = ${f.networkId}`,
      );
    return { requestId: row!.id, providerId: provider!.id, invitationId: invitation!.id };
  },
  entries: {
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
      // An address with no account: the link for a real one would be made in the background, after
      // the answer, and could land inside the next route's window of "refusals change nothing".
      request: () => ({
        url: '/api/auth/password-reset/request',
        body: { email: `nobody-${fresh()}@example.ac.uk` },
      }),
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
          emailDomains: 'example.ac.uk',
        },
      }),
      expect: adminOnly(201),
    },
    'PATCH /api/admin/identity-providers/:id': {
      request: (_f, x) => ({
        url: `/api/admin/identity-providers/${(x as Records).providerId}`,
        body: { emailDomains: 'example.ac.uk, student.example.ac.uk' },
      }),
      expect: adminOnly(200),
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
    'GET /api/networks/:id/invitations': {
      request: (f) => ({ url: `/api/networks/${f.networkId}/invitations` }),
      expect: managers(200),
    },
    'POST /api/networks/:id/invitations/:invitationId/resend': {
      request: (f, x) => ({
        url: `/api/networks/${f.networkId}/invitations/${(x as Records).invitationId}/resend`,
      }),
      expect: managers(200),
    },
    'DELETE /api/networks/:id/invitations/:invitationId': {
      request: (f, x) => ({ url: `/api/networks/${f.networkId}/invitations/${(x as Records).invitationId}` }),
      expect: managers(204),
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
    'POST /api/networks/:id/kind-request': {
      request: (f) => ({ url: `/api/networks/${f.networkId}/kind-request`, body: { kind: 'staff' } }),
      // The lead is the network's only co-chair: nobody else could approve (409). Admins are no members.
      expect: { visitor: 401, member: 202, lead: 409, caseHandler: 404, admin: 404 },
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
      expect: adminOnly(202),
    },
    'GET /api/case-handler-requests': {
      request: () => ({ url: '/api/case-handler-requests' }),
      expect: signedIn(200),
    },
    // The request (built below) was asked for by another admin: this cast's admin and the
    // institution's case handler may decide it; members and leads do not see it.
    'POST /api/case-handler-requests/:id/approve': {
      request: (_f, x) => ({ url: `/api/case-handler-requests/${(x as Records).requestId}/approve` }),
      expect: { visitor: 401, member: 404, lead: 404, caseHandler: 204, admin: 204 },
    },
    'POST /api/case-handler-requests/:id/decline': {
      request: (_f, x) => ({ url: `/api/case-handler-requests/${(x as Records).requestId}/decline` }),
      expect: { visitor: 401, member: 404, lead: 404, caseHandler: 204, admin: 204 },
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
    'GET /api/admin/audit/head': {
      request: () => ({ url: '/api/admin/audit/head' }),
      expect: adminOnly(200),
    },
    'GET /api/admin/audit/verify': {
      request: () => ({ url: '/api/admin/audit/verify' }),
      expect: adminOnly(200),
    },
  },
};
