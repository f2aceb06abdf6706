import { useEffect, useState } from 'react';
import type { z } from 'zod';
import type {
  AuditEventSchema,
  AuditHeadSchema,
  AuditVerifySchema,
} from '../../../../shared/identity/schema';
import { ApiFailure, api } from '../../../app/api';
import { LoadError } from '../../../app/load';
import { Loading } from '../../../app/page';
import { AdminPage } from './admin-page';
import { formatDateTime } from './outbox';

type AuditEvent = z.infer<typeof AuditEventSchema>;
type AuditVerify = z.infer<typeof AuditVerifySchema>;
type AuditHead = z.infer<typeof AuditHeadSchema>;

/** What each problem of a chain check means, in words. */
const PROBLEMS: Record<string, string> = {
  edited: 'changed after it was written (its hash no longer matches)',
  removed_or_reordered: 'does not follow the event before it (an event was removed or moved)',
  gap: 'a sequence number is missing',
  unkeyed_after_keyed: 'written without the master key',
  not_keyed: 'no event carries a keyed hash, so nothing shows Upstander wrote this log',
  expected_head_missing: 'the head hash you kept is not in the chain: events were removed or rewritten',
};

const message = (e: unknown) => (e instanceof ApiFailure ? e.message : 'Please try again.');

/**
 * `/admin/audit`: the append-only audit log, newest first; its head hash to keep outside Upstander;
 * and a chain check, optionally against a head hash kept earlier.
 */
export function AuditPage() {
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [done, setDone] = useState(false);
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  const [verifyError, setVerifyError] = useState<string | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [head, setHead] = useState<AuditHead | null>(null);
  const [headError, setHeadError] = useState<string | null>(null);
  const [keptHead, setKeptHead] = useState('');

  const loadHead = async () => {
    setHeadError(null);
    try {
      setHead(await api.get<AuditHead>('/api/admin/audit/head'));
    } catch (e) {
      setHeadError(message(e));
    }
  };

  const load = async (before: number | null) => {
    setError(null);
    setLoadingMore(true);
    try {
      const page = await api.get<AuditEvent[]>(
        `/api/admin/audit${before === null ? '' : `?before=${before}`}`,
      );
      setEvents((old) => (before === null ? page : [...(old ?? []), ...page]));
      if (page.length === 0) setDone(true);
    } catch (e) {
      setError(message(e));
    } finally {
      setLoadingMore(false);
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: first page once
  useEffect(() => {
    void load(null);
    void loadHead();
  }, []);

  const oldest = events?.length ? Math.min(...events.map((e) => e.seq)) : null;

  return (
    <AdminPage title="Audit log">
      <section className="section" aria-labelledby="head-heading">
        <h2 id="head-heading">Head hash to keep elsewhere</h2>
        <p>
          The newest event’s hash covers every event before it. Copy it somewhere outside Upstander (a note
          kept by someone else, or another system) now and then. A check against it later shows whether any
          event up to it was changed or removed.
        </p>
        {headError ? <LoadError message={headError} retry={() => void loadHead()} /> : null}
        {head ? (
          head.seq === 0 ? (
            <p>No events yet.</p>
          ) : (
            <p>
              Event #{head.seq}
              {head.occurredAt ? ` (${formatDateTime(head.occurredAt)})` : ''}:{' '}
              <code className="break">{head.hash}</code>
            </p>
          )
        ) : null}
      </section>
      <section className="section">
        <h2 id="verify-heading">Check the chain</h2>
        <p>
          Each event carries a hash of the one before, keyed with the server’s master key. Checking recomputes
          every hash from the first event.
        </p>
        <div className="field">
          <label htmlFor="kept-head">Head hash you kept earlier (optional)</label>
          <input
            id="kept-head"
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={keptHead}
            onChange={(e) => setKeptHead(e.target.value)}
          />
        </div>
        <button
          type="button"
          className="button"
          aria-disabled={verifying || undefined}
          onClick={async () => {
            if (verifying) return;
            setVerifying(true);
            setVerify(null);
            setVerifyError(null);
            try {
              const kept = keptHead.trim();
              setVerify(
                await api.get<AuditVerify>(
                  `/api/admin/audit/verify${kept ? `?expectHead=${encodeURIComponent(kept)}` : ''}`,
                ),
              );
              void loadHead();
            } catch (e) {
              setVerifyError(message(e));
            } finally {
              setVerifying(false);
            }
          }}
        >
          Verify chain
        </button>
        <div role="status">
          {verifying ? <p>Checking…</p> : null}
          {verify?.ok ? (
            <p className="notice">
              The chain is intact: {verify.checked} {verify.checked === 1 ? 'event' : 'events'} checked
              {keptHead.trim() ? ', and the head hash you kept is in it' : ''}. Latest hash:{' '}
              <code className="break">{verify.headHash}</code>
            </p>
          ) : null}
        </div>
        {verifyError ? <LoadError message={verifyError} /> : null}
        {verify && !verify.ok ? (
          <div role="alert" className="error-summary">
            <h3 className="error-summary-title">The chain is broken</h3>
            <p>
              {verify.checked} events checked; {verify.problems.length}{' '}
              {verify.problems.length === 1 ? 'problem' : 'problems'} found:
            </p>
            <ul>
              {verify.problems.map((p) => (
                <li key={`${p.seq}-${p.problem}`}>
                  Event {p.seq}: {PROBLEMS[p.problem] ?? p.problem}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </section>
      <section className="section">
        <h2 id="events-heading">Events, newest first</h2>
        {error ? <LoadError message={error} retry={() => void load(oldest)} /> : null}
        {!events && !error ? <Loading what="Loading events" /> : null}
        {events?.length === 0 ? <p>No events yet.</p> : null}
        {events?.length ? (
          <ul className="event-list">
            {events.map((e) => (
              <li key={e.seq} className="event">
                <span className="event-action">{e.action}</span>
                <span className="muted small">
                  #{e.seq} · {formatDateTime(e.occurredAt)}
                </span>
                <span className="small">
                  {e.subjectType}
                  {e.subjectId ? ` ${e.subjectId}` : ''}
                  {e.actorUserId ? ` · by user ${e.actorUserId}` : ' · by the system'}
                </span>
              </li>
            ))}
          </ul>
        ) : null}
        {events?.length && !done && oldest !== null && oldest > 1 ? (
          <button
            type="button"
            className="button button-secondary"
            aria-disabled={loadingMore || undefined}
            onClick={() => !loadingMore && void load(oldest)}
          >
            Show older events
          </button>
        ) : null}
      </section>
    </AdminPage>
  );
}
