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
import type { AnyRoute } from '../../platform/routes';
import type { Services } from '../../platform/services';

/** Every route of the meetings module. */
export function meetingsRoutes(_services: Services): AnyRoute[] {
  return [];
}
