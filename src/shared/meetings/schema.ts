import { IANAZone } from 'luxon';
import { z } from 'zod';
import {
  ActionUpdatePostSchema,
  NewActionInlineSchema,
  NotTakenForwardReason,
  TriageSchema,
} from '../concerns/schema';

/**
 * Meetings: availability polls, recurring series, blocks, meetings with agenda and minutes,
 * calendar feeds and attendance statistics. Isomorphic: used by the server routes and the web
 * forms alike.
 *
 * Times: requests give wall-clock times (`YYYY-MM-DDTHH:mm`) in a named IANA zone; the server
 * stores UTC. Responses give both the UTC instant (`startsAt`, ISO 8601) and the wall-clock time
 * in the meeting's zone (`startsLocal`), so the web never converts with the browser's zone.
 */

export const MeetingLimits = {
  titleMax: 200,
  descriptionMax: 4000,
  placeMax: 200,
  urlMax: 500,
  slotsMax: 60,
  requiredMax: 20,
  notesMax: 20_000,
  agendaItemsMax: 100,
  attendanceMax: 2000,
  answerMax: 4000,
} as const;

const Id = z.uuid({ message: 'Not a valid identifier.' });

export const MembershipKindSchema = z.enum(['student', 'staff', 'alumnus']);
export const PollAnswerSchema = z.enum(['yes', 'if_need_be', 'no'], {
  message: 'Answer yes, if need be, or no.',
});
export type PollAnswer = z.infer<typeof PollAnswerSchema>;

/** An IANA time zone such as Europe/London (checked with luxon: the same list as the server's). */
export const TimeZoneSchema = z
  .string()
  .trim()
  .min(1, 'Choose a time zone.')
  .max(64)
  .refine((zone) => IANAZone.isValidZone(zone), {
    message: 'Choose a time zone from the list, such as Europe/London.',
  });

/** A wall-clock time in the poll's or meeting's own zone, e.g. 2027-01-13T17:30. */
export const LocalDateTimeSchema = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'Enter a date and time like 2027-01-13T17:30.');
/** A calendar date, e.g. 2027-01-13. */
export const LocalDateSchema = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter a date like 2027-01-13.')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), { message: 'That date does not exist.' });
/** A time of day, e.g. 17:30. */
export const LocalTimeSchema = z
  .string()
  .trim()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Enter a time like 17:30.');

const Title = z
  .string()
  .trim()
  .min(1, 'Enter a title.')
  .max(MeetingLimits.titleMax, `Use at most ${MeetingLimits.titleMax} characters.`);
const Place = z
  .string()
  .trim()
  .max(MeetingLimits.placeMax, `Use at most ${MeetingLimits.placeMax} characters.`)
  .transform((v) => (v === '' ? null : v))
  .nullable()
  .optional();
const OnlineUrl = z
  .string()
  .trim()
  .max(MeetingLimits.urlMax, `Use at most ${MeetingLimits.urlMax} characters.`)
  .transform((v) => (v === '' ? null : v))
  .pipe(z.url({ protocol: /^https$/, message: 'Enter a link that starts with https://.' }).nullable())
  .nullable()
  .optional();
const Duration = z
  .number({ message: 'Enter the length in minutes.' })
  .int('Enter whole minutes.')
  .min(5, 'A meeting lasts at least 5 minutes.')
  .max(1440, 'A meeting lasts at most 24 hours (1440 minutes).');

// ---- polls ------------------------------------------------------------------------------------

/** How much one answer counts per membership kind. Default: a student's counts three times. */
export const KindWeightsSchema = z.object({
  student: z.number().min(0, 'Weights are 0 or more.').max(10, 'Weights are at most 10.').default(3),
  staff: z.number().min(0, 'Weights are 0 or more.').max(10, 'Weights are at most 10.').default(1),
  alumnus: z.number().min(0, 'Weights are 0 or more.').max(10, 'Weights are at most 10.').default(1),
});
export type KindWeightsInput = z.infer<typeof KindWeightsSchema>;
export const DEFAULT_WEIGHTS = { student: 3, staff: 1, alumnus: 1 } as const;

export const SlotInputSchema = z.object({
  /** Wall-clock start in the poll's zone. */
  startsLocal: LocalDateTimeSchema,
  durationMinutes: Duration,
  place: Place,
  onlineUrl: OnlineUrl,
});
export type SlotInput = z.infer<typeof SlotInputSchema>;

