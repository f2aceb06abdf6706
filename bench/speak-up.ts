// Speak-up in `npm run bench`: 100k reports (national) sealed as the app seals them, the case
// handler's queue, and anonymous submission with a real argon2id receipt.
import crypto from 'node:crypto';
import type { Db } from '../src/db/client';
import { reportReceipts, reports } from '../src/db/schema';
import { ensureConflictScan } from '../src/server/modules/speak-up/conflicts';
import { newReference } from '../src/server/modules/speak-up/references';
import {
  createReportKey,
  type KeyEpoch,
  type ReportKeyring,
} from '../src/server/modules/speak-up/report-crypto';
import { currentEpoch, keyBucket } from '../src/server/modules/speak-up/report-keys';
import { submitReport } from '../src/server/modules/speak-up/reports';
import { ukDate, workingDaysAfter } from '../src/server/modules/speak-up/workflow';
import { readySpeakUp } from '../src/server/test/factories';
import {
  ACKNOWLEDGE_WORKING_DAYS,
  RESPOND_WORKING_DAYS,
  ReportSubmissionSchema,
} from '../src/shared/speak-up/schema';
import { type BenchModule, query, type Scale } from './module';

const LAST = ['Patel', 'Okafor', 'Smith', 'Khan', 'Jones', 'Chen', 'Mensah', 'Williams', 'Ali', 'Brown'];

/** A realistic anonymous report, as the report form sends it (placement, a name, an effect). */
const reportSubmission = (f: { institution: { id: string } }) => ({
  institutionId: f.institution.id,
  when: { kind: 'date', date: '2026-01-08' },
  where: {
    setting: 'placement',
    providerId: null,
    providerOther: 'Northfield Teaching Hospitals NHS Trust',
    site: 'Northfield General Hospital',
    department: 'Ward 12 (general surgery)',
  },
  who: { roles: ['consultant', 'nurse'], names: 'The consultant on the morning ward round, Dr Okafor' },
  involvement: 'directed_at_me',
  whatHappened:
    'On the ward round the consultant asked where I was really from in front of the team and a patient, ' +
    'then said that people like me should not expect to pass this placement. A nurse laughed. '.repeat(4),
  effect: 'I have not been back to the ward since and I am worried about my sign-off.',
  outcomeWanted: 'informal_resolution',
  assessmentProtection: true,
  equality: { ethnicity: 'prefer_not_to_say' },
});

/** Reports made through the domain function (real argon2id receipts), before the bulk rows. */
const DOMAIN_REPORTS = 10;
const DAY = 86_400_000;

/**
 * Speak-up reports, spread over the schools and the past year; older ones mostly closed. Each
 * report's sensitive fields are sealed under its own data key with the report id in the
 * associated data, so no sealed column can be copied between rows: each row is sealed in JS,
 * as submitReport does it, and inserted in batches. The first few go through submitReport
 * itself. Seeded receipts share one argon2id hash (their codes are never used), with distinct
 * locators, so submissions meet locator collisions as a real database of this size would.
 */
