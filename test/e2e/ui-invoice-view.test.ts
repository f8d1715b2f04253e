// The invoice view in a real browser (Debian Chromium through playwright-core) against the real
// agent, local API and sandbox hub: each official sample, a batch, a signed .p7m and a simplified
// FSM10 laid out as a document, with the parties, lines and totals read from the page (FPR01's total
// computed from its VAT summary); hostile text shown as text; an attachment downloaded as bytes,
// with the route's safe headers; the same page in English; a screenshot for docs/ui.md.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import type { Harness } from '../helpers/harness.ts';
import { startUiAgent, type UiAgent } from '../helpers/ui-agent.ts';
import { distinctSamples } from '../helpers/fixtures.ts';
import { buildP7m, createTestSigner } from '../helpers/p7m.ts';
import { ATTACHMENT_TEXT, HOSTILE_DESCRIPTION, batchInvoice, richInvoice, simplifiedInvoice } from '../helpers/invoice-view-samples.ts';
import type { LocalApi } from '../../src/core/api/local-api-server.ts';
import { inPage, launchChromium, needsChromium, openRecordedPage } from '../helpers/chromium.ts';
import { docsScreenshot } from '../helpers/docs-screenshot.ts';

const TOKEN = 'ui-invoice-view-test-token-'.padEnd(43, 'v');
const STEP_TIMEOUT = 20_000;

const BATCH_NAME = 'IT01234567890_00010.xml';
const SIMPLIFIED_NAME = 'IT01234567890_00011.xml';
const SIGNED_NAME = 'IT01234567890_00012.xml.p7m';

/** What a reader sees of one invoice page. */
interface PageReading {
  type: string;
  number: string;
  seller: string;
  buyer: string;
  lines: string[];
  lineTotals: string[];
  total: string;
  computed: string | null;
}

async function readDoc(doc: Locator): Promise<PageReading> {
  const total = doc.locator('[data-testid="invoice-total"]');
  return {
    type: (await doc.locator('[data-testid="invoice-type"]').innerText()).replace(/\s+/g, ' '),
    number: (await doc.locator('[data-testid="invoice-number"]').innerText()).replace(/\s+/g, ' '),
    seller: await doc.locator('[data-testid="invoice-seller-name"]').innerText(),
    buyer: await doc.locator('[data-testid="invoice-buyer-name"]').innerText(),
    lines: await doc.locator('[data-testid="invoice-line-description"]').allInnerTexts(),
    lineTotals: await doc.locator('[data-testid="invoice-line-total"]').allInnerTexts(),
    total: await doc.locator('[data-testid="invoice-total-amount"]').innerText(),
    computed: await total.getAttribute('data-computed'),
  };
}

