// The document's own data (00403 date after today, 00418 date before a linked invoice, 00425
// number without digits), withholding (00411, 00415), parties and document types (00417,
// 00471–00476), and batches checked body by body.
import { describe, expect, it } from 'vitest';
import { preflightFatturaPa } from '../../src/core/inspect/preflight/preflight.ts';
import { romeDate } from '../../src/core/inspect/preflight/content/rome-date.ts';
import { parseXml } from '../../src/core/xml/safe-xml.ts';
import {
  AFTER_NUMERO,
  BODY,
  BUYER,
  DOC,
  GOODS,
  SELLER,
  TODAY,
  VALID_SELLER_VAT,
  expectClean,
  expectErrors,
  fpa01,
  fpr01,
  intoDocument,
  withBuyerVat,
  withGoods,
} from '../helpers/preflight-content.ts';
import type { LineSpec } from '../helpers/preflight-content.ts';

const LINE = `${GOODS}/DettaglioLinee`;
const ritenuta = (type: string, amount: string) =>
  `<DatiRitenuta><TipoRitenuta>${type}</TipoRitenuta><ImportoRitenuta>${amount}</ImportoRitenuta><AliquotaRitenuta>20.00</AliquotaRitenuta><CausalePagamento>A</CausalePagamento></DatiRitenuta>`;
const fund = (withholding: boolean) =>
  `<DatiCassaPrevidenziale><TipoCassa>TC22</TipoCassa><AlCassa>4.00</AlCassa><ImportoContributoCassa>4.00</ImportoContributoCassa><ImponibileCassa>100.00</ImponibileCassa><AliquotaIVA>22.00</AliquotaIVA>${withholding ? '<Ritenuta>SI</Ritenuta>' : ''}</DatiCassaPrevidenziale>`;

describe('00403: not dated after the day SDI receives it (Europe/Rome)', () => {
  it('dated tomorrow is refused, with both dates', () => {
    const [issue] = expectErrors(fpr01().set(`${DOC}/Data`, '2025-06-17'), [['date_in_future', '00403', `${DOC}/Data`]]);
    expect(issue?.message.en).toContain('(2025-06-17) is after today (2025-06-16, Italian time)');
  });

  it('dated today, or in the past, passes', () => {
    expectClean(fpr01().set(`${DOC}/Data`, TODAY));
    expectClean(fpr01().set(`${DOC}/Data`, '2025-01-01'));
  });

  it('"today" is the day in Rome: 23:30 UTC on 31 December is already 1 January there', () => {
    expect(romeDate(new Date('2025-12-31T23:30:00Z'))).toBe('2026-01-01');
    expect(romeDate(new Date('2025-06-16T21:59:59Z'))).toBe('2025-06-16');
    expect(romeDate(new Date('2025-06-16T22:00:00Z'))).toBe('2025-06-17');
  });

  it('without a day given, preflight uses the clock', () => {
    const tomorrow = romeDate(new Date(Date.now() + 36 * 3600_000));
    const xml = fpr01().set(`${DOC}/Data`, tomorrow).toString();
    const issues = preflightFatturaPa(parseXml(xml), { fileName: 'IT01234567890_00001.xml', size: xml.length, history: null });
    expect(issues.map((issue) => issue.code)).toEqual(['date_in_future']);
  });
});

describe('00418: not dated before an invoice it refers to (DatiFattureCollegate)', () => {
  const linked = (date: string) =>
    fpr01().insert(`${BODY}/DatiGenerali`, `<DatiFattureCollegate><IdDocumento>17</IdDocumento><Data>${date}</Data></DatiFattureCollegate>`, {
      after: ['DatiGeneraliDocumento', 'DatiOrdineAcquisto', 'DatiContratto', 'DatiConvenzione', 'DatiRicezione'],
    });

  it('a credit note dated before the invoice it corrects is refused', () => {
    const [issue] = expectErrors(linked('2014-12-19').set(`${DOC}/TipoDocumento`, 'TD04'), [
      ['date_before_linked_invoice', '00418', `${BODY}/DatiGenerali/DatiFattureCollegate/Data`],
    ]);
    expect(issue?.message.en).toContain('dated 2014-12-18, before the linked invoice (DatiFattureCollegate) of 2014-12-19');
  });

  it('the same day or later passes; a link without a date passes', () => {
    expectClean(linked('2014-12-18'));
    expectClean(linked('2014-01-31'));
    expectClean(
      fpr01().insert(`${BODY}/DatiGenerali`, '<DatiFattureCollegate><IdDocumento>17</IdDocumento></DatiFattureCollegate>', {
        after: ['DatiGeneraliDocumento', 'DatiOrdineAcquisto', 'DatiContratto'],
      }),
    );
  });
});

