// Dispatches a parsed FatturaPA XML to the reader of its format. The root element and namespace
// decide the structure; the `versione` attribute (or FormatoTrasmissione) tells FPA12 from FPR12.
import { textAt } from '../../xml/safe-xml.ts';
import type { XmlElement } from '../../xml/safe-xml.ts';
import { readOrdinaryInvoice } from './ordinary-invoice.ts';
import { readSimplifiedInvoice } from './simplified-invoice.ts';
import type { InvoiceReading } from './types.ts';

import { FATTURAPA_NAMESPACE as ORDINARY_NAMESPACE, SIMPLIFIED_NAMESPACE } from '../namespaces.ts';

export class InvoiceFormatError extends Error {
  readonly code: 'not_fatturapa' | 'fatturapa_namespace' | 'fatturapa_format';
  constructor(code: InvoiceFormatError['code'], message: string) {
    super(message);
    this.name = 'InvoiceFormatError';
    this.code = code;
  }
}

export function readFatturaPa(root: XmlElement): InvoiceReading {
  if (root.local === 'FatturaElettronica') {
    requireNamespace(root, ORDINARY_NAMESPACE, 'v1.2');
    return readOrdinaryInvoice(root, ordinaryFormat(root));
  }
  if (root.local === 'FatturaElettronicaSemplificata') {
    requireNamespace(root, SIMPLIFIED_NAMESPACE, 'v1.0');
    return readSimplifiedInvoice(root);
  }
  throw new InvoiceFormatError(
    'not_fatturapa',
    `the XML's root element is <${root.name}>, not a FatturaPA invoice (FatturaElettronica or FatturaElettronicaSemplificata)`,
  );
}

function requireNamespace(root: XmlElement, expected: string, version: string): void {
  if (root.uri === expected) return;
  const found = root.uri ? `"${root.uri}"` : 'no namespace';
  throw new InvoiceFormatError(
    'fatturapa_namespace',
    `<${root.local}> must be in the FatturaPA ${version} namespace (${expected}), but it has ${found}: SDI would reject the file`,
  );
}

function ordinaryFormat(root: XmlElement): 'FPA12' | 'FPR12' {
  const declared = root.attributes['versione'] || textAt(root, 'FatturaElettronicaHeader', 'DatiTrasmissione', 'FormatoTrasmissione');
  if (declared === 'FPA12' || declared === 'FPR12') return declared;
  throw new InvoiceFormatError(
    'fatturapa_format',
    `the invoice declares the format "${declared ?? ''}"; an ordinary FatturaPA must be FPA12 (public administration) or FPR12 (private parties)`,
  );
}
