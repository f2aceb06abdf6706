// Concerns in `npm run bench`: concerns across every network (200k national), about one action per
// ten concerns with updates, supports; the concerns list (member), the impact board (visitor) and
// the co-chairs' dashboard (lead).
import { type BenchModule, query } from './module';

const TITLES = [
  'Theatre caps do not fit over braids or locs',
  'Kara refused in theatre',
  'Jaundice only shown on white skin',
  'Cyanosis teaching lacks darker skin tones',
  'Students on appointment panels',
  'Nowhere to pray near the wards',
  'Racist remarks by patients brushed off',
  'Names called exotic on ward rounds',
  'Dermatology images only of white skin',
  'OSCE feedback comments on accents',
  'Placement far from places of worship',
  'Hijab not approved for theatre',
  'An art exhibition on inclusion',
  'Mentoring for first-generation students',
  'Reading list lacks global health authors',
  'Exam dates clash with religious festivals',
];
const CATEGORIES = [
  'curriculum',
  'placement',
  'policy',
  'uniform_and_facilities',
  'assessment',
  'culture',
  'other',
];

const sqlArray = (items: readonly string[]) =>
  `array[${items.map((s) => `'${s.replace(/'/g, "''")}'`).join(',')}]`;

/**
 * Set-based seeding: concerns numbered per network over the past two years (a tenth new, some of
 * them overdue; the rest answered, accepted or not taken forward), one action per ten concerns
 * (in progress, completed, planned or dropped; nearly all public) with two updates each, accepted
 * concerns linked to their network's actions, and supports by members (counts kept in step).
 */
