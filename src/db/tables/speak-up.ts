import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { bytea, createdAt, ts } from './columns';
import { institutions, users } from './identity';

/**
 * Speak-up. What a copy of the database alone shows of a report: its reference, status, dates and
 * the category facets the statistics count. Everything a person wrote (and a named reporter's
 * identity) is sealed with the report's own data key, itself wrapped by a key derived from the
 * master key, which is never in the database (see server/modules/speak-up/report-crypto.ts).
 */

/** NHS trusts and other providers where the institution's students are placed. */
export const placementProviders = pgTable(
  'speak_up_placement_providers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The order the report form lists them in (the admin's). */
    position: integer('position').notNull().default(0),
    /** Retired providers leave the report form but stay on the reports that name them. */
    retiredAt: ts('retired_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('speak_up_providers_name_key').on(t.institutionId, sql`lower(${t.name})`)],
);

/**
 * What a school's set-up has declared beyond its lists: that it has no placement providers (so
 * an empty list is a decision, not a step not yet done). See directory.ts `readiness`.
 */
export const schoolSettings = pgTable('speak_up_school_settings', {
  institutionId: uuid('institution_id')
    .primaryKey()
    .references(() => institutions.id, { onDelete: 'cascade' }),
  noPlacementProviders: boolean('no_placement_providers').notNull().default(false),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Where to find support: shown before and after a report is made. */
export const supportContacts = pgTable(
  'speak_up_support_contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id, { onDelete: 'cascade' }),
    kind: text('kind', {
      enum: ['wellbeing', 'chaplaincy', 'bma', 'ftsu_guardian', 'police_hate_crime', 'other'],
    }).notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    phone: text('phone'),
    url: text('url'),
    position: integer('position').notNull().default(0),
    /** Help at any hour (999/111, the university's out-of-hours line): a school needs one to open. */
    urgent: boolean('urgent').notNull().default(false),
    /** Retired contacts are no longer shown; the row stays for the audit trail. */
    retiredAt: ts('retired_at'),
    createdAt: createdAt(),
  },
  (t) => [index('speak_up_support_institution_idx').on(t.institutionId, t.position)],
);

export const reports = pgTable(
  'speak_up_reports',
  {
    id: uuid('id').primaryKey(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id, { onDelete: 'restrict' }),
    reference: text('reference').notNull(),
    status: text('status', { enum: ['received', 'acknowledged', 'assessing', 'action', 'closed'] })
      .notNull()
      .default('received'),
    actionKind: text('action_kind', {
      enum: ['informal_resolution', 'formal_complaint', 'escalated_to_provider', 'support_only'],
    }),
    outcome: text('outcome', {
      enum: [
        'resolved_informally',
        'complaint_upheld',
        'complaint_partly_upheld',
        'complaint_not_upheld',
        'provider_took_action',
        'support_provided',
        'recorded_no_further_action',
        'withdrawn_by_reporter',
      ],
    }),
    receivedAt: ts('received_at').notNull(),
    acknowledgedAt: ts('acknowledged_at'),
    assessingAt: ts('assessing_at'),
    actionAt: ts('action_at'),
    closedAt: ts('closed_at'),
    acknowledgeDueAt: ts('acknowledge_due_at').notNull(),
    respondDueAt: ts('respond_due_at').notNull(),
    assignedHandlerId: uuid('assigned_handler_id').references(() => users.id, { onDelete: 'set null' }),
    anonymous: boolean('anonymous').notNull(),
    /** HMAC of a named reporter's user id (key derived from the master key), for "my reports". */
    reporterLookup: text('reporter_lookup'),

    // Category facets, in plain for the statistics (never free text).
    /** `YYYY-MM`, or `unknown`. */
    incidentMonth: text('incident_month').notNull(),
    setting: text('setting', { enum: ['campus', 'placement'] }).notNull(),
    placementProviderId: uuid('placement_provider_id').references(() => placementProviders.id, {
      onDelete: 'set null',
    }),
    involvedRoles: text('involved_roles').array().notNull(),
    involvement: text('involvement', { enum: ['directed_at_me', 'witnessed'] }).notNull(),
    outcomeWanted: text('outcome_wanted', {
      enum: ['record_only', 'support', 'informal_resolution', 'formal_complaint'],
    }).notNull(),
    assessmentProtection: boolean('assessment_protection').notNull(),

    // Sealed with the report's data key; AAD = report id + field name. Null after a purge.
    /** The report's data key, wrapped. Deleting it makes every sealed field unreadable. */
    wrappedKey: text('wrapped_key'),
    whenSealed: text('when_sealed'),
    whereSealed: text('where_sealed'),
    peopleSealed: text('people_sealed'),
    whatHappenedSealed: text('what_happened_sealed'),
    effectSealed: text('effect_sealed'),
    reporterSealed: text('reporter_sealed'),
    outcomeNoteSealed: text('outcome_note_sealed'),

    lastReporterMessageAt: ts('last_reporter_message_at'),
    deletionRequestedAt: ts('deletion_requested_at'),
    purgedAt: ts('purged_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('speak_up_reports_reference_key').on(t.institutionId, t.reference),
    index('speak_up_reports_queue_idx').on(t.institutionId, t.status, t.respondDueAt),
    // The case queue: open cases by response deadline, closed ones most recent first (one branch
    // each, so page 1 reads ~25 rows), and the count from the index alone.
    index('speak_up_reports_open_queue_idx')
      .on(t.institutionId, t.respondDueAt, t.reference)
      .where(sql`${t.status} <> 'closed'`),
    index('speak_up_reports_closed_queue_idx')
      .on(t.institutionId, t.closedAt.desc().nullsLast(), t.reference)
      .where(sql`${t.status} = 'closed'`),
    index('speak_up_reports_queue_count_idx').on(t.institutionId, t.status, t.id),
    index('speak_up_reports_received_idx').on(t.institutionId, t.receivedAt),
    index('speak_up_reports_reporter_idx').on(t.reporterLookup),
    check(
      'speak_up_reports_named_only',
      sql`(${t.anonymous} and ${t.reporterLookup} is null and ${t.reporterSealed} is null) or not ${t.anonymous}`,
    ),
    check(
      'speak_up_reports_provider_on_placement',
      sql`${t.setting} = 'placement' or ${t.placementProviderId} is null`,
    ),
    check('speak_up_reports_closed_has_outcome', sql`${t.status} <> 'closed' or ${t.outcome} is not null`),
    check('speak_up_reports_action_has_kind', sql`${t.status} <> 'action' or ${t.actionKind} is not null`),
    check(
      'speak_up_reports_content_or_purged',
      sql`(${t.purgedAt} is null and ${t.wrappedKey} is not null and ${t.whatHappenedSealed} is not null) or (${t.purgedAt} is not null and ${t.wrappedKey} is null)`,
    ),
  ],
);

/**
 * The receipt of a report: the first 6 of its 20 digits (the locator) in plain, the other 14
 * only as an argon2id hash. The code itself is never stored or logged.
 */
export const reportReceipts = pgTable('speak_up_receipts', {
  reportId: uuid('report_id')
    .primaryKey()
    .references(() => reports.id, { onDelete: 'cascade' }),
  locator: text('locator').notNull().unique('speak_up_receipts_locator_key'),
  secretHash: text('secret_hash').notNull(),
  createdAt: createdAt(),
});

/**
 * Two-way messages with the reporter, and the handlers' internal notes. Bodies are sealed.
 * `system`: written by Upstander itself (a matching-escrow release), not by a person.
 */
export const reportMessages = pgTable(
  'speak_up_messages',
  {
    id: uuid('id').primaryKey(),
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    author: text('author', { enum: ['reporter', 'handler', 'system'] }).notNull(),
    handlerUserId: uuid('handler_user_id').references(() => users.id, { onDelete: 'set null' }),
    internal: boolean('internal').notNull().default(false),
    bodySealed: text('body_sealed').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('speak_up_messages_report_idx').on(t.reportId, t.createdAt),
    check('speak_up_messages_notes_by_handlers', sql`not ${t.internal} or ${t.author} = 'handler'`),
    check('speak_up_messages_reporter_unnamed', sql`${t.author} = 'handler' or ${t.handlerUserId} is null`),
  ],
);

/** Handlers who may not see a report (declared, or by a colleague), besides anyone it names. */
export const reportConflicts = pgTable(
  'speak_up_conflicts',
  {
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    declaredBy: uuid('declared_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.userId] })],
);

/**
 * Case handlers the "people involved" text of a report names, found when the report is submitted
 * and when a handler first opens the queue (after being granted the role, or renamed), so the
 * queue can leave them out in SQL without decrypting anything. The handler is a keyed token
 * (HMAC of institution and user id, key derived from the master key), not a user id: a copy of
 * the database must not show which staff member a report names.
 */
export const reportNamedHandlers = pgTable(
  'speak_up_named_handlers',
  {
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    handlerToken: text('handler_token').notNull(),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.handlerToken] })],
);

/**
 * For each case handler and school: the reports were compared with this name, e-mail address and
 * role grant (`fingerprint`, a keyed hash of the three). A different fingerprint (a new grant, a
 * new name or address) means the queue compares them again before listing anything.
 */
export const reportConflictScans = pgTable(
  'speak_up_conflict_scans',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id, { onDelete: 'cascade' }),
    fingerprint: text('fingerprint').notNull(),
    scannedAt: ts('scanned_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.institutionId] })],
);

/** A case referred to a placement provider or the formal complaints process. */
export const reportEscalations = pgTable(
  'speak_up_escalations',
  {
    id: uuid('id').primaryKey(),
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    providerId: uuid('provider_id').references(() => placementProviders.id, { onDelete: 'set null' }),
    /** Contact role and name, and what was shared: sealed with the report's data key. */
    detailSealed: text('detail_sealed').notNull(),
    responseDueOn: date('response_due_on', { mode: 'string' }).notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('speak_up_escalations_report_idx').on(t.reportId)],
);

/**
 * Optional equality monitoring of reporters, kept as counts per institution, month and answer:
 * no row per person, no report id, no time finer than the month. It cannot be joined to a report:
 * answers reach it only through the month's aggregation (speak_up_equality_pending), which writes
 * a whole month of a school in one transaction, in a fixed order, long after any report.
 */
export const equalityCounts = pgTable(
  'speak_up_equality_counts',
  {
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id, { onDelete: 'cascade' }),
    /** `YYYY-MM` of submission. */
    month: text('month').notNull(),
    dimension: text('dimension', { enum: ['ethnicity', 'religion'] }).notNull(),
    value: text('value').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.institutionId, t.month, t.dimension, t.value] })],
);