/** Body of POST /api/networks/:networkId/polls (the network is in the URL). */
export const PollCreateSchema = z.object({
  title: Title,
  description: z.string().trim().max(MeetingLimits.descriptionMax).default(''),
  timeZone: TimeZoneSchema,
  slots: z
    .array(SlotInputSchema)
    .min(1, 'Propose at least one time.')
    .max(MeetingLimits.slotsMax, `Propose at most ${MeetingLimits.slotsMax} times.`),
  /** Wall-clock time in the poll's zone after which answers close. */
  deadline: LocalDateTimeSchema.nullable().optional(),
  weights: KindWeightsSchema.default(DEFAULT_WEIGHTS),
  minStudents: z.number().int().min(0, 'Use 0 or more.').max(1000).default(0),
  /** People who must be able to come (e.g. the student co-chair); members of the network. */
  requiredUserIds: z
    .array(Id)
    .max(MeetingLimits.requiredMax, `Choose at most ${MeetingLimits.requiredMax} people.`)
    .default([]),
  /** A poll for a new monthly series (the confirmed slot's weekday and time become the rule). */
  forSeries: z.boolean().default(false),
});
export type PollCreate = z.input<typeof PollCreateSchema>;

export const PollStatusSchema = z.enum(['open', 'closed', 'confirmed', 'cancelled']);

export const PollSlotSchema = z.object({
  id: Id,
  /** UTC instant. */
  startsAt: z.iso.datetime(),
  /** Wall-clock start and end in the poll's zone, `YYYY-MM-DDTHH:mm`. */
  startsLocal: z.string(),
  endsLocal: z.string(),
  durationMinutes: z.number().int(),
  place: z.string().nullable(),
  onlineUrl: z.string().nullable(),
});

const KindCount = z.object({ yes: z.number().int(), ifNeedBe: z.number().int(), no: z.number().int() });

/** One slot's place in the ranking, with the reasons in words. */
export const SlotRankingSchema = z.object({
  slotId: Id,
  /** 1 = best. Eligible slots come first. */
  rank: z.number().int(),
  score: z.number(),
  eligible: z.boolean(),
  counts: z.object({ student: KindCount, staff: KindCount, alumnus: KindCount }),
  /** e.g. "7 students can come (5 yes, 2 if need be), 2 staff; Aisha (student co-chair) can come". */
  explanation: z.string(),
  /** Why it is not eligible, e.g. "Aisha (student co-chair) cannot come", "only 2 of 4 students". */
  problems: z.array(z.string()),
});
export type SlotRanking = z.infer<typeof SlotRankingSchema>;

export const PersonRefSchema = z.object({
  userId: Id,
  name: z.string(),
  kind: MembershipKindSchema.nullable(),
});

export const PollDetailSchema = z.object({
  id: Id,
  networkId: Id,
  networkName: z.string(),
  title: z.string(),
  description: z.string(),
  timeZone: z.string(),
  status: PollStatusSchema,
  deadlineAt: z.iso.datetime().nullable(),
  deadlineLocal: z.string().nullable(),
  weights: z.object({ student: z.number(), staff: z.number(), alumnus: z.number() }),
  minStudents: z.number().int(),
  forSeries: z.boolean(),
  requiredPeople: z.array(PersonRefSchema),
  slots: z.array(PollSlotSchema),
  /** The viewer's own answers (slots they have not answered are absent). */
  myAnswers: z.array(z.object({ slotId: Id, answer: PollAnswerSchema })),
  /** May the viewer answer (a member, and the poll is open)? */
  canAnswer: z.boolean(),
  /** May the viewer confirm, close, remind (a lead of the network, or an admin)? */
  canManage: z.boolean(),
  /** Best first. */
  ranking: z.array(SlotRankingSchema),
  respondents: z.number().int(),
  members: z.number().int(),
  /** Leads only (null for others): members who have not answered yet. */
  notAnswered: z.array(PersonRefSchema).nullable(),
  confirmedSlotId: Id.nullable(),
  meetingId: Id.nullable(),
  remindedAt: z.iso.datetime().nullable(),
});
export type PollDetail = z.infer<typeof PollDetailSchema>;

