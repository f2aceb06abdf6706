import { type ReactNode, useRef, useState } from 'react';
import { Link } from 'wouter';
import type { z } from 'zod';
import type {
  ActionStatus,
  ConcernCategory,
  ConcernStatus,
  ConcernVisibility,
} from '../../../shared/concerns/schema';
import type { NetworkDetailSchema } from '../../../shared/identity/schema';
import { seg } from '../../app/api';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';

export type NetworkDetail = z.infer<typeof NetworkDetailSchema>;

/**
 * Concerns: labels, formatting and small components shared by the concerns pages. No zod and no
 * shared schema at run time here (types only), so the public impact board can use it and stay small.
 * (The shared schema has the same labels, but importing them would bring zod into the board's chunk.)
 */

export const categoryLabels: Record<ConcernCategory, string> = {
  curriculum: 'Curriculum',
  placement: 'Placement',
  policy: 'Policy',
  uniform_and_facilities: 'Uniform and facilities',
  assessment: 'Assessment',
  culture: 'Culture',
  other: 'Other',
};
export const categoryOptions = Object.entries(categoryLabels).map(([value, label]) => ({ value, label }));

export const concernStatusLabels: Record<ConcernStatus, string> = {
  new: 'New',
  under_discussion: 'Under discussion',
  accepted: 'Accepted as an action',
  answered: 'Answered',
  not_taken_forward: 'Not taken forward',
};
export const concernStatusOptions = Object.entries(concernStatusLabels).map(([value, label]) => ({
  value,
  label,
}));
export const actionStatusLabels: Record<ActionStatus, string> = {
  planned: 'Planned',
  in_progress: 'In progress',
  completed: 'Completed',
  dropped: 'Dropped',
};
export const visibilityLabels: Record<ConcernVisibility, string> = {
  named: 'Named',
  anonymous_to_members: 'Anonymous to members',
  anonymous: 'Fully anonymous',
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
/** A calendar date ("2026-03-01", no time) read as such, whatever the viewer's zone. */
export const formatDay = (day: string) =>
  new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });

/** A labelled progress bar (a real <progress>, so its value is read out). */
export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className="cn-progress">
      <progress max={100} value={pct} aria-label={label}>
        {pct}%
      </progress>
      <span className="cn-progress-value">{pct}% done</span>
    </div>
  );
}

/**
 * Shows a fully anonymous concern's receipt code once, with a warning and a copy button.
 * (Speak-up's receipt page does the same for reports; its component is not exported.)
 */
export function ReceiptCode({ code, headingId }: { code: string; headingId: string }) {
  const codeRef = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const grouped = code.replace(/\D/g, '').replace(/(\d{4})(?=\d)/g, '$1-');
  async function copy() {
    try {
      await navigator.clipboard.writeText(grouped);
      setCopied('Copied. Paste it somewhere only you can see, such as a password manager.');
    } catch {
      const node = codeRef.current;
      if (node) {
        const range = document.createRange();
        range.selectNodeContents(node);
        window.getSelection()?.removeAllRanges();
        window.getSelection()?.addRange(range);
      }
      setCopied('The code is selected: copy it with your device’s Copy command.');
    }
  }
  return (
    <section className="section su-receipt" aria-labelledby={headingId}>
      <h2 id={headingId}>Your receipt code</h2>
      <p className="su-warning">
        <strong>Save this code now. It is shown only this once and cannot be recovered.</strong> It is the only
        way to follow your concern, because nobody, not even the co-chairs, knows it is yours.
      </p>
      <p className="su-code">
        <code ref={codeRef} data-testid="receipt-code">
          {grouped}
        </code>
      </p>
      <div className="actions">
        <button type="button" className="button" onClick={copy}>
          Copy receipt
        </button>
      </div>
      <div role="status">{copied ? <p className="notice">{copied}</p> : null}</div>
    </section>
  );
}

/**
 * Loads a network by its slug (the pages' addresses use slugs; the API uses ids) and renders
 * `children` with it, or a loading line or error page titled `title`.
 */
export function WithNetwork({
  slug,
  title,
  children,
}: {
  slug: string;
  title: string;
  children: (network: NetworkDetail) => ReactNode;
}) {
  const network = useLoad<NetworkDetail>(`/api/networks/${seg(slug)}`);
  if (network.data) return <>{children(network.data)}</>;
  return (
    <Page title={network.error ? 'Network not available' : title}>
      {network.error ? (
        <LoadError message={network.error} retry={network.reload} />
      ) : (
        <Loading what="Loading the network" />
      )}
      <p>
        <Link href="/networks">All networks</Link>
      </p>
    </Page>
  );
}
