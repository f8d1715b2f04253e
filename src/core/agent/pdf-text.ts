// The text of a stored PDF for the preview (GET /documents/:id/pdf-text): read on demand from the
// spooled bytes by the same reader capture uses, with the same bounds (first pages, a character
// budget, a time and a heap limit, in a worker thread), so the page shows what the agent read
// without the store keeping every PDF's text. The last few answers are kept by content hash: paging
// back and forth in the panel, or a refresh of the open detail, does not read the PDF again.
import type { PdfTextView } from '../../contract/pdf-text.ts';
import { PdfTextReader } from '../inspect/invoice/pdf-text.ts';

const KEPT = 4;

export class PdfTextSource {
  #reader: PdfTextReader | null = null;
  readonly #kept = new Map<string, Promise<PdfTextView>>();

  /** Never rejects: a PDF that cannot be read answers its failure. */
  read(sha256: string, bytes: () => Promise<Buffer>): Promise<PdfTextView> {
    const kept = this.#kept.get(sha256);
    if (kept) {
      // The most recently asked is the last to go.
      this.#kept.delete(sha256);
      this.#kept.set(sha256, kept);
      return kept;
    }
    const reading = this.#read(bytes);
    this.#kept.set(sha256, reading);
    if (this.#kept.size > KEPT) this.#kept.delete(this.#kept.keys().next().value as string);
    // A failed spool read is not kept: the next request tries again.
    reading.catch(() => this.#kept.delete(sha256));
    return reading;
  }

  async close(): Promise<void> {
    this.#kept.clear();
    const reader = this.#reader;
    this.#reader = null;
    await reader?.close();
  }

  async #read(bytes: () => Promise<Buffer>): Promise<PdfTextView> {
    const data = await bytes();
    const reader = (this.#reader ??= new PdfTextReader());
    const text = await reader.read(data);
    return { pages: text.pages, pageCount: text.pageCount, maxPages: reader.limits.maxPages, failure: text.failure };
  }
}
