import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { totpNow } from '../../src/server/modules/identity/credentials';
import { expectNoAxeViolations } from './axe';
import { type E2eBrowser, EXPECTED_HTTP_ERRORS, openBrowser } from './browser';
import { type E2eServer, startE2eServer } from './server';

export type Journey = {
  server: E2eServer;
  browser: E2eBrowser;
  page: Page;
  /** Opens a path of the app, waits for the page to settle and checks it with axe. */
  visit(path: string, label?: string): Promise<void>;
  /** Waits for the current page to settle (h1 shown, nothing loading) and checks it with axe. */
  check(label?: string): Promise<void>;
  /** A second, separate browser (another person on another device), sharing the request guard. */
  otherBrowser(): Promise<E2eBrowser>;
  close(): Promise<void>;
};

/** Waits until the single-page app shows a page: its h1 is there and no "Loading…" line is left. */
export async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.locator('main h1').first().waitFor();
  await page.locator('main .loading').first().waitFor({ state: 'hidden' });
}

/** A real server and a real browser for one journey file. Close it in afterAll. */
export async function startJourney(options: { env?: Record<string, string> } = {}): Promise<Journey> {
  const server = await startE2eServer(options);
  const browsers: E2eBrowser[] = [];
  const open = async () => {
    const b = await openBrowser({ allowedOrigins: [server.baseUrl] });
    browsers.push(b);
    return b;
  };
  const browser = await open();
  const page = browser.page;
  const check = async (label?: string) => {
    await settled(page);
    await expectNoAxeViolations(page, label ?? new URL(page.url()).pathname);
  };
  return {
    server,
    browser,
    page,
    check,
    async visit(path, label) {
      await page.goto(server.baseUrl + path);
      await check(label ?? path);
    },
    otherBrowser: open,
    async close() {
      for (const b of browsers) await b.close();
      await server.close();
    },
  };
}

/** Signs in through the sign-in page with e-mail and password. */
export async function signInWithPassword(j: Journey, email: string, password: string, page = j.page) {
  await page.goto(`${j.server.baseUrl}/sign-in`);
  await settled(page);
  if (page === j.page) await expectNoAxeViolations(page, '/sign-in');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const lastStepUsed = new Map<string, number>();
/**
 * A TOTP code the server has not seen yet: it refuses a time step it already accepted, so a second
 * sign-in within 30 seconds uses the next step's code (one step of clock drift is allowed).
 */
export async function freshTotp(secret: string): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const used = lastStepUsed.get(secret) ?? -1;
    const step = used < now ? now : used === now ? now + 1 : null;
    if (step !== null) {
      lastStepUsed.set(secret, step);
      return totpNow(secret, step * 30_000 + 1_000);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Password, then the code page: signs in an account that has TOTP. */
export async function signInWithTotp(
  j: Journey,
  user: { email: string; totpSecret: string | null },
  password: string,
  page = j.page,
) {
  await signInWithPassword(j, user.email, password, page);
  await page.waitForURL(/\/sign-in\/code/);
  await settled(page);
  await page.getByRole('textbox', { name: 'Code' }).fill(await freshTotp(user.totpSecret!));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  await settled(page);
}

/** Expects the navigation to be that of a signed-in person and to hold these links. */
export async function expectNav(page: Page, labels: { has?: string[]; hasNot?: string[] }) {
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const label of labels.has ?? []) await nav.getByRole('link', { name: label, exact: true }).waitFor();
  for (const label of labels.hasNot ?? []) {
    expect(await nav.getByRole('link', { name: label, exact: true }).count(), `nav has "${label}"`).toBe(0);
  }
}

/** The page section under an h2 with this name (sections carry no landmark role to query). */
export function section(page: Page, heading: string) {
  return page.locator('section', {
    has: page.getByRole('heading', { level: 2, name: heading, exact: true }),
  });
}

/** The first https?:// link in a mail's text that points at the app. */
export function linkIn(text: string, baseUrl: string): string {
  const link = text.match(/https?:\/\/\S+/g)?.find((l) => l.startsWith(baseUrl));
  if (!link) throw new Error(`No link to ${baseUrl} in the mail:\n${text}`);
  return link;
}

export { EXPECTED_HTTP_ERRORS };
