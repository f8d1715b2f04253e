// axe-core in the browser tests (docs/ui.md, "Accessibility"): its source is evaluated in the page
// through the DevTools protocol, which the page's CSP (script-src 'self') does not apply to, so the
// page keeps its real CSP; then axe.run() scans the whole document with every rule axe enables by
// default (WCAG 2.x A and AA, best practices). The tests fail on `serious` and `critical` findings.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** One finding as axe-core reports it (the members the tests read). */
export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

let source: Promise<string> | undefined;

function axeSource(): Promise<string> {
  source ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return source;
}

/** Runs axe-core on the page as it is now; returns the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if ((await page.evaluate('typeof window.axe')) !== 'object') await page.evaluate(await axeSource());
  const violations = await page.evaluate<AxeViolation[]>(
    "window.axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })) })))",
  );
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The violations as a person reads them: rule, impact, what it asks, and each element with why. */
export function describeViolations(where: string, violations: readonly AxeViolation[]): string {
  if (violations.length === 0) return `${where}: none`;
  const lines = [`${where}: ${violations.length} serious or critical axe violation(s)`];
  for (const v of violations) {
    lines.push(`- ${v.id} (${v.impact ?? '?'}): ${v.help} ${v.helpUrl}`);
    for (const node of v.nodes.slice(0, 8)) {
      lines.push(`    ${JSON.stringify(node.target)} ${node.html.slice(0, 160)}`);
      if (node.failureSummary) lines.push(`      ${node.failureSummary.replace(/\n/g, '\n      ')}`);
    }
    if (v.nodes.length > 8) lines.push(`    … and ${v.nodes.length - 8} more`);
  }
  return lines.join('\n');
}
