// The local UI in Debian's Chromium (through playwright-core), shared by the browser tests: where
// the browser is, what to do when it is missing (skip loudly here, fail in CI), building the UI from
// the current sources, and a page that records CSP violations and console errors.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type ConsoleMessage, type Page } from 'playwright-core';

/** Debian's Chromium; RECAPITO_CHROMIUM points elsewhere (another system, or to check the missing-browser path). */
export const CHROMIUM = process.env['RECAPITO_CHROMIUM'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Whether the browser tests of `what` can run. Without Chromium they skip with a loud reason, except
 * under CI=true, where a test named "has Debian Chromium in CI" is registered and fails.
 */
export function chromiumFor(what: string): boolean {
  const haveChromium = existsSync(CHROMIUM);
  if (haveChromium) return true;
  if (process.env['CI'] !== 'true') {
    console.warn(`\n!!! SKIPPING the ${what} browser test: ${CHROMIUM} is missing. Install it with "apt-get install chromium" (or set RECAPITO_CHROMIUM) (CI installs it and fails without it).\n`);
    return false;
  }
  describe(`${what} browser test prerequisites`, () => {
    it('has Debian Chromium in CI', () => {
      expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: CI must install the chromium package for the UI test`).toBe(true);
    });
  });
  return false;
}

/** Builds the current sources into `outDir` (not whatever dist/ui holds). */
export async function buildUi(outDir: string): Promise<void> {
  await promisify(execFile)(process.execPath, [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: REPO });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
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
    content: "window.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    const described = message.type() === 'error' ? describeError(message) : null;
    if (described !== null) errors.push(described);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return { context, page };
}

/** Evaluates a browser-side expression (a string: the tests are compiled without the DOM library). */
export function inPage(target: Page, expression: string): Promise<unknown> {
  return target.evaluate(expression);
}
