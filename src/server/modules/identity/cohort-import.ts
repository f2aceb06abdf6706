import { parse } from 'csv-parse/sync';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../../../db/client';
import { memberships, users } from '../../../db/schema';
import {
  type CohortImportResultSchema,
  type CohortImportRowError,
  Email,
  Limits,
  PersonName,
} from '../../../shared/identity/schema';
import type { Actor } from '../../platform/actor';
import { recordAudit } from '../../platform/audit/audit';
import { randomToken } from '../../platform/crypto';
import { invalid } from '../../platform/errors';
import type { Services } from '../../platform/services';
import {
  assertInvitationAllowance,
  type Invitee,
  issueInvitations,
  lockNetworkInvitations,
  pendingInvitations,
  requireManagedNetwork,
  sendQueuedMail,
} from './invitations';

export type CohortImportResult = z.infer<typeof CohortImportResultSchema>;
export type RowError = z.infer<typeof CohortImportRowError>;
/** One person from the file, with the row number a spreadsheet shows for it (the header is row 1). */
export type CohortRow = Invitee & { row: number };

/**
 * The header names each column is known by, compared without case, spaces or punctuation: our
 * own template's, and the ones registry exports use ("First name", "Surname", "Email address",
 * "Student type", "Year of study"). `first` and `surname` together make the name.
 */
const ALIASES = {
  name: ['name', 'fullname', 'studentname', 'preferredname'],
  first: ['firstname', 'forename', 'forenames', 'givenname', 'preferredfirstname'],
  surname: ['surname', 'lastname', 'familyname'],
  email: ['email', 'emailaddress', 'universityemail', 'studentemail', 'universityemailaddress'],
  kind: ['kind', 'type', 'studenttype', 'membertype', 'role'],
  year: ['year', 'yearofstudy', 'studyyear', 'currentyear', 'yearofcourse'],
} as const;
type Column = keyof typeof ALIASES;
const normalise = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');
/** What registries write in a kind column, as our kinds. */
const KIND_WORDS: Record<string, Invitee['kind']> = {
  student: 'student',
  undergraduate: 'student',
  ug: 'student',
  postgraduate: 'student',
  pg: 'student',
  staff: 'staff',
  alumnus: 'alumnus',
  alumna: 'alumnus',
  alumni: 'alumnus',
  graduate: 'alumnus',
};
/** Enough field errors for anyone to see the pattern; the message still counts every row. */
const MAX_FIELD_ERRORS = 200;

const fileProblem = (message: string) => invalid(message, [{ path: 'csv', message }]);

/**
 * Reads a cohort file (header row `name,email,kind,year` or a registry export's names for them,
 * see ALIASES; headers in any case and order, BOM and any line ending accepted) and checks every
 * row; `columns` says which header was read as which, for the admin to confirm. Structural problems (not CSV, no header, no
 * rows, too many rows) throw at once; row problems are all collected and returned.
 */
