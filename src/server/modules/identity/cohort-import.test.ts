import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, mailOutbox, memberships, oneTimeTokens, users } from '../../../db/schema';
import { Limits } from '../../../shared/identity/schema';
import type { Actor } from '../../platform/actor';
import { hashToken } from '../../platform/crypto';
import { AppError } from '../../platform/errors';
import { createTestApp, type TestApp } from '../../test/app';
import { addMember, buildInstitution, buildNetwork, buildUser, TEST_PASSWORD } from '../../test/factories';
import { importCohort, parseCohortCsv } from './cohort-import';
import { totpNow } from './credentials';
import { INVITATIONS_PER_NETWORK_PER_DAY } from './invitations';

/** The problems a file has, as `row.field` paths, from the thrown error or the returned list. */
function problems(csv: string): string[] {
  try {
    return parseCohortCsv(csv).errors.map((e) => `${e.row}.${e.field}`);
  } catch (error) {
    if (error instanceof AppError) return error.fields!.map((f) => `${f.path}: ${f.message}`);
    throw error;
  }
}

describe('parseCohortCsv', () => {
  it('reads a tidy file: BOM, any header case and order, trimmed cells, kinds in any case, CRLF', () => {
    const csv =
      '\ufeffEmail, NAME ,Year,Kind\r\n' +
      ' Amara.Okafor@Example.ac.uk , Amara Okafor ,4, Student \r\n' +
      'ravi.patel@example.ac.uk,Ravi Patel,,STAFF\r\n' +
      'chidi.eze@example.ac.uk,Chidi Eze,,alumnus\r\n';
    const { rows, errors } = parseCohortCsv(csv);
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { row: 2, name: 'Amara Okafor', email: 'amara.okafor@example.ac.uk', kind: 'student', yearOfStudy: 4 },
      { row: 3, name: 'Ravi Patel', email: 'ravi.patel@example.ac.uk', kind: 'staff', yearOfStudy: null },
      { row: 4, name: 'Chidi Eze', email: 'chidi.eze@example.ac.uk', kind: 'alumnus', yearOfStudy: null },
    ]);
  });

  it('reads a registry export: its own column names, first name and surname, kinds and years in its words', () => {
    const csv =
      'Student ID,First name,Surname,Email address,Student type,Year of study,Programme\n' +
      '1001,Amara,Okafor,amara@example.ac.uk,Undergraduate,Year 3,MBChB\n' +
      '1002,Chidi,Eze,chidi@example.ac.uk,Alumni,,MBChB\n' +
      '1003,Ravi,Patel,ravi@example.ac.uk,Staff,,\n';
    const { rows, errors, columns } = parseCohortCsv(csv);
    expect(errors).toEqual([]);
    expect(columns).toEqual([
      { column: 'name', from: 'First name + Surname' },
      { column: 'email', from: 'Email address' },
      { column: 'kind', from: 'Student type' },
      { column: 'year', from: 'Year of study' },
    ]);
    expect(rows).toEqual([
      { row: 2, name: 'Amara Okafor', email: 'amara@example.ac.uk', kind: 'student', yearOfStudy: 3 },
      { row: 3, name: 'Chidi Eze', email: 'chidi@example.ac.uk', kind: 'alumnus', yearOfStudy: null },
      { row: 4, name: 'Ravi Patel', email: 'ravi@example.ac.uk', kind: 'staff', yearOfStudy: null },
    ]);
  });

  it('accepts a file without a year column when nobody is a student', () => {
    const { rows, errors } = parseCohortCsv('name,email,kind\nRavi Patel,ravi@example.ac.uk,staff\n');
    expect(errors).toEqual([]);
    expect(rows).toHaveLength(1);
  });

  it('numbers rows as a spreadsheet shows them: blank lines count, a quoted line break does not', () => {
    const csv =
      'name,email,kind,year\n' +
      '"Okafor, Amara",amara@example.ac.uk,student,2\n' +
      '\n' +
      '"Line\nBreak",lb@example.ac.uk,student,1\n' +
      'Bad Year,bad@example.ac.uk,student,9\n';
    const { rows, errors } = parseCohortCsv(csv);
    expect(rows.map((r) => [r.row, r.name])).toEqual([[2, 'Okafor, Amara']]);
    expect(errors).toEqual([
      { row: 4, field: 'name', message: 'Use one line: a name cannot contain line breaks.' },
      { row: 5, field: 'year', message: 'Students need a year of study from 1 to 6.' },
    ]);
  });

  it('a name with line breaks and a web address cannot become phishing text: the row is refused', () => {
    const csv =
      'name,email,kind,year\n' +
      '"Jane\n\nYour Upstander account is locked. Sign in at https://upstander-login.example to keep it",jane@example.ac.uk,staff,\n' +
      'Visit www.evil.example now,www@example.ac.uk,staff,\n';
    const { rows, errors } = parseCohortCsv(csv);
    expect(rows).toEqual([]);
    expect(errors.map((e) => `${e.row}.${e.field}`)).toEqual(['2.name', '3.name']);
  });

  it('reports every problem on every row', () => {
    const csv = [
      'name,email,kind,year',
      'Good Person,good@example.ac.uk,student,1',
      ',noname@example.ac.uk,staff,',
      'Bad Email,not-an-email,staff,',
      'No Email,,staff,',
      'Bad Kind,kind@example.ac.uk,professor,',
      'No Year,noyear@example.ac.uk,student,',
      'Zero Year,zero@example.ac.uk,student,0',
      'Word Year,word@example.ac.uk,student,two',
      'Staff Year,staffyear@example.ac.uk,staff,3',
      'Again,GOOD@example.ac.uk,staff,',
      'Smith, John,john@example.ac.uk,student,2',
      `${'x'.repeat(Limits.nameMax + 1)},long@example.ac.uk,staff,`,
    ].join('\n');
    expect(problems(csv)).toEqual([
      '3.name',
      '4.email',
      '5.email',
      '6.kind',
      '7.year',
      '8.year',
      '9.year',
      '10.year',
      '11.email',
      '12.row',
      '12.email',
      '12.kind',
      '13.name',
    ]);
    const { errors } = parseCohortCsv(csv);
    expect(errors.find((e) => e.row === 11)?.message).toBe('This e-mail address is also on row 2.');
  });

  it('refuses files it cannot use at all', () => {
    expect(problems('')[0]).toMatch(/^csv: The file is empty/);
    expect(problems('\n\n')[0]).toMatch(/^csv: The file is empty/);
    expect(problems('name,email\nA,a@example.ac.uk\n')[0]).toMatch(/Missing: kind/);
    expect(problems('name,email,kind,year\n')[0]).toMatch(/nobody in it/);
    expect(problems('name,email,kind,Name\n')[0]).toMatch(/appears twice/);
    expect(problems('name,email,kind,year\n"Unclosed,a@example.ac.uk,staff,\n')[0]).toMatch(
      /could not be read/,
    );
    const tooMany = `name,email,kind,year\n${Array.from(
      { length: Limits.csvMaxRows + 1 },
      (_, i) => `P ${i},p${i}@example.ac.uk,staff,`,
    ).join('\n')}`;
    expect(problems(tooMany)[0]).toMatch(/has 5001 people; import at most 5000/);
  });
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Person = { id: string; email: string; name: string; totpSecret: string | null };
async function signIn(user: Person) {
  const c = t.client();
  expect((await c.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD })).statusCode).toBe(
    200,
  );
  if (user.totpSecret) {
    expect((await c.post('/api/auth/second-factor', { code: totpNow(user.totpSecret) })).statusCode).toBe(
      200,
    );
  }
  return c;
}

