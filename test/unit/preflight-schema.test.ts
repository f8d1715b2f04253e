// The XSD-driven validator against the official FatturaPA 1.2.2 schema and samples.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/core/xml/safe-xml.ts';
import { FATTURAPA_SCHEMA_FILE, fatturaPaSchema, fatturaPaSchemaLocations } from '../../src/core/inspect/preflight/schema/fatturapa-schema.ts';
import { validateInstance } from '../../src/core/inspect/preflight/schema/validate-instance.ts';
import { compileXsd, XsdCompileError } from '../../src/core/inspect/preflight/schema/xsd-compiler.ts';
import type { PreflightIssue } from '../../src/core/inspect/preflight/types.ts';
import { FATTURAPA_SAMPLES, fixture } from '../helpers/fixtures.ts';
import { startCpuClock } from '../helpers/cpu-time.ts';

const sample = (name: string): string => fixture('fatturapa', name).toString('utf8');
const FPA01 = sample('IT01234567890_FPA01.xml');
const FPR01 = sample('IT01234567890_FPR01.xml');

/** Replaces one exact snippet, failing loudly if the sample does not contain it. */
function edit(xml: string, from: string, to: string): string {
  expect(xml, `sample contains ${from}`).toContain(from);
  return xml.replace(from, to);
}

function validate(xml: string): PreflightIssue[] {
  return validateInstance(parseXml(xml), fatturaPaSchema());
}

function only(issues: PreflightIssue[]): PreflightIssue {
  expect(issues.map((issue) => `${issue.code} ${issue.path}`)).toHaveLength(1);
  return issues[0] as PreflightIssue;
}

const DOC = 'FatturaElettronicaBody/DatiGenerali/DatiGeneraliDocumento';

describe('FatturaPA schema shipped with the product', () => {
  it('is the official file, byte for byte, where the validator looks for it', () => {
    const shipped = fileURLToPath(new URL(`../../resources/fatturapa/${FATTURAPA_SCHEMA_FILE}`, import.meta.url));
    expect(fatturaPaSchemaLocations()).toContain(shipped);
    expect(readFileSync(shipped).equals(fixture('fatturapa', FATTURAPA_SCHEMA_FILE))).toBe(true);
    const signature = fileURLToPath(new URL('../../resources/fatturapa/xmldsig-core-schema.xsd', import.meta.url));
    expect(readFileSync(signature).equals(fixture('fatturapa', 'xmldsig-core-schema.xsd'))).toBe(true);
  });

  it('compiles once and is cached', () => {
    const schema = fatturaPaSchema();
    expect(fatturaPaSchema()).toBe(schema);
    expect(schema.targetNamespace).toBe('http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2');
    expect([...schema.elements.keys()]).toEqual(['FatturaElettronica']);
  });
});

describe('official samples', () => {
  it.each(FATTURAPA_SAMPLES)('%s has no schema errors', (name) => {
    expect(validate(sample(name))).toEqual([]);
  });
});

