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

/** In-page helpers: colours parsed and blended, the background an element is painted on, WCAG's ratio. */
const COLOUR_FUNCTIONS = `
  const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
  const over = (top, bottom) => ({ r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a), b: top.b * top.a + bottom.b * (1 - top.a), a: 1 });
  const background = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) layers.push(parse(getComputedStyle(e).backgroundColor));
    return layers.reverse().reduce((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
  };
  const luminance = ({ r, g, b }) => [r, g, b].map((v) => { const c = v / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; }).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (fg, bg) => { const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x); return Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100; };
`;

/**
 * The contrast ratio of the text of each element `selector` finds against the background it is
 * painted on (its own and its ancestors' background colours, blended): for texts axe leaves
 * undecided because they are too short to be sure they are text, such as a one-digit count.
 */
export function textContrasts(page: Page, selector: string): Promise<{ text: string; ratio: number }[]> {
  return page.evaluate(`(() => {${COLOUR_FUNCTIONS}
    return [...document.querySelectorAll(${JSON.stringify(selector)})].map((element) => {
      const bg = background(element);
      return { text: element.textContent, ratio: ratio(over(parse(getComputedStyle(element).color), bg), bg) };
    });
  })()`);
}

/**
 * The focused element's focus ring against what it is drawn on: outside the element (a positive
 * offset) the parent's background, inside it (a negative offset) its own. WCAG 2.2 asks 3:1.
 */
export function focusRingContrast(page: Page): Promise<{ element: string; ratio: number } | null> {
  return page.evaluate(`(() => {${COLOUR_FUNCTIONS}
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const style = getComputedStyle(e);
    const name = e.tagName.toLowerCase() + (e.getAttribute('type') ? '[type=' + e.getAttribute('type') + ']' : '') + (e.matches(':focus-visible') ? '' : ' (not :focus-visible)') + ' ' + (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 30);
    if (style.outlineStyle === 'none') return { element: name, ratio: 0 };
    const bg = parseFloat(style.outlineOffset) < 0 ? background(e) : background(e.parentElement || e);
    return { element: name, ratio: ratio(over(parse(style.outlineColor), bg), bg) };
  })()`);
}