async function setup() {
  const db = t.database.db;
  const institution = await buildInstitution(db);
  const network = await buildNetwork(db, institution.id);
  const lead = await buildUser(db, { name: 'Lead Person' });
  const member = await buildUser(db);
  const stranger = await buildUser(db);
  const existing = await buildUser(db, { name: 'Existing Account' });
  await addMember(db, { userId: lead.id, networkId: network.id, kind: 'staff', role: 'lead' });
  await addMember(db, { userId: member.id, networkId: network.id, yearOfStudy: 3 });
  return { network, lead, member, stranger, existing };
}

const count = async (
  table: typeof oneTimeTokens | typeof mailOutbox | typeof auditEvents | typeof memberships,
) => (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;
const counts = async () => ({
  tokens: await count(oneTimeTokens),
  mail: await count(mailOutbox),
  audit: await count(auditEvents),
  memberships: await count(memberships),
});

let seq = 0;
/** A file with: an existing account (not a member), an existing member, and `fresh` new people. */
function cohortFile(s: Awaited<ReturnType<typeof setup>>, fresh: number, lastRow = '') {
  const stamp = `${Date.now()}-${seq++}`;
  const lines = [
    'name,email,kind,year',
    `Existing Account,${s.existing.email.toUpperCase()},staff,`,
    `Current Member,${s.member.email},student,3`,
    ...Array.from(
      { length: fresh },
      (_, i) => `New Person ${i},new-${stamp}-${i}@example.ac.uk,student,${(i % 5) + 1}`,
    ),
  ];
  if (lastRow) lines.push(lastRow);
  return `${lines.join('\n')}\n`;
}

describe('POST /api/networks/:id/import', () => {
  it('invites everyone not yet a member (existing accounts too), leaves members alone, in one audited go', async () => {
    const s = await setup();
    const lead = await signIn(s.lead);
    const before = await counts();
    const r = await lead.post(`/api/networks/${s.network.id}/import`, { csv: cohortFile(s, 3) });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      dryRun: false,
      rows: 5,
      columns: [
        { column: 'name', from: 'name' },
        { column: 'email', from: 'email' },
        { column: 'kind', from: 'kind' },
        { column: 'year', from: 'year' },
      ],
      invited: 4,
      alreadyMembers: [{ row: 3, email: s.member.email }],
      alreadyInvited: [],
    });
    const [kept] = await t.database.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, s.member.id), eq(memberships.networkId, s.network.id)));
    expect(kept).toMatchObject({ kind: 'student', yearOfStudy: 3 });
    expect(await counts()).toEqual({
      tokens: before.tokens + 4,
      mail: before.mail + 4,
      audit: before.audit + 1,
      memberships: before.memberships,
    });
    const [event] = await t.database.db.select().from(auditEvents).orderBy(sql`seq desc`).limit(1);
    expect(event).toMatchObject({ action: 'cohort.import', actorUserId: s.lead.id, subjectId: s.network.id });
    expect(event!.data).toEqual({ rows: 5, invited: 4, alreadyMembers: 1, alreadyInvited: 0 });
    const invitations = await t.database.db
      .select()
      .from(oneTimeTokens)
      .where(and(eq(oneTimeTokens.purpose, 'invitation'), eq(oneTimeTokens.createdBy, s.lead.id)));
    expect(invitations.map((i) => i.payload)).toContainEqual({
      networkId: s.network.id,
      kind: 'student',
      yearOfStudy: 2,
      name: 'New Person 1',
    });
  });

  it('checks a file without writing anything in a dry run', async () => {
    const s = await setup();
    const lead = await signIn(s.lead);
    const before = await counts();
    const r = await lead.post(`/api/networks/${s.network.id}/import`, {
      csv: cohortFile(s, 2),
      dryRun: true,
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      dryRun: true,
      rows: 4,
      columns: [
        { column: 'name', from: 'name' },
        { column: 'email', from: 'email' },
        { column: 'kind', from: 'kind' },
        { column: 'year', from: 'year' },
      ],
      invited: 3,
      alreadyMembers: [{ row: 3, email: s.member.email }],
      alreadyInvited: [],
    });
    expect(await counts()).toEqual(before);
  });

  it('a dry run cannot tell whether an address has an account: known and unknown addresses answer alike', async () => {
    const s = await setup();
    const lead = await signIn(s.lead);
    const probe = async (email: string) =>
      (
        await lead.post(`/api/networks/${s.network.id}/import`, {
          csv: `name,email,kind,year\nSomeone,${email},staff,\n`,
          dryRun: true,
        })
      ).json();
    const known = await probe(s.existing.email);
    const unknown = await probe(`nobody-${Date.now()}@example.ac.uk`);
    expect(known).toEqual(unknown);
    expect(known).toMatchObject({
      dryRun: true,
      rows: 1,
      invited: 1,
      alreadyMembers: [],
      alreadyInvited: [],
    });
  });

  it('an import cannot put an existing account in a network with a kind and year they never chose: they get an invitation to accept', async () => {
    const s = await setup();
    const lead = await signIn(s.lead);
    const r = await lead.post(`/api/networks/${s.network.id}/import`, {
      csv: `name,email,kind,year\nExisting Account,${s.existing.email},student,6\n`,
    });
    expect(r.json()).toMatchObject({ invited: 1 });
    const inNetwork = () =>
      t.database.db
        .select()
        .from(memberships)
        .where(and(eq(memberships.userId, s.existing.id), eq(memberships.networkId, s.network.id)));
    expect(await inNetwork()).toEqual([]);
    const [mail] = await t.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.toAddress, s.existing.email))
      .orderBy(sql`created_at desc`)
      .limit(1);
    const token = /\/invite\/([A-Za-z0-9_-]+)/.exec(mail!.textBody)![1]!;
    // They accept it themselves, signed in; only then are they a member.
    const person = await signIn(s.existing);
    expect((await person.post('/api/invitations/accept-signed-in', { token })).statusCode).toBe(200);
    expect(await inNetwork()).toHaveLength(1);
  });

  it('re-importing the same file invites no one twice, and says who is already a member or invited', async () => {
    const s = await setup();
    const lead = await signIn(s.lead);
    const csv = cohortFile(s, 3);
    const first = (await lead.post(`/api/networks/${s.network.id}/import`, { csv })).json();
    expect(first.invited).toBe(4);
    const before = await counts();
    const again = (await lead.post(`/api/networks/${s.network.id}/import`, { csv })).json();
    expect(again.invited).toBe(0);
    expect(again.alreadyMembers).toEqual([{ row: 3, email: s.member.email }]);
    expect(again.alreadyInvited.map((p: { row: number }) => p.row)).toEqual([2, 4, 5, 6]);
    expect((await counts()).tokens).toBe(before.tokens);
    expect((await counts()).mail).toBe(before.mail);
  });

  it('a network cannot send more than its daily allowance of invitations: the whole file is refused', async () => {
    const s = await setup();
    const lead = await signIn(s.lead);
    // Invitations already sent today, up to one short of the allowance.
    const rows = Array.from({ length: INVITATIONS_PER_NETWORK_PER_DAY - 1 }, (_, i) => ({
      purpose: 'invitation' as const,
      tokenHash: hashToken(`allowance-${s.network.id}-${i}`),
      email: `sent-${i}@example.ac.uk`,
      payload: { networkId: s.network.id, kind: 'staff', yearOfStudy: null, name: 'Sent' },
      expiresAt: new Date(Date.now() + 86_400_000),
    }));
    for (let i = 0; i < rows.length; i += 500)
      await t.database.db.insert(oneTimeTokens).values(rows.slice(i, i + 500));
    const before = await counts();
    const r = await lead.post(`/api/networks/${s.network.id}/import`, { csv: cohortFile(s, 1) });
    expect(r.statusCode).toBe(429);
    expect(r.json().error.message).toMatch(
      /at most 2000 invitations a day; 1 are left today and this would send 2/,
    );
    expect(await counts()).toEqual(before);
    const single = await lead.post('/api/invitations', {
      email: `one-${Date.now()}@example.ac.uk`,
      name: 'One More',
      networkId: s.network.id,
      kind: 'staff',
    });
    expect(single.statusCode).toBe(201);
    const over = await lead.post('/api/invitations', {
      email: `two-${Date.now()}@example.ac.uk`,
      name: 'Two More',
      networkId: s.network.id,
      kind: 'staff',
    });
    expect(over.statusCode).toBe(429);
  });

  it('the import and invitation routes are rate-limited per client', () => {
    const limited = new Map(t.app.routeRegistry.map((r) => [`${r.method} ${r.url}`, r.rateLimitPerMinute]));
    expect(limited.get('POST /api/networks/:id/import')).toBeGreaterThan(0);
    expect(limited.get('POST /api/invitations')).toBeGreaterThan(0);
  });

  it('imports nothing when only the last row is wrong, and says which row', async () => {
    const s = await setup();
    const lead = await signIn(s.lead);
    const before = await counts();
    const r = await lead.post(`/api/networks/${s.network.id}/import`, {
      csv: cohortFile(s, 4, 'Last Person,not-an-email,staff,'),
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({
      error: {
        code: 'validation_failed',
        message: '1 row needs fixing; nothing was imported.',
        fields: [{ path: 'row 8.email', message: 'Enter an e-mail address like name@example.ac.uk.' }],
      },
    });
    expect(await counts()).toEqual(before);
    const several = await lead.post(`/api/networks/${s.network.id}/import`, {
      csv: 'name,email,kind,year\nA,a@example.ac.uk,student,\nB,b@example.ac.uk,staff,2\n',
    });
    expect(several.json().error.message).toBe('2 rows need fixing; nothing was imported.');
    expect(await counts()).toEqual(before);
  });

  it('rolls everything back when the transaction fails part-way', async () => {
    const s = await setup();
    // A token that already exists: the invitation insert fails inside the transaction.
    const clash = 'clash-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    await t.database.db.insert(oneTimeTokens).values({
      purpose: 'invitation',
      tokenHash: hashToken(clash),
      email: 'someone@example.ac.uk',
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    const before = await counts();
    const actor: Actor = {
      userId: s.lead.id,
      email: s.lead.email,
      name: s.lead.name,
      isAdmin: false,
      sessionIdHash: 'x',
      csrfToken: 'x',
      hasTotp: false,
      secondFactorDone: true,
      mustEnrolTotp: false,
      memberships: [
        {
          networkId: s.network.id,
          institutionId: s.network.institutionId,
          kind: 'staff',
          yearOfStudy: null,
          role: 'lead',
          leadTitle: 'co_chair',
        },
      ],
      caseHandlerOf: [],
    };
    await expect(
      importCohort(
        t.app.services,
        actor,
        s.network.id,
        { csv: cohortFile(s, 2), dryRun: false },
        { newToken: () => clash },
      ),
    ).rejects.toThrow();
    expect(await counts()).toEqual(before);
    const added = await t.database.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, s.existing.id), eq(memberships.networkId, s.network.id)));
    expect(added).toEqual([]);
  });

  it('refuses members (403), strangers (404), the signed-out (401), writing nothing; admins may import', async () => {
    const s = await setup();
    const csv = cohortFile(s, 1);
    const url = `/api/networks/${s.network.id}/import`;
    const before = await counts();
    expect((await (await signIn(s.member)).post(url, { csv })).statusCode).toBe(403);
    expect((await (await signIn(s.stranger)).post(url, { csv })).statusCode).toBe(404);
    expect((await t.client().post(url, { csv })).statusCode).toBe(401);
    const lead = await signIn(s.lead);
    expect(
      (await lead.post('/api/networks/00000000-0000-4000-8000-000000000000/import', { csv })).statusCode,
    ).toBe(404);
    expect(await counts()).toEqual(before);
    const admin = await signIn(
      await buildUser(t.database.db, { isAdmin: true, totpMasterKey: t.app.services.masterKey }),
    );
    const r = await admin.post(url, { csv });
    expect(r.json()).toMatchObject({ rows: 3, invited: 2 });
  });

  it('refuses a body over the limit (413) and unknown fields (400)', async () => {
    const s = await setup();
    const lead = await signIn(s.lead);
    const url = `/api/networks/${s.network.id}/import`;
    expect((await lead.post(url, { csv: 'x'.repeat(2_600_000) })).statusCode).toBe(413);
    expect((await lead.post(url, { csv: 'x'.repeat(2_100_000) })).statusCode).toBe(400);
    expect((await lead.post(url, { csv: cohortFile(s, 1), extra: 1 })).statusCode).toBe(400);
  });

  it('imports a large cohort in one go', async () => {
    const s = await setup();
    const lead = await signIn(s.lead);
    const before = await counts();
    const started = performance.now();
    const r = await lead.post(`/api/networks/${s.network.id}/import`, { csv: cohortFile(s, 400) });
    expect(r.json()).toMatchObject({ rows: 402, invited: 401 });
    expect(await counts()).toMatchObject({ tokens: before.tokens + 401, mail: before.mail + 401 });
    expect(performance.now() - started).toBeLessThan(20_000);
    const people = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(users);
    expect(people[0]!.n).toBeGreaterThan(0);
  });
});
