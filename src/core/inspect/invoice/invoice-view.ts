// Builds the invoice view's model (src/contract/invoice-view.ts) from a FatturaPA file: every body of
// an ordinary invoice (FPA12, FPR12) or a simplified one (FSM10), plain or inside a .p7m. Parsed by
// the safe XML reader (no DTD, bounded); nothing is evaluated, no stylesheet is run. Values stay the
// strings the file wrote; a missing document total is worked out in exact decimals and marked.
import { parseXml, childElements, elementAt } from '../../xml/safe-xml.ts';
import type { XmlElement } from '../../xml/safe-xml.ts';
import type {
  InvoiceView,
  InvoiceViewAddress,
  InvoiceViewAdjustment,
  InvoiceViewAttachment,
  InvoiceViewBody,
  InvoiceViewLine,
  InvoiceViewParty,
  InvoiceViewPayment,
  InvoiceViewVatSummary,
  InvoiceViewWithholding,
} from '../../../contract/invoice-view.ts';
import { ordinaryBodyTotal, simplifiedBodyTotal } from './document-total.ts';
import { extractSignedContent } from './p7m.ts';
import { readFatturaPa } from './read-fatturapa.ts';
import { partyName, valueAt } from './xml-values.ts';

export { sumDecimals } from './document-total.ts';

export type InvoiceFileKind = 'fatturapa' | 'p7m';

/** The view of an invoice file's bytes; throws (XmlRefusedError, P7mError, InvoiceFormatError) when unreadable. */
export async function readInvoiceView(bytes: Buffer, kind: InvoiceFileKind): Promise<InvoiceView> {
  return buildInvoiceView(parseXml(await xmlBytes(bytes, kind)), kind === 'p7m');
}

/** One attachment (Allegati) of one body, decoded: null when there is no such attachment. */
export async function readInvoiceAttachment(
  bytes: Buffer,
  kind: InvoiceFileKind,
  body: number,
  index: number,
): Promise<{ name: string | null; bytes: Buffer } | null> {
  const root = parseXml(await xmlBytes(bytes, kind));
  const attachment = childElements(childElements(root, 'FatturaElettronicaBody')[body], 'Allegati')[index];
  if (!attachment) return null;
  return { name: valueAt(attachment, 'NomeAttachment'), bytes: decodeAttachment(attachment) };
}

async function xmlBytes(bytes: Buffer, kind: InvoiceFileKind): Promise<Buffer> {
  return kind === 'p7m' ? (await extractSignedContent(bytes)).content : bytes;
}

export function buildInvoiceView(root: XmlElement, signed: boolean): InvoiceView {
  // The reader checks root, namespace and format, and reads the transmission data.
  const reading = readFatturaPa(root);
  const header = elementAt(root, 'FatturaElettronicaHeader');
  const simplified = reading.format === 'FSM10';
  const sellerElement = elementAt(header, 'CedentePrestatore');
  const buyerElement = elementAt(header, 'CessionarioCommittente');
  return {
    format: reading.format,
    signed,
    progressivoInvio: reading.progressivoInvio,
    codiceDestinatario: reading.codiceDestinatario,
    pecDestinatario: reading.pecDestinatario,
    seller: simplified ? simplifiedParty(sellerElement, sellerElement) : ordinaryParty(sellerElement),
    buyer: simplified
      ? simplifiedParty(elementAt(buyerElement, 'IdentificativiFiscali'), elementAt(buyerElement, 'AltriDatiIdentificativi'))
      : ordinaryParty(buyerElement),
    bodies: childElements(root, 'FatturaElettronicaBody').map((body) => (simplified ? simplifiedBody(body) : ordinaryBody(body))),
  };
}

