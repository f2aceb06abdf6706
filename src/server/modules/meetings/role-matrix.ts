import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../../db/client';
import { calendarFeeds } from '../../../db/schema';
import type { Config } from '../../config';
import { hashToken, randomToken } from '../../platform/crypto';
import { createMailer } from '../../platform/mail';
import { type Expect, everyone, type MatrixModule, managers, signedIn } from '../../test/matrix';
import { actorFor } from './access';
import { addAgendaItem, createMeeting, saveMinutes } from './meetings';
import { createPoll } from './polls';
import { createBlock, createSeries } from './series';

/**
 * The meetings module's rows of the role matrix (see platform/role-matrix.test.ts). The fixture's
 * member is a student of the network, the lead its co-chair; the case handler belongs to the other
 * network (so sees nothing here: 404); the admin belongs to none (sees and runs everything, but
 * has no availability to give).
 */

/** Members, leads and admins of the network see it; an outsider gets 404. */
const members = (status: number): Expect => ({
  visitor: 401,
  member: status,
  lead: status,
  caseHandler: 404,
  admin: status,
});

const YEAR = new Date().getUTCFullYear() + 1;

type Extra = {
  pollId: string;
  slotIds: string[];
  meetingId: string;
  agendaItemIds: string[];
  seriesId: string;
  blockId: string;
  feedId: string;
  feedToken: string;
};

/** Services as the domain functions need them, with the development outbox for mail. */
function servicesFor(db: Db) {
  return {
    db,
    mailer: createMailer({
      db,
      from: 'Upstander <no-reply@upstander.invalid>',
      log: { warn() {} } as unknown as FastifyBaseLogger,
    }),
    config: {
      publicUrl: 'http://localhost:3000',
      mailFrom: 'Upstander <no-reply@upstander.invalid>',
    } as Config,
  };
}

