// Reads an ordinary FatturaPA (FPA12 to a public administration, FPR12 between private parties),
// namespace .../fatture/v1.2, root FatturaElettronica.
import { childElements, elementAt } from '../../xml/safe-xml.ts';
import type { XmlElement } from '../../xml/safe-xml.ts';
import type { InvoiceBody, InvoiceParty, InvoiceReading } from './types.ts';
import { ordinaryBodyTotal, totalOf } from './document-total.ts';
import { partyName, readTransmission, valueAt } from './xml-values.ts';

export function readOrdinaryInvoice(root: XmlElement, format: 'FPA12' | 'FPR12'): InvoiceReading {
  const header = elementAt(root, 'FatturaElettronicaHeader');
  const transmission = elementAt(header, 'DatiTrasmissione');
  return {
    format,
    ...readTransmission(transmission),
    seller: readParty(elementAt(header, 'CedentePrestatore')),
    buyer: readParty(elementAt(header, 'CessionarioCommittente')),
    bodies: childElements(root, 'FatturaElettronicaBody').map(readBody),
    signed: null,
  };
}

/** CedentePrestatore and CessionarioCommittente share DatiAnagrafici and Sede. */
function readParty(party: XmlElement | undefined): InvoiceParty {
  const registry = elementAt(party, 'DatiAnagrafici');
  return {
    country: valueAt(registry, 'IdFiscaleIVA', 'IdPaese') ?? valueAt(party, 'Sede', 'Nazione'),
    vatNumber: valueAt(registry, 'IdFiscaleIVA', 'IdCodice'),
    fiscalCode: valueAt(registry, 'CodiceFiscale'),
    name: partyName(elementAt(registry, 'Anagrafica')),
  };
}

function readBody(body: XmlElement): InvoiceBody {
  const general = elementAt(body, 'DatiGenerali', 'DatiGeneraliDocumento');
  return {
    type: valueAt(general, 'TipoDocumento'),
    number: valueAt(general, 'Numero'),
    date: valueAt(general, 'Data'),
    ...totalOf(ordinaryBodyTotal(body)),
    currency: valueAt(general, 'Divisa'),
  };
}
