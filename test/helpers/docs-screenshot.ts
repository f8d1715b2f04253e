// The screenshots the docs show (docs/ui-*-screenshot.png): taken at every run into the test's temp
// folder and checked to be a real picture; copied into docs/ only with UPDATE_UI_SCREENSHOT=1 (they
// change at every run: times, ids), and into UI_SCREENSHOT_DIR when set, for a person to look at.
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO } from './chromium.ts';

const DOCS = join(REPO, 'docs');

export async function docsScreenshot(
  page: Page,
  options: {
    /** docs/<name>-screenshot.png, and <name>.png in the temp folder and UI_SCREENSHOT_DIR. */
    name: string;
    tempDir: string;
    /** Taken at this size, then the viewport goes back to what it was. */
    viewport?: { width: number; height: number };
    /** A picture smaller than this is a blank or broken page. */
    minBytes?: number;
  },
): Promise<string> {
  const shot = join(options.tempDir, `${options.name}.png`);
  const before = page.viewportSize();
  if (options.viewport) await page.setViewportSize(options.viewport);
  await page.screenshot({ path: shot });
  if (options.viewport && before) await page.setViewportSize(before);
  if ((await stat(shot)).size <= (options.minBytes ?? 10_000)) throw new Error(`the screenshot ${shot} is too small to show the page`);
  if (process.env['UPDATE_UI_SCREENSHOT'] === '1') {
    await mkdir(DOCS, { recursive: true });
    await copyFile(shot, join(DOCS, `${options.name}-screenshot.png`));
  }
  const keepDir = process.env['UI_SCREENSHOT_DIR'];
  if (keepDir) await copyFile(shot, join(keepDir, `${options.name}.png`));
  return shot;
}
