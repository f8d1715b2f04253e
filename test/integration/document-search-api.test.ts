// GET /documents's search and date filters through the real local API, on a real agent and the
// sandbox hub: the official samples found by buyer, amount, VAT id and invoice number; the SDI id
// found once the status follower records it; the invoice-date and capture-date ranges; bad dates
// refused; FTS5 syntax taken as words.
import { afterEach, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/harness.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { samplesWithTotal } from '../helpers/search-samples.ts';
import { apiRequest as request, startApiHarness } from '../helpers/local-api-request.ts';
import type { DocumentsPage } from '../../src/contract/local-api.ts';

let running: { harness: Harness; close: () => Promise<void> } | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
});

describe('GET /documents search', () => {
  it('finds the samples by buyer, amount, VAT id, number, SDI id and dates', async () => {
    const started = (running = await startApiHarness());
    const { harness: h } = started;
    const port = started.api.port;
    const ids = new Map<string, string>();
    for (const { name, bytes } of [...samplesWithTotal(), { name: 'scan.pdf', bytes: makePdf('Fattura 9 del 01/02/2026 totale 77,00') }]) {
      const upload = await request(port, '/api/v1/documents', {
        method: 'POST',
        body: bytes,
        headers: { 'Content-Type': 'application/octet-stream', 'X-Filename': encodeURIComponent(name) },
      });
      expect(upload.status).toBe(201);
      ids.set(name, (upload.json() as { id: string }).id);
    }
    // A PA invoice ends accepted, the others delivered: each has its SDI id by then.
    for (const id of ids.values()) await h.waitForState(id, ['delivered', 'accepted']);

    const find = async (query: string): Promise<string[]> => {
      const answer = await request(port, `/api/v1/documents?${query}`);
      expect(answer.status, query).toBe(200);
      return (answer.json() as unknown as DocumentsPage).documents.map((d) => d.name).sort();
    };
    const q = (text: string): Promise<string[]> => find(`q=${encodeURIComponent(text)}`);
    const FPA = ['IT01234567890_FPA01.xml', 'IT01234567890_FPA02.xml'];

    expect(await q('ditta beta')).toEqual(['IT01234567890_FPR01.xml']);
    expect(await q('amministrazione')).toEqual(FPA);
    expect(await q('1.234,50')).toEqual(['IT01234567890_FPR01.xml']);
    expect(await q('1234.5')).toEqual(['IT01234567890_FPR01.xml']);
    expect(await q('IT01234567890')).toEqual([...FPA, 'IT01234567890_FPR01.xml']);
    expect(await q('124')).toEqual(['IT01234567890_FPA02.xml']);
    expect(await q('77,00')).toEqual(['scan.pdf']);
    expect(await q('beta NEAR(')).toEqual([]);
    expect(await q('"')).toHaveLength(4);

    // The SDI id the hub reported, found from the commit that recorded it.
    const fpr01 = ids.get('IT01234567890_FPR01.xml') ?? '';
    const detail = (await request(port, `/api/v1/documents/${fpr01}`)).json() as { sdiId: string | null };
    expect(detail.sdiId).toMatch(/\S/);
    expect(await q(detail.sdiId ?? '')).toEqual(['IT01234567890_FPR01.xml']);

    // Invoice dates: FPR01 2014-12-18, FPA01/FPA02 2017-01-18, the PDF's guess 2026-02-01.
    expect(await find('invoiceFrom=2014-01-01&invoiceTo=2014-12-18')).toEqual(['IT01234567890_FPR01.xml']);
    expect(await find('invoiceFrom=2017-01-18')).toEqual([...FPA, 'scan.pdf']);
    expect(await find(`invoiceFrom=2015-01-01&invoiceTo=2020-12-31&q=${encodeURIComponent('amministrazione beta')}`)).toEqual(FPA);
    // Capture time: everything today, nothing tomorrow.
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(await find(`capturedFrom=${today}`)).toHaveLength(4);
    expect(await find(`capturedFrom=${tomorrow}`)).toEqual([]);
    expect(await find(`capturedTo=${today}`)).toEqual([]);
    expect(await find(`capturedFrom=${today}&capturedTo=${tomorrow}&state=delivered,accepted&q=ditta`)).toEqual(['IT01234567890_FPR01.xml']);

    for (const bad of ['invoiceFrom=18/12/2014', 'invoiceTo=2014-13-45', 'capturedFrom=yesterday', 'capturedTo=2026-01-01T25:00:00Z'])
      expect((await request(port, `/api/v1/documents?${bad}`)).status, bad).toBe(400);
  });
});
