import { type SQL, sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  check,
  customType,
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
import { networks, users } from './identity';

/**
 * Concerns into actions ("you said, we did"). A concern is raised in a network, supported by
 * members, answered by its leads, and may become (or join) an action whose story the public
 * impact board tells. Concerns are never deleted by people: a lead hides one with a reason.
 */

/** A generated full-text vector, for duplicate suggestions and search. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const CONCERN_CATEGORIES = [
  'curriculum',
  'placement',
  'policy',
  'uniform_and_facilities',
  'assessment',
  'culture',
  'other',
] as const;

export const CONCERN_STATUSES = [
  'new',
  'under_discussion',
  'accepted',
  'answered',
  'not_taken_forward',
] as const;

/**
 * Who sees the author: `named` everyone; `anonymous_to_members` the network's leads only;
 * `anonymous` nobody (no author is stored; the author follows it with a receipt code).
 */
export const CONCERN_VISIBILITIES = ['named', 'anonymous_to_members', 'anonymous'] as const;

export const ACTION_STATUSES = ['planned', 'in_progress', 'completed', 'dropped'] as const;

/** Per network: the response clocks (defaults in the issue: 14 and 60 days). */
export const concernSettings = pgTable('concern_settings', {
  networkId: uuid('network_id')
    .primaryKey()
    .references(() => networks.id, { onDelete: 'cascade' }),
  firstAnswerDays: integer('first_answer_days').notNull().default(14),
  actionUpdateDays: integer('action_update_days').notNull().default(60),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Per network, the last number given to a concern and to an action (#12, A-7). */
export const concernCounters = pgTable(
  'concern_counters',
  {
    networkId: uuid('network_id')
      .notNull()
      .references(() => networks.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['concern', 'action'] }).notNull(),
    lastNumber: integer('last_number').notNull(),
  },
  (t) => [primaryKey({ columns: [t.networkId, t.kind] })],
);

export const actions = pgTable(
  'actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    networkId: uuid('network_id')
      .notNull()
      .references(() => networks.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    /** A sub-action rolls its progress up into its parent (weighted). */
    parentId: uuid('parent_id').references((): AnyPgColumn => actions.id, {
      onDelete: 'restrict',
    }),
    weight: integer('weight').notNull().default(1),
    title: text('title').notNull(),
    /** What is being done: the story the impact board tells. */
    summary: text('summary').notNull().default(''),
    category: text('category', { enum: CONCERN_CATEGORIES }).notNull(),
    status: text('status', { enum: ACTION_STATUSES }).notNull().default('planned'),
    /** Own progress 0–100; an action with sub-actions shows their weighted roll-up instead. */
    progress: integer('progress').notNull().default(0),
    studentLeadId: uuid('student_lead_id').references(() => users.id, { onDelete: 'set null' }),
    staffSponsorId: uuid('staff_sponsor_id').references(() => users.id, { onDelete: 'set null' }),
    /** The board shows roles, not names, unless the person consented (each sets their own). */
    studentLeadNamed: boolean('student_lead_named').notNull().default(false),
    staffSponsorNamed: boolean('staff_sponsor_named').notNull().default(false),
    outcome: text('outcome'),
    /** Shown on the public impact board (in progress or completed, and not hidden). */
    public: boolean('public').notNull().default(true),
    startedAt: ts('started_at'),
    completedAt: ts('completed_at'),
    /** The last update posted; the clock for "stale" actions runs from here (or creation). */
    lastUpdateAt: ts('last_update_at'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('actions_network_number_key').on(t.networkId, t.number),
    index('actions_board_idx').on(t.networkId, t.status, t.completedAt),
    index('actions_parent_idx').on(t.parentId),
    /** The public impact board across networks: newest activity first, without sorting every action. */
    index('actions_public_board_idx')
      .on(sql`(coalesce(${t.lastUpdateAt}, ${t.completedAt}, ${t.startedAt}, ${t.createdAt}))`, t.id)
      .where(sql`${t.public} and ${t.parentId} is null and ${t.status} in ('in_progress', 'completed')`),
    check('actions_progress_range', sql`${t.progress} between 0 and 100`),
    check('actions_weight_positive', sql`${t.weight} between 1 and 100`),
  ],
);

export const concerns = pgTable(
  'concerns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    networkId: uuid('network_id')
      .notNull()
      .references(() => networks.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    category: text('category', { enum: CONCERN_CATEGORIES }).notNull(),
    /** Optional links to where it happens: a teaching module, a placement site. */
    moduleRef: text('module_ref'),
    placementSite: text('placement_site'),
    visibility: text('visibility', { enum: CONCERN_VISIBILITIES }).notNull(),
    /** Null for a fully anonymous concern (and for a visitor's). */
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    status: text('status', { enum: CONCERN_STATUSES }).notNull().default('new'),
    /** The leads' public answer (required for every status after `new`). */
    answer: text('answer'),
    firstAnsweredAt: ts('first_answered_at'),
    firstAnswerDueAt: ts('first_answer_due_at').notNull(),
    actionId: uuid('action_id').references(() => actions.id, { onDelete: 'set null' }),
    /** Put on the next meeting's agenda by a lead (the meetings module reads this queue). */
    forAgenda: boolean('for_agenda').notNull().default(false),
    supportCount: integer('support_count').notNull().default(0),
    flagCount: integer('flag_count').notNull().default(0),
    hiddenAt: ts('hidden_at'),
    hiddenReason: text('hidden_reason'),
    hiddenBy: uuid('hidden_by').references(() => users.id, { onDelete: 'set null' }),
    search: tsvector('search').generatedAlwaysAs(
      (): SQL => sql`to_tsvector('english', ${concerns.title} || ' ' || ${concerns.description})`,
    ),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('concerns_network_number_key').on(t.networkId, t.number),
    index('concerns_list_idx').on(t.networkId, t.status, t.createdAt),
    index('concerns_due_idx').on(t.networkId, t.firstAnswerDueAt).where(sql`${t.firstAnsweredAt} is null`),
    index('concerns_action_idx').on(t.actionId),
    index('concerns_author_idx').on(t.authorId),
    index('concerns_search_idx').using('gin', t.search),
    check('concerns_anonymous_has_no_author', sql`${t.visibility} <> 'anonymous' or ${t.authorId} is null`),
    check('concerns_answered_has_answer', sql`${t.status} = 'new' or ${t.answer} is not null`),
    check('concerns_hidden_has_reason', sql`${t.hiddenAt} is null or ${t.hiddenReason} is not null`),
  ],
);

/** A fully anonymous concern's receipt (same mechanism as speak-up: platform/receipt.ts). */
export const concernReceipts = pgTable('concern_receipts', {
  concernId: uuid('concern_id')
    .primaryKey()
    .references(() => concerns.id, { onDelete: 'cascade' }),
  locator: text('locator').notNull().unique('concern_receipts_locator_key'),
  secretHash: text('secret_hash').notNull(),
});

/** One support per person; supporters follow the concern's updates. */
export const concernSupports = pgTable(
  'concern_supports',
  {
    concernId: uuid('concern_id')
      .notNull()
      .references(() => concerns.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.concernId, t.userId] }), index('concern_supports_user_idx').on(t.userId)],
);

/** Members flag a concern as abusive; leads decide whether to hide it. */
export const concernFlags = pgTable(
  'concern_flags',
  {
    concernId: uuid('concern_id')
      .notNull()
      .references(() => concerns.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reason: text('reason').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.concernId, t.userId] })],
);

