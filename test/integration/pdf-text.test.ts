// The PDF preview's text (GET /documents/:id/pdf-text, Agent.pdfText) through the real agent, spool
// and PDF text worker: a captured PDF's text page by page, within the capture's page bound; an
// encrypted PDF's failure; nothing for a document that is not a PDF; the last answers kept by content
// hash so paging in the panel does not read the PDF again.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { fixture } from '../helpers/fixtures.ts';
import { PdfTextReader } from '../../src/core/inspect/invoice/pdf-text.ts';

let harness: Harness | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await harness?.close();
  harness = null;
});

/** `pages` pages, each saying its number. */
async function numberedPdf(pages: number, label: string): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= pages; n += 1) pdf.addPage([595, 842]).drawText(`${label} page ${n}`, { x: 60, y: 760, size: 18, font });
  return Buffer.from(await pdf.save());
}

async function capture(h: Harness, name: string, bytes: Buffer): Promise<string> {
  const [document] = await h.agent.submit({ name, bytes, source: 'api' });
  return document!.id;
}

describe('the PDF preview text', () => {
  it('answers each page read, up to the 20 pages the agent reads', async () => {
    const h = (harness = await startHarness());
    const two = await capture(h, 'two.pdf', await numberedPdf(2, 'Alpha'));
    expect(await h.agent.pdfText(two)).toEqual({ pages: ['Alpha page 1', 'Alpha page 2'], pageCount: 2, maxPages: 20, failure: null });

    const long = await capture(h, 'long.pdf', await numberedPdf(25, 'Beta'));
    const view = await h.agent.pdfText(long);
    expect(view?.pageCount).toBe(25);
    expect(view?.pages).toHaveLength(20);
    expect(view?.pages[19]).toBe('Beta page 20');
    expect(view?.failure).toBeNull();
  });

  it('says why an encrypted PDF has no text', async () => {
    const h = (harness = await startHarness());
    const id = await capture(h, 'cifrato.pdf', fixture('bad-inputs', 'pdf', 'encrypted.pdf'));
    const view = await h.agent.pdfText(id);
    expect(view?.pages).toEqual([]);
    expect(view?.failure?.code).toBe('pdf_encrypted');
  });

  it('has nothing for a FatturaPA or an unknown id', async () => {
    const h = (harness = await startHarness());
    const xml = await capture(h, 'IT01234567890_FPR01.xml', fixture('fatturapa', 'IT01234567890_FPR01.xml'));
    expect(await h.agent.pdfText(xml)).toBeNull();
    expect(await h.agent.pdfText('no-such-document')).toBeNull();
  });

  it('reads a PDF once while its answer is among the four last asked', async () => {
    const h = (harness = await startHarness());
    const ids = [];
    for (const label of ['A', 'B', 'C', 'D', 'E']) ids.push(await capture(h, `${label}.pdf`, await numberedPdf(1, label)));
    const read = vi.spyOn(PdfTextReader.prototype, 'read');
    const [a, b, c, d, e] = ids as [string, string, string, string, string];
    expect((await h.agent.pdfText(a))?.pages).toEqual(['A page 1']);
    expect((await h.agent.pdfText(a))?.pages).toEqual(['A page 1']);
    expect(read).toHaveBeenCalledTimes(1);
    for (const id of [b, c, d]) await h.agent.pdfText(id);
    expect(read).toHaveBeenCalledTimes(4);
    await h.agent.pdfText(a); // still kept, and now the most recently asked: B, C, D, A
    expect(read).toHaveBeenCalledTimes(4);
    await h.agent.pdfText(e); // E pushes out the least recently asked, B
    await h.agent.pdfText(a);
    expect(read).toHaveBeenCalledTimes(5);
    await h.agent.pdfText(b);
    expect(read).toHaveBeenCalledTimes(6);
  });
});