describe('structure: sequence, choice, occurrences', () => {
  it('a removed required element is reported at its path, with what follows it', () => {
    const issue = only(validate(edit(FPA01, '<Numero>123</Numero>', '')));
    expect(issue).toMatchObject({ severity: 'error', code: 'schema_missing_element', path: `${DOC}/Numero` });
    expect(issue.message.en).toContain('Numero');
    expect(issue.message.en).toContain('before Causale');
    expect(issue.message.it).toContain("Manca l'elemento obbligatorio Numero");
  });

  it('a removed last element is reported as missing at the end of its parent', () => {
    const issue = only(validate(edit(FPA01, '<ImportoPagamento>6.10</ImportoPagamento>', '')));
    expect(issue).toMatchObject({ code: 'schema_missing_element', path: 'FatturaElettronicaBody/DatiPagamento/DettaglioPagamento/ImportoPagamento' });
  });

  it('a removed whole block is reported once', () => {
    const xml = FPA01.replace(/<DatiTrasmissione>[\s\S]*?<\/DatiTrasmissione>/, '');
    expect(only(validate(xml))).toMatchObject({ code: 'schema_missing_element', path: 'FatturaElettronicaHeader/DatiTrasmissione' });
  });

  it('two swapped elements give one "out of order" error on the first misplaced one', () => {
    const xml = edit(FPA01, '<Divisa>EUR</Divisa>\n        <Data>2017-01-18</Data>', '<Data>2017-01-18</Data>\n        <Divisa>EUR</Divisa>');
    const issue = only(validate(xml));
    expect(issue).toMatchObject({ code: 'schema_element_order', path: `${DOC}/Data` });
    expect(issue.message.en).toContain('Divisa must come before it');
    expect(issue.message.it).toContain('fuori posto');
  });

  it('an element moved far away is reported as out of order', () => {
    const xml = edit(edit(FPA01, '<TipoDocumento>TD01</TipoDocumento>', ''), '<Numero>123</Numero>', '<Numero>123</Numero><TipoDocumento>TD01</TipoDocumento>');
    const issue = only(validate(xml));
    expect(issue).toMatchObject({ code: 'schema_element_order', path: `${DOC}/Divisa` });
    expect(issue.message.en).toContain('TipoDocumento must come before it');
  });

  it('an unknown element is named, with what was expected there', () => {
    const issue = only(validate(edit(FPA01, '<Numero>123</Numero>', '<Numero>123</Numero><NumeroInterno>9</NumeroInterno>')));
    expect(issue).toMatchObject({ code: 'schema_unknown_element', path: `${DOC}/NumeroInterno` });
    expect(issue.message.en).toContain('ImportoTotaleDocumento');
  });

  it('an element repeated beyond maxOccurs is reported with its limit and [n] in the path', () => {
    const issue = only(validate(edit(FPA01, '<Numero>123</Numero>', '<Numero>123</Numero><Numero>124</Numero>')));
    expect(issue).toMatchObject({ code: 'schema_unexpected_element', path: `${DOC}/Numero[2]` });
    expect(issue.message.en).toContain('at most 1');
  });

  it('unbounded elements may repeat (Causale twice, DettaglioLinee many times)', () => {
    const line = FPA01.match(/<DettaglioLinee>[\s\S]*?<\/DettaglioLinee>/)?.[0] ?? '';
    expect(validate(edit(FPA01, line, line.repeat(3)))).toEqual([]);
  });

  it('xs:choice: Denominazione, or Nome and Cognome together', () => {
    const denominazione = '<Denominazione>ALPHA SRL</Denominazione>';
    expect(validate(edit(FPA01, denominazione, '<Nome>MARIO</Nome><Cognome>ROSSI</Cognome>'))).toEqual([]);
    const onlyName = only(validate(edit(FPA01, denominazione, '<Nome>MARIO</Nome>')));
    expect(onlyName).toMatchObject({ code: 'schema_missing_element', path: 'FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici/Anagrafica/Cognome' });
    const both = only(validate(edit(FPA01, denominazione, `${denominazione}<Nome>MARIO</Nome><Cognome>ROSSI</Cognome>`)));
    expect(both).toMatchObject({ code: 'schema_unexpected_element', path: 'FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici/Anagrafica/Nome' });
    const none = only(validate(edit(FPA01, denominazione, '')));
    expect(none.path).toBe('FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici/Anagrafica/Denominazione');
    expect(none.message.en).toContain('or instead: Nome');
  });

  it('paths of a batch name the body: FatturaElettronicaBody[2]', () => {
    const body = FPA01.match(/<FatturaElettronicaBody>[\s\S]*<\/FatturaElettronicaBody>/)?.[0] ?? '';
    const broken = body.replace('<TipoDocumento>TD01</TipoDocumento>', '<TipoDocumento>TD00</TipoDocumento>');
    const issue = only(validate(edit(FPA01, body, body + broken)));
    expect(issue).toMatchObject({ code: 'schema_invalid_value', path: 'FatturaElettronicaBody[2]/DatiGenerali/DatiGeneraliDocumento/TipoDocumento' });
  });

  it('the optional ds:Signature is accepted as is; another namespace is not', () => {
    const signature = '<ds:Signature><ds:SignedInfo>anything</ds:SignedInfo></ds:Signature>';
    expect(validate(edit(FPA01, '</p:FatturaElettronica>', `${signature}</p:FatturaElettronica>`))).toEqual([]);
    const wrong = validate(edit(FPA01, '</p:FatturaElettronica>', '<x:Signature xmlns:x="urn:other"/></p:FatturaElettronica>'));
    expect(wrong.map((issue) => issue.code)).toEqual(['schema_wrong_namespace']);
  });

  it('text where only elements may go is an error', () => {
    expect(only(validate(edit(FPA01, '<DatiGenerali>', '<DatiGenerali>note')))).toMatchObject({
      code: 'schema_text_not_allowed',
      path: 'FatturaElettronicaBody/DatiGenerali',
    });
  });

  it('elements inside a value are an error', () => {
    expect(only(validate(edit(FPA01, '<Numero>123</Numero>', '<Numero>1<b>23</b></Numero>')))).toMatchObject({
      code: 'schema_children_not_allowed',
      path: `${DOC}/Numero`,
    });
  });

  it('a default namespace on inner elements (a common generator bug) is one error plus a count', () => {
    const xml = edit(FPA01, '<FatturaElettronicaHeader>', '<FatturaElettronicaHeader xmlns="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2">');
    const issues = validate(xml);
    expect(issues[0]).toMatchObject({ code: 'schema_wrong_namespace', path: 'FatturaElettronicaHeader' });
    expect(issues[0]?.message.en).toContain('no default namespace');
    expect(issues).toHaveLength(2);
    expect(issues[1]?.message.en).toMatch(/^\d+ more elements have the same namespace problem/);
  });
});

