import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/**
 * axe-core run inside a playwright-core page (Deque's `@axe-core/playwright` wants Node 22; this is the same
 * engine, injected by hand). The script is axe-core's own `axe.min.js`, added as a script tag; the pages'
 * Content-Security-Policy allows scripts from their own origin only, so the browser context that runs this
 * must be made with `bypassCSP: true` (the policy itself is tested in web-browser.spec.ts).
 */
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** WCAG 2.0 and 2.1, levels A and AA: the rules run. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

export type AxeImpact = 'minor' | 'moderate' | 'serious' | 'critical';

export interface AxeViolation {
  /** The rule, e.g. `color-contrast`, `label`, `button-name`. */
  id: string;
  impact: AxeImpact | null;
  help: string;
  helpUrl: string;
  /** Each failing element: its CSS selector and axe's summary of what to fix. */
  nodes: { target: string; summary: string }[];
}

/** Runs axe on the page as it is now (WCAG 2.0/2.1 A and AA) and returns every violation, worst first. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate<boolean>('typeof window.axe === "object"'))) await page.addScriptTag({ path: AXE_SCRIPT });
  const tags = JSON.stringify(WCAG_TAGS);
  // Passed as a string: the project's types have no DOM.
  const found = await page.evaluate<AxeViolation[]>(`window.axe.run(document, { runOnly: { type: 'tag', values: ${tags} }, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact ?? null, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(' '), summary: n.failureSummary ?? '' })),
    })))`);
  const rank: Record<string, number> = { critical: 0, serious: 1, moderate: 2, minor: 3 };
  return found.sort((a, b) => (rank[a.impact ?? 'minor'] ?? 4) - (rank[b.impact ?? 'minor'] ?? 4));
}

/** The violations that fail the build: impact serious or critical. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  return (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Violations as lines a failing test can print: rule, impact, help, then each element and what to fix. */
export function describeViolations(where: string, violations: readonly AxeViolation[]): string[] {
  return violations.flatMap((v) => [
    `${where}: ${v.id} (${v.impact}) ${v.help} ${v.helpUrl}`,
    ...v.nodes.slice(0, 5).map((n) => `    ${n.target}: ${n.summary.replace(/\s+/g, ' ').trim()}`),
    ...(v.nodes.length > 5 ? [`    … and ${v.nodes.length - 5} more`] : []),
  ]);
}
