import { type FormEvent, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { ReceiptRequestSchema } from '../../../shared/speak-up/schema';
import { api } from '../../app/api';
import { ErrorSummary, SubmitButton, TextField, useForm } from '../../app/forms';
import { Page } from '../../app/page';
import { type Attachment, postForFile } from './common';
import { type ReportAccess, type ReporterView, ReportView } from './reporter-view';

/**
 * `/report/follow-up`: the receipt code opens the report. The code lives only in this component's
 * memory and in POST bodies: never in the address, never in browser storage.
 */

export function FollowUpPage() {
  const [opened, setOpened] = useState<{ receipt: string; view: ReporterView } | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  if (deleted) {
    return (
      <Page title="Report deleted">
        <p>
          Report {deleted} has been deleted: what you wrote and the messages are gone. The case handlers keep
          only a record that a report existed (nothing at all if it was still waiting for a matching report).
        </p>
        <p>
          <Link href="/report">Report something else</Link>
        </p>
      </Page>
    );
  }
  if (opened) {
    return (
      <ReceiptReport
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

/** The report opened with its receipt: the code goes in every request body, never an address. */
function ReceiptReport({
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
  const deleteForm = useForm([]);
  const [confirming, setConfirming] = useState(false);
  const access = useMemo<ReportAccess>(
    () => ({
      key: receipt,
      load: () => api.post<ReporterView>('/api/speak-up/receipt/report', { receipt }),
      sendMessage: async (body) => {
        await api.post('/api/speak-up/receipt/messages', { receipt, body });
      },
      listFiles: () => api.post<Attachment[]>('/api/speak-up/receipt/attachments/list', { receipt }),
      uploadFile: (file) => api.post<Attachment>('/api/speak-up/receipt/attachments', { receipt, ...file }),
      downloadFile: (file) =>
        postForFile(
          '/api/speak-up/receipt/attachments/download',
          { receipt, attachmentId: file.id },
          file.fileName,
        ),
    }),
    [receipt],
  );
  function onDelete(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void deleteForm.submit(ReceiptRequestSchema, { receipt }, async (data) => {
      const answer = await api.post<{ reference: string }>('/api/speak-up/receipt/delete', data);
      onDeleted(answer.reference);
    });
  }
  return (
    <ReportView
      access={access}
      view={view}
      onChange={onChange}
      footer={
        <p>
          <button type="button" className="link-button" onClick={onClose}>
            Close this report
          </button>{' '}
          (do this on a shared device).
        </p>
      }
    >
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
    </ReportView>
  );
}