/**
 * Everything that happened to a concern, in order: edits (with the fields before and after),
 * status changes and answers, hiding, linking to an action or a meeting. The concern's timeline.
 */
export const concernEvents = pgTable(
  'concern_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    concernId: uuid('concern_id')
      .notNull()
      .references(() => concerns.id, { onDelete: 'cascade' }),
    kind: text('kind', {
      enum: [
        'raised',
        'edited',
        'status',
        'hidden',
        'unhidden',
        'linked_action',
        'agenda',
        'meeting_decision',
      ],
    }).notNull(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    fromStatus: text('from_status', { enum: CONCERN_STATUSES }),
    toStatus: text('to_status', { enum: CONCERN_STATUSES }),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('concern_events_concern_idx').on(t.concernId, t.createdAt)],
);

export const actionMilestones = pgTable(
  'action_milestones',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    actionId: uuid('action_id')
      .notNull()
      .references(() => actions.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    doneAt: ts('done_at'),
    position: integer('position').notNull().default(0),
  },
  (t) => [index('action_milestones_action_idx').on(t.actionId, t.position)],
);

export const actionUpdates = pgTable(
  'action_updates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    actionId: uuid('action_id')
      .notNull()
      .references(() => actions.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    /** The action's own progress after this update, if it changed. */
    progress: integer('progress'),
    status: text('status', { enum: ACTION_STATUSES }),
    createdAt: createdAt(),
  },
  (t) => [index('action_updates_action_idx').on(t.actionId, t.createdAt)],
);

/** Files attached to an action (metadata stripped as for speak-up attachments; not sealed: not secret). */
export const actionAttachments = pgTable(
  'action_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    actionId: uuid('action_id')
      .notNull()
      .references(() => actions.id, { onDelete: 'cascade' }),
    fileName: text('file_name').notNull(),
    mediaType: text('media_type').notNull(),
    size: integer('size').notNull(),
    data: bytea('data').notNull(),
    uploadedBy: uuid('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('action_attachments_action_idx').on(t.actionId)],
);

/**
 * What stands behind an action besides its concerns: meetings that decided it, curriculum
 * findings and survey evidence (modules still to come), documents and links.
 */
export const actionEvidence = pgTable(
  'action_evidence',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    actionId: uuid('action_id')
      .notNull()
      .references(() => actions.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['meeting', 'curriculum_finding', 'survey', 'link'] }).notNull(),
    /** The meeting, finding or survey's id, for kinds that point at a record. */
    refId: uuid('ref_id'),
    label: text('label').notNull(),
    url: text('url'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('action_evidence_action_idx').on(t.actionId),
    uniqueIndex('action_evidence_ref_key').on(t.actionId, t.kind, t.refId),
  ],
);
