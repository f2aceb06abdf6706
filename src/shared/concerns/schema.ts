import { z } from 'zod';

export { ACTION_STATUS_LABELS, CATEGORY_LABELS, STATUS_LABELS } from './labels';

import { ReceiptCode } from '../receipt';

export { ReceiptCode };

/**
 * Concerns into actions ("you said, we did"): raising and supporting concerns, triage by the
 * network's leads, actions with milestones and updates, response clocks, the public impact board,
 * the co-chairs' dashboard and notifications. Isomorphic: used by the server routes and the web.
 * Dates travel as ISO 8601 strings in UTC; a milestone's due day is a plain `YYYY-MM-DD`.
 */

/** Limits shared by the forms and the server. */
export const ConcernLimits = {
  titleMin: 5,
  titleMax: 140,
  descriptionMin: 10,
  descriptionMax: 5_000,
  refMax: 200,
  answerMin: 10,
  answerMax: 5_000,
  reasonMin: 5,
  reasonMax: 1_000,
  searchMax: 200,
  pageSizeMax: 50,
  pageSizeDefault: 20,
  actionTitleMin: 5,
  actionTitleMax: 200,
  actionSummaryMax: 5_000,
  outcomeMax: 5_000,
  updateBodyMin: 5,
  updateBodyMax: 10_000,
  milestoneTitleMax: 200,
  evidenceLabelMax: 200,
  urlMax: 2_000,
  fileNameMax: 200,
} as const;

/** The response clocks' defaults (issue 4): a first answer within 14 days, an update every 60. */
export const DEFAULT_FIRST_ANSWER_DAYS = 14;
export const DEFAULT_ACTION_UPDATE_DAYS = 60;
/** Actions whose update falls due within this many days appear on the next meeting's agenda. */
export const AGENDA_UPDATE_HORIZON_DAYS = 14;

// ---- vocabularies ---------------------------------------------------------------------------------

export const ConcernCategory = z.enum(
  ['curriculum', 'placement', 'policy', 'uniform_and_facilities', 'assessment', 'culture', 'other'],
  { error: 'Choose a category.' },
);
export type ConcernCategory = z.infer<typeof ConcernCategory>;

export const ConcernStatus = z.enum(
  ['new', 'under_discussion', 'accepted', 'answered', 'not_taken_forward'],
  {
    error: 'Choose a status.',
  },
);
export type ConcernStatus = z.infer<typeof ConcernStatus>;

/**
 * Where a concern may go from each status. `accepted` is final for the concern: its action carries
 * the story on. An answered or not-taken-forward concern may be reopened for discussion.
 */
export const CONCERN_TRANSITIONS: Record<ConcernStatus, readonly ConcernStatus[]> = {
  new: ['under_discussion', 'accepted', 'answered', 'not_taken_forward'],
  under_discussion: ['accepted', 'answered', 'not_taken_forward'],
  answered: ['under_discussion', 'accepted'],
  not_taken_forward: ['under_discussion'],
  accepted: [],
};

/**
 * Who sees the author: `named` everyone in the network; `anonymous_to_members` the network's leads
 * only; `anonymous` nobody (no author is stored; the author follows it with a receipt code).
 */
export const ConcernVisibility = z.enum(['named', 'anonymous_to_members', 'anonymous'], {
  error: 'Choose who may see that you raised it.',
});
export type ConcernVisibility = z.infer<typeof ConcernVisibility>;

/** Why a concern was not taken forward (the public answer explains it in words). */
export const NotTakenForwardReason = z.enum(
  [
    'outside_our_remit',
    'already_addressed',
    'duplicate',
    'not_feasible',
    'insufficient_information',
    'other',
  ],
  { error: 'Choose why it is not taken forward.' },
);
export type NotTakenForwardReason = z.infer<typeof NotTakenForwardReason>;
export const NOT_TAKEN_FORWARD_LABELS: Record<NotTakenForwardReason, string> = {
  outside_our_remit: 'Outside the network’s remit',
  already_addressed: 'Already being addressed elsewhere',
  duplicate: 'A duplicate of another concern',
  not_feasible: 'Not feasible now',
  insufficient_information: 'Not enough information to act on',
  other: 'Another reason (see the answer)',
};

