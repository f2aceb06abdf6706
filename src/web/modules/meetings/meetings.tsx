import { useRef, useState } from 'react';
import { Link } from 'wouter';
import { api, seg } from '../../app/api';
import { ErrorSummary, noInput, StatusMessage, useForm } from '../../app/forms';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { useSession } from '../../app/session';
import { Confirm, formatInstant, MeetingsSubnav, type NetworkDetail, When, Where } from './common';
import type { CalendarFeed, CalendarFeedCreated, MeetingList as MeetingListData, PollSummary } from './types';

/**
 * `/networks/:slug/meetings`: what is coming up, what was held (with minutes), the polls still
 * open, and the member's own calendar subscription (its secret address shown once).
 */
export function MeetingsPage({ slug }: { slug: string }) {
  const { session } = useSession();
  const network = useLoad<NetworkDetail>(`/api/networks/${seg(slug)}`);
  const networkId = network.data?.id;
  const overview = useLoad<MeetingListData>(networkId ? `/api/networks/${seg(networkId)}/meetings` : null);
  const polls = useLoad<PollSummary[]>(networkId ? `/api/networks/${seg(networkId)}/polls` : null);
  const others = session.memberships.filter((m) => m.networkSlug !== slug);

  if (!network.data) {
    return (
      <Page title="Meetings">
        {network.error ? (
          <LoadError message={network.error} retry={network.reload} />
        ) : (
          <Loading what="Loading the network" />
        )}
      </Page>
    );
  }
  const net = network.data;
  const isLead = net.viewer.isLead;
  return (
    <Page title={`${net.name} meetings`}>
      <MeetingsSubnav slug={slug} isLead={isLead} current={`/networks/${slug}/meetings`} />
      {others.length ? (
        <p className="small">
          Your other networks:{' '}
          {others.map((m, i) => (
            <span key={m.networkId}>
              {i ? ', ' : ''}
              <Link href={`/networks/${seg(m.networkSlug)}/meetings`}>{m.networkName}</Link>
            </span>
          ))}
        </p>
      ) : null}
      <section className="section" aria-labelledby="mt-polls-heading">
        <h2 id="mt-polls-heading">Open polls</h2>
        {polls.error ? <LoadError message={polls.error} retry={polls.reload} /> : null}
        {polls.loading && !polls.data ? <Loading what="Loading polls" /> : null}
        {polls.data ? (
          <PollList
            polls={polls.data.filter((p) => p.status === 'open' || (isLead && p.status === 'closed'))}
          />
        ) : null}
        {isLead ? (
          <p>
            <Link href={`/networks/${seg(slug)}/polls/new`} className="button button-secondary">
              New availability poll
            </Link>
          </p>
        ) : null}
      </section>
      {overview.error ? <LoadError message={overview.error} retry={overview.reload} /> : null}
      {overview.loading && !overview.data ? <Loading what="Loading meetings" /> : null}
      {overview.data ? (
        <>
          <MeetingList
            title="Upcoming meetings"
            id="mt-upcoming-heading"
            empty="No meetings are planned yet."
            meetings={overview.data.upcoming}
          />
          <MeetingList
            title="Past meetings"
            id="mt-past-heading"
            empty="No meetings have been held yet."
            meetings={overview.data.past}
          />
        </>
      ) : null}
      <CalendarFeedSection />
    </Page>
  );
}

function PollList({ polls }: { polls: PollSummary[] }) {
  if (polls.length === 0) return <p>No polls are open.</p>;
  return (
    <ul className="card-list">
      {polls.map((p) => (
        <li key={p.id} className="card">
          <p className="card-title">
            <Link href={`/polls/${seg(p.id)}`}>{p.title}</Link>
          </p>
          <p className="small">
            {p.slotCount === 1 ? '1 time proposed' : `${p.slotCount} times proposed`}
            {p.deadlineAt && p.status === 'open' ? ` · answer by ${formatInstant(p.deadlineAt)}` : ''}
          </p>
          <p>
            {p.status === 'closed' ? (
              <span className="badge badge-warn">Closed: choose a time</span>
            ) : p.answeredByMe ? (
              <span className="badge badge-quiet">You have answered</span>
            ) : (
              <span className="badge badge-warn">Waiting for your answer</span>
            )}
          </p>
        </li>
      ))}
    </ul>
  );
}

