// The invoice reader on the official FatturaPA samples (every value asserted as written in the
// files), a batch, a simplified invoice (FSM10), the same invoices inside CAdES envelopes, and the
// files it must refuse with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdfTextReader } from '../../src/core/inspect/invoice/pdf-text.ts';
import { InvoiceFormatError, readFatturaPa, readInvoiceDocument } from '../../src/core/inspect/invoice/read-invoice.ts';
import type { InvoiceReading } from '../../src/core/inspect/invoice/types.ts';
import { parseXml } from '../../src/core/xml/safe-xml.ts';
import { fixture, makePdf } from '../helpers/fixtures.ts';
import { batchInvoice } from '../helpers/invoice-view-samples.ts';
import { buildP7m, createTestSigner, toBase64P7m, toIndefiniteLengthBer } from '../helpers/p7m.ts';
import type { TestSigner } from '../helpers/p7m.ts';

const ALPHA_TO_BETA_PA = {
  transmitter: { country: 'IT', id: '01234567890' },
  progressivoInvio: '00001',
  codiceDestinatario: 'AAAAAA',
  pecDestinatario: null,
  seller: { country: 'IT', vatNumber: '01234567890', fiscalCode: null, name: 'ALPHA SRL' },
  // The buyer has no IdFiscaleIVA: only CodiceFiscale; its country comes from Sede/Nazione.
  buyer: { country: 'IT', vatNumber: null, fiscalCode: '09876543210', name: 'AMMINISTRAZIONE BETA' },
  signed: null,
} as const;

// Literal values of test/fixtures/fatturapa. None carries ImportoTotaleDocumento: the total is
// computed from the VAT summary and marked (test/unit/document-total.test.ts has the edge cases).
const SAMPLES: Record<string, InvoiceReading> = {
  'IT01234567890_FPA01.xml': {
    format: 'FPA12',
    ...ALPHA_TO_BETA_PA,
    bodies: [{ type: 'TD01', number: '123', date: '2017-01-18', total: '6.10', totalComputed: true, currency: 'EUR' }],
  },
  'IT01234567890_FPA02.xml': {
    format: 'FPA12',
    ...ALPHA_TO_BETA_PA,
    bodies: [{ type: 'TD01', number: '123', date: '2017-01-18', total: '30.50', totalComputed: true, currency: 'EUR' }],
  },
  'IT01234567890_FPR01.xml': {
    format: 'FPR12',
    transmitter: { country: 'IT', id: '01234567890' },
    progressivoInvio: '00001',
    codiceDestinatario: 'ABC1234',
    pecDestinatario: null,
    seller: { country: 'IT', vatNumber: '01234567890', fiscalCode: null, name: "SOCIETA' ALPHA SRL" },
    buyer: { country: 'IT', vatNumber: null, fiscalCode: '09876543210', name: 'DITTA BETA' },
    bodies: [{ type: 'TD01', number: '123', date: '2014-12-18', total: '6.10', totalComputed: true, currency: 'EUR' }],
    signed: null,
  },
};
const SAMPLE_NAMES = Object.keys(SAMPLES);

function sampleText(name: string): string {
  return fixture('fatturapa', name).toString('utf8');
}

