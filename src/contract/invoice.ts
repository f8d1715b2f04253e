// What the agent reads out of a captured invoice, and what preflight found in it: plain
// JSON-serialisable data, stored in the document's metadata, served by the local API and shown by
// the UI. Every value is a string exactly as the file wrote it (money is never turned into a
// float); a value the file does not carry is null, never invented. The one exception is a missing
// document total, worked out in exact decimals and marked (`totalComputed`).

export interface InvoiceParty {
  /** Country of the VAT id (IdFiscaleIVA/IdPaese), else of the registered office (Sede/Nazione). */
  country: string | null;
  /** IdFiscaleIVA/IdCodice, without the country prefix. */
  vatNumber: string | null;
  fiscalCode: string | null;
  /** Denominazione, or "Nome Cognome" for a person. */
  name: string | null;
}

export interface InvoiceBody {
  /** TipoDocumento: TD01 invoice, TD04 credit note, TD07 simplified invoice… */
  type: string | null;
  number: string | null;
  /** YYYY-MM-DD, as the schema requires. */
  date: string | null;
  /**
   * ImportoTotaleDocumento as written (e.g. "1220.00"); it is optional in the format, so when absent
   * the total worked out from the VAT summary (FSM10: from the lines), marked by `totalComputed`
   * (src/core/inspect/invoice/document-total.ts has the rule). Null when neither can be had.
   */
  total: string | null;
  /** Present, true, when `total` was computed rather than written in the file. */
  totalComputed?: true;
  currency: string | null;
}

export interface SignerInfo {
  commonName: string | null;
  /** From the subject's serialNumber ("TINIT-…") or, in older certificates, from the CN. */
  fiscalCode: string | null;
  /** The issuing CA's common name (or organisation). */
  issuer: string | null;
  /** The certificate's serial number in hex. */
  serialNumber: string | null;
  /** ISO 8601, from the signed signing-time attribute. */
  signingTime: string | null;
  /** ISO 8601, the certificate's end of validity. */
  notAfter: string | null;
}

export type InvoiceFormat = 'FPA12' | 'FPR12' | 'FSM10';

export interface InvoiceReading {
  format: InvoiceFormat;
  transmitter: { country: string | null; id: string | null };
  progressivoInvio: string | null;
  codiceDestinatario: string | null;
  pecDestinatario: string | null;
  seller: InvoiceParty;
  buyer: InvoiceParty;
  /** One per FatturaElettronicaBody: a batch ("lotto") carries several invoices in one file. */
  bodies: InvoiceBody[];
  /** Present when the invoice came inside a CAdES envelope (.xml.p7m). The signature is read, not verified. */
  signed: { encoding: 'der' | 'base64'; signers: SignerInfo[] } | null;
}

/** What a PDF's text suggests. Guesses, never authoritative: the PDF has no structure to read. */
export interface PdfGuess {
  guessed: true;
  number: string | null;
  /** Normalised to YYYY-MM-DD (the PDF may write 15/03/2024). */
  date: string | null;
  /** Italian VAT numbers found (11 digits, without "IT"), in order of appearance, without repeats. */
  vatNumbers: string[];
  /** The amount as printed, currency sign dropped (e.g. "1.220,00"). */
  total: string | null;
  /** Characters of text extracted: 0 means a scanned or image-only PDF. */
  textChars: number;
}

export interface PreflightIssue {
  /** `error` blocks sending (the document goes to state `invalid`); `warning` is shown but lets it go. */
  severity: 'error' | 'warning';
  /** Stable machine code, e.g. `schema_missing_element`, `vat_check_digit` (docs/preflight.md lists them all). */
  code: string;
  /** Where in the file, relative to the root and without it, e.g. `FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario`. */
  path?: string;
  /** The SDI error code (of an NS notification) this finding anticipates, e.g. `00423`; absent when SDI has none for it. */
  sdiCode?: string;
  /** What is wrong and what to fix, for the user. */
  message: { it: string; en: string };
  /**
   * Set on an error that did not block sending because the user set `intake.preflight` to `"warn"`
   * (docs/preflight.md, "Block or warn"): its `severity` is then `warning`, and SDI decides.
   */
  downgraded?: true;
}

/** `intake.preflight`: preflight's errors block sending (`block`, the default) or only warn (`warn`). */
export type PreflightMode = 'block' | 'warn';

/** The one line a document list shows for an invoice: its first body, and how many there are. */
export interface InvoiceSummary {
  format: InvoiceFormat | 'PDF';
  /** True when read from a PDF's text: a guess, not the invoice's own data. */
  guessed: boolean;
  type: string | null;
  number: string | null;
  date: string | null;
  total: string | null;
  /** The file states no total: `total` was computed from its VAT summary (or, FSM10, its lines). */
  totalComputed: boolean;
  currency: string | null;
  seller: string | null;
  buyer: string | null;
  /** Invoices in the file (a batch holds several). */
  count: number;
}
