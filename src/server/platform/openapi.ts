import { type ZodType, z } from 'zod';
import { ApiErrorSchema } from '../../shared/errors';
import { ACCESS_DESCRIPTIONS, type AnyRoute } from './routes';

type JsonSchema = Record<string, unknown>;

/**
 * JSON Schema 2020-12, which OpenAPI 3.1 uses as is: a nullable enum is `anyOf [enum, null]`, so
 * strict validators accept the `null`s real responses carry (3.0's `nullable` did not cover enums).
 */
function toSchema(schema: ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

/** `/api/cases/:id` → `/api/cases/{id}`; a trailing wildcard becomes a `{path}` parameter. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{path}');

const words = (text: string) =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1));

/**
 * A stable, unique operationId from the method and path, so generated clients get usable names:
 * `GET /api/speak-up/cases/:id` → `getSpeakUpCasesById`.
 */
export function operationIdFor(method: string, url: string): string {
  const parts = url
    .replace(/^\/api\//, '/')
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => {
      if (segment === '*') return ['ByPath'];
      // `:token.ics` → By Token Ics
      return segment
        .split(/(?=:)/)
        .flatMap((piece) => (piece.startsWith(':') ? ['By', ...words(piece.slice(1))] : words(piece)));
    });
  return method.toLowerCase() + parts.join('');
}

/** Routes reached with the session cookie. */
const usesSession = (route: AnyRoute) =>
  route.access === 'session' || route.access === 'user' || route.access === 'admin';
const isMutation = (route: AnyRoute) => route.method !== 'GET';

/** The error answers a route can give, each a shared component with the one error shape. */
function errorResponses(route: AnyRoute): Record<string, { $ref: string }> {
  const codes = new Set<string>();
  if (route.params || route.query || route.body || route.method !== 'GET') codes.add('400');
  if (usesSession(route)) codes.add('401');
  // CSRF refusals on cookie mutations, missing roles on admin routes.
  if ((usesSession(route) || route.access === 'public') && (isMutation(route) || route.access === 'admin')) {
    codes.add('403');
  }
  // Records the caller may not see answer 404, as do unknown ones.
  if (route.params || usesSession(route) || route.access === 'public' || route.access === 'anonymous') {
    codes.add('404');
  }
  if (isMutation(route)) codes.add('409');
  if (route.body || route.bodyLimit) {
    codes.add('413');
    codes.add('415');
  }
  // Every route shares the platform's limits on failures and look-ups.
  codes.add('429');
  return Object.fromEntries(
    [...codes].sort().map((code) => [code, { $ref: `#/components/responses/E${code}` }]),
  );
}

const ERROR_RESPONSES: Record<string, string> = {
  '400': 'The request is not valid; `fields` says what to change.',
  '401': 'Not signed in, or a second factor is owed.',
  '403': 'Refused: a missing or wrong X-CSRF-Token header, or a role the caller does not have.',
  '404': 'No such record, or one the caller may not see.',
  '409': 'The record changed or already exists.',
  '413': 'The body or file is too large.',
  '415': 'The body or file is of a type this route does not accept.',
  '429': 'Too many requests or failures; try again after the Retry-After header’s seconds.',
};

function successResponse(route: AnyRoute) {
  const status = String(route.status ?? 200);
  if (route.response) {
    return {
      [status]: {
        description: 'Success',
        content: { 'application/json': { schema: toSchema(route.response, 'output') } },
      },
    };
  }
  const produces = route.produces;
  if (produces && 'redirect' in produces) {
    return {
      [String(produces.redirect)]: {
        description: produces.description,
        headers: { Location: { description: 'Where to go next', schema: { type: 'string' } } },
      },
    };
  }
  if (produces) {
    return {
      [status]: {
        description: produces.description,
        content: { [produces.contentType]: { schema: { type: 'string', format: 'binary' } } },
      },
    };
  }
  return { '204': { description: 'Done; no content.' } };
}

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
export function buildOpenApiDocument(routes: AnyRoute[], publicUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  const operationIds = new Set<string>();
  for (const route of [...routes].sort((a, b) => a.url.localeCompare(b.url))) {
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', route.params],
      ['query', route.query],
    ] as const) {
      if (!schema) continue;
      const json = toSchema(schema, 'input') as {
        properties?: Record<string, JsonSchema>;
        required?: string[];
      };
      for (const [name, prop] of Object.entries(json.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (json.required ?? []).includes(name),
          schema: prop,
        });
      }
    }
    if (route.url.endsWith('*')) {
      parameters.push({ name: 'path', in: 'path', required: true, schema: { type: 'string' } });
    }
    // Cookie-authenticated mutations must carry the session's CSRF token (a browser-like client).
    if (usesSession(route) && isMutation(route))
      parameters.push({ $ref: '#/components/parameters/CsrfToken' });
    const operationId = operationIdFor(route.method, route.url);
    if (operationIds.has(operationId)) throw new Error(`Two routes share the operationId ${operationId}`);
    operationIds.add(operationId);
    const operation = {
      operationId,
      summary: route.summary,
      tags: route.tags,
      'x-access': route.access,
      description: `Access: ${ACCESS_DESCRIPTIONS[route.access]}`,
      security: usesSession(route) ? [{ sessionCookie: [] }] : [],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses: { ...successResponse(route), ...errorResponses(route) },
    };
    const path = openApiPath(route.url);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation;
  }
  const tags = [...new Set(routes.flatMap((r) => r.tags))].sort().map((name) => ({
    name,
    description: `Routes of ${name}.`,
  }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Upstander API',
      version: '0.1.0',
      description:
        'Every route declares an access rule (x-access). Mutations made with a session cookie must send the ' +
        'session CSRF token (from GET /api/session) in the X-CSRF-Token header.',
      license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
    },
    servers: [{ url: publicUrl }],
    tags,
    components: {
      securitySchemes: {
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'upstander_session',
          description: 'Named `__Host-upstander_session` when the server runs behind https.',
        },
      },
      parameters: {
        CsrfToken: {
          name: 'X-CSRF-Token',
          in: 'header',
          required: true,
          description:
            'The `csrfToken` of GET /api/session; without it a cookie mutation answers 403 csrf_failed.',
          schema: { type: 'string' },
        },
      },
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([code, description]) => [
          `E${code}`,
          {
            description,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } },
          },
        ]),
      ),
      schemas: { ApiError: toSchema(ApiErrorSchema, 'output') },
    },
    paths,
  };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A browsable, script-free page for developers, rendered from the OpenAPI document. */