export const ActionStatus = z.enum(['planned', 'in_progress', 'completed', 'dropped'], {
  error: 'Choose a status.',
});
export type ActionStatus = z.infer<typeof ActionStatus>;

export const ConcernEventKind = z.enum([
  'raised',
  'edited',
  'status',
  'hidden',
  'unhidden',
  'linked_action',
  'agenda',
  'meeting_decision',
]);
export type ConcernEventKind = z.infer<typeof ConcernEventKind>;

export const EvidenceKind = z.enum(['meeting', 'curriculum_finding', 'survey', 'link']);
export type EvidenceKind = z.infer<typeof EvidenceKind>;

// ---- building blocks ------------------------------------------------------------------------------

const Id = z.uuid({ message: 'Not a valid identifier.' });
const Iso = z.iso.datetime();
const BooleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');
const Page = z.coerce.number().int().min(1, 'Pages start at 1.').max(10_000).default(1);
const PageSize = z.coerce
  .number()
  .int()
  .min(1)
  .max(ConcernLimits.pageSizeMax, `At most ${ConcernLimits.pageSizeMax} a page.`)
  .default(ConcernLimits.pageSizeDefault);
const text = (label: string, min: number, max: number) =>
  z
    .string({ error: `Enter ${label}.` })
    .trim()
    .min(min, min <= 1 ? `Enter ${label}.` : `Write at least ${min} characters for ${label}.`)
    .max(max, `Use at most ${max} characters for ${label}.`);
const optionalRef = (label: string) =>
  z
    .string()
    .trim()
    .max(ConcernLimits.refMax, `Use at most ${ConcernLimits.refMax} characters for ${label}.`)
    .transform((v) => v || undefined)
    .optional();
/** A calendar day, `YYYY-MM-DD`. */
export const Day = z.iso.date({ message: 'Enter a date as YYYY-MM-DD.' });

export const PersonRefSchema = z.object({ id: Id, name: z.string() });
export type PersonRef = z.infer<typeof PersonRefSchema>;

export const NetworkParams = z.strictObject({ networkId: Id });
export const ConcernParams = z.strictObject({ id: Id });
export const ConcernEventParams = z.strictObject({ id: Id, eventId: Id });
export const ActionParams = z.strictObject({ id: Id });
export const MilestoneParams = z.strictObject({ id: Id, milestoneId: Id });
export const AttachmentParams = z.strictObject({ id: Id, attachmentId: Id });

// ---- raising and editing ---------------------------------------------------------------------------

export const ConcernCreateSchema = z.strictObject({
  title: text('a title', ConcernLimits.titleMin, ConcernLimits.titleMax),
  description: text('a description', ConcernLimits.descriptionMin, ConcernLimits.descriptionMax),
  category: ConcernCategory,
  /** The teaching module it concerns, if any (free text, e.g. "Year 2 dermatology"). */
  moduleRef: optionalRef('the module'),
  /** The placement site, if any. */
  placementSite: optionalRef('the placement site'),
  /** Visitors may only raise fully anonymous concerns. */
  visibility: ConcernVisibility,
});
export type ConcernCreate = z.infer<typeof ConcernCreateSchema>;

/** Answer to raising: the receipt code exists only here (fully anonymous concerns), shown once. */
export const ConcernCreatedSchema = z.object({
  id: Id,
  number: z.number().int(),
  receipt: z.string().nullable(),
});
export type ConcernCreated = z.infer<typeof ConcernCreatedSchema>;

