import { type ReactNode, useRef, useState } from 'react';

/** Groups a receipt code in fours: 1234-5678-9012-3456-7890. */
export const groupReceipt = (receipt: string) => receipt.replace(/\D/g, '').replace(/(\d{4})(?=\d)/g, '$1-');

/**
 * A receipt code, shown once after an anonymous report or concern: the code, a warning that it
 * cannot be recovered (`warning` says what it opens), and a copy button that falls back to
 * selecting the code where the clipboard is not available. `children` follow inside the section.
 */
export function ReceiptCodeSection({
  code,
  headingId,
  warning,
  children,
}: {
  code: string;
  headingId: string;
  warning: ReactNode;
  children?: ReactNode;
}) {
  const codeRef = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const grouped = groupReceipt(code);
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
        <strong>Save this code now. It is shown only this once and cannot be recovered.</strong> {warning}
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
      {children}
    </section>
  );
}
