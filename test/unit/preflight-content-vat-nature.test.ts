// VAT rate and Natura (SDI 00400, 00401, 00413, 00414, 00420, 00424, 00429, 00430, 00445, 00448)
// and the match between lines and summaries (00419, 00443, 00444), on edits of the FPR01 sample.
import { describe, expect, it } from 'vitest';
import {
  AFTER_CASSA,
  AFTER_NUMERO,
  AFTER_RITENUTA,
  DOC,
  GOODS,
  expectClean,
  expectErrors,
  fpr01,
  intoDocument,
  withBuyerVat,
  withGoods,
} from '../helpers/preflight-content.ts';
import type { LineSpec, SummarySpec } from '../helpers/preflight-content.ts';

const LINE = `${GOODS}/DettaglioLinee`;
const SUMMARY = `${GOODS}/DatiRiepilogo`;

const taxed: LineSpec = { quantity: '5.00', unit: '1.00', total: '5.00', rate: '22.00' };
const taxedSummary: SummarySpec = { rate: '22.00', taxable: '5.00', tax: '1.10', chargeability: 'I' };

function goods(lines: LineSpec[], summaries: SummarySpec[]) {
  return withGoods(fpr01(), lines, summaries);
}

/** A welfare fund contribution (cassa previdenziale) of 4% on 5.00. */
function fund(rate: string, nature?: string, withholding = false): string {
  return `<DatiCassaPrevidenziale><TipoCassa>TC22</TipoCassa><AlCassa>4.00</AlCassa><ImportoContributoCassa>0.20</ImportoContributoCassa><ImponibileCassa>5.00</ImponibileCassa><AliquotaIVA>${rate}</AliquotaIVA>${withholding ? '<Ritenuta>SI</Ritenuta>' : ''}${nature ? `<Natura>${nature}</Natura>` : ''}</DatiCassaPrevidenziale>`;
}

describe('00400 / 00401: a line at rate 0 needs Natura, a line above 0 must not have one', () => {
  it('rate 0.00 without Natura is refused', () => {
    const [issue] = expectErrors(goods([{ ...taxed, rate: '0.00' }], [{ rate: '0.00', nature: 'N2.2', taxable: '5.00', tax: '0.00' }]), [
      ['line_nature_missing', '00400', `${LINE}/Natura`],
    ]);
    expect(issue?.message.en).toContain('Line 1: AliquotaIVA is 0.00 but Natura is missing');
    expect(issue?.message.it).toContain('Linea 1: AliquotaIVA è 0.00 ma manca Natura');
  });

  it('rate 0.00 with a nature, summarised with it, passes (exempt, not subject, reverse charge, margin)', () => {
    for (const nature of ['N1', 'N2.1', 'N2.2', 'N3.1', 'N3.5', 'N4', 'N5', 'N6.3', 'N6.9', 'N7']) {
      expectClean(goods([{ ...taxed, rate: '0.00', nature }], [{ rate: '0.00', nature, taxable: '5.00', tax: '0.00', reference: 'Art. 10 DPR 633/72' }]));
    }
  });

  it('Natura on a taxed line is refused', () => {
    expectErrors(goods([{ ...taxed, nature: 'N4' }], [taxedSummary]), [['line_nature_not_allowed', '00401', `${LINE}/Natura`]]);
  });

  it('TD16 (domestic reverse charge integration) keeps the supplier nature next to the rate', () => {
    const td16 = withBuyerVat(goods([{ ...taxed, nature: 'N6.3' }], [{ ...taxedSummary, nature: 'N6.3' }]), 'IT', '09876543217').set(
      `${DOC}/TipoDocumento`,
      'TD16',
    );
    expectClean(td16);
  });

  it('a taxed line with a zero-rated stamp duty line (virtual bollo) passes', () => {
    const invoice = goods(
      [taxed, { quantity: '1.00', unit: '2.00', total: '2.00', rate: '0.00', nature: 'N1' }],
      [taxedSummary, { rate: '0.00', nature: 'N1', taxable: '2.00', tax: '0.00', reference: 'Escluso art. 15' }],
    );
    expectClean(intoDocument(invoice, '<DatiBollo><BolloVirtuale>SI</BolloVirtuale><ImportoBollo>2.00</ImportoBollo></DatiBollo>', AFTER_RITENUTA));
  });

  it('many lines with the same mistake give ten findings, the last counting the rest', () => {
    const lines = Array.from({ length: 25 }, () => ({ ...taxed, rate: '0.00' }));
    const issues = expectErrors(
      goods(lines, [{ rate: '0.00', nature: 'N4', taxable: '125.00', tax: '0.00' }]),
      Array.from({ length: 10 }, (_, index) => ['line_nature_missing', '00400', `${LINE}[${index + 1}]/Natura`] as [string, string, string]),
    );
    expect(issues[9]?.message.en).toContain('15 more with the same problem');
  });
});