/** The author (while the concern is new) or a lead corrects it; every change is kept in its history. */
export const ConcernEditSchema = z
  .strictObject({
    title: text('a title', ConcernLimits.titleMin, ConcernLimits.titleMax).optional(),
    description: text('a description', ConcernLimits.descriptionMin, ConcernLimits.descriptionMax).optional(),
    category: ConcernCategory.optional(),
    moduleRef: z.string().trim().max(ConcernLimits.refMax).nullable().optional(),
    placementSite: z.string().trim().max(ConcernLimits.refMax).nullable().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: 'Change at least one field.',
    path: ['title'],
  });
export type ConcernEdit = z.infer<typeof ConcernEditSchema>;

export const SimilarQuerySchema = z.strictObject({
  q: z
    .string({ error: 'Type a few words of the title.' })
    .trim()
    .min(3, 'Type at least 3 characters.')
    .max(ConcernLimits.searchMax),
});
export const SimilarConcernSchema = z.object({
  id: Id,
  number: z.number().int(),
  title: z.string(),
  status: ConcernStatus,
  supportCount: z.number().int(),
});
export const SimilarConcernsSchema = z.array(SimilarConcernSchema);

// ---- reading ----------------------------------------------------------------------------------------

export const ConcernListQuerySchema = z.strictObject({
  status: ConcernStatus.optional(),
  category: ConcernCategory.optional(),
  q: z.string().trim().max(ConcernLimits.searchMax).optional(),
  /** Only concerns past their first-answer clock (leads' view). */
  overdue: BooleanQuery.optional(),
  /** Only concerns I raised or support. */
  mine: BooleanQuery.optional(),
  page: Page,
  pageSize: PageSize,
});
export type ConcernListQuery = z.infer<typeof ConcernListQuerySchema>;

/** The action a concern belongs to, in brief. */
export const ActionBriefSchema = z.object({
  id: Id,
  number: z.number().int(),
  title: z.string(),
  status: ActionStatus,
  /** Weighted progress 0–100 (rolled up from sub-actions where there are any). */
  progress: z.number().int(),
});
export type ActionBrief = z.infer<typeof ActionBriefSchema>;

export const ConcernSummarySchema = z.object({
  id: Id,
  networkId: Id,
  number: z.number().int(),
  title: z.string(),
  category: ConcernCategory,
  status: ConcernStatus,
  visibility: ConcernVisibility,
  /** The author, when this viewer may see them; null otherwise (and always for fully anonymous ones). */
  author: PersonRefSchema.nullable(),
  /** True when there is an author this viewer may not see (anonymous to members, or fully anonymous). */
  authorHiddenFromYou: z.boolean(),
  /** The viewer raised it (only ever true for a concern with a stored author). */
  mine: z.boolean(),
  supportCount: z.number().int(),
  supportedByMe: z.boolean(),
  firstAnswerDueAt: Iso,
  firstAnsweredAt: Iso.nullable(),
  /** Still unanswered after its first-answer clock. */
  overdue: z.boolean(),
  forAgenda: z.boolean(),
  /** Hidden by a lead (only leads, admins and the author see a hidden concern). */
  hidden: z.boolean(),
  action: ActionBriefSchema.nullable(),
  createdAt: Iso,
  updatedAt: Iso,
});
export type ConcernSummary = z.infer<typeof ConcernSummarySchema>;