export function parseCohortCsv(csv: string): {
  rows: CohortRow[];
  errors: RowError[];
  columns: { column: string; from: string }[];
} {
  let records: string[][];
  try {
    records = parse(csv, {
      bom: true,
      trim: true,
      relax_column_count: true,
      // Keep blank lines as records so each record's index is the row a spreadsheet shows.
      skip_empty_lines: false,
      record_delimiter: ['\r\n', '\n', '\r'],
    });
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw fileProblem(
      `The file could not be read as CSV${line ? ` (near row ${line})` : ''}: check for an unclosed quotation mark.`,
    );
  }
  const isBlank = (record: string[]) => record.every((cell) => cell === '');
  const headerIndex = records.findIndex((r) => !isBlank(r));
  const header = records[headerIndex];
  if (!header) throw fileProblem('The file is empty.');
  const headerRow = headerIndex + 1;
  const position = new Map<Column, number>();
  for (const [i, h] of header.entries()) {
    const key = normalise(h);
    const column = (Object.keys(ALIASES) as Column[]).find((c) =>
      (ALIASES[c] as readonly string[]).includes(key),
    );
    if (!column) continue;
    if (position.has(column)) {
      throw fileProblem(`The column “${h}” appears twice in the header row (as ${column}).`);
    }
    position.set(column, i);
  }
  const hasName = position.has('name') || (position.has('first') && position.has('surname'));
  const missing = [
    hasName ? null : 'name (or first name and surname)',
    position.has('email') ? null : 'email',
    position.has('kind') ? null : 'kind',
  ].filter((m): m is string => m !== null);
  if (missing.length > 0) {
    throw fileProblem(
      `The first row must name the columns name, email, kind and year. Missing: ${missing.join(', ')}.`,
    );
  }
  const from = (c: Column) => header[position.get(c)!]!;
  const columns = [
    { column: 'name', from: position.has('name') ? from('name') : `${from('first')} + ${from('surname')}` },
    { column: 'email', from: from('email') },
    { column: 'kind', from: from('kind') },
    ...(position.has('year') ? [{ column: 'year', from: from('year') }] : []),
  ];
  const body = records
    .map((record, index) => ({ record, row: index + 1 }))
    .filter(({ record, row }) => row > headerRow && !isBlank(record));
  if (body.length === 0) throw fileProblem('The file has a header row but nobody in it.');
  if (body.length > Limits.csvMaxRows) {
    throw fileProblem(
      `The file has ${body.length} people; import at most ${Limits.csvMaxRows} at a time (split the file).`,
    );
  }

  const rows: CohortRow[] = [];
  const errors: RowError[] = [];
  const firstRowOf = new Map<string, number>();
  const cell = (record: string[], column: Column) => {
    const i = position.get(column);
    return i === undefined ? '' : (record[i] ?? '');
  };
  for (const { record, row } of body) {
    const rowErrors: RowError[] = [];
    const fail = (field: string, message: string) => rowErrors.push({ row, field, message });
    if (record.slice(header.length).some((c) => c !== '')) {
      fail('row', 'This row has more cells than the header. If a name contains a comma, put it in quotes.');
    }
    const name = PersonName.safeParse(
      position.has('name')
        ? cell(record, 'name')
        : [cell(record, 'first'), cell(record, 'surname')].filter(Boolean).join(' '),
    );
    if (!name.success) fail('name', name.error.issues[0]?.message ?? 'Enter a name.');
    const email = Email.safeParse(cell(record, 'email'));
    if (!email.success) {
      fail(
        'email',
        cell(record, 'email') === '' ? 'Enter an e-mail address.' : email.error.issues[0]!.message,
      );
    } else {
      const first = firstRowOf.get(email.data);
      if (first !== undefined) fail('email', `This e-mail address is also on row ${first}.`);
      else firstRowOf.set(email.data, row);
    }
    const kind = KIND_WORDS[normalise(cell(record, 'kind'))];
    // "3", "Year 3", "Y3"
    const year = cell(record, 'year').replace(/^(year|y)\s*/i, '');
    let yearOfStudy: number | null = null;
    if (!kind) {
      fail('kind', 'Use student, staff or alumnus.');
    } else if (kind === 'student') {
      yearOfStudy = /^\d{1,2}$/.test(year) ? Number(year) : null;
      if (yearOfStudy === null || yearOfStudy < 1 || yearOfStudy > 6) {
        fail('year', 'Students need a year of study from 1 to 6.');
      }
    } else if (year !== '') {
      fail('year', 'Only students have a year of study: leave it empty for staff and alumni.');
    }
    if (rowErrors.length > 0) {
      errors.push(...rowErrors);
      continue;
    }
    rows.push({
      row,
      name: name.data!,
      email: email.data!,
      kind: kind!,
      yearOfStudy,
    });
  }
  return { rows, errors, columns };
}

