// The document's own data: not dated after the day SDI receives it (00403), not dated before an
// invoice it corrects or refers to (00418), a number with at least one digit (00425).
import type { PreflightIssue } from '../types.ts';
import { quoteValue } from '../issue.ts';
import { contentError, sdiRejects } from './rule-kit.ts';
import type { RuleContext } from './rule-kit.ts';

const ISO_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

export function checkDocument(context: RuleContext, today: string): PreflightIssue[] {
  const { body } = context;
  const issues: PreflightIssue[] = [];
  const date = body.date !== undefined && ISO_DATE.test(body.date) ? body.date : undefined;
  if (date && date > today) {
    const sdi = sdiRejects('00403');
    issues.push(
      contentError(context, 'date_in_future', '00403', `${body.docPath}/Data`, {
        it: `La data della fattura (${date}) è successiva a oggi (${today}, ora italiana): SDI rifiuta le fatture datate dopo il giorno in cui le riceve. ${sdi.it}. Nel gestionale correggere la data, oppure inviare la fattura non prima del ${date}.`,
        en: `The invoice date (${date}) is after today (${today}, Italian time): SDI refuses invoices dated after the day it receives them. ${sdi.en}. In the invoicing software fix the date, or send the invoice no earlier than ${date}.`,
      }),
    );
  }
  if (date) {
    for (const linked of body.linkedInvoiceDates) {
      if (!ISO_DATE.test(linked.value) || date >= linked.value) continue;
      const sdi = sdiRejects('00418');
      issues.push(
        contentError(context, 'date_before_linked_invoice', '00418', linked.path, {
          it: `La fattura è datata ${date}, prima della fattura collegata (DatiFattureCollegate) del ${linked.value}: un documento non può precedere quello a cui si riferisce. ${sdi.it}. Nel gestionale correggere la data del documento o quella della fattura collegata.`,
          en: `The invoice is dated ${date}, before the linked invoice (DatiFattureCollegate) of ${linked.value}: a document cannot come before the one it refers to. ${sdi.en}. In the invoicing software fix this document's date or the linked invoice's.`,
        }),
      );
    }
  }
  if (body.number !== undefined && !/[0-9]/.test(body.number)) {
    const sdi = sdiRejects('00425');
    issues.push(
      contentError(context, 'number_without_digit', '00425', `${body.docPath}/Numero`, {
        it: `Il numero della fattura ${quoteValue(body.number)} non contiene cifre: SDI vuole almeno un carattere numerico. ${sdi.it}. Nel gestionale controllare la numerazione (es. "A/17", non "A").`,
        en: `The invoice number ${quoteValue(body.number)} has no digit: SDI wants at least one numeric character. ${sdi.en}. In the invoicing software check the numbering (e.g. "A/17", not "A").`,
      }),
    );
  }
  return issues;
}
