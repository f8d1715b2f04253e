// The arithmetic SDI redoes: PrezzoTotale (00423, ±0.01), ImponibileImporto (00422, ±1.00),
// Imposta (00421, ±1.00), discounts without a value (00437, 00438); failing cases and the valid
// look-alikes at their edges.
import { describe, expect, it } from 'vitest';
import { AFTER_CASSA, AFTER_NUMERO, DOC, GOODS, expectClean, expectErrors, fpr01, intoDocument, withGoods } from '../helpers/preflight-content.ts';
import type { LineSpec, SummarySpec } from '../helpers/preflight-content.ts';

const LINE = `${GOODS}/DettaglioLinee`;
const SUMMARY = `${GOODS}/DatiRiepilogo`;

/** One line at 22% and its summary, the summary computed from `total` unless given. */
function oneLine(line: Omit<LineSpec, 'rate'>, summary: Partial<SummarySpec> = {}) {
  const taxable = summary.taxable ?? (Math.round(Number(line.total) * 100) / 100).toFixed(2);
  const tax = summary.tax ?? (Math.round(Number(taxable) * 22) / 100).toFixed(2);
  return withGoods(fpr01(), [{ ...line, rate: '22.00' }], [{ rate: '22.00', taxable, tax, ...summary }]);
}

describe('00423: PrezzoTotale is Quantita × PrezzoUnitario, after discounts and surcharges (±0.01)', () => {
  it('5 × 0.22 written as 3.10 is refused, with the numbers', () => {
    const [issue] = expectErrors(oneLine({ quantity: '5.00', unit: '0.22', total: '3.10' }), [['line_total_mismatch', '00423', `${LINE}/PrezzoTotale`]]);
    expect(issue?.message.en).toContain('expected 1.10, found 3.10');
    expect(issue?.message.it).toContain('atteso 1.10, trovato 3.10');
    expect(issue?.message.en).toContain('Quantita 5.00 × PrezzoUnitario 0.22');
  });

  it('a difference of one cent passes; more does not', () => {
    expectClean(oneLine({ quantity: '5.00', unit: '0.22', total: '1.11' }));
    expectClean(oneLine({ quantity: '5.00', unit: '0.22', total: '1.09' }));
    expectErrors(oneLine({ quantity: '5.00', unit: '0.22', total: '1.12' }), [['line_total_mismatch', '00423', `${LINE}/PrezzoTotale`]]);
  });

  it('unit prices with 8 decimals: rounded totals pass, within a cent of the exact product or of its rounding', () => {
    expectClean(oneLine({ quantity: '3.00', unit: '0.33333333', total: '1.00' }));
    expectClean(oneLine({ quantity: '1000.00', unit: '0.12345678', total: '123.46' }));
    expectClean(oneLine({ quantity: '1000.00', unit: '0.12345678', total: '123.45678000' }));
    // 701.328771 exactly: 701.33 is the rounded value, 701.34 a cent from it (accepted here on purpose,
    // see docs/preflight.md), 701.35 is refused.
    expectClean(oneLine({ quantity: '22633.00', unit: '0.030987', total: '701.33' }));
    expectClean(oneLine({ quantity: '22633.00', unit: '0.030987', total: '701.34' }));
    expectErrors(oneLine({ quantity: '22633.00', unit: '0.030987', total: '701.35' }), [['line_total_mismatch', '00423', `${LINE}/PrezzoTotale`]]);
  });

  it('without Quantita the quantity is 1', () => {
    expectClean(oneLine({ unit: '150.00', total: '150.00' }));
    expectErrors(oneLine({ unit: '150.00', total: '300.00' }), [['line_total_mismatch', '00423', `${LINE}/PrezzoTotale`]]);
  });

  it('chained discounts apply in cascade (100 − 10% − 5% = 85.50), and the flat reading (85.00) passes too', () => {
    const discounts = [
      { type: 'SC' as const, percent: '10.00' },
      { type: 'SC' as const, percent: '5.00' },
    ];
    expectClean(oneLine({ quantity: '2.00', unit: '100.00', discounts, total: '171.00' }));
    expectClean(oneLine({ quantity: '2.00', unit: '100.00', discounts, total: '170.00' }));
    expectErrors(oneLine({ quantity: '2.00', unit: '100.00', discounts, total: '200.00' }), [['line_total_mismatch', '00423', `${LINE}/PrezzoTotale`]]);
  });

  it('percentages and amounts, discounts (SC) and surcharges (MG) mix', () => {
    // 10.00 − 10% = 9.00, + 0.50 = 9.50, × 3 = 28.50
    expectClean(
      oneLine({
        quantity: '3.00',
        unit: '10.00',
        discounts: [
          { type: 'SC', percent: '10.00' },
          { type: 'MG', amount: '0.50' },
        ],
        total: '28.50',
      }),
    );
    // 10.00 + 20% = 12.00, − 1.00 = 11.00
    expectClean(
      oneLine({
        unit: '10.00',
        discounts: [
          { type: 'MG', percent: '20.00' },
          { type: 'SC', amount: '1.00' },
        ],
        total: '11.00',
      }),
    );
  });

  it("a discount amount is per unit and wins over the percentage given with it (SDI's reading)", () => {
    // 95.00 − 19.00 = 76.00, × 5 = 380.00
    expectClean(oneLine({ quantity: '5.00', unit: '95.00', discounts: [{ type: 'SC', percent: '20.00', amount: '19.00' }], total: '380.00' }));
    // The whole line's discount written as the amount: 95.00 − 95.00 = 0 per unit.
    expectErrors(oneLine({ quantity: '5.00', unit: '95.00', discounts: [{ type: 'SC', percent: '20.00', amount: '95.00' }], total: '380.00' }), [
      ['line_total_mismatch', '00423', `${LINE}/PrezzoTotale`],
    ]);
  });

  it('negative lines (a discount line, a credit note TD04 with positive amounts) pass', () => {
    const lines: LineSpec[] = [
      { quantity: '2.00', unit: '50.00', total: '100.00', rate: '22.00' },
      { kind: 'SC', quantity: '1.00', unit: '-10.00', total: '-10.00', rate: '22.00' },
    ];
    expectClean(withGoods(fpr01(), lines, [{ rate: '22.00', taxable: '90.00', tax: '19.80' }]));
    expectClean(oneLine({ quantity: '1.00', unit: '100.00', total: '100.00' }).set(`${DOC}/TipoDocumento`, 'TD04'));
    expectClean(oneLine({ quantity: '1.00', unit: '-100.00', total: '-100.00' }));
  });
});

