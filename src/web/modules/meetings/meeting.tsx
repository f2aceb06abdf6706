import { type FormEvent, lazy, Suspense, useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { ApiFailure, api, seg } from '../../app/api';
import {
  type Checkable,
  ErrorSummary,
  StatusMessage,
  SubmitButton,
  TextField,
  useForm,
} from '../../app/forms';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { useSession } from '../../app/session';
import { formatDay, formatInstant, kindPlural, When, Where } from './common';
import type { AgendaItem, MeetingView } from './types';

/**
 * `/meetings/:id`: when and where, "Add to calendar", the agenda (members add items, leads reorder
 * it), and the minutes: published minutes for members, the minutes editor for leads (own chunk).
 */

const MinutesEditor = lazy(() => import('./minutes').then((m) => ({ default: m.MinutesEditor })));
const ManageMeeting = lazy(() => import('./meeting-manage').then((m) => ({ default: m.ManageMeeting })));

const statusText: Record<string, string> = { scheduled: 'Scheduled', cancelled: 'Cancelled', held: 'Held' };

export function MeetingPage({ id }: { id: string }) {
  const { session } = useSession();
  const meeting = useLoad<MeetingView>(`/api/meetings/${seg(id)}`);
  if (!meeting.data) {
    return (
      <Page title={meeting.error ? 'Meeting not available' : 'Meeting'}>
        {meeting.error ? (
          <LoadError message={meeting.error} retry={meeting.reload} />
        ) : (
          <Loading what="Loading the meeting" />
        )}
      </Page>
    );
  }
  const m = meeting.data;
  const slug = session.memberships.find((x) => x.networkId === m.networkId)?.networkSlug;
  return (
    <Page title={m.title}>
      <p className="muted">
        {slug ? (
          <Link href={`/networks/${seg(slug)}/meetings`}>{m.networkName} meetings</Link>
        ) : (
          m.networkName
        )}
        {' · '}
        <span data-testid="meeting-status">{statusText[m.status] ?? m.status}</span>
      </p>
      <dl className="facts">
        <dt>When</dt>
        <dd>
          <When startsAt={m.startsAt} minutes={m.durationMinutes} timeZone={m.timeZone} />
        </dd>
        <dt>Where</dt>
        <dd>
          <Where place={m.place} onlineUrl={m.onlineUrl} />
        </dd>
        <dt>Invited</dt>
        <dd>{m.invitedCount === 1 ? '1 person' : `${m.invitedCount} people`}</dd>
      </dl>
      {m.status !== 'cancelled' ? (
        <p>
          <a href={`/api/meetings/${seg(m.id)}/invite.ics`} className="button button-secondary" download>
            Add to calendar
          </a>
        </p>
      ) : null}
      <Agenda meeting={m} onChanged={meeting.reload} />
      {m.canManage && m.status === 'scheduled' ? (
        <Suspense fallback={<Loading what="Loading" />}>
          <ManageMeeting meeting={m} onChanged={meeting.reload} />
        </Suspense>
      ) : null}
      {m.canManage ? (
        <Suspense fallback={<Loading what="Loading the minutes editor" />}>
          <MinutesEditor meeting={m} onChanged={meeting.reload} />
        </Suspense>
      ) : m.minutes && m.minutes.status === 'published' ? (
        <PublishedMinutes meeting={m} />
      ) : null}
    </Page>
  );
}

const itemLabel = (item: AgendaItem) =>
  item.kind === 'concern' && item.concernNumber !== null
    ? `Concern #${item.concernNumber}: ${item.title}`
    : item.kind === 'action' && item.actionNumber !== null
      ? `Action A-${item.actionNumber}: ${item.title}`
      : item.title;

function Agenda({ meeting, onChanged }: { meeting: MeetingView; onChanged: () => void }) {
  const [order, setOrder] = useState<AgendaItem[]>(meeting.agenda);
  const [moved, setMoved] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const focusAfter = useRef<string | null>(null);
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  useEffect(() => setOrder(meeting.agenda), [meeting.agenda]);
  // After a move the list re-renders: keep focus on the moved item's button (or its other one).
  useEffect(() => {
    const key = focusAfter.current;
    if (!key) return;
    focusAfter.current = null;
    const [itemId, dir] = key.split(':');
    (
      buttons.current.get(`${itemId}:${dir}`) ??
      buttons.current.get(`${itemId}:${dir === 'up' ? 'down' : 'up'}`)
    )?.focus();
  });

  async function move(index: number, by: -1 | 1) {
    const target = index + by;
    if (target < 0 || target >= order.length) return;
    const next = [...order];
    const [item] = next.splice(index, 1);
    next.splice(target, 0, item!);
    const previous = order;
    setOrder(next);
    setProblem(null);
    focusAfter.current = `${item!.id}:${by === -1 ? 'up' : 'down'}`;
    try {
      await api.put(`/api/meetings/${seg(meeting.id)}/agenda/order`, { itemIds: next.map((i) => i.id) });
      setMoved(`${itemLabel(item!)} is now item ${target + 1} of ${next.length}.`);
    } catch (error) {
      setOrder(previous);
      setProblem(
        error instanceof ApiFailure ? error.message : 'The agenda could not be reordered. Please try again.',
      );
    }
  }

  const published = meeting.minutes?.status === 'published';
  return (
    <section className="section" aria-labelledby="mt-agenda-heading">
      <h2 id="mt-agenda-heading">Agenda</h2>
      {order.length === 0 ? (
        <p>Nothing is on the agenda yet.</p>
      ) : (
        <ol className="mt-agenda" data-testid="agenda">
          {order.map((item, index) => (
            <li key={item.id} className="mt-agenda-item">
              <span className="mt-agenda-title">
                {item.concernId ? (
                  <Link href={`/concerns/${seg(item.concernId)}`}>{itemLabel(item)}</Link>
                ) : item.actionId ? (
                  <Link href={`/actions/${seg(item.actionId)}`}>{itemLabel(item)}</Link>
                ) : (
                  itemLabel(item)
                )}
              </span>
              {item.addedByName && item.kind === 'member_item' ? (
                <span className="small muted"> Added by {item.addedByName}</span>
              ) : null}
              {published && item.notes ? <p className="su-text mt-notes">{item.notes}</p> : null}
              {meeting.canManage && order.length > 1 ? (
                <span className="mt-move">
                  {index > 0 ? (
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      ref={(el) => {
                        if (el) buttons.current.set(`${item.id}:up`, el);
                        else buttons.current.delete(`${item.id}:up`);
                      }}
                      aria-label={`Move up: ${item.title}`}
                      onClick={() => move(index, -1)}
                    >
                      Move up
                    </button>
                  ) : null}
                  {index < order.length - 1 ? (
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      ref={(el) => {
                        if (el) buttons.current.set(`${item.id}:down`, el);
                        else buttons.current.delete(`${item.id}:down`);
                      }}
                      aria-label={`Move down: ${item.title}`}
                      onClick={() => move(index, 1)}
                    >
                      Move down
                    </button>
                  ) : null}
                </span>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      {problem ? (
        <div role="alert" className="error-summary">
          <p>{problem}</p>
        </div>
      ) : null}
      <StatusMessage message={moved} />
      {meeting.canAddAgendaItem ? <AddAgendaItem meetingId={meeting.id} onAdded={onChanged} /> : null}
    </section>
  );
}

type NewItem = { title: string };
const newItemCheck: Checkable<NewItem> = {
  safeParse(raw) {
    const title = String((raw as { title?: unknown }).title ?? '').trim();
    if (!title)
      return { success: false, error: { issues: [{ path: ['title'], message: 'Enter the item.' }] } };
    if (title.length > 200) {
      return {
        success: false,
        error: { issues: [{ path: ['title'], message: 'Use at most 200 characters.' }] },
      };
    }
    return { success: true, data: { title } };
  },
};

function AddAgendaItem({ meetingId, onAdded }: { meetingId: string; onAdded: () => void }) {
  const form = useForm(['title']);
  const [added, setAdded] = useState<string | null>(null);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    const title = new FormData(target).get('title');
    setAdded(null);
    void form.submit(newItemCheck, { title }, async (body) => {
      await api.post(`/api/meetings/${seg(meetingId)}/agenda`, body);
      target.reset();
      setAdded(`“${body.title}” was added to the agenda.`);
      onAdded();
    });
  }
  return (
    <form noValidate onSubmit={onSubmit} aria-labelledby="mt-add-item-heading">
      <h3 id="mt-add-item-heading">Add an item</h3>
      <ErrorSummary form={form} />
      <TextField
        form={form}
        name="title"
        label="What would you like to discuss?"
        hint="The co-chairs see who added it."
        maxLength={200}
      />
      <SubmitButton form={form} className="button button-secondary">
        {form.busy ? 'Adding…' : 'Add to the agenda'}
      </SubmitButton>
      <StatusMessage message={added} />
    </form>
  );
}

/** The minutes as members read them once published. */
export function PublishedMinutes({ meeting }: { meeting: MeetingView }) {
  const minutes = meeting.minutes;
  if (!minutes) return null;
  const present = minutes.attendance.filter((a) => a.present);
  const byKind = (['student', 'staff', 'alumnus'] as const).map((k) => ({
    kind: k,
    count: present.filter((a) => a.kind === k).length,
  }));
  return (
    <section className="section" aria-labelledby="mt-minutes-heading">
      <h2 id="mt-minutes-heading">Minutes</h2>
      {minutes.publishedAt ? <p className="small">Published {formatInstant(minutes.publishedAt)}</p> : null}
      <h3>Attendance</h3>
      <p>
        {present.length === 1 ? '1 person' : `${present.length} people`} came:{' '}
        {byKind
          .filter((k) => k.count)
          .map((k) => `${k.count} ${kindPlural[k.kind]!.toLowerCase()}`)
          .join(', ') || 'none recorded'}
        .
      </p>
      <h3>Decisions</h3>
      {minutes.decisions.length === 0 ? (
        <p>No decisions were recorded.</p>
      ) : (
        <ul className="mt-decisions" data-testid="decisions">
          {minutes.decisions.map((d) => (
            <li key={d.id}>{d.text}</li>
          ))}
        </ul>
      )}
      <h3>Action items</h3>
      {minutes.actionItems.length === 0 ? (
        <p>No action items.</p>
      ) : (
        <ul className="mt-action-items">
          {minutes.actionItems.map((a) => (
            <li key={a.id}>
              {a.title}{' '}
              <span className="muted">
                ({a.ownerName ?? 'no owner'}, by {formatDay(a.dueOn)})
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
