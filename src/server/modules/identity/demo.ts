import { eq } from 'drizzle-orm';
import { institutionRoles, institutions, memberships, networks, users } from '../../../db/schema';
import { recordAudit } from '../../platform/audit/audit';
import { seal } from '../../platform/crypto';
import type { Services } from '../../platform/services';
import { hashPassword } from './credentials';

/**
 * The demo school: Northfield Medical School, fictional, with a MedRACE-style racial-justice
 * network and two sister networks. Every demo account shares one password; the admin and the
 * case handler also need a TOTP code from the fixed secret below (add it to any authenticator
 * app, or print the current code (from the Upstander folder) with the command in the summary).
 */
export const DEMO_INSTITUTION_SLUG = 'northfield';
export const DEMO_PASSWORD = 'upstander-demo';
/** Base32 TOTP secret of the demo admin and the demo case handler (time-based, 6 digits, 30 s). */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
export const DEMO_EMAIL_DOMAIN = 'northfield.example.ac.uk';

type Kind = 'student' | 'staff' | 'alumnus';
/** first name, surname, kind, year of study (students), networks: R NorthRACE, P NorthPRIDE, D NorthDialect. */
type DemoPerson = [first: string, last: string, kind: Kind, year: number | null, networks: string];

const PEOPLE: DemoPerson[] = [
  ['Amara', 'Okafor', 'student', 4, 'R'],
  ['Kwame', 'Mensah', 'student', 3, 'R'],
  ['Yusuf', 'Ali', 'student', 2, 'R'],
  ['Priya', 'Sharma', 'student', 1, 'R'],
  ['Chloe', 'Williams', 'student', 2, 'RP'],
  ['Mohammed', 'Hussain', 'student', 5, 'RD'],
  ['Aisha', 'Begum', 'student', 3, 'R'],
  ['Tom', 'Hughes', 'student', 1, 'R'],
  ['Mei', 'Chen', 'student', 4, 'R'],
  ['Oluwaseun', 'Adeyemi', 'student', 2, 'R'],
  ['Fatima', 'Rahman', 'student', 5, 'R'],
  ['Hannah', 'Evans', 'student', 3, 'RP'],
  ['Daniel', 'Osei', 'student', 1, 'R'],
  ['Zara', 'Khan', 'student', 2, 'R'],
  ['Callum', 'MacLeod', 'student', 4, 'RD'],
  ['Nia', 'Roberts', 'student', 3, 'RD'],
  ['Grace', 'Boateng', 'student', 1, 'R'],
  ['Jamal', 'Campbell', 'student', 5, 'R'],
  ['Sofia', 'Rossi', 'student', 2, 'RP'],
  ['Arjun', 'Nair', 'student', 3, 'R'],
  ['Leah', 'Cohen', 'student', 4, 'RP'],
  ['Ewan', 'Fraser', 'student', 1, 'RD'],
  ['Amina', 'Yusuf', 'student', 2, 'R'],
  ['Jack', 'Thompson', 'student', 5, 'R'],
  ['Imani', 'Clarke', 'student', 3, 'RP'],
  ['Rhys', 'Jenkins', 'student', 2, 'RPD'],
  ['Ayesha', 'Siddiqui', 'student', 1, 'R'],
  ['Kofi', 'Asante', 'student', 4, 'RD'],
  ['Niamh', 'Gallagher', 'student', 3, 'RD'],
  ['Harvey', 'Singh', 'student', 2, 'R'],
  ['Tanvir', 'Ahmed', 'student', 5, 'R'],
  ['Lucy', 'Zhang', 'student', 1, 'R'],
  ['Marcus', 'Bennett', 'student', 3, 'RP'],
  ['Esther', 'Nwosu', 'student', 2, 'R'],
  ['Bilal', 'Qureshi', 'student', 4, 'R'],
  ['Orla', 'Byrne', 'student', 1, 'RPD'],
  ['Dev', 'Mistry', 'student', 5, 'R'],
  ['Ella', 'Wright', 'student', 2, 'RP'],
  ['Tariq', 'Mahmood', 'student', 3, 'R'],
  ['Jasmine', 'Kaur', 'student', 4, 'R'],
  ['Samuel', 'Okoro', 'student', 1, 'P'],
  ['Ffion', 'Lloyd', 'student', 2, 'PD'],
  ['Hamza', 'Malik', 'student', 3, 'D'],
  ['Abigail', 'Mensah', 'student', 5, 'P'],
  ['Wei', 'Liu', 'student', 2, 'D'],
  ['Deborah', 'Afolabi', 'student', 4, 'P'],
  ['Finlay', 'Stewart', 'student', 1, 'PD'],
  ['Maryam', 'Hassan', 'student', 3, 'D'],
  ['Ravi', 'Patel', 'staff', null, 'R'],
  ['Helen', 'Adeyemi', 'staff', null, 'R'],
  ['Siobhan', 'Byrne', 'staff', null, 'RD'],
  ['David', 'Goldberg', 'staff', null, 'RP'],
  ['Margaret', 'Okonkwo', 'staff', null, 'R'],
  ['Andrew', 'Walsh', 'staff', null, 'R'],
  ['Nasreen', 'Chowdhury', 'staff', null, 'RP'],
  ['Gareth', 'Price', 'staff', null, 'RD'],
  ['Yetunde', 'Bakare', 'staff', null, 'R'],
  ['Stephen', 'Murray', 'staff', null, 'R'],
  ['Anjali', 'Desai', 'staff', null, 'R'],
  ['Patrick', "O'Neill", 'staff', null, 'RD'],
  ['Catherine', 'Lewis-Grant', 'staff', null, 'RP'],
  ['Joseph', 'Tan', 'staff', null, 'R'],
  ['Sarah', 'Kim', 'staff', null, 'R'],
  ['Emmanuel', 'Owusu', 'staff', null, 'R'],
  ['Rebecca', 'Shaw', 'staff', null, 'RP'],
  ['Imran', 'Sheikh', 'staff', null, 'R'],
  ['Fiona', 'Campbell', 'staff', null, 'D'],
  ['Kwabena', 'Darko', 'staff', null, 'R'],
  ['Louise', 'Hart', 'staff', null, 'P'],
  ['Simon', 'Achebe', 'staff', null, 'R'],
  ['Chidi', 'Eze', 'alumnus', null, 'R'],
  ['Laura', 'McKenzie', 'alumnus', null, 'RD'],
  ['Arif', 'Hossain', 'alumnus', null, 'R'],
  ['Bethan', 'Morgan', 'alumnus', null, 'RPD'],
  ['Olivia', 'Grant', 'alumnus', null, 'R'],
  ['Segun', 'Adebayo', 'alumnus', null, 'R'],
  ['Mei-Ling', 'Goh', 'alumnus', null, 'D'],
  ['Rachel', 'Stein', 'alumnus', null, 'P'],
];

