// pdf.js for the PDF preview (docs/ui.md, "PDF preview"), set up for files someone else wrote and an
// offline PC: everything it loads is a file of dist/ui served by the agent (the worker, the CMaps, the
// standard fonts, the image decoders' JavaScript fallbacks, copied there by vite.config.ts), under the
// UI's CSP. pdf.js 6 has no eval path left (its `isEvalSupported` option is gone with it): PostScript
// functions are compiled to WebAssembly or interpreted, and `useWasm: false` keeps them interpreted,
// so the CSP needs neither 'unsafe-eval' nor 'wasm-unsafe-eval'. No annotation layer is built: a PDF's
// JavaScript is never run (pdf.js runs none without its scripting sandbox, which is not loaded) and
// its links are never made clickable.
import { AnnotationMode, GlobalWorkerOptions, getDocument, type PDFDocumentLoadingTask, type PDFPageProxy, type RenderTask } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

GlobalWorkerOptions.workerSrc = workerUrl;

/** Where vite.config.ts puts pdf.js's data files, next to index.html. */
const ASSETS = 'pdfjs/';
/** A page is never drawn larger than this many pixels, whatever its size or shape. */
export const MAX_CANVAS_PIXELS = 8_000_000;
/** Images beyond this many pixels are not drawn (a PDF can declare a 100,000 × 100,000 image). */
const MAX_IMAGE_PIXELS = 50_000_000;

export type PdfFailure = 'encrypted' | 'corrupt' | 'unreadable';

export function openPdf(bytes: Uint8Array): PDFDocumentLoadingTask {
  const base = new URL(ASSETS, document.baseURI).href;
  return getDocument({
    data: bytes,
    cMapUrl: `${base}cmaps/`,
    cMapPacked: true,
    standardFontDataUrl: `${base}standard_fonts/`,
    wasmUrl: `${base}wasm/`,
    useWasm: false,
    useSystemFonts: false,
    enableXfa: false,
    disableWorkerRendering: true,
    maxImageSize: MAX_IMAGE_PIXELS,
    verbosity: 0,
  });
}

/** What went wrong opening a PDF, as the page explains it. */
export function pdfFailureOf(error: unknown): PdfFailure {
  const name = error instanceof Error ? error.name : (error as { name?: unknown } | null)?.name;
  if (name === 'PasswordException') return 'encrypted';
  if (name === 'InvalidPDFException' || name === 'FormatError') return 'corrupt';
  return 'unreadable';
}

/** The canvas size (pixels) and scale that fit a page to `cssWidth`, within MAX_CANVAS_PIXELS. */
export function fitToWidth(pageWidth: number, pageHeight: number, cssWidth: number, pixelRatio: number): { scale: number; width: number; height: number } {
  let scale = (Math.max(cssWidth, 1) * Math.min(Math.max(pixelRatio, 1), 2)) / Math.max(pageWidth, 1);
  const area = pageWidth * pageHeight * scale * scale;
  if (area > MAX_CANVAS_PIXELS) scale *= Math.sqrt(MAX_CANVAS_PIXELS / area);
  return { scale, width: Math.max(1, Math.floor(pageWidth * scale)), height: Math.max(1, Math.floor(pageHeight * scale)) };
}

/** Draws one page into `canvas`, fitted to `cssWidth`. Cancel the task when the page or size changes. */
export function drawPage(page: PDFPageProxy, canvas: HTMLCanvasElement, cssWidth: number): RenderTask {
  const unscaled = page.getViewport({ scale: 1 });
  const fit = fitToWidth(unscaled.width, unscaled.height, cssWidth, window.devicePixelRatio);
  const viewport = page.getViewport({ scale: fit.scale });
  canvas.width = fit.width;
  canvas.height = fit.height;
  // Annotations' appearances are drawn into the page like its content; no layer of live links or forms.
  return page.render({ canvas, viewport, annotationMode: AnnotationMode.ENABLE, background: '#ffffff' });
}
