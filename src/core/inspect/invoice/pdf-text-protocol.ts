// Messages between the agent and the PDF text worker (pdf-text-worker.ts).

export interface PdfTextRequest {
  id: number;
  data: Uint8Array;
  maxPages: number;
  maxTextChars: number;
}

export type PdfTextReply =
  | { id: number; kind: 'info'; pageCount: number }
  | { id: number; kind: 'page'; text: string }
  | { id: number; kind: 'done' }
  | { id: number; kind: 'failed'; code: string; reason: string };