/** The platform operator: not a member of any network. */
const ADMIN: [first: string, last: string] = ['Sam', 'Whitfield'];

const NETWORKS = {
  R: {
    name: 'NorthRACE',
    slug: 'northrace',
    visitorsMayRaiseConcerns: true,
    description:
      'NorthRACE is the student–staff racial-justice network of Northfield Medical School. Students and ' +
      'staff meet as equals every month, led by a student co-chair and a staff co-chair, to support one ' +
      'another, raise concerns about teaching, placements and culture, and see them acted on. ' +
      'No issue is too big or too small, and every one gets attention.',
  },
  P: {
    name: 'NorthPRIDE',
    slug: 'northpride',
    visitorsMayRaiseConcerns: false,
    description:
      'NorthPRIDE is the LGBTQ+ network for students and staff at Northfield Medical School: a social ' +
      'space, peer support, and a voice on inclusive teaching and placements.',
  },
  D: {
    name: 'NorthDialect',
    slug: 'northdialect',
    visitorsMayRaiseConcerns: false,
    description:
      'NorthDialect celebrates the regional and international accents and dialects of Northfield Medical ' +
      'School, and tackles accent bias in teaching, assessment and on clinical placement.',
  },
} as const;
type NetworkKey = keyof typeof NETWORKS;

/** Leads, by network: a student co-chair and a staff co-chair each, and NorthRACE's action lead. */
const LEADS: { network: NetworkKey; person: string; title: 'co_chair' | 'action_lead' }[] = [
  { network: 'R', person: 'Amara Okafor', title: 'co_chair' },
  { network: 'R', person: 'Ravi Patel', title: 'co_chair' },
  { network: 'R', person: 'Kwame Mensah', title: 'action_lead' },
  { network: 'P', person: 'Imani Clarke', title: 'co_chair' },
  { network: 'P', person: 'David Goldberg', title: 'co_chair' },
  { network: 'D', person: 'Nia Roberts', title: 'co_chair' },
  { network: 'D', person: 'Siobhan Byrne', title: 'co_chair' },
];
const CASE_HANDLER = 'Helen Adeyemi';

/** firstname.lastname@…, lower-case, accents and apostrophes dropped (O'Neill → oneill). */
export function demoEmail(first: string, last: string): string {
  const part = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[^A-Za-z-]/g, '')
      .toLowerCase();
  return `${part(first)}.${part(last)}@${DEMO_EMAIL_DOMAIN}`;
}

const emailOf = (fullName: string) => {
  const [first, ...rest] = fullName.split(' ');
  return demoEmail(first!, rest.join(' '));
};

