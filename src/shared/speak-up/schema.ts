import { z } from 'zod';
import { ReceiptCode } from '../receipt';

export { ReceiptCode };

/**
 * Speak-up: reports of racial harassment or discrimination, anonymous (receipt code) or named,
 * their handling by the school's case handlers, and suppressed aggregate statistics.
 * Isomorphic: used by the server routes and the web forms alike.
 */

/** Limits shared by the forms and the server. */
export const SpeakUpLimits = {
  whatHappenedMax: 20_000,
  effectMax: 5_000,
  namesMax: 2_000,
  otherRoleMax: 200,
  placeMax: 300,
  whenNoteMax: 500,
  messageMax: 10_000,
  outcomeNoteMax: 5_000,
  escalationTextMax: 5_000,
  providerNameMax: 200,
  contactTextMax: 1_000,
  casesPageSize: 25,
} as const;

/** Working days a case handler has to acknowledge a report, and to respond, by default. */
export const ACKNOWLEDGE_WORKING_DAYS = 2;
export const RESPOND_WORKING_DAYS = 10;

// ---- vocabularies ---------------------------------------------------------------------------------

export const ReportStatus = z.enum(['received', 'acknowledged', 'assessing', 'action', 'closed']);
export type ReportStatus = z.infer<typeof ReportStatus>;
export const ActionKind = z.enum([
  'informal_resolution',
  'formal_complaint',
  'escalated_to_provider',
  'support_only',
]);
export type ActionKind = z.infer<typeof ActionKind>;
/** How a case ended: plaintext, because the statistics count it. The handler's own words are sealed. */
export const CaseOutcome = z.enum([
  'resolved_informally',
  'complaint_upheld',
  'complaint_partly_upheld',
  'complaint_not_upheld',
  'provider_took_action',
  'support_provided',
  'recorded_no_further_action',
  'withdrawn_by_reporter',
]);
export type CaseOutcome = z.infer<typeof CaseOutcome>;
export const Setting = z.enum(['campus', 'placement']);
export const InvolvedRole = z.enum(['consultant', 'nurse', 'patient', 'relative', 'fellow_student', 'other']);
export type InvolvedRole = z.infer<typeof InvolvedRole>;
export const Involvement = z.enum(['directed_at_me', 'witnessed']);
export const OutcomeWanted = z.enum(['record_only', 'support', 'informal_resolution', 'formal_complaint']);
export const SupportContactKind = z.enum([
  'wellbeing',
  'chaplaincy',
  'bma',
  'ftsu_guardian',
  'police_hate_crime',
  'other',
]);

/** ONS 2021 ethnic groups (England and Wales, 19 categories), and "prefer not to say". */
export const Ethnicity = z.enum([
  'asian_bangladeshi',
  'asian_chinese',
  'asian_indian',
  'asian_pakistani',
  'asian_other',
  'black_african',
  'black_caribbean',
  'black_other',
  'mixed_white_asian',
  'mixed_white_black_african',
  'mixed_white_black_caribbean',
  'mixed_other',
  'white_british',
  'white_irish',
  'white_gypsy_or_irish_traveller',
  'white_roma',
  'white_other',
  'other_arab',
  'other_any',
  'prefer_not_to_say',
]);
/** ONS 2021 religion question, and "prefer not to say". */
export const Religion = z.enum([
  'no_religion',
  'christian',
  'buddhist',
  'hindu',
  'jewish',
  'muslim',
  'sikh',
  'other',
  'prefer_not_to_say',
]);

// ---- small pieces ---------------------------------------------------------------------------------

