import type { ActionStatus, ConcernCategory, ConcernStatus } from './schema';

/**
 * Concerns: the words shown for each category and status. Apart from the zod schemas (types only
 * from there), so the public impact board can show them without bringing zod to a visitor.
 */

export const CATEGORY_LABELS: Record<ConcernCategory, string> = {
  curriculum: 'Curriculum',
  placement: 'Placement',
  policy: 'Policy',
  uniform_and_facilities: 'Uniform and facilities',
  assessment: 'Assessment',
  culture: 'Culture',
  other: 'Other',
};

export const STATUS_LABELS: Record<ConcernStatus, string> = {
  new: 'New',
  under_discussion: 'Under discussion',
  accepted: 'Accepted as an action',
  answered: 'Answered',
  not_taken_forward: 'Not taken forward',
};

export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  planned: 'Planned',
  in_progress: 'In progress',
  completed: 'Completed',
  dropped: 'Dropped',
};
