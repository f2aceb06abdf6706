import { and, asc, count, desc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import { Feed } from 'feed';
import type { Db } from '../../../db/client';
import {
  actionEvidence,
  actionMilestones,
  actions,
  actionUpdates,
  concerns,
  institutions,
  networks,
  users,
} from '../../../db/schema';
import {
  ACTION_STATUS_LABELS,
  CATEGORY_LABELS,
  type ImpactBoard,
  type ImpactCard,
  type ImpactQuery,
  type ImpactStory,
} from '../../../shared/concerns/schema';
import { notFound } from '../../platform/errors';
import { effectiveProgress } from './progress';

/**
 * The public impact board ("you said, we did"): public actions in progress or completed, with their
 * story: what was raised (the titles of the concerns behind them, hidden ones left out), what was
 * done (the updates), by whom (roles, or a name with that person's consent) and when. Readable
 * without an account; nothing on it names the author or supporters of a concern.
 */

const ON_BOARD = ['in_progress', 'completed'] as const;

/** The year an action belongs to on the board: completed, or started, in UK time. */
const boardYear = sql<number>`extract(year from (coalesce(${actions.completedAt}, ${actions.startedAt}, ${actions.createdAt}) at time zone 'Europe/London'))::int`;
/** Most recent activity first. */
const lastActivity = sql`coalesce(${actions.lastUpdateAt}, ${actions.completedAt}, ${actions.startedAt}, ${actions.createdAt})`;

async function networkIdForSlug(db: Db, slug: string | undefined): Promise<string | undefined> {
  if (!slug) return undefined;
  const [network] = await db.select({ id: networks.id }).from(networks).where(eq(networks.slug, slug));
  if (!network) throw notFound('That network');
  return network.id;
}

function boardWhere(query: Omit<ImpactQuery, 'page' | 'pageSize'>, networkId: string | undefined): SQL {
  // Written as the partial index actions_public_board_idx states it, so the planner uses it.
  return and(
    sql`${actions.public}`,
    isNull(actions.parentId),
    query.status ? eq(actions.status, query.status) : sql`${actions.status} in ('in_progress', 'completed')`,
    networkId ? eq(actions.networkId, networkId) : undefined,
    query.category ? eq(actions.category, query.category) : undefined,
    query.year ? sql`${boardYear} = ${query.year}` : undefined,
  )!;
}

const visibleConcernCount = sql<number>`(select count(*)::int from ${concerns} where ${concerns.actionId} = ${actions.id} and ${concerns.hiddenAt} is null)`;

const cardColumns = {
  action: actions,
  networkName: networks.name,
  networkSlug: networks.slug,
  institutionName: institutions.name,
  concernCount: visibleConcernCount,
};

type CardRow = {
  action: typeof actions.$inferSelect;
  networkName: string;
  networkSlug: string;
  institutionName: string;
  concernCount: number;
};

function presentCard(row: CardRow, progress: Map<string, number>): ImpactCard {
  const a = row.action;
  return {
    id: a.id,
    networkName: row.networkName,
    networkSlug: row.networkSlug,
    institutionName: row.institutionName,
    number: a.number,
    title: a.title,
    summary: a.summary,
    category: a.category,
    status: a.status === 'completed' ? 'completed' : 'in_progress',
    progress: progress.get(a.id) ?? a.progress,
    concernCount: row.concernCount,
    startedAt: a.startedAt?.toISOString() ?? null,
    completedAt: a.completedAt?.toISOString() ?? null,
    lastUpdateAt: a.lastUpdateAt?.toISOString() ?? null,
  };
}

export async function impactBoard(db: Db, query: ImpactQuery): Promise<ImpactBoard> {
  const networkId = await networkIdForSlug(db, query.network);
  const where = boardWhere(query, networkId);
  const rows = await db
    .select(cardColumns)
    .from(actions)
    .innerJoin(networks, eq(networks.id, actions.networkId))
    .innerJoin(institutions, eq(institutions.id, networks.institutionId))
    .where(where)
    .orderBy(desc(lastActivity), desc(actions.id))
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize);
  const [total] = await db.select({ n: count() }).from(actions).where(where);
  const years = await db
    .selectDistinct({ year: boardYear })
    .from(actions)
    .where(boardWhere({ network: query.network }, networkId))
    .orderBy(desc(boardYear));
  const progress = await effectiveProgress(
    db,
    rows.map((r) => r.action.id),
  );
  return {
    items: rows.map((r) => presentCard(r, progress)),
    total: total?.n ?? 0,
    page: query.page,
    pageSize: query.pageSize,
    years: years.map((y) => y.year),
  };
}

