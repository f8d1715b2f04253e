// Invoices for the invoice view's tests (unit and Chromium): a batch of two built from the official
// FPR01 sample, an invoice that uses every block the view shows (discounts, a nature, withholding,
// stamp duty, IBAN, an attachment) with hostile text in it, and a simplified FSM10. Every figure is
// consistent (line totals, VAT, total), so preflight lets them through like real invoices.
import { fixture } from './fixtures.ts';

/** What an attachment of richInvoice() holds, decoded. */
export const ATTACHMENT_TEXT = 'Ore lavorate: 10\nTariffa: 50,00 EUR/ora\n';
/** Hostile text in richInvoice(): shown as text, never interpreted. */
export const HOSTILE_DESCRIPTION = 'CONSULENZA <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** FPR01 (no ImportoTotaleDocumento: total computed 6.10) followed by invoice 124 with a written total of 7.32. */
export function batchInvoice(): Buffer {
  const xml = fixture('fatturapa', 'IT01234567890_FPR01.xml').toString('utf8');
  const body = /<FatturaElettronicaBody>[\s\S]*<\/FatturaElettronicaBody>/.exec(xml)?.[0];
  if (!body) throw new Error('FPR01 has no FatturaElettronicaBody');
  const second = body
    .replace('<Numero>123</Numero>', '<Numero>124</Numero>')
    .replace('<Data>2014-12-18</Data>', '<Data>2014-12-19</Data>')
    .replace('<Causale>', '<ImportoTotaleDocumento>7.32</ImportoTotaleDocumento>\n        <Causale>')
    .replace('<Descrizione>DESCRIZIONE DELLA FORNITURA</Descrizione>', '<Descrizione>SECONDA FORNITURA</Descrizione>')
    .replace('<Quantita>5.00</Quantita>', '<Quantita>3.00</Quantita>')
    .replace('<PrezzoUnitario>1.00</PrezzoUnitario>', '<PrezzoUnitario>2.00</PrezzoUnitario>')
    .replace('<PrezzoTotale>5.00</PrezzoTotale>', '<PrezzoTotale>6.00</PrezzoTotale>')
    .replace('<ImponibileImporto>5.00</ImponibileImporto>', '<ImponibileImporto>6.00</ImponibileImporto>')
    .replace('<Imposta>1.10</Imposta>', '<Imposta>1.32</Imposta>')
    .replace('<ImportoPagamento>6.10</ImportoPagamento>', '<ImportoPagamento>7.32</ImportoPagamento>');
  return Buffer.from(xml.replace(body, `${body}\n  ${second}`), 'utf8');
}

/**
 * A professional's invoice: 10 hours at 50.00 less 10% (450.00, 22%), a stamp-duty recharge excluded
 * from VAT (N1), withholding 20% on 450.00 (90.00), virtual stamp duty 2.00, total 551.00, to pay
 * 461.00 by bank transfer, one attachment. The first line's description is hostile.
 */
