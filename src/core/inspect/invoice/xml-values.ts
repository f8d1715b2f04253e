// Small helpers shared by the FatturaPA readers: a missing or empty element reads as null.
import type { InvoiceReading } from './types.ts';
import { textAt } from '../../xml/safe-xml.ts';
import type { XmlElement } from '../../xml/safe-xml.ts';

export function valueAt(element: XmlElement | undefined, ...path: string[]): string | null {
  const text = textAt(element, ...path);
  return text ? text : null;
}

/** A party's name: Denominazione for a company, "Nome Cognome" for a person. */
export function partyName(anagrafica: XmlElement | undefined): string | null {
  const denominazione = valueAt(anagrafica, 'Denominazione');
  if (denominazione) return denominazione;
  const person = [valueAt(anagrafica, 'Nome'), valueAt(anagrafica, 'Cognome')].filter((part) => part !== null);
  return person.length > 0 ? person.join(' ') : null;
}

/** DatiTrasmissione, the same in ordinary and simplified invoices. */
export function readTransmission(
  transmission: XmlElement | undefined,
): Pick<InvoiceReading, 'transmitter' | 'progressivoInvio' | 'codiceDestinatario' | 'pecDestinatario'> {
  return {
    transmitter: {
      country: valueAt(transmission, 'IdTrasmittente', 'IdPaese'),
      id: valueAt(transmission, 'IdTrasmittente', 'IdCodice'),
    },
    progressivoInvio: valueAt(transmission, 'ProgressivoInvio'),
    codiceDestinatario: valueAt(transmission, 'CodiceDestinatario'),
    pecDestinatario: valueAt(transmission, 'PECDestinatario'),
  };
}