describe('values: simple types and facets', () => {
  it('an invalid enumeration value lists the allowed ones', () => {
    const issue = only(validate(edit(FPA01, '<TipoDocumento>TD01', '<TipoDocumento>TD99')));
    expect(issue).toMatchObject({ code: 'schema_invalid_value', path: `${DOC}/TipoDocumento` });
    expect(issue.message.en).toContain('"TD99"');
    expect(issue.message.en).toContain('must be one of: TD01, TD02');
    expect(issue.message.it).toContain('deve essere uno di: TD01, TD02');
  });

  it('a too long string gives its length and the limit', () => {
    const issue = only(validate(edit(FPA01, '<Denominazione>ALPHA SRL', `<Denominazione>${'A'.repeat(81)}`)));
    expect(issue).toMatchObject({ code: 'schema_invalid_value', path: 'FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici/Anagrafica/Denominazione' });
    expect(issue.message.en).toContain('at most 80 characters (it has 81)');
    expect(validate(edit(FPA01, '<Denominazione>ALPHA SRL', `<Denominazione>${'A'.repeat(80)}`))).toEqual([]);
  });

  it('a character outside Latin-1 is named with its code point', () => {
    const issue = only(validate(edit(FPA01, 'DESCRIZIONE DELLA FORNITURA', 'FORNITURA DA 5 €')));
    expect(issue).toMatchObject({ code: 'schema_invalid_value', path: 'FatturaElettronicaBody/DatiBeniServizi/DettaglioLinee/Descrizione' });
    expect(issue.message.en).toContain('U+20AC');
    expect(validate(edit(FPA01, 'DESCRIZIONE DELLA FORNITURA', 'FORNITURA CAFFÈ'))).toEqual([]);
  });

  it('an accented letter where only ASCII is allowed is refused', () => {
    const issue = only(validate(edit(FPA01, '<IdDocumento>66685</IdDocumento>', '<IdDocumento>N°66685</IdDocumento>')));
    expect(issue).toMatchObject({ code: 'schema_invalid_value', path: 'FatturaElettronicaBody/DatiGenerali/DatiOrdineAcquisto/IdDocumento' });
    expect(issue.message.en).toContain('"°" (U+00B0)');
    expect(issue.message.en).toContain('only ASCII');
  });

  it('amounts need a dot and exactly two decimals', () => {
    expect(only(validate(edit(FPA01, '<ImportoPagamento>6.10', '<ImportoPagamento>6,10'))).message.en).toContain('dot as decimal separator');
    expect(only(validate(edit(FPA01, '<ImportoPagamento>6.10', '<ImportoPagamento>6.1'))).message.en).toContain('exactly 2 decimals');
    expect(validate(edit(FPA01, '<ImportoPagamento>6.10', '<ImportoPagamento>-6.10'))).toEqual([]);
  });

  it('rates are bounded by maxInclusive 100.00', () => {
    const xml = FPA01.replaceAll('<AliquotaIVA>22.00</AliquotaIVA>', '<AliquotaIVA>122.00</AliquotaIVA>');
    const issues = validate(xml);
    expect(issues.map((issue) => issue.path)).toEqual([
      'FatturaElettronicaBody/DatiBeniServizi/DettaglioLinee/AliquotaIVA',
      'FatturaElettronicaBody/DatiBeniServizi/DatiRiepilogo/AliquotaIVA',
    ]);
    expect(issues[0]?.message.en).toContain('must not exceed 100.00');
  });

  it('integers are bounded (NumeroLinea 1–9999)', () => {
    expect(only(validate(edit(FPA01, '<NumeroLinea>1</NumeroLinea>', '<NumeroLinea>0</NumeroLinea>'))).message.en).toContain('at least 1');
    expect(only(validate(edit(FPA01, '<NumeroLinea>1</NumeroLinea>', '<NumeroLinea>1.5</NumeroLinea>'))).message.en).toContain('whole number');
  });

  it('dates must exist and be on or after 1970-01-01', () => {
    expect(only(validate(edit(FPA01, '<Data>2017-01-18', '<Data>2017-02-30'))).message.en).toContain('not a valid date');
    expect(only(validate(edit(FPA01, '<Data>2017-01-18', '<Data>18/01/2017'))).message.en).toContain('YYYY-MM-DD');
    expect(only(validate(edit(FPA01, '<Data>2017-01-18', '<Data>1969-12-31'))).message.en).toContain('must not be before 1970-01-01');
    expect(validate(edit(FPA01, '<Data>2017-01-18', '<Data>2024-02-29'))).toEqual([]);
  });

  it('dateTime values are checked', () => {
    expect(only(validate(edit(FPA01, '2017-01-10T16:46:12.000+02:00', '2017-01-10 16:46')))).toMatchObject({ code: 'schema_invalid_value' });
  });

  it('patterns: CodiceDestinatario, Provincia, CAP', () => {
    expect(only(validate(edit(FPA01, '<CodiceDestinatario>AAAAAA', '<CodiceDestinatario>aaaaaa'))).message.en).toContain('6 or 7 upper-case letters or digits');
    expect(only(validate(edit(FPA01, '<Provincia>SS</Provincia>', '<Provincia>Sassari</Provincia>')))).toMatchObject({
      path: 'FatturaElettronicaHeader/CedentePrestatore/Sede/Provincia',
    });
    expect(only(validate(edit(FPA01, '<CAP>07100</CAP>', '<CAP>7100</CAP>'))).message.en).toContain('5 digits');
  });

  it('an empty element with a schema default takes the default (Nazione defaults to IT)', () => {
    expect(validate(edit(FPA01, '<Nazione>IT</Nazione>', '<Nazione/>'))).toEqual([]);
    expect(only(validate(edit(FPA01, '<Provincia>SS</Provincia>', '<Provincia/>')))).toMatchObject({ code: 'schema_invalid_value' });
  });

  it('base64 attachments are checked', () => {
    const attachment = (content: string): string =>
      edit(
        FPA01,
        '</FatturaElettronicaBody>',
        `<Allegati><NomeAttachment>a.pdf</NomeAttachment><Attachment>${content}</Attachment></Allegati></FatturaElettronicaBody>`,
      );
    expect(validate(attachment('JVBERi0xLjQK\n'))).toEqual([]);
    expect(only(validate(attachment('JVBERi0x*jQK'))).message.en).toContain('base64');
  });
});

