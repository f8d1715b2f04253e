// Reads a simplified invoice (FSM10, namespace .../fatture/v1.0, root FatturaElettronicaSemplificata).
// Its header is flatter than the ordinary one: the seller's ids and name sit directly under
// CedentePrestatore, the buyer's under IdentificativiFiscali and AltriDatiIdentificativi.
import { childElements, elementAt } from '../../xml/safe-xml.ts';
import type { XmlElement } from '../../xml/safe-xml.ts';
import type { InvoiceBody, InvoiceParty, InvoiceReading } from './types.ts';
import { simplifiedBodyTotal, totalOf } from './document-total.ts';
import { partyName, readTransmission, valueAt } from './xml-values.ts';

export function readSimplifiedInvoice(root: XmlElement): InvoiceReading {
  const header = elementAt(root, 'FatturaElettronicaHeader');
  const transmission = elementAt(header, 'DatiTrasmissione');
  return {
    format: 'FSM10',
    ...readTransmission(transmission),
    seller: readSeller(elementAt(header, 'CedentePrestatore')),
    buyer: readBuyer(elementAt(header, 'CessionarioCommittente')),
    bodies: childElements(root, 'FatturaElettronicaBody').map(readBody),
    signed: null,
  };
}

function readSeller(seller: XmlElement | undefined): InvoiceParty {
  return {
    country: valueAt(seller, 'IdFiscaleIVA', 'IdPaese') ?? valueAt(seller, 'Sede', 'Nazione'),
    vatNumber: valueAt(seller, 'IdFiscaleIVA', 'IdCodice'),
    fiscalCode: valueAt(seller, 'CodiceFiscale'),
    name: partyName(seller),
  };
}

function readBuyer(buyer: XmlElement | undefined): InvoiceParty {
  const ids = elementAt(buyer, 'IdentificativiFiscali');
  const other = elementAt(buyer, 'AltriDatiIdentificativi');
  return {
    country: valueAt(ids, 'IdFiscaleIVA', 'IdPaese') ?? valueAt(other, 'Sede', 'Nazione'),
    vatNumber: valueAt(ids, 'IdFiscaleIVA', 'IdCodice'),
    fiscalCode: valueAt(ids, 'CodiceFiscale'),
    name: partyName(other),
  };
}

/**
 * The simplified format has no document total (only per-line Importo and DatiIVA): the total is the
 * lines' sum, marked as computed (document-total.ts), as the invoice view shows it.
 */
function readBody(body: XmlElement): InvoiceBody {
  const general = elementAt(body, 'DatiGenerali', 'DatiGeneraliDocumento');
  return {
    type: valueAt(general, 'TipoDocumento'),
    number: valueAt(general, 'Numero'),
    date: valueAt(general, 'Data'),
    ...totalOf(simplifiedBodyTotal(body)),
    currency: valueAt(general, 'Divisa'),
  };
}
