// What preflight reports and what it needs to know about invoices already sent.

export type { PreflightIssue } from '../../../contract/invoice.ts';

export interface SentInvoiceRef {
  documentId: string;
  name: string;
  sentAt: string;
}

/**
 * The invoices already captured, as preflight sees them.
 * `sellerKey` is the seller's IdFiscaleIVA as IdPaese + IdCodice in upper case, e.g. `IT01234567890`
 * (see `sellerKeyOf`); `year` is the first four characters of DatiGeneraliDocumento/Data.
 */
export interface InvoiceHistory {
  /** The same seller + document type + number + year already captured and not refused. */
  findSame(sellerKey: string, docType: string, number: string, year: string): SentInvoiceRef | null;
  /**
   * The highest counter already captured (and not refused) for seller + type + year in this
   * numbering series, below `below`; null when there is none (see numbering.ts for series).
   */
  previousInSeries(sellerKey: string, docType: string, year: string, series: string, below: number): number | null;
}

export interface PreflightContext {
  /** The file's name as captured (a path is allowed; only the last segment is checked). */
  fileName: string;
  /** Size of the file in bytes as it will be sent. */
  size: number;
  /** Null when there is no history (first run, tests): duplicate and gap checks are skipped. */
  history: InvoiceHistory | null;
  /**
   * The day SDI would receive the invoice, YYYY-MM-DD in Europe/Rome (an invoice dated later is
   * refused, SDI error 00403). Default: today in Rome, from the clock; tests pass a fixed day.
   */
  today?: string;
}