/** The story of one action on the board; 404 for anything not on it. */
export async function impactStory(db: Db, id: string): Promise<ImpactStory> {
  const [row] = await db
    .select({
      ...cardColumns,
      leadName: sql<string | null>`(select name from ${users} where ${users.id} = ${actions.studentLeadId})`,
      sponsorName: sql<
        string | null
      >`(select name from ${users} where ${users.id} = ${actions.staffSponsorId})`,
    })
    .from(actions)
    .innerJoin(networks, eq(networks.id, actions.networkId))
    .innerJoin(institutions, eq(institutions.id, networks.institutionId))
    .where(and(eq(actions.id, id), eq(actions.public, true), inArray(actions.status, [...ON_BOARD])));
  if (!row) throw notFound('That action');
  const a = row.action;
  const raised = await db
    .select({ title: concerns.title, raisedAt: concerns.createdAt })
    .from(concerns)
    .where(and(eq(concerns.actionId, id), isNull(concerns.hiddenAt)))
    .orderBy(asc(concerns.createdAt));
  const updates = await db
    .select({ body: actionUpdates.body, at: actionUpdates.createdAt, status: actionUpdates.status })
    .from(actionUpdates)
    .where(eq(actionUpdates.actionId, id))
    .orderBy(asc(actionUpdates.createdAt), asc(actionUpdates.id));
  const milestones = await db
    .select({ title: actionMilestones.title, dueOn: actionMilestones.dueOn, doneAt: actionMilestones.doneAt })
    .from(actionMilestones)
    .where(eq(actionMilestones.actionId, id))
    .orderBy(asc(actionMilestones.dueOn), asc(actionMilestones.position));
  const evidence = await db
    .select({ kind: actionEvidence.kind, label: actionEvidence.label, url: actionEvidence.url })
    .from(actionEvidence)
    .where(eq(actionEvidence.actionId, id))
    .orderBy(asc(actionEvidence.createdAt));
  const progress = await effectiveProgress(db, [id]);
  return {
    ...presentCard(row, progress),
    outcome: a.outcome,
    raised: raised.map((c) => ({ title: c.title, raisedAt: c.raisedAt.toISOString() })),
    updates: updates.map((u) => ({ body: u.body, at: u.at.toISOString(), status: u.status })),
    milestones: milestones.map((m) => ({ title: m.title, dueOn: m.dueOn, done: m.doneAt !== null })),
    people: {
      studentLead: a.studentLeadNamed && row.leadName ? row.leadName : 'A student lead from the network',
      staffSponsor:
        a.staffSponsorNamed && row.sponsorName ? row.sponsorName : 'A staff sponsor from the school',
    },
    evidence,
  };
}

const escapeText = (s: string) => s.replace(/[\p{Cc}]/gu, ' ');

/** The board as an Atom feed (newest activity first, 50 entries). */
export async function impactFeed(
  db: Db,
  publicUrl: string,
  networkSlug: string | undefined,
): Promise<string> {
  const board = await impactBoard(db, { network: networkSlug, page: 1, pageSize: 50 });
  const where = networkSlug ? `?network=${encodeURIComponent(networkSlug)}` : '';
  const newest = board.items
    .map((i) => new Date(i.lastUpdateAt ?? i.completedAt ?? i.startedAt ?? 0))
    .reduce((a, b) => (b > a ? b : a), new Date(0));
  const feed = new Feed({
    id: `${publicUrl}/impact${where}`,
    title:
      networkSlug && board.items[0] ? `You said, we did: ${board.items[0].networkName}` : 'You said, we did',
    description: 'What racial-justice networks changed after students and staff raised concerns.',
    link: `${publicUrl}/impact${where}`,
    language: 'en-GB',
    updated: newest,
    generator: false,
    feedLinks: { atom: `${publicUrl}/api/impact/feed.atom${where}` },
    copyright: 'The networks listed',
    // RFC 4287 §4.1.1: a feed (or each entry) names an author; the board speaks for its networks.
    author: { name: networkSlug && board.items[0] ? board.items[0].networkName : 'Upstander networks' },
  });
  for (const item of board.items) {
    const link = `${publicUrl}/impact/${item.id}`;
    const state =
      item.status === 'completed' ? 'Completed' : `${ACTION_STATUS_LABELS.in_progress} (${item.progress}%)`;
    feed.addItem({
      id: link,
      link,
      title: escapeText(`${item.title} — ${state}`),
      date: new Date(item.lastUpdateAt ?? item.completedAt ?? item.startedAt ?? newest),
      description: escapeText(
        `${item.networkName}, ${item.institutionName} · ${CATEGORY_LABELS[item.category]} · ${item.concernCount} concern${item.concernCount === 1 ? '' : 's'} raised. ${item.summary}`,
      ),
      category: [{ name: CATEGORY_LABELS[item.category], term: item.category }],
      author: [{ name: item.networkName }],
    });
  }
  return feed.atom1();
}
