// Fills in the computed total of invoices captured before capture computed it (store migration 7):
// an invoice without ImportoTotaleDocumento shows and is found by the total of its VAT summary
// (inspect/invoice/document-total.ts) only if its metadata holds it. The figure needs the XML, so
// this reads each spooled invoice once, in the background, a page at a time, with the same reader
// the invoice view uses, and writes the total into the metadata (the search row follows, in the same
// commit). Its progress (the last id done) is in kv `backfill.computedTotals`, so a stop resumes
// where it was; the key is gone once every invoice has been looked at. An invoice whose spooled
// copy is gone (retention) or unreadable keeps no total, as before.
import type { InvoiceReading } from '../../contract/invoice.ts';
import type { Logger } from '../log/logger.ts';
import type { Store } from '../store/store.ts';
import type { Spool } from '../store/spool.ts';
import { readInvoiceView } from '../inspect/invoice/invoice-view.ts';

export const BACKFILL_KEY = 'backfill.computedTotals';
const PAGE = 50;

export interface ComputedTotalsOptions {
  store: Store;
  spool: Spool;
  log: Logger;
}

export class ComputedTotalsBackfill {
  readonly #store: Store;
  readonly #spool: Spool;
  readonly #log: Logger;
  #stopped = false;
  #running: Promise<void> | null = null;

  constructor(options: ComputedTotalsOptions) {
    this.#store = options.store;
    this.#spool = options.spool;
    this.#log = options.log;
  }

  /** Starts the backfill in the background when migration 7 left work to do. */
  start(): void {
    if (this.#store.kv.get<string>(BACKFILL_KEY) === null) return;
    this.#stopped = false;
    // run() logs its own failure and never rejects.
    this.#running = this.run().then(() => undefined);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
    this.#running = null;
  }

  /** Completes when the running backfill has finished (tests). */
  async done(): Promise<void> {
    await this.#running;
  }

  /** Works through the invoices left; resolves with how many got a total. Never rejects. */
  async run(): Promise<number> {
    let filled = 0;
    try {
      let cursor = this.#store.kv.get<string>(BACKFILL_KEY);
      while (cursor !== null && !this.#stopped) {
        const ids = this.#store.documents.invoiceIdsAfter(cursor, PAGE);
        if (ids.length === 0) {
          this.#store.transaction(() => this.#store.kv.delete(BACKFILL_KEY));
          if (filled > 0) this.#log.info('computed the missing totals of invoices captured before', { count: filled });
          return filled;
        }
        for (const id of ids) {
          if (this.#stopped) break;
          if (await this.#fill(id)) filled++;
          cursor = id;
        }
        const reached = cursor;
        this.#store.transaction(() => this.#store.kv.set(BACKFILL_KEY, reached));
      }
    } catch (error) {
      this.#log.warn('could not fill in computed invoice totals; trying again at the next start', { error: String(error) });
    }
    return filled;
  }

  /** True when the document's metadata got a computed total. */
  async #fill(id: string): Promise<boolean> {
    const record = this.#store.documents.get(id);
    if (!record?.spooled || (record.kind !== 'fatturapa' && record.kind !== 'p7m') || !lacksTotal(record.metadata)) return false;
    let totals: Array<string | null>;
    try {
      const view = await readInvoiceView(await this.#spool.read(record.sha256), record.kind);
      totals = view.bodies.map((body) => (body.totalComputed ? body.total : null));
    } catch {
      // Gone (retention), damaged or unreadable: it stays without a total, as it was captured.
      return false;
    }
    if (!totals.some((total) => total !== null)) return false;
    // Read again in the commit: the metadata may have changed while the file was read.
    return this.#store.transaction(() => {
      const current = this.#store.documents.get(id);
      const invoice = current?.metadata['invoice'] as InvoiceReading | undefined;
      if (!current || !lacksTotal(current.metadata) || !invoice) return false;
      let changed = false;
      const bodies = invoice.bodies.map((body, index) => {
        const total = totals[index] ?? null;
        if ((body.total !== null && body.total !== undefined) || total === null) return body;
        changed = true;
        return { ...body, total, totalComputed: true as const };
      });
      if (changed) this.#store.documents.mergeMetadata(id, { invoice: { ...invoice, bodies } });
      return changed;
    });
  }
}

/** An invoice reading with a body that has no total (stored JSON: every level checked). */
function lacksTotal(metadata: Record<string, unknown>): boolean {
  const invoice = metadata['invoice'] as Partial<InvoiceReading> | undefined;
  if (!invoice || typeof invoice !== 'object' || !Array.isArray(invoice.bodies)) return false;
  return invoice.bodies.some((body) => body !== null && typeof body === 'object' && (body.total === null || body.total === undefined));
}
