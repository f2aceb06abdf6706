import type { Job } from '../../platform/jobs';

/** The meetings module's scheduled jobs. */
export function meetingsJobs(): Job[] {
  return [];
}
