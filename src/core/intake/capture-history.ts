// The preflight rules that need the invoices captured before: the same invoice sent twice, and
// gaps in a seller's numbering. They run on the main thread inside the capture transaction, just
// before the invoice is recorded, so two copies captured at the same moment cannot both pass.
import type { InvoiceReading, PreflightIssue } from '../../contract/invoice.ts';
import { bodyDocumentsOfReading, checkHistoryOf, sellerKeyOfReading } from '../inspect/preflight/history-check.ts';
import type { InvoiceHistory } from '../inspect/preflight/types.ts';
import { refusalOf, type InvoiceMetadata } from './inspect-invoice.ts';

export interface HistoryVerdict {
  /** Set when the invoice must not be sent (a duplicate). */
  invalid: { code: string; reason: string } | null;
}

/** Adds the history findings to the part's metadata.preflight; says whether they block sending. */
export function checkCapturedInvoice(metadata: Record<string, unknown>, history: InvoiceHistory): HistoryVerdict {
  const { invoice, preflight = [] } = metadata as InvoiceMetadata;
  if (!invoice) return { invalid: null };
  const known = new Set(preflight.map(issueKey));
  const found = checkHistoryOf(sellerKeyOfReading(invoice), bodyDocumentsOfReading(invoice), history).filter((issue) => !known.has(issueKey(issue)));
  if (found.length === 0) return { invalid: null };
  const all = [...preflight, ...found];
  (metadata as InvoiceMetadata).preflight = [...all.filter((issue) => issue.severity === 'error'), ...all.filter((issue) => issue.severity === 'warning')];
  return { invalid: refusalOf(found) };
}

export function invoiceReadingOf(metadata: Record<string, unknown>): InvoiceReading | null {
  return (metadata as InvoiceMetadata).invoice ?? null;
}

function issueKey(issue: PreflightIssue): string {
  return `${issue.code}\u0000${issue.path ?? ''}`;
}
