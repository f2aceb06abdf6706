import { useState } from 'react';
import type { SupportState } from '../../../shared/concerns/schema';
import { ApiFailure, api, seg } from '../../app/api';

/**
 * Support (or withdraw support) for a concern: one per person. A toggle button (aria-pressed) with
 * the count beside it; a polite status line says what happened.
 */
export function SupportButton({
  concernId,
  title,
  initial,
  label = 'Support',
  disabled = false,
}: {
  concernId: string;
  title: string;
  /** The button's words (the concern's number is added for screen readers). */
  label?: string;
  initial: SupportState;
  disabled?: boolean;
}) {
  const [state, setState] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  async function toggle() {
    if (busy || disabled) return;
    setBusy(true);
    setMessage(null);
    try {
      const url = `/api/concerns/${seg(concernId)}/support`;
      const next = state.supportedByMe
        ? await api.delete<SupportState>(url)
        : await api.post<SupportState>(url);
      setState(next);
      setMessage(
        next.supportedByMe
          ? `You support ${title}. You will hear about its updates.`
          : `You no longer support ${title}.`,
      );
    } catch (error) {
      setMessage(error instanceof ApiFailure ? error.message : 'That did not work. Please try again.');
    } finally {
      setBusy(false);
    }
  }
  const count = `${state.supportCount} ${state.supportCount === 1 ? 'supporter' : 'supporters'}${
    state.supportedByMe ? ', including you' : ''
  }`;
  return (
    <div className="cn-support">
      <button
        type="button"
        className={state.supportedByMe ? 'button button-small' : 'button button-secondary button-small'}
        aria-pressed={state.supportedByMe}
        aria-disabled={busy || disabled || undefined}
        onClick={toggle}
      >
        {label}
        <span className="vh"> {title}</span>
      </button>
      <span className="cn-support-count" data-testid="support-count">
        {count}
      </span>
      <span role="status" className="small">
        {message}
      </span>
    </div>
  );
}
