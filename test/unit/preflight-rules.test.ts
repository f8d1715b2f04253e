// preflightFatturaPa end to end on the official samples and variants of them: root, file, recipient
// code, identifiers. (Schema details: preflight-schema.test.ts; history: preflight-history.test.ts.)
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/core/xml/safe-xml.ts';
import { preflightFatturaPa } from '../../src/core/inspect/preflight/preflight.ts';
import { preflightFatturaPaXml } from '../../src/core/inspect/preflight/preflight-file.ts';
import type { PreflightIssue } from '../../src/core/inspect/preflight/types.ts';
import { FATTURAPA_SAMPLES, fixture } from '../helpers/fixtures.ts';

const sample = (name: string): string => fixture('fatturapa', name).toString('utf8');
const FPA01 = sample('IT01234567890_FPA01.xml');
const FPR01 = sample('IT01234567890_FPR01.xml');
const GOOD_NAME = 'IT01234567890_00001.xml';
// The samples' seller VAT number and buyer codice fiscale fail their check digits (known quirk).
const SAMPLE_WARNINGS = ['vat_check_digit', 'cf_check'];
const VALID_VAT = '01234567897';
const VALID_BUYER_CF = '09876543217';

function edit(xml: string, from: string, to: string): string {
  expect(xml, `sample contains ${from}`).toContain(from);
  return xml.replace(from, to);
}

/** Sample with valid identifiers, so only the rule under test speaks. */
function clean(xml: string): string {
  return xml
    .replaceAll('<IdCodice>01234567890</IdCodice>', `<IdCodice>${VALID_VAT}</IdCodice>`)
    .replace('<CodiceFiscale>09876543210</CodiceFiscale>', `<CodiceFiscale>${VALID_BUYER_CF}</CodiceFiscale>`);
}

function preflight(xml: string, fileName = GOOD_NAME, size = Buffer.byteLength(xml)): PreflightIssue[] {
  return preflightFatturaPa(parseXml(xml), { fileName, size, history: null });
}

const codes = (issues: PreflightIssue[]): string[] => issues.map((issue) => issue.code);

function expectBilingual(issue: PreflightIssue | undefined): void {
  expect(issue?.message.it.length).toBeGreaterThan(20);
  expect(issue?.message.en.length).toBeGreaterThan(20);
  expect(issue?.message.it).not.toBe(issue?.message.en);
}

describe('official samples', () => {
  it.each(FATTURAPA_SAMPLES)('%s gives exactly the two check-digit warnings and nothing else', (name) => {
    const issues = preflight(sample(name), name);
    expect(issues.map((issue) => [issue.severity, issue.code, issue.path])).toEqual([
      ['warning', 'vat_check_digit', 'FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA/IdCodice'],
      ['warning', 'cf_check', 'FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici/CodiceFiscale'],
    ]);
    for (const issue of issues) expectBilingual(issue);
  });

  it('with valid identifiers they are clean', () => {
    expect(preflight(clean(FPA01))).toEqual([]);
    expect(preflight(clean(FPR01))).toEqual([]);
  });
});

