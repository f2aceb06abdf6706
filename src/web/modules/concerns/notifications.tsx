import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import {
  type NotificationList,
  type NotificationPreferences,
  NotificationPreferencesSchema,
  NotificationReadSchema,
} from '../../../shared/concerns/schema';
import { api } from '../../app/api';
import { ErrorSummary, Field, StatusMessage, SubmitButton, useForm } from '../../app/forms';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { formatDateTime } from './labels';

/** `/notifications`: what happened to the concerns and actions I follow, and how I hear about it. */
export function NotificationsPage() {
  const [page, setPage] = useState(1);
  const list = useLoad<NotificationList>(`/api/notifications?page=${page}`);
  const form = useForm(['ids']);
  const [message, setMessage] = useState<string | null>(null);

  function markRead(raw: { ids: string[] } | { all: true }, done: string) {
    setMessage(null);
    void form.submit(NotificationReadSchema, raw, async (body) => {
      await api.post('/api/notifications/read', body);
      setMessage(done);
      list.reload();
    });
  }

  return (
    <Page
      title="Notifications"
      lead="Updates on the concerns you raised or support, and on actions you lead."
    >
      <StatusMessage message={message} />
      <ErrorSummary form={form} />
      {list.loading && !list.data ? (
        <Loading what="Loading notifications" />
      ) : list.error ? (
        <LoadError message={list.error} retry={list.reload} />
      ) : list.data && list.data.items.length === 0 ? (
        <p>Nothing yet. When a concern you raised or support changes, you will hear about it here.</p>
      ) : list.data ? (
        <>
          <div className="row-line">
            <p className="muted" data-testid="unread-count">
              {list.data.unread} unread
            </p>
            {list.data.unread > 0 ? (
              <button
                type="button"
                className="button button-secondary button-small"
                onClick={() => markRead({ all: true }, 'All notifications are marked as read.')}
              >
                Mark all as read
              </button>
            ) : null}
          </div>
          <ul className="plain-list cn-notifications" aria-label="Notifications">
            {list.data.items.map((n) => (
              <li key={n.id} className={n.readAt ? 'cn-notification' : 'cn-notification cn-unread'}>
                <p className="small muted">
                  {n.readAt ? null : <strong className="cn-new">New · </strong>}
                  {formatDateTime(n.createdAt)}
                </p>
                <p>
                  <Link href={n.link}>{n.subject}</Link>
                </p>
                {n.readAt ? null : (
                  <button
                    type="button"
                    className="link-button small"
                    onClick={() => markRead({ ids: [n.id] }, 'Marked as read.')}
                  >
                    Mark as read<span className="vh">: {n.subject}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
          {list.data.total > list.data.pageSize ? (
            <nav className="pager" aria-label="Pages">
              {page > 1 ? (
                <button type="button" className="button button-secondary" onClick={() => setPage(page - 1)}>
                  Newer
                </button>
              ) : (
                <span />
              )}
              {page * list.data.pageSize < list.data.total ? (
                <button type="button" className="button button-secondary" onClick={() => setPage(page + 1)}>
                  Older
                </button>
              ) : null}
            </nav>
          ) : null}
        </>
      ) : null}
      <Preferences />
    </Page>
  );
}

function Preferences() {
  const prefs = useLoad<NotificationPreferences>('/api/notifications/preferences');
  const form = useForm(['email', 'weeklyDigest']);
  const [saved, setSaved] = useState<string | null>(null);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const raw = { email: data.get('email') === 'on', weeklyDigest: data.get('weeklyDigest') === 'on' };
    setSaved(null);
    void form.submit(NotificationPreferencesSchema, raw, async (body) => {
      await api.put('/api/notifications/preferences', body);
      setSaved('Your choices are saved.');
    });
  }
  return (
    <section className="section" aria-labelledby="cn-prefs">
      <h2 id="cn-prefs">How you hear about updates</h2>
      {prefs.data ? (
        <form noValidate onSubmit={onSubmit} aria-labelledby="cn-prefs">
          <p>You always see notifications here. You can also have them sent by e-mail.</p>
          <ErrorSummary form={form} />
          <Field form={form} name="email" className="field-checkbox" label="E-mail me each notification">
            {(props) => <input {...props} type="checkbox" defaultChecked={prefs.data!.email} />}
          </Field>
          <Field
            form={form}
            name="weeklyDigest"
            className="field-checkbox"
            label="Weekly digest of overdue concerns and quiet actions"
            hint="For co-chairs and leads: one e-mail a week, only when something needs attention."
          >
            {(props) => <input {...props} type="checkbox" defaultChecked={prefs.data!.weeklyDigest} />}
          </Field>
          <SubmitButton form={form} className="button button-secondary">
            Save my choices
          </SubmitButton>
          <StatusMessage message={saved} />
        </form>
      ) : prefs.error ? (
        <LoadError message={prefs.error} retry={prefs.reload} />
      ) : (
        <Loading what="Loading your choices" />
      )}
    </section>
  );
}