/** The sign-in e-mails the summary points testers to. */
export const DEMO_ACCOUNTS = {
  student: emailOf('Yusuf Ali'),
  studentCoChair: emailOf('Amara Okafor'),
  staffCoChair: emailOf('Ravi Patel'),
  caseHandler: emailOf(CASE_HANDLER),
  admin: demoEmail(...ADMIN),
} as const;

function summary(loaded: boolean, people: number): string {
  const a = DEMO_ACCOUNTS;
  return [
    loaded
      ? `Demo data loaded: Northfield Medical School with NorthRACE, NorthPRIDE and NorthDialect (${people} people).`
      : 'Demo data: Northfield Medical School was already there; nothing was changed.',
    `Every demo account's password: ${DEMO_PASSWORD}`,
    `  student                ${a.student}`,
    `  student co-chair       ${a.studentCoChair}   (NorthRACE)`,
    `  staff co-chair         ${a.staffCoChair}   (NorthRACE)`,
    `  case handler (2FA)     ${a.caseHandler}`,
    `  admin (2FA)            ${a.admin}`,
    `TOTP secret of the admin and the case handler: ${DEMO_TOTP_SECRET}`,
    'Hint: add that secret to an authenticator app (time-based, 6 digits, 30 seconds), or print the current code (from the Upstander folder) with',
    `  node -e "import('otpauth').then(o=>console.log(o.TOTP.generate({secret:o.Secret.fromBase32('${DEMO_TOTP_SECRET}')})))"`,
  ].join('\n');
}

/**
 * Loads the demo school in one transaction with a handful of bulk inserts. Idempotent: when the
 * institution `northfield` exists, nothing is changed. Returns a summary to print.
 */
export async function loadIdentityDemo(services: Services): Promise<string> {
  const { db, masterKey } = services;
  const exists = async () =>
    (
      await db
        .select({ id: institutions.id })
        .from(institutions)
        .where(eq(institutions.slug, DEMO_INSTITUTION_SLUG))
        .limit(1)
    ).length > 0;
  if (await exists()) return summary(false, 0);

  // argon2 is slow on purpose: hash the shared password once for every account.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const now = new Date();
  const withTotp = () => ({
    totpSecretSealed: seal(masterKey, 'totp-secret', DEMO_TOTP_SECRET),
    totpEnabledAt: now,
  });

  const loaded = await db.transaction(async (tx) => {
    // Checked again inside the transaction; the unique slug index settles a race between two loads.
    const [already] = await tx
      .select({ id: institutions.id })
      .from(institutions)
      .where(eq(institutions.slug, DEMO_INSTITUTION_SLUG))
      .limit(1);
    if (already) return null;
    const [institution] = await tx
      .insert(institutions)
      .values({ name: 'Northfield Medical School', slug: DEMO_INSTITUTION_SLUG })
      .returning({ id: institutions.id });
    const networkKeys = Object.keys(NETWORKS) as NetworkKey[];
    const networkRows = await tx
      .insert(networks)
      .values(networkKeys.map((key) => ({ institutionId: institution!.id, ...NETWORKS[key] })))
      .returning({ id: networks.id, slug: networks.slug });
    const networkId = (key: NetworkKey) => networkRows.find((n) => n.slug === NETWORKS[key].slug)!.id;

    const accounts = [
      ...PEOPLE.map(([first, last]) => ({
        email: demoEmail(first, last),
        name: `${first} ${last}`,
        passwordHash,
        ...(`${first} ${last}` === CASE_HANDLER ? withTotp() : {}),
      })),
      {
        email: demoEmail(...ADMIN),
        name: ADMIN.join(' '),
        passwordHash,
        isAdmin: true,
        ...withTotp(),
      },
    ];
    const userRows = await tx.insert(users).values(accounts).returning({ id: users.id, name: users.name });
    const userId = (name: string) => userRows.find((u) => u.name === name)!.id;

    const memberRows = PEOPLE.flatMap(([first, last, kind, year, inNetworks]) =>
      [...inNetworks].map((key) => {
        const lead = LEADS.find((l) => l.network === key && l.person === `${first} ${last}`);
        return {
          userId: userId(`${first} ${last}`),
          networkId: networkId(key as NetworkKey),
          kind,
          yearOfStudy: year,
          role: lead ? ('lead' as const) : ('member' as const),
          leadTitle: lead?.title ?? null,
        };
      }),
    );
    await tx.insert(memberships).values(memberRows);
    await tx
      .insert(institutionRoles)
      .values({ userId: userId(CASE_HANDLER), institutionId: institution!.id, role: 'case_handler' });
    const counts = { people: userRows.length, networks: networkRows.length, memberships: memberRows.length };
    await recordAudit(tx, {
      actorUserId: null,
      action: 'demo.load',
      subjectType: 'institution',
      subjectId: institution!.id,
      data: counts,
    });
    return counts;
  });
  return loaded ? summary(true, loaded.people) : summary(false, 0);
}