export const ConcernListSchema = z.object({
  items: z.array(ConcernSummarySchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export type ConcernList = z.infer<typeof ConcernListSchema>;

export const ConcernEventSchema = z.object({
  id: Id,
  kind: ConcernEventKind,
  at: Iso,
  /** Who did it; null when anonymous (or the anonymous author, to those who may not see them). */
  actor: PersonRefSchema.nullable(),
  fromStatus: ConcernStatus.nullable(),
  toStatus: ConcernStatus.nullable(),
  /**
   * What changed: `edited` → `{ changes: { field: { before, after } } }` to the network's leads,
   * `{ fields: [field] }` to everyone else, and `{ fields, redacted: { reason, at } }` once the
   * leads removed its wording; `status` and
   * `meeting_decision` → `{ answer, reason?, meetingId? }`; `hidden` → `{ reason }`;
   * `linked_action` → `{ actionId, actionNumber }`; `agenda` → `{ forAgenda }`.
   */
  data: z.record(z.string(), z.unknown()),
});
export type ConcernEvent = z.infer<typeof ConcernEventSchema>;

export const HiddenInfoSchema = z.object({
  reason: z.string(),
  hiddenAt: Iso,
  /** The lead who hid it (leads and admins only; null for the author). */
  hiddenBy: PersonRefSchema.nullable(),
});

export const ConcernDetailSchema = ConcernSummarySchema.extend({
  networkName: z.string(),
  description: z.string(),
  moduleRef: z.string().nullable(),
  placementSite: z.string().nullable(),
  /** The leads' public answer. */
  answer: z.string().nullable(),
  /** Set when a lead hid it: shown to leads, admins and the author. */
  hiddenInfo: HiddenInfoSchema.nullable(),
  /** How many members flagged it as abusive (leads and admins only; null for others). */
  flagCount: z.number().int().nullable(),
  flaggedByMe: z.boolean(),
  timeline: z.array(ConcernEventSchema),
  /** What this viewer may do (the server checks again). */
  may: z.object({
    edit: z.boolean(),
    support: z.boolean(),
    triage: z.boolean(),
    moderate: z.boolean(),
    flag: z.boolean(),
    /** Remove the wording of an edit from the history (leads and admins). */
    redactHistory: z.boolean(),
  }),
});
export type ConcernDetail = z.infer<typeof ConcernDetailSchema>;

export const SupportStateSchema = z.object({ supportCount: z.number().int(), supportedByMe: z.boolean() });
export type SupportState = z.infer<typeof SupportStateSchema>;

// ---- triage and moderation -------------------------------------------------------------------------

const PersonId = z.uuid({ message: 'Choose a person from the list.' });

/** A new action made while triaging (its category is the concern's). */
export const NewActionInlineSchema = z.strictObject({
  title: text('the action’s title', ConcernLimits.actionTitleMin, ConcernLimits.actionTitleMax),
  summary: z.string().trim().max(ConcernLimits.actionSummaryMax).optional(),
  /** A student member of the network. */
  studentLeadId: PersonId,
  /** A staff member of the network. */
  staffSponsorId: PersonId,
});

export const TriageSchema = z
  .strictObject({
    status: z.enum(['under_discussion', 'accepted', 'answered', 'not_taken_forward'], {
      error: 'Choose what happens to the concern.',
    }),
    /** The public answer, shown to everyone who can see the concern. */
    answer: text('an answer', ConcernLimits.answerMin, ConcernLimits.answerMax),
    /** Required for `not_taken_forward`. */
    reason: NotTakenForwardReason.optional(),
    /** For `accepted`: join an action of the same network… */
    existingActionId: z.uuid({ message: 'Choose an action from the list.' }).optional(),
    /** …or make a new one. */
    newAction: NewActionInlineSchema.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.status === 'accepted') {
      if (!v.existingActionId === !v.newAction) {
        ctx.addIssue({
          code: 'custom',
          path: ['existingActionId'],
          message: 'To accept it, choose an existing action or describe a new one (not both).',
        });
      }
    } else if (v.existingActionId || v.newAction) {
      ctx.addIssue({
        code: 'custom',
        path: ['status'],
        message: 'Only an accepted concern joins an action.',
      });
    }
    if (v.status === 'not_taken_forward' && !v.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Choose why it is not taken forward.' });
    }
    if (v.status !== 'not_taken_forward' && v.reason) {
      ctx.addIssue({
        code: 'custom',
        path: ['reason'],
        message: 'A reason is given only when a concern is not taken forward.',
      });
    }
  });
export type TriageInput = z.infer<typeof TriageSchema>;

export const TriageResultSchema = z.object({
  concernId: Id,
  status: ConcernStatus,
  actionId: Id.nullable(),
});
export type TriageResult = z.infer<typeof TriageResultSchema>;

export const AgendaRequestSchema = z.strictObject({
  forAgenda: z.boolean({ error: 'Say whether it goes on the agenda.' }),
});

export const FlagRequestSchema = z.strictObject({
  reason: text('why you are flagging it', ConcernLimits.reasonMin, ConcernLimits.reasonMax),
});
export const HideRequestSchema = z.strictObject({
  reason: text(
    'the reason for hiding it (the author is told)',
    ConcernLimits.reasonMin,
    ConcernLimits.reasonMax,
  ),
});
export type HideRequest = z.infer<typeof HideRequestSchema>;
export const RedactRequestSchema = z.strictObject({
  reason: text(
    'why the wording is removed (it is kept with the history)',
    ConcernLimits.reasonMin,
    ConcernLimits.reasonMax,
  ),
});

// ---- following a fully anonymous concern -----------------------------------------------------------

export const ReceiptFollowSchema = z.strictObject({ receipt: ReceiptCode });

/** A fully anonymous concern as its author sees it with the receipt code. */
export const ConcernAuthorViewSchema = z.object({
  id: Id,
  number: z.number().int(),
  networkName: z.string(),
  title: z.string(),
  description: z.string(),
  category: ConcernCategory,
  status: ConcernStatus,
  answer: z.string().nullable(),
  supportCount: z.number().int(),
  firstAnswerDueAt: Iso,
  overdue: z.boolean(),
  hiddenInfo: z.object({ reason: z.string(), hiddenAt: Iso }).nullable(),
  action: ActionBriefSchema.nullable(),
  /** Status changes and answers, without anyone's name. */
  timeline: z.array(
    z.object({
      kind: ConcernEventKind,
      at: Iso,
      fromStatus: ConcernStatus.nullable(),
      toStatus: ConcernStatus.nullable(),
      answer: z.string().nullable(),
    }),
  ),
  createdAt: Iso,
});
export type ConcernAuthorView = z.infer<typeof ConcernAuthorViewSchema>;

// ---- actions ------------------------------------------------------------------------------------------

export const ActionCreateSchema = z.strictObject({
  title: text('a title', ConcernLimits.actionTitleMin, ConcernLimits.actionTitleMax),
  summary: z.string().trim().max(ConcernLimits.actionSummaryMax).default(''),
  category: ConcernCategory,
  studentLeadId: PersonId,
  staffSponsorId: PersonId,
  /** Makes it a sub-action of another action of the network (its progress rolls up). */
  parentId: z.uuid({ message: 'Choose an action from the list.' }).optional(),
  /** Its weight in the parent's progress (1–100). */
  weight: z.number().int().min(1, 'A weight is 1 to 100.').max(100, 'A weight is 1 to 100.').default(1),
  /** Shown on the public impact board once in progress. */
  public: z.boolean().default(true),
});
export type ActionCreate = z.infer<typeof ActionCreateSchema>;

export const ActionUpdateSchema = z
  .strictObject({
    title: text('a title', ConcernLimits.actionTitleMin, ConcernLimits.actionTitleMax).optional(),
    summary: z.string().trim().max(ConcernLimits.actionSummaryMax).optional(),
    category: ConcernCategory.optional(),
    studentLeadId: PersonId.optional(),
    staffSponsorId: PersonId.optional(),
    parentId: z.uuid({ message: 'Choose an action from the list.' }).nullable().optional(),
    weight: z.number().int().min(1, 'A weight is 1 to 100.').max(100, 'A weight is 1 to 100.').optional(),
    public: z.boolean().optional(),
    /** What came of it (shown on the board once completed). */
    outcome: z.string().trim().max(ConcernLimits.outcomeMax).nullable().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: 'Change at least one field.',
    path: ['title'],
  });
export type ActionUpdate = z.infer<typeof ActionUpdateSchema>;

export const MilestoneCreateSchema = z.strictObject({
  title: text('the milestone', 3, ConcernLimits.milestoneTitleMax),
  dueOn: Day,
});
export type MilestoneCreate = z.infer<typeof MilestoneCreateSchema>;
export const MilestoneUpdateSchema = z
  .strictObject({
    title: text('the milestone', 3, ConcernLimits.milestoneTitleMax).optional(),
    dueOn: Day.optional(),
    done: z.boolean().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: 'Change at least one field.',
    path: ['title'],
  });
export type MilestoneUpdate = z.infer<typeof MilestoneUpdateSchema>;

export const ActionUpdatePostSchema = z.strictObject({
  body: text('the update', ConcernLimits.updateBodyMin, ConcernLimits.updateBodyMax),
  /** The action's own progress after this update (0–100). */
  progress: z.number().int().min(0, 'Progress is 0 to 100.').max(100, 'Progress is 0 to 100.').optional(),
  status: ActionStatus.optional(),
});
export type ActionUpdatePost = z.infer<typeof ActionUpdatePostSchema>;

export const ActionAttachmentCreateSchema = z.strictObject({
  fileName: z.string().trim().min(1, 'Give the file a name.').max(ConcernLimits.fileNameMax),
  /** What the browser says it is; the bytes decide. */
  contentType: z.string().max(100).optional(),
  /** The file, base64-encoded (JPEG, PNG, WebP or PDF, at most 10 MB; metadata is removed). */
  data: z.string().min(1, 'Choose a file.'),
});

export const EvidenceCreateSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('link'),
      label: text('a label', 3, ConcernLimits.evidenceLabelMax),
      url: z
        .url({ message: 'Enter a web address starting with https://.', protocol: /^https?$/ })
        .max(ConcernLimits.urlMax),
    }),
    z.strictObject({
      kind: z.enum(['meeting', 'curriculum_finding', 'survey']),
      label: text('a label', 3, ConcernLimits.evidenceLabelMax),
      refId: z.uuid({ message: 'Choose a record from the list.' }),
    }),
  ],
  { error: 'Choose the kind of evidence.' },
);
export type EvidenceCreate = z.infer<typeof EvidenceCreateSchema>;

