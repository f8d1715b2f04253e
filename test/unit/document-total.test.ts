// The document total of an invoice that states none (src/core/inspect/invoice/document-total.ts):
// worked out at capture by the readers from the VAT summary (FSM10: the lines), exact in decimals,
// marked as computed; the invoice view shows the same figure; the list summary and the search row
// carry it. Where no honest figure exists (no summary, a missing or non-numeric amount) there is
// no total, never 0 and never a partial sum.
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/core/xml/safe-xml.ts';
import { readFatturaPa } from '../../src/core/inspect/invoice/read-fatturapa.ts';
import { readInvoiceView } from '../../src/core/inspect/invoice/invoice-view.ts';
import { invoiceSummaryOf } from '../../src/core/inspect/invoice/invoice-summary.ts';
import { searchRowOf } from '../../src/core/store/search-text.ts';
import { fixture } from '../helpers/fixtures.ts';
import { batchInvoice, richInvoice, simplifiedInvoice } from '../helpers/invoice-view-samples.ts';

const FPR01 = (): string => fixture('fatturapa', 'IT01234567890_FPR01.xml').toString('utf8');
const SUMMARY = /<DatiRiepilogo>[\s\S]*?<\/DatiRiepilogo>/;

function row(taxable: string | null, tax: string | null, rate = '22.00', nature?: string): string {
  return (
    `<DatiRiepilogo><AliquotaIVA>${rate}</AliquotaIVA>${nature ? `<Natura>${nature}</Natura>` : ''}` +
    `${taxable === null ? '' : `<ImponibileImporto>${taxable}</ImponibileImporto>`}${tax === null ? '' : `<Imposta>${tax}</Imposta>`}</DatiRiepilogo>`
  );
}

/** FPR01 with its one DatiRiepilogo replaced by `rows`, and extra elements in DatiGeneraliDocumento. */
function fpr01With(rows: string[], general = '', type = 'TD01'): string {
  return FPR01()
    .replace(SUMMARY, rows.join('\n'))
    .replace('<TipoDocumento>TD01</TipoDocumento>', `<TipoDocumento>${type}</TipoDocumento>`)
    .replace('<Causale>', `${general}<Causale>`);
}

function totalOf(xml: string | Buffer): { total: string | null; totalComputed?: true } {
  const body = readFatturaPa(parseXml(xml)).bodies[0]!;
  return body.totalComputed ? { total: body.total, totalComputed: body.totalComputed } : { total: body.total };
}