export const meetingsMatrix: MatrixModule<Extra> = {
  build: async (db, _masterKey, f) => {
    const services = servicesFor(db);
    const lead = await actorFor(db, f.users.lead.id);
    const poll = await createPoll(services, lead, f.networkId, {
      title: 'Matrix poll',
      timeZone: 'Europe/London',
      slots: [
        { startsLocal: `${YEAR}-01-13T17:30`, durationMinutes: 60 },
        { startsLocal: `${YEAR}-01-14T17:30`, durationMinutes: 60 },
      ],
    });
    const meeting = await createMeeting(services, lead, f.networkId, {
      title: 'Matrix meeting',
      startsLocal: `${YEAR}-02-10T17:30`,
      timeZone: 'Europe/London',
      durationMinutes: 60,
      place: 'Seminar room 2',
    });
    await saveMinutes(db, lead, meeting.id, { attendance: [{ userId: f.users.member.id, present: true }] });
    const items = [
      await addAgendaItem(db, lead, meeting.id, { title: 'First item' }),
      await addAgendaItem(db, lead, meeting.id, { title: 'Second item' }),
    ];
    const series = await createSeries(db, lead, f.networkId, {
      title: 'Monthly meeting',
      rule: { nth: 2, weekday: 3, time: '17:30' },
      timeZone: 'Europe/London',
      durationMinutes: 90,
      startsOn: `${YEAR}-01-01`,
      endsOn: `${YEAR}-03-31`,
    });
    const block = await createBlock(db, lead, f.networkId, {
      kind: 'exam',
      label: 'Year 3 exams',
      yearOfStudy: 3,
      startsOn: `${YEAR}-01-04`,
      endsOn: `${YEAR}-01-15`,
    });
    const feedToken = randomToken(32);
    const [feed] = await db
      .insert(calendarFeeds)
      .values({ userId: f.users.member.id, tokenHash: hashToken(feedToken) })
      .returning({ id: calendarFeeds.id });
    return {
      pollId: poll.id,
      slotIds: poll.slots.map((s) => s.id),
      meetingId: meeting.id,
      agendaItemIds: items.map((i) => i.id),
      seriesId: series.id,
      blockId: block.id,
      feedId: feed!.id,
      feedToken,
    };
  },
  entries: {
    'GET /api/networks/:networkId/polls': {
      request: (f) => ({ url: `/api/networks/${f.networkId}/polls` }),
      expect: members(200),
    },
    'POST /api/networks/:networkId/polls': {
      request: (f) => ({
        url: `/api/networks/${f.networkId}/polls`,
        body: {
          title: 'Another poll',
          timeZone: 'Europe/London',
          slots: [{ startsLocal: `${YEAR}-03-10T17:30`, durationMinutes: 60 }],
        },
      }),
      expect: managers(201),
    },
    'GET /api/polls/:id': { request: (_f, x) => ({ url: `/api/polls/${x.pollId}` }), expect: members(200) },
    'PUT /api/polls/:id/answers': {
      request: (_f, x) => ({
        url: `/api/polls/${x.pollId}/answers`,
        body: { answers: [{ slotId: x.slotIds[0], answer: 'yes' }] },
      }),
      // An admin who is not a member has no availability to give.
      expect: { ...members(200), admin: 403 },
    },
    'POST /api/polls/:id/confirm': {
      request: (_f, x) => ({ url: `/api/polls/${x.pollId}/confirm`, body: { slotId: x.slotIds[0] } }),
      expect: managers(201),
    },
    'POST /api/polls/:id/close': {
      request: (_f, x) => ({ url: `/api/polls/${x.pollId}/close` }),
      expect: managers(200),
    },
    'POST /api/polls/:id/remind': {
      request: (_f, x) => ({ url: `/api/polls/${x.pollId}/remind` }),
      expect: managers(200),
    },
    'GET /api/networks/:networkId/meetings': {
      request: (f) => ({ url: `/api/networks/${f.networkId}/meetings` }),
      expect: members(200),
    },
    'POST /api/networks/:networkId/meetings': {
      request: (f) => ({
        url: `/api/networks/${f.networkId}/meetings`,
        body: {
          title: 'Extra',
          startsLocal: `${YEAR}-04-14T17:30`,
          timeZone: 'Europe/London',
          durationMinutes: 60,
        },
      }),
      expect: managers(201),
    },
    'GET /api/networks/:networkId/meetings/stats': {
      request: (f) => ({ url: `/api/networks/${f.networkId}/meetings/stats` }),
      expect: members(200),
    },
    'GET /api/networks/:networkId/series': {
      request: (f) => ({ url: `/api/networks/${f.networkId}/series` }),
      expect: members(200),
    },
    'POST /api/networks/:networkId/series': {
      request: (f) => ({
        url: `/api/networks/${f.networkId}/series`,
        body: {
          title: 'Term 2 meetings',
          rule: { nth: -1, weekday: 2, time: '12:00' },
          timeZone: 'Europe/London',
          durationMinutes: 60,
          startsOn: `${YEAR}-04-01`,
        },
      }),
      expect: managers(201),
    },
    'POST /api/series/:id/generate': {
      request: (_f, x) => ({ url: `/api/series/${x.seriesId}/generate`, body: { months: 3 } }),
      expect: managers(200),
    },
    'GET /api/networks/:networkId/blocks': {
      request: (f) => ({ url: `/api/networks/${f.networkId}/blocks` }),
      expect: members(200),
    },
    'POST /api/networks/:networkId/blocks': {
      request: (f) => ({
        url: `/api/networks/${f.networkId}/blocks`,
        body: {
          kind: 'placement',
          label: 'Year 5 placement',
          yearOfStudy: 5,
          startsOn: `${YEAR}-05-01`,
          endsOn: `${YEAR}-06-30`,
        },
      }),
      expect: managers(201),
    },
    'DELETE /api/blocks/:id': {
      request: (_f, x) => ({ url: `/api/blocks/${x.blockId}` }),
      expect: managers(204),
    },
    'GET /api/meetings/:id': {
      request: (_f, x) => ({ url: `/api/meetings/${x.meetingId}` }),
      expect: members(200),
    },
    'PATCH /api/meetings/:id': {
      request: (_f, x) => ({ url: `/api/meetings/${x.meetingId}`, body: { place: 'Lecture theatre 1' } }),
      expect: managers(200),
    },
    'POST /api/meetings/:id/cancel': {
      request: (_f, x) => ({ url: `/api/meetings/${x.meetingId}/cancel` }),
      expect: managers(200),
    },
    'POST /api/meetings/:id/agenda': {
      request: (_f, x) => ({
        url: `/api/meetings/${x.meetingId}/agenda`,
        body: { title: 'Welcome week stall' },
      }),
      expect: members(201),
    },
    'PUT /api/meetings/:id/agenda/order': {
      request: (_f, x) => ({
        url: `/api/meetings/${x.meetingId}/agenda/order`,
        body: { itemIds: [...x.agendaItemIds].reverse() },
      }),
      expect: managers(200),
    },
    'PUT /api/meetings/:id/minutes': {
      request: (f, x) => ({
        url: `/api/meetings/${x.meetingId}/minutes`,
        body: {
          attendance: [{ userId: f.users.lead.id, present: true }],
          notes: [{ agendaItemId: x.agendaItemIds[0], notes: 'Agreed.' }],
        },
      }),
      expect: managers(200),
    },
    'POST /api/meetings/:id/decisions': {
      request: (_f, x) => ({
        url: `/api/meetings/${x.meetingId}/decisions`,
        body: { kind: 'other', text: 'Hold a stall at welcome week.' },
      }),
      expect: managers(201),
    },
    'POST /api/meetings/:id/action-items': {
      request: (f, x) => ({
        url: `/api/meetings/${x.meetingId}/action-items`,
        body: { title: 'Book the stall', ownerId: f.users.member.id, dueOn: `${YEAR}-02-28` },
      }),
      expect: managers(201),
    },
    'POST /api/meetings/:id/minutes/publish': {
      request: (_f, x) => ({ url: `/api/meetings/${x.meetingId}/minutes/publish` }),
      expect: managers(200),
    },
    'GET /api/meetings/:id/invite.ics': {
      request: (_f, x) => ({ url: `/api/meetings/${x.meetingId}/invite.ics` }),
      expect: members(200),
    },
    'GET /api/calendar/feeds': { request: () => ({ url: '/api/calendar/feeds' }), expect: signedIn(200) },
    'POST /api/calendar/feeds': { request: () => ({ url: '/api/calendar/feeds' }), expect: signedIn(201) },
    'DELETE /api/calendar/feeds/:id': {
      request: (_f, x) => ({ url: `/api/calendar/feeds/${x.feedId}` }),
      // Only its owner (the member) may revoke it; to anyone else it is not there.
      expect: { visitor: 401, member: 204, lead: 404, caseHandler: 404, admin: 404 },
    },
    'GET /api/calendar/:token.ics': {
      request: (_f, x) => ({ url: `/api/calendar/${x.feedToken}.ics` }),
      expect: everyone(200),
    },
  },
};
