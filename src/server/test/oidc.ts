import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-expect-error oidc-provider ships no type declarations; the few members used are typed below.
import OidcProvider from 'oidc-provider';

/** A person the test identity provider knows. */
export type OidcTestAccount = {
  sub: string;
  email: string;
  name: string;
  /** Defaults to true. */
  emailVerified?: boolean;
};

export type TestOidcProvider = {
  /** The issuer identifier, e.g. http://127.0.0.1:41234 (no trailing slash). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The accounts, keyed by `sub`; add or change entries at any time. */
  accounts: Map<string, OidcTestAccount>;
  addAccount(account: OidcTestAccount): void;
  /**
   * Drives the provider's real sign-in page with fetch: opens the authorisation URL the app
   * redirected to, submits the login form as `login` (an e-mail or a sub), follows the
   * provider's redirects with its cookies and returns the URL the provider finally sends the
   * browser to (the app's callback, with code and state, or with an error).
   */
  signIn(authorizationUrl: string, login: string): Promise<string>;
  /** Like signIn, but presses "Cancel" on the sign-in page (the provider answers access_denied). */
  cancel(authorizationUrl: string): Promise<string>;
  close(): Promise<void>;
};

type Interaction = {
  uid: string;
  prompt: { name: string };
  params: Record<string, unknown>;
};
type ProviderInstance = {
  callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void;
  interactionDetails(req: http.IncomingMessage, res: http.ServerResponse): Promise<Interaction>;
  interactionFinished(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: new (props: {
    accountId: string;
    clientId: string;
  }) => {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  };
  on(event: string, listener: (...args: unknown[]) => void): void;
};
const Provider = OidcProvider as new (
  issuer: string,
  configuration: Record<string, unknown>,
) => ProviderInstance;

/**
 * A real OpenID Connect provider (the `oidc-provider` package) on 127.0.0.1 with a random port:
 * one confidential client (client_secret_basic, authorization code, PKCE required) and a plain
 * HTML sign-in page that works with fetch (see `signIn`) and in a real browser alike. No password:
 * typing a known e-mail or sub signs that account in. The provider's own sign-in session is kept
 * in its cookies, so a browser that signed in once is not asked again (use a fresh context).
 */
export async function startTestOidcProvider(options: {
  /** Where the provider may send people back to, e.g. `${publicUrl}/api/auth/sso/callback`. */
  redirectUris: string[];
  accounts?: OidcTestAccount[];
  clientId?: string;
  clientSecret?: string;
  /** Name shown on the sign-in page. */
  title?: string;
}): Promise<TestOidcProvider> {
  const clientId = options.clientId ?? `upstander-${crypto.randomBytes(4).toString('hex')}`;
  const clientSecret = options.clientSecret ?? crypto.randomBytes(24).toString('base64url');
  const title = options.title ?? 'Test University';
  const accounts = new Map<string, OidcTestAccount>();
  for (const account of options.accounts ?? []) accounts.set(account.sub, account);
  const findByLogin = (login: string) => {
    const wanted = login.trim().toLowerCase();
    if (!wanted) return undefined;
    return accounts.get(login.trim()) ?? [...accounts.values()].find((a) => a.email.toLowerCase() === wanted);
  };

  let handle: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = http.createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const signingKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    format: 'jwk',
  });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...signingKey, kid: 'test-signing-key', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Grant: 3600,
      Session: 3600,
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: account.email,
            email_verified: account.emailVerified ?? true,
            name: account.name,
          };
        },
      };
    },
  });
  provider.on('server_error', (_ctx, error) => {
    console.error('test OIDC provider error:', error);
  });
  const providerHandler = provider.callback();

  const page = (uid: string, error?: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in – ${escapeHtml(title)}</title></head>
<body>
<main>
<h1>Sign in to ${escapeHtml(title)}</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
<label for="login">University e-mail</label>
<input id="login" name="login" type="text" required autofocus>
<button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${escapeHtml(uid)}/abort">
<button type="submit">Cancel</button>
</form>
</main>
</body>
</html>`;

  async function interactionRoute(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?$/.exec(url.pathname);
    if (!match) return false;
    const [, uid, action] = match;
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    const clientOf = String(details.params.client_id);
    const grantFor = async (accountId: string) => {
      const grant = new provider.Grant({ accountId, clientId: clientOf });
      grant.addOIDCScope(String(details.params.scope ?? 'openid'));
      return grant.save();
    };
    if (req.method === 'GET' && !action) {
      if (details.prompt.name === 'consent') {
        // A first-party client: consent is implied.
        const session = (details as unknown as { session?: { accountId?: string } }).session;
        const grantId = await grantFor(String(session?.accountId));
        await provider.interactionFinished(
          req,
          res,
          { consent: { grantId } },
          { mergeWithLastSubmission: true },
        );
        return true;
      }
      send(res, 200, page(uid!));
      return true;
    }
    if (req.method === 'POST' && action === 'abort') {
      await readForm(req);
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The person cancelled the sign-in.' },
        { mergeWithLastSubmission: false },
      );
      return true;
    }
    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      const account = findByLogin(form.get('login') ?? '');
      if (!account) {
        send(res, 400, page(uid!, 'No account has that e-mail address.'));
        return true;
      }
      const grantId = await grantFor(account.sub);
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: account.sub }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
      return true;
    }
    send(res, 405, 'Method not allowed');
    return true;
  }

  handle = (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (!url.pathname.startsWith('/interaction/')) {
      providerHandler(req, res);
      return;
    }
    interactionRoute(req, res, url)
      .then((handled) => {
        if (!handled) send(res, 404, 'Not found');
      })
      .catch((error: Error) => {
        if (!res.headersSent) send(res, 400, `Sign-in failed: ${error.message}`);
        else res.end();
      });
  };

  async function drive(authorizationUrl: string, login: string | null): Promise<string> {
    const browser = new CookieJar(issuer);
    let step = await browser.follow(authorizationUrl);
    if (step.left) return step.url;
    const html = await step.response.text();
    if (step.response.status !== 200)
      throw new Error(`The sign-in page answered ${step.response.status}: ${html}`);
    const action = new RegExp(`action="([^"]+/${login === null ? 'abort' : 'login'})"`).exec(html)?.[1];
    if (!action) throw new Error(`No sign-in form on ${step.url}`);
    step = await browser.follow(new URL(action, step.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(login === null ? {} : { login }).toString(),
    });
    if (step.left) return step.url;
    throw new Error(
      `Sign-in did not return to the app (${step.response.status}): ${await step.response.text()}`,
    );
  }

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    addAccount: (account) => {
      accounts.set(account.sub, account);
    },
    signIn: (authorizationUrl, login) => drive(authorizationUrl, login),
    cancel: (authorizationUrl) => drive(authorizationUrl, null),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: http.ServerResponse, status: number, body: string) {
  res.statusCode = status;
  res.setHeader('content-type', body.startsWith('<!doctype') ? 'text/html; charset=utf-8' : 'text/plain');
  res.setHeader('cache-control', 'no-store');
  res.end(body);
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 10_000) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Just enough of a browser for the provider's pages: cookies by name and path, manual redirects. */
class CookieJar {
  private cookies = new Map<string, { value: string; path: string }>();
  constructor(private readonly origin: string) {}

  private header(url: URL): string {
    return [...this.cookies.entries()]
      .filter(
        ([, c]) =>
          url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  private absorb(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', val = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path' && val) path = val;
        if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
        if (key.toLowerCase() === 'expires' && new Date(val).getTime() < Date.now()) expired = true;
      }
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }

  /** Requests a URL and follows redirects within the provider; stops when one leads elsewhere. */
  async follow(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<{ url: string; response: Response; left: boolean }> {
    let current = new URL(url);
    let request = init;
    for (let hop = 0; hop < 10; hop++) {
      const cookie = this.header(current);
      const response = await fetch(current, {
        method: request.method ?? 'GET',
        redirect: 'manual',
        headers: { ...request.headers, ...(cookie ? { cookie } : {}) },
        ...(request.body !== undefined ? { body: request.body } : {}),
      });
      this.absorb(response);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        return { url: current.href, response, left: false };
      }
      await response.body?.cancel();
      const next = new URL(location, current);
      if (next.origin !== this.origin) return { url: next.href, response, left: true };
      current = next;
      request = {};
    }
    throw new Error('Too many redirects at the test OIDC provider');
  }
}
