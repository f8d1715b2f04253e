// The invoices read from captured documents, one row per body, so preflight can tell a second
// sending of the same invoice and gaps in a seller's numbering (the InvoiceHistory it asks for).
import { cached, type Db } from './database.ts';
import type { InvoiceHistory, SentInvoiceRef } from '../inspect/preflight/types.ts';
import type { InvoiceReading } from '../inspect/invoice/types.ts';
import { bodyDocumentsOfReading, sellerKeyOfReading } from '../inspect/preflight/history-check.ts';
import { parseInvoiceNumber } from '../inspect/preflight/numbering.ts';

/** Refused captures do not count as sent. */
const NOT_SENT = "('invalid','cancelled','duplicate','failed','rejected')";

export class InvoiceRegistry implements InvoiceHistory {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** Call inside the capture transaction. */
  record(documentId: string, reading: InvoiceReading): void {
    const seller = sellerKeyOfReading(reading);
    const identities = bodyDocumentsOfReading(reading);
    const insert = cached(this.db, `INSERT OR REPLACE INTO invoices (document_id, body_index, seller_key, doc_type, number, year, date, total, currency, series, counter)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    reading.bodies.forEach((body, index) => {
      const identity = identities[index];
      const parsed = identity?.number !== undefined ? parseInvoiceNumber(identity.number, identity.year) : null;
      insert.run(documentId, index, seller, identity?.docType ?? null, identity?.number ?? null, identity?.year ?? null, body.date, body.total, body.currency, parsed?.series ?? null, parsed?.counter ?? null);
    });
  }

  findSame(seller: string, docType: string, number: string, year: string): SentInvoiceRef | null {
    const row = cached(this.db, `SELECT d.id, d.name, d.created_at FROM invoices i JOIN documents d ON d.id = i.document_id
        WHERE i.seller_key = ? AND i.doc_type = ? AND i.number = ? AND i.year = ? AND d.state NOT IN ${NOT_SENT} ORDER BY d.created_at LIMIT 1`)
      .get(seller, docType, number, year) as { id: string; name: string; created_at: string } | undefined;
    return row ? { documentId: row.id, name: row.name, sentAt: row.created_at } : null;
  }

  /** One indexed step down the series from `below` (refused captures skipped): constant cost however long the history. */
  previousInSeries(seller: string, docType: string, year: string, series: string, below: number): number | null {
    const row = cached(this.db, `SELECT i.counter FROM invoices i JOIN documents d ON d.id = i.document_id
        WHERE i.seller_key = ? AND i.doc_type = ? AND i.year = ? AND i.series = ? AND i.counter < ? AND d.state NOT IN ${NOT_SENT}
        ORDER BY i.counter DESC LIMIT 1`)
      .get(seller, docType, year, series, below) as { counter: number } | undefined;
    return row ? row.counter : null;
  }
}