async function seedReports(
  db: Db,
  masterKey: Buffer,
  reportKeys: ReportKeyring,
  handlerId: string,
  scale: Scale,
): Promise<void> {
  const institutionIds = (await query<{ id: string }>(db, 'select id from institutions order by slug')).map(
    (r) => r.id,
  );
  const quiet = { db, masterKey, reportKeys, log: { warn: () => {} } };
  const form = (institutionId: string) =>
    ReportSubmissionSchema.parse(reportSubmission({ institution: { id: institutionId } }));
  await readySpeakUp(db, institutionIds[0]!, masterKey);
  for (let i = 0; i < DOMAIN_REPORTS; i++) await submitReport(quiet, form(institutionIds[0]!));

  // References are random; the bulk rows draw ones not yet used (globally, which is stricter).
  const references = new Set(
    (await query<{ reference: string }>(db, 'select reference from speak_up_reports')).map(
      (r) => r.reference,
    ),
  );
  const freshReference = () => {
    for (;;) {
      const r = newReference();
      if (!references.has(r)) {
        references.add(r);
        return r;
      }
    }
  };
  const receiptHash = (
    await query<{ secret_hash: string }>(db, 'select secret_hash from speak_up_receipts limit 1')
  )[0]!.secret_hash;
  const locators = new Set(
    (await query<{ locator: string }>(db, 'select locator from speak_up_receipts')).map((r) => r.locator),
  );
  const newLocator = () => {
    for (;;) {
      const l = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
      if (!locators.has(l)) {
        locators.add(l);
        return l;
      }
    }
  };

  const now = Date.now();
  const total = scale.reports - DOMAIN_REPORTS;
  const BATCH = 500;
  const pick = <T>(items: readonly T[]) => items[crypto.randomInt(0, items.length)]!;
  // Deadlines depend only on the UK day of receipt: worked out once per day, not per row.
  const deadlines = new Map<string, { acknowledge: Date; respond: Date }>();
  const deadlinesOf = (receivedAt: Date, day: string) => {
    let d = deadlines.get(day);
    if (!d) {
      d = {
        acknowledge: workingDaysAfter(receivedAt, ACKNOWLEDGE_WORKING_DAYS),
        respond: workingDaysAfter(receivedAt, RESPOND_WORKING_DAYS),
      };
      deadlines.set(day, d);
    }
    return d;
  };
  // Each month's key epoch (report-keys.ts), made once: the bulk rows are wrapped under them.
  const epochs = new Map<string, KeyEpoch>();
  for (let d = 0; d <= 366; d++) {
    const bucket = keyBucket(new Date(now - d * DAY));
    if (!epochs.has(bucket)) {
      epochs.set(bucket, await db.transaction((tx) => currentEpoch(tx, reportKeys, 'report', bucket)));
    }
  }
  // One batch is inserted while the next is sealed.
  let pending: Promise<unknown> = Promise.resolve();
  for (let start = 0; start < total; start += BATCH) {
    const rows: (typeof reports.$inferInsert)[] = [];
    const receipts: (typeof reportReceipts.$inferInsert)[] = [];
    for (let i = start; i < Math.min(total, start + BATCH); i++) {
      const institutionId = institutionIds[i % institutionIds.length]!;
      const ageDays = Math.random() * 365;
      const receivedAt = new Date(now - ageDays * DAY);
      const day = ukDate(receivedAt);
      const incidentDay = ukDate(new Date(receivedAt.getTime() - 3 * DAY));
      const r = Math.random();
      const status =
        ageDays < 5
          ? r < 0.6
            ? 'received'
            : 'acknowledged'
          : ageDays < 30
            ? r < 0.2
              ? 'acknowledged'
              : r < 0.6
                ? 'assessing'
                : 'action'
            : r < 0.85
              ? 'closed'
              : r < 0.95
                ? 'action'
                : 'assessing';
      const step = (days: number) => new Date(Math.min(now, receivedAt.getTime() + days * DAY));
      const rank = ['received', 'acknowledged', 'assessing', 'action', 'closed'].indexOf(status);
      const placement = Math.random() < 0.6;
      const names =
        Math.random() < 0.7
          ? Math.random() < 0.005
            ? 'Dr Adeyemi, the case handler' // names the bench's handler: hidden from her queue
            : `${pick(['Dr', 'Mr', 'Ms', 'Sister', 'Professor'])} ${pick(LAST)} on the ward round`
          : null;
      const otherRole = Math.random() < 0.1 ? 'A porter' : null;
      const id = crypto.randomUUID();
      const { key, dek } = createReportKey(id);
      const wrapped = reportKeys.wrap(epochs.get(keyBucket(receivedAt))!, id, dek);
      dek.fill(0);
      rows.push({
        id,
        institutionId,
        reference: freshReference(),
        status,
        actionKind:
          rank >= 3 ? pick(['informal_resolution', 'formal_complaint', 'support_only'] as const) : null,
        outcome:
          status === 'closed'
            ? pick(['resolved_informally', 'support_provided', 'recorded_no_further_action'] as const)
            : null,
        receivedAt,
        acknowledgedAt: rank >= 1 ? step(1) : null,
        assessingAt: rank >= 2 ? step(3) : null,
        actionAt: rank >= 3 ? step(7) : null,
        closedAt: rank >= 4 ? step(20) : null,
        acknowledgeDueAt: deadlinesOf(receivedAt, day).acknowledge,
        respondDueAt: deadlinesOf(receivedAt, day).respond,
        assignedHandlerId: institutionId === institutionIds[0] && rank >= 1 && r < 0.5 ? handlerId : null,
        anonymous: true,
        incidentMonth: incidentDay.slice(0, 7),
        setting: placement ? 'placement' : 'campus',
        involvedRoles: placement ? ['consultant', 'nurse'] : ['fellow_student'],
        involvement: Math.random() < 0.7 ? 'directed_at_me' : 'witnessed',
        outcomeWanted: pick(['record_only', 'support', 'informal_resolution', 'formal_complaint'] as const),
        assessmentProtection: placement && Math.random() < 0.3,
        wrappedKey: wrapped,
        whenSealed: key.sealJson('when', { kind: 'date', date: incidentDay }),
        whereSealed: key.sealJson(
          'where',
          placement
            ? {
                location: null,
                providerOther: 'Northfield NHS Trust',
                site: 'Northfield General',
                department: 'Ward 12',
              }
            : {
                location: 'Lecture theatre 2, Medical School building',
                providerOther: null,
                site: null,
                department: null,
              },
        ),
        peopleSealed: names || otherRole ? key.sealJson('people', { names, otherRole }) : null,
        whatHappenedSealed: key.seal(
          'what_happened',
          'During a teaching session a remark was made about my name and where my family is from. '.repeat(3),
        ),
        effectSealed:
          Math.random() < 0.6 ? key.seal('effect', 'I did not want to go back to the group.') : null,
        updatedAt: step(rank * 5),
      });
      key.destroy();
      receipts.push({ reportId: id, locator: newLocator(), secretHash: receiptHash, createdAt: receivedAt });
    }
    await pending;
    pending = db
      .insert(reports)
      .values(rows)
      .then(() => db.insert(reportReceipts).values(receipts));
  }
  await pending;
}