/** The shared error answer: every row's problems as fields, and nothing written. */
function rowsNeedFixing(errors: RowError[]) {
  const rowCount = new Set(errors.map((e) => e.row)).size;
  const fields = errors
    .slice(0, MAX_FIELD_ERRORS)
    .map((e) => ({ path: `row ${e.row}.${e.field}`, message: e.message }));
  if (errors.length > MAX_FIELD_ERRORS) {
    fields.push({
      path: 'csv',
      message: `…and ${errors.length - MAX_FIELD_ERRORS} more problems not listed.`,
    });
  }
  return invalid(
    `${rowCount} ${rowCount === 1 ? 'row needs' : 'rows need'} fixing; nothing was imported.`,
    fields,
  );
}

/**
 * Sorts the file's people into members of this network, people already holding an unexpired
 * invitation to it, and everyone else, who is invited. Whether an address has an account
 * elsewhere plays no part: an existing account is invited like anyone (it accepts signed in).
 */
async function plan(db: Db, networkId: string, rows: CohortRow[]) {
  const members = new Set<string>();
  const invitedAlready = new Set<string>();
  for (let i = 0; i < rows.length; i += 1000) {
    const emails = rows.slice(i, i + 1000).map((r) => r.email);
    const memberRows = await db
      .select({ email: sql<string>`lower(${users.email})` })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.networkId, networkId), inArray(sql`lower(${users.email})`, emails)));
    for (const m of memberRows) members.add(m.email);
    for (const email of await pendingInvitations(db, networkId, emails)) invitedAlready.add(email);
  }
  const alreadyMembers: { row: number; email: string }[] = [];
  const alreadyInvited: { row: number; email: string }[] = [];
  const invite: CohortRow[] = [];
  for (const row of rows) {
    if (members.has(row.email)) alreadyMembers.push({ row: row.row, email: row.email });
    else if (invitedAlready.has(row.email)) alreadyInvited.push({ row: row.row, email: row.email });
    else invite.push(row);
  }
  return { invite, alreadyMembers, alreadyInvited };
}

/**
 * Imports a cohort into a network, all or nothing: every row is checked first and any problem
 * refuses the whole file; then, in one transaction, everyone not yet a member or invited is
 * invited by e-mail (an existing account accepts signed in: nobody is added to a network, with
 * a kind and year, that they did not choose), and one audit event records the counts.
 * `newToken` exists so a test can provoke a failure part-way through the transaction.
 */
export async function importCohort(
  services: Services,
  actor: Actor,
  networkId: string,
  input: { csv: string; dryRun: boolean },
  options: { newToken?: () => string } = {},
): Promise<CohortImportResult> {
  const { db } = services;
  const target = await requireManagedNetwork(db, actor, networkId);
  const { rows, errors, columns } = parseCohortCsv(input.csv);
  if (errors.length > 0) throw rowsNeedFixing(errors);

  if (input.dryRun) {
    const planned = await plan(db, networkId, rows);
    return {
      dryRun: true,
      rows: rows.length,
      columns,
      invited: planned.invite.length,
      alreadyMembers: planned.alreadyMembers,
      alreadyInvited: planned.alreadyInvited,
    };
  }

  const result = await db.transaction(async (tx) => {
    await lockNetworkInvitations(tx, networkId);
    const planned = await plan(tx, networkId, rows);
    // Locks the network (serialising its invitations) and refuses a day's allowance overrun.
    await assertInvitationAllowance(tx, networkId, planned.invite.length);
    const invited = await issueInvitations(
      tx,
      services,
      { target, invitedBy: { userId: actor.userId }, people: planned.invite },
      options.newToken ?? (() => randomToken(32)),
    );
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: 'cohort.import',
      subjectType: 'network',
      subjectId: networkId,
      // Counts only: never the addresses.
      data: {
        rows: rows.length,
        invited,
        alreadyMembers: planned.alreadyMembers.length,
        alreadyInvited: planned.alreadyInvited.length,
      },
    });
    return {
      rows: rows.length,
      invited,
      alreadyMembers: planned.alreadyMembers,
      alreadyInvited: planned.alreadyInvited,
    };
  });
  if (result.invited > 0) sendQueuedMail(services);
  return { dryRun: false, columns, ...result };
}
