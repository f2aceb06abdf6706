import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODULES } from '../modules';
import { createTestApp, type TestApp } from '../test/app';
import { describeRoleMatrix, everyone, type MatrixModule, noRecords } from '../test/matrix';

/**
 * The role matrix: every route, driven as every role, the expected status written out per role;
 * a refusal must commit no change. The platform's own routes are here; each module's rows sit in
 * its `role-matrix.ts` and run from its own `role-matrix.test.ts` (one file per module, so test
 * workers run them side by side). This file also checks that every registered route has exactly
 * one row, so a route added without one fails the suite.
 */

const platformMatrix: MatrixModule<unknown> = {
  build: noRecords,
  entries: {
    'GET /api/health': { request: () => ({ url: '/api/health' }), expect: everyone(200) },
    'GET /api/openapi.json': { request: () => ({ url: '/api/openapi.json' }), expect: everyone(200) },
    'GET /api/docs': { request: () => ({ url: '/api/docs' }), expect: everyone(200) },
    'GET /api/docs.css': { request: () => ({ url: '/api/docs.css' }), expect: everyone(200) },
  },
};

const matrices = [
  { name: 'platform', matrix: platformMatrix },
  ...(await Promise.all(MODULES.map(async (m) => ({ name: m.name, matrix: await m.roleMatrix() })))),
];

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('role matrix coverage', () => {
  it('has one row for every registered route, and none for routes that do not exist', () => {
    const rows = matrices.flatMap(({ name, matrix }) =>
      Object.keys(matrix.entries).map((key) => ({ name, key })),
    );
    const twice = rows.filter((r, i) => rows.findIndex((o) => o.key === r.key) !== i);
    expect(twice, 'routes with rows in two matrices').toEqual([]);
    const keys = new Set(rows.map((r) => r.key));
    const registered = t.app.routeRegistry
      .map((r) => `${r.method} ${r.url}`)
      .filter((k) => k !== 'GET /assets/*');
    expect(
      registered.filter((k) => !keys.has(k)),
      'routes missing from the role matrix',
    ).toEqual([]);
    expect(
      [...keys].filter((k) => !registered.includes(k)),
      'stale matrix entries',
    ).toEqual([]);
  });
});

describeRoleMatrix('platform', platformMatrix);