describe('00425: the number has a digit', () => {
  it('"ABC" is refused; "A/1", "FV-2025-x" pass', () => {
    expectErrors(fpr01().set(`${DOC}/Numero`, 'ABC'), [['number_without_digit', '00425', `${DOC}/Numero`]]);
    expectClean(fpr01().set(`${DOC}/Numero`, 'A/1'));
    expectClean(fpr01().set(`${DOC}/Numero`, 'FV-2025-x'));
  });
});

describe('00411 / 00415: withholding marked on a line or the fund needs DatiRitenuta', () => {
  const withholdingLines: LineSpec[] = [
    { unit: '100.00', total: '100.00', rate: '22.00', withholding: true },
    { unit: '50.00', total: '50.00', rate: '22.00', withholding: true },
  ];
  const summary = { rate: '22.00', taxable: '150.00', tax: '33.00' };

  it('Ritenuta SI on lines without DatiRitenuta is refused once, counting the lines', () => {
    const [issue] = expectErrors(withGoods(fpr01(), withholdingLines, [summary]), [['line_withholding_without_data', '00411', `${LINE}[1]/Ritenuta`]]);
    expect(issue?.message.en).toContain('Line 1 (and 1 more lines): Ritenuta SI');
  });

  it('with one DatiRitenuta, or several (RT01 and RT04 ENASARCO), it passes', () => {
    expectClean(intoDocument(withGoods(fpr01(), withholdingLines, [summary]), ritenuta('RT01', '30.00'), AFTER_NUMERO));
    expectClean(intoDocument(withGoods(fpr01(), withholdingLines, [summary]), `${ritenuta('RT01', '30.00')}${ritenuta('RT04', '6.00')}`, AFTER_NUMERO));
    for (const type of ['RT02', 'RT03', 'RT05', 'RT06'])
      expectClean(intoDocument(withGoods(fpr01(), withholdingLines, [summary]), ritenuta(type, '1.00'), AFTER_NUMERO));
  });

  it('a fund contribution subject to withholding without DatiRitenuta is refused; with it, passes', () => {
    const invoice = () =>
      intoDocument(
        withGoods(fpr01(), [{ unit: '100.00', total: '100.00', rate: '22.00' }], [{ rate: '22.00', taxable: '104.00', tax: '22.88' }]),
        fund(true),
        AFTER_NUMERO,
      );
    expectErrors(invoice(), [['fund_withholding_without_data', '00415', `${DOC}/DatiCassaPrevidenziale/Ritenuta`]]);
    expectClean(intoDocument(invoice(), ritenuta('RT01', '20.80'), AFTER_NUMERO));
  });
});

describe('00417: the buyer has a VAT number or a codice fiscale', () => {
  it('neither is refused', () => {
    expectErrors(fpr01().remove(`${BUYER}/CodiceFiscale`), [['buyer_without_id', '00417', BUYER]]);
  });

  it('a VAT number alone, or a foreign one, passes', () => {
    expectClean(withBuyerVat(fpr01()));
    expectClean(withBuyerVat(fpr01(), 'FR', '12345678901').set('FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario', 'XXXXXXX'));
  });
});