export const speakUpBench: BenchModule = {
  name: 'speak-up',
  async seed({ db, masterKey, reportKeys, base, scale }) {
    await seedReports(db, masterKey, reportKeys, base.users.handler, scale);
    // The bulk rows skip submitReport, which records the handlers each report names: compare the
    // handler's school once now, as her first look at the queue would (the steady state measured).
    const [handler] = await query<{ name: string; email: string }>(
      db,
      `select name, email from users where id = '${base.users.handler}'`,
    );
    await ensureConflictScan(
      db,
      masterKey,
      reportKeys,
      { userId: base.users.handler, ...handler! },
      base.institution.id,
    );
    return {};
  },
  async describe(db) {
    const [c] = await query<{ reports: number }>(db, 'select count(*)::int as reports from speak_up_reports');
    return `${c!.reports.toLocaleString('en-GB')} speak-up reports`;
  },
  routes: [
    { name: 'GET /api/speak-up/cases (handler, page 1)', path: '/api/speak-up/cases', session: 'handler' },
    {
      name: 'GET /api/speak-up/cases?status=received',
      path: '/api/speak-up/cases?status=received',
      session: 'handler',
    },
    {
      name: 'POST /api/speak-up/reports (anonymous, argon2id receipt)',
      path: '/api/speak-up/reports',
      session: 'none',
      method: 'POST',
      body: reportSubmission,
      distinctClients: true,
    },
  ],
};
