import type { FastifyInstance, FastifyReply, FastifyRequest, RequestPayload, RouteOptions } from 'fastify';
import { type ZodType, z } from 'zod';
import type { Actor } from './actor';
import { AppError, zodToAppError } from './errors';

/**
 * The route-level authorisation rule every route must declare. Deny by default: a route without
 * one is refused at registration, and a test enumerates the registered routes to be sure.
 * Record-level rules (is this person a lead of *this* network?) live in each module's policy.ts.
 */
export type Access =
  /** Anyone. A session, if present, is read (to personalise), never required. */
  | 'public'
  /** Anyone, and nothing identifying is read or logged: no session, no IP, no user agent. */
  | 'anonymous'
  /** Signed in; a second factor may still be owed (the 2FA step and TOTP enrolment only). */
  | 'session'
  /** Signed in and fully verified. */
  | 'user'
  /** A platform admin, fully verified (TOTP). */
  | 'admin';

export const ACCESS_DESCRIPTIONS: Record<Access, string> = {
  public: 'Anyone; a session is optional.',
  anonymous: 'Anyone; no session, IP address or user agent is read or logged.',
  session: 'A signed-in session, even one still owing its second factor.',
  user: 'A signed-in, fully verified account.',
  admin: 'A platform admin with two-factor authentication.',
};

export type RouteContext<P, Q, B> = {
  request: FastifyRequest;
  reply: FastifyReply;
  params: P;
  query: Q;
  body: B;
  /** Present for 'session', 'user' and 'admin'; may be present for 'public'; never for 'anonymous'. */
  actor: Actor | null;
};

export type RouteDefinition<
  P extends ZodType = ZodType,
  Q extends ZodType = ZodType,
  B extends ZodType = ZodType,
  R extends ZodType = ZodType,
> = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tags: string[];
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** The 2xx body. `null` for routes that redirect or stream. */
  response: R | null;
  /**
   * What a route whose `response` is null sends instead of JSON, for the OpenAPI document: a file,
   * feed or page (its media type), or a redirect. Routes without it answer 204 No Content.
   */
  produces?: { contentType: string; description: string } | { redirect: 302 | 303; description: string };
  status?: 200 | 201 | 202 | 204;
  bodyLimit?: number;
  /** Requests per minute per client for this route (sign-in, look-ups). */
  rateLimitPerMinute?: number;
  /**
   * For routes that take a large body (uploads): decides from the params alone, before the body is
   * read or parsed, whether this actor may use the record (throw, e.g. a 404, to refuse), so a
   * refused caller costs no parsing. The access rule is checked first, also before the body.
   */
  authoriseBeforeBody?: (ctx: {
    request: FastifyRequest;
    params: z.output<P>;
    actor: Actor | null;
  }) => Promise<void>;
  handler: (
    ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>,
  ) => Promise<z.input<R> | undefined> | z.input<R> | undefined;
};

// biome-ignore lint/suspicious/noExplicitAny: a registry of heterogeneous route definitions
export type AnyRoute = RouteDefinition<any, any, any, any>;

export function defineRoute<P extends ZodType, Q extends ZodType, B extends ZodType, R extends ZodType>(
  route: RouteDefinition<P, Q, B, R>,
): RouteDefinition<P, Q, B, R> {
  return route;
}

/** What the auth plugin hangs on each request. */
declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    /** The session's actor even while a second factor is owed (only GET /api/session reads this). */
    sessionActor: Actor | null;
  }
  interface FastifyContextConfig {
    access?: Access;
    rateLimitPerMinute?: number;
  }
}

export type AccessGuard = (request: FastifyRequest, access: Access, method: string) => Promise<void>;

/** Registers a module's routes: validation, the access rule, handler, response shaping. */
export function registerRoutes(
  app: FastifyInstance,
  routes: AnyRoute[],
  guard: AccessGuard,
  registry: AnyRoute[],
) {
  for (const route of routes) {
    if (!route.access) throw new Error(`Route ${route.method} ${route.url} has no access rule`);
    registry.push(route);
    const options: RouteOptions = {
      method: route.method,
      url: route.url,
      ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
      config: {
        access: route.access,
        ...(route.rateLimitPerMinute
          ? {
              rateLimit: { max: route.rateLimitPerMinute, timeWindow: '1 minute' },
              rateLimitPerMinute: route.rateLimitPerMinute,
            }
          : {}),
      },
      ...(route.authoriseBeforeBody
        ? {
            preParsing: async (request: FastifyRequest, _reply: FastifyReply, payload: RequestPayload) => {
              await guard(request, route.access, route.method);
              const params = parsePart(route.params, request.params, 'params');
              await route.authoriseBeforeBody?.({ request, params, actor: request.actor });
              return payload;
            },
          }
        : {}),
      handler: async (request, reply) => {
        // Routes that authorise before their body have been through the guard already.
        if (!route.authoriseBeforeBody) await guard(request, route.access, route.method);
        refuseUnstorableText({ params: request.params, query: request.query, body: request.body });
        const params = parsePart(route.params, request.params, 'params');
        const query = parsePart(route.query, request.query, 'query');
        const body = parsePart(route.body, request.body, 'body');
        const result = await route.handler({ request, reply, params, query, body, actor: request.actor });
        if (reply.sent) return reply;
        const status = route.status ?? 200;
        if (route.response === null || status === 204) return reply.status(status).send();
        // Responses pass through their schema, which drops any field not declared: nothing leaks by accident.
        return reply.status(status).send(route.response.parse(result));
      },
    };
    app.route(options);
  }
}

const hasNul = (text: string) => text.includes('\u0000');
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses text PostgreSQL cannot store (the NUL character) or that is not Unicode at all (a lone
 * surrogate), anywhere in a request, for every route: otherwise it reaches the database as a 500.
 */
function refuseUnstorableText(parts: Record<string, unknown>) {
  const visit = (value: unknown, path: string, depth: number): string | null => {
    if (typeof value === 'string') return hasNul(value) || LONE_SURROGATE.test(value) ? path : null;
    if (!value || typeof value !== 'object' || depth > 32) return null;
    for (const [key, child] of Object.entries(value)) {
      const found =
        hasNul(key) || LONE_SURROGATE.test(key)
          ? `${path}.${key}`
          : visit(child, `${path}.${key}`, depth + 1);
      if (found) return found;
    }
    return null;
  };
  for (const [where, value] of Object.entries(parts)) {
    const found = visit(value, where, 0);
    if (found) {
      const field = found.split('.').slice(1).join('.') || where;
      throw new AppError(
        'validation_failed',
        'Please remove the invisible or broken characters from your text (a NUL character or half an emoji).',
        [{ path: field, message: 'Contains a NUL character or broken Unicode.' }],
      );
    }
  }
}

function parsePart(schema: ZodType | undefined, value: unknown, where: 'body' | 'query' | 'params') {
  if (!schema) {
    if (
      where === 'body' &&
      value !== undefined &&
      value !== null &&
      !(typeof value === 'object' && Object.keys(value).length === 0)
    ) {
      throw new AppError('validation_failed', 'This request takes no body.');
    }
    return undefined;
  }
  const parsed = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!parsed.success) throw zodToAppError(parsed.error, where);
  return parsed.data;
}

export const Uuid = z.uuid({ message: 'Not a valid identifier.' });
export const IdParams = z.strictObject({ id: Uuid });
export const Ok = z.object({ ok: z.literal(true) });
