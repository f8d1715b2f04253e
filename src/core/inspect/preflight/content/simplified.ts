// The content rules that apply to a simplified invoice (FSM10) as well: date (00403), number
// (00425), and the amount limit of simplified invoices (00460: 400 euro, DM 10 May 2019), which
// does not apply to ordinary invoices (FPA12/FPR12 have no such limit).
import type { XmlElement } from '../../../xml/safe-xml.ts';
import { childElements, elementAt, textAt } from '../../../xml/safe-xml.ts';
import type { PreflightIssue } from '../types.ts';
import { add, compare, dec, parseDecimal, ZERO } from './decimal.ts';
import { checkDocument } from './document.ts';
import type { InvoiceBody } from './invoice-body.ts';
import { indexed } from './invoice-body.ts';
import { amount, contentError, sdiRejects } from './rule-kit.ts';
import type { HeaderFacts, RuleContext } from './rule-kit.ts';

/** Art. 21-bis DPR 633/72 and DM 10 May 2019. */
const SIMPLIFIED_LIMIT = dec('400.00');
/** Sellers under these regimes may issue simplified invoices of any amount (specifications v1.9). */
const NO_LIMIT_REGIMES = new Set(['RF19', 'RF20']);

function simplifiedBody(element: XmlElement, path: string): InvoiceBody {
  const docPath = `${path}/DatiGenerali/DatiGeneraliDocumento`;
  const doc = elementAt(element, 'DatiGenerali', 'DatiGeneraliDocumento');
  const value = (local: string): string | undefined => {
    const text = textAt(doc, local);
    return text === '' ? undefined : text;
  };
  return {
    path,
    docPath,
    docType: value('TipoDocumento'),
    date: value('Data'),
    number: value('Numero'),
    withholdings: 0,
    funds: [],
    documentDiscounts: [],
    linkedInvoiceDates: [],
    lines: [],
    summaries: [],
  };
}

export function checkSimplified(root: XmlElement, today: string): PreflightIssue[] {
  // The rules applied here do not look at the parties.
  const header: HeaderFacts = { sellerVat: null, sellerCf: undefined, buyerVat: null, buyerCf: undefined, recipientCode: undefined };
  const regime = textAt(root, 'FatturaElettronicaHeader', 'CedentePrestatore', 'RegimeFiscale');
  const bodies = indexed(root, '', 'FatturaElettronicaBody');
  const issues: PreflightIssue[] = [];
  for (const { element, path: slashPath } of bodies) {
    const body = simplifiedBody(element, slashPath.slice(1));
    const context: RuleContext = { body, batch: bodies.length > 1, header, crossBorder: false };
    issues.push(...checkDocument(context, today));
    if (NO_LIMIT_REGIMES.has(regime ?? '') || elementAt(element, 'DatiGenerali', 'DatiFatturaRettificata')) continue;
    let total = ZERO;
    let readable = true;
    for (const goods of childElements(element, 'DatiBeniServizi')) {
      const value = parseDecimal(textAt(goods, 'Importo'));
      if (value) total = add(total, value);
      else readable = false;
    }
    if (!readable || compare(total, SIMPLIFIED_LIMIT) <= 0) continue;
    const sdi = sdiRejects('00460');
    issues.push(
      contentError(context, 'simplified_over_limit', '00460', `${body.path}/DatiBeniServizi`, {
        it: `Fattura semplificata di ${amount(total)} euro: oltre il limite di 400 euro delle fatture semplificate (art. 21-bis DPR 633/72, DM 10 maggio 2019). ${sdi.it}. Nel gestionale emettere una fattura ordinaria (FPR12).`,
        en: `Simplified invoice of ${amount(total)} euro: over the 400 euro limit for simplified invoices (art. 21-bis DPR 633/72, DM 10 May 2019). ${sdi.en}. In the invoicing software issue an ordinary invoice (FPR12).`,
      }),
    );
  }
  return issues;
}
