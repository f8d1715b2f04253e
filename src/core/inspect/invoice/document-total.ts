// The one rule for an invoice body's total, used at capture (the readers, so the list, the detail
// panel and the search show it) and by the invoice view: ImportoTotaleDocumento as written, else a
// figure worked out in exact decimals and marked `computed`.
//
// Ordinary invoices (FPA12, FPR12), as SDI's specification defines ImportoTotaleDocumento ("al
// netto dell'eventuale sconto e comprensivo di imposta") and as invoicing software fills it:
//   sum over every DatiRiepilogo of (ImponibileImporto + Imposta) + DatiGeneraliDocumento/Arrotondamento.
// - DatiRiepilogo/Arrotondamento is not added again: it is already inside that row's
//   ImponibileImporto (SDI's check 00422 sums lines, fund contributions and it).
// - Stamp duty (DatiBollo/ImportoBollo) is not added: it declares that duty is due; when the
//   seller charges it to the buyer, it is a line of its own (Natura N1) and so already in the
//   summary. Adding ImportoBollo would count it twice on those invoices.
// - Withholding (DatiRitenuta) is not subtracted, nor split-payment VAT (EsigibilitaIVA S): the
//   document total includes them; what is paid is in DatiPagamento.
// - No DatiRiepilogo, a row without ImponibileImporto or Imposta, or a value that is not a plain
//   decimal → no total (null), never 0 and never a partial sum.
// Simplified invoices (FSM10) have no document total and no summary: each DatiBeniServizi's
// Importo is VAT included, so the total is their sum, on the same terms.
import { childElements, elementAt } from '../../xml/safe-xml.ts';
import type { XmlElement } from '../../xml/safe-xml.ts';
import { valueAt } from './xml-values.ts';

export interface BodyTotal {
  total: string | null;
  /** True when the file wrote no ImportoTotaleDocumento and `total` was worked out here. */
  totalComputed: boolean;
}

/** An ordinary FatturaElettronicaBody's total. */
export function ordinaryBodyTotal(body: XmlElement): BodyTotal {
  const general = elementAt(body, 'DatiGenerali', 'DatiGeneraliDocumento');
  const written = valueAt(general, 'ImportoTotaleDocumento');
  if (written) return { total: written, totalComputed: false };
  const rows = childElements(elementAt(body, 'DatiBeniServizi'), 'DatiRiepilogo');
  if (rows.length === 0) return { total: null, totalComputed: false };
  const terms: Array<string | null> = rows.flatMap((row) => [valueAt(row, 'ImponibileImporto'), valueAt(row, 'Imposta')]);
  // A missing term would make a partial sum look like the total.
  if (terms.includes(null)) return { total: null, totalComputed: false };
  terms.push(valueAt(general, 'Arrotondamento'));
  return computed(sumDecimals(terms));
}

/** A simplified (FSM10) FatturaElettronicaBody's total: the sum of its lines' Importo. */
export function simplifiedBodyTotal(body: XmlElement): BodyTotal {
  const amounts = childElements(body, 'DatiBeniServizi').map((goods) => valueAt(goods, 'Importo'));
  if (amounts.length === 0 || amounts.includes(null)) return { total: null, totalComputed: false };
  return computed(sumDecimals(amounts));
}

/** As a reading's body carries it (contract/invoice.ts): `totalComputed` only when true. */
export function totalOf({ total, totalComputed }: BodyTotal): { total: string | null; totalComputed?: true } {
  return totalComputed ? { total, totalComputed: true } : { total };
}

function computed(total: string | null): BodyTotal {
  return { total, totalComputed: total !== null };
}

const DECIMAL = /^([+-]?)(\d{1,30})(?:\.(\d{1,30}))?$/;

/**
 * The exact sum of decimal strings ("5.00" + "1.10" = "6.10"), with as many decimals as the most
 * precise term (at least two). Missing terms are skipped; null when there is no term, or one is not
 * a plain decimal (then no honest sum exists). BigInt units: no float drift.
 */
export function sumDecimals(values: Array<string | null>): string | null {
  const terms = values.filter((value): value is string => value !== null);
  if (terms.length === 0) return null;
  const parsed = terms.map((term) => DECIMAL.exec(term.trim()));
  if (parsed.some((match) => match === null)) return null;
  const scale = Math.max(2, ...parsed.map((match) => match![3]?.length ?? 0));
  let sum = 0n;
  for (const match of parsed) {
    const [, sign, whole, fraction = ''] = match!;
    const units = BigInt(whole! + fraction.padEnd(scale, '0'));
    sum += sign === '-' ? -units : units;
  }
  const negative = sum < 0n;
  const digits = (negative ? -sum : sum).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