describe('is it FatturaPA at all', () => {
  it('another root element is an error, and nothing else is checked', () => {
    const issues = preflight('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>1</ID></Invoice>');
    expect(codes(issues)).toEqual(['not_fatturapa']);
    expect(issues[0]?.severity).toBe('error');
    expect(issues[0]?.message.en).toContain('Invoice');
    expectBilingual(issues[0]);
  });

  it('the right name in the wrong namespace is an error', () => {
    expect(codes(preflight(clean(FPA01).replace('xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"', 'xmlns:p="urn:other"')))).toEqual([
      'not_fatturapa',
    ]);
  });

  it('a simplified invoice (FSM10) is let through with a warning that its structure was not checked', () => {
    const xml = '<p:FatturaElettronicaSemplificata versione="FSM10" xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.0"/>';
    const issues = preflight(xml);
    expect(codes(issues)).toEqual(['simplified_not_checked']);
    expect(issues[0]?.severity).toBe('warning');
  });

  it('versione must be FPA12 or FPR12, reported once', () => {
    const issues = preflight(edit(clean(FPA01), 'versione="FPA12"', 'versione="FPA13"'));
    expect(codes(issues)).toEqual(['invalid_versione']);
    expect(issues[0]?.path).toBe('@versione');
    expect(codes(preflight(edit(clean(FPA01), ' versione="FPA12"', '')))).toEqual(['invalid_versione']);
  });

  it('versione and FormatoTrasmissione must agree', () => {
    const xml = edit(clean(FPR01), 'versione="FPR12"', 'versione="FPA12"');
    const issues = preflight(xml);
    expect(codes(issues)).toEqual(['versione_mismatch']);
    expect(issues[0]?.path).toBe('FatturaElettronicaHeader/DatiTrasmissione/FormatoTrasmissione');
  });

  it('bytes that are not well-formed XML are an error', () => {
    const issues = preflightFatturaPaXml(clean(FPA01).replace('</Numero>', '</Numer>'), { fileName: GOOD_NAME, history: null });
    expect(codes(issues)).toEqual(['not_well_formed']);
    expect(issues[0]?.severity).toBe('error');
    expectBilingual(issues[0]);
    expect(codes(preflightFatturaPaXml('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', { fileName: GOOD_NAME, history: null }))).toEqual(['not_well_formed']);
  });

  it('well-formed bytes go through all the checks', () => {
    expect(preflightFatturaPaXml(fixture('fatturapa', 'IT01234567890_FPR01.xml'), { fileName: GOOD_NAME, history: null }).map((issue) => issue.code)).toEqual(
      SAMPLE_WARNINGS,
    );
    expect(preflightFatturaPaXml(clean(FPR01), { fileName: GOOD_NAME, history: null })).toEqual([]);
  });
});

describe('file name and size', () => {
  it.each([
    'IT01234567890_00001.xml',
    'IT01234567890_FPA01.xml',
    'IT0123456789012345_A.xml',
    'IT01234567890_abcde.xml.p7m',
    'DE123456789AB_00001.xml',
    'C:\\fatture\\IT01234567890_00001.XML',
    '/tmp/in/IT01234567890_1.xml.P7M',
  ])('%s follows the SDI rule', (name) => {
    expect(preflight(clean(FPA01), name)).toEqual([]);
  });

  it.each([
    'fattura 123.xml',
    'IT01234567890.xml',
    'IT01234567890_123456.xml',
    'IT0123456789_00001.xml',
    'IT01234567890_00001.p7m',
    'IT01234567890_00-01.xml',
    'it01234567890_00001.xml',
    'IT01234567890_00001.xml.zip',
  ])('%s does not: a warning that says the hub renames it', (name) => {
    const issues = preflight(clean(FPA01), name);
    expect(issues.map((issue) => [issue.severity, issue.code])).toEqual([['warning', 'file_name_not_sdi']]);
    expect(issues[0]?.message.en).toContain('the hub, as transmitter, renames the file');
    expect(issues[0]?.message.it).toContain("l'hub, come trasmittente, rinomina il file");
  });

  it('over 5 MB is an error; exactly 5 MB is fine', () => {
    const issues = preflight(clean(FPA01), GOOD_NAME, 5 * 1024 * 1024 + 1);
    expect(issues.map((issue) => [issue.severity, issue.code])).toEqual([['error', 'file_too_large']]);
    expect(issues[0]?.message.en).toContain('at most 5 MB');
    expect(preflight(clean(FPA01), GOOD_NAME, 5 * 1024 * 1024)).toEqual([]);
  });

  it('size and name are checked even when the content is not FatturaPA', () => {
    expect(codes(preflight('<x/>', 'x.xml', 6 * 1024 * 1024))).toEqual(['not_fatturapa', 'file_too_large', 'file_name_not_sdi']);
  });
});

