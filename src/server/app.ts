import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Database } from '../db/client';
import { isAppPagePath } from '../shared/pages';
import { type Config, fastifyTrustProxy } from './config';
import { MODULES } from './modules';
import { ReportKeyring } from './modules/speak-up';
import { bindAuditKey, keyAuditChain } from './platform/audit/audit';
import { AppError, errorHandler, serializeErrorForLog } from './platform/errors';
import { FileSecretStore } from './platform/key-store';
import { createMailer, type Mailer } from './platform/mail';
import { API_DOCS_CSS, buildOpenApiDocument, renderApiDocsPage } from './platform/openapi';
import { databaseRateLimitStore, rateLimitError } from './platform/rate-limit';
import { type AnyRoute, defineRoute, registerRoutes } from './platform/routes';
import type { Services } from './platform/services';
import { createAccessGuard } from './platform/sessions';

/** Files at the root of the web build (from src/web/public) served as themselves, not as the app. */
const ROOT_FILES = new Set(['/robots.txt']);

const PERMISSIONS_POLICY =
  'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()';

/** The built web app (`npm run build`); UPSTANDER_WEB_ROOT points elsewhere (e.g. a second build). */
export const webRoot = process.env.UPSTANDER_WEB_ROOT
  ? path.resolve(process.env.UPSTANDER_WEB_ROOT)
  : fileURLToPath(new URL('../../dist/web', import.meta.url));

export type BuildAppOptions = {
  database: Database;
  config: Config;
  masterKey: Buffer;
  mailer?: Mailer;
  /** Where log lines go (tests capture them). */
  logStream?: NodeJS.WritableStream;
  /** Serve the built web app from dist/web (off for API-only tests). */
  serveWeb?: boolean;
};

export type App = FastifyInstance & {
  services: Services;
  /** Routes declared through defineRoute (the OpenAPI document is built from these). */
  routeRegistry: AnyRoute[];
  /** Every route Fastify registered, however it was added: the route-coverage test checks each has a rule. */
  registeredRoutes: { method: string; url: string; access: string | undefined }[];
};

