// Runs in a worker thread: PDF.js (the unpdf serverless build: no nested worker, no eval, no network, no
// fonts fetched) extracts the text of the first pages and posts it page by page, so the agent
// keeps what was read even if it has to stop this thread for taking too long.
import { parentPort } from 'node:worker_threads';
import { getDocumentProxy } from 'unpdf';
import type { PdfTextReply, PdfTextRequest } from './pdf-text-protocol.ts';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

const port = parentPort;
// readPdf never rejects: a failure is its answer.
if (port) port.on('message', (request: PdfTextRequest) => void readPdf(request));

function post(reply: PdfTextReply): void {
  port?.postMessage(reply);
}

async function readPdf({ id, data, maxPages, maxTextChars }: PdfTextRequest): Promise<void> {
  let document: PdfDocument | null = null;
  try {
    document = await getDocumentProxy(data, {
      verbosity: 0,
      enableXfa: false,
      disableFontFace: true,
      useSystemFonts: false,
    });
    post({ id, kind: 'info', pageCount: document.numPages });
    await postPages(id, document, Math.min(document.numPages, maxPages), maxTextChars);
    post({ id, kind: 'done' });
  } catch (error) {
    post({ id, kind: 'failed', ...describePdfError(error) });
  } finally {
    await document?.loadingTask.destroy().catch(() => undefined);
  }
}

async function postPages(id: number, document: PdfDocument, pages: number, maxTextChars: number): Promise<void> {
  let chars = 0;
  for (let pageNumber = 1; pageNumber <= pages && chars < maxTextChars; pageNumber += 1) {
    const page = await document.getPage(pageNumber);
    const content = await page.getTextContent();
    page.cleanup();
    // PDF.js already inserts the spaces it infers; items are joined as its own text search does.
    const text = content.items
      .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : ''))
      .join('')
      .slice(0, maxTextChars - chars);
    chars += text.length;
    post({ id, kind: 'page', text });
  }
}

function describePdfError(error: unknown): { code: string; reason: string } {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'PasswordException') {
    return { code: 'pdf_encrypted', reason: 'the PDF is protected by a password, so its text cannot be read' };
  }
  if (name === 'InvalidPDFException') {
    return { code: 'pdf_corrupt', reason: `the file is not a readable PDF (${message})` };
  }
  return { code: 'pdf_unreadable', reason: `the PDF's text could not be read (${message})` };
}