/**
 * Key epochs (crypto-shredding, see server/modules/speak-up/report-crypto.ts and report-keys.ts).
 * Report data keys, and pending equality answers, are wrapped under a key derived from the master
 * key and the epoch's random secret, which is kept in a folder outside the database (never here).
 * One current epoch per purpose and month; deleting a report retires its epoch (the others of that
 * epoch are re-wrapped under a new one) and the retired secret is destroyed.
 */
export const keyEpochs = pgTable(
  'speak_up_key_epochs',
  {
    id: uuid('id').primaryKey(),
    purpose: text('purpose', { enum: ['report', 'equality'] }).notNull(),
    /** `YYYY-MM` (UK) of the reports, or of the answers, it holds. */
    bucket: text('bucket').notNull(),
    retiredAt: ts('retired_at'),
  },
  (t) => [
    uniqueIndex('speak_up_key_epochs_current_key').on(t.purpose, t.bucket).where(sql`${t.retiredAt} is null`),
  ],
);

/**
 * Epochs holding a deleted report's key, to be retired: written by a trigger whenever a report's
 * wrapped key is removed (purge, deletion, a held report deleted), whatever code path did it.
 * No key and no foreign key (nothing here waits on a lock); duplicates are fine.
 */
export const keyRotationsDue = pgTable(
  'speak_up_key_rotations_due',
  { epochId: uuid('epoch_id').notNull() },
  (t) => [index('speak_up_key_rotations_due_idx').on(t.epochId)],
);

