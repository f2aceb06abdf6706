import type { Job } from '../../platform/jobs';
import { expireMatchingHolds, matchingHoldMonthsFrom } from './matching';
import { sendOverdueReminders } from './reminders';
import { aggregateEqualityAnswers, shredDeletedReports, upgradeLegacyReportKeys } from './report-keys';
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
      // The purged reports' key epochs are retired and their secrets destroyed (crypto-shredding).
      afterCommit: (services) => shredDeletedReports(services),
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
      afterCommit: async (services) => {
        await services.mailer.deliverPending();
        await shredDeletedReports(services);
      },
    },
    {
      // Keys made before key epochs are moved under them; retirements a crash interrupted are done.
      name: 'speak-up.key-maintenance',
      every: 'hour',
      run: async (tx, services) => upgradeLegacyReportKeys(tx, services.reportKeys),
      afterCommit: (services) => shredDeletedReports(services),
    },
    {
      // Equality answers of the months that are over: counted per school and month, then the
      // pending rows and their key are destroyed (report-keys.ts).
      name: 'speak-up.equality-aggregation',
      every: 'day',
      run: async (tx, services, { at }) => aggregateEqualityAnswers(tx, services.reportKeys, at),
      afterCommit: (services) => shredDeletedReports(services),
    },
  ];
}
