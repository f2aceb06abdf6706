import crypto from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import { reportMatchHolds, reports } from '../../../db/schema';
import type { TestClient } from '../../test/app';
import { createTestApp, type TestApp } from '../../test/app';
import { addMember, buildUser } from '../../test/factories';
import { HANDLER_RELEASE_MESSAGE, MAX_ESCROW_ENTRIES, normalisePersonName } from './matching';
import { buildSchool, type Person, reportBody, signIn } from './testing';

const CANARY = `Canaryname${crypto.randomBytes(4).toString('hex')}`;
const SITE = `Canarysite${crypto.randomBytes(4).toString('hex')}`;

type Submitted = { reference: string; receipt: string };
type QueueItem = { id: string; reference: string; matchedInEscrow?: boolean };

describe('speak-up matching escrow', () => {
  let t: TestApp;
  let school: Awaited<ReturnType<typeof buildSchool>>;
  /** Members of the school, each a distinct account. */
  const people: Person[] = [];
  beforeAll(async () => {
    t = await createTestApp();
    school = await buildSchool(t);
    for (let i = 0; i < 6; i++) {
      const user = await buildUser(t.database.db);
      await addMember(t.database.db, { userId: user.id, networkId: school.network.id });
      people.push(user);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (person: Person): Promise<TestClient> => signIn(t, { ...person, totpSecret: null });

  /** An entry in escrow, anonymous to the case handlers, made by a signed-in member. */
  async function escrow(
    person: Person,
    matching: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) {
    const c = await as(person);
    const r = await c.post('/api/speak-up/named-reports', {
      ...reportBody(school.institution.id),
      anonymousToHandlers: true,
      matching,
      ...extra,
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as Submitted;
  }
  async function queue(): Promise<QueueItem[]> {
    const c = await signIn(t, school.handler);
    const r = await c.get('/api/speak-up/cases');
    expect(r.statusCode).toBe(200);
    return (r.json() as { items: QueueItem[] }).items;
  }
  const refs = async () => (await queue()).map((i) => i.reference);
  const idOf = async (reference: string) => {
    const [row] = await t.database.db
      .select({ id: reports.id })
      .from(reports)
      .where(eq(reports.reference, reference));
    return row!.id;
  };
  /** What the reporter sees with the receipt, minus what differs between any two reports. */
  async function receiptView(receipt: string) {
    const r = await t.client().post('/api/speak-up/receipt/report', { receipt });
    expect(r.statusCode).toBe(200);
    const {
      reference: _r,
      receivedAt: _a,
      ...rest
    } = r.json() as {
      hold: { until: string } | null;
      messages: { body: string }[];
    } & Record<string, unknown>;
    // The hold's end is a year after each one's own submission.
    return { ...rest, hold: rest.hold ? { ...rest.hold, until: rest.hold.until.slice(0, 10) } : null };
  }

  it('normalises names: titles, case, accents, spacing and punctuation', () => {
    expect(normalisePersonName("Dr. Zoë  O'Brien")).toBe('zoe obrien');
    expect(normalisePersonName('PROF  zoe   obrien')).toBe('zoe obrien');
    expect(normalisePersonName('Mr Dr José Núñez')).toBe('jose nunez');
    expect(normalisePersonName('Dr')).toBe('dr');
  });

  it('escrow cannot be probed by an unauthenticated reporter', async () => {
    const [{ n: before }] = (await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from speak_up_reports`,
    )) as [{ n: number }];
    const r = await t.client().post('/api/speak-up/reports', {
      ...reportBody(school.institution.id),
      matching: { person: `Dr ${CANARY} Probe` },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toMatch(/sign in/i);
    expect(r.json().error.fields[0]).toMatchObject({ path: 'matching' });
    const [{ n: after }] = (await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from speak_up_reports`,
    )) as [{ n: number }];
    expect(after).toBe(before);
  });

  it('escrow is only for members of the school', async () => {
    const outsider = await buildUser(t.database.db);
    const c = await as(outsider);
    const r = await c.post('/api/speak-up/named-reports', {
      ...reportBody(school.institution.id),
      anonymousToHandlers: true,
      matching: { person: `Dr ${CANARY} Outsider` },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toMatch(/members of this school/);
  });

  it('escrow answers the same whether or not another entry matched', async () => {
    const victim = await escrow(people[0]!, { person: `Dr. Zoë ${CANARY}`, onExpiry: 'release' });
    const victimBefore = await receiptView(victim.receipt);
    // The prober sends two entries from another account: one names the victim's person, one not.
    const matched = await escrow(people[1]!, {
      person: `PROF zoe ${CANARY.toUpperCase()}`,
      onExpiry: 'release',
    });
    const unmatched = await escrow(people[1]!, { person: `Dr Nobody ${CANARY}`, onExpiry: 'release' });
    // Both answers have the same shape; both receipt pages say the same thing.
    expect(Object.keys(matched).sort()).toEqual(Object.keys(unmatched).sort());
    expect(await receiptView(matched.receipt)).toEqual(await receiptView(unmatched.receipt));
    const view = await receiptView(matched.receipt);
    expect(view).not.toHaveProperty('heldForMatching');
    expect(view).toMatchObject({ status: 'received', messages: [], hold: { onExpiry: 'release' } });
    expect(JSON.stringify(view).toLowerCase()).not.toContain('someone else');
    // The victim's own page has not changed, and nothing was released.
    expect(await receiptView(victim.receipt)).toEqual(victimBefore);
    // "My reports" of the prober: both held, no difference.
    const mine = await (await as(people[1]!)).get('/api/speak-up/my-reports');
    expect(mine.statusCode).toBe(200);
    // Anonymous to the case handlers: not listed among the prober's named reports at all.
    expect((mine.json() as Submitted[]).map((r) => r.reference)).not.toContain(matched.reference);
  });

  it('a match goes to a case handler, who sees both and decides; nothing is released on its own', async () => {
    const first = await escrow(people[2]!, { person: `Dr Match ${CANARY}` });
    const second = await escrow(people[3]!, { person: `dr match ${CANARY}` });
    const items = await queue();
    const listed = items.filter((i) => [first.reference, second.reference].includes(i.reference));
    expect(listed).toHaveLength(2);
    for (const item of listed) expect(item.matchedInEscrow).toBe(true);

    const handler = await signIn(t, school.handler);
    const id = await idOf(first.reference);
    const detail = await handler.get(`/api/speak-up/cases/${id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({
      matchedInEscrow: true,
      nextStatuses: [],
      escrowMatches: [{ reference: second.reference }],
      reporter: null,
    });
    // Not a case yet: no workflow until it is released.
    expect(
      (await handler.post(`/api/speak-up/cases/${id}/transition`, { to: 'acknowledged' })).statusCode,
    ).toBe(409);
    // The handler may write to the reporter first, through the receipt.
    const note = await handler.post(`/api/speak-up/cases/${id}/messages`, { body: 'Could we talk?' });
    expect(note.statusCode).toBe(201);
    expect((await receiptView(first.receipt)).messages).toMatchObject([{ body: 'Could we talk?' }]);

    // Then decides to release it: deadlines start, the reporter is told nothing about why.
    const released = await handler.post(`/api/speak-up/cases/${id}/release`);
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json()).toMatchObject({ matchedInEscrow: false });
    const after = await receiptView(first.receipt);
    expect(after).toMatchObject({ hold: null });
    expect(after.messages.map((m) => m.body)).toContain(HANDLER_RELEASE_MESSAGE);
    expect(HANDLER_RELEASE_MESSAGE.toLowerCase()).not.toContain('someone else');
    // The other entry still waits for the handler's own decision.
    expect(await receiptView(second.receipt)).toMatchObject({ hold: { onExpiry: 'delete' } });
    expect((await handler.post(`/api/speak-up/cases/${id}/release`)).statusCode).toBe(409);
  });

  it('a deleted escrow entry never causes a release', async () => {
    const victim = await escrow(people[4]!, { person: `Ms Deleted ${CANARY}` });
    const probe = await escrow(people[5]!, { person: `ms deleted ${CANARY}` });
    const victimId = await idOf(victim.reference);
    expect(await refs()).toContain(victim.reference);
    // The prober deletes the probe before any handler decides.
    const deleted = await t.client().post('/api/speak-up/receipt/delete', { receipt: probe.receipt });
    expect(deleted.statusCode).toBe(200);
    expect(await refs()).not.toContain(victim.reference);
    const handler = await signIn(t, school.handler);
    expect((await handler.get(`/api/speak-up/cases/${victimId}`)).statusCode).toBe(404);
    expect((await handler.post(`/api/speak-up/cases/${victimId}/release`)).statusCode).toBe(404);
    const [hold] = await t.database.db
      .select()
      .from(reportMatchHolds)
      .where(eq(reportMatchHolds.reportId, victimId));
    expect(hold?.releasedAt).toBeNull();
  });

  it('does not match an account with itself, a different person, or a different month', async () => {
    const self1 = await escrow(people[4]!, { person: `Mr Self ${CANARY}` });
    const self2 = await escrow(people[4]!, { person: `mr self ${CANARY}` });
    const c = await escrow(people[2]!, {
      context: { site: `Ward 7, ${SITE}`, role: 'consultant', month: '2026-01' },
    });
    const d = await escrow(people[3]!, {
      context: { site: `ward 7 ${SITE.toLowerCase()}`, role: 'consultant', month: '2026-02' },
    });
    const q = await refs();
    for (const ref of [self1.reference, self2.reference, c.reference, d.reference])
      expect(q).not.toContain(ref);
    // The same site, role and month from another account matches.
    const e = await escrow(people[5]!, {
      context: { site: `WARD 7 — ${SITE.toUpperCase()}`, role: 'consultant', month: '2026-01' },
    });
    const q2 = await refs();
    expect(q2).toContain(c.reference);
    expect(q2).toContain(e.reference);
    expect(q2).not.toContain(d.reference);
  });

  it(`an account can hold at most ${MAX_ESCROW_ENTRIES} escrow entries at once`, async () => {
    const person = await buildUser(t.database.db);
    await addMember(t.database.db, { userId: person.id, networkId: school.network.id });
    for (let i = 0; i < MAX_ESCROW_ENTRIES; i++) await escrow(person, { person: `Dr Cap${i} ${CANARY}` });
    const c = await as(person);
    const r = await c.post('/api/speak-up/named-reports', {
      ...reportBody(school.institution.id),
      anonymousToHandlers: true,
      matching: { person: `Dr Cap9 ${CANARY}` },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toContain(`${MAX_ESCROW_ENTRIES} reports waiting`);
    // Without waiting for a match, the same person can still report.
    const plain = await c.post('/api/speak-up/named-reports', reportBody(school.institution.id));
    expect(plain.statusCode).toBe(201);
  });

  it('an entry anonymous to the handlers stores no identity, only a keyed hash of the account', async () => {
    const person = people[0]!;
    const entry = await escrow(person, { person: `Dr Hash ${CANARY}` });
    const id = await idOf(entry.reference);
    const [row] = await t.database.db.select().from(reports).where(eq(reports.id, id));
    expect(row).toMatchObject({ anonymous: true, reporterLookup: null, reporterSealed: null });
    const [hold] = await t.database.db
      .select()
      .from(reportMatchHolds)
      .where(eq(reportMatchHolds.reportId, id));
    expect(hold!.accountHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(hold)).not.toContain(person.id);
  });

  it('never stores the identifier in plain text (canary over every table)', async () => {
    const tables = await queryRows<{ name: string }>(
      t.database.db,
      sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    let dump = '';
    for (const { name } of tables) {
      const rows = await queryRows<{ j: string }>(
        t.database.db,
        sql.raw(`select to_jsonb(x)::text as j from "${name}" x`),
      );
      dump += rows.map((r) => r.j).join('\n');
    }
    expect(dump.length).toBeGreaterThan(1000);
    expect(dump.toLowerCase()).not.toContain(CANARY.toLowerCase());
    expect(dump.toLowerCase()).not.toContain(SITE.toLowerCase());
  });
});