/** Builds the Fastify app: plugins, the error shape, every module's routes, the web app. */
export async function buildApp(options: BuildAppOptions): Promise<App> {
  const { config, database } = options;
  const app = Fastify({
    trustProxy: fastifyTrustProxy(config.trustProxy),
    bodyLimit: 1_000_000,
    // Errors the router raises before any route runs (a malformed URL, an over-long path
    // parameter) answer in the shared error shape too.
    frameworkErrors: (_error, request, reply) =>
      errorHandler(new AppError('validation_failed', 'That address is not valid.'), request, reply),
    logger: {
      level: config.logLevel,
      ...(options.logStream ? { stream: options.logStream } : {}),
      // Log what was asked, never who asked: no IP address, user agent, cookie or raw URL (tokens live in URLs).
      serializers: {
        req: (req) => ({ method: req.method, route: req.routeOptions?.url ?? 'unmatched' }),
        res: (res) => ({ statusCode: res.statusCode }),
        // Errors without the values in them: a database error's text can quote its query's values.
        err: serializeErrorForLog,
      },
    },
  });

  const registeredRoutes: App['registeredRoutes'] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      registeredRoutes.push({ method, url: route.url, access: route.config?.access });
    }
  });

  const mailer =
    options.mailer ??
    createMailer({ db: database.db, smtpUrl: config.smtpUrl, from: config.mailFrom, log: app.log });
  const services: Services = {
    db: database.db,
    dbKind: database.kind,
    config,
    masterKey: options.masterKey,
    reportKeys: new ReportKeyring(options.masterKey, new FileSecretStore(config.reportKeyDir)),
    mailer,
    log: app.log,
  };
  const secure = config.publicUrl.startsWith('https://');
  // The audit chain is keyed from the master key; an upgraded instance re-keys its chain forward.
  bindAuditKey(database.db, options.masterKey);
  await keyAuditChain(database.db);

  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // Reports and receipts must never leak through a Referer header.
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    // The same answer as frame-ancestors 'none' for browsers that only read the older header.
    xFrameOptions: { action: 'deny' },
  });
  // Counted in the database, so several instances enforce one limit (platform/rate-limit.ts).
  await app.register(fastifyRateLimit, {
    global: false,
    store: databaseRateLimitStore({ db: database.db, masterKey: options.masterKey }),
    errorResponseBuilder: rateLimitError,
  });

  // JSON only: anything else is a 415, not a guess.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(errorHandler);
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionActor', null);
  app.addHook('onSend', async (request, reply) => {
    // No page of Upstander needs a camera, microphone, location or payment; say so to the browser.
    reply.header('permissions-policy', PERMISSIONS_POLICY);
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });

  const guard = createAccessGuard({ db: database.db, publicOrigin: new URL(config.publicUrl).origin });
  const registry: AnyRoute[] = [];
  for (const module of MODULES) registerRoutes(app, module.routes(services), guard, registry);

  let openApiCache: ReturnType<typeof buildOpenApiDocument> | null = null;
  const openApi = () => {
    openApiCache ??= buildOpenApiDocument(registry, config.publicUrl);
    return openApiCache;
  };
  registerRoutes(
    app,
    [
      defineRoute({
        method: 'GET',
        url: '/api/openapi.json',
        summary: 'The OpenAPI 3 description of every route',
        tags: ['platform'],
        access: 'public',
        response: z.record(z.string(), z.unknown()),
        handler: () => openApi(),
      }),
      defineRoute({
        method: 'GET',
        url: '/api/docs',
        summary: 'A browsable page of the API for developers',
        tags: ['platform'],
        access: 'public',
        response: null,
        produces: { contentType: 'text/html', description: 'A browsable page of this document' },
        handler: ({ reply }) => {
          reply
            .type('text/html; charset=utf-8')
            .header('cache-control', 'no-cache')
            .send(renderApiDocsPage(openApi()));
          return undefined;
        },
      }),
      defineRoute({
        method: 'GET',
        url: '/api/docs.css',
        summary: 'Style sheet of the API page',
        tags: ['platform'],
        access: 'public',
        response: null,
        produces: { contentType: 'text/css', description: 'The API page’s styles' },
        handler: ({ reply }) => {
          reply.type('text/css').send(API_DOCS_CSS);
          return undefined;
        },
      }),
      defineRoute({
        method: 'GET',
        url: '/api/health',
        summary: 'Liveness and database check',
        tags: ['platform'],
        access: 'anonymous',
        response: z.object({ ok: z.literal(true), database: z.enum(['pglite', 'postgres']) }),
        handler: async () => {
          await database.db.execute('select 1');
          return { ok: true as const, database: database.kind };
        },
      }),
    ],
    guard,
    registry,
  );

  const indexHtml = path.join(webRoot, 'index.html');
  const serveWeb = (options.serveWeb ?? true) && fs.existsSync(indexHtml);
  if (serveWeb) {
    // fastify-static only supplies sendFile (safe path handling); the one route below declares its access.
    // The build wrote .br and .gz copies of every text file: sent by the request's Accept-Encoding.
    await app.register(fastifyStatic, { root: webRoot, serve: false, preCompressed: true });
    registerRoutes(
      app,
      [
        defineRoute({
          method: 'GET',
          url: '/assets/*',
          summary: 'The built, content-hashed files of the web app',
          tags: ['platform'],
          access: 'anonymous',
          response: null,
          produces: {
            contentType: 'application/octet-stream',
            description: 'A file of the built web app (script, style, image)',
          },
          handler: async ({ request, reply }) => {
            const file = (request.params as { '*': string })['*'];
            // Content-hashed names: cached for a year, never revalidated. (Set through sendFile, which
            // would otherwise write its own Cache-Control over ours.)
            // sendFile streams asynchronously: wait for it, or registerRoutes answers an empty 200 first.
            await reply.sendFile(`assets/${file}`, { maxAge: 31_536_000_000, immutable: true });
            return undefined;
          },
        }),
      ],
      guard,
      registry,
    );
  }
  app.setNotFoundHandler((request, reply) => {
    // A missing build file is a 404, not the app shell (a browser would try to run HTML as a script).
    const isPage =
      request.method === 'GET' && !request.url.startsWith('/api/') && !request.url.startsWith('/assets/');
    if (isPage && serveWeb && ROOT_FILES.has(request.url)) {
      // robots.txt and the like: real files of the build, with their own media type.
      return reply.header('cache-control', 'public, max-age=3600').sendFile(request.url.slice(1));
    }
    if (isPage && serveWeb) {
      // The web app routes on the client; every page path serves the same shell. A path outside
      // the app's sections still gets the shell (its not-found page) but with a real 404 status.
      const pathname = request.url.split('?')[0] ?? '/';
      return reply
        .status(isAppPagePath(pathname) ? 200 : 404)
        .header('cache-control', 'no-cache')
        .sendFile('index.html');
    }
    return errorHandler(new AppError('not_found', 'There is nothing at this address.'), request, reply);
  });

  app.addHook('onClose', async () => mailer.close());
  return Object.assign(app, { services, routeRegistry: registry, registeredRoutes }) as App;
}
