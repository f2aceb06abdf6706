import type { ActionStatus, ConcernCategory, ConcernStatus } from '../../../shared/concerns/schema';

/**
 * Concerns: labels, date formats and the progress bar, for every concerns page and above all the
 * public impact board, whose chunk must stay tiny. Types only from the shared schema (no zod):
 * the schema has the same labels, but importing them would bring zod to a visitor's download.
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