describe('00422: ImponibileImporto is the sum of the lines, fund contributions and Arrotondamento at its rate (±1.00)', () => {
  it('a summary of 25.00 for lines of 5.00 is refused, with the numbers', () => {
    const [issue] = expectErrors(oneLine({ quantity: '5.00', unit: '1.00', total: '5.00' }, { taxable: '25.00', tax: '5.50' }), [
      ['summary_taxable_mismatch', '00422', `${SUMMARY}/ImponibileImporto`],
    ]);
    expect(issue?.message.en).toContain('expected 5.00, found 25.00, a difference of 20.00');
  });

  it('up to 1.00 of difference passes, inclusive', () => {
    expectClean(oneLine({ quantity: '5.00', unit: '1.00', total: '5.00' }, { taxable: '5.99', tax: '1.32' }));
    expectClean(oneLine({ quantity: '5.00', unit: '1.00', total: '5.00' }, { taxable: '6.00', tax: '1.32' }));
    expectClean(oneLine({ quantity: '5.00', unit: '1.00', total: '5.00' }, { taxable: '4.00', tax: '0.88' }));
    expectErrors(oneLine({ quantity: '5.00', unit: '1.00', total: '5.00' }, { taxable: '6.01', tax: '1.32' }), [
      ['summary_taxable_mismatch', '00422', `${SUMMARY}/ImponibileImporto`],
    ]);
  });

  it("the summary's Arrotondamento counts, the document's does not", () => {
    const lines: LineSpec[] = Array.from({ length: 3 }, () => ({ unit: '1.33333333', total: '1.33333333', rate: '22.00' }));
    expectClean(withGoods(fpr01(), lines, [{ rate: '22.00', rounding: '0.00000001', taxable: '4.00', tax: '0.88' }]));
    expectClean(oneLine({ unit: '10.00', total: '10.00' }, { rounding: '2.50', taxable: '12.50', tax: '2.75' }));
    expectErrors(oneLine({ unit: '10.00', total: '10.00' }, { taxable: '12.50', tax: '2.75' }), [
      ['summary_taxable_mismatch', '00422', `${SUMMARY}/ImponibileImporto`],
    ]);
    const withDocumentRounding = intoDocument(
      oneLine({ unit: '10.00', total: '10.00' }, { taxable: '12.50', tax: '2.75' }),
      '<ImportoTotaleDocumento>15.25</ImportoTotaleDocumento><Arrotondamento>2.50</Arrotondamento>',
      AFTER_CASSA,
    );
    expectErrors(withDocumentRounding, [['summary_taxable_mismatch', '00422', `${SUMMARY}/ImponibileImporto`]]);
  });

  it('the welfare fund contribution at the same rate is part of it', () => {
    const fund =
      '<DatiCassaPrevidenziale><TipoCassa>TC04</TipoCassa><AlCassa>4.00</AlCassa><ImportoContributoCassa>4.00</ImportoContributoCassa><ImponibileCassa>100.00</ImponibileCassa><AliquotaIVA>22.00</AliquotaIVA></DatiCassaPrevidenziale>';
    expectClean(intoDocument(oneLine({ unit: '100.00', total: '100.00' }, { taxable: '104.00', tax: '22.88' }), fund, AFTER_NUMERO));
    expectErrors(intoDocument(oneLine({ unit: '100.00', total: '100.00' }, { taxable: '100.00', tax: '22.00' }), fund, AFTER_NUMERO), [
      ['summary_taxable_mismatch', '00422', `${SUMMARY}/ImponibileImporto`],
    ]);
  });

  it('several summaries at one rate (deferred and immediate VAT) are summed together', () => {
    const lines: LineSpec[] = [
      { unit: '60.00', total: '60.00', rate: '22.00' },
      { unit: '40.00', total: '40.00', rate: '22.00' },
    ];
    expectClean(
      withGoods(fpr01(), lines, [
        { rate: '22.00', taxable: '60.00', tax: '13.20', chargeability: 'I' },
        { rate: '22.00', taxable: '40.00', tax: '8.80', chargeability: 'D' },
      ]),
    );
  });
});

