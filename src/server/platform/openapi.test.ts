import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../demo';
import { totpNow } from '../modules/identity/credentials';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../modules/identity/demo';
import { createTestApp, type TestApp, type TestClient } from '../test/app';
import { operationIdFor } from './openapi';

// The document is checked with tools that did not produce it: the OpenAPI 3.1 meta-schema
// validator, Redocly's linter (recommended rules), and Ajv for live responses.

type Operation = {
  operationId: string;
  parameters?: { $ref?: string; name?: string; in?: string }[];
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
  security: unknown[];
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    responses: Record<string, { content: Record<string, { schema: unknown }> }>;
    schemas: object;
  };
};

let t: TestApp;
let doc: Document;
beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.client().get('/api/openapi.json')).json();
});
afterAll(() => t?.close());

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op })),
  );

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document by the meta-schema (strict)', async () => {
    // Strict by default (its Ajv runs in strict mode; the option only allows turning that down).
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it("passes Redocly's recommended rules with no errors and no operationId or 4xx warnings", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({
      source: JSON.stringify(doc),
      absoluteRef: 'openapi.json',
      config,
    });
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([]);
    const named = problems.filter((p) =>
      ['operation-operationId', 'operation-4xx-response'].includes(p.ruleId),
    );
    expect(named.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}`)).toEqual([]);
  });

  it('names every operation uniquely and readably', () => {
    const ids = operations().map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operationIdFor('GET', '/api/speak-up/cases/:id')).toBe('getSpeakUpCasesById');
    expect(operationIdFor('GET', '/api/calendar/:token.ics')).toBe('getCalendarByTokenIcs');
    for (const id of ids) expect(id).toMatch(/^(get|post|put|patch|delete)[A-Z][A-Za-z0-9]*$/);
  });

  it('declares the CSRF header on every cookie-authenticated mutation, and the error answers', () => {
    for (const { path, method, op } of operations()) {
      const cookie = op.security.length > 0;
      const csrf = (op.parameters ?? []).some((p) => p.$ref === '#/components/parameters/CsrfToken');
      expect({ path, method, csrf }).toEqual({ path, method, csrf: cookie && method !== 'get' });
      expect(Object.keys(op.responses).some((code) => /^4\d\d$/.test(code))).toBe(true);
    }
  });

  it('gives non-JSON answers their media type, and /assets a valid path template', () => {
    const feed = doc.paths['/api/impact/feed.atom']!.get!;
    expect(Object.keys(feed.responses['200']!.content!)).toEqual(['application/atom+xml']);
    const ics = doc.paths['/api/calendar/{token}.ics']!.get!;
    expect(Object.keys(ics.responses['200']!.content!)).toEqual(['text/calendar']);
    expect(doc.paths['/api/auth/sso/callback']!.get!.responses['302']).toBeDefined();
    for (const { op } of operations()) {
      for (const [code, response] of Object.entries(op.responses)) {
        if (code === '200') expect(response.content, `${op.operationId} 200`).toBeDefined();
      }
    }
  });
});

describe('live responses match the document', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('uuid', /^[0-9a-f-]{36}$/i);
  ajv.addFormat('date-time', (v: string) => !Number.isNaN(Date.parse(v)));
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('email', /@/);
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:/i);
  ajv.addFormat('binary', () => true);
  ajv.addFormat('time', /^\d{2}:\d{2}/);
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();
  beforeAll(() => loadDemo(t.app.services), 120_000);

  async function signIn(email: string, totp = false): Promise<TestClient> {
    const client = t.client();
    const r = await client.post('/api/auth/sign-in', { email, password: DEMO_PASSWORD });
    expect(r.statusCode).toBe(200);
    if (totp) {
      const done = await client.post('/api/auth/second-factor', { code: totpNow(DEMO_TOTP_SECRET) });
      expect(done.statusCode).toBe(200);
    }
    return client;
  }

  it('every parameterless GET, as a visitor, a student, a co-chair and an admin', async () => {
    const clients: [string, TestClient][] = [
      ['visitor', t.client()],
      ['student', await signIn(DEMO_ACCOUNTS.student)],
      ['co-chair', await signIn(DEMO_ACCOUNTS.studentCoChair)],
      ['admin', await signIn(DEMO_ACCOUNTS.admin, true)],
    ];
    const gets = operations().filter((o) => o.method === 'get' && !o.path.includes('{'));
    expect(gets.length).toBeGreaterThan(20);
    const failures: string[] = [];
    let checked = 0;
    for (const [role, client] of clients) {
      for (const { path, op } of gets) {
        const response = await client.get(path);
        const code = String(response.statusCode);
        const declared = op.responses[code];
        if (!declared) {
          failures.push(`${role} GET ${path}: status ${code} is not documented`);
          continue;
        }
        const content = declared.$ref
          ? doc.components.responses[declared.$ref.split('/').pop()!]!.content
          : declared.content;
        const json = content?.['application/json'];
        if (!json) continue;
        const key = `${op.operationId} ${code}`;
        let validate = validators.get(key);
        if (!validate) {
          // The document's components ride along so that `#/components/…` references resolve.
          validate = ajv.compile({ ...(json.schema as object), components: doc.components });
          validators.set(key, validate);
        }
        checked++;
        if (!validate(response.json())) {
          failures.push(`${role} GET ${path} ${code}: ${ajv.errorsText(validate.errors)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(60);
  }, 120_000);
});
