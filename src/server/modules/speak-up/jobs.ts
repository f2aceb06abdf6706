import type { Job } from '../../platform/jobs';
import { expireMatchingHolds, matchingHoldMonthsFrom } from './matching';
import { sendOverdueReminders } from './reminders';
import { purgeExpiredCases, retentionYearsFrom } from './retention';

/** The speak-up module's scheduled jobs, for `startJobRunner(services, speakUpJobs())`. */
export function speakUpJobs(env: Record<string, string | undefined> = process.env): Job[] {
  const retentionYears = retentionYearsFrom(env);
  // Read at each submission; checked here too, so a bad value stops the server at start.
  matchingHoldMonthsFrom(env);
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
    {
      // Reports held in matching escrow past their date: released or deleted as the reporter chose.
      name: 'speak-up.matching-expiry',
      every: 'hour',
      run: async (tx, services, { at }) => expireMatchingHolds(tx, services, { now: at }),
      afterCommit: (services) => services.mailer.deliverPending(),
    },
  ];
}
