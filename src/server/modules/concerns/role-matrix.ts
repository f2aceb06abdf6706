import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import type { Db } from '../../../db/client';
import { concernEvents } from '../../../db/schema';
import { createSession, loadActor } from '../../platform/sessions';
import { type Expect, everyone, type MatrixModule, managers, signedIn } from '../../test/matrix';
import { addActionAttachment, addMilestone, createAction } from './actions';
import { editConcern, raiseConcern, setHidden } from './concerns';
import { postActionUpdate } from './triage';

/**
 * The concerns module's rows of the role matrix (see platform/role-matrix.test.ts). In the fixture's
 * network the member is a student, the lead a student co-chair and `target` a staff member; the case
 * handler belongs to the other network (so sees nothing here: 404); the admin belongs to none (sees
 * and manages everything, but is no member: cannot raise, support, flag or consent).
 *
 * Records: the member's named concern; a staff member's concern (for flagging); a hidden concern;
 * a fully anonymous one with its receipt; an action led by the co-chair (student lead) with the
 * staff member as sponsor, in progress, with a milestone and a file.
 */

/** Members of the network and admins; an outsider 404. */
const members = (status: number): Expect => ({
  visitor: 401,
  member: status,
  lead: status,
  caseHandler: 404,
  admin: status,
});

type Extra = {
  concernId: string;
  editEventId: string;
  othersConcernId: string;
  hiddenConcernId: string;
  receipt: string;
  actionId: string;
  milestoneId: string;
  attachmentId: string;
};

async function actorOf(db: Db, token: string) {
  const actor = await loadActor(db, token);
  if (!actor) throw new Error('fixture session did not load');
  return actor;
}

const concernBody = (title: string) => ({
  title,
  description: 'Theatre caps do not fit over braids or locs, so students miss theatre time.',
  category: 'uniform_and_facilities' as const,
  visibility: 'named' as const,
});

