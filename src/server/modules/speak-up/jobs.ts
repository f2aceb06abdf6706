import type { Job } from '../../platform/jobs';
import { sendOverdueReminders } from './reminders';
import { purgeExpiredCases, retentionYearsFrom } from './retention';

/** The speak-up module's scheduled jobs, for `startJobRunner(services, speakUpJobs())`. */
export function speakUpJobs(env: Record<string, string | undefined> = process.env): Job[] {
  const retentionYears = retentionYearsFrom(env);
  return [
    {
      name: 'speak-up.retention-purge',
      every: 'day',
      run: async (tx, _services, { at }) => purgeExpiredCases(tx, { now: at, retentionYears }),
    },
    {
      name: 'speak-up.overdue-reminders',
      every: 'hour',
      run: async (tx, services, { at }) => sendOverdueReminders(tx, services, at),
      afterCommit: (services) => services.mailer.deliverPending(),
    },
  ];
}
