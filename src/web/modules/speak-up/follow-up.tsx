import { type FormEvent, useEffect, useState } from 'react';
import { Link } from 'wouter';
import type { z } from 'zod';
import type { ReporterViewSchema } from '../../../shared/speak-up/schema';
import { ReceiptMessageSchema, ReceiptRequestSchema, SpeakUpLimits } from '../../../shared/speak-up/schema';
import { api } from '../../app/api';
import {
  ErrorSummary,
  Field,
  noInput,
  StatusMessage,
  SubmitButton,
  TextAreaField,
  TextField,
  useForm,
} from '../../app/forms';
import { Page } from '../../app/page';
import {
  ATTACHMENT_ACCEPT,
  type Attachment,
  fileProblem,
  fileToBase64,
  formatBytes,
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

      <Attachments receipt={receipt} />

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

/** The report's files, and a form to add one (sent as base64 in JSON with the receipt). */
function Attachments({ receipt }: { receipt: string }) {
  const form = useForm(['file']);
  const [files, setFiles] = useState<Attachment[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [inputKey, setInputKey] = useState(0);

  useEffect(() => {
    let live = true;
    api
      .post<Attachment[]>('/api/speak-up/receipt/attachments/list', { receipt })
      .then((list) => {
        if (live) setFiles(list);
      })
      .catch(() => {
        if (live) setListError('The files could not be loaded. Reopen the report to try again.');
      });
    return () => {
      live = false;
    };
  }, [receipt]);

  function onUpload(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const chosen = new FormData(event.currentTarget).get('file');
    const file = chosen instanceof File ? chosen : null;
    setAdded(null);
    const problem = fileProblem(file, files?.length ?? 0);
    if (problem || !file) {
      form.setErrors({
        message: 'Please correct this:',
        problems: [{ path: 'file', message: problem ?? '' }],
      });
      return;
    }
    void form.submit(noInput, null, async () => {
      const data = await fileToBase64(file);
      const saved = await api.post<Attachment>('/api/speak-up/receipt/attachments', {
        receipt,
        fileName: file.name.slice(0, 200) || 'file',
        contentType: file.type,
        data,
      });
      setFiles((list) => [...(list ?? []), saved]);
      setInputKey((k) => k + 1);
      setAdded(`${saved.fileName} was added to your report.`);
    });
  }

  return (
    <section className="section" aria-labelledby="su-files">
      <h2 id="su-files">Files</h2>
      {listError ? (
        <p className="field-error">{listError}</p>
      ) : files === null ? (
        <p className="muted">Loading the files…</p>
      ) : files.length === 0 ? (
        <p>No files yet.</p>
      ) : (
        <ul className="plain-list su-files" aria-labelledby="su-files">
          {files.map((f) => (
            <li key={f.id}>
              {f.fileName}{' '}
              <span className="small muted">
                ({formatBytes(f.sizeBytes)},{' '}
                {f.author === 'handler' ? 'added by the case handler' : 'added by you'},{' '}
                {formatDateTime(f.createdAt)})
              </span>
            </li>
          ))}
        </ul>
      )}
      <form noValidate onSubmit={onUpload} aria-labelledby="su-file-heading">
        <h3 id="su-file-heading">Add a file</h3>
        <p>
          A photo (JPEG, PNG or WebP) or a PDF, up to 10 MB; at most 5 files per report. Photos lose their
          location and camera details before they are stored, and only case handlers can open your files.
        </p>
        <ErrorSummary form={form} />
        <Field form={form} name="file" label="File" key={inputKey}>
          {(props) => <input {...props} type="file" accept={ATTACHMENT_ACCEPT} />}
        </Field>
        <SubmitButton form={form}>Upload file</SubmitButton>
        <StatusMessage message={added} />
      </form>
    </section>
  );
}