/**
 * Equality answers waiting to be counted: one row for every report (with or without answers), no
 * id, no time, the answers sealed under the month's equality epoch and padded to one length. The
 * daily job counts a month's rows once the month is over, deletes them and destroys the epoch's
 * secret, so no per-answer row survives and nothing can be opened from old row versions.
 */
export const equalityPending = pgTable(
  'speak_up_equality_pending',
  {
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id, { onDelete: 'cascade' }),
    /** `YYYY-MM` of submission, as the counts keep it. */
    month: text('month').notNull(),
    epochId: uuid('epoch_id').notNull(),
    answersSealed: text('answers_sealed').notNull(),
  },
  (t) => [index('speak_up_equality_pending_epoch_idx').on(t.epochId)],
);

/**
 * Files added to a report (images, PDFs), with their metadata stripped before storage. The bytes
 * and the file name are sealed with the report's data key (AAD: report id + attachment id); the
 * type and size are plain (the type is one of four, checked from the bytes).
 */
export const reportAttachments = pgTable(
  'speak_up_attachments',
  {
    id: uuid('id').primaryKey(),
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    author: text('author', { enum: ['reporter', 'handler'] }).notNull(),
    handlerUserId: uuid('handler_user_id').references(() => users.id, { onDelete: 'set null' }),
    contentType: text('content_type', {
      enum: ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'],
    }).notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    nameSealed: text('name_sealed').notNull(),
    dataSealed: bytea('data_sealed').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('speak_up_attachments_report_idx').on(t.reportId, t.createdAt),
    check(
      'speak_up_attachments_reporter_unnamed',
      sql`${t.author} = 'handler' or ${t.handlerUserId} is null`,
    ),
  ],
);