needsChromium().describe('the invoice view in the local UI', () => {
  let ui: UiAgent | undefined;
  let temp: UiAgent['temp'];
  let harness: Harness;
  let api: LocalApi;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ui = await startUiAgent('recapito-ui-invoice-view-', TOKEN);
    ({ temp, harness, api } = ui);
    browser = await launchChromium();
    ({ page } = await openRecordedPage(browser, { locale: 'it-IT', viewport: { width: 1280, height: 1100 }, acceptDownloads: true }, consoleErrors));
    await page.goto(`${api.url}/#token=${TOKEN}`);
    await page.getByText('Aggiornato in tempo reale').waitFor({ timeout: STEP_TIMEOUT });

    // Each official sample (FPA02 renumbered: it is FPA01's invoice again), a batch whose numbers
    // no other file uses, the simplified invoice, and the invoice with every block, signed.
    for (const sample of distinctSamples()) await writeFile(join(harness.dropDir, sample.name), sample.bytes);
    const batch = batchInvoice()
      .toString('utf8')
      .replace('<Numero>123</Numero>', '<Numero>223</Numero>')
      .replace('<Numero>124</Numero>', '<Numero>224</Numero>');
    await writeFile(join(harness.dropDir, BATCH_NAME), batch);
    await writeFile(join(harness.dropDir, SIMPLIFIED_NAME), simplifiedInvoice());
    await writeFile(join(harness.dropDir, SIGNED_NAME), await buildP7m(richInvoice(), await createTestSigner()));
  }, 90_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await ui?.close();
  });

  const row = (name: string) => page.locator('tr[data-testid="document-row"]', { hasText: name });
  const panel = () => page.locator('[data-testid="detail-panel"]');
  const view = () => page.locator('[data-testid="invoice-view"]');
  const docs = () => view().locator('[data-testid="invoice-doc"]');

  /** Opens the document's detail, then its invoice view, and waits for `pages` pages. */
  const openView = async (name: string, pages = 1) => {
    // A test that failed with the view open must not block the next one.
    if ((await view().count()) > 0) await view().locator('[data-testid="invoice-view-close"]').click();
    await row(name).locator('[data-testid="invoice-line"]').waitFor({ timeout: STEP_TIMEOUT });
    await row(name).locator('button.document-name').click();
    await panel().locator('h2', { hasText: name }).waitFor({ timeout: STEP_TIMEOUT });
    await panel().locator('[data-testid="invoice-view-open"]').click();
    await docs()
      .nth(pages - 1)
      .waitFor({ timeout: STEP_TIMEOUT });
    expect(await docs().count()).toBe(pages);
  };
  const closeView = async () => {
    await page.keyboard.press('Escape');
    await view().waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
    // Escape closed the view only, not the panel under it.
    expect(await panel().count()).toBe(1);
  };

  it('FPA01: the PA invoice with seller, buyer, its line and the total computed from the VAT summary', async () => {
    await openView('IT01234567890_FPA01.xml');
    expect(await readDoc(docs().first())).toEqual({
      type: 'Fattura TD01',
      number: 'N. 123 del 18/01/2017',
      seller: 'ALPHA SRL',
      buyer: 'AMMINISTRAZIONE BETA',
      lines: ['DESCRIZIONE DELLA FORNITURA'],
      lineTotals: ['5,00'],
      total: '6,10 EUR',
      computed: 'true',
    });
    const seller = await docs().first().locator('[data-testid="invoice-seller"]').innerText();
    expect(seller).toContain('VIALE ROMA 543');
    expect(seller).toContain('IT01234567890');
    expect(await docs().first().locator('[data-testid="invoice-total"]').innerText()).toContain('calcolato dal riepilogo IVA');
    expect(await docs().first().locator('[data-testid="invoice-vat-row"]').allInnerTexts()).toEqual(['22,00%\t5,00\t1,10\timmediata']);
    expect(await docs().first().locator('[data-testid="invoice-payment"] td').allInnerTexts()).toEqual([
      'contanti\npagamento a rate',
      '18/02/2017',
      '6,10 EUR',
      '',
    ]);
    await closeView();
  });

  it('FPA02: two lines with quantities and prices, total 30,50 EUR', async () => {
    await openView('IT01234567890_FPA02.xml');
    const reading = await readDoc(docs().first());
    expect(reading).toMatchObject({
      number: 'N. 124 del 18/01/2017',
      seller: 'ALPHA SRL',
      lineTotals: ['5,00', '20,00'],
      total: '30,50 EUR',
      computed: 'true',
    });
    expect(reading.lines[1]).toBe('FORNITURE VARIE PER UFFICIO');
    expect(await docs().first().locator('[data-testid="invoice-line-quantity"]').allInnerTexts()).toEqual(['5,00', '10,00']);
    await closeView();
  });

  it('FPR01: the total the summary gives, where the file has none (no more "Totale —")', async () => {
    await openView('IT01234567890_FPR01.xml');
    expect(await readDoc(docs().first())).toEqual({
      type: 'Fattura TD01',
      number: 'N. 123 del 18/12/2014',
      seller: "SOCIETA' ALPHA SRL",
      buyer: 'DITTA BETA',
      lines: ['DESCRIZIONE DELLA FORNITURA'],
      lineTotals: ['5,00'],
      total: '6,10 EUR',
      computed: 'true',
    });
    // The list computed the same figure at capture (one rule), and marks it.
    expect(await row('IT01234567890_FPR01.xml').locator('[data-testid="invoice-line"]').textContent()).toContain('6,10 EUR (calcolato)');
    await closeView();
  });

  it('a batch: one page per invoice, each with its own lines and total', async () => {
    await openView(BATCH_NAME, 2);
    const [first, second] = [await readDoc(docs().nth(0)), await readDoc(docs().nth(1))];
    expect([first.number, first.lines, first.total, first.computed]).toEqual(['N. 223 del 18/12/2014', ['DESCRIZIONE DELLA FORNITURA'], '6,10 EUR', 'true']);
    expect([second.number, second.lines, second.total, second.computed]).toEqual(['N. 224 del 19/12/2014', ['SECONDA FORNITURA'], '7,32 EUR', 'false']);
    expect(await docs().nth(1).locator('.invoice-doc-count').innerText()).toBe('Documento 2 di 2 nel file');
    await closeView();
  });

  it('a simplified FSM10: its parties, lines with VAT as amount or rate, the lines summed', async () => {
    await openView(SIMPLIFIED_NAME);
    expect(await readDoc(docs().first())).toEqual({
      type: 'Fattura semplificata TD07',
      number: 'N. S-17 del 15/03/2024',
      seller: 'OFFICINA DELTA SNC',
      buyer: 'ANNA BIANCHI',
      lines: ['RIPARAZIONE BICICLETTA', "CAMERA D'ARIA"],
      lineTotals: ['100,00', '22,00'],
      total: '122,00 EUR',
      computed: 'true',
    });
    expect(await docs().first().locator('[data-testid="invoice-line"] td:last-child').allInnerTexts()).toEqual(['imposta 18,03', '22,00%']);
    await closeView();
  });

  it('a signed .p7m with every block; hostile text shown as text; the attachment downloaded', async () => {
    await openView(SIGNED_NAME);
    const doc = docs().first();
    const reading = await readDoc(doc);
    expect(reading).toMatchObject({
      seller: 'MARIO ROSSI',
      buyer: 'GAMMA & FIGLI S.R.L. <b>',
      lineTotals: ['450,00', '2,00'],
      total: '551,00 EUR',
      computed: 'false',
    });
    expect(reading.lines[0]).toBe(HOSTILE_DESCRIPTION);
    // The picture for docs/ui.md: the page's top, as it opens.
    // Tall enough to show the whole page, as a reader scrolling it would see it.
    await docsScreenshot(page, { name: 'ui-invoice-view', tempDir: temp.dir, viewport: { width: 1280, height: 1330 }, minBytes: 20_000 });
    expect(await view().locator('script, img').count()).toBe(0);
    expect(await inPage(page, 'window.__pwned === undefined')).toBe(true);
    expect(await doc.innerText()).toContain('File firmato digitalmente (.p7m)');

    const lines = doc.locator('[data-testid="invoice-line"]');
    expect(await lines.nth(0).innerText()).toContain('sconto −10,00%');
    expect(await lines.nth(1).innerText()).toContain('N1 – escluse ex art. 15 DPR 633/72');
    expect(await doc.locator('[data-testid="invoice-withholding"]').innerText()).toBe(
      'Ritenuta – ritenuta persone fisiche\naliquota 20,00% · causale A\n90,00 EUR',
    );
    expect(await doc.locator('[data-testid="invoice-stamp"]').innerText()).toBe('Imposta di bollo\nassolta in modo virtuale\n2,00 EUR');
    expect(await doc.locator('[data-testid="invoice-payment"] td').allInnerTexts()).toEqual([
      'bonifico\npagamento completo',
      '30/04/2024',
      '461,00 EUR',
      'IT60 X054 2811 1010 0000 0123 456\nBANCA DI ESEMPIO',
    ]);

    const attachment = doc.locator('[data-testid="invoice-attachment"]');
    expect(await attachment.innerText()).toContain('../dettaglio "ore".txt');
    const [download] = await Promise.all([page.waitForEvent('download'), attachment.locator('[data-testid="invoice-attachment-download"]').click()]);
    expect(download.suggestedFilename()).toBe('dettaglio _ore_.txt');
    const saved = join(temp.dir, 'attachment.txt');
    await download.saveAs(saved);
    expect(await readFile(saved, 'utf8')).toBe(ATTACHMENT_TEXT);

    // The route itself: bytes as a download the browser never renders.
    const id = await row(SIGNED_NAME).getAttribute('data-id');
    const response = await fetch(`${api.url}/api/v1/documents/${id}/invoice/attachments/0/0`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="dettaglio _ore_.txt"/);
    expect(await response.text()).toBe(ATTACHMENT_TEXT);
    const missing = await fetch(`${api.url}/api/v1/documents/${id}/invoice/attachments/0/1`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(missing.status).toBe(404);
  });

  it('prints only the invoice pages', async () => {
    await page.emulateMedia({ media: 'print' });
    try {
      expect(await inPage(page, "getComputedStyle(document.querySelector('.invoice-toolbar')).display")).toBe('none');
      expect(await inPage(page, 'getComputedStyle(document.querySelector(\'[data-testid="detail-panel"]\')).visibility')).toBe('hidden');
      expect(await inPage(page, 'getComputedStyle(document.querySelector(\'[data-testid="invoice-doc"]\')).visibility')).toBe('visible');
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
  });

  it('says the same in English', async () => {
    await closeView();
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await panel().locator('[data-testid="invoice-view-open"]', { hasText: 'View invoice' }).click();
    const doc = docs().first();
    await doc.waitFor({ timeout: STEP_TIMEOUT });
    expect(await doc.locator('[data-testid="invoice-number"]').innerText()).toMatch(/^No\. 2024\/17 of \d{2}\/\d{2}\/2024$/);
    expect(await doc.locator('[data-testid="invoice-type"]').innerText()).toContain('Invoice');
    expect(await doc.locator('[data-testid="invoice-total"]').innerText()).toMatch(/^Document total\n551\.00 EUR$/);
    expect(await doc.locator('[data-testid="invoice-line"]').nth(1).innerText()).toContain('N1 – excluded under art. 15 DPR 633/72');
    expect(await doc.locator('[data-testid="invoice-payment"]').innerText()).toContain('bank transfer');
    await closeView();
  });

  it('logged no console error and no CSP violation', async () => {
    expect(consoleErrors).toEqual([]);
    expect(await inPage(page, 'window.cspViolations')).toEqual([]);
  });
});
