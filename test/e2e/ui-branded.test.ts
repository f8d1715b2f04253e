// The local UI with a reseller's branding (docs/white-label.md) in real Chromium against a real
// agent: the brand's name in the header, the title and the texts, its logo loaded, its accent colour
// in the computed styles with the text colour the palette chose, its support contact in the footer,
// all under the strict CSP. UPDATE_UI_SCREENSHOT=1 refreshes docs/ui-branded-screenshot.png.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startUiAgent, type UiAgent } from '../helpers/ui-agent.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { REPO, inPage, launchChromium, needsChromium, openRecordedPage } from '../helpers/chromium.ts';
import { writeBrandingFolder } from '../helpers/branding.ts';
import { loadBranding } from '../../src/core/config/branding.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const SCREENSHOT_COPY = join(REPO, 'docs', 'ui-branded-screenshot.png');
const TOKEN = 'ui-branded-token-'.padEnd(43, 'b');
const STEP_TIMEOUT = 20_000;

needsChromium().describe('branded UI in Chromium', () => {
  let ui: UiAgent | undefined;
  let brandingTemp: { dir: string; cleanup: () => Promise<void> } | undefined;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    brandingTemp = await makeTempDir('recapito-branded-');
    const file = await writeBrandingFolder(join(brandingTemp.dir, 'branding'));
    const branding = await loadBranding({ env: { RECAPITO_BRANDING: file } });
    expect(branding.view.warnings).toEqual([]);
    ui = await startUiAgent('recapito-ui-branded-', TOKEN, { branding });
    browser = await launchChromium();
    ({ page } = await openRecordedPage(browser, { locale: 'it-IT', viewport: { width: 1280, height: 760 } }, consoleErrors));
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await ui?.close();
    await brandingTemp?.cleanup();
  });

  it('shows the brand: name, title, logo, accent colour, support contact; no word of Recapito', async () => {
    const { harness, api } = ui!;
    const fixtures = join(REPO, 'test', 'fixtures', 'fatturapa');
    await writeFile(join(harness.dropDir, 'IT01234567890_FPR01.xml'), await readFile(join(fixtures, 'IT01234567890_FPR01.xml')));
    await writeFile(join(harness.dropDir, 'Fattura 2024-17.pdf'), makePdf('fattura 17'));
    await writeFile(join(harness.dropDir, 'Fattura 2024-18.pdf'), makePdf('fattura 18'));

    // Every change of the page while it loads: the Recapito name must never show, not even for a moment.
    await page.addInitScript({
      content:
        "window.sawRecapito = false; new MutationObserver(() => { if (document.body && document.body.innerText.includes('Recapito')) window.sawRecapito = true; }).observe(document, { subtree: true, childList: true, characterData: true });",
    });
    await page.goto(`${api.url}/#token=${TOKEN}`);
    await page.locator('[data-testid="brand-name"]', { hasText: 'Rossi Fatture Connect' }).waitFor({ timeout: STEP_TIMEOUT });
    await waitFor(
      'three documents delivered',
      async () => (await page.locator('tr[data-testid="document-row"] .badge', { hasText: 'Consegnata' }).count()) === 3,
    );

    expect(await page.title()).toBe('Rossi Fatture Connect');
    // The logo is the brand's, and it loaded (an image the CSP or the route refused has no size).
    const logo = page.locator('[data-testid="brand-logo"]');
    expect(await logo.getAttribute('src')).toBe('/api/v1/branding/logo');
    await waitFor('the logo loaded', async () => (await logo.evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth)) > 0);
    expect(await inPage(page, `document.querySelector('link[rel="icon"]').getAttribute('href')`)).toBe('/api/v1/branding/logo');

    // The accent, as the browser computes it: the variable, a selected chip's fill and its text.
    expect(await inPage(page, "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()")).toBe('#0f766e');
    await page.locator('button.chip[data-state="delivered"]').click();
    const chip = page.locator('button.chip.selected');
    await chip.waitFor({ timeout: STEP_TIMEOUT });
    const chipStyle = await chip.evaluate((element) => {
      const style = (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string; color: string } }).getComputedStyle(element);
      return { background: style.backgroundColor, color: style.color };
    });
    expect(chipStyle).toEqual({ background: 'rgb(15, 118, 110)', color: 'rgb(255, 255, 255)' });

    // Support contact and the name in the footer; the Italian texts carry the brand's name.
    const footer = page.locator('[data-testid="support-footer"]');
    expect(await footer.textContent()).toContain('Rossi Fatture Connect');
    expect(await footer.locator('[data-testid="support-email"]').getAttribute('href')).toBe('mailto:assistenza@rossi-fatture.example');
    expect(await footer.locator('[data-testid="support-phone"]').getAttribute('href')).toBe('tel:+390212345678');
    expect(await footer.locator('[data-testid="support-url"]').getAttribute('href')).toBe('https://rossi-fatture.example/assistenza');
    expect(await inPage(page, 'document.body.innerText')).not.toContain('Recapito');
    expect(await inPage(page, 'window.sawRecapito')).toBe(false);

    await page.locator('button.chip[data-state="delivered"]').click(); // the whole list again, for the picture
    await waitFor('the full list back', async () => (await page.locator('tr[data-testid="document-row"]').count()) === 3);
    await page.mouse.move(0, 0);
    const shot = join(ui!.temp.dir, 'ui-branded.png');
    await page.screenshot({ path: shot });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);
    if (process.env['UPDATE_UI_SCREENSHOT'] === '1') await copyFile(shot, SCREENSHOT_COPY);

    expect(await inPage(page, 'window.cspViolations')).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('brands the token screen too, before the page has a token', async () => {
    const fresh = await browser.newPage();
    try {
      await fresh.goto(`${ui!.api.url}/`);
      await fresh.locator('.token-card h1', { hasText: 'Rossi Fatture Connect' }).waitFor({ timeout: STEP_TIMEOUT });
      expect(await fresh.title()).toBe('Rossi Fatture Connect');
      expect(await fresh.locator('[data-testid="support-email"]').textContent()).toBe('assistenza@rossi-fatture.example');
      expect(await inPage(fresh, 'document.body.innerText')).not.toContain('Recapito');
      if (process.env['UI_SCREENSHOT_DIR']) await fresh.screenshot({ path: join(process.env['UI_SCREENSHOT_DIR'], 'ui-branded-token.png') });
    } finally {
      await fresh.close();
    }
  });
});
