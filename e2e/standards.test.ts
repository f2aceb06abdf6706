import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../src/server/demo';
import { htmlCodeSnifferErrors } from './support/htmlcs';
import { type Journey, startJourney } from './support/journey';

// What other people's tools check on the pages themselves: a second accessibility engine
// (HTML_CodeSniffer, as pa11y runs it), the head of the document, robots.txt, real 404s, security
// headers, no CSP violation from the app's own code, and no sideways scrolling on a 320 px phone.

let j: Journey;
beforeAll(async () => {
  j = await startJourney();
  await loadDemo(j.server.app.services);
  // Counted in the page, before any of its scripts run: every CSP violation the page causes.
  await j.page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
}, 180_000);
afterAll(() => j?.close());

const cspViolations = () =>
  j.page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);

const PAGES = ['/', '/sign-in', '/impact', '/report', '/report/follow-up', '/forgot-password'];

describe('public pages, as other tools read them', () => {
  it('pass HTML_CodeSniffer (WCAG 2 AA) as well as axe, and fit a 320 px screen', async () => {
    await j.page.setViewportSize({ width: 320, height: 700 });
    for (const path of PAGES) {
      await j.visit(path);
      expect(await htmlCodeSnifferErrors(j.page), path).toEqual([]);
      const overflow = await j.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} scrolls sideways by ${overflow}px at 320 px`).toBeLessThanOrEqual(0);
    }
    await j.page.setViewportSize({ width: 390, height: 844 });
  });

  it('describe themselves and advertise the impact feed', async () => {
    await j.visit('/impact');
    const description = await j.page.locator('head meta[name="description"]').getAttribute('content');
    expect(description?.length ?? 0).toBeGreaterThan(40);
    const feed = j.page.locator('head link[rel="alternate"][type="application/atom+xml"]');
    expect(await feed.getAttribute('href')).toBe('/api/impact/feed.atom');
  });

  it('the report form validates without a CSP violation (zod runs jitless)', async () => {
    await j.visit('/report');
    const send = j.page.getByRole('button', { name: /send|next|continue|review/i }).first();
    if (await send.isVisible()) await send.click();
    await j.page.waitForTimeout(300);
    expect(await cspViolations()).toEqual([]);
    j.browser.expectClean({ ignoreConsole: [/status of 4\d\d/] });
  });
});

describe('the server, as a crawler and a header scanner see it', () => {
  it('serves robots.txt as text, and a 404 for a path that is no page', async () => {
    const robots = await j.page.request.get(`${j.server.baseUrl}/robots.txt`);
    expect(robots.status()).toBe(200);
    expect(robots.headers()['content-type']).toMatch(/^text\/plain/);
    expect(await robots.text()).toMatch(/^User-agent: \*/m);

    const missing = await j.page.request.get(`${j.server.baseUrl}/no-such-page/at-all`);
    expect(missing.status()).toBe(404);
    expect(missing.headers()['content-type']).toMatch(/^text\/html/);
    const known = await j.page.request.get(`${j.server.baseUrl}/impact`);
    expect(known.status()).toBe(200);
  });

  it('sends consistent frame and permission headers', async () => {
    const response = await j.page.request.get(`${j.server.baseUrl}/`);
    const headers = response.headers();
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['permissions-policy']).toMatch(/camera=\(\)/);
    expect(headers['permissions-policy']).toMatch(/geolocation=\(\)/);
  });
});
