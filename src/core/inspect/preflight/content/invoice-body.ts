// What the content rules read from a FatturaPA body, each value with its path (relative to the
// root, `[n]` only where an element repeats, as everywhere in preflight). A value the schema
// refuses (not a number, say) is read as null and the rules that need it skip it: the schema check
// already reports it, and a second finding about the same mistake would only be noise.
import { childElements } from '../../../xml/safe-xml.ts';
import type { XmlElement } from '../../../xml/safe-xml.ts';
import { parseDecimal } from './decimal.ts';
import type { Decimal } from './decimal.ts';

export interface Located<T> {
  value: T;
  path: string;
}

export interface Discount {
  path: string;
  /** SC (sconto) or MG (maggiorazione). */
  type: string | undefined;
  /** Null when present but not a number; undefined when absent. */
  percent: Decimal | null | undefined;
  amount: Decimal | null | undefined;
}

export interface Line {
  path: string;
  /** NumeroLinea as written, for messages. */
  number: string | undefined;
  quantity: Decimal | null | undefined;
  unitPrice: Decimal | null;
  totalPrice: Decimal | null;
  rate: Decimal | null;
  nature: string | undefined;
  withholding: boolean;
  discounts: Discount[];
}

export interface Fund {
  path: string;
  contribution: Decimal | null;
  rate: Decimal | null;
  nature: string | undefined;
  withholding: boolean;
}

export interface Summary {
  path: string;
  rate: Decimal | null;
  nature: string | undefined;
  taxable: Decimal | null;
  tax: Decimal | null;
  rounding: Decimal | null | undefined;
  chargeability: string | undefined;
}

export interface InvoiceBody {
  /** `FatturaElettronicaBody` or `FatturaElettronicaBody[n]`. */
  path: string;
  docPath: string;
  docType: string | undefined;
  date: string | undefined;
  number: string | undefined;
  withholdings: number;
  funds: Fund[];
  documentDiscounts: Discount[];
  linkedInvoiceDates: Located<string>[];
  lines: Line[];
  summaries: Summary[];
}

function child(element: XmlElement | undefined, local: string): XmlElement | undefined {
  if (!element) return undefined;
  for (const candidate of element.children) if (candidate.local === local) return candidate;
  return undefined;
}

function text(element: XmlElement | undefined, local: string): string | undefined {
  const value = child(element, local)?.text;
  return value === undefined || value === '' ? undefined : value;
}

function number(element: XmlElement | undefined, local: string): Decimal | null {
  return parseDecimal(text(element, local));
}

function optionalNumber(element: XmlElement | undefined, local: string): Decimal | null | undefined {
  const value = text(element, local);
  return value === undefined ? undefined : parseDecimal(value);
}

/** The children named `local`, each with its path under `parent` (`[n]` when there are several). */
export function indexed(parent: XmlElement | undefined, parentPath: string, local: string): { element: XmlElement; path: string }[] {
  const elements = childElements(parent, local);
  return elements.map((element, index) => ({ element, path: `${parentPath}/${local}${elements.length > 1 ? `[${index + 1}]` : ''}` }));
}

function discounts(parent: XmlElement, parentPath: string): Discount[] {
  return indexed(parent, parentPath, 'ScontoMaggiorazione').map(({ element, path }) => ({
    path,
    type: text(element, 'Tipo'),
    percent: optionalNumber(element, 'Percentuale'),
    amount: optionalNumber(element, 'Importo'),
  }));
}

/** One pass over a line's children (a 1,000-line invoice reads 10,000 of them). */
function readLine(element: XmlElement, path: string): Line {
  const values = new Map<string, string>();
  let discountCount = 0;
  for (const child of element.children) {
    if (child.local === 'ScontoMaggiorazione') discountCount += 1;
    else if (!values.has(child.local) && child.text !== '') values.set(child.local, child.text);
  }
  const quantity = values.get('Quantita');
  return {
    path,
    number: values.get('NumeroLinea'),
    quantity: quantity === undefined ? undefined : parseDecimal(quantity),
    unitPrice: parseDecimal(values.get('PrezzoUnitario')),
    totalPrice: parseDecimal(values.get('PrezzoTotale')),
    rate: parseDecimal(values.get('AliquotaIVA')),
    nature: values.get('Natura'),
    withholding: values.get('Ritenuta') === 'SI',
    discounts: discountCount === 0 ? [] : discounts(element, path),
  };
}

export function readBodies(root: XmlElement): InvoiceBody[] {
  const bodies = indexed(root, '', 'FatturaElettronicaBody');
  return bodies.map(({ element: body, path: slashPath }) => {
    const path = slashPath.slice(1);
    const generalPath = `${path}/DatiGenerali`;
    const general = child(body, 'DatiGenerali');
    const docPath = `${generalPath}/DatiGeneraliDocumento`;
    const doc = child(general, 'DatiGeneraliDocumento');
    const goodsPath = `${path}/DatiBeniServizi`;
    const goods = child(body, 'DatiBeniServizi');
    return {
      path,
      docPath,
      docType: text(doc, 'TipoDocumento'),
      date: text(doc, 'Data'),
      number: text(doc, 'Numero'),
      withholdings: childElements(doc, 'DatiRitenuta').length,
      funds: indexed(doc, docPath, 'DatiCassaPrevidenziale').map(({ element, path: fundPath }) => ({
        path: fundPath,
        contribution: number(element, 'ImportoContributoCassa'),
        rate: number(element, 'AliquotaIVA'),
        nature: text(element, 'Natura'),
        withholding: text(element, 'Ritenuta') === 'SI',
      })),
      documentDiscounts: doc ? discounts(doc, docPath) : [],
      linkedInvoiceDates: indexed(general, generalPath, 'DatiFattureCollegate').flatMap(({ element, path: linkedPath }) => {
        const date = text(element, 'Data');
        return date === undefined ? [] : [{ value: date, path: `${linkedPath}/Data` }];
      }),
      lines: indexed(goods, goodsPath, 'DettaglioLinee').map(({ element, path: linePath }) => readLine(element, linePath)),
      summaries: indexed(goods, goodsPath, 'DatiRiepilogo').map(({ element, path: summaryPath }) => ({
        path: summaryPath,
        rate: number(element, 'AliquotaIVA'),
        nature: text(element, 'Natura'),
        taxable: number(element, 'ImponibileImporto'),
        tax: number(element, 'Imposta'),
        rounding: optionalNumber(element, 'Arrotondamento'),
        chargeability: text(element, 'EsigibilitaIVA'),
      })),
    };
  });
}