/** The student lead or the staff sponsor agrees (or no longer agrees) to be named on the board. */
export const ConsentSchema = z.strictObject({ named: z.boolean({ error: 'Say whether you may be named.' }) });

export const ActionListQuerySchema = z.strictObject({
  status: ActionStatus.optional(),
  category: ConcernCategory.optional(),
  /** Only actions with no update within the clock. */
  stale: BooleanQuery.optional(),
  page: Page,
  pageSize: PageSize,
});

export const ActionSummarySchema = ActionBriefSchema.extend({
  networkId: Id,
  category: ConcernCategory,
  parentId: Id.nullable(),
  studentLead: PersonRefSchema.nullable(),
  staffSponsor: PersonRefSchema.nullable(),
  public: z.boolean(),
  concernCount: z.number().int(),
  lastUpdateAt: Iso.nullable(),
  /** When the next update is due (the clock runs from the last update, or from creation). */
  updateDueAt: Iso.nullable(),
  /** Open and past its update clock. */
  stale: z.boolean(),
  createdAt: Iso,
});
export type ActionSummary = z.infer<typeof ActionSummarySchema>;
export const ActionListSchema = z.object({
  items: z.array(ActionSummarySchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export const MilestoneSchema = z.object({
  id: Id,
  title: z.string(),
  dueOn: Day,
  doneAt: Iso.nullable(),
  overdue: z.boolean(),
});
export const ActionUpdateEntrySchema = z.object({
  id: Id,
  body: z.string(),
  progress: z.number().int().nullable(),
  status: ActionStatus.nullable(),
  author: PersonRefSchema.nullable(),
  createdAt: Iso,
});
export const ActionAttachmentSchema = z.object({
  id: Id,
  fileName: z.string(),
  mediaType: z.string(),
  size: z.number().int(),
  createdAt: Iso,
});
export const EvidenceSchema = z.object({
  id: Id,
  kind: EvidenceKind,
  refId: Id.nullable(),
  label: z.string(),
  url: z.string().nullable(),
  createdAt: Iso,
});
export const ActionPersonSchema = PersonRefSchema.extend({
  /** Consented to be named on the public board. */
  named: z.boolean(),
});

export const ActionDetailSchema = ActionSummarySchema.extend({
  networkName: z.string(),
  summary: z.string(),
  /** The action's own progress, before any roll-up from sub-actions. */
  ownProgress: z.number().int(),
  weight: z.number().int(),
  parent: ActionBriefSchema.nullable(),
  subActions: z.array(ActionBriefSchema.extend({ weight: z.number().int() })),
  studentLead: ActionPersonSchema.nullable(),
  staffSponsor: ActionPersonSchema.nullable(),
  outcome: z.string().nullable(),
  startedAt: Iso.nullable(),
  completedAt: Iso.nullable(),
  milestones: z.array(MilestoneSchema),
  updates: z.array(ActionUpdateEntrySchema),
  attachments: z.array(ActionAttachmentSchema),
  evidence: z.array(EvidenceSchema),
  concerns: z.array(SimilarConcernSchema),
  may: z.object({
    manage: z.boolean(),
    /** Which consent this viewer gives, if they are the student lead or the staff sponsor. */
    consentAs: z.enum(['student_lead', 'staff_sponsor']).nullable(),
  }),
});
export type ActionDetail = z.infer<typeof ActionDetailSchema>;

// ---- clocks -------------------------------------------------------------------------------------------

export const ConcernSettingsSchema = z.strictObject({
  firstAnswerDays: z
    .number({ error: 'Enter a number of days.' })
    .int('Enter a whole number of days.')
    .min(1, 'At least 1 day.')
    .max(365, 'At most 365 days.'),
  actionUpdateDays: z
    .number({ error: 'Enter a number of days.' })
    .int('Enter a whole number of days.')
    .min(7, 'At least 7 days.')
    .max(730, 'At most 730 days.'),
});
export type ConcernSettings = z.infer<typeof ConcernSettingsSchema>;

// ---- dashboard ----------------------------------------------------------------------------------------

/** A count that describes people: HESA-rounded to 5, and "fewer than 5" for 1–4. */
export const PublishedCountSchema = z.object({
  value: z.number().int().nullable(),
  display: z.string(),
  suppressed: z.boolean(),
});
/** A median or a share: suppressed when it rests on 7 or fewer concerns. */
export const PublishedMeasureSchema = z.object({
  value: z.number().nullable(),
  display: z.string(),
  suppressed: z.boolean(),
});

export const DashboardQuerySchema = z.strictObject({
  /** How many months back, this month included (default 12). */
  months: z.coerce.number().int().min(1).max(36).default(12),
});

export const DashboardSchema = z.object({
  networkId: Id,
  clocks: z.object({ firstAnswerDays: z.number().int(), actionUpdateDays: z.number().int() }),
  months: z.array(
    z.object({
      /** `YYYY-MM`, in UK time. */
      month: z.string(),
      raised: PublishedCountSchema,
      medianDaysToFirstAnswer: PublishedMeasureSchema,
      /** Percent of the month's concerns answered within the clock (among those whose clock has run out or that were answered). */
      answeredWithinClock: PublishedMeasureSchema,
    }),
  ),
  actionsCompletedPerYear: z.array(z.object({ year: z.number().int(), completed: z.number().int() })),
  overdueConcerns: z.array(
    z.object({
      id: Id,
      number: z.number().int(),
      title: z.string(),
      status: ConcernStatus,
      firstAnswerDueAt: Iso,
      daysOverdue: z.number().int(),
    }),
  ),
  staleActions: z.array(
    z.object({
      id: Id,
      number: z.number().int(),
      title: z.string(),
      status: ActionStatus,
      lastUpdateAt: Iso.nullable(),
      updateDueAt: Iso,
      daysStale: z.number().int(),
    }),
  ),
  /** How the numbers are protected, in words. */
  method: z.string(),
});
export type Dashboard = z.infer<typeof DashboardSchema>;

// ---- public impact board ------------------------------------------------------------------------------

export const ImpactQuerySchema = z.strictObject({
  /** A network's slug; all networks when absent. */
  network: z
    .string()
    .trim()
    .max(100)
    .regex(/^[a-z0-9-]+$/, 'Not a network address.')
    .optional(),
  category: ConcernCategory.optional(),
  /** The calendar year it started (in progress) or was completed. */
  year: z.coerce.number().int().min(2000, 'Choose a year.').max(2100, 'Choose a year.').optional(),
  status: z.enum(['in_progress', 'completed'], { error: 'Choose in progress or completed.' }).optional(),
  page: Page,
  pageSize: PageSize,
});
export type ImpactQuery = z.infer<typeof ImpactQuerySchema>;

export const ImpactCardSchema = z.object({
  id: Id,
  networkName: z.string(),
  networkSlug: z.string(),
  institutionName: z.string(),
  number: z.number().int(),
  title: z.string(),
  summary: z.string(),
  category: ConcernCategory,
  status: z.enum(['in_progress', 'completed']),
  progress: z.number().int(),
  /** How many (visible) concerns stand behind it. */
  concernCount: z.number().int(),
  startedAt: Iso.nullable(),
  completedAt: Iso.nullable(),
  lastUpdateAt: Iso.nullable(),
});
export type ImpactCard = z.infer<typeof ImpactCardSchema>;

export const ImpactBoardSchema = z.object({
  items: z.array(ImpactCardSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  /** The years that have something to show (for the filter). */
  years: z.array(z.number().int()),
});
export type ImpactBoard = z.infer<typeof ImpactBoardSchema>;

export const ImpactStorySchema = ImpactCardSchema.extend({
  outcome: z.string().nullable(),
  /** What was raised: the titles of the concerns behind it (hidden ones left out). */
  raised: z.array(z.object({ title: z.string(), raisedAt: Iso })),
  /** What was done. */
  updates: z.array(z.object({ body: z.string(), at: Iso, status: ActionStatus.nullable() })),
  milestones: z.array(z.object({ title: z.string(), dueOn: Day, done: z.boolean() })),
  /** By whom: a name only with that person's consent, otherwise the role. */
  people: z.object({ studentLead: z.string(), staffSponsor: z.string() }),
  /** Meetings and other evidence behind it (labels only). */
  evidence: z.array(z.object({ kind: EvidenceKind, label: z.string(), url: z.string().nullable() })),
});
export type ImpactStory = z.infer<typeof ImpactStorySchema>;

// ---- notifications ------------------------------------------------------------------------------------

export const NotificationListQuerySchema = z.strictObject({
  unread: BooleanQuery.optional(),
  page: Page,
});
export const NotificationSchema = z.object({
  id: Id,
  kind: z.string(),
  subject: z.string(),
  /** A path inside the app. */
  link: z.string(),
  readAt: Iso.nullable(),
  createdAt: Iso,
});
export type Notification = z.infer<typeof NotificationSchema>;
export const NotificationListSchema = z.object({
  items: z.array(NotificationSchema),
  unread: z.number().int(),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export type NotificationList = z.infer<typeof NotificationListSchema>;
export const NotificationReadSchema = z
  .strictObject({
    ids: z.array(Id).min(1).max(100).optional(),
    all: z.literal(true).optional(),
  })
  .refine((v) => !v.ids !== !v.all, { message: 'Mark some notifications, or all of them.', path: ['ids'] });
export const NotificationReadResultSchema = z.object({ unread: z.number().int() });
export const NotificationPreferencesSchema = z.strictObject({
  /** Also send each notification by e-mail. */
  email: z.boolean({ error: 'Choose whether to receive e-mails.' }),
  /** Co-chairs: the weekly digest of overdue concerns and stale actions. */
  weeklyDigest: z.boolean({ error: 'Choose whether to receive the weekly digest.' }),
});
export type NotificationPreferences = z.infer<typeof NotificationPreferencesSchema>;
