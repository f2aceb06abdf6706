import crypto from 'node:crypto';
import {
  adminOnly,
  type Expect,
  everyone,
  type Fixture,
  type MatrixModule,
  signedIn,
} from '../../test/matrix';
import { createPlacementProvider, createSupportContact } from './directory';

/**
 * The speak-up module's rows of the role matrix (driven by role-matrix.test.ts beside this file).
 * The cast of a speak-up route carries an anonymous report with a file and the member's named
 * report (`fixture.speakUp`), made through the module's own domain functions.
 */

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

/** A support contact and a placement provider of the cast's school, for the admin's directory rows. */
type Directory = { contactId: string; providerId: string };
const directory = (x: unknown) => x as Directory;

export const speakUpMatrix: MatrixModule<unknown> = {
  build: async (db, _masterKey, f): Promise<Directory> => ({
    contactId: (
      await createSupportContact(db, null, f.institutionId, {
        kind: 'wellbeing',
        name: `Wellbeing ${fresh()}`,
      })
    ).id,
    providerId: (await createPlacementProvider(db, null, f.institutionId, { name: `Trust ${fresh()}` })).id,
  }),
  entries: {
    // speak-up: whether a school takes reports, and the admin's signposting screens
    'GET /api/speak-up/institutions/:id/status': {
      request: (f) => ({ url: `/api/speak-up/institutions/${f.institutionId}/status` }),
      expect: everyone(200),
    },
    'GET /api/admin/institutions/:id/speak-up': {
      request: (f) => ({ url: `/api/admin/institutions/${f.institutionId}/speak-up` }),
      expect: adminOnly(200),
    },
    'GET /api/admin/institutions/:id/set-up': {
      request: (f) => ({ url: `/api/admin/institutions/${f.institutionId}/set-up` }),
      expect: adminOnly(200),
    },
    'PUT /api/admin/institutions/:id/support/:entryId': {
      request: (f, x) => ({
        url: `/api/admin/institutions/${f.institutionId}/support/${directory(x).contactId}`,
        body: { kind: 'wellbeing', name: 'Student Wellbeing Service', phone: '0116 252 2522' },
      }),
      expect: adminOnly(200),
    },
    'DELETE /api/admin/institutions/:id/support/:entryId': {
      request: (f, x) => ({
        url: `/api/admin/institutions/${f.institutionId}/support/${directory(x).contactId}`,
      }),
      expect: adminOnly(204),
    },
    'PUT /api/admin/institutions/:id/support-order': {
      request: (f) => ({
        // Another school's contact: refused whoever asks (the admin with a 400, nothing changed).
        url: `/api/admin/institutions/${f.institutionId}/support-order`,
        body: { ids: [crypto.randomUUID()] },
      }),
      expect: adminOnly(400),
    },
    'PUT /api/admin/institutions/:id/placement-providers/:entryId': {
      request: (f, x) => ({
        url: `/api/admin/institutions/${f.institutionId}/placement-providers/${directory(x).providerId}`,
        body: { name: `Renamed Trust ${fresh()}` },
      }),
      expect: adminOnly(200),
    },
    'DELETE /api/admin/institutions/:id/placement-providers/:entryId': {
      request: (f, x) => ({
        url: `/api/admin/institutions/${f.institutionId}/placement-providers/${directory(x).providerId}`,
      }),
      expect: adminOnly(204),
    },
    'PUT /api/admin/institutions/:id/placement-provider-order': {
      request: (f, x) => ({
        url: `/api/admin/institutions/${f.institutionId}/placement-provider-order`,
        body: { ids: [directory(x).providerId] },
      }),
      expect: adminOnly(204),
    },
    'PUT /api/admin/institutions/:id/no-placement-providers': {
      request: (f) => ({
        url: `/api/admin/institutions/${f.institutionId}/no-placement-providers`,
        body: { noPlacementProviders: true },
      }),
      expect: adminOnly(204),
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
    'POST /api/speak-up/cases/:id/release': {
      // The cast's report is not held for a match: the handler's answer is that it is a case already.
      request: (f) => ({ url: `/api/speak-up/cases/${f.speakUp.reportId}/release` }),
      expect: caseHandlers(409),
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
      request: (f) => ({
        url: '/api/speak-up/receipt/attachments/list',
        body: { receipt: f.speakUp.receipt },
      }),
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