export const PollSummarySchema = z.object({
  id: Id,
  title: z.string(),
  status: PollStatusSchema,
  timeZone: z.string(),
  deadlineAt: z.iso.datetime().nullable(),
  slotCount: z.number().int(),
  respondents: z.number().int(),
  answeredByMe: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type PollSummary = z.infer<typeof PollSummarySchema>;

/** Body of PUT /api/polls/:id/answers: every answer in one request (replaces the viewer's answers). */
export const AnswerSubmitSchema = z.object({
  answers: z
    .array(z.object({ slotId: Id, answer: PollAnswerSchema }))
    .min(1, 'Answer at least one time.')
    .max(MeetingLimits.slotsMax),
});
export type AnswerSubmit = z.infer<typeof AnswerSubmitSchema>;

/** Body of POST /api/polls/:id/confirm. */
export const ConfirmSchema = z.object({
  slotId: Id,
  /** The meeting's title (default: the poll's). */
  title: Title.optional(),
});
export type Confirm = z.infer<typeof ConfirmSchema>;

export const RemindResultSchema = z.object({ reminded: z.number().int() });

// ---- series and blocks ------------------------------------------------------------------------

/** "Second Wednesday, 17:30": nth 1–4 or -1 (the last); weekday ISO 1 = Monday … 7 = Sunday. */
export const SeriesRuleSchema = z.object({
  freq: z.literal('monthly').default('monthly'),
  nth: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(-1)], {
    message: 'Choose first, second, third, fourth or last.',
  }),
  weekday: z.number().int().min(1, 'Choose a weekday.').max(7, 'Choose a weekday.'),
  time: LocalTimeSchema,
});

export const SeriesCreateSchema = z
  .object({
    title: Title,
    rule: SeriesRuleSchema,
    timeZone: TimeZoneSchema,
    durationMinutes: Duration,
    place: Place,
    onlineUrl: OnlineUrl,
    startsOn: LocalDateSchema,
    endsOn: LocalDateSchema.nullable().optional(),
    /** Year groups whose exam and placement blocks the series skips (blocks for everyone always apply). */
    respectsBlocksFor: z.array(z.number().int().min(1).max(6)).max(6).default([]),
  })
  .refine((s) => !s.endsOn || s.endsOn >= s.startsOn, {
    path: ['endsOn'],
    message: 'The series must end on or after the day it starts.',
  });
export type SeriesCreate = z.input<typeof SeriesCreateSchema>;

export const SeriesSchema = z.object({
  id: Id,
  networkId: Id,
  title: z.string(),
  rule: z.object({
    freq: z.literal('monthly'),
    nth: z.number().int(),
    weekday: z.number().int(),
    time: z.string(),
  }),
  /** e.g. "Second Wednesday of each month, 17:30 (Europe/London)". */
  ruleText: z.string(),
  timeZone: z.string(),
  durationMinutes: z.number().int(),
  place: z.string().nullable(),
  onlineUrl: z.string().nullable(),
  startsOn: z.string(),
  endsOn: z.string().nullable(),
  respectsBlocksFor: z.array(z.number().int()),
});
export type Series = z.infer<typeof SeriesSchema>;

/** Body of POST /api/series/:id/generate. */
export const SeriesGenerateSchema = z.object({
  months: z
    .number()
    .int()
    .min(1, 'Generate at least 1 month.')
    .max(24, 'Generate at most 24 months.')
    .default(6),
});

export const BlockKindSchema = z.enum(['exam', 'placement', 'holiday', 'other']);
export const BlockCreateSchema = z
  .object({
    kind: BlockKindSchema,
    label: Title,
    /** The year group it applies to; null for everyone. */
    yearOfStudy: z.number().int().min(1).max(6).nullable().default(null),
    startsOn: LocalDateSchema,
    endsOn: LocalDateSchema,
  })
  .refine((b) => b.endsOn >= b.startsOn, {
    path: ['endsOn'],
    message: 'The block must end on or after the day it starts.',
  });
export type BlockCreate = z.input<typeof BlockCreateSchema>;

export const BlockSchema = z.object({
  id: Id,
  networkId: Id,
  kind: BlockKindSchema,
  label: z.string(),
  yearOfStudy: z.number().int().nullable(),
  startsOn: z.string(),
  endsOn: z.string(),
});

// ---- meetings ---------------------------------------------------------------------------------

export const MeetingStatusSchema = z.enum(['scheduled', 'cancelled', 'held']);
export const MinutesStatusSchema = z.enum(['none', 'draft', 'published']);

export const MeetingSummarySchema = z.object({
  id: Id,
  networkId: Id,
  title: z.string(),
  startsAt: z.iso.datetime(),
  startsLocal: z.string(),
  endsLocal: z.string(),
  timeZone: z.string(),
  durationMinutes: z.number().int(),
  place: z.string().nullable(),
  onlineUrl: z.string().nullable(),
  status: MeetingStatusSchema,
  minutesStatus: MinutesStatusSchema,
  seriesId: Id.nullable(),
});
export type MeetingSummary = z.infer<typeof MeetingSummarySchema>;

