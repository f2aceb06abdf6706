import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import type { z } from 'zod';
import { MessageCreateSchema, type ReporterViewSchema, SpeakUpLimits } from '../../../shared/speak-up/schema';
import { ErrorSummary, SubmitButton, TextAreaField, useForm } from '../../app/forms';
import { Page } from '../../app/page';
import {
  type Attachment,
  FileList,
  type FileUpload,
  FileUploadForm,
  formatDate,
  formatDateTime,
  outcomeLabels,
  SubmissionFacts,
  type SupportContact,
  SupportList,
  statusLabels,
} from './common';

/**
 * A report as its reporter sees it: status, messages and a reply form, files (list, download,
 * add), what they wrote and where to find support. The follow-up page opens it with a receipt
 * code, "My reports" with the signed-in person's session; `access` says how.
 */

export type ReporterView = z.infer<typeof ReporterViewSchema> & { supportContacts: SupportContact[] };

export type ReportAccess = {
  /** Changes when the report changes (the files are loaded again). */
  key: string;
  load(): Promise<ReporterView>;
  sendMessage(body: string): Promise<void>;
  listFiles(): Promise<Attachment[]>;
  uploadFile(file: FileUpload): Promise<Attachment>;
  /** A same-origin link for each file, or a function that downloads it. */
  fileHref?: (file: Attachment) => string;
  downloadFile?: (file: Attachment) => Promise<void>;
};

const who = (author: string) =>
  author === 'handler' ? 'Case handler' : author === 'system' ? 'Upstander (automatic message)' : 'You';

export function ReportView({
  access,
  view,
  onChange,
  children,
  footer,
}: {
  access: ReportAccess;
  view: ReporterView;
  onChange: (view: ReporterView) => void;
  /** Shown after the report (e.g. deleting it). */
  children?: ReactNode;
  footer?: ReactNode;
}) {
  const messageForm = useForm(['body']);
  const [sent, setSent] = useState<string | null>(null);
  const [draftKey, setDraftKey] = useState(0);

  function onMessage(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = String(new FormData(event.currentTarget).get('body') ?? '');
    setSent(null);
    void messageForm.submit(MessageCreateSchema, { body }, async (data) => {
      await access.sendMessage(data.body);
      onChange(await access.load());
      setDraftKey((k) => k + 1);
      setSent('Your message was sent to the case handler.');
    });
  }

  return (
    <Page title={`Your report ${view.reference}`}>
      {view.hold ? (
        <div className="callout" role="note" aria-label="Held until someone else reports">
          <p>
            <strong>Your report is held, as you asked.</strong> It is not handled as a case unless someone
            else reports the same person; then a trained case handler reviews both reports and may write to
            you here before deciding anything. This page looks the same whether or not that has happened. If
            it has not been taken up by {formatDate(view.hold.until)},{' '}
            {view.hold.onExpiry === 'release'
              ? 'it will be passed to the case handlers then, as you chose.'
              : 'it will be deleted then, as you chose.'}
          </p>
        </div>
      ) : null}
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
                className={m.author === 'reporter' ? 'su-message' : 'su-message su-message-handler'}
              >
                <p className="small muted">
                  {who(m.author)}, {formatDateTime(m.createdAt)}
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

      <ReporterFiles access={access} />

      <section className="section" aria-labelledby="su-mine">
        <h2 id="su-mine">What you reported</h2>
        <SubmissionFacts submission={view.submission} />
      </section>

      <section className="section callout" aria-labelledby="su-support-follow">
        <h2 id="su-support-follow">Support</h2>
        <SupportList contacts={view.supportContacts} headingId="su-support-follow" />
      </section>
      {children}
      {footer}
    </Page>
  );
}

/** The report's files: download your own and the handler's, add one. */
function ReporterFiles({ access }: { access: ReportAccess }) {
  const [files, setFiles] = useState<Attachment[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names the report; the functions change with it
  useEffect(() => {
    let live = true;
    access
      .listFiles()
      .then((list) => {
        if (live) setFiles(list);
      })
      .catch(() => {
        if (live) setListError('The files could not be loaded. Reopen the report to try again.');
      });
    return () => {
      live = false;
    };
  }, [access.key]);

  return (
    <section className="section" aria-labelledby="su-files">
      <h2 id="su-files">Files</h2>
      {listError ? (
        <p className="field-error">{listError}</p>
      ) : files === null ? (
        <p className="muted">Loading the files…</p>
      ) : (
        <FileList
          files={files}
          headingId="su-files"
          {...(access.fileHref ? { href: access.fileHref } : {})}
          {...(access.downloadFile ? { download: access.downloadFile } : {})}
          authorLabel={(a) => (a === 'handler' ? 'added by the case handler' : 'added by you')}
        />
      )}
      <FileUploadForm
        count={files?.length ?? null}
        upload={access.uploadFile}
        onAdded={(saved) => setFiles((list) => [...(list ?? []), saved])}
        headingId="su-file-heading"
        intro={
          <p>
            A photo (JPEG, PNG or WebP) or a PDF, up to 10 MB; at most 5 files per report. Photos lose their
            location and camera details before they are stored, and only case handlers can open your files.
          </p>
        }
      />
    </section>
  );
}
