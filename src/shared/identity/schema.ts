import { z } from 'zod';

/** Limits shared by the forms and the server. */
export const Limits = {
  nameMax: 120,
  emailMax: 254,
  passwordMin: 12,
  passwordMax: 256,
  slugMax: 60,
  descriptionMax: 4000,
  csvMaxBytes: 2_000_000,
  csvMaxRows: 5000,
} as const;

export const Email = z
  .string()
  .trim()
  .max(Limits.emailMax, 'That e-mail address is too long.')
  .pipe(z.email({ message: 'Enter an e-mail address like name@example.ac.uk.' }))
  .transform((e) => e.toLowerCase());
export const PersonName = z
  .string()
  .trim()
  .min(1, 'Enter a name.')
  .max(Limits.nameMax, `Use at most ${Limits.nameMax} characters.`)
  // A name is one line of plain text: it is shown in pages and e-mails, never as instructions.
  .regex(/^[^\p{Cc}\p{Zl}\p{Zp}]*$/u, 'Use one line: a name cannot contain line breaks.')
  .refine((name) => !/:\/\/|\bwww\./i.test(name), 'A name cannot contain a web address.');
export const NewPassword = z
  .string()
  .min(Limits.passwordMin, `Use at least ${Limits.passwordMin} characters.`)
  .max(Limits.passwordMax, `Use at most ${Limits.passwordMax} characters.`);
export const TotpCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'Enter the 6-digit code from your authenticator app.');
export const Slug = z
  .string()
  .trim()
  .min(2, 'Use at least 2 characters.')
  .max(Limits.slugMax)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Use lower-case letters, digits and single hyphens.');
export const OneTimeTokenString = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'That link is not valid.');

export const MembershipKind = z.enum(['student', 'staff', 'alumnus']);
export const MembershipRole = z.enum(['member', 'lead']);
export const LeadTitle = z.enum(['co_chair', 'action_lead']);
export const YearOfStudy = z.number().int().min(1).max(6);

// ---- session ----------------------------------------------------------------------------------

export const SessionStage = z.enum(['signed_out', 'second_factor', 'enrol_totp', 'signed_in']);

export const MyMembershipSchema = z.object({
  networkId: z.uuid(),
  networkName: z.string(),
  networkSlug: z.string(),
  institutionId: z.uuid(),
  institutionName: z.string(),
  kind: MembershipKind,
  yearOfStudy: z.number().int().nullable(),
  role: MembershipRole,
  leadTitle: LeadTitle.nullable(),
});

export const SessionInfoSchema = z.object({
  stage: SessionStage,
  /** Send back in the X-CSRF-Token header on every mutation made with this session. */
  csrfToken: z.string().nullable(),
  user: z
    .object({
      id: z.uuid(),
      name: z.string(),
      email: z.string(),
      isAdmin: z.boolean(),
      hasTotp: z.boolean(),
      mustEnrolTotp: z.boolean(),
    })
    .nullable(),
  memberships: z.array(MyMembershipSchema),
  caseHandlerOf: z.array(z.object({ institutionId: z.uuid(), institutionName: z.string() })),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

export const SignInSchema = z.strictObject({
  email: Email,
  password: z.string().min(1, 'Enter your password.').max(Limits.passwordMax),
});
export const SecondFactorSchema = z.strictObject({ code: TotpCode });
export const TotpSetupSchema = z.object({ secret: z.string(), otpauthUrl: z.string(), qrSvg: z.string() });
export const TotpDisableSchema = z.strictObject({ code: TotpCode });
export const FirstAdminSchema = z.strictObject({
  token: OneTimeTokenString,
  name: PersonName,
  email: Email,
  password: NewPassword,
});
export const TokenCheckSchema = z.object({ valid: z.boolean() });

export const PasswordResetRequestSchema = z.strictObject({ email: Email });
export const PasswordResetCompleteSchema = z.strictObject({
  token: OneTimeTokenString,
  password: NewPassword,
});
export const PasswordChangeSchema = z.strictObject({
  currentPassword: z.string().min(1).max(Limits.passwordMax),
  newPassword: NewPassword,
});
export const ProfileUpdateSchema = z.strictObject({ name: PersonName });

// ---- invitations and cohort import --------------------------------------------------------------

export const InvitationCreateSchema = z.strictObject({
  email: Email,
  name: PersonName,
  networkId: z.uuid(),
  kind: MembershipKind,
  yearOfStudy: YearOfStudy.nullable().default(null),
});
export const InvitationViewSchema = z.object({
  email: z.string(),
  name: z.string(),
  networkName: z.string(),
  institutionName: z.string(),
  /** An account already exists for this e-mail: accepting adds the membership after sign-in. */
  accountExists: z.boolean(),
});
export const InvitationAcceptSchema = z.strictObject({
  token: OneTimeTokenString,
  name: PersonName,
  password: NewPassword,
});

export const CohortImportRequestSchema = z.strictObject({
  /** CSV text with a header row: name,email,kind,year, or a registry export's names for them */
  csv: z.string().min(1, 'The file is empty.').max(Limits.csvMaxBytes, 'The file is larger than 2 MB.'),
  /** Check every row and report, writing nothing. */
  dryRun: z.boolean().default(false),
});
export const CohortImportRowError = z.object({
  row: z.number().int(),
  field: z.string(),
  message: z.string(),
});
export const CohortImportResultSchema = z.object({
  dryRun: z.boolean(),
  rows: z.number().int(),
  /** Which of the file's columns were read as which (e.g. name ← "First name + Surname"): to confirm. */
  columns: z.array(z.object({ column: z.string(), from: z.string() })),
  /**
   * People sent an invitation (or who would be, on a dry run). Existing accounts are invited
   * too, never added: the answer is the same whether an address has an account or not.
   */
  invited: z.number().int(),
  /** Already members of this network, or already holding an unexpired invitation to it: left alone. */
  alreadyMembers: z.array(z.object({ row: z.number().int(), email: z.string() })),
  alreadyInvited: z.array(z.object({ row: z.number().int(), email: z.string() })),
});

/** An invitation to a network not yet accepted, revoked or expired (what its leads see). */
export const PendingInvitationSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  kind: MembershipKind,
  yearOfStudy: z.number().int().nullable(),
  sentAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});

