import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import { createTestApp, type TestApp } from '../../test/app';
import { startTestSmtp, type TestSmtp } from '../../test/smtp';
import { normalisePersonName, RELEASE_MESSAGE } from './matching';
import { buildSchool, reportBody, signIn } from './testing';

const CANARY = `Canaryname${crypto.randomBytes(4).toString('hex')}`;
const SITE = `Canarysite${crypto.randomBytes(4).toString('hex')}`;

describe('speak-up matching escrow', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let school: Awaited<ReturnType<typeof buildSchool>>;
  beforeAll(async () => {
    smtp = await startTestSmtp();
    t = await createTestApp({ env: { SMTP_URL: smtp.url } });
    school = await buildSchool(t);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  async function anonymous(matching: Record<string, unknown>) {
    const r = await t.client().post('/api/speak-up/reports', {
      ...reportBody(school.institution.id),
      matching,
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { reference: string; receipt: string };
  }
  async function queue(): Promise<string[]> {
    const c = await signIn(t, school.handler);
    const r = await c.get('/api/speak-up/cases');
    expect(r.statusCode).toBe(200);
    return (r.json() as { items: { reference: string }[] }).items.map((i) => i.reference);
  }
  async function reporterMessages(receipt: string): Promise<string[]> {
    const r = await t.client().post('/api/speak-up/receipt/report', { receipt });
    expect(r.statusCode).toBe(200);
    return (r.json() as { messages: { body: string }[] }).messages.map((m) => m.body);
  }

  it('normalises names: titles, case, accents, spacing and punctuation', () => {
    expect(normalisePersonName("Dr. Zoë  O'Brien")).toBe('zoe obrien');
    expect(normalisePersonName('PROF  zoe   obrien')).toBe('zoe obrien');
    expect(normalisePersonName('Mr Dr José Núñez')).toBe('jose nunez');
    expect(normalisePersonName('Dr')).toBe('dr');
  });

  it('holds a report unseen until another reporter names the same person; then releases both', async () => {
    const first = await anonymous({ person: `Dr. Zoë ${CANARY}` });
    expect(await queue()).not.toContain(first.reference);
    expect(await reporterMessages(first.receipt)).toEqual([]);
    const view = await t.client().post('/api/speak-up/receipt/report', { receipt: first.receipt });
    expect(view.json()).toMatchObject({ heldForMatching: true });

    // A named reporter, writing the name differently.
    const member = await signIn(t, { ...school.member, totpSecret: null });
    const r = await member.post('/api/speak-up/named-reports', {
      ...reportBody(school.institution.id),
      consentToContact: true,
      matching: { person: `PROF   zoe ${CANARY.toUpperCase()}` },
    });
    expect(r.statusCode, r.body).toBe(201);
    const second = r.json() as { reference: string; receipt: string };

    const refs = await queue();
    expect(refs).toContain(first.reference);
    expect(refs).toContain(second.reference);
    expect(await reporterMessages(first.receipt)).toEqual([RELEASE_MESSAGE]);
    expect(await reporterMessages(second.receipt)).toEqual([RELEASE_MESSAGE]);
    const released = await t.client().post('/api/speak-up/receipt/report', { receipt: first.receipt });
    expect(released.json()).toMatchObject({ heldForMatching: false });
    // The named reporter is e-mailed, with nothing of the report in it.
    const mail = await smtp.waitFor((m) => m.to.includes(school.member.email.toLowerCase()));
    expect(mail.subject).toContain(second.reference);
    expect(mail.text).not.toContain(CANARY);
    expect(mail.text.toLowerCase()).not.toContain('zoe');
  });

  it('does not match a reporter with themselves', async () => {
    const person = { person: `Mr Self ${CANARY}` };
    // Named: the same signed-in person twice.
    const member = await signIn(t, { ...school.member, totpSecret: null });
    const refs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await member.post('/api/speak-up/named-reports', {
        ...reportBody(school.institution.id),
        matching: person,
      });
      expect(r.statusCode, r.body).toBe(201);
      refs.push((r.json() as { reference: string }).reference);
    }
    // Anonymous: a second report giving the first one's receipt.
    const a1 = await anonymous({ person: `Ms Alone ${CANARY}` });
    const a2 = await anonymous({ person: `ms alone ${CANARY}`, previousReceipt: a1.receipt });
    const q = await queue();
    for (const ref of [...refs, a1.reference, a2.reference]) expect(q).not.toContain(ref);
    // A wrong earlier receipt is a clear 400 on the field, and nothing is stored.
    const wrong = await t.client().post('/api/speak-up/reports', {
      ...reportBody(school.institution.id),
      matching: { person: 'Ms Alone', previousReceipt: '1111-2222-3333-4444-5555' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.fields[0]).toMatchObject({ path: 'matching.previousReceipt' });
  });

  it('does not match a different person, or a different month', async () => {
    const a = await anonymous({ person: `Dr Alpha ${CANARY}` });
    const b = await anonymous({ person: `Dr Beta ${CANARY}` });
    const c = await anonymous({ context: { site: `Ward 7, ${SITE}`, role: 'consultant', month: '2026-01' } });
    const d = await anonymous({
      context: { site: `ward 7 ${SITE.toLowerCase()}`, role: 'consultant', month: '2026-02' },
    });
    const q = await queue();
    for (const ref of [a.reference, b.reference, c.reference, d.reference]) expect(q).not.toContain(ref);
    // The same site, role and month from someone else matches.
    const e = await anonymous({
      context: { site: `WARD 7 — ${SITE.toUpperCase()}`, role: 'consultant', month: '2026-01' },
    });
    const q2 = await queue();
    expect(q2).toContain(c.reference);
    expect(q2).toContain(e.reference);
    expect(q2).not.toContain(d.reference);
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