describe('attributes', () => {
  it('versione is required and must be FPA12 or FPR12', () => {
    expect(only(validate(edit(FPA01, ' versione="FPA12"', '')))).toMatchObject({ code: 'schema_missing_attribute', path: '@versione' });
    expect(only(validate(edit(FPA01, 'versione="FPA12"', 'versione="FPA13"')))).toMatchObject({ code: 'schema_invalid_attribute', path: '@versione' });
  });

  it('SistemaEmittente is optional, up to 10 characters', () => {
    expect(validate(edit(FPA01, 'versione="FPA12"', 'versione="FPA12" SistemaEmittente="ERP 1.0"'))).toEqual([]);
    expect(only(validate(edit(FPA01, 'versione="FPA12"', 'versione="FPA12" SistemaEmittente="ERP 1.0 build 2"')))).toMatchObject({
      code: 'schema_invalid_attribute',
      path: '@SistemaEmittente',
    });
  });

  it('unknown attributes are errors, xsi:schemaLocation and namespace declarations are not', () => {
    expect(only(validate(edit(FPR01, '<Numero>', '<Numero id="1">')))).toMatchObject({ code: 'schema_unknown_attribute', path: `${DOC}/Numero/@id` });
    expect(only(validate(edit(FPR01, 'versione="FPR12"', 'versione="FPR12" xsi:type="x"')))).toMatchObject({
      code: 'schema_unknown_attribute',
      path: '@xsi:type',
    });
  });
});

