/**
 * The concerns module's routes ("you said, we did"). Schemas: src/shared/concerns/schema.ts.
 *
 * "member" = a member of the record's network (any kind or role); "lead" = a lead of that network
 * (co-chair or action lead); "owner" = the action's student lead or staff sponsor. Records a person
 * may not see answer 404 (not 403); a visible record they may not change answers 403.
 *
 * | method | url                                               | access    | who may                                                        |
 * |--------|---------------------------------------------------|-----------|----------------------------------------------------------------|
 * | GET    | /api/networks/:networkId/concerns                 | user      | member, admin (hidden ones: lead, admin, their author)          |
 * | POST   | /api/networks/:networkId/concerns                 | public    | member; anyone (fully anonymous only) if visitors_may_raise    |
 * | GET    | /api/networks/:networkId/concerns/similar?q=      | user      | member, admin                                                  |
 * | GET    | /api/networks/:networkId/concerns/dashboard       | user      | lead, admin                                                    |
 * | GET    | /api/networks/:networkId/concerns/settings        | user      | member, admin                                                  |
 * | PUT    | /api/networks/:networkId/concerns/settings        | user      | lead, admin                                                    |
 * | POST   | /api/concerns/follow                              | anonymous | whoever holds the receipt code (rate-limited)                  |
 * | GET    | /api/concerns/:id                                 | user      | member, admin (hidden: lead, admin, its author)                |
 * | PATCH  | /api/concerns/:id                                 | user      | its author while `new`, lead, admin                            |
 * | POST   | /api/concerns/:id/support                         | user      | member (not on hidden concerns)                                |
 * | DELETE | /api/concerns/:id/support                         | user      | member                                                         |
 * | POST   | /api/concerns/:id/triage                          | user      | lead, admin                                                    |
 * | POST   | /api/concerns/:id/agenda                          | user      | lead, admin                                                    |
 * | POST   | /api/concerns/:id/flag                            | user      | member                                                         |
 * | POST   | /api/concerns/:id/hide                            | user      | lead, admin                                                    |
 * | POST   | /api/concerns/:id/unhide                          | user      | lead, admin                                                    |
 * | GET    | /api/networks/:networkId/actions                  | user      | member, admin                                                  |
 * | POST   | /api/networks/:networkId/actions                  | user      | lead, admin                                                    |
 * | GET    | /api/actions/:id                                  | user      | member, admin                                                  |
 * | PATCH  | /api/actions/:id                                  | user      | lead, admin                                                    |
 * | POST   | /api/actions/:id/updates                          | user      | lead, admin, owner                                             |
 * | POST   | /api/actions/:id/milestones                       | user      | lead, admin, owner                                             |
 * | PATCH  | /api/actions/:id/milestones/:milestoneId          | user      | lead, admin, owner                                             |
 * | POST   | /api/actions/:id/attachments                      | user      | lead, admin, owner (JSON, base64; metadata stripped)           |
 * | GET    | /api/actions/:id/attachments/:attachmentId        | user      | member, admin                                                  |
 * | POST   | /api/actions/:id/evidence                         | user      | lead, admin, owner                                             |
 * | POST   | /api/actions/:id/consent                          | user      | the action's student lead or staff sponsor (for themselves)    |
 * | GET    | /api/impact                                       | public    | anyone (?network=slug&category&year&status&page)               |
 * | GET    | /api/impact/actions/:id                           | public    | anyone (public actions in progress or completed)               |
 * | GET    | /api/impact/feed.atom                             | public    | anyone (?network=slug); Atom XML                               |
 * | GET    | /api/notifications                                | user      | oneself                                                        |
 * | POST   | /api/notifications/read                           | user      | oneself                                                        |
 * | GET    | /api/notifications/preferences                    | user      | oneself                                                        |
 * | PUT    | /api/notifications/preferences                    | user      | oneself                                                        |
 */
import type { AnyRoute } from '../../platform/routes';
import type { Services } from '../../platform/services';
import { actionRoutes } from './actions.routes';
import { concernRoutes } from './concerns.routes';
import { impactRoutes } from './impact.routes';

/** Every route of the concerns module. */
export function concernsRoutes(services: Services): AnyRoute[] {
  return [...concernRoutes(services), ...actionRoutes(services), ...impactRoutes(services)];
}
