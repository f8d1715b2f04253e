// The PDF preview in a real browser (Debian Chromium through playwright-core) against the real agent,
// local API and sandbox hub: a two-page PDF made with pdf-lib is captured from the watched folder, its
// detail draws page 1 on a canvas (pixels read back: the page's text and its red band are there),
// with the text the agent read beside it; the next page is drawn in its turn (blue band, its own
// text); a 200-page PDF draws one page only; a damaged and an encrypted PDF show why instead of a
// preview; a PDF with an OpenAction script runs nothing. Everything pdf.js loads comes from the
// agent's origin, with no CSP violation and no console error; English; a screenshot for docs/ui.md.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PDFDocument, PDFName, StandardFonts, rgb } from 'pdf-lib';
import type { Harness } from '../helpers/harness.ts';
import { startUiAgent, type UiAgent } from '../helpers/ui-agent.ts';
import { fixture } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import type { LocalApi } from '../../src/core/api/local-api-server.ts';
import type { PdfTextView } from '../../src/contract/pdf-text.ts';
import { inPage, launchChromium, needsChromium, openRecordedPage } from '../helpers/chromium.ts';
import { docsScreenshot } from '../helpers/docs-screenshot.ts';

const TOKEN = 'ui-pdf-preview-test-token-'.padEnd(43, 'p');
const STEP_TIMEOUT = 20_000;
/** The UI's CSP (docs/security.md): the PDF preview added nothing to it. */
const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const TWO_PAGES = 'Fattura 2024-31 stampata.pdf';
const LONG = 'Registro 200 pagine.pdf';
const DAMAGED = 'danneggiato.pdf';
const ENCRYPTED = 'cifrato.pdf';
const SCRIPTED = 'javascript.pdf';
const STRIP = 'striscia.pdf';
const POSTSCRIPT = 'sfumatura.pdf';
const XML = 'IT01234567890_FPR01.xml';

/** Two A4 pages: a coloured band at the top (red, then blue) and known words, in Helvetica (not embedded). */
async function twoPagePdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const pages: Array<{ band: ReturnType<typeof rgb>; lines: string[] }> = [
    {
      band: rgb(0.85, 0.1, 0.1),
      lines: ['Fattura n. 2024/31 del 15/03/2024', 'Cliente: ALFA PRIMA S.R.L.', 'Totale documento EUR 1.220,00'],
    },
    { band: rgb(0.1, 0.2, 0.85), lines: ['Condizioni di pagamento', 'Seconda pagina: BETA SECONDA', 'IBAN IT60 X054 2811 1010 0000 0123 456'] },
  ];
  for (const { band, lines } of pages) {
    const page = pdf.addPage([595, 842]);
    page.drawRectangle({ x: 0, y: 742, width: 595, height: 100, color: band });
    lines.forEach((line, index) => page.drawText(line, { x: 60, y: 680 - index * 40, size: 22, font: index === 0 ? bold : font, color: rgb(0, 0, 0) }));
  }
  return Buffer.from(await pdf.save());
}

async function longPdf(pages: number): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= pages; n += 1) pdf.addPage([595, 842]).drawText(`Registro, pagina ${n}`, { x: 60, y: 760, size: 18, font });
  return Buffer.from(await pdf.save());
}

/** One page 40 pt wide and 14,400 pt tall (PDF's largest), black: fitted to the width it would be 130,000 px tall. */
async function stripPdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.addPage([40, 14_400]).drawRectangle({ x: 0, y: 0, width: 40, height: 14_400, color: rgb(0, 0, 0) });
  return Buffer.from(await pdf.save());
}

/**
 * A band shaded by a PostScript calculator function (FunctionType 4, `{ dup 0 exch }`: t → red t,
 * green 0, blue t), black to magenta. pdf.js once ran these through `new Function`; pdf.js 6 compiles
 * them to WebAssembly (which the CSP refuses: useWasm is off) or to its own interpreted form.
 */
async function postScriptPdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595, 842]);
  const context = pdf.context;
  const fn = context.register(context.stream('{ dup 0 exch }', { FunctionType: 4, Domain: [0, 1], Range: [0, 1, 0, 1, 0, 1] }));
  const shading = context.register(context.obj({ ShadingType: 2, ColorSpace: 'DeviceRGB', Coords: [0, 0, 595, 0], Function: fn, Extend: [true, true] }));
  page.node.set(PDFName.of('Resources'), context.obj({ Shading: { Sh0: shading } }));
  page.node.set(PDFName.of('Contents'), context.register(context.stream('q 0 742 595 100 re W n /Sh0 sh Q')));
  return Buffer.from(await pdf.save());
}