export function renderApiDocsPage(doc: ReturnType<typeof buildOpenApiDocument>): string {
  const sections = Object.entries(doc.paths)
    .flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => {
        const o = op as { summary: string; 'x-access': string; description: string };
        return `<section class="op"><h2><span class="m m-${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h2>
<p>${escapeHtml(o.summary)}</p><p class="access">${escapeHtml(o.description)}</p>
<details><summary>Request and response schemas</summary><pre>${escapeHtml(JSON.stringify(op, null, 2))}</pre></details></section>`;
      }),
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="description" content="The Upstander API: every route, its access rule and its request and response schemas.">
<title>Upstander API</title><link rel="stylesheet" href="/api/docs.css"></head>
<body><header><h1>Upstander API</h1><p>${escapeHtml(doc.info.description)} The machine-readable document is at <a href="/api/openapi.json">/api/openapi.json</a>.</p></header>
<main>${sections}</main></body></html>`;
}

export const API_DOCS_CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1a1a1a}
.op{border-top:1px solid #ccc;padding:.5rem 0}h2{font-size:1.05rem;margin:.25rem 0}.m{display:inline-block;min-width:4.5rem;font-weight:700}
.m-get{color:#0b5394}.m-post{color:#1e6b2f}.m-put,.m-patch{color:#7a4b00}.m-delete{color:#a10000}.access{color:#444;font-size:.9rem}
pre{background:#f4f4f4;padding:.5rem;overflow:auto;font-size:.8rem;overflow-wrap:anywhere}a{color:#0b5394}`;
