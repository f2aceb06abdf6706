import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import type { ConcernList, ConcernSummary } from '../../../shared/concerns/schema';
import { seg } from '../../app/api';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { useSession } from '../../app/session';
import { type NetworkDetail, WithNetwork } from './common';
import {
  categoryLabels,
  categoryOptions,
  concernStatusLabels,
  concernStatusOptions,
  formatDate,
} from './labels';
import { SupportButton } from './support';

/** `/networks/:slug/concerns`: what the network's members have raised, with filters and support. */

type Filters = { status: string; category: string; q: string; overdue: boolean; mine: boolean; page: number };
const NO_FILTERS: Filters = { status: '', category: '', q: '', overdue: false, mine: false, page: 1 };

export function ConcernsPage({ slug }: { slug: string }) {
  return (
    <WithNetwork slug={slug} title="Concerns">
      {(network) => <ConcernListView network={network} />}
    </WithNetwork>
  );
}

function ConcernListView({ network }: { network: NetworkDetail }) {
  const { session } = useSession();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const isLead = network.viewer.isLead;
  const query = new URLSearchParams();
  if (filters.status) query.set('status', filters.status);
  if (filters.category) query.set('category', filters.category);
  if (filters.q.trim()) query.set('q', filters.q.trim());
  if (filters.overdue) query.set('overdue', 'true');
  if (filters.mine) query.set('mine', 'true');
  if (filters.page > 1) query.set('page', String(filters.page));
  const list = useLoad<ConcernList>(`/api/networks/${seg(network.id)}/concerns?${query}`);
  const others = session.memberships.filter((m) => m.networkId !== network.id);

  function onFilter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setFilters({
      status: String(data.get('status') ?? ''),
      category: String(data.get('category') ?? ''),
      q: String(data.get('q') ?? ''),
      overdue: data.get('overdue') === 'on',
      mine: data.get('mine') === 'on',
      page: 1,
    });
  }

  return (
    <Page
      title={`Concerns in ${network.name}`}
      lead="Anything that gets in the way of fair teaching, placements or assessment. No issue is too big or too small, and every one gets an answer."
    >
      <div className="actions">
        <Link href={`/networks/${seg(network.slug)}/concerns/new`} className="button">
          Raise a concern
        </Link>
        {isLead ? (
          <Link
            href={`/networks/${seg(network.slug)}/concerns/dashboard`}
            className="button button-secondary"
          >
            Dashboard
          </Link>
        ) : null}
      </div>
      <p className="small">
        Raised one anonymously? <Link href="/concerns/follow">Follow it with your receipt code</Link>.
        {others.length ? (
          <>
            {' '}
            Other networks:{' '}
            {others.map((m, i) => (
              <span key={m.networkId}>
                {i > 0 ? ', ' : ''}
                <Link href={`/networks/${seg(m.networkSlug)}/concerns`}>{m.networkName}</Link>
              </span>
            ))}
            .
          </>
        ) : null}
      </p>

      <form className="search-form su-filters" onSubmit={onFilter} aria-label="Filter concerns">
        <div className="field">
          <label htmlFor="cn-f-q">Search</label>
          <input id="cn-f-q" name="q" type="search" defaultValue={filters.q} maxLength={200} />
        </div>
        <div className="field">
          <label htmlFor="cn-f-status">Status</label>
          <select id="cn-f-status" name="status" defaultValue={filters.status}>
            <option value="">Any status</option>
            {concernStatusOptions.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="cn-f-category">Category</label>
          <select id="cn-f-category" name="category" defaultValue={filters.category}>
            <option value="">All categories</option>
            {categoryOptions.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-checkbox">
          <input id="cn-f-mine" type="checkbox" name="mine" defaultChecked={filters.mine} />
          <label htmlFor="cn-f-mine">Raised or supported by me</label>
        </div>
        {isLead ? (
          <div className="field field-checkbox">
            <input id="cn-f-overdue" type="checkbox" name="overdue" defaultChecked={filters.overdue} />
            <label htmlFor="cn-f-overdue">Waiting too long for an answer</label>
          </div>
        ) : null}
        <button type="submit" className="button button-secondary">
          Show concerns
        </button>
      </form>

      {list.loading && !list.data ? (
        <Loading what="Loading concerns" />
      ) : list.error ? (
        <LoadError message={list.error} retry={list.reload} />
      ) : list.data && list.data.items.length === 0 ? (
        <p>No concerns match.</p>
      ) : list.data ? (
        <>
          <p className="muted">
            {list.data.total} {list.data.total === 1 ? 'concern' : 'concerns'}
          </p>
          <ul className="card-list cn-list" aria-label="Concerns">
            {list.data.items.map((c) => (
              <ConcernCard key={c.id} concern={c} showOverdue={isLead} />
            ))}
          </ul>
          {list.data.total > list.data.pageSize ? (
            <nav className="pager" aria-label="Pages">
              {filters.page > 1 ? (
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => setFilters({ ...filters, page: filters.page - 1 })}
                >
                  Previous
                </button>
              ) : (
                <span />
              )}
              {filters.page * list.data.pageSize < list.data.total ? (
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => setFilters({ ...filters, page: filters.page + 1 })}
                >
                  Next
                </button>
              ) : null}
            </nav>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}

function ConcernCard({ concern: c, showOverdue }: { concern: ConcernSummary; showOverdue: boolean }) {
  const overdue = showOverdue && c.overdue;
  return (
    <li className={overdue ? 'card su-overdue' : 'card'}>
      <h2 className="card-heading">
        <Link href={`/concerns/${c.id}`}>
          #{c.number} {c.title}
        </Link>
      </h2>
      <p className="badges">
        <span className="badge">{concernStatusLabels[c.status]}</span>
        <span className="badge badge-quiet">{categoryLabels[c.category]}</span>
        {overdue ? <span className="badge badge-warn">Answer overdue</span> : null}
        {c.forAgenda ? <span className="badge badge-quiet">On the agenda</span> : null}
        {c.hidden ? <span className="badge badge-warn">Hidden</span> : null}
        {c.mine ? <span className="badge badge-quiet">Yours</span> : null}
      </p>
      <p className="small">
        {c.author ? `Raised by ${c.author.name}` : 'Raised anonymously'} on {formatDate(c.createdAt)}
        {c.action ? ` · action: ${c.action.title} (${c.action.progress}% done)` : ''}
      </p>
      {c.hidden ? null : (
        <SupportButton
          concernId={c.id}
          title={`#${c.number}`}
          initial={{ supportCount: c.supportCount, supportedByMe: c.supportedByMe }}
        />
      )}
    </li>
  );
}
