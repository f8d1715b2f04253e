// What inspection left in a document's metadata, taken out with checks: the metadata is free-form
// JSON, and an older agent (or a document captured before inspection existed) may lack any of it.
import type { InvoiceReading, PdfGuess, PreflightIssue } from '../../contract/invoice.ts';

/** Keys shown in their own sections of the detail panel, so left out of the generic list. */
export const INVOICE_METADATA_KEYS: readonly string[] = ['invoice', 'pdfGuess', 'pdfUnreadable', 'preflight'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function invoiceReadingOf(metadata: Record<string, unknown> | null | undefined): InvoiceReading | null {
  const value = metadata?.['invoice'];
  if (!isRecord(value) || !Array.isArray(value['bodies']) || !isRecord(value['seller']) || !isRecord(value['buyer'])) return null;
  return value as unknown as InvoiceReading;
}

export function pdfGuessOf(metadata: Record<string, unknown> | null | undefined): PdfGuess | null {
  const value = metadata?.['pdfGuess'];
  if (!isRecord(value) || value['guessed'] !== true) return null;
  return { ...(value as unknown as PdfGuess), vatNumbers: Array.isArray(value['vatNumbers']) ? (value['vatNumbers'] as string[]) : [] };
}

export function pdfUnreadableOf(metadata: Record<string, unknown> | null | undefined): string | null {
  const value = metadata?.['pdfUnreadable'];
  return typeof value === 'string' && value !== '' ? value : null;
}

function isIssue(value: unknown): value is PreflightIssue {
  if (!isRecord(value) || (value['severity'] !== 'error' && value['severity'] !== 'warning')) return false;
  const message = value['message'];
  return isRecord(message) && typeof message['it'] === 'string' && typeof message['en'] === 'string';
}

/** Preflight's findings, errors first; null when the document was never preflighted. */
export function preflightOf(metadata: Record<string, unknown> | null | undefined): PreflightIssue[] | null {
  const value = metadata?.['preflight'];
  if (!Array.isArray(value)) return null;
  const issues = value.filter(isIssue);
  return [...issues.filter((issue) => issue.severity === 'error'), ...issues.filter((issue) => issue.severity === 'warning')];
}