describe('bounds', () => {
  it('caps the list of errors and says how many more there are', () => {
    const xml = FPA01.replace(/<DettaglioLinee>[\s\S]*?<\/DettaglioLinee>/, (line) => line.replace('<AliquotaIVA>22.00', '<AliquotaIVA>x').repeat(80));
    const issues = validate(xml);
    expect(issues).toHaveLength(51);
    expect(issues[50]).toMatchObject({ code: 'schema_more_errors' });
    expect(issues[50]?.message.en).toContain('30 more schema errors');
  });

  it('validates a large invoice (20 000 lines) quickly', () => {
    const line = FPA01.match(/<DettaglioLinee>[\s\S]*?<\/DettaglioLinee>/)?.[0] ?? '';
    const xml = edit(FPA01, line, line.repeat(20_000));
    const root = parseXml(xml);
    const cpuMs = startCpuClock(); // CPU time: a busy machine stretches the wall clock, not the work
    expect(validateInstance(root, fatturaPaSchema())).toEqual([]);
    expect(cpuMs()).toBeLessThan(3000);
  });
});

describe('the XSD compiler on other schemas', () => {
  const XS = 'xmlns:xs="http://www.w3.org/2001/XMLSchema"';
  const schemaWith = (body: string): string => `<xs:schema ${XS} xmlns="urn:t" targetNamespace="urn:t" elementFormDefault="qualified">${body}</xs:schema>`;

  it('bounded repetitions and nested groups', () => {
    const schema = compileXsd(
      parseXml(
        schemaWith(`
      <xs:element name="r"><xs:complexType><xs:sequence>
        <xs:element name="a" type="xs:integer" minOccurs="2" maxOccurs="3"/>
        <xs:choice minOccurs="0" maxOccurs="unbounded"><xs:element name="b" type="xs:string"/><xs:element name="c" type="xs:string"/></xs:choice>
        <xs:element name="d" minOccurs="0"><xs:simpleType><xs:restriction base="xs:decimal"><xs:totalDigits value="4"/><xs:fractionDigits value="1"/></xs:restriction></xs:simpleType></xs:element>
      </xs:sequence></xs:complexType></xs:element>`),
      ),
    );
    const run = (children: string): string[] =>
      validateInstance(parseXml(`<r xmlns="urn:t">${children}</r>`), schema).map((issue) => `${issue.code} ${issue.path ?? ''}`);
    expect(run('<a>1</a><a>2</a>')).toEqual([]);
    expect(run('<a>1</a><a>2</a><a>3</a><c/><b/><c/><d>123.4</d>')).toEqual([]);
    expect(run('<a>1</a>')).toEqual(['schema_missing_element a']);
    expect(run('<a>1</a><a>2</a><a>3</a><a>4</a>')).toEqual(['schema_unexpected_element a[4]']);
    expect(run('<a>1</a><a>2</a><d>1.25</d>')).toEqual(['schema_invalid_value d']);
    expect(run('<a>1</a><a>2</a><d>12345</d>')).toEqual(['schema_invalid_value d']);
    expect(run('<a>1</a><a>2</a><d>1</d><b/>')).toEqual(['schema_unexpected_element b']);
  });

  it('refuses constructs it does not implement, loudly', () => {
    expect(() =>
      compileXsd(parseXml(schemaWith('<xs:element name="r"><xs:complexType><xs:all><xs:element name="a"/></xs:all></xs:complexType></xs:element>'))),
    ).toThrow(XsdCompileError);
    expect(() => compileXsd(parseXml(schemaWith('<xs:simpleType name="t"><xs:list itemType="xs:string"/></xs:simpleType>')))).toThrow(XsdCompileError);
    expect(() => compileXsd(parseXml(schemaWith('<xs:element name="r" type="xs:duration"/>')))).toThrow(/xs:duration/);
    expect(() => compileXsd(parseXml(schemaWith('<xs:element name="r" type="Missing"/>')))).toThrow(/unknown type/);
  });
});
