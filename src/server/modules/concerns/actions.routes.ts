import {
  ActionAttachmentCreateSchema,
  ActionAttachmentSchema,
  ActionCreateSchema,
  ActionDetailSchema,
  ActionListQuerySchema,
  ActionListSchema,
  ActionParams,
  ActionUpdatePostSchema,
  ActionUpdateSchema,
  AttachmentParams,
  ConsentSchema,
  EvidenceCreateSchema,
  MilestoneCreateSchema,
  MilestoneParams,
  MilestoneUpdateSchema,
  NetworkParams,
} from '../../../shared/concerns/schema';
import { type AnyRoute, defineRoute } from '../../platform/routes';
import type { Services } from '../../platform/services';
import { UPLOAD_BODY_LIMIT, UPLOAD_RATE_LIMIT_PER_MINUTE } from '../../platform/uploads';
import {
  actionDetail,
  addActionAttachment,
  addEvidence,
  addMilestone,
  authoriseActionAttachment,
  createAction,
  listActions,
  readActionAttachment,
  setConsent,
  updateAction,
  updateMilestone,
} from './actions';
import { deliverSoon, mailOf } from './concerns.routes';
import { postActionUpdate } from './triage';

/** Actions: creating, changing, updates, milestones, files, evidence and consent to be named. */
export function actionRoutes(services: Services): AnyRoute[] {
  const { db } = services;
  const mail = mailOf(services);
  return [
    defineRoute({
      method: 'GET',
      url: '/api/networks/:networkId/actions',
      summary: 'The actions of a network, with rolled-up progress and their update clocks',
      tags: ['concerns'],
      access: 'user',
      params: NetworkParams,
      query: ActionListQuerySchema,
      response: ActionListSchema,
      handler: ({ params, query, actor }) => listActions(db, actor, params.networkId, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/networks/:networkId/actions',
      summary: 'Create an action with a student lead and a staff sponsor (leads)',
      tags: ['concerns'],
      access: 'user',
      params: NetworkParams,
      body: ActionCreateSchema,
      response: ActionDetailSchema,
      status: 201,
      handler: async ({ params, body, actor }) => {
        const { id } = await createAction(db, actor, params.networkId, body);
        return actionDetail(db, actor, id);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/actions/:id',
      summary: 'One action: milestones, updates, files, evidence, concerns and sub-actions',
      tags: ['concerns'],
      access: 'user',
      params: ActionParams,
      response: ActionDetailSchema,
      handler: ({ params, actor }) => actionDetail(db, actor, params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/actions/:id',
      summary: 'Change an action (leads); every change is audited',
      tags: ['concerns'],
      access: 'user',
      params: ActionParams,
      body: ActionUpdateSchema,
      response: ActionDetailSchema,
      handler: async ({ params, body, actor }) => {
        await updateAction(db, actor!, params.id, body);
        return actionDetail(db, actor, params.id);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/actions/:id/updates',
      summary: 'Post an update (what was done, progress, status); followers of its concerns are told',
      tags: ['concerns'],
      access: 'user',
      params: ActionParams,
      body: ActionUpdatePostSchema,
      response: ActionDetailSchema,
      status: 201,
      handler: async ({ params, body, actor }) => {
        await db.transaction((tx) => postActionUpdate(tx, actor!, params.id, body, { mail }));
        deliverSoon(services);
        return actionDetail(db, actor, params.id);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/actions/:id/milestones',
      summary: 'Add a milestone with a date',
      tags: ['concerns'],
      access: 'user',
      params: ActionParams,
      body: MilestoneCreateSchema,
      response: ActionDetailSchema,
      status: 201,
      handler: async ({ params, body, actor }) => {
        await addMilestone(db, actor!, params.id, body);
        return actionDetail(db, actor, params.id);
      },
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/actions/:id/milestones/:milestoneId',
      summary: 'Change a milestone, or mark it done',
      tags: ['concerns'],
      access: 'user',
      params: MilestoneParams,
      body: MilestoneUpdateSchema,
      response: ActionDetailSchema,
      handler: async ({ params, body, actor }) => {
        await updateMilestone(db, actor!, params.id, params.milestoneId, body);
        return actionDetail(db, actor, params.id);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/actions/:id/attachments',
      summary: 'Attach a photo or PDF (base64 in JSON); its metadata is removed',
      tags: ['concerns'],
      access: 'user',
      params: ActionParams,
      body: ActionAttachmentCreateSchema,
      bodyLimit: UPLOAD_BODY_LIMIT,
      rateLimitPerMinute: UPLOAD_RATE_LIMIT_PER_MINUTE,
      authoriseBeforeBody: ({ params, actor }) => authoriseActionAttachment(db, actor!, params.id),
      response: ActionAttachmentSchema,
      status: 201,
      handler: ({ params, body, actor }) => addActionAttachment(db, actor!, params.id, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/actions/:id/attachments/:attachmentId',
      summary: 'Download a file of an action',
      tags: ['concerns'],
      access: 'user',
      params: AttachmentParams,
      response: null,
      produces: { contentType: 'application/octet-stream', description: 'The file (PDF, JPEG, PNG or WebP)' },
      handler: async ({ params, actor, reply }) => {
        const file = await readActionAttachment(db, actor!, params.id, params.attachmentId);
        reply
          .header('content-type', file.mediaType)
          .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .send(file.data);
        return undefined;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/actions/:id/evidence',
      summary: 'Link evidence: a meeting, a curriculum finding, a survey, or a web page',
      tags: ['concerns'],
      access: 'user',
      params: ActionParams,
      body: EvidenceCreateSchema,
      response: ActionDetailSchema,
      status: 201,
      handler: async ({ params, body, actor }) => {
        await addEvidence(db, actor!, params.id, body);
        return actionDetail(db, actor, params.id);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/actions/:id/consent',
      summary: 'As its student lead or staff sponsor, agree (or not) to be named on the public impact board',
      tags: ['concerns'],
      access: 'user',
      params: ActionParams,
      body: ConsentSchema,
      response: ActionDetailSchema,
      handler: async ({ params, body, actor }) => {
        await setConsent(db, actor!, params.id, body.named);
        return actionDetail(db, actor, params.id);
      },
    }),
  ];
}