describe('CodiceDestinatario and FormatoTrasmissione', () => {
  const CODE = 'FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario';

  it('FPA12 needs a 6-character office code', () => {
    const issues = preflight(edit(clean(FPA01), '<CodiceDestinatario>AAAAAA<', '<CodiceDestinatario>AAAAAAA<'));
    expect(issues.map((issue) => [issue.severity, issue.code, issue.path])).toEqual([['error', 'recipient_code_format_mismatch', CODE]]);
    expect(issues[0]?.message.en).toContain('FPA12');
    expectBilingual(issues[0]);
  });

  it('FPR12 needs a 7-character code', () => {
    const issues = preflight(edit(clean(FPR01), '<CodiceDestinatario>ABC1234<', '<CodiceDestinatario>ABC123<'));
    expect(issues.map((issue) => [issue.severity, issue.code, issue.path])).toEqual([['error', 'recipient_code_format_mismatch', CODE]]);
    expect(issues[0]?.message.en).toContain('use FPA12');
  });

  it('0000000 with a PEC address is fine', () => {
    const xml = edit(
      clean(FPR01),
      '<CodiceDestinatario>ABC1234</CodiceDestinatario>\n      <ContattiTrasmittente/>',
      '<CodiceDestinatario>0000000</CodiceDestinatario>\n      <PECDestinatario>fatture@pec.beta.it</PECDestinatario>',
    );
    expect(preflight(xml)).toEqual([]);
  });

  it('0000000 without PEC for a business buyer: warning about the cassetto fiscale', () => {
    const business = edit(
      clean(FPR01),
      '<CodiceFiscale>09876543217</CodiceFiscale>',
      '<IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>09876543217</IdCodice></IdFiscaleIVA>',
    );
    const issues = preflight(edit(business, '<CodiceDestinatario>ABC1234<', '<CodiceDestinatario>0000000<'));
    expect(issues.map((issue) => [issue.severity, issue.code, issue.path])).toEqual([['warning', 'recipient_cassetto_only', CODE]]);
    expect(issues[0]?.message.en).toContain("buyer's cassetto fiscale");
    expect(issues[0]?.message.en).toContain('not deliver it to them directly');
    expect(issues[0]?.message.it).toContain('cassetto fiscale');
  });

  it('0000000 without PEC for a consumer (codice fiscale only) is fine', () => {
    const consumer = edit(clean(FPR01), '<CodiceFiscale>09876543217</CodiceFiscale>', '<CodiceFiscale>RSSMRA85T10A562S</CodiceFiscale>');
    expect(preflight(edit(consumer, '<CodiceDestinatario>ABC1234<', '<CodiceDestinatario>0000000<'))).toEqual([]);
  });

  it('a PEC address next to a real code is ignored by SDI: warning', () => {
    const xml = edit(clean(FPR01), '<ContattiTrasmittente/>', '<ContattiTrasmittente/>\n      <PECDestinatario>fatture@pec.beta.it</PECDestinatario>');
    expect(preflight(xml).map((issue) => [issue.severity, issue.code])).toEqual([['warning', 'pec_ignored']]);
  });

  it('XXXXXXX with an Italian buyer is an error; with a foreign buyer it is fine', () => {
    const italian = edit(
      clean(FPR01),
      '<CodiceFiscale>09876543217</CodiceFiscale>',
      '<IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>09876543217</IdCodice></IdFiscaleIVA>',
    );
    const issues = preflight(edit(italian, '<CodiceDestinatario>ABC1234<', '<CodiceDestinatario>XXXXXXX<'));
    expect(issues.map((issue) => [issue.severity, issue.code, issue.path])).toEqual([['error', 'foreign_code_for_italian_buyer', CODE]]);
    expectBilingual(issues[0]);
    const foreign = edit(
      clean(FPR01),
      '<CodiceFiscale>09876543217</CodiceFiscale>',
      '<IdFiscaleIVA><IdPaese>DE</IdPaese><IdCodice>123456789</IdCodice></IdFiscaleIVA>',
    );
    expect(preflight(edit(foreign, '<CodiceDestinatario>ABC1234<', '<CodiceDestinatario>XXXXXXX<'))).toEqual([]);
  });
});