describe('00413 / 00414: the same on the welfare fund (DatiCassaPrevidenziale)', () => {
  const withFund = (fundXml: string, summaries: SummarySpec[]) => intoDocument(goods([taxed], summaries), fundXml, AFTER_NUMERO);

  it('a contribution at rate 0 without Natura is refused', () => {
    expectErrors(withFund(fund('0.00'), [taxedSummary, { rate: '0.00', nature: 'N4', taxable: '0.20', tax: '0.00' }]), [
      ['fund_nature_missing', '00413', `${DOC}/DatiCassaPrevidenziale/Natura`],
    ]);
  });

  it('a contribution at rate 22 with Natura is refused', () => {
    expectErrors(withFund(fund('22.00', 'N4'), [{ ...taxedSummary, taxable: '5.20', tax: '1.14' }]), [
      ['fund_nature_not_allowed', '00414', `${DOC}/DatiCassaPrevidenziale/Natura`],
    ]);
  });

  it('a taxed contribution in the 22% summary, or an exempt one with its own summary, passes', () => {
    expectClean(withFund(fund('22.00'), [{ ...taxedSummary, taxable: '5.20', tax: '1.14' }]));
    expectClean(withFund(fund('0.00', 'N4'), [taxedSummary, { rate: '0.00', nature: 'N4', taxable: '0.20', tax: '0.00' }]));
  });
});

describe('00429 / 00430: the same on the summaries (DatiRiepilogo)', () => {
  it('a summary at rate 0 without Natura is refused', () => {
    expectErrors(goods([{ ...taxed, rate: '0.00', nature: 'N4' }], [{ rate: '0.00', taxable: '5.00', tax: '0.00' }]), [
      ['summary_nature_missing', '00429', `${SUMMARY}/Natura`],
      ['summary_nature_mismatch', '00444', SUMMARY],
    ]);
  });

  it('a summary at rate 22 with Natura is refused', () => {
    expectErrors(goods([taxed], [{ ...taxedSummary, nature: 'N4' }]), [['summary_nature_not_allowed', '00430', `${SUMMARY}/Natura`]]);
  });
});

describe('00420: reverse charge (N6.x) cannot be split payment (EsigibilitaIVA S)', () => {
  it('N6.3 with S is refused', () => {
    expectErrors(goods([{ ...taxed, rate: '0.00', nature: 'N6.3' }], [{ rate: '0.00', nature: 'N6.3', taxable: '5.00', tax: '0.00', chargeability: 'S' }]), [
      ['reverse_charge_split_payment', '00420', `${SUMMARY}/EsigibilitaIVA`],
    ]);
  });

  it('split payment on a taxed summary, and reverse charge with I, pass', () => {
    const pa = goods([taxed], [{ ...taxedSummary, chargeability: 'S' }]);
    expectClean(pa);
    expectClean(goods([{ ...taxed, rate: '0.00', nature: 'N6.3' }], [{ rate: '0.00', nature: 'N6.3', taxable: '5.00', tax: '0.00', chargeability: 'I' }]));
  });
});

describe('00424: rates are percentages', () => {
  it('0.22 for 22% is refused on the line and the summary', () => {
    expectErrors(goods([{ ...taxed, rate: '0.22' }], [{ rate: '0.22', taxable: '5.00', tax: '0.01' }]), [
      ['vat_rate_not_percent', '00424', `${LINE}/AliquotaIVA`],
      ['vat_rate_not_percent', '00424', `${SUMMARY}/AliquotaIVA`],
    ]);
  });

  it('the reduced rates 4, 5 and 10 and the agricultural compensation rates (e.g. 6.40, 7.30) pass', () => {
    for (const rate of ['4.00', '5.00', '10.00', '6.40', '7.30', '1.00']) {
      const tax = ((Number(rate) * 5) / 100).toFixed(2);
      expectClean(goods([{ ...taxed, rate }], [{ rate, taxable: '5.00', tax }]));
    }
  });
});

describe('00445 / 00448: the generic natures N2, N3, N6 are no longer accepted', () => {
  it('N2 on a line and its summary is refused (00445)', () => {
    const issues = expectErrors(goods([{ ...taxed, rate: '0.00', nature: 'N2' }], [{ rate: '0.00', nature: 'N2', taxable: '5.00', tax: '0.00' }]), [
      ['generic_nature', '00445', `${LINE}/Natura`],
      ['generic_nature', '00445', `${SUMMARY}/Natura`],
    ]);
    expect(issues[0]?.message.en).toContain('N2.1, N2.2');
  });

  it('for a foreign buyer (XXXXXXX) SDI says 00448', () => {
    const foreign = withBuyerVat(
      goods([{ ...taxed, rate: '0.00', nature: 'N3' }], [{ rate: '0.00', nature: 'N3', taxable: '5.00', tax: '0.00' }]),
      'DE',
      '123456789',
    ).set('FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario', 'XXXXXXX');
    expectErrors(foreign, [
      ['generic_nature', '00448', `${LINE}/Natura`],
      ['generic_nature', '00448', `${SUMMARY}/Natura`],
    ]);
  });

  it('on the welfare fund too', () => {
    const invoice = intoDocument(
      goods([taxed], [taxedSummary, { rate: '0.00', nature: 'N6', taxable: '0.20', tax: '0.00' }]),
      fund('0.00', 'N6'),
      AFTER_NUMERO,
    );
    expectErrors(invoice, [
      ['generic_nature', '00445', `${DOC}/DatiCassaPrevidenziale/Natura`],
      ['generic_nature', '00445', `${SUMMARY}[2]/Natura`],
    ]);
  });
});

