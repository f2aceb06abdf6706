import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectNoAxeViolations } from './support/axe';
import { type E2eBrowser, openBrowser } from './support/browser';
import { type E2eServer, startE2eServer } from './support/server';

let server: E2eServer;
let browser: E2eBrowser;
beforeAll(async () => {
  server = await startE2eServer();
  browser = await openBrowser({ allowedOrigins: [server.baseUrl] });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('serves the web app with a strict CSP, clean console, no third parties and no axe violations', async () => {
  const { page } = browser;
  const response = await page.goto(server.baseUrl, { waitUntil: 'networkidle' });
  expect(response?.status()).toBe(200);
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(response?.headers()['referrer-policy']).toBe('no-referrer');

  // The React app rendered something into its root.
  await page.locator('#root > *').first().waitFor();
  await expect(page.title()).resolves.toMatch(/Upstander/);

  await expectNoAxeViolations(page, 'home page');
  browser.expectClean();
});

it('answers the health check from the browser origin', async () => {
  const health = await browser.page.request.get(`${server.baseUrl}/api/health`);
  expect(health.ok()).toBe(true);
  expect(await health.json()).toMatchObject({ ok: true });
});

it('blocks and reports a request to another host (the guard the journeys rely on)', async () => {
  const { page } = browser;
  // A navigation is not bound by the page's CSP, so it reaches the request guard.
  await page.goto('http://example.invalid/tracker').catch(() => {});
  expect(browser.foreignRequests).toEqual(['GET http://example.invalid/tracker']);
  browser.foreignRequests.length = 0;
  browser.consoleErrors.length = 0;
});