/** Optional free text: trimmed, and blank counts as not given. */
const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label}: use at most ${max.toLocaleString('en-GB')} characters.`)
    .transform((v) => (v ? v : undefined))
    .optional();

/** A calendar date, `YYYY-MM-DD`, not later than tomorrow (time zones differ; the future is refused). */
export const IncidentDate = z.iso
  .date({ message: 'Enter a date like 2026-03-14.' })
  .refine((d) => d <= new Date(Date.now() + 36 * 3600_000).toISOString().slice(0, 10), {
    message: 'That date is in the future.',
  })
  .refine((d) => d >= '1990-01-01', { message: 'That date is too far in the past.' });

export const ReportWhen = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('date'), date: IncidentDate }),
    z
      .strictObject({ kind: z.literal('range'), from: IncidentDate, to: IncidentDate })
      .refine((w) => w.from <= w.to, { message: 'The range must end after it starts.', path: ['to'] }),
    z.strictObject({
      kind: z.literal('not_sure'),
      note: optionalText(SpeakUpLimits.whenNoteMax, 'When'),
    }),
  ],
  { error: 'Say when it happened: a date, a range of dates, or “not sure”.' },
);
export type ReportWhen = z.infer<typeof ReportWhen>;

export const ReportWhere = z.discriminatedUnion(
  'setting',
  [
    z.strictObject({
      setting: z.literal('campus'),
      location: z
        .string()
        .trim()
        .min(1, 'Say where on campus it happened (a building or room is enough).')
        .max(SpeakUpLimits.placeMax, `Use at most ${SpeakUpLimits.placeMax} characters.`),
    }),
    z
      .strictObject({
        setting: z.literal('placement'),
        /** A provider from the institution's list, or null with `providerOther` filled in. */
        providerId: z
          .uuid({ message: 'Choose a placement provider from the list.' })
          .nullable()
          .default(null),
        providerOther: optionalText(SpeakUpLimits.providerNameMax, 'Placement provider'),
        site: optionalText(SpeakUpLimits.placeMax, 'Site'),
        department: optionalText(SpeakUpLimits.placeMax, 'Department or ward'),
      })
      .refine((w) => (w.providerId === null) !== (w.providerOther === undefined), {
        message: 'Choose the placement provider from the list, or type its name if it is not listed.',
        path: ['providerId'],
      }),
  ],
  { error: 'Say whether it happened on campus or on placement.' },
);
export type ReportWhere = z.infer<typeof ReportWhere>;

export const ReportWho = z.strictObject({
  roles: z
    .array(InvolvedRole, { error: 'Choose at least one role.' })
    .min(1, 'Choose the role of at least one person involved (“other” is fine).')
    .max(InvolvedRole.options.length)
    .transform((roles) => [...new Set(roles)].sort()),
  otherRole: optionalText(SpeakUpLimits.otherRoleMax, 'Other role'),
  /** Never required: names help a case handler act, but a report without them still counts. */
  names: optionalText(SpeakUpLimits.namesMax, 'Names'),
});
export type ReportWho = z.infer<typeof ReportWho>;

/**
 * Matching escrow (optional, for signed-in members of the school): "only act on this if someone
 * else reports the same person". The report is held, unseen by case handlers; when another person
 * names the same person, or the same site, role and month, a case handler reviews both and
 * decides. Reporters are never told whether anything matched. Only keyed hashes are stored.
 */
/** What happens to a report held in matching escrow when the hold ends without a match. */
export const MatchingOnExpiry = z.enum(['release', 'delete']);
export type MatchingOnExpiry = z.infer<typeof MatchingOnExpiry>;
/** How long a report is held in matching escrow by default (SPEAK_UP_MATCHING_HOLD_MONTHS). */
export const MATCHING_HOLD_MONTHS = 12;

export const ReportMatching = z
  .strictObject({
    /** The person's name, as the reporter knows it (titles, case and accents do not matter). */
    person: z.string().trim().min(2, 'Give at least two letters of the name.').max(200).optional(),
    context: z
      .strictObject({
        site: z.string().trim().min(2, 'Name the site or ward.').max(SpeakUpLimits.placeMax),
        role: InvolvedRole,
        month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Give the month as YYYY-MM.'),
      })
      .optional(),
    /** If nobody else reports the same person while it is held: pass it on anyway, or delete it. */
    onExpiry: MatchingOnExpiry.default('delete'),
  })
  .refine((m) => m.person !== undefined || m.context !== undefined, {
    message: 'Name the person, or give the site, role and month.',
    path: ['person'],
  });
export type ReportMatching = z.infer<typeof ReportMatching>;

export const EqualityData = z.strictObject({
  ethnicity: Ethnicity.optional(),
  religion: Religion.optional(),
});

export const ReportSubmissionSchema = z.strictObject({
  institutionId: z.uuid({ message: 'Choose your medical school.' }),
  when: ReportWhen,
  where: ReportWhere,
  who: ReportWho,
  involvement: Involvement,
  whatHappened: z
    .string({ error: 'Tell us what happened.' })
    .trim()
    .min(1, 'Tell us what happened, in your own words.')
    .max(
      SpeakUpLimits.whatHappenedMax,
      `Use at most ${SpeakUpLimits.whatHappenedMax.toLocaleString('en-GB')} characters (you can add more later with your receipt code).`,
    ),
  effect: optionalText(SpeakUpLimits.effectMax, 'Effect on you'),
  outcomeWanted: OutcomeWanted,
  /** The reporter worries this could affect an assessment or sign-off (e.g. a placement grade). */
  assessmentProtection: z.boolean().default(false),
  /** Optional equality monitoring: stored apart from the report and never linkable to it. */
  equality: EqualityData.optional(),
  /** Optional: hold the report until someone else reports the same person (matching escrow). */
  matching: ReportMatching.optional(),
});
export type ReportSubmission = z.infer<typeof ReportSubmissionSchema>;

/** A named report: the same form, from a signed-in person, who may agree to be contacted. */
export const NamedReportSubmissionSchema = ReportSubmissionSchema.extend({
  consentToContact: z.boolean().default(false),
  /**
   * Made while signed in, but anonymous to the case handlers: no identity is stored with the
   * report (the account only counts distinct people in matching escrow, as a keyed hash).
   */
  anonymousToHandlers: z.boolean().default(false),
});
export type NamedReportSubmission = z.infer<typeof NamedReportSubmissionSchema>;

export const ReceiptRequestSchema = z.strictObject({ receipt: ReceiptCode });
export const MessageBody = z
  .string({ error: 'Write a message.' })
  .trim()
  .min(1, 'Write a message.')
  .max(
    SpeakUpLimits.messageMax,
    `Use at most ${SpeakUpLimits.messageMax.toLocaleString('en-GB')} characters.`,
  );
export const ReceiptMessageSchema = z.strictObject({ receipt: ReceiptCode, body: MessageBody });
export const MessageCreateSchema = z.strictObject({ body: MessageBody });

export const SubmittedSchema = z.object({
  reference: z.string(),
  /** Shown once. Whoever holds it can read the report and its messages: keep it safe. */
  receipt: z.string(),
});

// ---- what the reporter sees ---------------------------------------------------------------------

export const SupportContactSchema = z.object({
  id: z.uuid(),
  kind: SupportContactKind,
  name: z.string(),
  description: z.string(),
  phone: z.string().nullable(),
  url: z.string().nullable(),
  /** Help at any hour (999/111, an out-of-hours line). */
  urgent: z.boolean(),
});
export const PlacementProviderSchema = z.object({ id: z.uuid(), name: z.string() });

export const SubmissionViewSchema = z.object({
  when: ReportWhen,
  where: z.object({
    setting: Setting,
    location: z.string().nullable(),
    providerId: z.uuid().nullable(),
    providerName: z.string().nullable(),
    site: z.string().nullable(),
    department: z.string().nullable(),
  }),
  who: z.object({
    roles: z.array(InvolvedRole),
    otherRole: z.string().nullable(),
    names: z.string().nullable(),
  }),
  involvement: Involvement,
  whatHappened: z.string(),
  effect: z.string().nullable(),
  outcomeWanted: OutcomeWanted,
  assessmentProtection: z.boolean(),
});
export type SubmissionView = z.infer<typeof SubmissionViewSchema>;

export const ReporterMessageSchema = z.object({
  id: z.uuid(),
  /** Case handlers are not named to an anonymous reporter. `system`: written by Upstander itself. */
  author: z.enum(['reporter', 'handler', 'system']),
  body: z.string(),
  createdAt: z.iso.datetime(),
});

export const ReporterViewSchema = z.object({
  reference: z.string(),
  status: ReportStatus,
  receivedAt: z.iso.datetime(),
  acknowledgedAt: z.iso.datetime().nullable(),
  closedAt: z.iso.datetime().nullable(),
  outcome: CaseOutcome.nullable(),
  submission: SubmissionViewSchema,
  messages: z.array(ReporterMessageSchema),
  supportContacts: z.array(SupportContactSchema),
  /**
   * While held in matching escrow: until when, and what happens then if nobody else reports the
   * same person. The same whether or not anything matched: reporters are never told that.
   */
  hold: z.object({ until: z.iso.datetime(), onExpiry: MatchingOnExpiry }).nullable().optional(),
});

export const DeletedSchema = z.object({ deleted: z.literal(true), reference: z.string() });

export const MyReportSchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  status: ReportStatus,
  receivedAt: z.iso.datetime(),
  /** Held in matching escrow, as its reporter asked (the same whether or not anything matched). */
  held: z.boolean().optional(),
  /** When a case handler or Upstander last wrote to you, if ever. */
  lastReplyAt: z.iso.datetime().nullable().optional(),
});

// ---- case handling --------------------------------------------------------------------------------

const BooleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const CaseQuerySchema = z.strictObject({
  status: ReportStatus.optional(),
  overdue: BooleanQuery.optional(),
  assigned: z.enum(['me', 'unassigned', 'anyone']).default('anyone'),
  institutionId: z.uuid().optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

export const OverdueSchema = z.object({
  /** Not acknowledged, and the acknowledgement deadline has passed. */
  acknowledgement: z.boolean(),
  /** No action or closure yet, and the response deadline has passed. */
  response: z.boolean(),
});

export const CaseSummarySchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  institutionId: z.uuid(),
  status: ReportStatus,
  anonymous: z.boolean(),
  setting: Setting,
  outcomeWanted: OutcomeWanted,
  assessmentProtection: z.boolean(),
  receivedAt: z.iso.datetime(),
  acknowledgeDueAt: z.iso.datetime(),
  respondDueAt: z.iso.datetime(),
  assignedHandler: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  lastReporterMessageAt: z.iso.datetime().nullable(),
  /** The reporter asked for deletion: the content is gone, the record of the case remains. */
  deletedByReporter: z.boolean(),
  overdue: OverdueSchema,
  /**
   * Held in matching escrow, and another person's live entry matches it: a case handler reads it
   * and decides whether to release it (its reporter is not told of the match).
   */
  matchedInEscrow: z.boolean().optional(),
});

export const CaseListSchema = z.object({
  items: z.array(CaseSummarySchema),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
});

export const CaseMessageSchema = z.object({
  id: z.uuid(),
  /** `system`: written by Upstander itself (a matching-escrow release), not by a handler. */
  author: z.enum(['reporter', 'handler', 'system']),
  internal: z.boolean(),
  handler: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  body: z.string(),
  createdAt: z.iso.datetime(),
});

export const EscalationSchema = z.object({
  id: z.uuid(),
  providerId: z.uuid().nullable(),
  providerName: z.string().nullable(),
  contactRole: z.string(),
  contactName: z.string().nullable(),
  shared: z.string(),
  responseDueOn: z.iso.date(),
  createdAt: z.iso.datetime(),
  createdBy: z.object({ id: z.uuid(), name: z.string() }).nullable(),
});

export const CaseDetailSchema = CaseSummarySchema.extend({
  actionKind: ActionKind.nullable(),
  outcome: CaseOutcome.nullable(),
  outcomeNote: z.string().nullable(),
  acknowledgedAt: z.iso.datetime().nullable(),
  assessingAt: z.iso.datetime().nullable(),
  actionAt: z.iso.datetime().nullable(),
  closedAt: z.iso.datetime().nullable(),
  /** Null once the reporter has deleted the report. */
  submission: SubmissionViewSchema.nullable(),
  /** Named reports only; null for anonymous ones. */
  reporter: z.object({ name: z.string(), email: z.string(), consentToContact: z.boolean() }).nullable(),
  messages: z.array(CaseMessageSchema),
  escalations: z.array(EscalationSchema),
  /** The statuses this case may move to next. */
  nextStatuses: z.array(ReportStatus),
  /** While held in matching escrow: the other held or released reports that match it. */
  escrowMatches: z.array(z.object({ id: z.uuid(), reference: z.string() })).optional(),
  /**
   * The school's case handlers, for assigning and for marking a conflict of interest: `named` in
   * the report, `declared` (marked by themselves or a colleague), or null (may be assigned).
   */
  handlers: z
    .array(z.object({ id: z.uuid(), name: z.string(), conflict: z.enum(['named', 'declared']).nullable() }))
    .optional(),
});

export const AssignSchema = z.strictObject({ handlerId: z.uuid().nullable() });
export const TransitionSchema = z
  .strictObject({
    to: ReportStatus,
    actionKind: ActionKind.optional(),
    outcome: CaseOutcome.optional(),
    outcomeNote: optionalText(SpeakUpLimits.outcomeNoteMax, 'Outcome note'),
  })
  .refine((t) => t.to !== 'action' || t.actionKind !== undefined, {
    message: 'Say what kind of action is being taken.',
    path: ['actionKind'],
  })
  .refine((t) => t.to !== 'closed' || t.outcome !== undefined, {
    message: 'Record the outcome before closing the case.',
    path: ['outcome'],
  });
export type Transition = z.infer<typeof TransitionSchema>;

export const EscalationCreateSchema = z.strictObject({
  /** The provider from the institution's list (null: the formal complaints process, or unlisted). */
  providerId: z.uuid().nullable().default(null),
  contactRole: z
    .string()
    .trim()
    .min(1, 'Say who at the provider it went to (their role, e.g. “Director of Medical Education”).')
    .max(SpeakUpLimits.placeMax),
  contactName: optionalText(SpeakUpLimits.placeMax, 'Contact name'),
  shared: z
    .string()
    .trim()
    .min(1, 'Record what was shared.')
    .max(SpeakUpLimits.escalationTextMax, `Use at most ${SpeakUpLimits.escalationTextMax} characters.`),
  /** Only what the reporter agreed to share may be shared. */
  consent: z.literal(true, { error: 'Confirm the reporter agreed to what was shared.' }),
  responseDueOn: z.iso.date({ message: 'Enter the date a response is due, like 2026-04-30.' }),
});

export const ConflictCreateSchema = z.strictObject({ handlerId: z.uuid() });

// ---- support contacts and providers (administration) -------------------------------------------

/** One line of plain text: no line breaks or other control characters. */
const oneLine = (max: number, empty: string) =>
  z
    .string()
    .trim()
    .min(1, empty)
    .max(max, `Use at most ${max} characters.`)
    .regex(/^[^\p{Cc}\u2028\u2029]*$/u, 'Use one line of plain text.');

export const SupportContactCreateSchema = z.strictObject({
  kind: SupportContactKind,
  name: oneLine(SpeakUpLimits.providerNameMax, 'Enter a name.'),
  description: z.string().trim().max(SpeakUpLimits.contactTextMax).default(''),
  phone: z
    .string()
    .trim()
    .max(40, 'Use at most 40 characters.')
    .regex(/^\+?[0-9][0-9 ()-]*$/, 'Enter a telephone number in digits, e.g. 0116 252 2522 or 999.')
    .nullable()
    .default(null),
  url: z
    .url({ protocol: /^https?$/, message: 'Enter a web address starting https://' })
    .max(500)
    .nullable()
    .default(null),
  /** Help at any hour (999/111, the university's out-of-hours line). */
  urgent: z.boolean().default(false),
});
export const SupportContactUpdateSchema = SupportContactCreateSchema;
export const PlacementProviderCreateSchema = z.strictObject({
  name: oneLine(SpeakUpLimits.providerNameMax, 'Enter the provider’s name.'),
});
export const PlacementProviderUpdateSchema = PlacementProviderCreateSchema;

/** A new order for a school's contacts or providers: every current (not retired) one, once. */
export const DirectoryOrderSchema = z.strictObject({
  ids: z.array(z.uuid()).min(1).max(500),
});
export const NoPlacementProvidersSchema = z.strictObject({ noPlacementProviders: z.boolean() });

export const SupportContactAdminSchema = SupportContactSchema.extend({
  retiredAt: z.iso.datetime().nullable(),
});
export const PlacementProviderAdminSchema = PlacementProviderSchema.extend({
  retiredAt: z.iso.datetime().nullable(),
});
/** What the admin sees of a school's signposting: current ones in order, then retired ones. */
export const DirectoryAdminSchema = z.object({
  supportContacts: z.array(SupportContactAdminSchema),
  placementProviders: z.array(PlacementProviderAdminSchema),
  noPlacementProviders: z.boolean(),
});

/**
 * Whether a school takes reports. Open only when someone can read them (a case handler with
 * two-factor authentication), reporters can be pointed to help (a support contact, one of them
 * urgent), and the form can name where placements happen (providers, or "we have none").
 */
export const ReadinessSchema = z.object({
  open: z.boolean(),
  caseHandler: z.boolean(),
  supportContact: z.boolean(),
  urgentContact: z.boolean(),
  placementProviders: z.boolean(),
});
/** The admin's set-up checklist for a school: each step ticks itself when what it asks for exists. */
export const SetUpChecklistSchema = z.object({
  /** Whether the school takes reports (the speak-up steps are all done). */
  open: z.boolean(),
  steps: z.array(z.object({ key: z.string(), label: z.string(), done: z.boolean(), href: z.string() })),
});
/** What a reporter sees of it: only whether reports are taken. */
export const ReportingStatusSchema = z.object({ open: z.boolean() });

// ---- statistics -----------------------------------------------------------------------------------

export const StatisticsQuerySchema = z.strictObject({
  /** Academic year by its first calendar year: 2025 = August 2025 to July 2026. */
  year: z.coerce.number().int().min(2000).max(2100).optional(),
});

/** One published count: rounded (HESA), or suppressed. */
export const StatCellSchema = z.object({
  /** The rounded count; null when suppressed. */
  value: z.number().int().nullable(),
  /** What to print: "15", "0", "fewer than 5" (a small count) or ".." (suppressed to protect another cell). */
  display: z.string(),
  suppressed: z.boolean(),
});
export const StatRowSchema = z.object({ key: z.string(), label: z.string(), count: StatCellSchema });
export const StatAverageSchema = z.object({
  /** Days, to one decimal place; null when based on 7 or fewer cases. */
  value: z.number().nullable(),
  display: z.string(),
  suppressed: z.boolean(),
});
export const StatisticsSchema = z.object({
  institutionId: z.uuid(),
  academicYear: z.number().int(),
  /** Complete months only: the months covered, `YYYY-MM`; empty before the first month ends. */
  months: z.array(z.string()),
  total: StatCellSchema,
  byMonth: z.array(StatRowSchema),
  bySetting: z.array(StatRowSchema),
  byProvider: z.array(StatRowSchema),
  byOutcome: z.array(StatRowSchema),
  byActionKind: z.array(StatRowSchema),
  medianDaysToAcknowledge: StatAverageSchema,
  medianDaysToClose: StatAverageSchema,
  method: z.string(),
});
export type Statistics = z.infer<typeof StatisticsSchema>;