/** A PDF header, an object that is not one, no cross-reference table: nothing pdf.js can open. */
function damagedPdf(): Buffer {
  return Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\n' + 'x'.repeat(400) + '\nstartxref\n999999\n%%EOF\n', 'latin1');
}

/** What the drawn canvas holds: how many pixels are dark (text), red or blue (the band), sampled. */
interface CanvasReading {
  width: number;
  height: number;
  dark: number;
  red: number;
  blue: number;
}

const READ_CANVAS = `(() => {
  const canvas = document.querySelector('[data-testid="pdf-canvas"]');
  const { width, height } = canvas;
  const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  let dark = 0, red = 0, blue = 0;
  for (let i = 0; i < data.length; i += 4 * 7) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    if (data[i + 3] < 250) continue; // not drawn: a blank canvas is transparent black
    if (r < 90 && g < 90 && b < 90) dark += 1;
    if (r > 180 && g < 80 && b < 80) red += 1;
    if (b > 180 && r < 80 && g < 100) blue += 1;
  }
  return { width, height, dark, red, blue };
})()`;

needsChromium().describe('the PDF preview in the local UI', () => {
  let ui: UiAgent | undefined;
  let temp: UiAgent['temp'];
  let harness: Harness;
  let api: LocalApi;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    ui = await startUiAgent('recapito-ui-pdf-preview-', TOKEN);
    ({ temp, harness, api } = ui);
    browser = await launchChromium();
    ({ page } = await openRecordedPage(browser, { locale: 'it-IT', viewport: { width: 1280, height: 1100 } }, consoleErrors));
    page.on('request', (request) => requests.push(request.url()));
    // pdf.js's workers run under the CSP of their own script's answer: a refusal there (WebAssembly
    // compiled, say) fires in the worker, not the page. Each worker gets a listener as it starts that
    // writes every violation to its console, which Playwright reports like the page's. It is added
    // while pdf.js still waits for the document's bytes, well before a page is parsed or drawn; were it
    // ever late, a violation would go unseen (the test would pass wrongly, never fail wrongly).
    page.on('worker', (worker) => {
      worker.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(`worker: ${message.text()}`);
      });
      void worker
        .evaluate(
          "self.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation in a worker: ' + e.violatedDirective + ' ' + e.blockedURI))",
        )
        .catch(() => undefined); // a worker already gone has nothing left to report
    });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${api.url}/#token=${TOKEN}`);
    await page.getByText('Aggiornato in tempo reale').waitFor({ timeout: STEP_TIMEOUT });

    await writeFile(join(harness.dropDir, TWO_PAGES), await twoPagePdf());
    await writeFile(join(harness.dropDir, LONG), await longPdf(200));
    await writeFile(join(harness.dropDir, DAMAGED), damagedPdf());
    await writeFile(join(harness.dropDir, ENCRYPTED), fixture('bad-inputs', 'pdf', 'encrypted.pdf'));
    await writeFile(join(harness.dropDir, SCRIPTED), fixture('bad-inputs', 'pdf', 'javascript.pdf'));
    await writeFile(join(harness.dropDir, STRIP), await stripPdf());
    await writeFile(join(harness.dropDir, POSTSCRIPT), await postScriptPdf());
    await writeFile(join(harness.dropDir, XML), fixture('fatturapa', XML));
  }, 90_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await ui?.close();
  });

  const row = (name: string) => page.locator('tr[data-testid="document-row"]', { hasText: name });
  const panel = () => page.locator('[data-testid="detail-panel"]');
  const preview = () => panel().locator('[data-testid="pdf-preview"]');
  const canvas = () => preview().locator('[data-testid="pdf-canvas"]');

  const openDetail = async (name: string) => {
    await row(name).waitFor({ timeout: STEP_TIMEOUT });
    await row(name).locator('button.document-name').click();
    await panel().locator('h2', { hasText: name }).waitFor({ timeout: STEP_TIMEOUT });
  };
  /** Waits until page `n` is drawn on the canvas. */
  const drawn = async (n: number) => {
    await preview().locator(`[data-testid="pdf-canvas"][data-page="${n}"][data-state="drawn"]`).waitFor({ timeout: STEP_TIMEOUT });
    return (await inPage(page, READ_CANVAS)) as CanvasReading;
  };
  const idOf = async (name: string) => (await row(name).getAttribute('data-id')) ?? '';

  it('draws page 1 of a captured PDF, with the text the agent read beside it', async () => {
    await openDetail(TWO_PAGES);
    expect(await preview().locator('h3').innerText()).toMatch(/anteprima del pdf/i);
    const first = await drawn(1);
    // Fitted to the panel's column, at the screen's pixel ratio: a page of pixels, not a blank box.
    expect(first.width).toBeGreaterThan(200);
    expect(first.height / first.width).toBeCloseTo(842 / 595, 1);
    expect(first.dark).toBeGreaterThan(50);
    expect(first.red).toBeGreaterThan(500);
    expect(first.blue).toBe(0);
    expect(await preview().locator('[data-testid="pdf-page-label"]').innerText()).toBe('Pagina 1 di 2');
    expect(await preview().locator('[data-testid="pdf-previous"]').isDisabled()).toBe(true);

    const text = preview().locator('[data-testid="pdf-text"]');
    await text.waitFor({ timeout: STEP_TIMEOUT });
    expect(await preview().locator('[data-testid="pdf-text-panel"] h4').innerText()).toBe('Testo letto dall’agente');
    const pageOne = await text.innerText();
    expect(pageOne).toContain('Fattura n. 2024/31 del 15/03/2024');
    expect(pageOne).toContain('ALFA PRIMA S.R.L.');
    expect(pageOne).not.toContain('BETA SECONDA');
    // The panel is narrow: the text stands under the page.
    const pageBox = await canvas().boundingBox();
    const textBox = await preview().locator('[data-testid="pdf-text-panel"]').boundingBox();
    expect(textBox!.y).toBeGreaterThanOrEqual(pageBox!.y + pageBox!.height);
  });

  it('turns to page 2: drawn in its turn, with its own text', async () => {
    await preview().locator('[data-testid="pdf-next"]').click();
    expect(await preview().locator('[data-testid="pdf-page-label"]').innerText()).toBe('Pagina 2 di 2');
    const second = await drawn(2);
    expect(second.dark).toBeGreaterThan(50);
    expect(second.blue).toBeGreaterThan(500);
    expect(second.red).toBe(0);
    const pageTwo = await preview().locator('[data-testid="pdf-text"]').innerText();
    expect(pageTwo).toContain('BETA SECONDA');
    expect(pageTwo).not.toContain('ALFA PRIMA');
    expect(await preview().locator('[data-testid="pdf-next"]').isDisabled()).toBe(true);
    expect(await canvas().count()).toBe(1);

    await preview().locator('[data-testid="pdf-previous"]').click();
    expect((await drawn(1)).red).toBeGreaterThan(500);
  });

  it('a wide preview: the page drawn again to its new width, the text beside it; the picture for docs/ui.md', async () => {
    const narrow = await drawn(1);
    await preview().locator('[data-testid="pdf-wide"]').click();
    expect(await preview().locator('[data-testid="pdf-wide"]').getAttribute('aria-pressed')).toBe('true');
    await waitFor("the page drawn at the wide panel's width", async () => {
      const reading = (await inPage(page, READ_CANVAS)) as CanvasReading;
      const state = await canvas().getAttribute('data-state');
      return state === 'drawn' && reading.width !== narrow.width ? reading : null;
    });
    const wide = await drawn(1);
    expect(wide.red).toBeGreaterThan(500);
    const pageBox = await canvas().boundingBox();
    const textBox = await preview().locator('[data-testid="pdf-text-panel"]').boundingBox();
    expect(textBox!.x).toBeGreaterThanOrEqual(pageBox!.x + pageBox!.width);
    expect(textBox!.y).toBeLessThan(pageBox!.y + pageBox!.height / 2);
    await preview().scrollIntoViewIfNeeded();
    await docsScreenshot(page, { name: 'ui-pdf-preview', tempDir: temp.dir, viewport: { width: 1280, height: 1250 }, minBytes: 20_000 });
  });

  it('the text route answers what the agent read, page by page; not for other documents', async () => {
    const get = (id: string) => fetch(`${api.url}/api/v1/documents/${id}/pdf-text`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const response = await get(await idOf(TWO_PAGES));
    expect(response.status).toBe(200);
    const view = (await response.json()) as PdfTextView;
    expect(view.pageCount).toBe(2);
    expect(view.failure).toBeNull();
    expect(view.pages).toHaveLength(2);
    expect(view.pages[1]).toContain('BETA SECONDA');
    await row(XML).waitFor({ timeout: STEP_TIMEOUT });
    expect((await get(await idOf(XML))).status).toBe(404);
    const anonymous = await fetch(`${api.url}/api/v1/documents/${await idOf(TWO_PAGES)}/pdf-text`);
    expect(anonymous.status).toBe(401);
  });

  it('a 200-page PDF draws its first page only', async () => {
    await openDetail(LONG);
    await drawn(1);
    expect(await preview().locator('[data-testid="pdf-page-label"]').innerText()).toBe('Pagina 1 di 200');
    expect(await canvas().count()).toBe(1);
    expect(await preview().locator('[data-testid="pdf-text"]').innerText()).toContain('Registro, pagina 1');
    // Past the agent's 20 pages of text, the page still draws and the text column says why it is empty.
    for (let n = 1; n <= 20; n += 1) await preview().locator('[data-testid="pdf-next"]').click();
    expect(await preview().locator('[data-testid="pdf-page-label"]').innerText()).toBe('Pagina 21 di 200');
    await drawn(21);
    expect(await preview().locator('[data-testid="pdf-text-panel"]').innerText()).toContain('solo delle prime 20 pagine');
    expect(await canvas().count()).toBe(1);
  });

  it('a page of an absurd shape is drawn within the pixel bound', async () => {
    await openDetail(STRIP);
    const reading = await drawn(1);
    expect(reading.width * reading.height).toBeLessThanOrEqual(8_000_000);
    expect(reading.height).toBeGreaterThan(10_000);
    expect(reading.dark).toBeGreaterThan(1000);
  });

  it('a PostScript calculator function is drawn under the CSP', async () => {
    await openDetail(POSTSCRIPT);
    await drawn(1);
    const magenta = (await inPage(
      page,
      `(() => {
        const canvas = document.querySelector('[data-testid="pdf-canvas"]');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, Math.floor(canvas.height / 10)).data;
        let count = 0;
        for (let i = 0; i < data.length; i += 4 * 5) if (data[i] > 150 && data[i + 2] > 150 && data[i + 1] < 60 && data[i + 3] > 250) count += 1;
        return count;
      })()`,
    )) as number;
    expect(magenta).toBeGreaterThan(200);
  });

  it('a damaged PDF says so instead of a preview, and the panel stays whole', async () => {
    await openDetail(DAMAGED);
    const failure = preview().locator('[data-testid="pdf-preview-failure"]');
    await failure.waitFor({ timeout: STEP_TIMEOUT });
    expect(await failure.getAttribute('data-failure')).toBe('corrupt');
    expect(await failure.innerText()).toContain('danneggiato');
    expect(await canvas().count()).toBe(0);
    // The rest of the panel is there: the download button and the history.
    expect(await panel().getByRole('button', { name: "Scarica l'originale" }).count()).toBe(1);
    expect(await panel().locator('h3', { hasText: /dati/i }).count()).toBeGreaterThan(0);
  });

  it('an encrypted PDF says it is protected by a password', async () => {
    await openDetail(ENCRYPTED);
    const failure = preview().locator('[data-testid="pdf-preview-failure"]');
    await failure.waitFor({ timeout: STEP_TIMEOUT });
    expect(await failure.getAttribute('data-failure')).toBe('encrypted');
    expect(await failure.innerText()).toContain('protetto da una password');
  });

  it('a PDF with an OpenAction script is drawn and runs nothing', async () => {
    await openDetail(SCRIPTED);
    expect((await drawn(1)).dark).toBeGreaterThan(0);
    expect(await preview().locator('[data-testid="pdf-text"]').innerText()).toContain('javascript corpus');
    expect(await preview().locator('a').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('says the same in English', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await openDetail(ENCRYPTED);
    expect(await preview().locator('[data-testid="pdf-preview-failure"]').innerText()).toContain('protected by a password');
    await openDetail(TWO_PAGES);
    await drawn(1);
    expect(await preview().locator('h3').innerText()).toMatch(/pdf preview/i);
    expect(await preview().locator('[data-testid="pdf-page-label"]').innerText()).toBe('Page 1 of 2');
    expect(await preview().locator('[data-testid="pdf-text-panel"] h4').innerText()).toBe('Text read by the agent');
    await page.getByRole('button', { name: 'IT', exact: true }).click();
  });

  it('loaded everything from the agent, with no CSP violation and no console error', async () => {
    const origin = new URL(api.url).origin;
    expect(requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('blob:') && !url.startsWith('data:'))).toEqual([]);
    // The worker and the standard fonts (Helvetica is not embedded) came from the agent's own files.
    expect(requests.some((url) => /\/assets\/pdf\.worker\.min-[\w-]+\.mjs$/.test(url))).toBe(true);
    expect(requests.some((url) => url.startsWith(`${origin}/pdfjs/standard_fonts/`))).toBe(true);
    expect(consoleErrors).toEqual([]);
    expect(await inPage(page, 'window.cspViolations')).toEqual([]);
    // The page and pdf.js's worker run under the UI's CSP as docs/security.md writes it: nothing loosened.
    const worker = requests.find((url) => url.includes('/assets/pdf.worker.min-'))!;
    for (const url of [`${origin}/`, worker]) {
      const response = await fetch(url);
      expect(response.headers.get('content-security-policy')).toBe(UI_CSP);
      if (url === worker) expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    }
  });
});
