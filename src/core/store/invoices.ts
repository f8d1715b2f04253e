// The invoices read from captured documents, one row per body, so preflight can tell a second
// sending of the same invoice and gaps in a seller's numbering (the InvoiceHistory it asks for,
// inspect/preflight/types.ts). The rows come keyed as preflight asks (intake/capture-history.ts):
// the store keeps and finds them, it does not read invoices.
import { cached, type Db } from './database.ts';

/** One body of a captured invoice, as the history indexes it. */
export interface InvoiceRow {
  /** The seller's IdPaese + IdCodice in upper case, e.g. `IT01234567890`. */
  sellerKey: string | null;
  docType: string | null;
  number: string | null;
  /** The first four characters of the body's date. */
  year: string | null;
  date: string | null;
  total: string | null;
  currency: string | null;
  /** The number as a numbering series and a counter in it, when it has one (preflight/numbering.ts). */
  series: string | null;
  counter: number | null;
}

export interface RecordedInvoiceRef {
  documentId: string;
  name: string;
  sentAt: string;
}

/** Refused captures do not count as sent. */
const NOT_SENT = "('invalid','cancelled','duplicate','failed','rejected')";

export class InvoiceRegistry {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** One row per body, in the invoice's order; call inside the capture transaction. */
  record(documentId: string, rows: readonly InvoiceRow[]): void {
    const insert = cached(
      this.db,
      `INSERT OR REPLACE INTO invoices (document_id, body_index, seller_key, doc_type, number, year, date, total, currency, series, counter)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    rows.forEach((row, index) => {
      insert.run(documentId, index, row.sellerKey, row.docType, row.number, row.year, row.date, row.total, row.currency, row.series, row.counter);
    });
  }

  findSame(seller: string, docType: string, number: string, year: string): RecordedInvoiceRef | null {
    const row = cached(
      this.db,
      `SELECT d.id, d.name, d.created_at FROM invoices i JOIN documents d ON d.id = i.document_id
        WHERE i.seller_key = ? AND i.doc_type = ? AND i.number = ? AND i.year = ? AND d.state NOT IN ${NOT_SENT} ORDER BY d.created_at LIMIT 1`,
    ).get(seller, docType, number, year) as { id: string; name: string; created_at: string } | undefined;
    return row ? { documentId: row.id, name: row.name, sentAt: row.created_at } : null;
  }

  /** One indexed step down the series from `below` (refused captures skipped): constant cost however long the history. */
  previousInSeries(seller: string, docType: string, year: string, series: string, below: number): number | null {
    const row = cached(
      this.db,
      `SELECT i.counter FROM invoices i JOIN documents d ON d.id = i.document_id
        WHERE i.seller_key = ? AND i.doc_type = ? AND i.year = ? AND i.series = ? AND i.counter < ? AND d.state NOT IN ${NOT_SENT}
        ORDER BY i.counter DESC LIMIT 1`,
    ).get(seller, docType, year, series, below) as { counter: number } | undefined;
    return row ? row.counter : null;
  }
}
