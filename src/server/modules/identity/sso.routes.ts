import { eq } from 'drizzle-orm';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { sessions } from '../../../db/schema';
import {
  SsoProviderAdminSchema,
  SsoProviderCreateSchema,
  SsoProviderPublicSchema,
  SsoProviderUpdateSchema,
} from '../../../shared/identity/schema';
import { type AnyRoute, defineRoute, IdParams, Uuid } from '../../platform/routes';
import type { Services } from '../../platform/services';
import { startSession } from './auth.routes';
import {
  beginSsoSignIn,
  completeSsoSignIn,
  createOidcClients,
  createProvider,
  deleteProvider,
  listProvidersAdmin,
  listProvidersPublic,
  SsoFailure,
  ssoRedirectUri,
  updateProviderDomains,
} from './sso';

/** Binds an SSO sign-in's state to the browser that started it (login-CSRF protection). */
export const SSO_STATE_COOKIE = 'upstander_sso_state';
const SSO_COOKIE_PATH = '/api/auth/sso/';

// Not strict: identity providers add parameters of their own (session_state and the like).
const CallbackQuery = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(512).optional(),
  iss: z.string().max(1000).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
});

/** Single sign-on with a university's OpenID Connect provider, and its administration. */
export function ssoRoutes(services: Services): AnyRoute[] {
  const { db, config, masterKey, log } = services;
  const secure = config.publicUrl.startsWith('https://');
  const clients = createOidcClients(masterKey);

  const failed = (reply: FastifyReply, failure: SsoFailure, providerId?: string) => {
    log.warn({ ssoError: failure.code, reason: failure.reason, providerId }, 'sso sign-in refused');
    reply.redirect(`/sign-in?sso_error=${failure.code}`, 302);
  };

  return [
    defineRoute({
      method: 'GET',
      url: '/api/auth/sso/providers',
      summary: 'The single sign-on options shown on the sign-in page',
      tags: ['identity'],
      access: 'public',
      response: z.array(SsoProviderPublicSchema),
      handler: () => listProvidersPublic(db),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/auth/sso/:providerId/start',
      summary: 'Leave for the university sign-in page (redirect)',
      tags: ['identity'],
      access: 'public',
      rateLimitPerMinute: 20,
      params: z.strictObject({ providerId: Uuid }),
      response: null,
      produces: { redirect: 302, description: 'To the identity provider' },
      handler: async ({ params, reply }) => {
        try {
          const { url, state } = await beginSsoSignIn(services, clients, params.providerId);
          reply.setCookie(SSO_STATE_COOKIE, state, {
            path: SSO_COOKIE_PATH,
            httpOnly: true,
            // Lax: the cookie comes back on the IdP's top-level redirect to our callback.
            sameSite: 'lax',
            secure,
            maxAge: 600,
          });
          reply.redirect(url, 302);
        } catch (error) {
          if (!(error instanceof SsoFailure)) throw error;
          failed(reply, error, params.providerId);
        }
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/auth/sso/callback',
      summary: 'Where the university sign-in page sends people back (redirect)',
      tags: ['identity'],
      access: 'public',
      rateLimitPerMinute: 30,
      query: CallbackQuery,
      response: null,
      produces: {
        redirect: 302,
        description: 'Back into the app, signed in, or to the sign-in page with a reason',
      },
      handler: async ({ request, reply }) => {
        reply.clearCookie(SSO_STATE_COOKIE, {
          path: SSO_COOKIE_PATH,
          httpOnly: true,
          sameSite: 'lax',
          secure,
        });
        // Exactly our registered redirect URI plus the query the IdP sent (the raw URL is never logged).
        const callbackUrl = new URL(ssoRedirectUri(config.publicUrl));
        const q = request.url.indexOf('?');
        callbackUrl.search = q >= 0 ? request.url.slice(q) : '';
        let result: Awaited<ReturnType<typeof completeSsoSignIn>>;
        try {
          result = await completeSsoSignIn(services, clients, {
            callbackUrl,
            browserState: request.cookies[SSO_STATE_COOKIE],
          });
        } catch (error) {
          // A person arriving from their university gets a page, never a JSON error; the
          // unexpected (a race on linking, the database) is logged by kind only.
          failed(
            reply,
            error instanceof SsoFailure
              ? error
              : new SsoFailure('failed', `unexpected: ${(error as Error).name ?? 'error'}`),
          );
          return undefined;
        }
        // Whoever was signed in on this browser before is signed out here.
        if (request.sessionActor) {
          await db.delete(sessions).where(eq(sessions.idHash, request.sessionActor.sessionIdHash));
        }
        // The web app reads /api/session to see whether a TOTP code is still owed.
        await startSession(services, reply, {
          userId: result.userId,
          method: 'sso',
          secondFactorDone: !result.hasTotp,
        });
        reply.redirect('/', 302);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/admin/identity-providers',
      summary: 'Single sign-on providers (the client secret is never shown)',
      tags: ['admin'],
      access: 'admin',
      response: z.array(SsoProviderAdminSchema),
      handler: () => listProvidersAdmin(db),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/admin/identity-providers',
      summary: 'Add a university OpenID Connect provider',
      tags: ['admin'],
      access: 'admin',
      body: SsoProviderCreateSchema,
      response: SsoProviderAdminSchema,
      status: 201,
      handler: ({ actor, body }) => createProvider(db, masterKey, actor!, body),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/admin/identity-providers/:id',
      summary: 'Change the e-mail domains a single sign-on provider may vouch for',
      tags: ['admin'],
      access: 'admin',
      params: IdParams,
      body: SsoProviderUpdateSchema,
      response: SsoProviderAdminSchema,
      handler: ({ actor, params, body }) => updateProviderDomains(db, actor!, params.id, body.emailDomains),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/admin/identity-providers/:id',
      summary: 'Remove a single sign-on provider (linked sign-ins stop working)',
      tags: ['admin'],
      access: 'admin',
      params: IdParams,
      response: null,
      status: 204,
      handler: async ({ actor, params }) => {
        await deleteProvider(db, actor!, params.id);
        clients.forget(params.id);
        return undefined;
      },
    }),
  ];
}
