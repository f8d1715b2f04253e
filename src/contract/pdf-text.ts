// GET /api/v1/documents/:id/pdf-text: the text the agent reads out of a PDF document (the same reader,
// with the same bounds, as at capture: src/core/inspect/invoice/pdf-text.ts), shown beside the PDF
// preview of the detail panel (docs/ui.md, "PDF preview").

export interface PdfTextView {
  /** The text of each page read, page 1 first; fewer than `pageCount` when reading stopped early. */
  pages: string[];
  /** The PDF's page count, as the reader found it; null when it could not open the file. */
  pageCount: number | null;
  /** The reader's page bound: pages after it are never read. */
  maxPages: number;
  /**
   * Why reading failed or stopped early (`pdf_encrypted`, `pdf_corrupt`, `pdf_unreadable`,
   * `pdf_timeout`, `pdf_too_complex`), with the agent's reason in English; null when every page
   * within the bounds was read.
   */
  failure: { code: string; reason: string } | null;
}