function MeetingList({
  title,
  id,
  empty,
  meetings,
}: {
  title: string;
  id: string;
  empty: string;
  meetings: MeetingListData['upcoming'];
}) {
  return (
    <section className="section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {meetings.length === 0 ? (
        <p>{empty}</p>
      ) : (
        <ul className="card-list">
          {meetings.map((m) => (
            <li key={m.id} className="card">
              <p className="card-title">
                <Link href={`/meetings/${seg(m.id)}`}>{m.title}</Link>
              </p>
              <p>
                <When startsAt={m.startsAt} minutes={m.durationMinutes} timeZone={m.timeZone} />
              </p>
              <p>
                <Where place={m.place} onlineUrl={m.onlineUrl} />
              </p>
              {m.status === 'cancelled' ? <span className="badge badge-warn">Cancelled</span> : null}
              {m.minutesStatus === 'published' ? <span className="badge">Minutes published</span> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The member's personal subscription feed: create (address shown once), list, revoke. */
function CalendarFeedSection() {
  const feeds = useLoad<CalendarFeed[]>('/api/calendar/feeds');
  const [created, setCreated] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const actions = useForm([]);
  const busy = actions.busy;
  const [revoking, setRevoking] = useState<string | null>(null);
  const urlRef = useRef<HTMLInputElement>(null);

  // One error model for every button here: the server's message, in a summary that takes focus.
  const run = (action: () => Promise<void>) => {
    setMessage(null);
    return actions.submit(noInput, null, action);
  };
  const create = () =>
    run(async () => {
      const feed = await api.post<CalendarFeedCreated>('/api/calendar/feeds');
      setCreated(feed.url);
      feeds.reload();
    });
  const revoke = (id: string) =>
    run(async () => {
      await api.delete(`/api/calendar/feeds/${seg(id)}`);
      setRevoking(null);
      setCreated(null);
      setMessage('The calendar address was revoked. Calendars using it stop updating.');
      feeds.reload();
    });
  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created);
      setMessage('Copied. Paste it into your calendar app as a subscription.');
    } catch {
      urlRef.current?.select();
      setMessage('The address is selected: copy it with your device’s Copy command.');
    }
  }

  const active = (feeds.data ?? []).filter((f) => !f.revokedAt);
  return (
    <section className="section" aria-labelledby="mt-feed-heading">
      <h2 id="mt-feed-heading">Your calendar</h2>
      <p>
        Subscribe to the meetings of all your networks in your own calendar app (Outlook, Google Calendar,
        Apple Calendar). It updates itself when a meeting moves or is cancelled.
      </p>
      {feeds.error ? <LoadError message={feeds.error} retry={feeds.reload} /> : null}
      {created ? (
        <div className="mt-feed-created">
          <p className="su-warning">
            <strong>Copy this address now: it is shown only once.</strong> Anyone who has it can see your
            meetings, so do not share it. If it leaks, revoke it and make a new one.
          </p>
          <div className="field">
            <label htmlFor="mt-feed-url">Your calendar address</label>
            <input
              id="mt-feed-url"
              ref={urlRef}
              readOnly
              value={created}
              className="mono"
              spellCheck={false}
            />
          </div>
          <div className="actions">
            <button type="button" className="button" onClick={copy}>
              Copy address
            </button>
          </div>
        </div>
      ) : null}
      {active.length ? (
        <ul className="plain-list">
          {active.map((f) => (
            <li key={f.id} className="mt-feed">
              <span>Calendar address made {formatInstant(f.createdAt)}</span>
              {revoking === f.id ? (
                <Confirm
                  question="Revoke this address? Calendars subscribed with it stop updating."
                  yes="Yes, revoke it"
                  busy={busy}
                  onYes={() => revoke(f.id)}
                  onNo={() => setRevoking(null)}
                />
              ) : (
                <button
                  type="button"
                  className="button button-danger button-small"
                  onClick={() => setRevoking(f.id)}
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : feeds.data && !created ? (
        <p>You have no calendar address yet.</p>
      ) : null}
      {!created ? (
        <button
          type="button"
          className="button button-secondary"
          onClick={create}
          aria-disabled={busy || undefined}
        >
          {active.length ? 'Make a new calendar address' : 'Make a calendar address'}
        </button>
      ) : null}
      <ErrorSummary form={actions} />
      <StatusMessage message={message} />
    </section>
  );
}
