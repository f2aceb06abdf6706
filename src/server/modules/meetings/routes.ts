/*
 * Routes of the meetings module (bodies and answers: src/shared/meetings/schema.ts).
 * "leads" = leads of the record's network, and admins; "members" = members of it (leads included).
 * A record the viewer may not see answers 404; a member trying a leads-only action gets 403.
 *
 *  method url                                        access  who            body → answer
 *  GET    /api/networks/:networkId/polls             user    members        → PollSummary[]
 *  POST   /api/networks/:networkId/polls             user    leads          PollCreate → PollDetail (201)
 *  GET    /api/polls/:id                             user    members        → PollDetail
 *  PUT    /api/polls/:id/answers                     user    members        AnswerSubmit → PollDetail
 *  POST   /api/polls/:id/confirm                     user    leads          Confirm → MeetingDetail (201; invitations)
 *  POST   /api/polls/:id/close                       user    leads          → PollDetail
 *  POST   /api/polls/:id/remind                      user    leads          → { reminded }
 *  GET    /api/networks/:networkId/meetings          user    members        → MeetingList { upcoming, past }
 *  POST   /api/networks/:networkId/meetings          user    leads          MeetingCreate → MeetingDetail (201; invitations)
 *  GET    /api/networks/:networkId/meetings/stats    user    members        → AttendanceStats
 *  GET    /api/networks/:networkId/series            user    members        → Series[]
 *  POST   /api/networks/:networkId/series            user    leads          SeriesCreate → Series (201)
 *  POST   /api/series/:id/generate                   user    leads          SeriesGenerate → { created: MeetingSummary[], skipped }
 *  GET    /api/networks/:networkId/blocks            user    members        → Block[]
 *  POST   /api/networks/:networkId/blocks            user    leads          BlockCreate → Block (201)
 *  DELETE /api/blocks/:id                            user    leads          → 204
 *  GET    /api/meetings/:id                          user    members        → MeetingDetail (draft minutes: leads only)
 *  PATCH  /api/meetings/:id                          user    leads          MeetingUpdate → MeetingDetail (SEQUENCE+1, update mailed)
 *  POST   /api/meetings/:id/cancel                   user    leads          → MeetingDetail (METHOD:CANCEL mailed)
 *  POST   /api/meetings/:id/agenda                   user    members        AgendaItemAdd → AgendaItem (201)
 *  PUT    /api/meetings/:id/agenda/order             user    leads          AgendaReorder → AgendaItem[]
 *  PUT    /api/meetings/:id/minutes                  user    leads          MinutesSave → MeetingDetail
 *  POST   /api/meetings/:id/decisions                user    leads          DecisionCreate → Decision (201)
 *  POST   /api/meetings/:id/action-items             user    leads          ActionItemCreate → ActionItem (201)
 *  POST   /api/meetings/:id/minutes/publish          user    leads          → MeetingDetail
 *  GET    /api/meetings/:id/invite.ics               user    members        → text/calendar (METHOD:PUBLISH)
 *  GET    /api/calendar/feeds                        user    self           → CalendarFeed[]
 *  POST   /api/calendar/feeds                        user    self           → CalendarFeedCreated (201; url shown once)
 *  DELETE /api/calendar/feeds/:id                    user    self           → 204 (revoked)
 *  GET    /api/calendar/:token.ics                   public  token holder   → text/calendar; unknown/revoked token 404
 */
import { z } from 'zod';
import {
  ActionItemCreateSchema,
  ActionItemSchema,
  AgendaItemAddSchema,
  AgendaItemSchema,
  AgendaReorderSchema,
  AnswerSubmitSchema,
  AttendanceStatsSchema,
  BlockCreateSchema,
  BlockSchema,
  CalendarFeedCreatedSchema,
  CalendarFeedSchema,
  ConfirmSchema,
  DecisionCreateSchema,
  DecisionSchema,
  FeedTokenSchema,
  MeetingCreateSchema,
  MeetingDetailSchema,
  MeetingListSchema,
  MeetingSummarySchema,
  MeetingUpdateSchema,
  MinutesSaveSchema,
  PollCreateSchema,
  PollDetailSchema,
  PollSummarySchema,
  RemindResultSchema,
  SeriesCreateSchema,
  SeriesGenerateSchema,
  SeriesSchema,
} from '../../../shared/meetings/schema';
import { notFound } from '../../platform/errors';
import { type AnyRoute, defineRoute, IdParams, Uuid } from '../../platform/routes';
import type { Services } from '../../platform/services';
import { createFeed, feedCalendar, listFeeds, revokeFeed } from './calendar';
import {
  addActionItem,
  addAgendaItem,
  cancelMeeting,
  createMeeting,
  listMeetings,
  meetingDetail,
  meetingIcs,
  publishMinutes,
  recordDecision,
  reorderAgenda,
  saveMinutes,
  updateMeeting,
} from './meetings';
import {
  closePoll,
  confirmPoll,
  createPoll,
  listPolls,
  pollDetail,
  remindPoll,
  submitAnswers,
} from './polls';
import { createBlock, createSeries, deleteBlock, generateSeries, listBlocks, listSeries } from './series';
import { attendanceStats } from './stats';

