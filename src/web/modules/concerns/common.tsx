import { type ReactNode, useRef, useState } from 'react';
import { Link } from 'wouter';
import type { z } from 'zod';
import type { NetworkDetailSchema } from '../../../shared/identity/schema';
import { seg } from '../../app/api';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';

export type NetworkDetail = z.infer<typeof NetworkDetailSchema>;

/** Concerns: small components shared by the signed-in concerns pages (labels are in labels.tsx). */

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
        <strong>Save this code now. It is shown only this once and cannot be recovered.</strong> It is the
        only way to follow your concern, because nobody, not even the co-chairs, knows it is yours.
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
