import type { Job } from '../../platform/jobs';
import { closeAndRemindDuePolls } from './polls';

/** The meetings module's scheduled jobs: close polls at their deadline, remind before it. */
export function meetingsJobs(): Job[] {
  return [
    {
      name: 'meetings.polls',
      every: 'hour',
      run: async (tx, services, { at }) => closeAndRemindDuePolls(tx, services, at),
      afterCommit: (services) => services.mailer.deliverPending(),
    },
  ];
}