describe('00421: Imposta is ImponibileImporto × AliquotaIVA (±1.00)', () => {
  it('3.10 on 5.00 at 22% is refused, with the numbers', () => {
    const [issue] = expectErrors(oneLine({ quantity: '5.00', unit: '1.00', total: '5.00' }, { tax: '3.10' }), [
      ['summary_tax_mismatch', '00421', `${SUMMARY}/Imposta`],
    ]);
    expect(issue?.message.en).toContain('expected 1.10, found 3.10');
  });

  it('up to 1.00 of difference passes, inclusive; rounding either way passes', () => {
    expectClean(oneLine({ quantity: '5.00', unit: '1.00', total: '5.00' }, { tax: '2.10' }));
    expectClean(oneLine({ quantity: '5.00', unit: '1.00', total: '5.00' }, { tax: '0.10' }));
    expectErrors(oneLine({ quantity: '5.00', unit: '1.00', total: '5.00' }, { tax: '2.11' }), [['summary_tax_mismatch', '00421', `${SUMMARY}/Imposta`]]);
    // 0.57 × 22% = 0.1254
    expectClean(oneLine({ unit: '0.57', total: '0.57' }, { tax: '0.13' }));
    expectClean(oneLine({ unit: '0.57', total: '0.57' }, { tax: '0.12' }));
  });

  it('a zero-rated summary has no tax', () => {
    const exempt = withGoods(
      fpr01(),
      [{ unit: '100.00', total: '100.00', rate: '0.00', nature: 'N4' }],
      [{ rate: '0.00', nature: 'N4', taxable: '100.00', tax: '5.00' }],
    );
    expectErrors(exempt, [['summary_tax_mismatch', '00421', `${SUMMARY}/Imposta`]]);
  });
});

describe('00437 / 00438: a discount or surcharge says how much', () => {
  it('on a line (00438)', () => {
    expectErrors(oneLine({ unit: '10.00', discounts: [{ type: 'SC' }], total: '10.00' }), [
      ['line_discount_without_value', '00438', `${LINE}/ScontoMaggiorazione`],
    ]);
  });

  it('on the document (00437)', () => {
    const invoice = intoDocument(oneLine({ unit: '10.00', total: '10.00' }), '<ScontoMaggiorazione><Tipo>SC</Tipo></ScontoMaggiorazione>', AFTER_CASSA);
    expectErrors(invoice, [['document_discount_without_value', '00437', `${DOC}/ScontoMaggiorazione`]]);
  });

  it('a document discount with a percentage or an amount passes (it does not enter the summaries)', () => {
    expectClean(
      intoDocument(
        oneLine({ unit: '10.00', total: '10.00' }),
        '<ScontoMaggiorazione><Tipo>SC</Tipo><Percentuale>5.00</Percentuale></ScontoMaggiorazione><ImportoTotaleDocumento>11.69</ImportoTotaleDocumento>',
        AFTER_CASSA,
      ),
    );
  });
});

describe('a large invoice', () => {
  it('1,000 lines with 8-decimal prices and discounts, summarised per rate, pass', () => {
    const lines: LineSpec[] = Array.from({ length: 1000 }, (_, index) =>
      index % 2 === 0
        ? { quantity: '3.00', unit: '0.33333333', total: '1.00', rate: '22.00' }
        : {
            quantity: '2.00',
            unit: '10.00',
            discounts: [
              { type: 'SC', percent: '10.00' },
              { type: 'MG', amount: '0.10' },
            ],
            total: '18.20',
            rate: '10.00',
          },
    );
    expectClean(
      withGoods(fpr01(), lines, [
        { rate: '22.00', taxable: '500.00', tax: '110.00' },
        { rate: '10.00', taxable: '9100.00', tax: '910.00' },
      ]),
    );
  });
});
