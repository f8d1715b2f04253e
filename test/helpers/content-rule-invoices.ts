// The invoices of issue 12: each valid against the XSD and breaking one of SDI's content rules
// (the NS code it gets in `sdi`), plus the valid invoice they are made from. Shared by the tests
// that send them through the agent (refused before sending) and around it (rejected by the sandbox
// hub's simulated SDI with the same codes).
import type { InvoiceEdit } from './fatturapa-edit.ts';
import { DOC, GOODS, fpr01, withBuyerVat } from './preflight-content.ts';
import { romeDate } from '../../src/core/inspect/preflight/content/rome-date.ts';

const LINE = `${GOODS}/DettaglioLinee`;
const SUMMARY = `${GOODS}/DatiRiepilogo`;

/** FPR01 with valid identifiers, numbered `number` (each file its own invoice), then `edit`. */
export function contentInvoice(number: number, edit: (invoice: InvoiceEdit) => InvoiceEdit = (i) => i): string {
  return edit(fpr01().set(`${DOC}/Numero`, String(number))).toString();
}

export interface ContentCase {
  /** The file name it is captured or uploaded as. */
  name: string;
  /** The SDI code of the rule it breaks. */
  sdi: string;
  /** Every SDI error code it gets, in order (a rate 0 without Natura breaks the line's and the summary's rule). */
  codes: string[];
  xml: string;
}

/** One invoice per rule, numbered from `first` + 1; the date case is dated three days after now, in Rome. */
export function contentCases(first = 200): ContentCase[] {
  const make = (offset: number, name: string, sdi: string, edit: (invoice: InvoiceEdit) => InvoiceEdit, codes = [sdi]): ContentCase => ({
    name,
    sdi,
    codes,
    xml: contentInvoice(first + offset, edit),
  });
  return [
    make(1, 'natura.xml', '00400', (i) => i.set(`${LINE}/AliquotaIVA`, '0.00').set(`${SUMMARY}/AliquotaIVA`, '0.00').set(`${SUMMARY}/Imposta`, '0.00'), [
      '00400',
      '00429',
    ]),
    make(2, 'imposta.xml', '00421', (i) => i.set(`${SUMMARY}/Imposta`, '3.10')),
    make(3, 'data.xml', '00403', (i) => i.set(`${DOC}/Data`, romeDate(new Date(Date.now() + 3 * 86_400_000)))),
    make(4, 'prezzo.xml', '00423', (i) => i.set(`${LINE}/PrezzoTotale`, '3.10').set(`${SUMMARY}/ImponibileImporto`, '3.10').set(`${SUMMARY}/Imposta`, '0.68')),
    make(5, 'imponibile.xml', '00422', (i) => i.set(`${SUMMARY}/ImponibileImporto`, '25.00').set(`${SUMMARY}/Imposta`, '5.50')),
    make(6, 'numero.xml', '00425', (i) => i.set(`${DOC}/Numero`, 'ABC')),
    make(7, 'riepilogo.xml', '00419', (i) =>
      i.duplicate(LINE, (copy) => {
        copy.children.find((child) => child.local === 'AliquotaIVA')!.text = '10.00';
      }),
    ),
    make(8, 'ritenuta.xml', '00411', (i) => i.set(`${LINE}/Ritenuta`, 'SI', { after: ['AliquotaIVA'] })),
    make(9, 'td18.xml', '00473', (i) => withBuyerVat(i).set(`${DOC}/TipoDocumento`, 'TD18')),
  ];
}
