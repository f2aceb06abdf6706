import { useState } from 'react';
import { Link } from 'wouter';
import type { ImpactStory } from '../../../shared/concerns/schema';
import { seg } from '../../app/api';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { actionStatusLabels, categoryLabels, formatDate, formatDay, ProgressBar } from './labels';

/**
 * `/impact/:id`: one action's story on the public board ("you said, we did"), readable without an
 * account and shareable. Like the board, a visitor's chunk: types only from the schema, no zod.
 */

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
        <dt>Student lead</dt>
        <dd>{a.people.studentLead}</dd>
        <dt>Staff sponsor</dt>
        <dd>{a.people.staffSponsor}</dd>
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
