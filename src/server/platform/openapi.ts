import { type ZodType, z } from 'zod';
import { ApiErrorSchema } from '../../shared/errors';
import { ACCESS_DESCRIPTIONS, type AnyRoute } from './routes';

type JsonSchema = Record<string, unknown>;

function toSchema(schema: ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The OpenAPI 3 document, generated from the same zod schemas the routes validate with. */
export function buildOpenApiDocument(routes: AnyRoute[], publicUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
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
    const status = String(route.status ?? 200);
    const needsSession = route.access === 'session' || route.access === 'user' || route.access === 'admin';
    const operation = {
      summary: route.summary,
      tags: route.tags,
      'x-access': route.access,
      description: `Access: ${ACCESS_DESCRIPTIONS[route.access]}`,
      ...(needsSession ? { security: [{ sessionCookie: [] }] } : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [status]: route.response
          ? {
              description: 'Success',
              content: { 'application/json': { schema: toSchema(route.response, 'output') } },
            }
          : { description: route.status === 204 ? 'No content' : 'Redirect' },
        default: {
          description: 'Error (the shared error shape)',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } },
        },
      },
    };
    const path = openApiPath(route.url);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Upstander API',
      version: '0.1.0',
      description:
        'Every route declares an access rule (x-access). Mutations made with a session cookie must send the ' +
        'session CSRF token (from GET /api/session) in the X-CSRF-Token header.',
    },
    servers: [{ url: publicUrl }],
    components: {
      securitySchemes: { sessionCookie: { type: 'apiKey', in: 'cookie', name: 'upstander_session' } },
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
<title>Upstander API</title><link rel="stylesheet" href="/api/docs.css"></head>
<body><header><h1>Upstander API</h1><p>${escapeHtml(doc.info.description)} The machine-readable document is at <a href="/api/openapi.json">/api/openapi.json</a>.</p></header>
<main>${sections}</main></body></html>`;
}

export const API_DOCS_CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1a1a1a}
.op{border-top:1px solid #ccc;padding:.5rem 0}h2{font-size:1.05rem;margin:.25rem 0}.m{display:inline-block;min-width:4.5rem;font-weight:700}
.m-get{color:#0b5394}.m-post{color:#1e6b2f}.m-put,.m-patch{color:#7a4b00}.m-delete{color:#a10000}.access{color:#444;font-size:.9rem}
pre{background:#f4f4f4;padding:.5rem;overflow:auto;font-size:.8rem}a{color:#0b5394}`;
