// Issue 17, "search that finds", in a real browser (Debian Chromium) against the real agent, local
// API and sandbox hub: the official samples dropped into the watched folder, then found by the
// buyer's name and by the amount typed either way (the others not), by VAT id, narrowed by invoice
// date and by capture date with the date-range control, its labels in Italian and English, and no
// console error or CSP violation on the way.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Harness } from '../helpers/harness.ts';
import { startUiAgent, type UiAgent } from '../helpers/ui-agent.ts';
import { samplesWithTotal } from '../helpers/search-samples.ts';
import { waitFor } from '../helpers/wait-for.ts';
import type { LocalApi } from '../../src/core/api/local-api-server.ts';
import { inPage, launchChromium, needsChromium, openRecordedPage, type PageElement } from '../helpers/chromium.ts';

const TOKEN = 'ui-search-token-'.padEnd(43, 's');
const STEP_TIMEOUT = 20_000;
const FPA01 = 'IT01234567890_FPA01.xml';
const FPA02 = 'IT01234567890_FPA02.xml';
const FPR01 = 'IT01234567890_FPR01.xml';

needsChromium().describe('search in the UI (Chromium)', () => {
  let ui: UiAgent | undefined;
  let harness: Harness;
  let api: LocalApi;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ui = await startUiAgent('recapito-ui-search-', TOKEN);
    ({ harness, api } = ui);
    browser = await launchChromium();
    ({ page } = await openRecordedPage(browser, { locale: 'it-IT', viewport: { width: 1280, height: 820 } }, consoleErrors));
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await ui?.close();
  });

  /** The names of the rows shown, once the list has settled on `expected` (or the wait fails, showing what was there). */
  const expectRows = async (expected: string[], what: string): Promise<void> => {
    let shown: string[] = [];
    try {
      await waitFor(
        what,
        async () => {
          shown = (
            await page.locator('tr[data-testid="document-row"] button.document-name').evaluateAll((rows: PageElement[]) => rows.map((r) => r.textContent ?? ''))
          ).sort();
          return JSON.stringify(shown) === JSON.stringify([...expected].sort());
        },
        STEP_TIMEOUT,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; the list shows ${JSON.stringify(shown)}`, { cause: error });
    }
  };
  const searchBox = () => page.getByRole('searchbox', { name: 'Cerca' });

  it('finds a dropped sample by the buyer name and by the amount, and not the others', async () => {
    await page.goto(`${api.url}/#token=${TOKEN}`);
    await page.getByText('Aggiornato in tempo reale').waitFor({ timeout: STEP_TIMEOUT });
    for (const { name, bytes } of samplesWithTotal('1234.50')) await writeFile(join(harness.dropDir, name), bytes);
    await expectRows([FPA01, FPA02, FPR01], 'the three samples listed');

    // The buyer of FPR01 is "DITTA BETA"; of FPA01 and FPA02 "AMMINISTRAZIONE BETA".
    await searchBox().fill('ditta beta');
    await expectRows([FPR01], 'the search by buyer name to find FPR01 only');
    await searchBox().fill('Amministraz');
    await expectRows([FPA01, FPA02], 'the search by a buyer name prefix to find the FPA samples');
    // FPR01's total is 1234.50 in the XML: found as a person types it, in both spellings.
    await searchBox().fill('1.234,50');
    await expectRows([FPR01], 'the search by amount (Italian) to find FPR01 only');
    await searchBox().fill('1234.50');
    await expectRows([FPR01], 'the search by amount (as in the XML) to find FPR01 only');
    await searchBox().fill('ditta 1234,5');
    await expectRows([FPR01], 'buyer and amount together');
    await searchBox().fill('amministrazione 1234,50');
    await expectRows([], 'no document with both');
    // FPA01 and FPA02 state no total: theirs are computed from the VAT summary (6.10 and 30.50),
    // and found the same way as a written one.
    await searchBox().fill('30,50');
    await expectRows([FPA02], 'the search by a computed amount (Italian) to find FPA02 only');
    await searchBox().fill('6.10');
    await expectRows([FPA01], 'the search by a computed amount (as in the XML) to find FPA01 only');
    await searchBox().fill('');
    await expectRows([FPA01, FPA02, FPR01], 'the full list back');
  });

  it('narrows by invoice date and by capture date with labelled date fields', async () => {
    const field = page.getByRole('combobox', { name: 'Filtra per' });
    await field.selectOption('invoice');
    // FPR01 is dated 2014-12-18, FPA01 and FPA02 2017-01-18.
    await page.getByLabel('Dal', { exact: true }).fill('2017-01-01');
    await expectRows([FPA01, FPA02], 'invoice dates from 2017');
    await page.getByLabel('Al', { exact: true }).fill('2016-12-31');
    await expectRows([], 'an empty invoice-date range');
    await page.getByLabel('Dal', { exact: true }).fill('2014-12-18');
    await page.getByLabel('Al', { exact: true }).fill('2014-12-18');
    await expectRows([FPR01], 'one invoice day, both ends included');
    await searchBox().fill('beta');
    await expectRows([FPR01], 'the search within the date range');
    await searchBox().fill('');

    // Capture date: today (the reader's day) holds all three, tomorrow none.
    await field.selectOption('captured');
    const today = (await inPage(page, "new Date().toLocaleDateString('sv-SE')")) as string;
    const tomorrow = (await inPage(page, "new Date(Date.now() + 86400000).toLocaleDateString('sv-SE')")) as string;
    await page.getByLabel('Al', { exact: true }).fill(today);
    await page.getByLabel('Dal', { exact: true }).fill(today);
    await expectRows([FPA01, FPA02, FPR01], 'captured today');
    await page.getByLabel('Al', { exact: true }).fill(tomorrow);
    await page.getByLabel('Dal', { exact: true }).fill(tomorrow);
    await expectRows([], 'nothing captured tomorrow');
    await page.getByRole('button', { name: 'Azzera date' }).click();
    await expectRows([FPA01, FPA02, FPR01], 'the dates cleared');
  });

  it('labels the search and the dates in English too, with no console error or CSP violation', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByRole('searchbox', { name: 'Search' }).fill('ditta');
    await expectRows([FPR01], 'the search in English');
    expect(await page.getByRole('combobox', { name: 'Filter by' }).count()).toBe(1);
    expect(await page.getByRole('option', { name: 'Invoice date' }).count()).toBe(1);
    expect(await page.getByLabel('From', { exact: true }).count()).toBe(1);
    expect(await page.getByLabel('To', { exact: true }).count()).toBe(1);
    expect(await page.getByRole('group', { name: 'Date range' }).count()).toBe(1);
    expect(await inPage(page, 'window.cspViolations')).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
