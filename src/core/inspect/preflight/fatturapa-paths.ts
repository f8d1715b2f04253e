// Where preflight looks in a FatturaPA document (paths relative to the root, as in issues).
import { childElements, elementAt, textAt } from '../../xml/safe-xml.ts';
import type { XmlElement } from '../../xml/safe-xml.ts';

export { FATTURAPA_NAMESPACE, SIMPLIFIED_NAMESPACE } from '../namespaces.ts';
export const FORMATI_ORDINARI = ['FPA12', 'FPR12'] as const;

export const DATI_TRASMISSIONE = 'FatturaElettronicaHeader/DatiTrasmissione';
export const SELLER_DATA = 'FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici';
export const BUYER_DATA = 'FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici';

export function textOf(root: XmlElement, path: string): string | undefined {
  const value = textAt(root, ...path.split('/'));
  return value === undefined || value === '' ? undefined : value;
}

export interface FiscalId {
  country: string;
  code: string;
}

export function fiscalIdAt(root: XmlElement, path: string): FiscalId | null {
  const country = textOf(root, `${path}/IdFiscaleIVA/IdPaese`);
  const code = textOf(root, `${path}/IdFiscaleIVA/IdCodice`);
  return country && code ? { country: country.toUpperCase(), code: code.toUpperCase() } : null;
}

/** The key history is indexed by: IdPaese + IdCodice of the seller, upper case, e.g. `IT01234567890`. */
export function sellerKeyOf(root: XmlElement): string | null {
  const id = fiscalIdAt(root, SELLER_DATA);
  return id ? `${id.country}${id.code}` : null;
}

export interface BodyDocument {
  /** Path of the body, with [n] when the file holds several. */
  path: string;
  docType?: string;
  number?: string;
  date?: string;
  /** From Data, when it starts with a 4-digit year. */
  year?: string;
}

export function bodyDocuments(root: XmlElement): BodyDocument[] {
  const bodies = childElements(root, 'FatturaElettronicaBody');
  return bodies.map((body, index) => {
    const path = bodies.length > 1 ? `FatturaElettronicaBody[${index + 1}]` : 'FatturaElettronicaBody';
    const general = elementAt(body, 'DatiGenerali', 'DatiGeneraliDocumento');
    const nonEmpty = (value: string | undefined): string | undefined => (value === '' ? undefined : value);
    const date = nonEmpty(textAt(general, 'Data'));
    const year = date && /^[0-9]{4}-/.test(date) ? date.slice(0, 4) : undefined;
    return { path, docType: nonEmpty(textAt(general, 'TipoDocumento')), number: nonEmpty(textAt(general, 'Numero')), date, year };
  });
}
