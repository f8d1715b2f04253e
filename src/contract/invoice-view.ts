// The whole content of a FatturaPA invoice, for the invoice view (docs/ui.md, "The invoice view"):
// GET /api/v1/documents/:id/invoice. Built on demand from the stored file (plain XML, the XML inside
// a .p7m, every body of a batch, the simplified FSM10). Like the reading in invoice.ts, every value
// is a string exactly as the file wrote it (money never becomes a float) and a value the file does
// not carry is null; the only figure the agent works out is a missing document total, and it says so.
import type { InvoiceFormat } from './invoice.ts';

export interface InvoiceViewAddress {
  street: string | null;
  /** NumeroCivico. */
  streetNumber: string | null;
  postcode: string | null;
  city: string | null;
  province: string | null;
  country: string | null;
}

export interface InvoiceViewParty {
  name: string | null;
  /** IdFiscaleIVA: country and code, e.g. IT + 01234567890. */
  vatCountry: string | null;
  vatNumber: string | null;
  fiscalCode: string | null;
  /** RegimeFiscale (the seller's, RF01…RF19). */
  taxRegime: string | null;
  address: InvoiceViewAddress | null;
}

/** ScontoMaggiorazione: SC a discount, MG a surcharge; a percentage or an amount (or both). */
export interface InvoiceViewAdjustment {
  kind: 'SC' | 'MG' | null;
  percent: string | null;
  amount: string | null;
}

export interface InvoiceViewLine {
  number: string | null;
  /** CodiceArticolo values, "TYPE VALUE". */
  codes: string[];
  description: string | null;
  quantity: string | null;
  unit: string | null;
  unitPrice: string | null;
  adjustments: InvoiceViewAdjustment[];
  /** PrezzoTotale (ordinary) or Importo (simplified). */
  total: string | null;
  /** AliquotaIVA, e.g. "22.00"; "0.00" with a nature. */
  vatRate: string | null;
  /** Simplified invoices: the VAT amount of the line (DatiIVA/Imposta) when given instead of a rate. */
  vatAmount: string | null;
  /** Natura: N1…N7 and sub-codes (N2.1, N3.5, N6.9…). */
  nature: string | null;
}

export interface InvoiceViewVatSummary {
  vatRate: string | null;
  nature: string | null;
  taxable: string | null;
  tax: string | null;
  /** EsigibilitaIVA: I immediate, D deferred, S split payment. */
  chargeability: string | null;
  /** RiferimentoNormativo. */
  legalReference: string | null;
}

export interface InvoiceViewWithholding {
  /** TipoRitenuta: RT01…RT06. */
  type: string | null;
  amount: string | null;
  rate: string | null;
  /** CausalePagamento (A, B, … as in the CU form). */
  reason: string | null;
}

export interface InvoiceViewInstalment {
  /** ModalitaPagamento: MP01 cash … MP23. */
  mode: string | null;
  dueDate: string | null;
  amount: string | null;
  iban: string | null;
  bank: string | null;
  beneficiary: string | null;
}

export interface InvoiceViewPayment {
  /** CondizioniPagamento: TP01 instalments, TP02 in full, TP03 advance. */
  terms: string | null;
  instalments: InvoiceViewInstalment[];
}

export interface InvoiceViewAttachment {
  /** Position among the body's Allegati, for GET …/invoice/attachments/:body/:index. */
  index: number;
  name: string | null;
  format: string | null;
  description: string | null;
  compression: string | null;
  /** Bytes once decoded from base64. */
  size: number;
}

export interface InvoiceViewBody {
  type: string | null;
  number: string | null;
  date: string | null;
  currency: string | null;
  /** Causale, one entry per element. */
  reasons: string[];
  lines: InvoiceViewLine[];
  vatSummary: InvoiceViewVatSummary[];
  /**
   * ImportoTotaleDocumento as written; when absent, imponibile + imposta of the VAT summary (or the
   * sum of the lines' Importo in a simplified invoice), with `totalComputed` true. Null when neither.
   */
  total: string | null;
  totalComputed: boolean;
  /** Arrotondamento, as written. */
  rounding: string | null;
  withholdings: InvoiceViewWithholding[];
  /** DatiBollo: stamp duty paid virtually (BolloVirtuale SI) and its amount. */
  stamp: { virtual: boolean; amount: string | null } | null;
  payments: InvoiceViewPayment[];
  attachments: InvoiceViewAttachment[];
}

export interface InvoiceView {
  format: InvoiceFormat;
  /** The file came signed (.xml.p7m); the signature is read, not verified. */
  signed: boolean;
  progressivoInvio: string | null;
  codiceDestinatario: string | null;
  pecDestinatario: string | null;
  seller: InvoiceViewParty;
  buyer: InvoiceViewParty;
  /** One per FatturaElettronicaBody: a batch carries several invoices. */
  bodies: InvoiceViewBody[];
}
