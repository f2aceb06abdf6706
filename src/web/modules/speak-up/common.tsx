import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiFailure } from '../../app/api';
import { ErrorSummary, Field, noInput, StatusMessage, SubmitButton, useForm } from '../../app/forms';

/**
 * Speak-up: shared labels and small components for the reporter pages and the case handler pages.
 * Types only from the shared schema here, so this file adds no zod to a chunk by itself.
 */

export type SupportContact = {
  id: string;
  kind: string;
  name: string;
  description: string;
  phone: string | null;
  url: string | null;
};
export type Provider = { id: string; name: string };

export const statusLabels: Record<string, string> = {
  received: 'Received',
  acknowledged: 'Acknowledged',
  assessing: 'Being assessed',
  action: 'Action being taken',
  closed: 'Closed',
};
export const roleLabels: Record<string, string> = {
  consultant: 'Consultant or doctor',
  nurse: 'Nurse or midwife',
  patient: 'Patient',
  relative: 'Patient’s relative or visitor',
  fellow_student: 'Fellow student',
  other: 'Someone else',
};
export const outcomeWantedLabels: Record<string, { label: string; hint: string }> = {
  record_only: {
    label: 'Just record it',
    hint: 'It is counted, so patterns become visible. Nobody contacts anyone unless you ask later.',
  },
  support: { label: 'Support for me', hint: 'A case handler points you to support and checks in with you.' },
  informal_resolution: {
    label: 'Informal resolution',
    hint: 'A case handler raises it with the people involved, without a formal process.',
  },
  formal_complaint: {
    label: 'A formal complaint',
    hint: 'The formal complaints process. This usually needs you to be named to the people running it.',
  },
};
export const actionKindLabels: Record<string, string> = {
  informal_resolution: 'Informal resolution',
  formal_complaint: 'Formal complaint',
  escalated_to_provider: 'Escalated to the placement provider',
  support_only: 'Support only',
};
export const outcomeLabels: Record<string, string> = {
  resolved_informally: 'Resolved informally',
  complaint_upheld: 'Complaint upheld',
  complaint_partly_upheld: 'Complaint partly upheld',
  complaint_not_upheld: 'Complaint not upheld',
  provider_took_action: 'The placement provider took action',
  support_provided: 'Support provided',
  recorded_no_further_action: 'Recorded, no further action',
  withdrawn_by_reporter: 'Withdrawn by the reporter',
};

export const formatDate = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
export const formatDateTime = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });

type When =
  | { kind: 'date'; date: string }
  | { kind: 'range'; from: string; to: string }
  | { kind: 'not_sure'; note?: string | undefined };
export function describeWhen(when: When): string {
  if (when.kind === 'date') return formatDate(when.date);
  if (when.kind === 'range') return `Between ${formatDate(when.from)} and ${formatDate(when.to)}`;
  return when.note ? `Not sure: ${when.note}` : 'Not sure';
}

type SubmissionView = {
  when: When;
  where: {
    setting: string;
    location: string | null;
    providerName: string | null;
    site: string | null;
    department: string | null;
  };
  who: { roles: string[]; otherRole: string | null; names: string | null };
  involvement: string;
  whatHappened: string;
  effect: string | null;
  outcomeWanted: string;
  assessmentProtection: boolean;
};

/** The report as its reporter wrote it (for the reporter and, with more around it, the handler). */
export function SubmissionFacts({ submission: s }: { submission: SubmissionView }) {
  const where =
    s.where.setting === 'campus'
      ? `On campus: ${s.where.location ?? ''}`
      : `On placement: ${[s.where.providerName, s.where.site, s.where.department].filter(Boolean).join(', ')}`;
  return (
    <dl className="facts">
      <dt>When</dt>
      <dd>{describeWhen(s.when)}</dd>
      <dt>Where</dt>
      <dd>{where}</dd>
      <dt>Who was involved</dt>
      <dd>
        {s.who.roles.map((r) => roleLabels[r] ?? r).join(', ')}
        {s.who.otherRole ? ` (${s.who.otherRole})` : ''}
        {s.who.names ? <span className="break">Names: {s.who.names}</span> : null}
      </dd>
      <dt>It was</dt>
      <dd>{s.involvement === 'witnessed' ? 'Witnessed' : 'Directed at the reporter'}</dd>
      <dt>What happened</dt>
      <dd className="su-text">{s.whatHappened}</dd>
      {s.effect ? (
        <>
          <dt>Effect</dt>
          <dd className="su-text">{s.effect}</dd>
        </>
      ) : null}
      <dt>Outcome wanted</dt>
      <dd>{outcomeWantedLabels[s.outcomeWanted]?.label ?? s.outcomeWanted}</dd>
      <dt>Assesses or supervises the reporter</dt>
      <dd>{s.assessmentProtection ? 'Yes' : 'No'}</dd>
    </dl>
  );
}

