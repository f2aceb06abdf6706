import crypto from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MODULES } from '../modules';
import type { AnyRoute } from '../platform/routes';
import { CSRF_HEADER, SESSION_COOKIE } from '../platform/sessions';
import { createTestApp, type TestApp } from '../test/app';
import { buildFixture, type Fixture, type MatrixModule, ROLES, type Role } from '../test/matrix';
import { type ChangeTracker, trackChanges } from './changes';
import {
  arbitraryFor,
  HOSTILE_STRINGS,
  hostileString,
  hostileValue,
  jsonSchemaOf,
  mutate,
  mutation,
  type ValuePools,
  withDuplicatedKey,
} from './hostile';

/**
 * Property-based fuzzing of every registered route (the registry is read at run time, so a new
 * module's routes are fuzzed without anyone listing them), as every role, with inputs generated
 * from the route's own zod schemas and then broken: wrong types, huge strings, lone surrogates,
 * RTL and zero-width characters, NUL, SQL and HTML injection, prototype-polluting keys,
 * duplicated JSON keys (as raw text), malformed JSON, other content types, path parameters that
 * are not identifiers. Each request must answer below 500; a refusal must use the error shape
 * and commit no change.
 *
 * Bounded: FUZZ_RUNS requests per route (default 8); FUZZ_SEED replays a run (the seed of a
 * failing run is printed in its message). FUZZ_ROUTE="POST /api/x" fuzzes one route.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : crypto.randomInt(2 ** 31);
const ONLY = process.env.FUZZ_ROUTE;

/** Each module's role-matrix rows: their `build` makes the records a route's ids can name. */
// biome-ignore lint/suspicious/noExplicitAny: each module's extra fixture has its own type
const MATRICES: MatrixModule<any>[] = await Promise.all(MODULES.map((m) => m.roleMatrix()));

/**
 * Writes that a refusal may commit, each with its reason. Mail delivery runs after a successful
 * request (in the background) and marks mail as sent: it may land while a later request runs.
 */
const ALLOWED_ON_REFUSAL = [{ tbl: 'mail_outbox', op: 'UPDATE' }];

/** Bodies that are not the JSON object a route expects, sent as raw text. */
const RAW_BODIES = [
  '{',
  '{"a":',
  '[]',
  'null',
  '"x"',
  '1e999999',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
  '\u0000',
  '\uFEFF{}',
];
const CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/xml',
];

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string; contentType: string };

function encode(segment: string): string {
  try {
    return encodeURIComponent(segment);
  } catch {
    return 'lone%ED%A0%80surrogate'; // what a careless client sends for a lone surrogate
  }
}