/**
 * Matching escrow: a report held until someone else reports the same person. Only keyed hashes
 * (HMAC-SHA256, key derived from the master key, never stored) of the reporter and of each
 * identifier. A held report is invisible to case handlers until `releasedAt`.
 */
export const reportMatchHolds = pgTable(
  'speak_up_match_holds',
  {
    reportId: uuid('report_id')
      .primaryKey()
      .references(() => reports.id, { onDelete: 'cascade' }),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id, { onDelete: 'cascade' }),
    reporterHash: text('reporter_hash').notNull(),
    /**
     * Keyed hash of the signed-in account that made the entry (never shown, never a user id): it
     * counts distinct people for a match and caps each account's entries. Null on entries made
     * before escrow needed an account; those never match.
     */
    accountHash: text('account_hash'),
    heldAt: ts('held_at').notNull().defaultNow(),
    releasedAt: ts('released_at'),
    /** When the hold ends without a match (the reporter is shown this date). */
    expiresAt: ts('expires_at').notNull().default(sql`now() + interval '12 months'`),
    /** What the reporter chose to happen then: pass it to the case handlers, or delete it. */
    onExpiry: text('on_expiry', { enum: ['release', 'delete'] })
      .notNull()
      .default('delete'),
  },
  (t) => [
    index('speak_up_match_holds_open_idx').on(t.institutionId, t.releasedAt),
    index('speak_up_match_holds_expiry_idx').on(t.expiresAt).where(sql`${t.releasedAt} is null`),
    index('speak_up_match_holds_account_idx').on(t.accountHash).where(sql`${t.releasedAt} is null`),
  ],
);

export const reportMatchKeys = pgTable(
  'speak_up_match_keys',
  {
    reportId: uuid('report_id')
      .notNull()
      .references(() => reportMatchHolds.reportId, { onDelete: 'cascade' }),
    identifierHash: text('identifier_hash').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.reportId, t.identifierHash] }),
    index('speak_up_match_keys_hash_idx').on(t.identifierHash),
  ],
);

/** Overdue reminders already e-mailed: one per case and deadline. */
export const reportRemindersSent = pgTable(
  'speak_up_reminders_sent',
  {
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    deadline: text('deadline', { enum: ['acknowledge', 'respond'] }).notNull(),
    sentAt: ts('sent_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.deadline] })],
);

/**
 * Every name and e-mail address a case handler has had. A conflict of interest is checked against
 * all of them, so renaming oneself never opens a report that names one's old name. Rows are only
 * ever added (on the role grant, on a rename, on a conflict scan); they go with the account.
 */
export const handlerIdentities = pgTable(
  'speak_up_handler_identities',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['name', 'email'] }).notNull(),
    value: text('value').notNull(),
    recordedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind, t.value] })],
);

/**
 * Published statistics, frozen: the figures of an academic year up to the end of a complete month,
 * computed once (on the first read after that month ends) as things stood at that month's end, and
 * never recomputed. Leads cannot difference two answers to see a single case move.
 */
export const statisticsSnapshots = pgTable(
  'speak_up_statistics_snapshots',
  {
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id, { onDelete: 'cascade' }),
    academicYear: integer('academic_year').notNull(),
    /** `YYYY-MM`: the last complete month the figures cover. */
    throughMonth: text('through_month').notNull(),
    figures: jsonb('figures').notNull(),
    publishedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.institutionId, t.academicYear, t.throughMonth] })],
);
