import type { Job } from '../../platform/jobs';

/** The concerns module's scheduled jobs. */
export function concernsJobs(): Job[] {
  return [];
}
