import { type FormEvent, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import type { ImpactBoard, ImpactStory } from '../../../shared/concerns/schema';
import { seg } from '../../app/api';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import {
  actionStatusLabels,
  categoryLabels,
  categoryOptions,
  formatDate,
  formatDay,
  ProgressBar,
} from './common';

/**
 * `/impact` and `/impact/:id`: the public "You said, we did" board, readable without an account.
 * A visitor downloads this chunk, so it stays tiny: types only from the shared schema (no zod),
 * no chart, no form helpers. Filters live in the address, so every view is a shareable link.
 */

const FEED_URL = '/api/impact/feed.atom';

const statusOptions = [
  { value: '', label: 'In progress and completed' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'completed', label: 'Completed' },
];

function boardQuery(search: string) {
  const given = new URLSearchParams(search);
  const query = new URLSearchParams();
  for (const key of ['network', 'category', 'year', 'status', 'page']) {
    const value = given.get(key);
    if (value) query.set(key, value);
  }
  return query;
}

export function ImpactBoardPage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const query = boardQuery(search);
  const board = useLoad<ImpactBoard>(`/api/impact?${query}`);
  const page = Number(query.get('page') ?? '1') || 1;

  function go(next: URLSearchParams) {
    const text = next.toString();
    navigate(text ? `/impact?${text}` : '/impact');
  }
  function onFilter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    if (query.get('network')) next.set('network', query.get('network')!);
    for (const key of ['category', 'year', 'status']) {
      const value = data.get(key);
      if (typeof value === 'string' && value) next.set(key, value);
    }
    go(next);
  }
  function toPage(n: number) {
    const next = new URLSearchParams(query);
    if (n > 1) next.set('page', String(n));
    else next.delete('page');
    go(next);
  }

  const years = board.data?.years ?? [];
  return (
    <Page
      title="You said, we did"
      lead="What students and staff raised, and what their networks did about it: actions under way and completed. Anyone can read this page."
    >
      {/* key: the form's defaults follow the address when someone follows a shared link. */}
      <form key={search} className="search-form su-filters" onSubmit={onFilter} aria-label="Filter actions">
        <div className="field">
          <label htmlFor="cn-board-category">Category</label>
          <select id="cn-board-category" name="category" defaultValue={query.get('category') ?? ''}>
            <option value="">All categories</option>
            {categoryOptions.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="cn-board-year">Year</label>
          <select id="cn-board-year" name="year" defaultValue={query.get('year') ?? ''}>
            <option value="">Any year</option>
            {[...new Set([...years, ...(query.get('year') ? [Number(query.get('year'))] : [])])].map((y) => (
              <option key={y} value={String(y)}>
                {y}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="cn-board-status">Progress</label>
          <select id="cn-board-status" name="status" defaultValue={query.get('status') ?? ''}>
            {statusOptions.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button-secondary">
          Show actions
        </button>
      </form>
      {query.get('network') ? (
        <p>
          Showing one network only. <Link href="/impact">Show every network</Link>
        </p>
      ) : null}

      {board.loading && !board.data ? (
        <Loading what="Loading the board" />
      ) : board.error ? (
        <LoadError message={board.error} retry={board.reload} />
      ) : board.data && board.data.items.length === 0 ? (
        <p>Nothing to show for these choices yet.</p>
      ) : board.data ? (
        <>
          <p className="muted" role="status">
            {board.data.total} {board.data.total === 1 ? 'action' : 'actions'}
          </p>
          <ul className="card-list cn-board" aria-label="Actions">
            {board.data.items.map((a) => (
              <li key={a.id} className="card">
                <h2 className="card-heading">
                  <Link href={`/impact/${a.id}`}>{a.title}</Link>
                </h2>
                <p className="small muted">
                  {a.networkName}, {a.institutionName}
                </p>
                <p className="badges">
                  <span className={a.status === 'completed' ? 'badge' : 'badge badge-quiet'}>
                    {actionStatusLabels[a.status]}
                  </span>
                  <span className="badge badge-quiet">{categoryLabels[a.category]}</span>
                </p>
                {a.summary ? <p className="clamp">{a.summary}</p> : null}
                {a.status === 'in_progress' ? (
                  <ProgressBar value={a.progress} label={`Progress of “${a.title}”`} />
                ) : null}
                <p className="small">
                  {a.concernCount === 1
                    ? 'Raised in 1 concern'
                    : a.concernCount > 1
                      ? `Raised in ${a.concernCount} concerns`
                      : 'Started by the network'}
                  {a.completedAt
                    ? ` · completed ${formatDate(a.completedAt)}`
                    : a.startedAt
                      ? ` · started ${formatDate(a.startedAt)}`
                      : ''}
                </p>
              </li>
            ))}
          </ul>
          {board.data.total > board.data.pageSize ? (
            <nav className="pager" aria-label="Pages">
              {page > 1 ? (
                <button type="button" className="button button-secondary" onClick={() => toPage(page - 1)}>
                  Previous
                </button>
              ) : (
                <span />
              )}
              {page * board.data.pageSize < board.data.total ? (
                <button type="button" className="button button-secondary" onClick={() => toPage(page + 1)}>
                  Next
                </button>
              ) : null}
            </nav>
          ) : null}
        </>
      ) : null}
      <p className="cn-feed">
        <a href={FEED_URL} type="application/atom+xml">
          Follow the board in a feed reader (Atom feed)
        </a>
      </p>
    </Page>
  );
}

export function ImpactActionPage({ id }: { id: string }) {
  const story = useLoad<ImpactStory>(`/api/impact/actions/${seg(id)}`);
  const [shared, setShared] = useState<string | null>(null);

  if (!story.data) {
    return (
      <Page title={story.error ? 'Action not found' : 'Action'}>
        {story.error ? <LoadError message={story.error} retry={story.reload} /> : <Loading what="Loading" />}
        <p>
          <Link href="/impact">Back to the board</Link>
        </p>
      </Page>
    );
  }
  const a = story.data;
  async function share() {
    const url = `${window.location.origin}/impact/${a.id}`;
    try {
      await navigator.clipboard.writeText(url);
      setShared('The link is copied.');
    } catch {
      setShared(`The link to share is ${url}`);
    }
  }
  return (
    <Page title={a.title} lead={a.summary || undefined}>
      <p className="muted">
        {a.networkName}, {a.institutionName}
      </p>
      <p className="badges">
        <span className={a.status === 'completed' ? 'badge' : 'badge badge-quiet'}>
          {actionStatusLabels[a.status]}
        </span>
        <span className="badge badge-quiet">{categoryLabels[a.category]}</span>
      </p>
      {a.status === 'in_progress' ? <ProgressBar value={a.progress} label="Progress" /> : null}

      <dl className="facts">
        <dt>Led by</dt>
        <dd>
          {a.people.studentLead} and {a.people.staffSponsor}
        </dd>
        {a.startedAt ? (
          <>
            <dt>Started</dt>
            <dd>{formatDate(a.startedAt)}</dd>
          </>
        ) : null}
        {a.completedAt ? (
          <>
            <dt>Completed</dt>
            <dd>{formatDate(a.completedAt)}</dd>
          </>
        ) : null}
      </dl>

      {a.outcome ? (
        <section className="section callout" aria-labelledby="cn-outcome">
          <h2 id="cn-outcome">What changed</h2>
          <p className="su-text">{a.outcome}</p>
        </section>
      ) : null}

      <section className="section" aria-labelledby="cn-said">
        <h2 id="cn-said">You said</h2>
        {a.raised.length === 0 ? (
          <p>The network started this itself.</p>
        ) : (
          <ul className="plain-list">
            {a.raised.map((r) => (
              <li key={`${r.title}-${r.raisedAt}`}>
                “{r.title}” <span className="small muted">raised {formatDate(r.raisedAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="section" aria-labelledby="cn-did">
        <h2 id="cn-did">We did</h2>
        {a.updates.length === 0 ? (
          <p>No updates yet.</p>
        ) : (
          <ol className="plain-list su-timeline">
            {a.updates.map((u) => (
              <li key={`${u.at}-${u.body.slice(0, 20)}`} className="su-event">
                <p className="small muted">
                  {formatDate(u.at)}
                  {u.status ? ` · ${actionStatusLabels[u.status]}` : ''}
                </p>
                <p className="su-text">{u.body}</p>
              </li>
            ))}
          </ol>
        )}
      </section>

      {a.milestones.length ? (
        <section className="section" aria-labelledby="cn-milestones">
          <h2 id="cn-milestones">Milestones</h2>
          <ul className="plain-list">
            {a.milestones.map((m) => (
              <li key={`${m.title}-${m.dueOn}`}>
                {m.done ? 'Done: ' : 'To do: '}
                {m.title} <span className="small muted">(by {formatDay(m.dueOn)})</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {a.evidence.length ? (
        <section className="section" aria-labelledby="cn-evidence">
          <h2 id="cn-evidence">Behind this action</h2>
          <ul className="plain-list">
            {a.evidence.map((e) => (
              <li key={`${e.kind}-${e.label}`}>
                {e.url ? (
                  <a href={e.url} rel="noopener noreferrer">
                    {e.label}
                  </a>
                ) : (
                  e.label
                )}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="section" aria-labelledby="cn-share">
        <h2 id="cn-share">Share</h2>
        <div className="actions">
          <button type="button" className="button button-secondary" onClick={share}>
            Copy the link to this action
          </button>
        </div>
        <div role="status">{shared ? <p className="notice">{shared}</p> : null}</div>
      </section>
      <p>
        <Link href="/impact">Back to the board</Link>
      </p>
    </Page>
  );
}