const NetworkParams = z.strictObject({ networkId: Uuid });
const TokenParams = z.strictObject({ token: FeedTokenSchema });
const tags = ['meetings'];

/** Every route of the meetings module (the table above). */
export function meetingsRoutes(services: Services): AnyRoute[] {
  const { db } = services;
  return [
    // ---- polls
    defineRoute({
      method: 'GET',
      url: '/api/networks/:networkId/polls',
      summary: 'A network’s availability polls, newest first (members)',
      tags,
      access: 'user',
      params: NetworkParams,
      response: z.array(PollSummarySchema),
      handler: ({ params, actor }) => listPolls(db, actor, params.networkId),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/networks/:networkId/polls',
      summary: 'Propose times for a meeting (leads); members are asked to answer',
      tags,
      access: 'user',
      params: NetworkParams,
      body: PollCreateSchema,
      response: PollDetailSchema,
      status: 201,
      handler: ({ params, body, actor }) => createPoll(services, actor, params.networkId, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/polls/:id',
      summary: 'A poll: its times in local and UTC time, my answers, the ranking with its reasons',
      tags,
      access: 'user',
      params: IdParams,
      response: PollDetailSchema,
      handler: ({ params, actor }) => pollDetail(db, actor, params.id),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/polls/:id/answers',
      summary: 'Answer a poll: yes, if need be or no for each time, in one request (members)',
      tags,
      access: 'user',
      params: IdParams,
      body: AnswerSubmitSchema,
      response: PollDetailSchema,
      handler: ({ params, body, actor }) => submitAnswers(db, actor, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/polls/:id/confirm',
      summary: 'Confirm a time (leads): makes the meeting and e-mails invitations to everyone who answered',
      tags,
      access: 'user',
      params: IdParams,
      body: ConfirmSchema,
      response: MeetingDetailSchema,
      status: 201,
      handler: ({ params, body, actor }) => confirmPoll(services, actor, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/polls/:id/close',
      summary: 'Close a poll to answers (leads)',
      tags,
      access: 'user',
      params: IdParams,
      response: PollDetailSchema,
      handler: ({ params, actor }) => closePoll(db, actor, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/polls/:id/remind',
      summary: 'Remind the members who have not answered (leads)',
      tags,
      access: 'user',
      params: IdParams,
      response: RemindResultSchema,
      handler: ({ params, actor }) => remindPoll(services, actor, params.id),
    }),
    // ---- meetings
    defineRoute({
      method: 'GET',
      url: '/api/networks/:networkId/meetings',
      summary: 'A network’s upcoming and past meetings (members)',
      tags,
      access: 'user',
      params: NetworkParams,
      response: MeetingListSchema,
      handler: ({ params, actor }) => listMeetings(db, actor, params.networkId),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/networks/:networkId/meetings',
      summary: 'Schedule one meeting directly (leads); every member is invited',
      tags,
      access: 'user',
      params: NetworkParams,
      body: MeetingCreateSchema,
      response: MeetingDetailSchema,
      status: 201,
      handler: ({ params, body, actor }) => createMeeting(services, actor, params.networkId, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/networks/:networkId/meetings/stats',
      summary: 'Attendance by membership kind per meeting, and meetings held per month (members)',
      tags,
      access: 'user',
      params: NetworkParams,
      response: AttendanceStatsSchema,
      handler: ({ params, actor }) => attendanceStats(db, actor, params.networkId),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/networks/:networkId/series',
      summary: 'A network’s monthly meeting series (members)',
      tags,
      access: 'user',
      params: NetworkParams,
      response: z.array(SeriesSchema),
      handler: ({ params, actor }) => listSeries(db, actor, params.networkId),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/networks/:networkId/series',
      summary: 'Start a monthly series, e.g. the second Wednesday at 17:30 (leads)',
      tags,
      access: 'user',
      params: NetworkParams,
      body: SeriesCreateSchema,
      response: SeriesSchema,
      status: 201,
      handler: ({ params, body, actor }) => createSeries(db, actor, params.networkId, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/series/:id/generate',
      summary: 'Create the series’ meetings for the next months, skipping exam and placement blocks (leads)',
      tags,
      access: 'user',
      params: IdParams,
      body: SeriesGenerateSchema,
      response: z.object({
        created: z.array(MeetingSummarySchema),
        skipped: z.array(z.object({ date: z.string(), reason: z.string() })),
      }),
      handler: ({ params, body, actor }) => generateSeries(services, actor, params.id, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/networks/:networkId/blocks',
      summary: 'Exam, placement and holiday blocks that series skip (members)',
      tags,
      access: 'user',
      params: NetworkParams,
      response: z.array(BlockSchema),
      handler: ({ params, actor }) => listBlocks(db, actor, params.networkId),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/networks/:networkId/blocks',
      summary: 'Add an exam, placement or holiday block, for a year group or everyone (leads)',
      tags,
      access: 'user',
      params: NetworkParams,
      body: BlockCreateSchema,
      response: BlockSchema,
      status: 201,
      handler: ({ params, body, actor }) => createBlock(db, actor, params.networkId, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/blocks/:id',
      summary: 'Remove a block (leads)',
      tags,
      access: 'user',
      params: IdParams,
      response: null,
      status: 204,
      handler: async ({ params, actor }) => {
        await deleteBlock(db, actor, params.id);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/meetings/:id',
      summary: 'A meeting with its agenda, and its minutes (published: members; draft: leads)',
      tags,
      access: 'user',
      params: IdParams,
      response: MeetingDetailSchema,
      handler: ({ params, actor }) => meetingDetail(db, actor, params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/meetings/:id',
      summary: 'Reschedule or relocate a meeting (leads); invitees get the update',
      tags,
      access: 'user',
      params: IdParams,
      body: MeetingUpdateSchema,
      response: MeetingDetailSchema,
      handler: ({ params, body, actor }) => updateMeeting(services, actor, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/meetings/:id/cancel',
      summary: 'Cancel a meeting (leads); invitees get the cancellation',
      tags,
      access: 'user',
      params: IdParams,
      response: MeetingDetailSchema,
      handler: ({ params, actor }) => cancelMeeting(services, actor, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/meetings/:id/agenda',
      summary: 'Add an agenda item (members; leads may link a concern or an action)',
      tags,
      access: 'user',
      params: IdParams,
      body: AgendaItemAddSchema,
      response: AgendaItemSchema,
      status: 201,
      handler: ({ params, body, actor }) => addAgendaItem(db, actor, params.id, body),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/meetings/:id/agenda/order',
      summary: 'Reorder the agenda (leads)',
      tags,
      access: 'user',
      params: IdParams,
      body: AgendaReorderSchema,
      response: z.array(AgendaItemSchema),
      handler: ({ params, body, actor }) => reorderAgenda(db, actor, params.id, body),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/meetings/:id/minutes',
      summary: 'Save attendance and notes per agenda item as a draft (leads)',
      tags,
      access: 'user',
      params: IdParams,
      body: MinutesSaveSchema,
      response: MeetingDetailSchema,
      handler: ({ params, body, actor }) => saveMinutes(db, actor, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/meetings/:id/decisions',
      summary: 'Record a decision; decisions on concerns and actions update them directly (leads)',
      tags,
      access: 'user',
      params: IdParams,
      body: DecisionCreateSchema,
      response: DecisionSchema,
      status: 201,
      handler: ({ params, body, actor }) => recordDecision(services, actor, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/meetings/:id/action-items',
      summary: 'Add an action item with an owner and a due date (leads)',
      tags,
      access: 'user',
      params: IdParams,
      body: ActionItemCreateSchema,
      response: ActionItemSchema,
      status: 201,
      handler: ({ params, body, actor }) => addActionItem(db, actor, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/meetings/:id/minutes/publish',
      summary: 'Publish the minutes to the network’s members (leads)',
      tags,
      access: 'user',
      params: IdParams,
      response: MeetingDetailSchema,
      handler: ({ params, actor }) => publishMinutes(services, actor, params.id),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/meetings/:id/invite.ics',
      summary: 'The meeting as an iCalendar file (members)',
      tags,
      access: 'user',
      params: IdParams,
      response: null,
      produces: { contentType: 'text/calendar', description: 'The meeting as an iCalendar invitation' },
      handler: async ({ params, actor, reply }) => {
        const ics = await meetingIcs(services, actor, params.id);
        reply
          .type('text/calendar; charset=utf-8')
          .header('content-disposition', 'attachment; filename="meeting.ics"')
          .send(ics);
        return undefined;
      },
    }),
    // ---- calendar feeds
    defineRoute({
      method: 'GET',
      url: '/api/calendar/feeds',
      summary: 'My calendar subscriptions (their addresses are not shown again)',
      tags,
      access: 'user',
      response: z.array(CalendarFeedSchema),
      handler: ({ actor }) => listFeeds(db, actor!),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/calendar/feeds',
      summary: 'Create a calendar subscription address for my meetings (shown once)',
      tags,
      access: 'user',
      response: CalendarFeedCreatedSchema,
      status: 201,
      handler: ({ actor }) => createFeed(services, actor!),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/calendar/feeds/:id',
      summary: 'Revoke one of my calendar subscription addresses',
      tags,
      access: 'user',
      params: IdParams,
      response: null,
      status: 204,
      handler: async ({ params, actor }) => {
        await revokeFeed(db, actor!, params.id);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/calendar/:token.ics',
      summary: 'A calendar subscription (the secret address is the key); revoked or unknown: 404',
      tags,
      access: 'public',
      params: TokenParams,
      response: null,
      produces: { contentType: 'text/calendar', description: 'The member’s meetings as an iCalendar feed' },
      handler: async ({ params, reply }) => {
        const ics = await feedCalendar(services, params.token);
        if (ics === null) throw notFound('That calendar feed (it may have been revoked)');
        reply.type('text/calendar; charset=utf-8').header('cache-control', 'private, no-store').send(ics);
        return undefined;
      },
    }),
  ];
}