// ---- networks -------------------------------------------------------------------------------------

export const NetworkSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  description: z.string(),
  institutionId: z.uuid(),
  institutionName: z.string(),
  memberCount: z.number().int(),
});
export const NetworkDetailSchema = NetworkSummarySchema.extend({
  coChairs: z.array(z.object({ name: z.string(), kind: MembershipKind })),
  viewer: z.object({ isMember: z.boolean(), isLead: z.boolean(), canManage: z.boolean() }),
});
export const NetworkMemberSchema = z.object({
  userId: z.uuid(),
  name: z.string(),
  /** Shown to leads and admins only. */
  email: z.string().nullable(),
  kind: MembershipKind,
  yearOfStudy: z.number().int().nullable(),
  role: MembershipRole,
  leadTitle: LeadTitle.nullable(),
});
export const MembershipUpdateSchema = z
  .strictObject({
    kind: MembershipKind,
    yearOfStudy: YearOfStudy.nullable(),
    role: MembershipRole,
    leadTitle: LeadTitle.nullable(),
  })
  .refine((m) => (m.kind === 'student') === (m.yearOfStudy !== null), {
    message: 'Students need a year of study; staff and alumni have none.',
    path: ['yearOfStudy'],
  })
  .refine((m) => (m.role === 'lead') === (m.leadTitle !== null), {
    message: 'Leads need a title (co-chair or action lead); members have none.',
    path: ['leadTitle'],
  });
/** A member asks the co-chairs to change their own kind (it weighs their poll answers); a co-chair makes the change. */
export const KindRequestSchema = z
  .strictObject({
    kind: MembershipKind,
    yearOfStudy: YearOfStudy.nullable().default(null),
  })
  .refine((m) => (m.kind === 'student') === (m.yearOfStudy !== null), {
    message: 'Students need a year of study; staff and alumni have none.',
    path: ['yearOfStudy'],
  });

// ---- admin ------------------------------------------------------------------------------------------

export const InstitutionSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  networkCount: z.number().int(),
});
export const InstitutionCreateSchema = z.strictObject({ name: PersonName, slug: Slug });
export const NetworkCreateSchema = z.strictObject({
  institutionId: z.uuid(),
  name: PersonName,
  slug: Slug,
  description: z.string().trim().max(Limits.descriptionMax).default(''),
});
export const NetworkUpdateSchema = z.strictObject({
  name: PersonName.optional(),
  description: z.string().trim().max(Limits.descriptionMax).optional(),
  visitorsMayRaiseConcerns: z.boolean().optional(),
});
export const AdminUserSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  isAdmin: z.boolean(),
  hasTotp: z.boolean(),
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
  caseHandlerOf: z.array(z.uuid()),
  networkCount: z.number().int(),
  /** A student in at least one network: warned about before being made an admin or case handler. */
  isStudent: z.boolean(),
});
export const AdminUserRoleFilter = z.enum(['admin', 'case_handler', 'lead', 'co_chair', 'action_lead']);
export const AdminUserQuerySchema = z.strictObject({
  q: z.string().trim().max(100).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  /** People of this school: members of its networks or its case handlers. */
  institutionId: z.uuid().optional(),
  /** Members of this network. */
  networkId: z.uuid().optional(),
  /** Within the school or network chosen, if any. */
  role: AdminUserRoleFilter.optional(),
  kind: MembershipKind.optional(),
});
export const AdminUserUpdateSchema = z.strictObject({
  isAdmin: z.boolean().optional(),
  disabled: z.boolean().optional(),
});
export const CaseHandlerGrantSchema = z.strictObject({ userId: z.uuid() });
/** A request to make someone a case handler, waiting for a second person's approval. */
export const CaseHandlerRequestSchema = z.object({
  id: z.uuid(),
  institutionId: z.uuid(),
  institutionName: z.string(),
  userId: z.uuid(),
  userName: z.string(),
  userEmail: z.string(),
  requestedByName: z.string(),
  requestedAt: z.iso.datetime(),
  /** Whether the viewer may approve or decline it (not the asker, not the person). */
  mayDecide: z.boolean(),
  /** Whether the viewer asked (and so may withdraw it). */
  mayWithdraw: z.boolean(),
});
export const OutboxMailSchema = z.object({
  id: z.uuid(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  transport: z.enum(['smtp', 'dev']),
  createdAt: z.iso.datetime(),
  sentAt: z.iso.datetime().nullable(),
});
export const AuditEventSchema = z.object({
  seq: z.number().int(),
  occurredAt: z.iso.datetime(),
  actorUserId: z.uuid().nullable(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string().nullable(),
});
export const AuditVerifySchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  headSeq: z.number().int(),
  headHash: z.string(),
  /** Events written before the chain was keyed (anchored by the first keyed event). */
  unkeyedEvents: z.number().int(),
  problems: z.array(z.object({ seq: z.number().int(), problem: z.string() })),
});

