import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meetingsMatrix } from '../src/server/modules/meetings/role-matrix';
import { createTestApp } from '../src/server/test/app';
import { buildFixture, type Fixture, type MatrixModule, requestAs } from '../src/server/test/matrix';
import { EXPECTED_HTTP_ERRORS } from './support/browser';
import { type Journey, settled, startJourney } from './support/journey';

/**
 * Browser hardening. Stored XSS: payloads are stored through the API in every free-text field a
 * test can reach, the pages that show them are opened, and nothing may run or become markup (the
 * strict CSP would block an inline handler anyway, so the DOM itself is checked). Then the
 * headers every page and API answer carries, and that a reporter's pages leave no cookie and
 * nothing in the browser's cache. Every request to another host fails the test (browser.ts).
 */

const MARK = 'xss-probe';
/** Each payload carries MARK so the page can be searched for it as text. */
const PAYLOADS = {
  img: `${MARK} <img src=x onerror="window.__xss=1;alert(1)">`,
  script: `${MARK} <script>window.__xss=2;alert(2)</script>`,
  link: `${MARK} javascript:window.__xss=3`,
  svg: `${MARK} "><svg onload=alert(4)>`,
};
const ALL = Object.values(PAYLOADS).join(' ');

let j: Journey;
let f: Fixture;
const dialogs: string[] = [];
const stored: string[] = [];

async function store(role: Parameters<typeof requestAs>[1], method: string, url: string, body: unknown) {
  const response = await requestAs(j.server.app, role, f, method, { url, body });
  if (response.statusCode >= 300)
    throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  stored.push(`${method} ${url}`);
  return response.json() as Record<string, unknown>;
}

const routeExists = (method: string, url: string) =>
  j.server.app.routeRegistry.some((r) => r.method === method && r.url === url);

/** Nothing ran, no payload became an element, and the payload text is on the page as text. */
async function expectInert(page: Page, where: string) {
  expect(await page.evaluate(() => (window as { __xss?: number }).__xss), where).toBeUndefined();
  expect(dialogs, where).toEqual([]);
  const injected = await page.evaluate(() => ({
    img: document.querySelectorAll('img[src="x"], img[onerror]').length,
    svg: document.querySelectorAll('svg[onload]').length,
    script: [...document.scripts].filter((s) => s.textContent?.includes('__xss')).length,
    link: document.querySelectorAll('a[href^="javascript:"]').length,
  }));
  expect(injected, where).toEqual({ img: 0, svg: 0, script: 0, link: 0 });
  // As text, or as a form field's value (the profile page edits the name).
  const shown = await page.evaluate(
    () =>
      `${document.querySelector('main')?.innerText ?? ''} ${[...document.querySelectorAll('input, textarea')]
        .map((e) => (e as HTMLInputElement).value)
        .join(' ')}`,
  );
  expect(shown, `${where} shows the stored text`).toContain(MARK);
}

beforeAll(async () => {
  j = await startJourney();
  f = await buildFixture(j.server.db, j.server.app.services, { speakUp: true });
  j.page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  // Signed in as the member in the browser: the session cookie, as the sign-in page would set it.
  await j.browser.context.addCookies([
    { name: 'upstander_session', value: f.sessions.member.token, url: j.server.baseUrl, httpOnly: true },
  ]);
});
afterAll(() => j?.close());

