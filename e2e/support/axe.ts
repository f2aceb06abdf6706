import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expectNoHtmlCodeSnifferErrors } from './htmlcs';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe-core (WCAG 2.1 A and AA) and HTML_CodeSniffer (pa11y's engine, WCAG 2 AA errors) on the
 * page as it is now; fails listing every violation. Two engines, because each misses what the other
 * finds.
 */
export async function expectNoAxeViolations(page: Page, label?: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  if (results.violations.length === 0) return expectNoHtmlCodeSnifferErrors(page, label);
  const lines = results.violations.flatMap((v) => [
    `- ${v.id} (${v.impact ?? 'n/a'}): ${v.help}  ${v.helpUrl}`,
    ...v.nodes
      .slice(0, 5)
      .map((n) => `    ${n.target.join(' ')}  ${n.failureSummary?.split('\n').join(' ') ?? ''}`),
  ]);
  throw new Error(
    `axe found ${results.violations.length} accessibility violation(s) on ${label ?? page.url()}:\n${lines.join('\n')}`,
  );
}