// ---- single sign-on ----------------------------------------------------------------------------------

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/**
 * The e-mail domains a provider may vouch for, typed as one line: `le.ac.uk, student.le.ac.uk`
 * (an `@` in front is ignored). At least one; a subdomain must be listed on its own.
 */
export const EmailDomains = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => [
    ...new Set(
      (Array.isArray(value) ? value : value.split(/[\s,;]+/))
        .map((d) => d.trim().toLowerCase().replace(/^@/, ''))
        .filter(Boolean),
    ),
  ])
  .pipe(
    z
      .array(z.string().regex(DOMAIN, 'Enter domains like le.ac.uk, separated by commas.'))
      .min(1, 'Enter the e-mail domain(s) this provider vouches for, e.g. le.ac.uk.')
      .max(20, 'Use at most 20 domains.'),
  );
export const SsoProviderPublicSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  institutionName: z.string(),
});
export const SsoProviderCreateSchema = z.strictObject({
  institutionId: z.uuid(),
  name: PersonName,
  issuer: z.url({ message: 'Enter the issuer URL, e.g. https://login.example.ac.uk' }).max(500),
  clientId: z.string().trim().min(1).max(500),
  clientSecret: z.string().min(1).max(2000),
  autoCreateAccounts: z.boolean().default(false),
  emailDomains: EmailDomains,
});
/** Changing the e-mail domains a provider vouches for (the rest is fixed: delete and add again). */
export const SsoProviderUpdateSchema = z.strictObject({ emailDomains: EmailDomains });
export const SsoProviderAdminSchema = z.object({
  id: z.uuid(),
  institutionId: z.uuid(),
  name: z.string(),
  issuer: z.string(),
  clientId: z.string(),
  autoCreateAccounts: z.boolean(),
  emailDomains: z.array(z.string()),
});

// ---- networks, invitations and admin: request/response shapes added with the routes ------------------

/** Accepting an invitation while signed in to the account it was sent to. */
export const InvitationAcceptSignedInSchema = z.strictObject({ token: OneTimeTokenString });
/** An admin adds an existing account to a network directly. */
export const AdminMembershipCreateSchema = z
  .strictObject({
    userId: z.uuid(),
    kind: MembershipKind,
    yearOfStudy: YearOfStudy.nullable().default(null),
    role: MembershipRole.default('member'),
    leadTitle: LeadTitle.nullable().default(null),
  })
  .refine((m) => (m.kind === 'student') === (m.yearOfStudy !== null), {
    message: 'Students need a year of study; staff and alumni have none.',
    path: ['yearOfStudy'],
  })
  .refine((m) => (m.role === 'lead') === (m.leadTitle !== null), {
    message: 'Leads need a title (co-chair or action lead); members have none.',
    path: ['leadTitle'],
  });
export const AdminUserListSchema = z.object({
  users: z.array(AdminUserSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
/** The newest audit event's link: keep it outside Upstander and check the chain against it later. */
export const AuditHeadSchema = z.object({
  seq: z.number().int(),
  hash: z.string(),
  occurredAt: z.iso.datetime().nullable(),
});
export const AuditVerifyQuerySchema = z.strictObject({
  /** A head hash kept elsewhere earlier: the check fails when it is no longer in the chain. */
  expectHead: z
    .string()
    .trim()
    .regex(/^(hmac-sha256:)?[0-9a-f]{64}$/, 'Paste a head hash exactly as Upstander showed it.')
    .optional(),
});
export const AuditQuerySchema = z.strictObject({
  /** Events older than this sequence number (the `seq` of the last event of the previous page). */
  before: z.coerce.number().int().min(1).optional(),
});

// ---- account: profile (account.routes.ts) -------------------------------------------------------------

/** The signed-in person's own account, as the profile page shows it. */
export const ProfileSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  hasTotp: z.boolean(),
  isAdmin: z.boolean(),
  /** False for accounts that only sign in by SSO: the page offers "set a password" by reset link. */
  hasPassword: z.boolean(),
  memberships: z.array(MyMembershipSchema),
});
export type Profile = z.infer<typeof ProfileSchema>;