describe('00419 / 00443 / 00444: summaries match the lines and the welfare fund', () => {
  it('a line rate without a summary is refused (00419), naming the rate and the line', () => {
    const [issue] = expectErrors(goods([taxed, { ...taxed, rate: '10.00' }], [{ ...taxedSummary }]), [['summary_missing_for_rate', '00419', SUMMARY]]);
    expect(issue?.message.en).toContain('rate 10.00, used in line 2');
  });

  it('a welfare fund rate without a summary is refused (00419)', () => {
    const invoice = intoDocument(goods([taxed], [taxedSummary]), fund('10.00'), AFTER_NUMERO);
    expectErrors(invoice, [['summary_missing_for_rate', '00419', SUMMARY]]);
  });

  it('a summary rate that nothing uses is refused (00443)', () => {
    expectErrors(goods([taxed], [taxedSummary, { rate: '10.00', taxable: '0.00', tax: '0.00' }]), [
      ['summary_rate_unused', '00443', `${SUMMARY}[2]/AliquotaIVA`],
    ]);
  });

  it('a summary with the wrong rate gives 00419 and 00443, not also a wrong sum (00422)', () => {
    expectErrors(goods([{ ...taxed, rate: '10.00' }], [taxedSummary]), [
      ['summary_missing_for_rate', '00419', SUMMARY],
      ['summary_rate_unused', '00443', `${SUMMARY}/AliquotaIVA`],
    ]);
  });

  it('a line nature missing from the summaries is refused (00444), and a summary nature no line has', () => {
    const lines = [
      { ...taxed, rate: '0.00', nature: 'N4' },
      { ...taxed, rate: '0.00', nature: 'N2.2' },
    ];
    expectErrors(goods(lines, [{ rate: '0.00', nature: 'N4', taxable: '10.00', tax: '0.00' }]), [['summary_nature_mismatch', '00444', SUMMARY]]);
    expectErrors(
      goods(
        [{ ...taxed, rate: '0.00', nature: 'N4' }],
        [
          { rate: '0.00', nature: 'N4', taxable: '5.00', tax: '0.00' },
          { rate: '0.00', nature: 'N3.1', taxable: '0.00', tax: '0.00' },
        ],
      ),
      [['summary_nature_mismatch', '00444', `${SUMMARY}[2]/Natura`]],
    );
  });

  it('several rates, natures and chargeabilities, each summarised, pass', () => {
    const lines: LineSpec[] = [
      taxed,
      { ...taxed, rate: '10.00' },
      { ...taxed, rate: '4.00' },
      { ...taxed, rate: '0.00', nature: 'N4' },
      { ...taxed, rate: '0.00', nature: 'N3.1' },
      { ...taxed, rate: '22.00' },
    ];
    const summaries: SummarySpec[] = [
      { rate: '22.00', taxable: '6.00', tax: '1.32', chargeability: 'I' },
      { rate: '22.00', taxable: '4.00', tax: '0.88', chargeability: 'D' },
      { rate: '10.00', taxable: '5.00', tax: '0.50' },
      { rate: '4.00', taxable: '5.00', tax: '0.20' },
      { rate: '0.00', nature: 'N4', taxable: '5.00', tax: '0.00' },
      { rate: '0.00', nature: 'N3.1', taxable: '5.00', tax: '0.00' },
    ];
    expectClean(goods(lines, summaries));
  });

  it('a split-payment invoice to a public administration with withholding and fund passes', () => {
    const invoice = goods([taxed], [{ rate: '22.00', taxable: '5.20', tax: '1.14', chargeability: 'S' }]);
    intoDocument(
      invoice,
      '<DatiRitenuta><TipoRitenuta>RT01</TipoRitenuta><ImportoRitenuta>1.00</ImportoRitenuta><AliquotaRitenuta>20.00</AliquotaRitenuta><CausalePagamento>A</CausalePagamento></DatiRitenuta>',
      AFTER_NUMERO,
    );
    intoDocument(invoice, fund('22.00'), AFTER_CASSA.slice(0, -1));
    expectClean(invoice);
  });
});
