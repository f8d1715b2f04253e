// Reads a PDF's text in a worker thread, within bounds: the first pages only, a character budget,
// a time limit and a heap limit. A hostile or pathological PDF (a 50 KB file can inflate into
// minutes of text operators) costs at most the time limit and never blocks the agent's event loop:
// the worker is stopped and a fresh one serves the next PDF. One worker is kept warm while PDFs
// keep coming and stopped when idle.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PdfTextReply, PdfTextRequest } from './pdf-text-protocol.ts';
import type { ReadFailure } from './types.ts';

export interface PdfTextLimits {
  maxPages: number;
  maxTextChars: number;
  timeoutMs: number;
  maxHeapMb: number;
  /** A worker left without work this long is stopped. */
  idleMs: number;
}

export const DEFAULT_PDF_TEXT_LIMITS: PdfTextLimits = {
  maxPages: 20,
  maxTextChars: 200_000,
  timeoutMs: 15_000,
  maxHeapMb: 256,
  idleMs: 30_000,
};

export interface PdfText {
  text: string;
  /** The text of each page read, page 1 first (`text` is them joined by a line break). */
  pages: string[];
  pagesRead: number;
  pageCount: number | null;
  /** Why reading stopped early or failed; the text read until then is still returned. */
  failure: ReadFailure | null;
}

// Same extension as this module: .ts when run from source, .js once compiled.
const WORKER_URL = new URL(`./pdf-text-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

export class PdfTextReader {
  readonly limits: PdfTextLimits;
  #worker: Worker | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #idleTimer: NodeJS.Timeout | null = null;
  #nextId = 1;

  constructor(limits: Partial<PdfTextLimits> = {}) {
    this.limits = { ...DEFAULT_PDF_TEXT_LIMITS, ...limits };
  }

  /** PDFs are read one at a time, in the order asked. Never rejects. */
  read(bytes: Uint8Array): Promise<PdfText> {
    const result = this.#queue.then(() => this.#readNow(bytes));
    this.#queue = result;
    return result;
  }

  async close(): Promise<void> {
    this.#clearIdleTimer();
    const worker = this.#worker;
    this.#worker = null;
    await worker?.terminate();
  }

  async #readNow(bytes: Uint8Array): Promise<PdfText> {
    this.#clearIdleTimer();
    let worker: Worker;
    try {
      worker = this.#ensureWorker();
    } catch (error) {
      return { text: '', pages: [], pagesRead: 0, pageCount: null, failure: describeWorkerError(error as Error) };
    }
    worker.ref();
    const request = { id: this.#nextId++, maxPages: this.limits.maxPages, maxTextChars: this.limits.maxTextChars };
    const outcome = await runJob(worker, request, bytes, this.limits.timeoutMs);
    if (outcome.workerBroken) this.#discard(worker);
    else this.#scheduleIdleStop(worker);
    const { pages, pageCount, failure } = outcome;
    return { text: pages.join('\n'), pages, pagesRead: pages.length, pageCount, failure };
  }

  #ensureWorker(): Worker {
    this.#worker ??= new Worker(WORKER_URL, {
      resourceLimits: { maxOldGenerationSizeMb: this.limits.maxHeapMb, maxYoungGenerationSizeMb: 32 },
    });
    return this.#worker;
  }

  #discard(worker: Worker): void {
    if (this.#worker === worker) this.#worker = null;
    void worker.terminate(); // never rejects: it resolves with the exit code
  }

  #scheduleIdleStop(worker: Worker): void {
    worker.unref(); // an idle reader never keeps the process alive
    this.#idleTimer = setTimeout(() => {
      if (this.#worker === worker) this.#discard(worker);
    }, this.limits.idleMs);
    this.#idleTimer.unref();
  }

  #clearIdleTimer(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }
}

interface JobOutcome {
  pages: string[];
  pageCount: number | null;
  failure: ReadFailure | null;
  /** The worker crashed, ran out of memory or overran the time limit: it must not be reused. */
  workerBroken: boolean;
}

/** Sends one PDF to the worker and collects its pages until it is done, fails, dies or times out. */
function runJob(worker: Worker, request: Omit<PdfTextRequest, 'data'>, bytes: Uint8Array, timeoutMs: number): Promise<JobOutcome> {
  const pages: string[] = [];
  let pageCount: number | null = null;
  return new Promise<JobOutcome>((resolve) => {
    let settled = false;
    const finish = (failure: ReadFailure | null, workerBroken: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      resolve({ pages, pageCount, failure, workerBroken });
    };
    const onMessage = (reply: PdfTextReply): void => {
      if (reply.id !== request.id) return;
      if (reply.kind === 'info') pageCount = reply.pageCount;
      else if (reply.kind === 'page') pages.push(reply.text);
      else if (reply.kind === 'done') finish(null, false);
      else finish({ code: reply.code, reason: reply.reason }, false);
    };
    const onError = (error: Error): void => finish(describeWorkerError(error), true);
    const onExit = (exitCode: number): void => finish({ code: 'pdf_unreadable', reason: `the PDF reader stopped unexpectedly (exit code ${exitCode})` }, true);
    const timer = setTimeout(() => finish(timeoutFailure(timeoutMs, pages.length), true), timeoutMs);

    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    try {
      const data = new Uint8Array(bytes); // a private copy whose memory can move to the worker
      worker.postMessage({ ...request, data } satisfies PdfTextRequest, [data.buffer]);
    } catch (error) {
      finish(describeWorkerError(error as Error), true);
    }
  });
}

function timeoutFailure(timeoutMs: number, pagesRead: number): ReadFailure {
  const seconds = Math.round(timeoutMs / 100) / 10;
  const kept = pagesRead > 0 ? `only the first ${pagesRead} page(s) were read` : 'no page could be read in time';
  return { code: 'pdf_timeout', reason: `reading the PDF's text took longer than ${seconds} s and was stopped: ${kept}` };
}

function describeWorkerError(error: Error): ReadFailure {
  if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return { code: 'pdf_too_complex', reason: 'the PDF is too complex to read: its text needs more memory than allowed' };
  }
  return { code: 'pdf_unreadable', reason: `the PDF reader failed (${error.message})` };
}
