// The benchmark's documents: N distinct B2B FatturaPA invoices (FPR12) of about 4 KB, the shape an
// ERP exports. Each has its own number and ProgressivoInvio, so neither the agent (duplicate check by
// SHA-256) nor the hub sees two alike. CodiceDestinatario ABC1234 has no scripted outcome at the
// sandbox hub: every invoice takes the ordinary path (received → processing → sent → delivered).

export interface BenchFile {
  name: string;
  bytes: Buffer;
}

const LINES_PER_INVOICE = 6;

/** `count` invoices named like SDI files: IT01234567890_<5 base-36 characters>.xml. */
export function makeInvoices(count: number): BenchFile[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > 36 ** 5) {
    throw new RangeError(`the number of files must be a whole number from 1 to ${36 ** 5} (got ${count})`);
  }
  return Array.from({ length: count }, (_, index) => {
    const progressive = (index + 1).toString(36).toUpperCase().padStart(5, '0');
    return { name: `IT01234567890_${progressive}.xml`, bytes: Buffer.from(invoiceXml(index + 1, progressive), 'utf8') };
  });
}

function invoiceXml(sequence: number, progressive: string): string {
  const lines = Array.from({ length: LINES_PER_INVOICE }, (_, i) => {
    const quantity = ((sequence + i) % 9) + 1;
    const price = 10 + i;
    return `      <DettaglioLinee>
        <NumeroLinea>${i + 1}</NumeroLinea>
        <CodiceArticolo><CodiceTipo>INTERNO</CodiceTipo><CodiceValore>ART-${String(i + 1).padStart(4, '0')}</CodiceValore></CodiceArticolo>
        <Descrizione>ARTICOLO DI PROVA ${i + 1} PER IL BENCHMARK, FATTURA ${sequence}</Descrizione>
        <Quantita>${quantity}.00</Quantita>
        <PrezzoUnitario>${price}.00</PrezzoUnitario>
        <PrezzoTotale>${quantity * price}.00</PrezzoTotale>
        <AliquotaIVA>22.00</AliquotaIVA>
      </DettaglioLinee>`;
  });
  const taxable = Array.from({ length: LINES_PER_INVOICE }, (_, i) => (((sequence + i) % 9) + 1) * (10 + i)).reduce((a, b) => a + b, 0);
  const tax = (taxable * 0.22).toFixed(2);
  const total = (taxable * 1.22).toFixed(2);
  return `<?xml version="1.0" encoding="UTF-8"?>
<p:FatturaElettronica versione="FPR12" xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2">
  <FatturaElettronicaHeader>
    <DatiTrasmissione>
      <IdTrasmittente><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdTrasmittente>
      <ProgressivoInvio>${progressive}</ProgressivoInvio>
      <FormatoTrasmissione>FPR12</FormatoTrasmissione>
      <CodiceDestinatario>ABC1234</CodiceDestinatario>
    </DatiTrasmissione>
    <CedentePrestatore>
      <DatiAnagrafici>
        <IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdFiscaleIVA>
        <Anagrafica><Denominazione>SOCIETA' ALPHA SRL</Denominazione></Anagrafica>
        <RegimeFiscale>RF01</RegimeFiscale>
      </DatiAnagrafici>
      <Sede><Indirizzo>VIALE ROMA 543</Indirizzo><CAP>07100</CAP><Comune>SASSARI</Comune><Provincia>SS</Provincia><Nazione>IT</Nazione></Sede>
    </CedentePrestatore>
    <CessionarioCommittente>
      <DatiAnagrafici>
        <CodiceFiscale>09876543210</CodiceFiscale>
        <Anagrafica><Denominazione>DITTA BETA</Denominazione></Anagrafica>
      </DatiAnagrafici>
      <Sede><Indirizzo>VIA TORINO 38-B</Indirizzo><CAP>00145</CAP><Comune>ROMA</Comune><Provincia>RM</Provincia><Nazione>IT</Nazione></Sede>
    </CessionarioCommittente>
  </FatturaElettronicaHeader>
  <FatturaElettronicaBody>
    <DatiGenerali>
      <DatiGeneraliDocumento>
        <TipoDocumento>TD01</TipoDocumento>
        <Divisa>EUR</Divisa>
        <Data>2025-06-30</Data>
        <Numero>BENCH-${sequence}</Numero>
        <ImportoTotaleDocumento>${total}</ImportoTotaleDocumento>
      </DatiGeneraliDocumento>
    </DatiGenerali>
    <DatiBeniServizi>
${lines.join('\n')}
      <DatiRiepilogo>
        <AliquotaIVA>22.00</AliquotaIVA>
        <ImponibileImporto>${taxable}.00</ImponibileImporto>
        <Imposta>${tax}</Imposta>
        <EsigibilitaIVA>I</EsigibilitaIVA>
      </DatiRiepilogo>
    </DatiBeniServizi>
    <DatiPagamento>
      <CondizioniPagamento>TP02</CondizioniPagamento>
      <DettaglioPagamento><ModalitaPagamento>MP05</ModalitaPagamento><ImportoPagamento>${total}</ImportoPagamento></DettaglioPagamento>
    </DatiPagamento>
  </FatturaElettronicaBody>
</p:FatturaElettronica>
`;
}