describe('00471–00476: the parties each document type allows', () => {
  const TYPE = `${DOC}/TipoDocumento`;
  const asType = (type: string, invoice = withBuyerVat(fpr01())) => invoice.set(TYPE, type);
  const sellerCountry = (invoice: ReturnType<typeof fpr01>, country: string, code = '123456789') =>
    invoice.set(`${SELLER}/IdFiscaleIVA/IdPaese`, country).set(`${SELLER}/IdFiscaleIVA/IdCodice`, code);

  it('00471: an invoice to oneself is refused for TD01 and the integrations', () => {
    for (const type of ['TD01', 'TD24']) {
      expectErrors(asType(type, withBuyerVat(fpr01(), 'IT', VALID_SELLER_VAT)), [['doc_type_same_party', '00471', TYPE]]);
    }
    expectClean(asType('TD04', withBuyerVat(fpr01(), 'IT', VALID_SELLER_VAT)));
  });

  it('00472: a self-invoice (TD21 plafond, TD27 self-consumption) to someone else is refused; to oneself it passes', () => {
    expectErrors(asType('TD27'), [['doc_type_party_must_match', '00472', TYPE]]);
    expectClean(asType('TD27', withBuyerVat(fpr01(), 'IT', VALID_SELLER_VAT)));
    // The seller's codice fiscale as the buyer's: the same subject.
    expectClean(asType('TD21', fpr01().set(`${BUYER}/CodiceFiscale`, VALID_SELLER_VAT)));
  });

  it('00473: TD17, TD18, TD19, TD28 with an Italian seller are refused (the TD18 of the issue)', () => {
    for (const type of ['TD17', 'TD18', 'TD19', 'TD28']) expectErrors(asType(type), [['doc_type_italian_seller', '00473', TYPE]]);
    expectClean(asType('TD18', sellerCountry(withBuyerVat(fpr01()), 'DE')));
    expectClean(asType('TD17', sellerCountry(withBuyerVat(fpr01()), 'OO', '12345678901')));
    expectClean(asType('TD28', sellerCountry(withBuyerVat(fpr01()), 'SM', '12345')));
  });

  it('00474: a TD21 line at rate 0 is refused', () => {
    const invoice = withGoods(
      fpr01().set(`${BUYER}/CodiceFiscale`, VALID_SELLER_VAT),
      [{ unit: '10.00', total: '10.00', rate: '0.00', nature: 'N3.5' }],
      [{ rate: '0.00', nature: 'N3.5', taxable: '10.00', tax: '0.00' }],
    );
    expectErrors(asType('TD21', invoice), [['doc_type_zero_rate', '00474', `${LINE}/AliquotaIVA`]]);
    expectClean(asType('TD21', fpr01().set(`${BUYER}/CodiceFiscale`, VALID_SELLER_VAT)));
  });

  it('00475: integrations and VAT-warehouse extractions need the buyer VAT number', () => {
    for (const type of ['TD16', 'TD20', 'TD22', 'TD23']) {
      expectErrors(asType(type, fpr01()), [['doc_type_buyer_vat_required', '00475', `${BUYER}/IdFiscaleIVA`]]);
      expectClean(asType(type));
    }
    const foreign = sellerCountry(fpr01(), 'DE');
    expectErrors(asType('TD17', foreign), [['doc_type_buyer_vat_required', '00475', `${BUYER}/IdFiscaleIVA`]]);
  });

  it('00476: seller and buyer both foreign are refused; one Italian passes', () => {
    const bothForeign = sellerCountry(withBuyerVat(fpr01(), 'FR', '12345678901'), 'DE').set(
      'FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario',
      'XXXXXXX',
    );
    expectErrors(bothForeign, [['both_parties_foreign', '00476', `${BUYER}/IdFiscaleIVA/IdPaese`]]);
    expectClean(sellerCountry(withBuyerVat(fpr01()), 'DE'));
  });
});

describe('batches: each body is checked on its own, its findings name it', () => {
  it('the second invoice of a batch with a wrong total is named and pointed at', () => {
    const batch = fpr01().duplicate(BODY, (copy) => {
      const numero = copy.children[0]?.children[0]?.children.find((child) => child.local === 'Numero');
      if (numero) numero.text = '124';
    });
    expectClean(batch);
    batch
      .set(`${BODY}[2]/DatiBeniServizi/DettaglioLinee/PrezzoTotale`, '3.10')
      .set(`${BODY}[2]/DatiBeniServizi/DatiRiepilogo/ImponibileImporto`, '3.10')
      .set(`${BODY}[2]/DatiBeniServizi/DatiRiepilogo/Imposta`, '0.68');
    const [issue] = expectErrors(batch, [['line_total_mismatch', '00423', `${BODY}[2]/DatiBeniServizi/DettaglioLinee/PrezzoTotale`]]);
    expect(issue?.message.en).toMatch(/^Invoice 124: Line 1: PrezzoTotale is 3.10/);
    expect(issue?.message.it).toMatch(/^Fattura 124: Linea 1: PrezzoTotale è 3.10/);
  });

  it('the public-administration sample with two lines stays clean', () => {
    expectClean(fpa01());
  });
});

describe('schema errors first, like SDI', () => {
  it('a file that does not conform to the schema gets no content findings on top', () => {
    const issues = expectErrorsLoose(fpr01().remove(`${GOODS}/DatiRiepilogo`));
    expect(issues).toEqual(['schema_missing_element']);
  });
});

function expectErrorsLoose(invoice: ReturnType<typeof fpr01>): string[] {
  const xml = invoice.toString();
  return preflightFatturaPa(parseXml(xml), { fileName: 'IT01234567890_00001.xml', size: xml.length, history: null, today: TODAY }).map((issue) => issue.code);
}
