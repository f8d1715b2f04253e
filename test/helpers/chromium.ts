// The local UI in Debian's Chromium (through playwright-core), shared by the browser tests: the
// browser as a requirement (skipped with the install command when missing, failing under CI),
// building the UI from the current sources, and a page that records CSP violations and console errors.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type ConsoleMessage, type Page } from 'playwright-core';
import { needs, type Requirement } from './system-tools.ts';

/** Debian's Chromium (RECAPITO_CHROMIUM points at another build; see system-tools-data.ts). */
export const needsChromium = (): Requirement => needs('chromium');
/** Its path, for tests that launch it themselves (only inside a needsChromium() block). */
export const chromiumPath = (): string => needsChromium().path('chromium');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Builds the current sources into `outDir` (not whatever dist/ui holds). */
export async function buildUi(outDir: string): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: REPO },
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}

/**
 * A page whose CSP violations land in `window.cspViolations` (injected by the test, not by the
 * page, so the CSP does not apply to it) and whose console and page errors land in `errors`;
 * `describeError` words a console error, or returns null for one the test expects.
 */
export async function openRecordedPage(
  browser: Browser,
  options: BrowserContextOptions,
  errors: string[],
  describeError: (message: ConsoleMessage) => string | null = (message) => message.text(),
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(options);
  await context.addInitScript({
    content:
      "window.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    const described = message.type() === 'error' ? describeError(message) : null;
    if (described !== null) errors.push(described);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return { context, page };
}

/**
 * The DOM members the tests' page functions (`locator.evaluateAll`) use. The tests are compiled
 * without the DOM library, where Playwright's `Element` does not resolve: the parameter says what
 * the function relies on instead.
 */
export interface PageElement {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
}

/** Evaluates a browser-side expression (a string: the tests are compiled without the DOM library). */
export function inPage(target: Page, expression: string): Promise<unknown> {
  return target.evaluate(expression);
}
