import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgSchema,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './identity';

/**
 * Append-only, hash-chained audit log. `seq` is assigned under an advisory lock so the
 * chain has no forks and no gaps; a trigger (migration 0001) refuses UPDATE and DELETE.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    actorUserId: uuid('actor_user_id'),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_events_subject_idx').on(t.subjectType, t.subjectId)],
);

/** A file sent with a mail. `content` is the text of the file (UTF-8), e.g. a `.ics`. */
export type MailAttachment = { filename: string; contentType: string; content: string };

/** Every e-mail the app sends. Without SMTP settings this is the dev outbox an admin reads. */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    /** Files sent with the mail (e.g. an iCalendar invitation); small text parts only. */
    attachments: jsonb('attachments').$type<MailAttachment[]>(),
    transport: text('transport', { enum: ['smtp', 'dev'] }).notNull(),
    /**
     * A notification to one person (about their concern, their meeting): the admins' outbox page
     * does not list it, except to that person.
     */
    personal: boolean('personal').notNull().default(false),
    /** Set by the instance that is delivering it, so two instances never send one mail twice. */
    claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'date' }),
    attempts: integer('attempts').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    error: text('error'),
  },
  (t) => [index('mail_outbox_created_idx').on(t.createdAt)],
);

/**
 * Durable scheduled jobs: one row per job and slot (e.g. the hour). Instances race to insert it;
 * the one whose INSERT … ON CONFLICT DO NOTHING wins runs the job, so each slot runs once.
 */
export const jobRuns = pgTable(
  'job_runs',
  {
    jobName: text('job_name').notNull(),
    slot: text('slot').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    result: jsonb('result').$type<Record<string, unknown>>(),
  },
  (t) => [primaryKey({ columns: [t.jobName, t.slot] })],
);

/**
 * In-app notifications (concerns, actions, meetings). They carry a short subject and a link
 * inside the app, never a report's content.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    /** A path inside the app, e.g. /concerns/<id>. */
    link: text('link').notNull(),
    readAt: timestamp('read_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.createdAt)],
);

/** Each person chooses how they hear about updates: in the app always, by e-mail if they wish. */
export const notificationPreferences = pgTable('notification_preferences', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  email: boolean('email').notNull().default(true),
  /** The weekly digest for co-chairs (overdue concerns, stale actions). */
  weeklyDigest: boolean('weekly_digest').notNull().default(true),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/**
 * Operational state that is not a record of anything: kept in its own schema, out of backups'
 * interest and out of the tests' "did this request change any data?" fingerprint (which reads
 * the public schema), since a refused request still counts against its client's rate limit.
 */
export const transientSchema = pgSchema('transient');

/**
 * Shared rate-limit counters, so every instance enforces one limit: one row per route (`bucket`),
 * client and fixed window, incremented with an upsert. `client_key` is a keyed hash of the client
 * address that changes with every window, never the address; rows are deleted once expired.
 */
export const rateLimitCounters = transientSchema.table(
  'rate_limit_counters',
  {
    bucket: text('bucket').notNull(),
    clientKey: text('client_key').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true, mode: 'date' }).notNull(),
    count: integer('count').notNull().default(1),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.bucket, t.clientKey, t.windowStart] }),
    index('rate_limit_counters_expires_idx').on(t.expiresAt),
  ],
);

/**
 * Password-reset requests waiting to be handled (identity/account.ts). The request route only adds
 * a row, the same whether or not an account has the address, and answers at once; the work that
 * depends on the account (a link, an e-mail) happens afterwards in the background, so timing tells
 * nothing. Rows are deleted as they are handled; a queue, not a record, hence this schema.
 */
export const passwordResetRequests = transientSchema.table(
  'password_reset_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    requestedAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('password_reset_requests_requested_idx').on(t.requestedAt)],
);

/**
 * Failed attempts per account or per address (wrong passwords, wrong TOTP codes), so the limit
 * falls on failures, not on successful sign-ins. `subject_key` is a keyed hash of the scope and
 * the account or address, never either in clear. After `free` failures each further one locks the
 * subject for a growing delay (`locked_until`); the streak is forgotten at `expires_at`.
 */
export const authFailures = transientSchema.table(
  'auth_failures',
  {
    scope: text('scope').notNull(),
    subjectKey: text('subject_key').notNull(),
    failures: integer('failures').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.subjectKey] }),
    index('auth_failures_expires_idx').on(t.expiresAt),
  ],
);
