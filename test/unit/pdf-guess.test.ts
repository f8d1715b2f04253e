// Invoice fields guessed from a PDF's text: the patterns on their own, then real PDFs made by
// Ghostscript from PostScript text programs, then the bounds that keep a hostile PDF from costing
// more than a few seconds or a bounded amount of memory, without ever blocking the agent.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guessFromPdfText, normaliseDate } from '../../src/core/inspect/invoice/pdf-guess.ts';
import { DEFAULT_PDF_TEXT_LIMITS, PdfTextReader } from '../../src/core/inspect/invoice/pdf-text.ts';
import { readInvoiceDocument } from '../../src/core/inspect/invoice/read-invoice.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { needs } from '../helpers/system-tools.ts';

describe('guessFromPdfText', () => {
  it('reads the usual Italian wording', () => {
    expect(guessFromPdfText('Fattura n. 2024/17 del 15/03/2024\nP.IVA 01234567890\nTotale documento € 1.220,00')).toEqual({
      guessed: true,
      number: '2024/17',
      date: '2024-03-15',
      vatNumbers: ['01234567890'],
      total: '1.220,00',
      textChars: 79,
    });
  });

  it.each([
    ['FATTURA N° A/123 del 01-02-2024', 'A/123', '2024-02-01'],
    ['Fattura nr. FT-2024-0001, data 2024-02-01', 'FT-2024-0001', '2024-02-01'],
    ['Numero fattura: 88/B\nData documento: 02.01.2024', '88/B', '2024-01-02'],
    ['Documento n. 5.', '5', null],
    ['Fattura numero 12 emessa il 9/7/2024', '12', '2024-07-09'],
  ])('number and date from %j', (text, number, date) => {
    const guess = guessFromPdfText(text);
    expect([guess.number, guess.date]).toEqual([number, date]);
  });

  it('takes the document total, not the taxable amount or the VAT', () => {
    const text = 'Totale imponibile 1.000,00\nTotale IVA 220,00\nTOTALE DOCUMENTO\n1.220,00\nNetto a pagare 1.220,00';
    expect(guessFromPdfText(text).total).toBe('1.220,00');
    expect(guessFromPdfText('Totale fattura EUR 1,234.56').total).toBe('1,234.56');
    expect(guessFromPdfText('Totale da pagare: 99,90 €').total).toBe('99,90');
    expect(guessFromPdfText('Totale € 1.234,56').total).toBe('1.234,56');
    expect(guessFromPdfText('Importo totale -50,00').total).toBe('-50,00');
  });

  it('does not mistake a date or an imponibile for the total', () => {
    expect(guessFromPdfText('Totale documento del 15.03.2024').total).toBeNull();
    expect(guessFromPdfText('Totale imponibile 1.000,00').total).toBeNull();
  });

  it('collects Italian VAT numbers once each, in order, labelled or IT-prefixed', () => {
    const text = 'ALPHA SRL P.IVA IT01234567890\nCliente: BETA SPA - Partita IVA: 09876543210\nIBAN IT60X0542811101000000123456\nIT01234567890 IT 11111111111';
    expect(guessFromPdfText(text).vatNumbers).toEqual(['01234567890', '09876543210', '11111111111']);
    expect(guessFromPdfText('Tel. 012345678901 ordine 12345678901').vatNumbers).toEqual([]);
  });

  it('reads typographic hyphens and minus signs as "-"', () => {
    const guess = guessFromPdfText('Fattura n. FT\u20112024\u201017 data 2024\u221202\u221201\nImporto totale \u221250,00');
    expect([guess.number, guess.date, guess.total]).toEqual(['FT-2024-17', '2024-02-01', '-50,00']);
  });

  it('guesses nothing where nothing is written', () => {
    expect(guessFromPdfText('')).toEqual({ guessed: true, number: null, date: null, vatNumbers: [], total: null, textChars: 0 });
    expect(guessFromPdfText('Fattura n. del mese').number).toBeNull();
  });

  it('normalises only real dates', () => {
    expect(normaliseDate('31/12/2024')).toBe('2024-12-31');
    expect(normaliseDate('29/02/2024')).toBe('2024-02-29');
    expect(normaliseDate('29/02/2023')).toBeNull();
    expect(normaliseDate('12/13/2024')).toBeNull();
    expect(guessFromPdfText('Data 31/02/2024 poi 01/03/2024').date).toBe('2024-03-01');
  });
});

const gs = needs('gs');

// Helvetica re-encoded with the Euro sign at \200, as office software prints "€".
const PS_PROLOG = `%!PS
/Helvetica findfont dup length dict begin
  { 1 index /FID ne { def } { pop pop } ifelse } forall
  /Encoding ISOLatin1Encoding 256 array copy dup 128 /Euro put def
currentdict end /HelveticaEuro exch definefont pop
/HelveticaEuro findfont 11 scalefont setfont
`;

function psLines(lines: string[]): string {
  const shown = lines.map((line, index) => `72 ${760 - index * 16} moveto (${line.replace(/[()\\]/g, '\\$&')}) show`);
  return `${PS_PROLOG}${shown.join('\n')}\nshowpage\n`;
}