const FSM10 = `<?xml version="1.0" encoding="UTF-8"?>
<p:FatturaElettronicaSemplificata versione="FSM10" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.0">
  <FatturaElettronicaHeader>
    <DatiTrasmissione>
      <IdTrasmittente><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdTrasmittente>
      <ProgressivoInvio>00042</ProgressivoInvio>
      <FormatoTrasmissione>FSM10</FormatoTrasmissione>
      <CodiceDestinatario>0000000</CodiceDestinatario>
      <PECDestinatario>anna.bianchi@pec.example.it</PECDestinatario>
    </DatiTrasmissione>
    <CedentePrestatore>
      <IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdFiscaleIVA>
      <CodiceFiscale>RSSMRA80A01H501U</CodiceFiscale>
      <Nome>MARIO</Nome>
      <Cognome>ROSSI</Cognome>
      <Sede><Indirizzo>VIA ROMA 1</Indirizzo><CAP>07100</CAP><Comune>SASSARI</Comune><Provincia>SS</Provincia><Nazione>IT</Nazione></Sede>
      <RegimeFiscale>RF01</RegimeFiscale>
    </CedentePrestatore>
    <CessionarioCommittente>
      <IdentificativiFiscali><CodiceFiscale>BNCNNA85C41F205X</CodiceFiscale></IdentificativiFiscali>
      <AltriDatiIdentificativi>
        <Nome>ANNA</Nome>
        <Cognome>BIANCHI</Cognome>
        <Sede><Indirizzo>VIA TORINO 2</Indirizzo><CAP>20121</CAP><Comune>MILANO</Comune><Provincia>MI</Provincia><Nazione>IT</Nazione></Sede>
      </AltriDatiIdentificativi>
    </CessionarioCommittente>
  </FatturaElettronicaHeader>
  <FatturaElettronicaBody>
    <DatiGenerali>
      <DatiGeneraliDocumento><TipoDocumento>TD07</TipoDocumento><Divisa>EUR</Divisa><Data>2024-03-15</Data><Numero>S-17</Numero></DatiGeneraliDocumento>
    </DatiGenerali>
    <DatiBeniServizi><Descrizione>RIPARAZIONE</Descrizione><Importo>100.00</Importo><DatiIVA><Imposta>22.00</Imposta></DatiIVA></DatiBeniServizi>
  </FatturaElettronicaBody>
  <FatturaElettronicaBody>
    <DatiGenerali>
      <DatiGeneraliDocumento><TipoDocumento>TD08</TipoDocumento><Divisa>EUR</Divisa><Data>2024-03-20</Data><Numero>S-18</Numero></DatiGeneraliDocumento>
      <DatiFatturaRettificata><NumeroFR>S-17</NumeroFR><DataFR>2024-03-15</DataFR><ElementiRettificati>IMPORTO</ElementiRettificati></DatiFatturaRettificata>
    </DatiGenerali>
    <DatiBeniServizi><Descrizione>STORNO PARZIALE</Descrizione><Importo>10.00</Importo><DatiIVA><Aliquota>22.00</Aliquota></DatiIVA></DatiBeniServizi>
  </FatturaElettronicaBody>
</p:FatturaElettronicaSemplificata>`;

function formatError(xml: string): InvoiceFormatError {
  try {
    readFatturaPa(parseXml(xml));
  } catch (error) {
    if (error instanceof InvoiceFormatError) return error;
    throw error;
  }
  throw new Error('expected an InvoiceFormatError');
}

