// The one line a document list shows for an invoice, from what inspection stored in the
// document's metadata: the read invoice, else what a PDF's text suggested (marked as guessed).
// Metadata is stored JSON (older agents, other writers): every field is checked, never trusted.
import type { InvoiceReading, InvoiceSummary, PdfGuess, PreflightIssue } from '../../../contract/invoice.ts';

export function invoiceSummaryOf(metadata: Record<string, unknown>): InvoiceSummary | null {
  const invoice = metadata['invoice'] as Partial<InvoiceReading> | undefined;
  if (invoice && typeof invoice === 'object' && Array.isArray(invoice.bodies)) {
    const first = invoice.bodies[0];
    return {
      format: invoice.format ?? 'FPR12',
      guessed: false,
      type: first?.type ?? null,
      number: first?.number ?? null,
      date: first?.date ?? null,
      total: first?.total ?? null,
      // Old metadata has no marker: its total, if any, was written in the file.
      totalComputed: first?.totalComputed === true && typeof first.total === 'string',
      currency: first?.currency ?? null,
      seller: invoice.seller?.name ?? null,
      buyer: invoice.buyer?.name ?? null,
      count: invoice.bodies.length,
    };
  }
  const guess = metadata['pdfGuess'] as PdfGuess | undefined;
  if (guess && typeof guess === 'object' && (guess.number || guess.date || guess.total)) {
    return {
      format: 'PDF',
      guessed: true,
      type: null,
      number: guess.number ?? null,
      date: guess.date ?? null,
      total: guess.total ?? null,
      totalComputed: false,
      currency: null,
      seller: null,
      buyer: null,
      count: 1,
    };
  }
  return null;
}

/** Preflight warnings stored with the document (they did not block sending, but deserve a look). */
export function preflightWarningsOf(metadata: Record<string, unknown>): number {
  const issues = metadata['preflight'] as PreflightIssue[] | undefined;
  return Array.isArray(issues) ? issues.filter((issue) => issue.severity === 'warning').length : 0;
}

/** Why preflight refused it, in both languages (the record's `reason` is English only); null otherwise. */
export function preflightReasonOf(state: string, metadata: Record<string, unknown>): { it: string; en: string } | null {
  if (state !== 'invalid') return null;
  const issues = metadata['preflight'] as PreflightIssue[] | undefined;
  const errors = Array.isArray(issues)
    ? issues.filter((issue) => issue?.severity === 'error' && typeof issue.message?.it === 'string' && typeof issue.message?.en === 'string')
    : [];
  if (errors.length === 0) return null;
  return { it: errors.map((issue) => issue.message.it).join(' '), en: errors.map((issue) => issue.message.en).join(' ') };
}