export const MeetingListSchema = z.object({
  upcoming: z.array(MeetingSummarySchema),
  past: z.array(MeetingSummarySchema),
  canManage: z.boolean(),
});

/** Body of POST /api/networks/:networkId/meetings: one meeting, every member invited. */
export const MeetingCreateSchema = z.object({
  title: Title,
  startsLocal: LocalDateTimeSchema,
  timeZone: TimeZoneSchema,
  durationMinutes: Duration,
  place: Place,
  onlineUrl: OnlineUrl,
});
export type MeetingCreate = z.input<typeof MeetingCreateSchema>;

/** Body of PATCH /api/meetings/:id: reschedule or relocate (sends an update, SEQUENCE + 1). */
export const MeetingUpdateSchema = z
  .object({
    title: Title.optional(),
    startsLocal: LocalDateTimeSchema.optional(),
    timeZone: TimeZoneSchema.optional(),
    durationMinutes: Duration.optional(),
    place: Place,
    onlineUrl: OnlineUrl,
  })
  .refine((u) => Object.values(u).some((v) => v !== undefined), {
    message: 'Change at least one thing.',
  });
export type MeetingUpdate = z.input<typeof MeetingUpdateSchema>;

export const AgendaItemKindSchema = z.enum(['concern', 'action', 'member_item']);
export const AgendaItemSchema = z.object({
  id: Id,
  position: z.number().int(),
  kind: AgendaItemKindSchema,
  concernId: Id.nullable(),
  /** The concern's or action's number in its network (#12, A-3). */
  concernNumber: z.number().int().nullable(),
  actionId: Id.nullable(),
  actionNumber: z.number().int().nullable(),
  title: z.string(),
  /** Minutes for this item: null when the viewer may not see the minutes (draft, not a lead). */
  notes: z.string().nullable(),
  addedByName: z.string().nullable(),
});
export type AgendaItem = z.infer<typeof AgendaItemSchema>;

/** Body of POST /api/meetings/:id/agenda. Members add their own items; leads may link a concern or action. */
export const AgendaItemAddSchema = z.object({
  title: Title,
  concernId: Id.nullable().optional(),
  actionId: Id.nullable().optional(),
});
/** Body of PUT /api/meetings/:id/agenda/order: every item id of the meeting, in the new order. */
export const AgendaReorderSchema = z.object({
  itemIds: z.array(Id).min(1, 'Give the items in their new order.').max(MeetingLimits.agendaItemsMax),
});

export const AttendanceSchema = z.object({
  userId: Id,
  name: z.string(),
  /** Membership kind when the meeting was held. */
  kind: MembershipKindSchema,
  present: z.boolean(),
});

/** Body of PUT /api/meetings/:id/minutes: attendance and notes per agenda item (saves a draft). */
export const MinutesSaveSchema = z.object({
  attendance: z
    .array(z.object({ userId: Id, present: z.boolean() }))
    .max(MeetingLimits.attendanceMax)
    .default([]),
  notes: z
    .array(
      z.object({
        agendaItemId: Id,
        notes: z.string().max(MeetingLimits.notesMax, `Use at most ${MeetingLimits.notesMax} characters.`),
      }),
    )
    .max(MeetingLimits.agendaItemsMax)
    .default([]),
});
export type MinutesSave = z.input<typeof MinutesSaveSchema>;

const DecisionCommon = {
  /** The agenda item it was taken under. */
  agendaItemId: Id.nullable().optional(),
  /** How the minutes record it (default: written from the decision). */
  text: z.string().trim().max(MeetingLimits.answerMax).optional(),
};

/**
 * Body of POST /api/meetings/:id/decisions. A decision about a concern carries the concerns
 * module's triage input (`answer`, and `existingActionId` or `newAction` when accepted, `reason`
 * when not taken forward; the status follows from `kind`); an action update carries its update.
 * They are applied to the concern or action in the same transaction as the decision.
 */