describe('readFatturaPa', () => {
  it.each(SAMPLE_NAMES)('reads %s exactly as written', (name) => {
    expect(readFatturaPa(parseXml(fixture('fatturapa', name)))).toEqual(SAMPLES[name]);
  });

  it('reads every invoice of a batch (several FatturaElettronicaBody), each with its own values', () => {
    const reading = readFatturaPa(parseXml(batchInvoice()));
    expect(reading.bodies).toEqual([
      { type: 'TD01', number: '123', date: '2014-12-18', total: '6.10', totalComputed: true, currency: 'EUR' },
      { type: 'TD01', number: '124', date: '2014-12-19', total: '7.32', currency: 'EUR' },
    ]);
    expect(reading.seller.name).toBe("SOCIETA' ALPHA SRL");
  });

  it('keeps amounts and codes exactly as written (no number parsing)', () => {
    const xml = sampleText('IT01234567890_FPA01.xml')
      .replace('<Causale>', '<ImportoTotaleDocumento>1220.50</ImportoTotaleDocumento><Causale>')
      .replace('<ProgressivoInvio>00001</ProgressivoInvio>', '<ProgressivoInvio>000A9</ProgressivoInvio>');
    const reading = readFatturaPa(parseXml(xml));
    expect(reading.bodies[0]?.total).toBe('1220.50');
    expect(reading.progressivoInvio).toBe('000A9');
  });

  it('reads a person as "Nome Cognome", a PEC address, and a buyer identified by VAT number', () => {
    const xml = sampleText('IT01234567890_FPR01.xml')
      .replace(
        '<CodiceDestinatario>ABC1234</CodiceDestinatario>',
        '<CodiceDestinatario>0000000</CodiceDestinatario><PECDestinatario>beta@pec.example.it</PECDestinatario>',
      )
      .replace("<Denominazione>SOCIETA' ALPHA SRL</Denominazione>", '<Nome>MARIO</Nome><Cognome>ROSSI</Cognome>')
      .replace('<CodiceFiscale>09876543210</CodiceFiscale>', '<IdFiscaleIVA><IdPaese>DE</IdPaese><IdCodice>123456789</IdCodice></IdFiscaleIVA>');
    const reading = readFatturaPa(parseXml(xml));
    expect(reading.codiceDestinatario).toBe('0000000');
    expect(reading.pecDestinatario).toBe('beta@pec.example.it');
    expect(reading.seller.name).toBe('MARIO ROSSI');
    expect(reading.buyer).toEqual({ country: 'DE', vatNumber: '123456789', fiscalCode: null, name: 'DITTA BETA' });
  });

  it('reads a simplified invoice (FSM10) with its own structure', () => {
    expect(readFatturaPa(parseXml(FSM10))).toEqual({
      format: 'FSM10',
      transmitter: { country: 'IT', id: '01234567890' },
      progressivoInvio: '00042',
      codiceDestinatario: '0000000',
      pecDestinatario: 'anna.bianchi@pec.example.it',
      seller: { country: 'IT', vatNumber: '01234567890', fiscalCode: 'RSSMRA80A01H501U', name: 'MARIO ROSSI' },
      buyer: { country: 'IT', vatNumber: null, fiscalCode: 'BNCNNA85C41F205X', name: 'ANNA BIANCHI' },
      // FSM10 has no document total, only line amounts (VAT included): their sum, marked computed.
      bodies: [
        { type: 'TD07', number: 'S-17', date: '2024-03-15', total: '100.00', totalComputed: true, currency: 'EUR' },
        { type: 'TD08', number: 'S-18', date: '2024-03-20', total: '10.00', totalComputed: true, currency: 'EUR' },
      ],
      signed: null,
    });
  });

  it('reads an FSM10 buyer identified by VAT number, with a company name', () => {
    const xml = FSM10.replace(
      '<IdentificativiFiscali><CodiceFiscale>BNCNNA85C41F205X</CodiceFiscale></IdentificativiFiscali>',
      '<IdentificativiFiscali><IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>09876543210</IdCodice></IdFiscaleIVA></IdentificativiFiscali>',
    ).replace('<Nome>ANNA</Nome>\n        <Cognome>BIANCHI</Cognome>', '<Denominazione>BETA SPA</Denominazione>');
    expect(readFatturaPa(parseXml(xml)).buyer).toEqual({ country: 'IT', vatNumber: '09876543210', fiscalCode: null, name: 'BETA SPA' });
  });

  it('takes FPA12/FPR12 from FormatoTrasmissione when the versione attribute is missing', () => {
    const xml = sampleText('IT01234567890_FPR01.xml').replace('versione="FPR12"', '');
    expect(readFatturaPa(parseXml(xml)).format).toBe('FPR12');
  });

  it('refuses what is not a FatturaPA, with a reason', () => {
    const notification = formatError('<n:RicevutaConsegna xmlns:n="http://www.fatturapa.gov.it/sdi/messaggi/v1.0"/>');
    expect(notification.code).toBe('not_fatturapa');
    expect(notification.message).toMatch(/root element is <n:RicevutaConsegna>/);

    const wrongNamespace = formatError(sampleText('IT01234567890_FPA01.xml').replace('docs/xsd/fatture/v1.2', 'docs/xsd/fatture/v1.0'));
    expect(wrongNamespace.code).toBe('fatturapa_namespace');
    expect(wrongNamespace.message).toMatch(/v1\.2 namespace/);

    const unknownFormat = formatError(sampleText('IT01234567890_FPA01.xml').replace('versione="FPA12"', 'versione="FPX99"').replace('>FPA12<', '>FPX99<'));
    expect(unknownFormat.code).toBe('fatturapa_format');
    expect(unknownFormat.message).toMatch(/"FPX99"/);
  });
});