function address(sede: XmlElement | undefined): InvoiceViewAddress | null {
  if (!sede) return null;
  return {
    street: valueAt(sede, 'Indirizzo'),
    streetNumber: valueAt(sede, 'NumeroCivico'),
    postcode: valueAt(sede, 'CAP'),
    city: valueAt(sede, 'Comune'),
    province: valueAt(sede, 'Provincia'),
    country: valueAt(sede, 'Nazione'),
  };
}

function ordinaryParty(party: XmlElement | undefined): InvoiceViewParty {
  const registry = elementAt(party, 'DatiAnagrafici');
  return {
    name: partyName(elementAt(registry, 'Anagrafica')),
    vatCountry: valueAt(registry, 'IdFiscaleIVA', 'IdPaese'),
    vatNumber: valueAt(registry, 'IdFiscaleIVA', 'IdCodice'),
    fiscalCode: valueAt(registry, 'CodiceFiscale'),
    taxRegime: valueAt(registry, 'RegimeFiscale'),
    address: address(elementAt(party, 'Sede')),
  };
}

/** FSM10: the seller's ids, name and Sede side by side; the buyer's ids and name+Sede in two blocks. */
function simplifiedParty(ids: XmlElement | undefined, named: XmlElement | undefined): InvoiceViewParty {
  return {
    name: partyName(named),
    vatCountry: valueAt(ids, 'IdFiscaleIVA', 'IdPaese'),
    vatNumber: valueAt(ids, 'IdFiscaleIVA', 'IdCodice'),
    fiscalCode: valueAt(ids, 'CodiceFiscale'),
    taxRegime: valueAt(named, 'RegimeFiscale'),
    address: address(elementAt(named, 'Sede')),
  };
}

function generalData(body: XmlElement): Pick<InvoiceViewBody, 'type' | 'number' | 'date' | 'currency' | 'reasons'> & { general: XmlElement | undefined } {
  const general = elementAt(body, 'DatiGenerali', 'DatiGeneraliDocumento');
  return {
    general,
    type: valueAt(general, 'TipoDocumento'),
    number: valueAt(general, 'Numero'),
    date: valueAt(general, 'Data'),
    currency: valueAt(general, 'Divisa'),
    reasons: childElements(general, 'Causale')
      .map((element) => element.text)
      .filter(Boolean),
  };
}

function ordinaryBody(body: XmlElement): InvoiceViewBody {
  const { general, ...head } = generalData(body);
  const goods = elementAt(body, 'DatiBeniServizi');
  const vatSummary = childElements(goods, 'DatiRiepilogo').map(vatSummaryOf);
  const stamp = elementAt(general, 'DatiBollo');
  return {
    ...head,
    lines: childElements(goods, 'DettaglioLinee').map(ordinaryLine),
    vatSummary,
    // The same rule as at capture (document-total.ts), so the list and this view agree.
    ...ordinaryBodyTotal(body),
    rounding: valueAt(general, 'Arrotondamento'),
    withholdings: childElements(general, 'DatiRitenuta').map(withholdingOf),
    stamp: stamp ? { virtual: valueAt(stamp, 'BolloVirtuale') === 'SI', amount: valueAt(stamp, 'ImportoBollo') } : null,
    payments: childElements(body, 'DatiPagamento').map(paymentOf),
    attachments: childElements(body, 'Allegati').map(attachmentOf),
  };
}

function ordinaryLine(line: XmlElement): InvoiceViewLine {
  return {
    number: valueAt(line, 'NumeroLinea'),
    codes: childElements(line, 'CodiceArticolo')
      .map((code) => [valueAt(code, 'CodiceTipo'), valueAt(code, 'CodiceValore')].filter(Boolean).join(' '))
      .filter(Boolean),
    description: valueAt(line, 'Descrizione'),
    quantity: valueAt(line, 'Quantita'),
    unit: valueAt(line, 'UnitaMisura'),
    unitPrice: valueAt(line, 'PrezzoUnitario'),
    adjustments: childElements(line, 'ScontoMaggiorazione').map(adjustmentOf),
    total: valueAt(line, 'PrezzoTotale'),
    vatRate: valueAt(line, 'AliquotaIVA'),
    vatAmount: null,
    nature: valueAt(line, 'Natura'),
  };
}