export const concernsMatrix: MatrixModule<Extra> = {
  build: async (db, _masterKey, f) => {
    const member = await actorOf(db, f.sessions.member.token);
    const lead = await actorOf(db, f.sessions.lead.token);
    const target = await actorOf(
      db,
      await createSession(db, { userId: f.target.id, method: 'password', secondFactorDone: true, days: 1 }),
    );
    const concern = await raiseConcern(db, member, f.networkId, concernBody('Theatre headwear for braids'));
    await editConcern(db, member, concern.id, { title: 'Theatre headwear for braids and locs' });
    const [edit] = await db
      .select({ id: concernEvents.id })
      .from(concernEvents)
      .where(and(eq(concernEvents.concernId, concern.id), eq(concernEvents.kind, 'edited')));
    const others = await raiseConcern(db, target, f.networkId, concernBody('Kara refused in theatre'));
    const hidden = await raiseConcern(db, target, f.networkId, concernBody('A concern hidden by the leads'));
    await setHidden(db, lead, hidden.id, { reason: 'It named a member of staff' });
    const anonymous = await raiseConcern(db, member, f.networkId, {
      ...concernBody('An anonymous concern'),
      visibility: 'anonymous',
    });
    const action = await createAction(db, lead, f.networkId, {
      title: 'Inclusive theatre headwear',
      summary: 'Caps that fit over braids, locs and hijab.',
      category: 'uniform_and_facilities',
      studentLeadId: f.users.lead.id,
      staffSponsorId: f.target.id,
      weight: 1,
      public: true,
    });
    await db.transaction((tx) =>
      postActionUpdate(tx, lead, action.id, { body: 'Samples ordered.', progress: 20 }),
    );
    const milestone = await addMilestone(db, lead, action.id, {
      title: 'Samples tested',
      dueOn: '2027-01-15',
    });
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const attachment = await addActionAttachment(db, lead, action.id, {
      fileName: 'cap.png',
      data: png.toString('base64'),
    });
    return {
      concernId: concern.id,
      editEventId: edit!.id,
      othersConcernId: others.id,
      hiddenConcernId: hidden.id,
      receipt: anonymous.receipt!,
      actionId: action.id,
      milestoneId: milestone.id,
      attachmentId: attachment.id,
    };
  },
  entries: {
    'GET /api/networks/:networkId/concerns': {
      request: (f) => ({ url: `/api/networks/${f.networkId}/concerns` }),
      expect: members(200),
    },
    'POST /api/networks/:networkId/concerns': {
      request: (f) => ({
        url: `/api/networks/${f.networkId}/concerns`,
        body: concernBody('A new concern in the matrix'),
      }),
      // The fixture's network takes no concerns from visitors; admins are no members.
      expect: { visitor: 401, member: 201, lead: 201, caseHandler: 403, admin: 403 },
    },
    'GET /api/networks/:networkId/concerns/similar': {
      request: (f) => ({ url: `/api/networks/${f.networkId}/concerns/similar?q=theatre%20caps` }),
      expect: members(200),
    },
    'GET /api/networks/:networkId/concerns/dashboard': {
      request: (f) => ({ url: `/api/networks/${f.networkId}/concerns/dashboard` }),
      expect: managers(200),
    },
    'GET /api/networks/:networkId/concerns/settings': {
      request: (f) => ({ url: `/api/networks/${f.networkId}/concerns/settings` }),
      expect: members(200),
    },
    'PUT /api/networks/:networkId/concerns/settings': {
      request: (f) => ({
        url: `/api/networks/${f.networkId}/concerns/settings`,
        body: { firstAnswerDays: 10, actionUpdateDays: 45 },
      }),
      expect: managers(200),
    },
    'POST /api/concerns/follow': {
      request: (_f, x) => ({ url: '/api/concerns/follow', body: { receipt: x.receipt } }),
      expect: everyone(200),
    },
    'GET /api/concerns/:id': {
      request: (_f, x) => ({ url: `/api/concerns/${x.concernId}` }),
      expect: members(200),
    },
    'PATCH /api/concerns/:id': {
      request: (_f, x) => ({
        url: `/api/concerns/${x.concernId}`,
        body: { title: 'Theatre headwear for braids and locs' },
      }),
      // Its author (the member) while it is new, the leads, admins.
      expect: members(200),
    },
    'POST /api/concerns/:id/support': {
      request: (_f, x) => ({ url: `/api/concerns/${x.concernId}/support` }),
      expect: { ...members(200), admin: 403 },
    },
    'DELETE /api/concerns/:id/support': {
      request: (_f, x) => ({ url: `/api/concerns/${x.concernId}/support` }),
      expect: { ...members(200), admin: 403 },
    },
    'POST /api/concerns/:id/triage': {
      request: (_f, x) => ({
        url: `/api/concerns/${x.concernId}/triage`,
        body: { status: 'under_discussion', answer: 'We will discuss it at the next meeting.' },
      }),
      expect: managers(200),
    },
    'POST /api/concerns/:id/agenda': {
      request: (_f, x) => ({ url: `/api/concerns/${x.concernId}/agenda`, body: { forAgenda: true } }),
      expect: managers(200),
    },
    'POST /api/concerns/:id/flag': {
      request: (_f, x) => ({
        url: `/api/concerns/${x.othersConcernId}/flag`,
        body: { reason: 'It is abusive' },
      }),
      expect: { ...members(200), admin: 403 },
    },
    'POST /api/concerns/:id/history/:eventId/redact': {
      request: (_f, x) => ({
        url: `/api/concerns/${x.concernId}/history/${x.editEventId}/redact`,
        body: { reason: 'It named the registrar' },
      }),
      expect: managers(200),
    },
    'POST /api/concerns/:id/hide': {
      request: (_f, x) => ({
        url: `/api/concerns/${x.concernId}/hide`,
        body: { reason: 'It names a person' },
      }),
      expect: managers(200),
    },
    'POST /api/concerns/:id/unhide': {
      request: (_f, x) => ({ url: `/api/concerns/${x.hiddenConcernId}/unhide` }),
      // A member does not see a hidden concern that is not theirs.
      expect: { ...managers(200), member: 404 },
    },
    'GET /api/networks/:networkId/actions': {
      request: (f) => ({ url: `/api/networks/${f.networkId}/actions` }),
      expect: members(200),
    },
    'POST /api/networks/:networkId/actions': {
      request: (f) => ({
        url: `/api/networks/${f.networkId}/actions`,
        body: {
          title: 'Students on appointment panels',
          category: 'policy',
          studentLeadId: f.users.member.id,
          staffSponsorId: f.target.id,
        },
      }),
      expect: managers(201),
    },
    'GET /api/actions/:id': {
      request: (_f, x) => ({ url: `/api/actions/${x.actionId}` }),
      expect: members(200),
    },
    'PATCH /api/actions/:id': {
      request: (_f, x) => ({
        url: `/api/actions/${x.actionId}`,
        body: { outcome: 'Caps stocked in every theatre.' },
      }),
      expect: managers(200),
    },
    'POST /api/actions/:id/updates': {
      request: (_f, x) => ({
        url: `/api/actions/${x.actionId}/updates`,
        body: { body: 'Caps delivered.', progress: 80 },
      }),
      expect: managers(201),
    },
    'POST /api/actions/:id/milestones': {
      request: (_f, x) => ({
        url: `/api/actions/${x.actionId}/milestones`,
        body: { title: 'Caps in every theatre', dueOn: '2027-03-01' },
      }),
      expect: managers(201),
    },
    'PATCH /api/actions/:id/milestones/:milestoneId': {
      request: (_f, x) => ({
        url: `/api/actions/${x.actionId}/milestones/${x.milestoneId}`,
        body: { done: true },
      }),
      expect: managers(200),
    },
    'POST /api/actions/:id/attachments': {
      request: (_f, x) => ({
        url: `/api/actions/${x.actionId}/attachments`,
        body: {
          fileName: 'tiny.png',
          data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
        },
      }),
      expect: managers(201),
    },
    'GET /api/actions/:id/attachments/:attachmentId': {
      request: (_f, x) => ({ url: `/api/actions/${x.actionId}/attachments/${x.attachmentId}` }),
      expect: members(200),
    },
    'POST /api/actions/:id/evidence': {
      request: (_f, x) => ({
        url: `/api/actions/${x.actionId}/evidence`,
        body: { kind: 'link', label: 'Trust uniform policy', url: 'https://example.nhs.uk/uniform' },
      }),
      expect: managers(201),
    },
    'POST /api/actions/:id/consent': {
      request: (_f, x) => ({ url: `/api/actions/${x.actionId}/consent`, body: { named: true } }),
      // The lead is the action's student lead; nobody consents for another.
      expect: { visitor: 401, member: 403, lead: 200, caseHandler: 404, admin: 403 },
    },
    'GET /api/impact': { request: () => ({ url: '/api/impact' }), expect: everyone(200) },
    'GET /api/impact/actions/:id': {
      request: (_f, x) => ({ url: `/api/impact/actions/${x.actionId}` }),
      expect: everyone(200),
    },
    'GET /api/impact/feed.atom': {
      request: (f) => ({ url: `/api/impact/feed.atom?network=${f.networkSlug}` }),
      expect: everyone(200),
    },
    'GET /api/notifications': { request: () => ({ url: '/api/notifications' }), expect: signedIn(200) },
    'POST /api/notifications/read': {
      request: () => ({ url: '/api/notifications/read', body: { all: true } }),
      expect: signedIn(200),
    },
    'GET /api/notifications/preferences': {
      request: () => ({ url: '/api/notifications/preferences' }),
      expect: signedIn(200),
    },
    'PUT /api/notifications/preferences': {
      request: () => ({ url: '/api/notifications/preferences', body: { email: false, weeklyDigest: true } }),
      expect: signedIn(200),
    },
  },
};
