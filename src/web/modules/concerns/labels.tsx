import { ACTION_STATUS_LABELS, CATEGORY_LABELS, STATUS_LABELS } from '../../../shared/concerns/labels';

/**
 * Concerns: labels, date formats and the progress bar, for every concerns page and above all the
 * public impact board, whose chunk must stay tiny: the labels come from shared/concerns/labels.ts,
 * which has no zod (the schema would bring zod to a visitor's download).
 */

export const categoryLabels = CATEGORY_LABELS;
export const categoryOptions = Object.entries(categoryLabels).map(([value, label]) => ({ value, label }));

export const concernStatusLabels = STATUS_LABELS;
export const concernStatusOptions = Object.entries(concernStatusLabels).map(([value, label]) => ({
  value,
  label,
}));
export const actionStatusLabels = ACTION_STATUS_LABELS;
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
