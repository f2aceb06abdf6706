import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** argon2id PHC string; null for accounts that only sign in by SSO. */
    passwordHash: text('password_hash'),
    /** TOTP secret sealed with the master key (see platform/crypto). */
    totpSecretSealed: text('totp_secret_sealed'),
    totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true, mode: 'date' }),
    /** Last accepted TOTP time step: a code is never accepted twice. */
    totpLastStep: integer('totp_last_step'),
    isAdmin: boolean('is_admin').notNull().default(false),
    disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('users_email_lower_key').on(sql`lower(${t.email})`),
    check('users_email_shape', sql`position('@' in ${t.email}) > 1`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie token: a database copy cannot be replayed as a session. */
    idHash: text('id_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    authMethod: text('auth_method', { enum: ['password', 'sso', 'invitation', 'setup', 'reset'] }).notNull(),
    /** When the second factor was given; null while a TOTP code is still owed. */
    secondFactorAt: timestamp('second_factor_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** One-time tokens: first-admin setup, invitations, password resets. Stored only as hashes. */
export const oneTimeTokens = pgTable(
  'one_time_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    purpose: text('purpose', { enum: ['setup', 'invitation', 'password_reset'] }).notNull(),
    tokenHash: text('token_hash').notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    email: text('email'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('one_time_tokens_hash_key').on(t.tokenHash),
    index('one_time_tokens_email_idx').on(t.email),
  ],
);

export const institutions = pgTable(
  'institutions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('institutions_slug_key').on(t.slug)],
);

export const networks = pgTable(
  'networks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    description: text('description').notNull().default(''),
    /** Whether visitors without an account may raise concerns (read by the concerns module). */
    visitorsMayRaiseConcerns: boolean('visitors_may_raise_concerns').notNull().default(false),
    /**
     * How many memberships the network has, kept by statement-level triggers on memberships (migrations 0007, 0012) so
     * listing networks does not count every membership of the country on each request.
     */
    memberCount: integer('member_count').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('networks_slug_key').on(t.slug), index('networks_institution_idx').on(t.institutionId)],
);

export const memberships = pgTable(
  'memberships',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    networkId: uuid('network_id')
      .notNull()
      .references(() => networks.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['student', 'staff', 'alumnus'] }).notNull(),
    /** Year of study, for students only. */
    yearOfStudy: integer('year_of_study'),
    role: text('role', { enum: ['member', 'lead'] })
      .notNull()
      .default('member'),
    /** For leads: co-chair or action lead. */
    leadTitle: text('lead_title', { enum: ['co_chair', 'action_lead'] }),
    joinedAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.networkId] }),
    index('memberships_network_idx').on(t.networkId),
    check(
      'memberships_year_only_for_students',
      sql`(${t.kind} = 'student' and ${t.yearOfStudy} between 1 and 6) or (${t.kind} <> 'student' and ${t.yearOfStudy} is null)`,
    ),
    check(
      'memberships_lead_title_only_for_leads',
      sql`(${t.role} = 'lead' and ${t.leadTitle} is not null) or (${t.role} = 'member' and ${t.leadTitle} is null)`,
    ),
  ],
);

/** Roles held at the level of an institution. Case handling is granted only here. */
export const institutionRoles = pgTable(
  'institution_roles',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['case_handler'] }).notNull(),
    grantedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.institutionId, t.role] })],
);

/**
 * A request to make someone a case handler of an institution. Case handlers read reports, so no
 * one grants the role alone: a second person (another admin, or an existing case handler of that
 * institution) approves, and the institution's handlers are told. One open request per person
 * and institution.
 */
export const caseHandlerRequests = pgTable(
  'case_handler_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    requestedBy: uuid('requested_by').references(() => users.id, { onDelete: 'set null' }),
    requestedAt: createdAt(),
    decision: text('decision', { enum: ['approved', 'declined', 'withdrawn'] }),
    decidedBy: uuid('decided_by').references(() => users.id, { onDelete: 'set null' }),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('case_handler_requests_open_key')
      .on(t.institutionId, t.userId)
      .where(sql`${t.decidedAt} is null`),
    index('case_handler_requests_institution_idx').on(t.institutionId),
    check('case_handler_requests_decided', sql`(${t.decision} is null) = (${t.decidedAt} is null)`),
  ],
);

/** University identity providers for single sign-on (OpenID Connect). */
export const identityProviders = pgTable(
  'identity_providers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    issuer: text('issuer').notNull(),
    clientId: text('client_id').notNull(),
    clientSecretSealed: text('client_secret_sealed').notNull(),
    /** Create an account on first sign-in when no account has the verified e-mail. */
    autoCreateAccounts: boolean('auto_create_accounts').notNull().default(false),
    /**
     * The e-mail domains this provider may vouch for (lower case, e.g. `le.ac.uk`). An identity
     * whose e-mail is outside them is refused; an existing account is linked only when its e-mail is
     * in them and it belongs to this provider's institution. Empty: the provider links no one.
     */
    emailDomains: text('email_domains').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
  },
  (t) => [index('identity_providers_institution_idx').on(t.institutionId)],
);

export const ssoIdentities = pgTable(
  'sso_identities',
  {
    providerId: uuid('provider_id')
      .notNull()
      .references(() => identityProviders.id, { onDelete: 'cascade' }),
    subject: text('subject').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.providerId, t.subject] }), index('sso_identities_user_idx').on(t.userId)],
);

/** Short-lived state of an SSO sign-in between redirect and callback. */
export const ssoStates = pgTable('sso_states', {
  stateHash: text('state_hash').primaryKey(),
  providerId: uuid('provider_id')
    .notNull()
    .references(() => identityProviders.id, { onDelete: 'cascade' }),
  codeVerifier: text('code_verifier').notNull(),
  nonce: text('nonce').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
});
