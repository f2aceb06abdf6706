import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client';
import { reports } from '../../../db/schema';
import { createTestApp, type TestApp } from '../../test/app';
import { openTestDatabase } from '../../test/database';
import { buildUser } from '../../test/factories';
import { createPlacementProvider } from './directory';
import { buildSchool, reportBody, signIn } from './testing';

/**
 * The canary test: reports, messages, notes, escalations and outcomes that all carry a unique
 * string go in through the API; then the database is closed and every byte it left on disk (the
 * PGlite data folder: tables, indexes, WAL) or, on PostgreSQL, a pg_dump of it, is searched for
 * the string, in plain, UTF-16, hex and every base64 alignment. Zero hits: a copy of the database
 * alone reveals nothing anyone wrote.
 */

const CANARY = `CanaryXq${crypto.randomBytes(6).toString('hex')}`;

/** Byte patterns that would betray the canary, however it had been encoded. */
function patterns(secret: string): { name: string; bytes: Buffer }[] {
  const out = [
    { name: 'utf8', bytes: Buffer.from(secret, 'utf8') },
    { name: 'utf16le', bytes: Buffer.from(secret, 'utf16le') },
    { name: 'hex', bytes: Buffer.from(Buffer.from(secret).toString('hex')) },
    { name: 'lower case', bytes: Buffer.from(secret.toLowerCase()) },
  ];
  // base64 of a string depends on where it starts (its offset modulo 3): for each alignment, take
  // the characters of the 3-byte groups that lie wholly inside the secret.
  for (const pad of ['', 'a', 'ab']) {
    const first = Math.ceil(pad.length / 3);
    const last = Math.floor((pad.length + secret.length) / 3) - 1;
    for (const encoding of ['base64', 'base64url'] as const) {
      const encoded = Buffer.from(pad + secret).toString(encoding);
      out.push({
        name: `${encoding} at offset ${pad.length}`,
        bytes: Buffer.from(encoded.slice(4 * first, 4 * (last + 1))),
      });
    }
  }
  return out;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
  });
}

function hits(haystack: Buffer, where: string, secret = CANARY): string[] {
  return patterns(secret)
    .filter((p) => haystack.includes(p.bytes))
    .map((p) => `${where} (${p.name})`);
}

