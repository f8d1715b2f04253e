// The recipient rules and the older rules name the SDI error they anticipate: 00427 (code length
// vs format), 00428 (format vs versione), 00313 (XXXXXXX for an Italian buyer), 00330 (SDI's own PEC
// address), 00200/00201 (schema), 00003 and 00001 (file), 00404/00409 (duplicates), 00301/00305/00306.
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/core/xml/safe-xml.ts';
import { preflightFatturaPa } from '../../src/core/inspect/preflight/preflight.ts';
import { InvoiceEdit } from '../helpers/fatturapa-edit.ts';
import { BUYER, DOC, SELLER, expectClean, findings, fpa01, fpr01, preflight, withBuyerVat } from '../helpers/preflight-content.ts';

const TRANSMISSION = 'FatturaElettronicaHeader/DatiTrasmissione';

describe('recipient', () => {
  it('00427: a 6-character code with FPR12', () => {
    const issues = preflight(fpr01().set(`${TRANSMISSION}/CodiceDestinatario`, 'ABC123'));
    expect(findings(issues)).toEqual([['error', 'recipient_code_format_mismatch', '00427', `${TRANSMISSION}/CodiceDestinatario`]]);
    expect(issues[0]?.message.en).toContain('(error 00427)');
    expect(issues[0]?.message.it).toContain('(errore 00427)');
  });

  it('00428: FormatoTrasmissione different from versione', () => {
    const issues = preflight(fpr01().set(`${TRANSMISSION}/FormatoTrasmissione`, 'FPA12'));
    expect(findings(issues).filter(([, code]) => code === 'versione_mismatch')).toEqual([
      ['error', 'versione_mismatch', '00428', `${TRANSMISSION}/FormatoTrasmissione`],
    ]);
  });

  it('00313: XXXXXXX for an Italian buyer', () => {
    const issues = preflight(withBuyerVat(fpr01()).set(`${TRANSMISSION}/CodiceDestinatario`, 'XXXXXXX'));
    expect(findings(issues)).toEqual([['error', 'foreign_code_for_italian_buyer', '00313', `${TRANSMISSION}/CodiceDestinatario`]]);
    expect(issues[0]?.message.en).toContain('(error 00313)');
  });

  it("00330: a PEC address of SDI itself is refused; the buyer's PEC passes", () => {
    const withPec = (pec: string) =>
      fpr01()
        .set(`${TRANSMISSION}/CodiceDestinatario`, '0000000')
        .set(`${TRANSMISSION}/PECDestinatario`, pec, { after: ['CodiceDestinatario', 'ContattiTrasmittente'] });
    const issues = preflight(withPec('sdi01@pec.fatturapa.it'));
    expect(findings(issues)).toEqual([['error', 'pec_is_sdi', '00330', `${TRANSMISSION}/PECDestinatario`]]);
    expect(issues[0]?.message.it).toContain('errore 00330');
    expectClean(withPec('fatture@pec.beta.it'));
  });
});

describe('older rules carry their SDI code', () => {
  it('schema errors are 00200', () => {
    const issues = preflight(fpr01().remove(`${DOC}/Divisa`));
    expect(findings(issues)).toEqual([['error', 'schema_missing_element', '00200', `${DOC}/Divisa`]]);
  });

  it('file size 00003, file name 00001 (a warning: the hub renames it)', () => {
    const xml = fpr01().toString();
    const issues = preflightFatturaPa(parseXml(xml), { fileName: 'fattura.xml', size: 6 * 1024 * 1024, history: null, today: '2025-06-16' });
    expect(findings(issues)).toEqual([
      ['error', 'file_too_large', '00003', undefined],
      ['warning', 'file_name_not_sdi', '00001', undefined],
    ]);
  });

  it('check digits: seller VAT 00301, buyer CF 00306, buyer VAT 00305 (warnings: only SDI knows the register)', () => {
    expect(findings(preflight(InvoiceEdit.sample('IT01234567890_FPR01.xml')))).toEqual([
      ['warning', 'vat_check_digit', '00301', `${SELLER}/IdFiscaleIVA/IdCodice`],
      ['warning', 'cf_check', '00306', `${BUYER}/CodiceFiscale`],
    ]);
    expect(findings(preflight(withBuyerVat(fpa01(), 'IT', '09876543210')))).toEqual([
      ['warning', 'vat_check_digit', '00305', `${BUYER}/IdFiscaleIVA/IdCodice`],
    ]);
  });

  it('duplicates in one file are 00409', () => {
    const issues = preflight(fpr01().duplicate('FatturaElettronicaBody'));
    expect(findings(issues)).toEqual([['error', 'duplicate_in_file', '00409', 'FatturaElettronicaBody[2]/DatiGenerali/DatiGeneraliDocumento/Numero']]);
  });
});
