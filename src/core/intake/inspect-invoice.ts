// Reads what a captured invoice carries and preflights it, in the capture worker: the invoice's
// parties, numbers and totals go into the document's metadata (shown the moment it is captured),
// preflight's findings go with them, and an error makes the part `invalid` with the reason (with
// `intake.preflight` "warn", errors are kept as warnings instead and the part goes out: SDI decides).
// The checks that need the history of captured invoices run later, on the main thread
// (capture-history.ts), because only there do they see every capture in order.
import type { InvoiceReading, PdfGuess, PreflightIssue, PreflightMode } from '../../contract/invoice.ts';
import { readInvoiceDocument } from '../inspect/invoice/read-invoice.ts';
import { preflightFatturaPa } from '../inspect/preflight/preflight.ts';
import { preflightError } from '../inspect/preflight/issue.ts';
import { checkFile } from '../inspect/preflight/file-checks.ts';
import type { CapturedPart } from './inspect-capture.ts';

/** What inspection leaves in a document's metadata (under these keys). */
export interface InvoiceMetadata {
  invoice?: InvoiceReading;
  pdfGuess?: PdfGuess;
  /** Why a PDF's text could not be read; the PDF is sent all the same. */
  pdfUnreadable?: string;
  preflight?: PreflightIssue[];
}

export async function inspectInvoice(part: CapturedPart, mode: PreflightMode = 'block'): Promise<void> {
  if (part.invalid) return;
  if (part.kind === 'pdf') return inspectPdf(part);
  if (part.kind !== 'fatturapa' && part.kind !== 'p7m') return;

  const reading = await readInvoiceDocument(part.bytes, part.kind);
  const metadata = part.metadata as InvoiceMetadata;
  if (reading.invoice) metadata.invoice = reading.invoice;
  if (reading.pdf && reading.pdf.textChars > 0) metadata.pdfGuess = reading.pdf;

  // The 5 MB limit is on the file SDI receives: the envelope, for a P7M.
  const context = { fileName: part.name, size: part.bytes.byteLength, history: null };
  const issues = reading.xmlRoot ? preflightFatturaPa(reading.xmlRoot, context) : checkFile(context.fileName, context.size);
  // Preflight names what is wrong when it can; otherwise the reader's reason stands.
  if (reading.error && !issues.some((issue) => issue.severity === 'error' && issue.code !== 'file_too_large')) {
    issues.unshift(unreadable(reading.error.code, reading.error.reason));
  }
  metadata.preflight = applyMode(issues, mode);
  part.invalid = refusalOf(metadata.preflight);
}

/**
 * With `warn`, each error becomes a warning marked `downgraded` (still listed first): nothing
 * blocks, the user sees what preflight found, and the capture log says it was let through.
 */
export function applyMode(issues: PreflightIssue[], mode: PreflightMode): PreflightIssue[] {
  if (mode === 'block') return issues;
  return issues.map((issue) => (issue.severity === 'error' ? { ...issue, severity: 'warning', downgraded: true } : issue));
}

/** The codes of the errors a `warn` setting let through, for the log; empty when none. */
export function downgradedCodes(issues: PreflightIssue[] | undefined): string[] {
  return (issues ?? []).filter((issue) => issue.downgraded).map((issue) => (issue.sdiCode ? `${issue.code} (${issue.sdiCode})` : issue.code));
}

/** What preflight's errors make of a document: the first error's code and every error's English text. */
export function refusalOf(issues: PreflightIssue[]): { code: string; reason: string } | null {
  const errors = issues.filter((issue) => issue.severity === 'error');
  const first = errors[0];
  return first ? { code: first.code, reason: errors.map((issue) => issue.message.en).join(' ') } : null;
}

async function inspectPdf(part: CapturedPart): Promise<void> {
  const reading = await readInvoiceDocument(part.bytes, 'pdf');
  const metadata = part.metadata as InvoiceMetadata;
  if (reading.pdf && reading.pdf.textChars > 0) metadata.pdfGuess = reading.pdf;
  if (reading.error) metadata.pdfUnreadable = reading.error.reason;
}

const UNREADABLE_IT: Record<string, string> = {
  p7m_corrupt: 'Il file firmato (P7M) è danneggiato e non si può leggere',
  p7m_no_content: 'Il file firmato (P7M) non contiene il documento firmato (firma "detached")',
  p7m_not_fatturapa: 'Il file firmato (P7M) contiene un PDF, non una fattura FatturaPA in XML',
  fatturapa_namespace: 'La fattura usa un namespace diverso da quello di FatturaPA',
  fatturapa_format: 'Il formato della fattura (attributo versione / FormatoTrasmissione) non è riconosciuto',
};

/** A reader failure as a preflight error, so the UI shows it like every other finding. */
function unreadable(code: string, reason: string): PreflightIssue {
  const italian = UNREADABLE_IT[code] ?? 'La fattura non si può leggere';
  return preflightError(code, undefined, {
    it: `${italian}: SDI la scarterebbe. Rigenerare il file dal gestionale (dettaglio: ${reason}).`,
    en: `${reason.charAt(0).toUpperCase()}${reason.slice(1)}: SDI would reject it. Export the file again from the invoicing software.`,
  });
}