describe('identifiers of seller and buyer', () => {
  it('a buyer VAT number with a bad check digit is a warning, not an error', () => {
    const xml = edit(
      clean(FPR01),
      '<CodiceFiscale>09876543217</CodiceFiscale>',
      '<IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>09876543210</IdCodice></IdFiscaleIVA>',
    );
    const issues = preflight(xml);
    expect(issues.map((issue) => [issue.severity, issue.code, issue.path])).toEqual([
      ['warning', 'vat_check_digit', 'FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici/IdFiscaleIVA/IdCodice'],
    ]);
    expect(issues[0]?.message.en).toContain("buyer's VAT number IT09876543210");
    expect(issues[0]?.message.it).toContain('cessionario/committente');
  });

  it('an IT VAT number that is not 11 digits says so', () => {
    const issues = preflight(
      edit(
        clean(FPR01),
        `<IdCodice>${VALID_VAT}</IdCodice>\n        </IdFiscaleIVA>\n        <Anagrafica>\n          <Denominazione>SOCIETA'`,
        `<IdCodice>1234567</IdCodice>\n        </IdFiscaleIVA>\n        <Anagrafica>\n          <Denominazione>SOCIETA'`,
      ),
    );
    expect(codes(issues)).toEqual(['vat_check_digit']);
    expect(issues[0]?.message.en).toContain('not 11 digits');
  });

  it('foreign VAT numbers are not checked', () => {
    const xml = edit(
      clean(FPR01),
      '<CodiceFiscale>09876543217</CodiceFiscale>',
      '<IdFiscaleIVA><IdPaese>FR</IdPaese><IdCodice>12345678901</IdCodice></IdFiscaleIVA>',
    );
    expect(preflight(edit(xml, '<CodiceDestinatario>ABC1234<', '<CodiceDestinatario>XXXXXXX<'))).toEqual([]);
  });

  it('a personal codice fiscale with a wrong check letter is a warning; a valid one (also with omocodia) is not', () => {
    const withCf = (cf: string): PreflightIssue[] =>
      preflight(edit(clean(FPR01), '<CodiceFiscale>09876543217</CodiceFiscale>', `<CodiceFiscale>${cf}</CodiceFiscale>`));
    expect(withCf('RSSMRA85T10A562S')).toEqual([]);
    expect(withCf('RSSMRA85T10A56NH')).toEqual([]);
    const issues = withCf('RSSMRA85T10A562X');
    expect(issues.map((issue) => [issue.severity, issue.code])).toEqual([['warning', 'cf_check']]);
    expect(issues[0]?.message.en).toContain('check letter');
  });

  it("the seller's codice fiscale is checked too", () => {
    const xml = edit(
      clean(FPR01),
      '</IdFiscaleIVA>\n        <Anagrafica>\n          <Denominazione>SOCIETA',
      '</IdFiscaleIVA>\n        <CodiceFiscale>RSSMRA85T10A562X</CodiceFiscale>\n        <Anagrafica>\n          <Denominazione>SOCIETA',
    );
    const issues = preflight(xml);
    expect(issues.map((issue) => [issue.code, issue.path])).toEqual([['cf_check', 'FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici/CodiceFiscale']]);
  });
});

describe('ordering and robustness', () => {
  it('errors come before warnings', () => {
    const xml = edit(FPA01, '<CodiceDestinatario>AAAAAA<', '<CodiceDestinatario>AAAAAAA<');
    const issues = preflight(xml, 'fattura.xml');
    expect(issues.map((issue) => issue.severity)).toEqual(['error', 'warning', 'warning', 'warning']);
    expect(codes(issues)).toEqual(['recipient_code_format_mismatch', 'file_name_not_sdi', 'vat_check_digit', 'cf_check']);
  });

  it('a document missing most of its content gives schema errors, not a crash', () => {
    const xml = '<p:FatturaElettronica versione="FPR12" xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"/>';
    const issues = preflight(xml);
    expect(codes(issues)).toEqual(['schema_missing_element']);
    expect(issues[0]?.message.en).toContain('FatturaElettronicaHeader, FatturaElettronicaBody');
  });
});