/** The school's support contacts: shown before the form, after submitting and on follow-up. */
export function SupportList({ contacts, headingId }: { contacts: SupportContact[]; headingId: string }) {
  if (contacts.length === 0) {
    return <p>Your medical school has not listed support contacts here yet. In an emergency, call 999.</p>;
  }
  return (
    <ul className="card-list su-support" aria-labelledby={headingId}>
      {contacts.map((c) => (
        <li key={c.id} className="card">
          <p className="card-title">{c.name}</p>
          {c.description ? <p>{c.description}</p> : null}
          {c.phone ? (
            <p>
              Phone: <a href={`tel:${c.phone.replace(/\s/g, '')}`}>{c.phone}</a>
            </p>
          ) : null}
          {c.url ? (
            <p>
              <a href={c.url} rel="noopener noreferrer">
                {c.url.replace(/^https?:\/\//, '')}
              </a>
            </p>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** A file added to a report (what the attachment routes answer). */
export type Attachment = {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  author: 'reporter' | 'handler';
  createdAt: string;
};

/** A file as the upload routes take it: base64 in JSON. */
export type FileUpload = { fileName: string; contentType: string; data: string };

/** The limits the server enforces, checked in the browser first so a wrong file fails quickly. */
export const ATTACHMENT_ACCEPT = 'image/jpeg,image/png,image/webp,application/pdf';
export const ATTACHMENT_TYPES: readonly string[] = ATTACHMENT_ACCEPT.split(',');
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const ATTACHMENTS_PER_REPORT = 5;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Base64 of a file's bytes, in chunks (String.fromCharCode on 10 MB at once overflows the stack). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const chunk = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** Why a chosen file cannot be sent, or null when it can. */
export function fileProblem(file: File | null | undefined, count: number): string | null {
  if (!file || file.size === 0) return 'Choose a file.';
  if (!ATTACHMENT_TYPES.includes(file.type)) {
    return 'That kind of file cannot be added. Choose a photo (JPEG, PNG or WebP) or a PDF.';
  }
  if (file.size > ATTACHMENT_MAX_BYTES) {
    return `That file is ${formatBytes(file.size)}; files can be at most 10 MB.`;
  }
  if (count >= ATTACHMENTS_PER_REPORT) return `A report can have at most ${ATTACHMENTS_PER_REPORT} files.`;
  return null;
}

/**
 * The files of a report or case, each with a way to download it: a same-origin link (`href`, the
 * session cookie goes with it) or a button (`download`, for a receipt sent in a POST body).
 */
export function FileList({
  files,
  headingId,
  href,
  download,
  authorLabel,
}: {
  files: Attachment[];
  headingId: string;
  href?: (file: Attachment) => string;
  download?: (file: Attachment) => Promise<void>;
  authorLabel: (author: Attachment['author']) => string;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  if (files.length === 0) return <p>No files yet.</p>;
  return (
    <>
      <ul className="plain-list su-files" aria-labelledby={headingId}>
        {files.map((f) => (
          <li key={f.id}>
            {href ? (
              <a href={href(f)} download={f.fileName}>
                {f.fileName}
              </a>
            ) : download ? (
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  setProblem(null);
                  download(f).catch((e: unknown) =>
                    setProblem(e instanceof ApiFailure ? e.message : 'The file could not be downloaded.'),
                  );
                }}
              >
                {f.fileName}
              </button>
            ) : (
              f.fileName
            )}{' '}
            <span className="small muted">
              ({formatBytes(f.sizeBytes)}, {authorLabel(f.author)}, {formatDateTime(f.createdAt)})
            </span>
          </li>
        ))}
      </ul>
      <div role="status">{problem ? <p className="field-error">{problem}</p> : null}</div>
    </>
  );
}

/** Saves bytes the browser fetched as a file (an object URL, clicked, then released). */
export function saveBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * POSTs JSON to an anonymous route and saves the binary answer (a download that needs a body: a
 * receipt code never goes in an address). No cookie is sent: the route reads none.
 */
export async function postForFile(path: string, body: unknown, fileName: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: '*/*' },
      credentials: 'omit',
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure(0, 'network', 'We could not reach Upstander. Check your connection and try again.');
  }
  if (!response.ok) {
    const data = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new ApiFailure(
      response.status,
      response.status === 404 ? 'not_found' : 'internal',
      data?.error?.message ?? 'The file could not be downloaded.',
    );
  }
  saveBlob(await response.blob(), fileName);
}

/** A form to add one file: checked in the browser first, then sent as base64 in JSON. */
export function FileUploadForm({
  count,
  upload,
  onAdded,
  headingId,
  heading = 'Add a file',
  intro,
}: {
  /** Files already there (for the per-report limit), or null while unknown. */
  count: number | null;
  upload: (file: FileUpload) => Promise<Attachment>;
  onAdded: (file: Attachment) => void;
  headingId: string;
  heading?: string;
  intro: ReactNode;
}) {
  const form = useForm(['file']);
  const [added, setAdded] = useState<string | null>(null);
  const [inputKey, setInputKey] = useState(0);
  function onUpload(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const chosen = new FormData(event.currentTarget).get('file');
    const file = chosen instanceof File ? chosen : null;
    setAdded(null);
    const problem = fileProblem(file, count ?? 0);
    if (problem || !file) {
      form.setErrors({
        message: 'Please correct this:',
        problems: [{ path: 'file', message: problem ?? '' }],
      });
      return;
    }
    void form.submit(noInput, null, async () => {
      const saved = await upload({
        fileName: file.name.slice(0, 200) || 'file',
        contentType: file.type,
        data: await fileToBase64(file),
      });
      onAdded(saved);
      setInputKey((k) => k + 1);
      setAdded(`${saved.fileName} was added.`);
    });
  }
  return (
    <form noValidate onSubmit={onUpload} aria-labelledby={headingId}>
      <h3 id={headingId}>{heading}</h3>
      {intro}
      <ErrorSummary form={form} />
      <Field form={form} name="file" label="File" key={inputKey}>
        {(props) => <input {...props} type="file" accept={ATTACHMENT_ACCEPT} />}
      </Field>
      <SubmitButton form={form}>Upload file</SubmitButton>
      <StatusMessage message={added} />
    </form>
  );
}