describe('readInvoiceDocument', () => {
  let signer: TestSigner;
  let pdfReader: PdfTextReader;
  beforeAll(async () => {
    signer = await createTestSigner();
    pdfReader = new PdfTextReader();
  });
  afterAll(() => pdfReader.close());

  const signers = () => [
    {
      commonName: 'ROSSI MARIO',
      fiscalCode: 'RSSMRA80A01H501U',
      issuer: 'Test Qualified Signatures CA',
      serialNumber: signer.serialNumberHex,
      signingTime: '2024-03-15T10:30:00.000Z',
      notAfter: '2029-06-30T23:59:59.000Z',
    },
  ];

  it.each(SAMPLE_NAMES)('reads the plain XML %s, returning the parsed tree too', async (name) => {
    const result = await readInvoiceDocument(fixture('fatturapa', name), 'fatturapa');
    expect(result.error).toBeNull();
    expect(result.invoice).toEqual(SAMPLES[name]);
    expect(result.xmlRoot?.local).toBe('FatturaElettronica');
    expect(result.pdf).toBeNull();
  });

  it.each(SAMPLE_NAMES)('reads %s inside a P7M (DER, base64, BER indefinite length) like the plain XML, with its signer', async (name) => {
    const der = await buildP7m(fixture('fatturapa', name), signer);
    const shapes = [
      ['der', der],
      ['base64', toBase64P7m(der)],
      ['der', toIndefiniteLengthBer(der)],
      ['base64', toBase64P7m(toIndefiniteLengthBer(der), { pem: true })],
    ] as const;
    for (const [encoding, bytes] of shapes) {
      const result = await readInvoiceDocument(bytes, 'p7m');
      expect(result.error).toBeNull();
      expect(result.invoice).toEqual({ ...SAMPLES[name], signed: { encoding, signers: signers() } });
      expect(result.xmlRoot?.local).toBe('FatturaElettronica');
    }
  });

  it('reads an FSM10 and a batch from bytes', async () => {
    expect((await readInvoiceDocument(Buffer.from(FSM10), 'fatturapa')).invoice?.format).toBe('FSM10');
    expect((await readInvoiceDocument(batchInvoice(), 'fatturapa')).invoice?.bodies.map((b) => b.number)).toEqual(['123', '124']);
  });

  it('never throws: unreadable inputs come back with a code and a reason', async () => {
    const doctype = Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><p:FatturaElettronica/>');
    const cases: [Buffer, 'fatturapa' | 'p7m', string][] = [
      [doctype, 'fatturapa', 'xml_doctype'],
      [Buffer.from('<p:FatturaElettronica versione="FPR12"'), 'fatturapa', 'xml_malformed'],
      [Buffer.from('<RicevutaConsegna/>'), 'fatturapa', 'not_fatturapa'],
      [Buffer.from([0x30, 0x82, 0x10, 0x00, 0x06]), 'p7m', 'p7m_corrupt'],
      [await buildP7m(doctype, signer), 'p7m', 'xml_doctype'], // the XML inside a P7M gets the same safety
      [await buildP7m(fixture('fatturapa', 'IT01234567890_FPR01.xml'), signer, { detached: true }), 'p7m', 'p7m_no_content'],
    ];
    for (const [bytes, kind, code] of cases) {
      const result = await readInvoiceDocument(bytes, kind);
      expect(result.invoice).toBeNull();
      expect(result.error?.code).toBe(code);
      expect(result.error?.reason.length).toBeGreaterThan(10);
    }
  });

  it('reads a signed PDF inside a P7M as a PDF, and says it is not a FatturaPA', async () => {
    const pdf = makePdf('Fattura n. 55 del 01/02/2024 - Totale documento EUR 10,00');
    const result = await readInvoiceDocument(await buildP7m(pdf, signer), 'p7m', { pdfReader });
    expect(result.invoice).toBeNull();
    expect(result.error).toEqual({ code: 'p7m_not_fatturapa', reason: 'the signed file (P7M) holds a PDF, not a FatturaPA XML invoice' });
    expect(result.pdf).toMatchObject({ guessed: true, number: '55', date: '2024-02-01', total: '10,00' });
  });

  it('produces plain data that survives JSON (it is stored in document metadata)', async () => {
    const result = await readInvoiceDocument(await buildP7m(fixture('fatturapa', 'IT01234567890_FPA01.xml'), signer), 'p7m');
    expect(JSON.parse(JSON.stringify(result.invoice))).toEqual(result.invoice);
  });
});
