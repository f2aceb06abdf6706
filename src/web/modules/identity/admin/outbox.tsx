import type { ReactNode } from 'react';
import type { z } from 'zod';
import type { OutboxMailSchema } from '../../../../shared/identity/schema';
import { LoadError, useLoad } from '../../../app/load';
import { Loading } from '../../../app/page';
import { AdminPage } from './admin-page';

type OutboxMail = z.infer<typeof OutboxMailSchema>;

export const formatDateTime = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** Turns the web addresses in a mail's text into links (a developer follows invitation links from here). */
function linkify(text: string): ReactNode[] {
  const parts: ReactNode[] = [];
  const pattern = /https?:\/\/[^\s<>"]+/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const url = match[0].replace(/[.,;:)]+$/, '');
    const start = match.index ?? 0;
    parts.push(text.slice(last, start));
    parts.push(
      <a key={start} href={url}>
        {url}
      </a>,
    );
    last = start + url.length;
  }
  parts.push(text.slice(last));
  return parts;
}

/** `/admin/outbox`: the mail a server without SMTP would have sent. */
export function OutboxPage() {
  const { data, error, reload } = useLoad<OutboxMail[]>('/api/admin/mail-outbox');
  return (
    <AdminPage title="Mail outbox">
      <p>
        Without an SMTP server, Upstander keeps outgoing mail here instead of sending it. Use it in
        development to follow invitation and password-reset links.
      </p>
      <p>
        Notifications to one person (about their concerns and meetings) are not listed here, except your own:
        who was told what could reveal who wrote a concern.
      </p>
      <p>
        <button type="button" className="button button-secondary" onClick={reload}>
          Refresh
        </button>
      </p>
      {error ? <LoadError message={error} retry={reload} /> : null}
      {!data && !error ? <Loading what="Loading mail" /> : null}
      {data?.length === 0 ? <p>No mail yet.</p> : null}
      {data?.length ? (
        <ul className="card-list">
          {data.map((mail) => (
            <li key={mail.id} className="card mail">
              <h2 className="card-heading">{mail.subject}</h2>
              <p className="muted">
                To {mail.to} · {formatDateTime(mail.createdAt)} ·{' '}
                {mail.transport === 'dev'
                  ? 'kept here (no SMTP)'
                  : mail.sentAt
                    ? 'sent by SMTP'
                    : 'waiting for SMTP'}
              </p>
              <pre className="mail-text">{linkify(mail.text)}</pre>
            </li>
          ))}
        </ul>
      ) : null}
    </AdminPage>
  );
}
