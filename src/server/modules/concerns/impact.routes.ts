import { z } from 'zod';
import {
  ActionParams,
  ImpactBoardSchema,
  ImpactQuerySchema,
  ImpactStorySchema,
  NotificationListQuerySchema,
  NotificationListSchema,
  NotificationPreferencesSchema,
  NotificationReadResultSchema,
  NotificationReadSchema,
} from '../../../shared/concerns/schema';
import { listNotifications, markRead, preferencesOf, setPreferences } from '../../platform/notifications';
import { type AnyRoute, defineRoute } from '../../platform/routes';
import type { Services } from '../../platform/services';
import { impactBoard, impactFeed, impactStory } from './impact';

const FeedQuery = z.strictObject({ network: ImpactQuerySchema.shape.network });

/** The public impact board and its feed, and each person's notifications. */
export function impactRoutes(services: Services): AnyRoute[] {
  const { db } = services;
  return [
    defineRoute({
      method: 'GET',
      url: '/api/impact',
      summary: 'You said, we did: public actions in progress and completed (all networks, or ?network=slug)',
      tags: ['concerns'],
      access: 'public',
      query: ImpactQuerySchema,
      response: ImpactBoardSchema,
      handler: ({ query }) => impactBoard(db, query),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/impact/actions/:id',
      summary: 'The story of one action on the board: what was raised, what was done, by whom, when',
      tags: ['concerns'],
      access: 'public',
      params: ActionParams,
      response: ImpactStorySchema,
      handler: ({ params }) => impactStory(db, params.id),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/impact/feed.atom',
      summary: 'The impact board as an Atom feed (?network=slug)',
      tags: ['concerns'],
      access: 'public',
      query: FeedQuery,
      response: null,
      produces: { contentType: 'application/atom+xml', description: 'The impact board as an Atom feed' },
      handler: async ({ query, reply }) => {
        const xml = await impactFeed(db, services.config.publicUrl, query.network);
        reply.header('content-type', 'application/atom+xml; charset=utf-8').send(xml);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/notifications',
      summary: 'Your notifications, newest first',
      tags: ['notifications'],
      access: 'user',
      query: NotificationListQuerySchema,
      response: NotificationListSchema,
      handler: ({ query, actor }) => listNotifications(db, actor!.userId, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/notifications/read',
      summary: 'Mark some of your notifications (or all) as read',
      tags: ['notifications'],
      access: 'user',
      body: NotificationReadSchema,
      response: NotificationReadResultSchema,
      handler: ({ body, actor }) => markRead(db, actor!.userId, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/notifications/preferences',
      summary: 'How you hear about updates: e-mail copies, and (co-chairs) the weekly digest',
      tags: ['notifications'],
      access: 'user',
      response: NotificationPreferencesSchema,
      handler: ({ actor }) => preferencesOf(db, actor!.userId),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/notifications/preferences',
      summary: 'Choose how you hear about updates',
      tags: ['notifications'],
      access: 'user',
      body: NotificationPreferencesSchema,
      response: NotificationPreferencesSchema,
      handler: ({ body, actor }) => db.transaction((tx) => setPreferences(tx, actor!.userId, body)),
    }),
  ];
}