describe('a missing ImportoTotaleDocumento, at capture (the readers)', () => {
  it('FPR01, the official sample: 5.00 + 1.10 = 6.10, marked computed', () => {
    expect(totalOf(FPR01())).toEqual({ total: '6.10', totalComputed: true });
  });

  it('a written ImportoTotaleDocumento is taken as written, not recomputed nor marked', () => {
    // 999.99 disagrees with the summary on purpose: the file's figure wins.
    expect(totalOf(fpr01With([row('5.00', '1.10')], '<ImportoTotaleDocumento>999.99</ImportoTotaleDocumento>'))).toEqual({ total: '999.99' });
  });

  it('several rates: every summary row counts', () => {
    const xml = fpr01With([row('100.00', '22.00'), row('50.00', '5.00', '10.00'), row('25.00', '1.00', '4.00')]);
    expect(totalOf(xml)).toEqual({ total: '203.00', totalComputed: true });
  });

  it('a Natura row with Imposta 0.00 adds its taxable amount only', () => {
    const xml = fpr01With([row('100.00', '22.00'), row('80.00', '0.00', '0.00', 'N2.2')]);
    expect(totalOf(xml)).toEqual({ total: '202.00', totalComputed: true });
  });

  it('a credit note with negative amounts gives a negative total; mixed signs net out', () => {
    expect(totalOf(fpr01With([row('-100.00', '-22.00')], '', 'TD04'))).toEqual({ total: '-122.00', totalComputed: true });
    expect(totalOf(fpr01With([row('100.00', '22.00'), row('-20.00', '-4.40')], '', 'TD04'))).toEqual({ total: '97.60', totalComputed: true });
    expect(totalOf(fpr01With([row('-0.50', '-0.11')], '', 'TD04'))).toEqual({ total: '-0.61', totalComputed: true });
  });

  it("DatiGeneraliDocumento's Arrotondamento is added, either sign", () => {
    expect(totalOf(fpr01With([row('10.01', '2.20')], '<Arrotondamento>-0.21</Arrotondamento>'))).toEqual({ total: '12.00', totalComputed: true });
    expect(totalOf(fpr01With([row('9.99', '2.20')], '<Arrotondamento>0.01</Arrotondamento>'))).toEqual({ total: '12.20', totalComputed: true });
  });

  it("a summary row's own Arrotondamento is not added again (it is inside its ImponibileImporto)", () => {
    const rounded =
      '<DatiRiepilogo><AliquotaIVA>22.00</AliquotaIVA><Arrotondamento>0.01</Arrotondamento><ImponibileImporto>5.01</ImponibileImporto><Imposta>1.10</Imposta></DatiRiepilogo>';
    expect(totalOf(fpr01With([rounded]))).toEqual({ total: '6.11', totalComputed: true });
  });

  it('stamp duty (DatiBollo) is not added: charged to the buyer it is already an N1 line of the summary', () => {
    // richInvoice: 450.00 + 99.00 at 22% and the 2.00 stamp recharge (N1) make the 551.00 it states.
    const xml = richInvoice().toString('utf8').replace('<ImportoTotaleDocumento>551.00</ImportoTotaleDocumento>', '');
    expect(xml).toContain('<ImportoBollo>2.00</ImportoBollo>');
    expect(totalOf(xml)).toEqual({ total: '551.00', totalComputed: true });
  });

  it('exact decimals: ten rows of 0.10 + 0.00 make 1.00, not 0.9999999999999999', () => {
    const rows = Array.from({ length: 10 }, () => row('0.10', '0.00', '0.00', 'N4'));
    expect(totalOf(fpr01With(rows))).toEqual({ total: '1.00', totalComputed: true });
    expect(totalOf(fpr01With([row('12345678901.99', '2716049358.44')]))).toEqual({ total: '15061728260.43', totalComputed: true });
  });

  it('no DatiRiepilogo: no total, not 0', () => {
    expect(totalOf(fpr01With([]))).toEqual({ total: null });
  });

  it('a row without ImponibileImporto or Imposta: no total rather than a partial sum', () => {
    expect(totalOf(fpr01With([row('100.00', '22.00'), row('50.00', null)]))).toEqual({ total: null });
    expect(totalOf(fpr01With([row(null, '22.00')]))).toEqual({ total: null });
  });

  it.each([
    ['a comma decimal', '5,00'],
    ['an exponent', '5e2'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['hex', '0x10'],
    ['text', 'cinque euro'],
    ['markup-like text', '5.00<script>'],
    ['two dots', '5.0.0'],
    ['a thousands separator', '1.234,00'],
    ['digits past any sane amount', '9'.repeat(400)],
  ])('a non-numeric amount (%s) gives no total', (_label, hostile) => {
    expect(totalOf(fpr01With([row('100.00', '22.00'), row(hostile.replace(/</g, '&lt;'), '1.00')]))).toEqual({ total: null });
    expect(totalOf(fpr01With([row('100.00', '22.00')], `<Arrotondamento>${hostile.replace(/</g, '&lt;')}</Arrotondamento>`))).toEqual({ total: null });
  });

  it('FSM10: the sum of the lines, VAT included, marked computed; a line without Importo: no total', () => {
    expect(totalOf(simplifiedInvoice())).toEqual({ total: '122.00', totalComputed: true });
    const missing = simplifiedInvoice().toString('utf8').replace('<Importo>22.00</Importo>', '');
    expect(totalOf(missing)).toEqual({ total: null });
    const hostile = simplifiedInvoice().toString('utf8').replace('<Importo>22.00</Importo>', '<Importo>22 EUR</Importo>');
    expect(totalOf(hostile)).toEqual({ total: null });
  });

  it('a batch: each body its own total, written or computed', async () => {
    const bodies = readFatturaPa(parseXml(batchInvoice())).bodies;
    expect(bodies.map((body) => [body.number, body.total, body.totalComputed ?? false])).toEqual([
      ['123', '6.10', true],
      ['124', '7.32', false],
    ]);
  });
});

describe('one rule: the invoice view shows the figure capture recorded', () => {
  const files: Array<[string, Buffer]> = [
    ['FPA01', fixture('fatturapa', 'IT01234567890_FPA01.xml')],
    ['FPA02', fixture('fatturapa', 'IT01234567890_FPA02.xml')],
    ['FPR01', fixture('fatturapa', 'IT01234567890_FPR01.xml')],
    ['batch', batchInvoice()],
    ['rich', richInvoice()],
    ['FSM10', simplifiedInvoice()],
    ['rounded', Buffer.from(fpr01With([row('10.01', '2.20')], '<Arrotondamento>-0.21</Arrotondamento>'))],
    ['no summary', Buffer.from(fpr01With([]))],
  ];
  it.each(files)('%s', async (_name, bytes) => {
    const captured = readFatturaPa(parseXml(bytes)).bodies.map((body) => [body.total, body.totalComputed === true]);
    const shown = (await readInvoiceView(bytes, 'fatturapa')).bodies.map((body) => [body.total, body.totalComputed]);
    expect(shown).toEqual(captured);
  });
});

describe('the list summary and the search row', () => {
  it('the summary carries the computed total and says so; a written one and a guess are not marked', () => {
    const computed = { invoice: readFatturaPa(parseXml(FPR01())) };
    expect(invoiceSummaryOf(computed)).toMatchObject({ total: '6.10', totalComputed: true, currency: 'EUR' });
    const written = { invoice: readFatturaPa(parseXml(richInvoice())) };
    expect(invoiceSummaryOf(written)).toMatchObject({ total: '551.00', totalComputed: false });
    const guess = { pdfGuess: { guessed: true, number: '9', date: null, vatNumbers: [], total: '77,00', textChars: 10 } };
    expect(invoiceSummaryOf(guess)).toMatchObject({ total: '77,00', totalComputed: false, guessed: true });
  });

  it('a batch summary follows its first invoice', () => {
    expect(invoiceSummaryOf({ invoice: readFatturaPa(parseXml(batchInvoice())) })).toMatchObject({ total: '6.10', totalComputed: true, count: 2 });
  });

  it('metadata stored before computed totals (no marker, total null) stays without a total', () => {
    const old = {
      invoice: { ...readFatturaPa(parseXml(FPR01())), bodies: [{ type: 'TD01', number: '123', date: '2014-12-18', total: null, currency: 'EUR' }] },
    };
    expect(invoiceSummaryOf(old)).toMatchObject({ total: null, totalComputed: false });
    // A marker without a total (hand-edited metadata) claims nothing.
    const odd = { invoice: { ...old.invoice, bodies: [{ ...old.invoice.bodies[0], totalComputed: true }] } };
    expect(invoiceSummaryOf(odd)).toMatchObject({ total: null, totalComputed: false });
  });

  it('the search row holds the computed total in the three spellings a person types', () => {
    const big = fpr01With([row('1012.00', '222.56')]);
    const { text } = searchRowOf({ name: 'a.xml', sdiId: null, sdiFileName: null, metadata: { invoice: readFatturaPa(parseXml(big)) } });
    expect(text.split(' ')).toEqual(expect.arrayContaining(['1234.56', '1234,56', '1.234,56']));
  });
});
