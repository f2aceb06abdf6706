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
import { createdAt, ts } from './columns';
import { actions, concerns } from './concerns';
import { networks, users } from './identity';

/**
 * Meetings: availability polls weighted to students, recurring series with exceptions for exam
 * and placement blocks, agendas, minutes, decisions, action items, attendance and calendars.
 * Every instant is stored in UTC (timestamptz); the zone it was planned in is kept beside it so
 * it can be shown and re-expanded in local time.
 */

export const MEMBERSHIP_KINDS = ['student', 'staff', 'alumnus'] as const;
export const POLL_ANSWERS = ['yes', 'if_need_be', 'no'] as const;

/** How much one answer of each membership kind counts when slots are ranked. */
export type KindWeights = { student: number; staff: number; alumnus: number };

/**
 * A monthly series, e.g. the second Wednesday at 17:30 Europe/London. `weekday` is ISO (1 =
 * Monday … 7 = Sunday); `nth` is 1–4, or -1 for the last such weekday of the month.
 */
export type SeriesRule = {
  freq: 'monthly';
  nth: 1 | 2 | 3 | 4 | -1;
  weekday: 1 | 2 | 3 | 4 | 5 | 6 | 7;
  time: string;
};

export const meetingSeries = pgTable(
  'meeting_series',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    networkId: uuid('network_id')
      .notNull()
      .references(() => networks.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    rule: jsonb('rule').$type<SeriesRule>().notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    timeZone: text('time_zone').notNull(),
    place: text('place'),
    onlineUrl: text('online_url'),
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    endsOn: date('ends_on', { mode: 'string' }),
    /** Which year groups' blocks (exams, placements) the series skips; empty means none. */
    respectsBlocksFor: jsonb('respects_blocks_for').$type<number[]>().notNull().default([]),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('meeting_series_network_idx').on(t.networkId)],
);

/** Exam and placement blocks per year group (or for everyone when yearOfStudy is null). */
export const meetingBlocks = pgTable(
  'meeting_blocks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    networkId: uuid('network_id')
      .notNull()
      .references(() => networks.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['exam', 'placement', 'holiday', 'other'] }).notNull(),
    label: text('label').notNull(),
    yearOfStudy: integer('year_of_study'),
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    endsOn: date('ends_on', { mode: 'string' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('meeting_blocks_network_idx').on(t.networkId, t.startsOn),
    check('meeting_blocks_order', sql`${t.endsOn} >= ${t.startsOn}`),
  ],
);

export const polls = pgTable(
  'meeting_polls',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    networkId: uuid('network_id')
      .notNull()
      .references(() => networks.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    timeZone: text('time_zone').notNull(),
    status: text('status', { enum: ['open', 'closed', 'confirmed', 'cancelled'] })
      .notNull()
      .default('open'),
    deadlineAt: ts('deadline_at'),
    weights: jsonb('weights').$type<KindWeights>().notNull(),
    minStudents: integer('min_students').notNull().default(0),
    /** A poll for a new monthly series (when the term changes) rather than one meeting. */
    forSeries: boolean('for_series').notNull().default(false),
    confirmedSlotId: uuid('confirmed_slot_id'),
    remindedAt: ts('reminded_at'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('meeting_polls_network_idx').on(t.networkId, t.status)],
);

export const pollSlots = pgTable(
  'meeting_poll_slots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    pollId: uuid('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    startsAt: ts('starts_at').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    place: text('place'),
    onlineUrl: text('online_url'),
  },
  (t) => [
    index('meeting_poll_slots_poll_idx').on(t.pollId, t.startsAt),
    check('meeting_poll_slots_duration', sql`${t.durationMinutes} between 5 and 1440`),
  ],
);