function queryString(value: unknown): string {
  if (!value || typeof value !== 'object') return value === undefined ? '' : `?q=${encode(String(value))}`;
  const parts: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      const text = item !== null && typeof item === 'object' ? JSON.stringify(item) : String(item);
      parts.push(`${encode(key)}=${encode(text)}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Every uuid and token-like string in the cast (and a module's extras), for plausible requests. */
function poolsOf(fixture: Fixture, extra: unknown): ValuePools {
  const strings: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') strings.push(v);
    else if (v && typeof v === 'object') for (const c of Object.values(v)) walk(c);
  };
  walk(fixture);
  walk(extra);
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  return {
    ids: [...new Set(strings.filter((s) => uuid.test(s)))],
    tokens: [...new Set(strings.filter((s) => !uuid.test(s) && s.length >= 8 && !s.includes('@')))],
  };
}

function paramsArbitrary(route: AnyRoute, pools: ValuePools, fixture: Fixture) {
  const names = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
  const one = (name: string) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...pools.ids, fixture.networkSlug, ...pools.tokens) },
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 2, arbitrary: hostileString },
      { weight: 1, arbitrary: fc.constantFrom('..', '%00', '.', 'x'.repeat(300), `${name}%2F..`) },
    );
  return fc.tuple(...names.map(one)).map((values) => {
    let url = route.url;
    names.forEach((name, i) => {
      const v = values[i]!;
      url = url.replace(`:${name}`, /^%|^\.+$/.test(v) ? v : encode(v));
    });
    return url;
  });
}

function queryArbitrary(route: AnyRoute, pools: ValuePools) {
  if (!route.query) {
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant('') },
      {
        weight: 1,
        arbitrary: fc.constantFrom('?__proto__[isAdmin]=true', '?a=1&a=2', `?q=${'x'.repeat(5000)}`),
      },
    );
  }
  const valid = arbitraryFor(jsonSchemaOf(route.query), pools);
  return fc
    .tuple(valid, fc.array(mutation, { maxLength: 2 }))
    .map(([value, mutations]) => queryString(mutate(value, mutations)));
}

function bodyArbitrary(route: AnyRoute, pools: ValuePools): fc.Arbitrary<Body> {
  const raw = fc.record({
    kind: fc.constant('raw' as const),
    text: fc.oneof(
      fc.constantFrom(...RAW_BODIES),
      hostileString.map((s) => JSON.stringify(s)),
    ),
    contentType: fc.constantFrom(...CONTENT_TYPES),
  });
  if (route.method === 'GET') return fc.constant({ kind: 'none' as const });
  if (!route.body) {
    return fc.oneof(
      { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
      { weight: 1, arbitrary: hostileValue.map((value) => ({ kind: 'json' as const, value })) },
      { weight: 1, arbitrary: raw },
    );
  }
  const valid = arbitraryFor(jsonSchemaOf(route.body), pools);
  return fc.oneof(
    { weight: 2, arbitrary: valid.map((value) => ({ kind: 'json' as const, value })) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }))
        .map(([value, mutations]) => ({ kind: 'json' as const, value: mutate(value, mutations) })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, hostileValue).map(([value, replacement]): Body => {
        const text = withDuplicatedKey(JSON.stringify(value) ?? '', replacement);
        return text
          ? { kind: 'raw', text, contentType: 'application/json' }
          : { kind: 'json', value: replacement };
      }),
    },
    { weight: 1, arbitrary: raw },
  );
}

// Built while the file is collected, so each registered route gets a test of its own.
const t: TestApp = await createTestApp();
const changes: ChangeTracker = await trackChanges(t.database.db);
afterAll(() => t.close());

async function send(role: Role, fixture: Fixture, method: string, url: string, body: Body) {
  const headers: Record<string, string> = {};
  if (role !== 'visitor') {
    const s = fixture.sessions[role];
    headers.cookie = `${SESSION_COOKIE}=${s.token}`;
    if (method !== 'GET') headers[CSRF_HEADER] = s.csrf;
  }
  let payload: string | undefined;
  if (body.kind === 'json' && body.value !== undefined) {
    payload = JSON.stringify(body.value);
    headers['content-type'] = 'application/json';
  } else if (body.kind === 'raw') {
    payload = body.text;
    headers['content-type'] = body.contentType;
  }
  return t.app.inject({
    method: method as 'GET',
    url,
    headers,
    // Each request its own client, as requestAs does: the per-client rate limits stay out of the way.
    remoteAddress: `127.0.${crypto.randomInt(0, 255)}.${crypto.randomInt(1, 255)}`,
    ...(payload !== undefined ? { payload } : {}),
  });
}

describe(`fuzzing every route (${RUNS} runs each, seed ${SEED})`, () => {
  it('has routes to fuzz, and hostile strings of every kind', () => {
    expect(t.app.routeRegistry.length).toBeGreaterThan(50);
    expect(HOSTILE_STRINGS.some((s) => /[\uD800-\uDFFF]/.test(s) && s.length <= 3)).toBe(true);
  });

  for (const [index, route] of t.app.routeRegistry.entries()) {
    const key = `${route.method} ${route.url}`;
    if (ONLY && key !== ONLY) continue;
    it(`${key}: below 500 for every input and role; refusals use the error shape and change nothing`, async () => {
      const module = MATRICES.find((m) => key in m.entries);
      const fixture = await buildFixture(t.database.db, t.app.services, {
        speakUp: route.url.startsWith('/api/speak-up/'),
      });
      const extra = module ? await module.build(t.database.db, t.app.services.masterKey, fixture) : {};
      const pools = poolsOf(fixture, extra);
      const property = fc.asyncProperty(
        fc.constantFrom(...ROLES),
        paramsArbitrary(route, pools, fixture),
        queryArbitrary(route, pools),
        bodyArbitrary(route, pools),
        async (role, path, query, body) => {
          const mark = await changes.mark();
          const response = await send(role, fixture, route.method, path + query, body);
          const shown = `${role} ${route.method} ${path}${query.slice(0, 200)} ${JSON.stringify(body).slice(0, 300)}`;
          if (response.statusCode >= 500) {
            const logged = t.logs.filter((l) => l.includes('unhandled error')).at(-1) ?? '';
            throw new Error(
              `${response.statusCode} for ${shown}: ${response.body.slice(0, 200)}\n    server log: ${logged.slice(0, 1500)}`,
            );
          }
          if (response.statusCode >= 400) {
            let error: { code?: unknown; message?: unknown } | undefined;
            try {
              error = (response.json() as { error?: typeof error }).error;
            } catch {
              // not JSON: reported below
            }
            if (typeof error?.code !== 'string' || typeof error.message !== 'string') {
              throw new Error(
                `error body without {error:{code,message}} for ${shown}: ${response.body.slice(0, 200)}`,
              );
            }
            const written = (await changes.since(mark)).filter(
              (c) => !ALLOWED_ON_REFUSAL.some((a) => a.tbl === c.tbl && a.op === c.op),
            );
            if (written.length > 0) {
              throw new Error(
                `${response.statusCode} ${String(error.code)} but committed ${written.map((c) => `${c.op} ${c.tbl}`).join(', ')} for ${shown}`,
              );
            }
          }
        },
      );
      // Each route its own seed (derived from the run's), so routes do not all draw the same cases.
      const seed = (SEED + index * 7919) % 2 ** 31;
      const result = await fc.check(property, { numRuns: RUNS, seed, endOnFailure: true });
      const message = result.failed
        ? `${String((result.errorInstance as Error | undefined)?.message ?? result.errorInstance)}\n` +
          `    replay: FUZZ_SEED=${SEED} FUZZ_ROUTE="${key}" (route seed ${seed}, counterexample path ${result.counterexamplePath})`
        : '';
      expect(result.failed, message).toBe(false);
    }, 120_000);
  }
});