gs.describe('PDFs made by Ghostscript', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let reader: PdfTextReader;
  beforeAll(async () => {
    temp = await makeTempDir('recapito-pdf-');
    reader = new PdfTextReader();
  });
  afterAll(async () => {
    await reader.close();
    await temp.cleanup();
  });

  async function ghostscriptPdf(name: string, postScript: string, extraArgs: string[] = []): Promise<Buffer> {
    const source = join(temp.dir, `${name}.ps`);
    const output = join(temp.dir, `${name}.pdf`);
    await writeFile(source, postScript.replace(/€/g, '\\200'), 'latin1');
    execFileSync(gs.path('gs'), ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', ...extraArgs, `-sOutputFile=${output}`, source]);
    return readFile(output);
  }

  it('guesses number, date, VAT number and total from a printed invoice', async () => {
    const pdf = await ghostscriptPdf('invoice', psLines(['Fattura n. 2024/17 del 15/03/2024', 'P.IVA 01234567890', 'Totale documento € 1.220,00']));
    const result = await readInvoiceDocument(pdf, 'pdf', { pdfReader: reader });
    expect(result.error).toBeNull();
    expect(result.invoice).toBeNull();
    expect(result.pdf).toEqual({
      guessed: true,
      number: '2024/17',
      date: '2024-03-15',
      vatNumbers: ['01234567890'],
      total: '1.220,00',
      textChars: expect.any(Number),
    });
    expect(result.pdf?.textChars).toBeGreaterThan(60);
  });

  it('reads a fuller layout: two parties, a summary table, the document total', async () => {
    const pdf = await ghostscriptPdf(
      'layout',
      psLines([
        'ALPHA SRL - Viale Roma 543 - 07100 Sassari - P.IVA IT01234567890',
        'Spett.le BETA SPA, Via Torino 38-B, Roma - Partita IVA: 09876543210',
        'FATTURA N° A/123',
        'Data: 2024-02-01',
        'Totale imponibile € 1.000,00',
        'Totale IVA 22% € 220,00',
        'Totale documento € 1.220,00',
        'Scadenza pagamento 02/03/2024',
      ]),
    );
    const { pdf: guess } = await readInvoiceDocument(pdf, 'pdf', { pdfReader: reader });
    expect(guess).toMatchObject({ number: 'A/123', date: '2024-02-01', vatNumbers: ['01234567890', '09876543210'], total: '1.220,00' });
  });

  it('returns nulls for a PDF with no text (a drawing, or a scan)', async () => {
    const pdf = await ghostscriptPdf('drawing', '%!PS\nnewpath 72 72 moveto 500 700 lineto 3 setlinewidth stroke showpage\n');
    const result = await readInvoiceDocument(pdf, 'pdf', { pdfReader: reader });
    expect(result.error).toBeNull();
    expect(result.pdf).toEqual({ guessed: true, number: null, date: null, vatNumbers: [], total: null, textChars: 0 });
  });

  it('says a password-protected PDF cannot be read', async () => {
    const pdf = await ghostscriptPdf('locked', psLines(['Fattura n. 9 del 01/01/2024']), [
      '-sOwnerPassword=owner',
      '-sUserPassword=secret',
      '-dEncryptionR=3',
      '-dKeyLength=128',
    ]);
    const result = await readInvoiceDocument(pdf, 'pdf', { pdfReader: reader });
    expect(result.error?.code).toBe('pdf_encrypted');
    expect(result.pdf?.number).toBeNull();
  });
});

