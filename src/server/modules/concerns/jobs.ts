import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client';
import { queryRows } from '../../../db/client';
import { DEFAULT_ACTION_UPDATE_DAYS } from '../../../shared/concerns/schema';
import type { Job } from '../../platform/jobs';
import type { Services } from '../../platform/services';

/** The concerns module's scheduled jobs. */
export function concernsJobs(): Job[] {
  return [weeklyDigestJob];
}

export const WEEKLY_DIGEST_JOB = 'concerns.weekly_digest';
/** At most this many concerns and actions are listed in one digest (the dashboard has the rest). */
const DIGEST_LIST_MAX = 20;

const ukDay = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short' });

type Overdue = { networkId: string; number: number; title: string; due: Date };
type Stale = { networkId: string; number: number; title: string; due: Date };

/**
 * Once a week (one slot per ISO week, run once across every instance), each co-chair of a network
 * with overdue concerns or stale actions gets an e-mail listing them: numbers and titles only, no
 * one's name, and nothing else about the people who raised them. Co-chairs who turned the digest
 * off (or whose account is disabled) get none.
 */
export async function sendWeeklyDigest(
  tx: Tx,
  services: Pick<Services, 'mailer' | 'config'>,
  now: Date,
): Promise<{ networks: number; emails: number }> {
  const overdue = await queryRows<Overdue>(
    tx as unknown as Db,
    sql`select network_id as "networkId", number, title, first_answer_due_at as due
          from concerns
         where first_answered_at is null and hidden_at is null and first_answer_due_at < ${now}
         order by network_id, first_answer_due_at, number`,
  );
  const stale = await queryRows<Stale>(
    tx as unknown as Db,
    sql`select a.network_id as "networkId", a.number, a.title,
               coalesce(a.last_update_at, a.created_at)
                 + make_interval(days => coalesce(s.action_update_days, ${DEFAULT_ACTION_UPDATE_DAYS})) as due
          from actions a left join concern_settings s on s.network_id = a.network_id
         where a.status in ('planned', 'in_progress')
           and coalesce(a.last_update_at, a.created_at)
                 + make_interval(days => coalesce(s.action_update_days, ${DEFAULT_ACTION_UPDATE_DAYS})) < ${now}
         order by a.network_id, due, a.number`,
  );
  const networkIds = [...new Set([...overdue, ...stale].map((r) => r.networkId))];
  if (networkIds.length === 0) return { networks: 0, emails: 0 };
  const chairs = await queryRows<{ networkId: string; slug: string; name: string; email: string }>(
    tx as unknown as Db,
    sql`select m.network_id as "networkId", n.slug, n.name, u.email
          from memberships m
          join networks n on n.id = m.network_id
          join users u on u.id = m.user_id
          left join notification_preferences p on p.user_id = u.id
         where m.role = 'lead' and m.lead_title = 'co_chair'
           and u.disabled_at is null and coalesce(p.weekly_digest, true)
           and m.network_id in (${sql.join(
             networkIds.map((id) => sql`${id}::uuid`),
             sql`, `,
           )})`,
  );
  let emails = 0;
  for (const chair of chairs) {
    const mine = overdue.filter((c) => c.networkId === chair.networkId);
    const staleMine = stale.filter((a) => a.networkId === chair.networkId);
    const lines = [
      `The concerns and actions of ${chair.name} that need attention this week.`,
      '',
      `Concerns without a first answer after their clock: ${mine.length}`,
      ...mine
        .slice(0, DIGEST_LIST_MAX)
        .map((c) => `  #${c.number} ${c.title} (answer was due ${ukDay.format(new Date(c.due))})`),
      ...(mine.length > DIGEST_LIST_MAX ? [`  … and ${mine.length - DIGEST_LIST_MAX} more`] : []),
      '',
      `Actions without an update within their clock: ${staleMine.length}`,
      ...staleMine
        .slice(0, DIGEST_LIST_MAX)
        .map((a) => `  A-${a.number} ${a.title} (update was due ${ukDay.format(new Date(a.due))})`),
      ...(staleMine.length > DIGEST_LIST_MAX ? [`  … and ${staleMine.length - DIGEST_LIST_MAX} more`] : []),
      '',
      `The dashboard: ${services.config.publicUrl}/networks/${encodeURIComponent(chair.slug)}/concerns/dashboard`,
      `You receive this weekly digest as a co-chair; turn it off at ${services.config.publicUrl}/notifications.`,
    ];
    await services.mailer.queue(tx as unknown as Db, {
      to: chair.email,
      subject: `${chair.name}: ${mine.length} overdue concern${mine.length === 1 ? '' : 's'}, ${staleMine.length} stale action${staleMine.length === 1 ? '' : 's'}`,
      text: lines.join('\n'),
    });
    emails++;
  }
  return { networks: networkIds.length, emails };
}

export const weeklyDigestJob: Job = {
  name: WEEKLY_DIGEST_JOB,
  every: 'week',
  run: (tx, services, { at }) => sendWeeklyDigest(tx, services, at),
  afterCommit: (services) => services.mailer.deliverPending(),
};
