import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

// HTML_CodeSniffer, the engine pa11y runs, as a second accessibility checker beside axe: the two
// engines catch different faults (a duplicated id that gave a radio the wrong hint was missed by
// axe and caught by this one). pa11y itself would download its own browser; the engine is enough.
const require = createRequire(import.meta.url);
const SOURCE = fs.readFileSync(require.resolve('html_codesniffer/build/HTMLCS.js'), 'utf8');

type Message = { code: string; msg: string; element: string };

/** Runs HTML_CodeSniffer (WCAG 2 AA, errors only, as pa11y reports by default) on the page as it is now. */
export async function htmlCodeSnifferErrors(page: Page): Promise<Message[]> {
  // Evaluated through the DevTools protocol, like axe: the page's CSP does not apply.
  const loaded = await page.evaluate('typeof window.HTMLCS !== "undefined"');
  if (!loaded) await page.evaluate(`${SOURCE}\n;window.HTMLCS = HTMLCS; undefined`);
  return page.evaluate(
    () =>
      new Promise<Message[]>((resolve) => {
        type Htmlcs = {
          process(standard: string, root: Document, done: () => void): void;
          getMessages(): { type: number; code: string; msg: string; element: Element }[];
        };
        const htmlcs = (window as unknown as { HTMLCS: Htmlcs }).HTMLCS;
        htmlcs.process('WCAG2AA', document, () => {
          resolve(
            htmlcs
              .getMessages()
              .filter((m) => m.type === 1)
              .map((m) => ({
                code: m.code,
                msg: m.msg,
                element: m.element.outerHTML.slice(0, 160),
              })),
          );
        });
      }),
  );
}

/** Fails listing every HTML_CodeSniffer error on the page. */
export async function expectNoHtmlCodeSnifferErrors(page: Page, label?: string): Promise<void> {
  const errors = await htmlCodeSnifferErrors(page);
  if (errors.length === 0) return;
  const lines = errors.slice(0, 15).map((e) => `- ${e.code}\n    ${e.msg}\n    ${e.element}`);
  throw new Error(
    `HTML_CodeSniffer found ${errors.length} error(s) on ${label ?? page.url()}:\n${lines.join('\n')}`,
  );
}
