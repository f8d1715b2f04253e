// The PDF preview of the detail panel (docs/ui.md, "PDF preview"): the original's pages drawn by
// pdf.js (ui/pdf-document.ts), one page at a time (a 200-page PDF draws one page, and each other page
// only when the person turns to it), fitted to the panel's width, with the text the agent reads out
// of that page beside it (GET /documents/:id/pdf-text). A PDF pdf.js cannot open (encrypted,
// damaged) shows why instead, and the rest of the panel stays as it is.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import type { DocumentDetail } from '../../contract/local-api.ts';
import type { PdfTextView } from '../../contract/pdf-text.ts';
import type { ApiClient } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { PDF_MESSAGES, type PdfMessages } from '../i18n/messages-pdf.ts';
import { drawPage, openPdf, pdfFailureOf, type PdfFailure } from '../ui/pdf-document.ts';
import './pdf-preview.css';

export function PdfPreview({ api, detail }: { api: ApiClient; detail: DocumentDetail }) {
  // Wide or not stays as the person left it from one PDF to the next.
  const [wide, setWide] = useState(false);
  if (detail.kind !== 'pdf') return null;
  // Keyed by document: another document starts from its first page, with its own pdf.js document.
  return <PdfPreviewBody key={detail.id} api={api} id={detail.id} name={detail.name} wide={wide} onWide={setWide} />;
}

type Failure = PdfFailure | 'unavailable';

interface PdfPreviewBodyProps {
  api: ApiClient;
  id: string;
  name: string;
  /** The panel widened (pdf-preview.css), so the text stands beside the page. */
  wide: boolean;
  onWide: (wide: boolean) => void;
}

function PdfPreviewBody({ api, id, name, wide, onWide }: PdfPreviewBodyProps) {
  const { language } = useI18n();
  const m = PDF_MESSAGES[language];
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [page, setPage] = useState(1);
  const [text, setText] = useState<PdfTextView | 'failed' | null>(null);

  useEffect(() => {
    let gone = false;
    let destroy: (() => Promise<void>) | null = null;
    const open = async (): Promise<void> => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await (await api.downloadContent(id, name)).blob.arrayBuffer());
      } catch {
        if (!gone) setFailure('unavailable');
        return;
      }
      if (gone) return;
      const task = openPdf(bytes);
      destroy = () => task.destroy();
      try {
        const opened = await task.promise;
        if (!gone) setPdf(opened);
      } catch (error) {
        if (!gone) setFailure(pdfFailureOf(error));
      }
    };
    void open(); // never rejects: every failure becomes a message
    return () => {
      gone = true;
      // Stops the worker's parsing and frees the document; a destroy that fails has nothing left to free.
      void destroy?.().catch(() => undefined);
    };
  }, [api, id, name]);

  useEffect(() => {
    const controller = new AbortController();
    api.pdfText(id, controller.signal).then(
      (view) => setText(view),
      () => {
        if (!controller.signal.aborted) setText('failed');
      },
    );
    return () => controller.abort();
  }, [api, id]);

  const pages = pdf?.numPages ?? 0;
  return (
    <section className={wide ? 'detail-section pdf-preview wide' : 'detail-section pdf-preview'} aria-label={m.title} data-testid="pdf-preview">
      <div className="pdf-head">
        <h3>{m.title}</h3>
        {pdf && !failure ? (
          <button type="button" className="small" aria-pressed={wide} title={m.wideHint} onClick={() => onWide(!wide)} data-testid="pdf-wide">
            {m.wide}
          </button>
        ) : null}
      </div>
      {failure ? (
        <p className="pdf-preview-failure" role="status" data-testid="pdf-preview-failure" data-failure={failure}>
          {m[failure]}
        </p>
      ) : !pdf ? (
        <p className="muted">{m.loading}</p>
      ) : (
        <>
          <div className="pdf-nav">
            <button type="button" className="small" disabled={page <= 1} onClick={() => setPage(page - 1)} data-testid="pdf-previous">
              {m.previous}
            </button>
            <span className="pdf-page-label" aria-live="polite" data-testid="pdf-page-label">
              {m.page(page, pages)}
            </span>
            <button type="button" className="small" disabled={page >= pages} onClick={() => setPage(page + 1)} data-testid="pdf-next">
              {m.next}
            </button>
          </div>
          <div className="pdf-preview-body">
            <PdfPage pdf={pdf} page={page} label={m.pageImage(page, pages)} m={m} />
            <PdfPageText text={text} page={page} m={m} />
          </div>
        </>
      )}
    </section>
  );
}

/** One page, drawn when shown and again when the panel's width changes. */
function PdfPage({ pdf, page, label, m }: { pdf: PDFDocumentProxy; page: number; label: string; m: PdfMessages }) {
  const frame = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  // Which canvas was drawn: a canvas made for another page or width is still being drawn.
  const [done, setDone] = useState<{ key: string; state: 'drawn' | 'failed' } | null>(null);
  const key = `${page}-${width}`;
  const drawn = done?.key === key ? done.state : 'drawing';

  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    // In steps of 16 px: resizing the window does not redraw the page at every pixel.
    const measure = () => setWidth(Math.max(16, Math.round(element.clientWidth / 16) * 16));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const target = canvas.current;
    if (!target || width === 0) return;
    let gone = false;
    let cancel: (() => void) | null = null;
    const drawing = `${page}-${width}`;
    const draw = async (): Promise<void> => {
      try {
        const proxy = await pdf.getPage(page);
        if (gone) return;
        const task = drawPage(proxy, target, width);
        cancel = () => task.cancel();
        await task.promise;
        if (!gone) setDone({ key: drawing, state: 'drawn' });
      } catch (error) {
        if (!gone && (error as { name?: string }).name !== 'RenderingCancelledException') setDone({ key: drawing, state: 'failed' });
      }
    };
    void draw(); // never rejects
    return () => {
      gone = true;
      cancel?.();
    };
  }, [pdf, page, width]);

  return (
    <div className="pdf-page" ref={frame}>
      {/* A new canvas per page and width: pdf.js refuses a canvas another drawing still holds. */}
      <canvas key={key} ref={canvas} className="pdf-canvas" role="img" aria-label={label} data-testid="pdf-canvas" data-page={page} data-state={drawn} />
      {drawn === 'failed' ? <p className="pdf-preview-failure">{m.pageFailed}</p> : null}
    </div>
  );
}

/** What the agent read on this page, or why there is nothing to show. */
function PdfPageText({ text, page, m }: { text: PdfTextView | 'failed' | null; page: number; m: PdfMessages }) {
  let body: ReactNode;
  if (text === null) body = <p className="muted">{m.textLoading}</p>;
  else if (text === 'failed') body = <p className="muted">{m.textFailed}</p>;
  else {
    const pageText = text.pages[page - 1];
    if (pageText !== undefined) {
      body = pageText.trim() ? (
        <pre className="pdf-text-body" tabIndex={0} data-testid="pdf-text">
          {pageText}
        </pre>
      ) : (
        <p className="muted">{m.textNone}</p>
      );
    } else if (text.failure) body = <p className="muted">{m.textFailure[text.failure.code] ?? m.textFailed}</p>;
    else body = <p className="muted">{m.textBeyond(text.maxPages)}</p>;
  }
  return (
    <div className="pdf-text" data-testid="pdf-text-panel">
      <h4>{m.textTitle}</h4>
      {body}
    </div>
  );
}
