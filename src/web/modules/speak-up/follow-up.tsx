import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import type { z } from 'zod';
import type { ReporterViewSchema } from '../../../shared/speak-up/schema';
import { ReceiptMessageSchema, ReceiptRequestSchema, SpeakUpLimits } from '../../../shared/speak-up/schema';
import { api } from '../../app/api';
import { ErrorSummary, SubmitButton, TextAreaField, TextField, useForm } from '../../app/forms';
import { Page } from '../../app/page';
import {
  formatDate,
  formatDateTime,
  outcomeLabels,
  SubmissionFacts,
  type SupportContact,
  SupportList,
  statusLabels,
} from './common';

/**
 * `/report/follow-up`: the receipt code opens the report. The code lives only in this component's
 * memory and in POST bodies: never in the address, never in browser storage.
 */

type ReporterView = z.infer<typeof ReporterViewSchema> & { supportContacts: SupportContact[] };

export function FollowUpPage() {
  const [opened, setOpened] = useState<{ receipt: string; view: ReporterView } | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  if (deleted) {
    return (
      <Page title="Report deleted">
        <p>
          Report {deleted} has been deleted: what you wrote and the messages are gone. The case handlers keep
          only a record that a report existed.
        </p>
        <p>
          <Link href="/report">Report something else</Link>
        </p>
      </Page>
    );
  }
  if (opened) {
    return (
      <ReportView
        receipt={opened.receipt}
        view={opened.view}
        onChange={(view) => setOpened({ receipt: opened.receipt, view })}
        onDeleted={setDeleted}
        onClose={() => setOpened(null)}
      />
    );
  }
  return <ReceiptForm onOpened={(receipt, view) => setOpened({ receipt, view })} />;
}

function ReceiptForm({ onOpened }: { onOpened: (receipt: string, view: ReporterView) => void }) {
  const form = useForm(['receipt']);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const receipt = String(new FormData(event.currentTarget).get('receipt') ?? '');
    void form.submit(ReceiptRequestSchema, { receipt }, async (body) => {
      const view = await api.post<ReporterView>('/api/speak-up/receipt/report', body);
      onOpened(body.receipt, view);
    });
  }
  return (
    <Page
      title="Follow up a report"
      lead="Enter the receipt code you were given when you sent your report, to see what has happened, read replies and add information."
    >
      {/* POST, not GET: the code must never end up in the address bar or history. */}
      <form noValidate method="post" onSubmit={onSubmit}>
        <ErrorSummary form={form} />
        <TextField
          form={form}
          name="receipt"
          label="Receipt code"
          hint="20 digits, like 1234-5678-9012-3456-7890. Dashes and spaces are optional."
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          className="input-code su-receipt-input"
        />
        <SubmitButton form={form}>Open my report</SubmitButton>
      </form>
      <p>
        Lost your code? It cannot be recovered, but you can <Link href="/report">send a new report</Link> and
        mention the earlier one.
      </p>
    </Page>
  );
}

function ReportView({
  receipt,
  view,
  onChange,
  onDeleted,
  onClose,
}: {
  receipt: string;
  view: ReporterView;
  onChange: (view: ReporterView) => void;
  onDeleted: (reference: string) => void;
  onClose: () => void;
}) {
  const messageForm = useForm(['body']);
  const deleteForm = useForm([]);
  const [sent, setSent] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [draftKey, setDraftKey] = useState(0);

  function onMessage(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = String(new FormData(event.currentTarget).get('body') ?? '');
    setSent(null);
    void messageForm.submit(ReceiptMessageSchema, { receipt, body }, async (data) => {
      await api.post('/api/speak-up/receipt/messages', data);
      onChange(await api.post<ReporterView>('/api/speak-up/receipt/report', { receipt: data.receipt }));
      setDraftKey((k) => k + 1);
      setSent('Your message was sent to the case handler.');
    });
  }
  function onDelete(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void deleteForm.submit(ReceiptRequestSchema, { receipt }, async (data) => {
      const answer = await api.post<{ reference: string }>('/api/speak-up/receipt/delete', data);
      onDeleted(answer.reference);
    });
  }

  return (
    <Page title={`Your report ${view.reference}`}>
      <dl className="facts">
        <dt>Status</dt>
        <dd data-testid="report-status">{statusLabels[view.status] ?? view.status}</dd>
        <dt>Received</dt>
        <dd>{formatDate(view.receivedAt)}</dd>
        {view.acknowledgedAt ? (
          <>
            <dt>Acknowledged</dt>
            <dd>{formatDate(view.acknowledgedAt)}</dd>
          </>
        ) : null}
        {view.outcome ? (
          <>
            <dt>Outcome</dt>
            <dd>{outcomeLabels[view.outcome] ?? view.outcome}</dd>
          </>
        ) : null}
      </dl>

      <section className="section" aria-labelledby="su-messages">
        <h2 id="su-messages">Messages</h2>
        {view.messages.length === 0 ? (
          <p>No messages yet. The case handler will reply here.</p>
        ) : (
          <ol className="plain-list su-messages">
            {view.messages.map((m) => (
              <li
                key={m.id}
                className={m.author === 'handler' ? 'su-message su-message-handler' : 'su-message'}
              >
                <p className="small muted">
                  {m.author === 'handler' ? 'Case handler' : 'You'}, {formatDateTime(m.createdAt)}
                </p>
                <p className="su-text">{m.body}</p>
              </li>
            ))}
          </ol>
        )}
        <form noValidate onSubmit={onMessage} aria-labelledby="su-add-heading">
          <h3 id="su-add-heading">Add information or reply</h3>
          <ErrorSummary form={messageForm} />
          <TextAreaField
            key={draftKey}
            form={messageForm}
            name="body"
            label="Your message"
            rows={5}
            maxLength={SpeakUpLimits.messageMax}
          />
          <SubmitButton form={messageForm}>Send message</SubmitButton>
          <div role="status">{sent ? <p className="notice">{sent}</p> : null}</div>
        </form>
      </section>

      <section className="section" aria-labelledby="su-mine">
        <h2 id="su-mine">What you reported</h2>
        <SubmissionFacts submission={view.submission} />
      </section>

      <section className="section callout" aria-labelledby="su-support-follow">
        <h2 id="su-support-follow">Support</h2>
        <SupportList contacts={view.supportContacts} headingId="su-support-follow" />
      </section>

      <section className="section" aria-labelledby="su-delete">
        <h2 id="su-delete">Delete this report</h2>
        <p>
          Deleting removes what you wrote and the messages for good. A count that a report was made stays in
          the statistics.
        </p>
        {confirming ? (
          <form noValidate onSubmit={onDelete} className="confirm" aria-labelledby="su-delete-confirm">
            <ErrorSummary form={deleteForm} />
            <p id="su-delete-confirm">
              <strong>Are you sure? This cannot be undone.</strong>
            </p>
            <div className="actions">
              <SubmitButton form={deleteForm} className="button button-danger">
                Yes, delete my report
              </SubmitButton>
              <button type="button" className="button button-secondary" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </div>
          </form>
        ) : (
          <button type="button" className="button button-secondary" onClick={() => setConfirming(true)}>
            Ask for deletion
          </button>
        )}
      </section>
      <p>
        <button type="button" className="link-button" onClick={onClose}>
          Close this report
        </button>{' '}
        (do this on a shared device).
      </p>
    </Page>
  );
}
