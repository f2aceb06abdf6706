// Meetings in `npm run bench`: a poll with 200 respondents × 30 slots, ranked on every request,
// and the calendar feed of a member of several networks with many meetings.
import { hashToken, randomToken } from '../src/server/platform/crypto';
import { type BenchModule, query } from './module';

const RESPONDENTS = 200;
const SLOTS = 30;
/** Networks the feed's member belongs to, and meetings per network in the feed's window. */
const FEED_NETWORKS = 3;
const MEETINGS_PER_NETWORK = 60;
const AGENDA_ITEMS = 5;

/** The meetings module's benchmark: seeding (set-based SQL) and routes. */
export const meetingsBench: BenchModule = {
  name: 'meetings',
  async seed({ db, base }) {
    const networkId = base.network.id;
    const [poll] = await query<{ id: string }>(
      db,
      `insert into meeting_polls (network_id, title, time_zone, weights, min_students, created_by)
       values ('${networkId}', 'Bench poll', 'Europe/London', '{"student":3,"staff":1,"alumnus":1}', 5, '${base.users.lead}')
       returning id`,
    );
    // 30 slots, one a day at 17:30 London time from a month ahead.
    await query(
      db,
      `insert into meeting_poll_slots (poll_id, starts_at, duration_minutes, place)
       select '${poll!.id}', ((date_trunc('day', now()) + interval '30 days' + k * interval '1 day')::date + time '17:30')
                at time zone 'Europe/London', 90, 'Seminar room ' || (1 + k % 4)
       from generate_series(0, ${SLOTS - 1}) k`,
    );
    await query(
      db,
      `insert into meeting_poll_required (poll_id, user_id) values ('${poll!.id}', '${base.users.lead}')`,
    );
    // 200 members (the bench member and lead among them) answer every slot.
    await query(
      db,
      `insert into meeting_poll_answers (poll_id, slot_id, user_id, answer, kind)
       select '${poll!.id}', s.id, m.user_id,
              (array['yes', 'if_need_be', 'no'])[1 + abs(hashtext(s.id::text || m.user_id::text)) % 3], m.kind
       from meeting_poll_slots s
       cross join (
         (select user_id, kind from memberships where network_id = '${networkId}'
            and user_id not in ('${base.users.member}', '${base.users.lead}')
          order by user_id limit ${RESPONDENTS - 2})
         union all select user_id, kind from memberships where network_id = '${networkId}'
            and user_id in ('${base.users.member}', '${base.users.lead}')
       ) m
       where s.poll_id = '${poll!.id}'`,
    );

    // The member belongs to several networks (of the first school where possible), each with a
    // meeting a week over the feed's window (three months back, the rest ahead) and an agenda.
    await query(
      db,
      `insert into memberships (user_id, network_id, kind, year_of_study)
       select '${base.users.member}', n.id, 'student', 3
       from networks n where n.id <> '${networkId}' order by n.slug limit ${FEED_NETWORKS - 1}
       on conflict do nothing`,
    );
    await query(
      db,
      `insert into meetings (network_id, title, starts_at, duration_minutes, time_zone, place, status, ical_uid, sequence)
       select m.network_id, 'Network meeting ' || k,
              date_trunc('day', now()) - interval '91 days' + k * interval '7 days' + interval '17 hours 30 minutes',
              90, 'Europe/London', 'Seminar room 2',
              case when k % 17 = 0 then 'cancelled' else 'scheduled' end,
              gen_random_uuid()::text || '@bench.invalid', k % 3
       from (select network_id from memberships where user_id = '${base.users.member}') m
       cross join generate_series(0, ${MEETINGS_PER_NETWORK - 1}) k`,
    );
    await query(
      db,
      `insert into meeting_agenda_items (meeting_id, position, kind, title)
       select mt.id, p, 'member_item', 'Agenda item ' || p || ': updates from the working groups'
       from meetings mt
       join memberships ms on ms.network_id = mt.network_id and ms.user_id = '${base.users.member}'
       cross join generate_series(1, ${AGENDA_ITEMS}) p`,
    );
    const token = randomToken(32);
    await query(
      db,
      `insert into calendar_feeds (user_id, token_hash) values ('${base.users.member}', '${hashToken(token)}')`,
    );
    return { pollId: poll!.id, feedToken: token };
  },
  routes: [
    {
      name: `GET /api/polls/:id (${RESPONDENTS} respondents × ${SLOTS} slots, ranked; member)`,
      path: (f) => `/api/polls/${f.modules.meetings!.pollId}`,
      session: 'member',
    },
    {
      name: `GET /api/calendar/:token.ics (member of ${FEED_NETWORKS} networks, ${FEED_NETWORKS * MEETINGS_PER_NETWORK} meetings)`,
      path: (f) => `/api/calendar/${f.modules.meetings!.feedToken}.ics`,
      session: 'none',
    },
  ],
  async describe(db) {
    const [row] = await query<{ meetings: number; answers: number }>(
      db,
      `select (select count(*) from meetings)::int as meetings, (select count(*) from meeting_poll_answers)::int as answers`,
    );
    return `${row!.meetings.toLocaleString('en-GB')} meetings, a poll with ${row!.answers.toLocaleString('en-GB')} answers`;
  },
};