describe('stored XSS', () => {
  it('shows hostile text stored in every reachable free-text field as text, and runs none of it', async () => {
    // Identity: the network's description (an admin's) and people's names (shown to members).
    await store('admin', 'PATCH', `/api/admin/networks/${f.networkId}`, { description: ALL });
    await store('member', 'PATCH', '/api/profile', { name: `${MARK} <img src=x onerror=alert(5)>` });
    await store('lead', 'PATCH', '/api/profile', { name: PAYLOADS.script.slice(0, 60) });
    // Speak-up: a message added to a report with its receipt (shown on the follow-up page).
    await store('visitor', 'POST', '/api/speak-up/receipt/messages', {
      receipt: f.speakUp.receipt,
      body: ALL,
    });

    const pages: string[] = [`/networks/${f.networkSlug}`, '/profile'];
    // Concerns, once the module is there: a concern's title and description.
    if (routeExists('POST', '/api/networks/:networkId/concerns')) {
      const created = await store('member', 'POST', `/api/networks/${f.networkId}/concerns`, {
        title: `${MARK} <img src=x onerror=alert(6)>`,
        description: `${ALL} The anatomy teaching uses only pale skin.`,
        category: 'curriculum',
        visibility: 'named',
      });
      pages.push(`/concerns/${String(created.id)}`, `/networks/${f.networkSlug}/concerns`);
    }
    // Meetings, once the module is there: a poll's title and a meeting's agenda item, made through
    // the module's own role-matrix requests (valid bodies) with the payload as the title.
    const meetings = meetingsMatrix as unknown as MatrixModule<{ meetingId: string }>;
    const poll = meetings.entries['POST /api/networks/:networkId/polls'];
    const agenda = meetings.entries['POST /api/meetings/:id/agenda'];
    if (poll && agenda && routeExists('POST', '/api/networks/:networkId/polls')) {
      const x = await meetings.build(j.server.db, j.server.masterKey, f);
      for (const [entry, page] of [
        [poll, (id: string) => `/polls/${id}`],
        [agenda, () => `/meetings/${x.meetingId}`],
      ] as const) {
        const request = entry.request(f, x);
        const made = await store('lead', 'POST', request.url, {
          ...(request.body as object),
          title: `${MARK} <img src=x onerror=alert(8)>`,
        });
        pages.push(page(String(made.id)));
      }
    }
    console.log(`XSS payloads stored through: ${stored.join(', ')}; pages checked: ${pages.join(', ')}`);

    for (const path of pages) {
      await j.page.goto(j.server.baseUrl + path);
      await settled(j.page);
      await expectInert(j.page, path);
    }

    // The reporter's follow-up page, opened with the receipt code (as a fresh, signed-out visitor).
    const reporter = await j.otherBrowser();
    reporter.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await reporter.page.goto(`${j.server.baseUrl}/report/follow-up`);
    await settled(reporter.page);
    await reporter.page.getByLabel('Receipt code').fill(f.speakUp.receipt);
    await reporter.page.getByRole('button', { name: 'Open my report' }).click();
    await reporter.page.getByText(MARK).first().waitFor();
    await expectInert(reporter.page, '/report/follow-up');
    reporter.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
    j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
  });

  it('refuses a javascript: address for a support contact link', async () => {
    const response = await requestAs(j.server.app, 'admin', f, 'POST', {
      url: `/api/speak-up/institutions/${f.institutionId}/support`,
      body: { kind: 'wellbeing', name: `${MARK} helpline`, phone: null, url: 'javascript:alert(7)' },
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('browser hardening', () => {
  it('sends a strict CSP, no referrer and framing refused on every page and API answer', async () => {
    for (const path of ['/', '/report', '/report/follow-up', '/concerns/follow', '/api/health']) {
      const response = await fetch(j.server.baseUrl + path);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(csp, path).not.toContain('unsafe-eval');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      // Plain http on loopback: no HSTS (it would pin a developer's localhost to https).
      expect(response.headers.get('strict-transport-security'), path).toBeNull();
    }
  });

  it('sends HSTS when the public address is https, behind a TLS-terminating proxy', async () => {
    const t = await createTestApp({
      env: { PUBLIC_URL: 'https://upstander.example.ac.uk', TRUST_PROXY: 'true' },
    });
    try {
      const response = await t.app.inject({
        url: '/api/health',
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
      });
      expect(response.headers['strict-transport-security']).toMatch(/max-age=31536000; includeSubDomains/);
      expect(response.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    } finally {
      await t.close();
    }
  });

  it('leaves no cookie and nothing cacheable on a reporter’s pages', async () => {
    const visitor = await j.otherBrowser();
    const apiAnswers: Response[] = [];
    visitor.page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/api/')) apiAnswers.push(response);
    });
    const pages = ['/report', '/report/follow-up', '/concerns/follow'];
    for (const path of pages) {
      await visitor.page.goto(j.server.baseUrl + path);
      await settled(visitor.page);
    }
    // A receipt look-up (a wrong code) sends the form's POST too.
    await visitor.page.goto(`${j.server.baseUrl}/report/follow-up`);
    await settled(visitor.page);
    await visitor.page.getByLabel('Receipt code').fill('1234-5678-9012-3456-7890');
    await visitor.page.getByRole('button', { name: 'Open my report' }).click();
    await visitor.page.locator('[role="alert"], .error-summary').first().waitFor();

    expect(await visitor.context.cookies()).toEqual([]);
    expect(apiAnswers.length).toBeGreaterThan(0);
    for (const answer of apiAnswers) {
      const headers = await answer.allHeaders();
      expect(headers['cache-control'], answer.url()).toContain('no-store');
      expect(headers['set-cookie'], answer.url()).toBeUndefined();
    }
    visitor.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
  });
});
