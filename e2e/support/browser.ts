import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export type E2eBrowser = {
  context: BrowserContext;
  page: Page;
  /** console.error messages and uncaught page errors, in order. */
  consoleErrors: string[];
  /** Requests to any origin not allowed (each was blocked before it left the machine). */
  foreignRequests: string[];
  /** Lets requests to another origin through (the test OIDC provider's). */
  allowOrigin(origin: string): void;
  /** Fails if the page logged errors or tried to reach a third party. */
  expectClean(options?: { ignoreConsole?: RegExp[] }): void;
  close(): Promise<void>;
};

/**
 * Debian's Chromium driven by playwright-core, as a phone-sized viewport. Never downloads a browser:
 * the binary is /usr/bin/chromium or CHROMIUM_PATH. Every request is checked against the allowed
 * origins (the app's, plus any the test adds); anything else is recorded and aborted.
 */
export async function openBrowser(options: { allowedOrigins: string[] }): Promise<E2eBrowser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: sudo apt-get install chromium (or set CHROMIUM_PATH)`,
    );
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 390, height: 844 },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);

  const allowed = new Set(options.allowedOrigins.map((o) => new URL(o).origin));
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];

  await context.route('**/*', (route) => {
    const url = route.request().url();
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      origin = url;
    }
    if (allowed.has(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    foreignRequests.push(`${route.request().method()} ${url}`);
    return route.abort('blockedbyclient');
  });

  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`console.error: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  };
  for (const page of context.pages()) watch(page);
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());

  return {
    context,
    page,
    consoleErrors,
    foreignRequests,
    allowOrigin(origin) {
      allowed.add(new URL(origin).origin);
    },
    expectClean(opts = {}) {
      const errors = consoleErrors.filter((e) => !(opts.ignoreConsole ?? []).some((re) => re.test(e)));
      const problems = [
        ...errors.map((e) => `  ${e}`),
        ...foreignRequests.map((r) => `  request to a third party: ${r}`),
      ];
      if (problems.length) throw new Error(`The browser saw problems:\n${problems.join('\n')}`);
    },
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Chromium logs every 4xx/5xx answer as a console error; journeys that expect one ignore it. */
export const EXPECTED_HTTP_ERRORS =
  /Failed to load resource: the server responded with a status of (400|401|403|404|409|422)/;
