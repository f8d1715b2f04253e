// What the agent reads out of a captured invoice: the shapes live in the contract (the UI shows
// them); the reading failure is internal to inspection.
export type { InvoiceBody, InvoiceParty, InvoiceReading, PdfGuess, SignerInfo } from '../../../contract/invoice.ts';

export interface ReadFailure {
  code: string;
  /** A sentence for a person, in English. */
  reason: string;
}
