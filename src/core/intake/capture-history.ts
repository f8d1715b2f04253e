// The preflight rules that need the invoices captured before: the same invoice sent twice, and
// gaps in a seller's numbering. They run on the main thread inside the capture transaction, just
// before the invoice is recorded, so two copies captured at the same moment cannot both pass.
import type { InvoiceReading, PreflightIssue, PreflightMode } from '../../contract/invoice.ts';
import { bodyDocumentsOfReading, checkHistoryOf, sellerKeyOfReading } from '../inspect/preflight/history-check.ts';
import { parseInvoiceNumber } from '../inspect/preflight/numbering.ts';
import type { InvoiceHistory } from '../inspect/preflight/types.ts';
import type { InvoiceRow } from '../store/invoices.ts';
import { applyMode, refusalOf, type InvoiceMetadata } from './inspect-invoice.ts';

export interface HistoryVerdict {
  /** Set when the invoice must not be sent (a duplicate). */
  invalid: { code: string; reason: string } | null;
}

/**
 * Adds the history findings to the part's metadata.preflight; says whether they block sending (with
 * `mode` "warn" they never do: a duplicate is then a warning, see inspect-invoice.ts).
 */
export function checkCapturedInvoice(metadata: Record<string, unknown>, history: InvoiceHistory, mode: PreflightMode = 'block'): HistoryVerdict {
  const { invoice, preflight = [] } = metadata as InvoiceMetadata;
  if (!invoice) return { invalid: null };
  const known = new Set(preflight.map(issueKey));
  const found = applyMode(checkHistoryOf(sellerKeyOfReading(invoice), bodyDocumentsOfReading(invoice), history), mode).filter(
    (issue) => !known.has(issueKey(issue)),
  );
  if (found.length === 0) return { invalid: null };
  const all = [...preflight, ...found];
  // Errors first, then the errors a "warn" setting let through, then the warnings.
  const rank = (issue: PreflightIssue): number => (issue.severity === 'error' ? 0 : issue.downgraded ? 1 : 2);
  (metadata as InvoiceMetadata).preflight = [0, 1, 2].flatMap((wanted) => all.filter((issue) => rank(issue) === wanted));
  return { invalid: refusalOf(found) };
}

export function invoiceReadingOf(metadata: Record<string, unknown>): InvoiceReading | null {
  return (metadata as InvoiceMetadata).invoice ?? null;
}

/** What the store's invoice history keeps of a reading: one row per body, keyed as the history rules look it up. */
export function invoiceRowsOf(reading: InvoiceReading): InvoiceRow[] {
  const seller = sellerKeyOfReading(reading);
  const identities = bodyDocumentsOfReading(reading);
  return reading.bodies.map((body, index) => {
    const identity = identities[index];
    const parsed = identity?.number !== undefined ? parseInvoiceNumber(identity.number, identity.year) : null;
    return {
      sellerKey: seller,
      docType: identity?.docType ?? null,
      number: identity?.number ?? null,
      year: identity?.year ?? null,
      date: body.date,
      total: body.total,
      currency: body.currency,
      series: parsed?.series ?? null,
      counter: parsed?.counter ?? null,
    };
  });
}

function issueKey(issue: PreflightIssue): string {
  return `${issue.code}\u0000${issue.path ?? ''}`;
}