/** A PDF written by hand: one content stream per page, Flate-compressed (Helvetica, not embedded). */
function handMadePdf(pageContents: Buffer[]): Buffer {
  const pageCount = pageContents.length;
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from(`<< /Type /Pages /Kids [${pageContents.map((_, i) => `${4 + i * 2} 0 R`).join(' ')}] /Count ${pageCount} >>`),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'),
  ];
  pageContents.forEach((content, i) => {
    const stream = deflateSync(content);
    objects.push(Buffer.from(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + i * 2} 0 R >>`));
    objects.push(Buffer.concat([Buffer.from(`<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`), stream, Buffer.from('\nendstream')]));
  });
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n')];
  const offsets: number[] = [];
  let length = parts[0]?.length ?? 0;
  objects.forEach((object, i) => {
    const part = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), object, Buffer.from('\nendobj\n')]);
    offsets.push(length);
    parts.push(part);
    length += part.length;
  });
  const xref = offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  parts.push(
    Buffer.from(
      `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`,
    ),
  );
  return Buffer.concat(parts);
}

function textPage(...lines: string[]): Buffer {
  return Buffer.from(lines.map((line, i) => `BT /F1 11 Tf 72 ${760 - i * 16} Td (${line}) Tj ET`).join('\n'), 'latin1');
}

/** ~50 KB compressed, ~17 MB of text operators: seconds of work and hundreds of MB to extract. */
function heavyPage(): Buffer {
  return Buffer.from('BT /F1 12 Tf 72 720 Td (Lorem ipsum dolor sit amet) Tj ET\n'.repeat(300_000));
}

describe('bounds on reading a PDF', () => {
  it('reads only the first pages of a long PDF', async () => {
    const pages = Array.from({ length: 200 }, (_, i) => textPage(`Pagina ${i + 1} di 200`));
    pages[0] = textPage('Fattura n. 1/2024 del 02/01/2024');
    pages[149] = textPage('Totale documento 9.999,99');
    const reader = new PdfTextReader({ maxPages: 20 });
    try {
      const text = await reader.read(handMadePdf(pages));
      expect([text.pageCount, text.pagesRead, text.failure]).toEqual([200, 20, null]);
      const { pdf } = await readInvoiceDocument(handMadePdf(pages), 'pdf', { pdfReader: reader });
      expect(pdf).toMatchObject({ number: '1/2024', date: '2024-01-02', total: null }); // page 150 never read
    } finally {
      await reader.close();
    }
  });

  it('keeps to the text budget', async () => {
    const pages = Array.from({ length: 10 }, () => textPage('x'.repeat(150), 'y'.repeat(150)));
    const reader = new PdfTextReader({ maxTextChars: 1000 });
    try {
      const text = await reader.read(handMadePdf(pages));
      expect(text.text.replace(/\n/g, '').length).toBeLessThanOrEqual(1000);
      expect(text.pagesRead).toBeLessThan(10);
    } finally {
      await reader.close();
    }
  });

  it('stops a slow PDF at the time limit, keeps the pages read, never blocks the event loop, then reads the next PDF', async () => {
    // Its worker starts under the default limit: loading PDF.js took 0.7 s on a loaded 2-core machine.
    const reader = new PdfTextReader();
    let longestPause = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestPause = Math.max(longestPause, now - last);
      last = now;
    }, 10);
    try {
      // Then a warm worker, as while PDFs keep coming: the 1.5 s limit counts reading, not loading.
      expect((await reader.read(handMadePdf([textPage('Fattura n. 6')]))).failure).toBeNull();
      reader.limits.timeoutMs = 1500;
      longestPause = 0;
      const started = performance.now();
      const slow = handMadePdf([textPage('Fattura n. 7 del 03/03/2024'), heavyPage()]);
      const result = await readInvoiceDocument(slow, 'pdf', { pdfReader: reader });
      const elapsed = performance.now() - started;
      expect(result.error?.code).toBe('pdf_timeout');
      expect(result.error?.reason).toMatch(/longer than 1\.5 s.*only the first 1 page/);
      expect(result.pdf).toMatchObject({ number: '7', date: '2024-03-03' }); // page 1 was kept
      expect(elapsed).toBeLessThan(4000);
      // Done on the agent's own thread, the heavy page would freeze it for seconds.
      expect(longestPause).toBeLessThan(700);

      // The next PDF goes to a fresh worker, which starts under the default limit again.
      reader.limits.timeoutMs = DEFAULT_PDF_TEXT_LIMITS.timeoutMs;
      const next = await readInvoiceDocument(handMadePdf([textPage('Fattura n. 8 del 04/03/2024')]), 'pdf', { pdfReader: reader });
      expect(next.error).toBeNull();
      expect(next.pdf?.number).toBe('8');
    } finally {
      clearInterval(ticker);
      await reader.close();
    }
  });

  it('stops a PDF that needs more memory than allowed', async () => {
    const reader = new PdfTextReader({ maxHeapMb: 16, timeoutMs: 20_000 });
    try {
      const result = await reader.read(handMadePdf([heavyPage()]));
      expect(result.failure?.code).toBe('pdf_too_complex');
      expect((await reader.read(handMadePdf([textPage('Fattura n. 9 del 05/03/2024')]))).text).toContain('Fattura n. 9');
    } finally {
      await reader.close();
    }
  });

  it('reads PDFs asked for at once one after the other, each with its own text, and again after idling', async () => {
    const reader = new PdfTextReader({ idleMs: 50 });
    try {
      const numbers = ['101', '102', '103'];
      const texts = await Promise.all(numbers.map((n) => reader.read(handMadePdf([textPage(`Fattura n. ${n}`)]))));
      expect(texts.map((t) => guessFromPdfText(t.text).number)).toEqual(numbers);
      await new Promise((resolve) => setTimeout(resolve, 150)); // the idle worker is stopped meanwhile
      expect((await reader.read(handMadePdf([textPage('Fattura n. 104')]))).text).toContain('Fattura n. 104');
    } finally {
      await reader.close();
    }
  });

  it('says a damaged file is not a readable PDF', async () => {
    const reader = new PdfTextReader();
    try {
      const result = await readInvoiceDocument(Buffer.from('%PDF-1.4\nnot really a pdf\n%%EOF\n'), 'pdf', { pdfReader: reader });
      expect(result.error?.code).toBe('pdf_corrupt');
      expect(result.pdf?.textChars).toBe(0);
    } finally {
      await reader.close();
    }
  });
});
