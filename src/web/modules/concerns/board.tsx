import type { FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import type { ImpactBoard } from '../../../shared/concerns/schema';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { actionStatusLabels, categoryLabels, categoryOptions, formatDate, ProgressBar } from './labels';

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