export function richInvoice(options: { number?: string } = {}): Buffer {
  const attachment = Buffer.from(ATTACHMENT_TEXT, 'utf8').toString('base64');
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<p:FatturaElettronica versione="FPR12" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2">
  <FatturaElettronicaHeader>
    <DatiTrasmissione>
      <IdTrasmittente><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdTrasmittente>
      <ProgressivoInvio>00077</ProgressivoInvio>
      <FormatoTrasmissione>FPR12</FormatoTrasmissione>
      <CodiceDestinatario>ABC1234</CodiceDestinatario>
    </DatiTrasmissione>
    <CedentePrestatore>
      <DatiAnagrafici>
        <IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdFiscaleIVA>
        <CodiceFiscale>RSSMRA80A01H501U</CodiceFiscale>
        <Anagrafica><Nome>MARIO</Nome><Cognome>ROSSI</Cognome></Anagrafica>
        <RegimeFiscale>RF01</RegimeFiscale>
      </DatiAnagrafici>
      <Sede><Indirizzo>VIA ROMA</Indirizzo><NumeroCivico>1</NumeroCivico><CAP>07100</CAP><Comune>SASSARI</Comune><Provincia>SS</Provincia><Nazione>IT</Nazione></Sede>
    </CedentePrestatore>
    <CessionarioCommittente>
      <DatiAnagrafici>
        <IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>09876543210</IdCodice></IdFiscaleIVA>
        <Anagrafica><Denominazione>GAMMA &amp; FIGLI S.R.L. &lt;b&gt;</Denominazione></Anagrafica>
      </DatiAnagrafici>
      <Sede><Indirizzo>CORSO ITALIA 10</Indirizzo><CAP>20122</CAP><Comune>MILANO</Comune><Provincia>MI</Provincia><Nazione>IT</Nazione></Sede>
    </CessionarioCommittente>
  </FatturaElettronicaHeader>
  <FatturaElettronicaBody>
    <DatiGenerali>
      <DatiGeneraliDocumento>
        <TipoDocumento>TD01</TipoDocumento>
        <Divisa>EUR</Divisa>
        <Data>2024-03-15</Data>
        <Numero>${escapeXml(options.number ?? '2024/17')}</Numero>
        <DatiRitenuta><TipoRitenuta>RT01</TipoRitenuta><ImportoRitenuta>90.00</ImportoRitenuta><AliquotaRitenuta>20.00</AliquotaRitenuta><CausalePagamento>A</CausalePagamento></DatiRitenuta>
        <DatiBollo><BolloVirtuale>SI</BolloVirtuale><ImportoBollo>2.00</ImportoBollo></DatiBollo>
        <ImportoTotaleDocumento>551.00</ImportoTotaleDocumento>
        <Causale>CONSULENZA DI MARZO</Causale>
      </DatiGeneraliDocumento>
    </DatiGenerali>
    <DatiBeniServizi>
      <DettaglioLinee>
        <NumeroLinea>1</NumeroLinea>
        <Descrizione>${escapeXml(HOSTILE_DESCRIPTION)}</Descrizione>
        <Quantita>10.00</Quantita>
        <UnitaMisura>ore</UnitaMisura>
        <PrezzoUnitario>50.00</PrezzoUnitario>
        <ScontoMaggiorazione><Tipo>SC</Tipo><Percentuale>10.00</Percentuale></ScontoMaggiorazione>
        <PrezzoTotale>450.00</PrezzoTotale>
        <AliquotaIVA>22.00</AliquotaIVA>
        <Ritenuta>SI</Ritenuta>
      </DettaglioLinee>
      <DettaglioLinee>
        <NumeroLinea>2</NumeroLinea>
        <Descrizione>RECUPERO IMPOSTA DI BOLLO</Descrizione>
        <Quantita>1.00</Quantita>
        <PrezzoUnitario>2.00</PrezzoUnitario>
        <PrezzoTotale>2.00</PrezzoTotale>
        <AliquotaIVA>0.00</AliquotaIVA>
        <Natura>N1</Natura>
      </DettaglioLinee>
      <DatiRiepilogo>
        <AliquotaIVA>22.00</AliquotaIVA>
        <ImponibileImporto>450.00</ImponibileImporto>
        <Imposta>99.00</Imposta>
        <EsigibilitaIVA>I</EsigibilitaIVA>
      </DatiRiepilogo>
      <DatiRiepilogo>
        <AliquotaIVA>0.00</AliquotaIVA>
        <Natura>N1</Natura>
        <ImponibileImporto>2.00</ImponibileImporto>
        <Imposta>0.00</Imposta>
        <RiferimentoNormativo>Escluso art. 15 DPR 633/72</RiferimentoNormativo>
      </DatiRiepilogo>
    </DatiBeniServizi>
    <DatiPagamento>
      <CondizioniPagamento>TP02</CondizioniPagamento>
      <DettaglioPagamento>
        <ModalitaPagamento>MP05</ModalitaPagamento>
        <DataScadenzaPagamento>2024-04-30</DataScadenzaPagamento>
        <ImportoPagamento>461.00</ImportoPagamento>
        <IstitutoFinanziario>BANCA DI ESEMPIO</IstitutoFinanziario>
        <IBAN>IT60X0542811101000000123456</IBAN>
      </DettaglioPagamento>
    </DatiPagamento>
    <Allegati>
      <NomeAttachment>../dettaglio "ore".txt</NomeAttachment>
      <FormatoAttachment>TXT</FormatoAttachment>
      <DescrizioneAttachment>Dettaglio delle ore</DescrizioneAttachment>
      <Attachment>${attachment.replace(/(.{20})/g, '$1\n        ')}</Attachment>
    </Allegati>
  </FatturaElettronicaBody>
</p:FatturaElettronica>
`;
  return Buffer.from(xml, 'utf8');
}

/** A simplified invoice (FSM10): a repair (VAT given as an amount) and spare parts (as a rate); lines sum to 122.00. */
export function simplifiedInvoice(): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>
<p:FatturaElettronicaSemplificata versione="FSM10" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.0">
  <FatturaElettronicaHeader>
    <DatiTrasmissione>
      <IdTrasmittente><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdTrasmittente>
      <ProgressivoInvio>00042</ProgressivoInvio>
      <FormatoTrasmissione>FSM10</FormatoTrasmissione>
      <CodiceDestinatario>0000000</CodiceDestinatario>
    </DatiTrasmissione>
    <CedentePrestatore>
      <IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdFiscaleIVA>
      <Denominazione>OFFICINA DELTA SNC</Denominazione>
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
    <DatiBeniServizi><Descrizione>RIPARAZIONE BICICLETTA</Descrizione><Importo>100.00</Importo><DatiIVA><Imposta>18.03</Imposta></DatiIVA></DatiBeniServizi>
    <DatiBeniServizi><Descrizione>CAMERA D'ARIA</Descrizione><Importo>22.00</Importo><DatiIVA><Aliquota>22.00</Aliquota></DatiIVA></DatiBeniServizi>
  </FatturaElettronicaBody>
</p:FatturaElettronicaSemplificata>
`,
    'utf8',
  );
}