/** Positive controls, stored in plain on purpose: the search must find them, or it proves nothing. */
const CONTROL_PLAIN = `ControlPlain${crypto.randomBytes(6).toString('hex')}`;
const CONTROL_BASE64 = `ControlB64${crypto.randomBytes(6).toString('hex')}`;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-canary-'));
let database: Database;
let t: TestApp;
/** A reference the reports were given: plain in the database, so it shows the data is in the files. */
let aReference = '';
afterAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function writeEverything() {
  const school = await buildSchool(t);
  await createPlacementProvider(t.database.db, null, school.institution.id, { name: CONTROL_PLAIN });
  await createPlacementProvider(t.database.db, null, school.institution.id, {
    name: `x${Buffer.from(`q${CONTROL_BASE64}`).toString('base64')}`,
  });
  const words = (what: string) => `${what} ${CANARY}`;
  const fullReport = (overrides: Record<string, unknown> = {}) => ({
    ...reportBody(school.institution.id),
    when: { kind: 'not_sure', note: words('some time in spring') },
    where: {
      setting: 'placement',
      providerId: null,
      providerOther: words('Provider'),
      site: words('Site'),
      department: words('Ward'),
    },
    who: { roles: ['consultant', 'other'], otherRole: words('Porter'), names: words('Dr Somebody') },
    whatHappened: words('What happened'),
    effect: words('Effect'),
    ...overrides,
  });
  const anonymous = await t.client().post('/api/speak-up/reports', fullReport());
  expect(anonymous.statusCode).toBe(201);
  const campus = await t
    .client()
    .post('/api/speak-up/reports', fullReport({ where: { setting: 'campus', location: words('Library') } }));
  expect(campus.statusCode).toBe(201);
  const reporter = await signIn(t, await buildUser(t.database.db));
  const named = await reporter.post('/api/speak-up/named-reports', {
    ...fullReport(),
    consentToContact: true,
  });
  expect(named.statusCode).toBe(201);

  const { receipt } = anonymous.json();
  aReference = anonymous.json().reference;
  expect(
    (await t.client().post('/api/speak-up/receipt/messages', { receipt, body: words('Reporter message') }))
      .statusCode,
  ).toBe(201);
  const [row] = await t.database.db
    .select({ id: reports.id })
    .from(reports)
    .where(eq(reports.reference, anonymous.json().reference));
  const handler = await signIn(t, school.handler);
  const id = row!.id;
  for (const [url, body] of [
    [`/api/speak-up/cases/${id}/messages`, { body: words('Handler message') }],
    [`/api/speak-up/cases/${id}/notes`, { body: words('Internal note') }],
    [
      `/api/speak-up/cases/${id}/escalations`,
      {
        contactRole: words('Role'),
        contactName: words('Contact'),
        shared: words('Shared'),
        consent: true,
        responseDueOn: '2026-12-01',
      },
    ],
    [`/api/speak-up/cases/${id}/transition`, { to: 'acknowledged' }],
    [`/api/speak-up/cases/${id}/transition`, { to: 'assessing' }],
    [`/api/speak-up/cases/${id}/transition`, { to: 'action', actionKind: 'support_only' }],
    [
      `/api/speak-up/cases/${id}/transition`,
      { to: 'closed', outcome: 'support_provided', outcomeNote: words('Outcome') },
    ],
  ] as const) {
    const r = await handler.post(url, body);
    expect(r.statusCode, `${url}: ${r.body}`).toBeLessThan(300);
  }
  // Everything reads back, decrypted, for the handler: the canary really went in.
  const detail = await handler.get(`/api/speak-up/cases/${id}`);
  expect(detail.body.split(CANARY).length - 1).toBeGreaterThanOrEqual(12);
  // And the reporter can read their report too.
  expect((await t.client().post('/api/speak-up/receipt/report', { receipt })).body).toContain(CANARY);
}

describe('the canary: nothing a reporter or handler writes is on disk in the clear', () => {
  it(
    process.env.DATABASE_URL
      ? 'is absent from a pg_dump of the database'
      : 'is absent from every file of the PGlite data folder',
    async () => {
      database = await openTestDatabase({ dataDir });
      t = await createTestApp({ database });
      await writeEverything();
      await t.close();

      const found: string[] = [];
      const controls: string[] = [];
      if (process.env.DATABASE_URL) {
        const url = (database.pool as unknown as { options: { connectionString: string } }).options
          .connectionString;
        const candidates = ['/usr/lib/postgresql/15/bin/pg_dump', 'pg_dump'];
        const pgDump = candidates.find((c) => !c.includes('/') || fs.existsSync(c))!;
        const dump = execFileSync(pgDump, ['--no-owner', '--data-only', url], {
          maxBuffer: 512 * 1024 * 1024,
        });
        expect(dump.toString('utf8')).toContain('speak_up_reports');
        found.push(...hits(dump, 'pg_dump'));
        controls.push(...hits(dump, 'plain', CONTROL_PLAIN), ...hits(dump, 'base64', CONTROL_BASE64));
        await database.close();
      } else {
        await database.close();
        const files = filesUnder(dataDir);
        expect(files.length).toBeGreaterThan(100);
        // The data really is in these files: the table's name, and a reference number, are found.
        const all = Buffer.concat(files.map((f) => fs.readFileSync(f)));
        expect(all.includes(Buffer.from('speak_up_reports'))).toBe(true);
        expect(all.includes(Buffer.from(aReference))).toBe(true);
        for (const file of files) {
          const bytes = fs.readFileSync(file);
          found.push(...hits(bytes, path.relative(dataDir, file)));
          controls.push(...hits(bytes, 'plain', CONTROL_PLAIN), ...hits(bytes, 'base64', CONTROL_BASE64));
        }
      }
      expect(found).toEqual([]);
      // The search works: the controls stored in plain are found, in plain and in base64.
      expect(controls.some((c) => c.startsWith('plain (utf8)'))).toBe(true);
      expect(controls.some((c) => c.startsWith('base64 (base64 at offset 1)'))).toBe(true);
    },
  );
});