export const DecisionCreateSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.object({
        kind: z.literal('concern_accepted'),
        concernId: Id,
        answer: TriageSchema.shape.answer,
        /** Join an existing action of the network… */
        existingActionId: Id.optional(),
        /** …or start a new one. */
        newAction: NewActionInlineSchema.optional(),
        ...DecisionCommon,
      }),
      z.object({
        kind: z.literal('concern_answered'),
        concernId: Id,
        answer: TriageSchema.shape.answer,
        ...DecisionCommon,
      }),
      z.object({
        kind: z.literal('concern_not_taken_forward'),
        concernId: Id,
        answer: TriageSchema.shape.answer,
        reason: NotTakenForwardReason,
        ...DecisionCommon,
      }),
      z.object({
        kind: z.literal('action_update'),
        actionId: Id,
        update: ActionUpdatePostSchema,
        ...DecisionCommon,
      }),
      z.object({
        kind: z.literal('other'),
        agendaItemId: Id.nullable().optional(),
        text: z.string().trim().min(1, 'Write the decision.').max(MeetingLimits.answerMax),
      }),
    ],
    { error: 'Choose what kind of decision this is.' },
  )
  .superRefine((d, ctx) => {
    if (d.kind === 'concern_accepted' && !d.existingActionId === !d.newAction) {
      ctx.addIssue({
        code: 'custom',
        path: ['existingActionId'],
        message: 'To accept it, choose an existing action or describe a new one (not both).',
      });
    }
  });
export type DecisionCreate = z.input<typeof DecisionCreateSchema>;
export type DecisionInput = z.output<typeof DecisionCreateSchema>;

export const DecisionKindSchema = z.enum([
  'concern_accepted',
  'concern_answered',
  'concern_not_taken_forward',
  'action_update',
  'other',
]);
export const DecisionSchema = z.object({
  id: Id,
  kind: DecisionKindSchema,
  agendaItemId: Id.nullable(),
  concernId: Id.nullable(),
  concernNumber: z.number().int().nullable(),
  actionId: Id.nullable(),
  actionNumber: z.number().int().nullable(),
  text: z.string(),
  createdAt: z.iso.datetime(),
});
export type Decision = z.infer<typeof DecisionSchema>;

/** Body of POST /api/meetings/:id/action-items. */
export const ActionItemCreateSchema = z.object({
  title: Title,
  /** A member of the network. */
  ownerId: Id,
  dueOn: LocalDateSchema,
  actionId: Id.nullable().optional(),
});
export const ActionItemSchema = z.object({
  id: Id,
  title: z.string(),
  ownerId: Id.nullable(),
  ownerName: z.string().nullable(),
  dueOn: z.string(),
  actionId: Id.nullable(),
  doneAt: z.iso.datetime().nullable(),
});
export type ActionItem = z.infer<typeof ActionItemSchema>;

export const MinutesSchema = z.object({
  status: MinutesStatusSchema,
  publishedAt: z.iso.datetime().nullable(),
  attendance: z.array(AttendanceSchema),
  decisions: z.array(DecisionSchema),
  actionItems: z.array(ActionItemSchema),
});

export const MeetingDetailSchema = MeetingSummarySchema.extend({
  networkName: z.string(),
  pollId: Id.nullable(),
  sequence: z.number().int(),
  /** Leads of the network and admins: reschedule, cancel, minutes. */
  canManage: z.boolean(),
  /** Members (and leads) may add agenda items while the meeting is scheduled. */
  canAddAgendaItem: z.boolean(),
  invitedCount: z.number().int(),
  agenda: z.array(AgendaItemSchema),
  /** Null when the viewer may not see them (a draft, and not a lead). */
  minutes: MinutesSchema.nullable(),
});
export type MeetingDetail = z.infer<typeof MeetingDetailSchema>;

// ---- calendars --------------------------------------------------------------------------------

export const CalendarFeedSchema = z.object({
  id: Id,
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
});
/** The answer to creating a feed: the only time the secret address is shown. */
export const CalendarFeedCreatedSchema = CalendarFeedSchema.extend({
  /** e.g. https://upstander.example.ac.uk/api/calendar/<token>.ics (webcal:// works too). */
  url: z.string(),
});
/** The feed token in GET /api/calendar/:token.ics; anything else is simply not found. */
export const FeedTokenSchema = z.string().max(200);

// ---- statistics -------------------------------------------------------------------------------

export const AttendanceStatsSchema = z.object({
  /** Held meetings with recorded attendance, oldest first. */
  meetings: z.array(
    z.object({
      meetingId: Id,
      title: z.string(),
      startsAt: z.iso.datetime(),
      student: z.number().int(),
      staff: z.number().int(),
      alumnus: z.number().int(),
      total: z.number().int(),
    }),
  ),
  /** Every month since the network began (`YYYY-MM` in the network's zone of meetings), with meetings held. */
  perMonth: z.array(z.object({ month: z.string(), held: z.number().int() })),
});
export type AttendanceStats = z.infer<typeof AttendanceStatsSchema>;