/** People who must be able to attend (e.g. the student co-chair) for a slot to be chosen. */
export const pollRequiredPeople = pgTable(
  'meeting_poll_required',
  {
    pollId: uuid('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.userId] })],
);

export const pollAnswers = pgTable(
  'meeting_poll_answers',
  {
    pollId: uuid('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    slotId: uuid('slot_id')
      .notNull()
      .references(() => pollSlots.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    answer: text('answer', { enum: POLL_ANSWERS }).notNull(),
    /** The answerer's membership kind when they answered: the poll's weights use it, not today's kind. */
    kind: text('kind', { enum: ['student', 'staff', 'alumnus'] }).notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.slotId, t.userId] }),
    index('meeting_poll_answers_poll_idx').on(t.pollId, t.userId),
  ],
);

export const meetings = pgTable(
  'meetings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    networkId: uuid('network_id')
      .notNull()
      .references(() => networks.id, { onDelete: 'cascade' }),
    seriesId: uuid('series_id').references(() => meetingSeries.id, { onDelete: 'set null' }),
    pollId: uuid('poll_id').references(() => polls.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    startsAt: ts('starts_at').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    timeZone: text('time_zone').notNull(),
    place: text('place'),
    onlineUrl: text('online_url'),
    status: text('status', { enum: ['scheduled', 'cancelled', 'held'] })
      .notNull()
      .default('scheduled'),
    /** iCalendar UID and SEQUENCE: bumped on every change that is sent out. */
    icalUid: text('ical_uid').notNull(),
    sequence: integer('sequence').notNull().default(0),
    minutesStatus: text('minutes_status', { enum: ['none', 'draft', 'published'] })
      .notNull()
      .default('none'),
    minutesPublishedAt: ts('minutes_published_at'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('meetings_network_idx').on(t.networkId, t.startsAt),
    uniqueIndex('meetings_ical_uid_key').on(t.icalUid),
    uniqueIndex('meetings_series_start_key').on(t.seriesId, t.startsAt),
  ],
);

/** Who was invited (and so gets updates and cancellations). */
export const meetingInvitees = pgTable(
  'meeting_invitees',
  {
    meetingId: uuid('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    invitedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.userId] }), index('meeting_invitees_user_idx').on(t.userId)],
);

export const agendaItems = pgTable(
  'meeting_agenda_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    meetingId: uuid('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    kind: text('kind', { enum: ['concern', 'action', 'member_item'] }).notNull(),
    concernId: uuid('concern_id').references(() => concerns.id, { onDelete: 'set null' }),
    actionId: uuid('action_id').references(() => actions.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    /** Minutes: what was said about this item. */
    notes: text('notes').notNull().default(''),
    addedBy: uuid('added_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('meeting_agenda_items_meeting_idx').on(t.meetingId, t.position)],
);

/** Attendance, with the person's membership kind at the time (for the chart by kind). */
export const meetingAttendance = pgTable(
  'meeting_attendance',
  {
    meetingId: uuid('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: MEMBERSHIP_KINDS }).notNull(),
    present: boolean('present').notNull(),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.userId] })],
);

/** Decisions recorded in minutes; those about concerns and actions are applied to them directly. */
export const meetingDecisions = pgTable(
  'meeting_decisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    meetingId: uuid('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    agendaItemId: uuid('agenda_item_id').references(() => agendaItems.id, { onDelete: 'set null' }),
    kind: text('kind', {
      enum: ['concern_accepted', 'concern_answered', 'concern_not_taken_forward', 'action_update', 'other'],
    }).notNull(),
    concernId: uuid('concern_id').references(() => concerns.id, { onDelete: 'set null' }),
    actionId: uuid('action_id').references(() => actions.id, { onDelete: 'set null' }),
    text: text('text').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('meeting_decisions_meeting_idx').on(t.meetingId)],
);

export const meetingActionItems = pgTable(
  'meeting_action_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    meetingId: uuid('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    actionId: uuid('action_id').references(() => actions.id, { onDelete: 'set null' }),
    doneAt: ts('done_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('meeting_action_items_meeting_idx').on(t.meetingId),
    index('meeting_action_items_owner_idx').on(t.ownerId),
  ],
);

/** A member's personal calendar subscription: the token is secret, stored hashed, revocable. */
export const calendarFeeds = pgTable(
  'calendar_feeds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    uniqueIndex('calendar_feeds_token_key').on(t.tokenHash),
    index('calendar_feeds_user_idx').on(t.userId),
  ],
);