function adjustmentOf(element: XmlElement): InvoiceViewAdjustment {
  const kind = valueAt(element, 'Tipo');
  return { kind: kind === 'SC' || kind === 'MG' ? kind : null, percent: valueAt(element, 'Percentuale'), amount: valueAt(element, 'Importo') };
}

function vatSummaryOf(row: XmlElement): InvoiceViewVatSummary {
  return {
    vatRate: valueAt(row, 'AliquotaIVA'),
    nature: valueAt(row, 'Natura'),
    taxable: valueAt(row, 'ImponibileImporto'),
    tax: valueAt(row, 'Imposta'),
    chargeability: valueAt(row, 'EsigibilitaIVA'),
    legalReference: valueAt(row, 'RiferimentoNormativo'),
  };
}

function withholdingOf(element: XmlElement): InvoiceViewWithholding {
  return {
    type: valueAt(element, 'TipoRitenuta'),
    amount: valueAt(element, 'ImportoRitenuta'),
    rate: valueAt(element, 'AliquotaRitenuta'),
    reason: valueAt(element, 'CausalePagamento'),
  };
}

function paymentOf(payment: XmlElement): InvoiceViewPayment {
  return {
    terms: valueAt(payment, 'CondizioniPagamento'),
    instalments: childElements(payment, 'DettaglioPagamento').map((detail) => ({
      mode: valueAt(detail, 'ModalitaPagamento'),
      dueDate: valueAt(detail, 'DataScadenzaPagamento'),
      amount: valueAt(detail, 'ImportoPagamento'),
      iban: valueAt(detail, 'IBAN'),
      bank: valueAt(detail, 'IstitutoFinanziario'),
      beneficiary: valueAt(detail, 'Beneficiario'),
    })),
  };
}

function attachmentOf(attachment: XmlElement, index: number): InvoiceViewAttachment {
  return {
    index,
    name: valueAt(attachment, 'NomeAttachment'),
    format: valueAt(attachment, 'FormatoAttachment'),
    description: valueAt(attachment, 'DescrizioneAttachment'),
    compression: valueAt(attachment, 'AlgoritmoCompressione'),
    size: decodeAttachment(attachment).length,
  };
}

/** Attachment is base64 (xs:base64Binary: whitespace allowed between characters). */
function decodeAttachment(attachment: XmlElement): Buffer {
  return Buffer.from((elementAt(attachment, 'Attachment')?.text ?? '').replace(/\s+/g, ''), 'base64');
}

/**
 * FSM10: each DatiBeniServizi is a line with Descrizione, Importo (VAT included) and DatiIVA
 * (Imposta or Aliquota), or a Natura. There is no document total nor VAT summary; the total shown
 * is the lines' sum, marked as computed (document-total.ts).
 */
function simplifiedBody(body: XmlElement): InvoiceViewBody {
  const { general: _general, ...head } = generalData(body);
  const lines = childElements(body, 'DatiBeniServizi').map((goods, index): InvoiceViewLine => ({
    number: String(index + 1),
    codes: [],
    description: valueAt(goods, 'Descrizione'),
    quantity: null,
    unit: null,
    unitPrice: null,
    adjustments: [],
    total: valueAt(goods, 'Importo'),
    vatRate: valueAt(goods, 'DatiIVA', 'Aliquota'),
    vatAmount: valueAt(goods, 'DatiIVA', 'Imposta'),
    nature: valueAt(goods, 'Natura'),
  }));
  return {
    ...head,
    lines,
    vatSummary: [],
    ...simplifiedBodyTotal(body),
    rounding: null,
    withholdings: [],
    stamp: null,
    payments: [],
    attachments: childElements(body, 'Allegati').map(attachmentOf),
  };
}
