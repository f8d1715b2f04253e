// What the agent read out of each invoice, in a real browser (Debian Chromium through playwright-core)
// against the real agent, local API and sandbox hub: the official FPR01 sample's line in the list
// (number, buyer, the total computed from its VAT summary marked "calcolato", "2 avvisi"), found by
// that amount in the search box, its Fattura and Controlli sections in Italian and English, a batch
// with its total in the Italian format, a sample with a schema error (invalid, the error in
// Italian), and a PDF whose number, date and total are marked as guessed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import type { Harness } from '../helpers/harness.ts';
import { startUiAgent, type UiAgent } from '../helpers/ui-agent.ts';
import { fixture, makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import type { LocalApi } from '../../src/core/api/local-api-server.ts';
import { formatInvoiceDate, formatTotal, formatXmlAmount } from '../../src/renderer/ui/invoice-format.ts';
import { inPage, launchChromium, needsChromium, openRecordedPage, type PageElement } from '../helpers/chromium.ts';
import { docsScreenshot } from '../helpers/docs-screenshot.ts';

const TOKEN = 'ui-invoice-test-token-'.padEnd(43, 'k');
const STEP_TIMEOUT = 20_000;
/** Set UI_SCREENSHOT_DIR to keep more screenshots for a person checking the look. */
const keepDir = process.env['UI_SCREENSHOT_DIR'];

const SAMPLE_NAME = 'IT01234567890_FPR01.xml';
const BATCH_NAME = 'IT01234567890_00003.xml';
const BROKEN_NAME = 'IT01234567890_00002.xml';
const PDF_NAME = 'Fattura 42.pdf';

/** Replaces `from` once, failing loudly when the sample no longer holds it. */
function edit(xml: string, from: string | RegExp, to: string): string {
  const changed = xml.replace(from, to);
  if (changed === xml) throw new Error(`the FPR01 sample no longer holds ${String(from)}`);
  return changed;
}

/** The sample renumbered 124 with a total of 1220.00, plus a second invoice 125 of 35.50: a batch. */
function batchOf(sample: string): string {
  const renumbered = edit(
    edit(sample, '<ProgressivoInvio>00001</ProgressivoInvio>', '<ProgressivoInvio>00003</ProgressivoInvio>'),
    '<Numero>123</Numero>',
    '<Numero>124</Numero><ImportoTotaleDocumento>1220.00</ImportoTotaleDocumento>',
  );
  const body = /<FatturaElettronicaBody>[\s\S]*<\/FatturaElettronicaBody>/.exec(renumbered)?.[0];
  if (!body) throw new Error('the FPR01 sample has no FatturaElettronicaBody');
  const second = edit(edit(body, '<Numero>124</Numero>', '<Numero>125</Numero>'), '1220.00', '35.50');
  return edit(renumbered, body, `${body}\n  ${second}`);
}

describe('invoice values in the reader format', () => {
  it('regroups XML amounts without rounding and leaves printed ones alone', () => {
    expect(formatXmlAmount('1220.00', 'it-IT')).toBe('1.220,00');
    expect(formatXmlAmount('1220.00', 'en-GB')).toBe('1,220.00');
    expect(formatXmlAmount('-12345678901234567.891', 'it-IT')).toBe('-12.345.678.901.234.567,891');
    expect(formatXmlAmount('5', 'it-IT')).toBe('5');
    expect(formatTotal('1.220,00', null, true, 'it-IT')).toBe('1.220,00');
    expect(formatTotal('1220.00', 'EUR', false, 'it-IT')).toBe('1.220,00 EUR');
    expect(formatTotal(null, 'EUR', false, 'it-IT')).toBe('');
    expect(formatInvoiceDate('2014-12-18', 'it-IT')).toBe('18/12/2014');
    expect(formatInvoiceDate('18/12/2014', 'it-IT')).toBe('18/12/2014');
  });
});

needsChromium().describe('invoice data and checks in the local UI', () => {
  let ui: UiAgent | undefined;
  let temp: UiAgent['temp'];
  let harness: Harness;
  let api: LocalApi;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ui = await startUiAgent('recapito-ui-invoice-', TOKEN);
    ({ temp, harness, api } = ui);
    browser = await launchChromium();
    ({ page } = await openRecordedPage(browser, { locale: 'it-IT', viewport: { width: 1280, height: 1000 } }, consoleErrors));
    await page.goto(`${api.url}/#token=${TOKEN}`);
    await page.getByText('Aggiornato in tempo reale').waitFor({ timeout: STEP_TIMEOUT });
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await ui?.close();
  });

  const row = (name: string) => page.locator('tr[data-testid="document-row"]', { hasText: name });
  const panel = () => page.locator('[data-testid="detail-panel"]');
  /** Each row's cells as the reader sees them. */
  const cells = async (rows: Locator) => Promise.all((await rows.all()).map((one) => one.locator('td').allInnerTexts()));
  const open = async (name: string) => {
    await row(name).locator('button.document-name').click();
    await panel().locator('h2', { hasText: name }).waitFor({ timeout: STEP_TIMEOUT });
  };

  it('lists the official FPR01 sample with its number, buyer, date and "2 avvisi"', async () => {
    await writeFile(join(harness.dropDir, SAMPLE_NAME), fixture('fatturapa', SAMPLE_NAME));
    const line = row(SAMPLE_NAME).locator('[data-testid="invoice-line"]');
    await line.waitFor({ timeout: STEP_TIMEOUT });
    // The sample states no ImportoTotaleDocumento: the line shows the total of its VAT summary
    // (5,00 + 1,10), marked as computed.
    expect(await line.textContent()).toBe('Fattura 123 del 18/12/2014 · Cessionario: DITTA BETA · 6,10 EUR (calcolato)');
    const mark = line.locator('[data-testid="invoice-total-computed"]');
    expect(await mark.textContent()).toBe(' (calcolato)');
    expect(await mark.getAttribute('title')).toContain('riepilogo IVA');
    expect(await line.getAttribute('data-guessed')).toBe('false');
    await row(SAMPLE_NAME).locator('[data-testid="warnings-marker"]', { hasText: '⚠ 2 avvisi' }).waitFor({ timeout: STEP_TIMEOUT });
  });

  it('shows a batch with its total in the Italian format and how many more invoices it holds', async () => {
    // After the sample is in: 124 and 125 then follow 123 with no numbering gap.
    await writeFile(join(harness.dropDir, BATCH_NAME), batchOf(fixture('fatturapa', SAMPLE_NAME).toString('utf8')));
    const line = row(BATCH_NAME).locator('[data-testid="invoice-line"]');
    await line.waitFor({ timeout: STEP_TIMEOUT });
    expect(await line.textContent()).toBe('Fattura 124 del 18/12/2014 · Cessionario: DITTA BETA · 1.220,00 EUR + 1 altra');

    await open(BATCH_NAME);
    const bodies = panel().locator('[data-testid="invoice-body"]');
    await bodies.nth(1).waitFor({ timeout: STEP_TIMEOUT });
    expect(await cells(bodies)).toEqual([
      ['Fattura\nTD01', '124', '18/12/2014', '1.220,00 EUR'],
      ['Fattura\nTD01', '125', '18/12/2014', '35,50 EUR'],
    ]);
  });

  it('finds the official FPR01 sample by its computed total, typed as a person types it', async () => {
    const names = () => page.locator('tr[data-testid="document-row"] button.document-name').allTextContents();
    const search = page.getByRole('searchbox', { name: 'Cerca' });
    // 6,10 is the sample's VAT summary (5,00 + 1,10): the file states no total. The batch's are
    // 1.220,00 and 35,50, so each spelling must find the sample alone.
    for (const typed of ['6,10', '6.10', '6,1']) {
      await search.fill(typed);
      await waitFor(`the search "${typed}" to list the sample only`, async () => JSON.stringify(await names()) === JSON.stringify([SAMPLE_NAME]), STEP_TIMEOUT);
      expect(await row(SAMPLE_NAME).locator('[data-testid="invoice-line"]').textContent()).toContain('· 6,10 EUR (calcolato)');
    }
    await search.fill('');
    await waitFor('the full list back', async () => (await names()).length === 2, STEP_TIMEOUT);
  });

  it('opens the sample: the Fattura section with both parties and the body, Controlli with the two warnings in Italian', async () => {
    await open(SAMPLE_NAME);
    const section = panel().locator('[data-testid="invoice-section"]');
    await section.waitFor({ timeout: STEP_TIMEOUT });
    expect(await section.locator('h3').textContent()).toBe('Fattura');
    const rows: Record<string, string> = {};
    for (const item of await section.locator('.data-row').all()) rows[(await item.locator('dt').textContent()) ?? ''] = await item.locator('dd').innerText();
    expect(rows).toEqual({
      Formato: 'tra privati (FPR12)',
      'Cedente/prestatore': "SOCIETA' ALPHA SRL\nP.IVA IT01234567890",
      'Cessionario/committente': 'DITTA BETA\nC.F. 09876543210',
      'Codice destinatario': 'ABC1234',
      Trasmittente: 'IT01234567890 · progressivo 00001',
    });
    expect(await cells(section.locator('[data-testid="invoice-body"]'))).toEqual([['Fattura\nTD01', '123', '18/12/2014', '6,10 EUR (calcolato)']]);

    const checks = panel().locator('[data-testid="checks-section"]');
    expect(await checks.locator('h3').textContent()).toBe('Controlli');
    const issues = checks.locator('[data-testid="preflight-issue"]');
    expect(
      await issues.evaluateAll((items: PageElement[]) => items.map((item) => `${item.getAttribute('data-severity')} ${item.getAttribute('data-code')}`)),
    ).toEqual(['warning vat_check_digit', 'warning cf_check']);
    expect(await issues.nth(0).locator('.preflight-severity').textContent()).toBe('Avviso');
    expect(await issues.nth(0).locator('.preflight-message').textContent()).toContain('La partita IVA del cedente/prestatore IT01234567890 sembra errata');
    expect(await issues.nth(0).locator('.preflight-path').textContent()).toBe(
      'FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA/IdCodice',
    );
    expect(await issues.nth(1).locator('.preflight-message').textContent()).toContain(
      'Il codice fiscale del cessionario/committente 09876543210 sembra errato',
    );
    // The colours say which is which: amber for a warning.
    expect(await inPage(page, `getComputedStyle(document.querySelector('[data-testid="preflight-issue"][data-severity="warning"]')).borderLeftColor`)).toBe(
      'rgb(224, 161, 0)',
    );

    // The generic metadata list keeps its other keys but no longer dumps the invoice as JSON.
    const metadataKeys = await panel().locator('.data-row dt').allTextContents();
    expect(metadataKeys).toContain('codiceDestinatario');
    expect(metadataKeys).not.toContain('invoice');
    expect(metadataKeys).not.toContain('preflight');

    await docsScreenshot(page, { name: 'ui-invoice', tempDir: temp.dir });
  });

  it('says the same in English', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    const section = panel().locator('[data-testid="invoice-section"]');
    await section.locator('h3', { hasText: 'Invoice' }).waitFor({ timeout: STEP_TIMEOUT });
    expect(await section.innerText()).toContain('business (FPR12)');
    expect(await section.innerText()).toContain('VAT no. IT01234567890');
    expect(await section.innerText()).toContain('Tax code 09876543210');
    const checks = panel().locator('[data-testid="checks-section"]');
    expect(await checks.locator('h3').textContent()).toBe('Checks');
    expect(await checks.locator('.preflight-severity').allTextContents()).toEqual(['Warning', 'Warning']);
    expect(await checks.locator('.preflight-message').first().textContent()).toContain("The seller's VAT number IT01234567890 looks wrong");
    expect(await row(SAMPLE_NAME).locator('[data-testid="invoice-line"]').textContent()).toBe(
      'Invoice 123 of 18/12/2014 · Buyer: DITTA BETA · 6.10 EUR (computed)',
    );
    expect(await row(SAMPLE_NAME).locator('[data-testid="warnings-marker"]').textContent()).toBe('⚠ 2 warnings');
    expect(await row(BATCH_NAME).locator('[data-testid="invoice-line"]').textContent()).toContain('1,220.00 EUR + 1 more');

    await page.getByRole('button', { name: 'IT', exact: true }).click();
    await section.locator('h3', { hasText: 'Fattura' }).waitFor({ timeout: STEP_TIMEOUT });
  });

  it('marks a sample with a schema error invalid and explains the error in Italian', async () => {
    const sample = fixture('fatturapa', SAMPLE_NAME).toString('utf8');
    const broken = edit(edit(sample, '<Numero>123</Numero>', ''), '<ProgressivoInvio>00001</ProgressivoInvio>', '<ProgressivoInvio>00002</ProgressivoInvio>');
    await writeFile(join(harness.dropDir, BROKEN_NAME), broken);
    await row(BROKEN_NAME).locator('.badge', { hasText: 'Non valida' }).waitFor({ timeout: STEP_TIMEOUT });
    // Warnings are not the point of an invalid document: no amber marker.
    expect(await row(BROKEN_NAME).locator('[data-testid="warnings-marker"]').count()).toBe(0);
    // The list says why in the page's language too (the agent's own reason is English).
    expect(await row(BROKEN_NAME).locator('.reason').textContent()).toContain("Manca l'elemento obbligatorio Numero");

    await open(BROKEN_NAME);
    const explanation = panel().locator('[data-testid="state-explanation"]');
    await explanation.getByText('Problemi da correggere:').waitFor({ timeout: STEP_TIMEOUT });
    expect(await explanation.locator('.error-list li').allTextContents()).toEqual([
      "Manca l'elemento obbligatorio Numero in DatiGeneraliDocumento, da inserire prima di Causale: aggiungerlo.",
    ]);
    expect(await explanation.textContent()).not.toContain('Required element');

    const issues = panel().locator('[data-testid="checks-section"] [data-testid="preflight-issue"]');
    expect(await issues.evaluateAll((items: PageElement[]) => items.map((item) => item.getAttribute('data-severity')))).toEqual([
      'error',
      'warning',
      'warning',
    ]);
    expect(await issues.nth(0).locator('.preflight-severity').textContent()).toBe('Errore');
    expect(await issues.nth(0).locator('.preflight-message').textContent()).toContain("Manca l'elemento obbligatorio Numero");
    expect(await issues.nth(0).locator('.preflight-path').textContent()).toBe('FatturaElettronicaBody/DatiGenerali/DatiGeneraliDocumento/Numero');
    // No number, but its VAT summary still gives the total.
    expect(await cells(panel().locator('[data-testid="invoice-body"]'))).toEqual([['Fattura\nTD01', '—', '18/12/2014', '6,10 EUR (calcolato)']]);
    if (keepDir) await page.screenshot({ path: join(keepDir, 'ui-invoice-invalid.png') });
  });

  it('marks what a PDF suggests as guessed', async () => {
    // "EUR", not "€": makePdf writes Latin-1, which has no euro sign.
    await writeFile(join(harness.dropDir, PDF_NAME), makePdf('Fattura n. 42 del 15/03/2026 Totale EUR 1.220,00'));
    const line = row(PDF_NAME).locator('[data-testid="invoice-line"]');
    await line.waitFor({ timeout: STEP_TIMEOUT });
    expect(await line.getAttribute('data-guessed')).toBe('true');
    expect(await line.textContent()).toBe('Fattura 42 del 15/03/2026 · 1.220,00 (dedotto dal PDF)');

    await open(PDF_NAME);
    const section = panel().locator('[data-testid="invoice-section"][data-guessed="true"]');
    await section.waitFor({ timeout: STEP_TIMEOUT });
    expect(await section.locator('h3').textContent()).toBe('Fattura (dedotta dal PDF)');
    expect(await section.innerText()).toContain('Valori dedotti dal testo del PDF');
    expect(await section.locator('.data-row').allInnerTexts()).toEqual(['Numero (dedotto)\n42', 'Data (dedotta)\n15/03/2026', 'Totale (dedotto)\n1.220,00']);
    // A PDF is not preflighted: no Controlli section.
    expect(await panel().locator('[data-testid="checks-section"]').count()).toBe(0);
    if (keepDir) {
      await page.screenshot({ path: join(keepDir, 'ui-invoice-pdf.png') });
      await page.keyboard.press('Escape');
      await panel().waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
      await page.screenshot({ path: join(keepDir, 'ui-invoice-list.png') });
    }

    expect(await inPage(page, 'window.cspViolations')).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