export const concernsBench: BenchModule = {
  name: 'concerns',
  async seed({ db, scale }) {
    const total = scale.concerns;
    const nn = scale.networks;
    const perNetworkActions = Math.max(1, Math.floor(total / nn / 10));
    // Members of each network, numbered, to pick authors and supporters by arithmetic.
    await query(db, 'drop table if exists bench_network_members');
    await query(
      db,
      `create table bench_network_members as
       select network_id, user_id, kind,
              row_number() over (partition by network_id order by user_id)::int as r,
              count(*) over (partition by network_id)::int as n
       from memberships`,
    );
    await query(db, 'create index on bench_network_members (network_id, r)');
    await query(db, 'drop table if exists bench_networks');
    await query(
      db,
      `create table bench_networks as
       select n.id, (row_number() over (order by n.slug))::int as k,
              (select count(*)::int from memberships m where m.network_id = n.id) as members
       from networks n`,
    );
    await query(
      db,
      `insert into concerns (network_id, number, title, description, category, visibility, author_id, status,
                             answer, first_answered_at, first_answer_due_at, support_count, created_at, updated_at)
       select x.network_id, x.number,
              (${sqlArray(TITLES)})[1 + x.g % ${TITLES.length}] || ' (' || x.g || ')',
              'Raised by a student of the network: ' || (${sqlArray(TITLES)})[1 + (x.g / 7) % ${TITLES.length}]
                || '. It happens on placement and in teaching, and we would like the network to take it up with the school.',
              (${sqlArray(CATEGORIES)})[1 + x.g % ${CATEGORIES.length}],
              case when x.g % 10 < 6 then 'named' when x.g % 10 < 9 then 'anonymous_to_members' else 'anonymous' end,
              case when x.g % 10 < 9 then m.user_id end,
              x.status,
              case when x.status <> 'new' then 'The co-chairs answered this concern at the monthly meeting.' end,
              case when x.status <> 'new' then x.created_at + ((x.g % 30) || ' days')::interval end,
              x.created_at + interval '14 days',
              0, x.created_at, x.created_at
       from (
         select g, n.id as network_id, n.members,
                (row_number() over (partition by n.id order by g))::int as number,
                now() - ((g * 37) % 730 || ' days')::interval - ((g % 24) || ' hours')::interval as created_at,
                case when (g * 37) % 730 < 30 then 'new'
                     when g % 10 = 0 then 'under_discussion'
                     when g % 10 < 5 then 'accepted'
                     when g % 10 < 8 then 'answered'
                     else 'not_taken_forward' end as status
         from generate_series(1, ${total}) g
         join bench_networks n on n.k = 1 + g % ${nn}
       ) x
       join bench_network_members m on m.network_id = x.network_id
        and m.r = 1 + (x.g * 13) % x.members`,
    );
    await query(
      db,
      `insert into actions (network_id, number, title, summary, category, status, progress, student_lead_id,
                            staff_sponsor_id, public, started_at, completed_at, last_update_at, created_at, updated_at)
       select n.id, a,
              (${sqlArray(TITLES)})[1 + a % ${TITLES.length}] || ': what we are doing (' || a || ')',
              'The network agreed this action with the school; the student lead and staff sponsor report every month.',
              (${sqlArray(CATEGORIES)})[1 + a % ${CATEGORIES.length}],
              s.status,
              case s.status when 'completed' then 100 when 'in_progress' then 10 + (a * 7) % 80 else 0 end,
              (select user_id from bench_network_members b where b.network_id = n.id and b.r = 1 + a % n.members),
              (select user_id from bench_network_members b where b.network_id = n.id and b.r = 1 + (a + 1) % n.members),
              a % 20 <> 0,
              case when s.status <> 'planned' then s.created_at + interval '10 days' end,
              case when s.status = 'completed' then s.created_at + interval '120 days' end,
              s.created_at + interval '30 days',
              s.created_at, s.created_at
       from bench_networks n
       cross join generate_series(1, ${perNetworkActions}) a
       cross join lateral (
         select now() - (((a * 53 + n.k) % 700) || ' days')::interval as created_at,
                case when a % 20 < 8 then 'in_progress' when a % 20 < 16 then 'completed'
                     when a % 20 < 19 then 'planned' else 'dropped' end as status
       ) s`,
    );
    await query(
      db,
      `insert into action_updates (action_id, body, progress, status, created_at)
       select id, 'Progress this month: the working group met and agreed the next steps with the school.',
              progress, null, created_at + interval '20 days' from actions
       union all
       select id, 'The action lead reported to the network meeting.', progress, status,
              coalesce(completed_at, last_update_at) from actions`,
    );
    await query(
      db,
      `update concerns c set action_id = a.id
       from actions a
       where c.status = 'accepted' and a.network_id = c.network_id and a.number = 1 + c.number % ${perNetworkActions}`,
    );
    // Supports: a few members for one concern in three (none by the author).
    await query(
      db,
      `insert into concern_supports (concern_id, user_id, created_at)
       select c.id, m.user_id, c.created_at + interval '1 day'
       from concerns c
       cross join generate_series(1, 3) s
       join bench_network_members m on m.network_id = c.network_id
        and m.r = 1 + (c.number * 17 + s * 5) % greatest(m.n, 1)
       where c.number % 3 = 0
       on conflict do nothing`,
    );
    await query(
      db,
      `update concerns c set support_count = s.n
       from (select concern_id, count(*)::int as n from concern_supports group by concern_id) s
       where s.concern_id = c.id`,
    );
    await query(
      db,
      `insert into concern_counters (network_id, kind, last_number)
       select network_id, 'concern', max(number) from concerns group by network_id
       union all
       select network_id, 'action', max(number) from actions group by network_id
       on conflict (network_id, kind) do update set last_number = excluded.last_number`,
    );
    await query(db, 'drop table bench_network_members');
    await query(db, 'drop table bench_networks');
    await query(db, 'analyze');
    return {};
  },
  async describe(db) {
    const [c] = await query<{ concerns: number; actions: number }>(
      db,
      'select (select count(*)::int from concerns) as concerns, (select count(*)::int from actions) as actions',
    );
    return `${c!.concerns.toLocaleString('en-GB')} concerns, ${c!.actions.toLocaleString('en-GB')} actions`;
  },
  routes: [
    {
      name: 'GET /api/networks/:id/concerns (member, page 1)',
      path: (f) => `/api/networks/${f.network.id}/concerns`,
      session: 'member',
    },
    {
      name: 'GET /api/networks/:id/concerns?q=theatre (member)',
      path: (f) => `/api/networks/${f.network.id}/concerns?q=theatre`,
      session: 'member',
    },
    { name: 'GET /api/impact (visitor, every network)', path: '/api/impact', session: 'none' },
    {
      name: 'GET /api/impact?network= (visitor)',
      path: (f) => `/api/impact?network=${f.network.slug}`,
      session: 'none',
    },
    {
      name: 'GET /api/networks/:id/concerns/dashboard (lead)',
      path: (f) => `/api/networks/${f.network.id}/concerns/dashboard`,
      session: 'lead',
    },
  ],
};
