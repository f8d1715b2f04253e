// The virtual printer: an IPP/2.0 (IPP Everywhere) printer on the loopback interface, one queue per
// profile, that hands every received document to the agent. See docs/virtual-printer.md.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { IppDecodeLimits } from './ipp/limits.ts';
import { createIppHttpHandler } from './server/http-handler.ts';
import { queuePath } from './server/printer-paths.ts';
import { createPrinterRuntime } from './server/printer-runtime.ts';

export interface PrinterQueue {
  profileId: string;
  /** printer-name, e.g. "Recapito – Rossi Srl". */
  name: string;
  /** A reseller's product name (docs/white-label.md): printer-make-and-model and the printer's page; Recapito when absent. */
  productName?: string;
}

export interface PrintedDocument {
  queue: PrinterQueue;
  jobId: number;
  jobName: string | null;
  user: string | null;
  copies: number | null;
  media: string | null;
  /** As received (application/pdf, image/jpeg, image/pwg-raster, ...); for application/octet-stream, what the content turned out to be when recognisable. */
  documentFormat: string;
  /** The received document on disk (decompressed), in spoolDir; deleted by the server after onDocument resolves. */
  file: string;
  size: number;
}

export interface IppPrinterLog {
  info(message: string, meta?: object): void;
  warn(message: string, meta?: object): void;
  error(message: string, meta?: object): void;
}

export interface IppPrinterServerOptions {
  /** Default 127.0.0.1. Whatever the bind address, only loopback peers are served. */
  host?: string;
  /** 0 = any free port. */
  port: number;
  queues: PrinterQueue[];
  spoolDir: string;
  /** Persisted by the caller, so job ids survive restarts (never reuse one). */
  nextJobId: () => number;
  /** The job is 'completed' when this resolves, 'aborted' (job-state-message = error message) when it rejects. */
  onDocument: (document: PrintedDocument) => Promise<void>;
  /** After decompression; larger jobs are aborted with client-error-request-entity-too-large. Default 100 MiB. */
  maxJobBytes?: number;
  /** Bounds on the IPP message itself; defaults in ipp/limits.ts. */
  limits?: Partial<IppDecodeLimits>;
  log?: IppPrinterLog;
  /**
   * Why the printer takes no work now, or null: while it says something, new jobs and documents get
   * server-error-busy (clients keep them and retry) and the printer shows stopped with the reason.
   */
  unavailable?: () => string | null;
}

export interface IppPrinterServer {
  port: number;
  /** ipp://127.0.0.1:PORT/ipp/print/<profileId> */
  url(profileId: string, host?: string): string;
  close(): Promise<void>;
}

const DEFAULT_MAX_JOB_BYTES = 100 * 1024 * 1024;
/** How long close() lets requests in progress finish before cutting their connections. */
const CLOSE_GRACE_MS = 5000;
const SPOOL_FILE = /^ipp-job-\d+-[0-9a-f-]+\.spool$/;

const silentLog: IppPrinterLog = { info: () => {}, warn: () => {}, error: () => {} };

export async function startIppPrinterServer(options: IppPrinterServerOptions): Promise<IppPrinterServer> {
  if (options.queues.length === 0) throw new Error('The virtual printer needs at least one queue.');
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? silentLog;
  await mkdir(options.spoolDir, { recursive: true, mode: 0o700 });
  await removeStaleSpoolFiles(options.spoolDir, log);

  const runtime = createPrinterRuntime({
    queues: options.queues,
    spoolDir: options.spoolDir,
    nextJobId: options.nextJobId,
    onDocument: options.onDocument,
    maxJobBytes: options.maxJobBytes ?? DEFAULT_MAX_JOB_BYTES,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.unavailable ? { unavailable: options.unavailable } : {}),
    log,
  });

  let port = options.port;
  const authority = (name: string): string => `${name.includes(':') ? `[${name}]` : name}:${port}`;
  const handler = createIppHttpHandler(runtime, () => authority(host));
  const inProgress = new Set<Promise<void>>();
  const server = createServer((request, response) => {
    const handled = handler(request, response).finally(() => inProgress.delete(handled));
    inProgress.add(handled);
  });
  // Large documents over a slow pipe are fine; a silent client is not.
  server.requestTimeout = 10 * 60_000;
  server.headersTimeout = 30_000;
  // Print clients (CUPS, Windows) keep connections open between operations; Node's 5 s default closed
  // them while a client was about to reuse one ("socket hang up" seen in the benchmark).
  server.keepAliveTimeout = 60_000;

  await listen(server, options.port, host);
  port = (server.address() as AddressInfo).port;
  log.info('virtual printer listening', { url: `ipp://${authority(host)}${queuePath(runtime.queues[0]!)}`, queues: runtime.queues.length });

  let closing: Promise<void> | null = null;
  return {
    port,
    url: (profileId, urlHost = host) => `ipp://${authority(urlHost)}/ipp/print/${encodeURIComponent(profileId)}`,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        await Promise.allSettled([...inProgress]);
        clearTimeout(grace);
        server.closeAllConnections();
        await closed;
        await runtime.processor.idle();
        runtime.openJobTimeouts.clearAll();
        await removeStaleSpoolFiles(options.spoolDir, log);
      })();
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(new Error(`The virtual printer cannot listen on ${host}:${port}: ${error.message}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Spool files left by a crash were never handed over (the client was not told the job completed, so it prints again). */
async function removeStaleSpoolFiles(spoolDir: string, log: IppPrinterLog): Promise<void> {
  const stale = (await readdir(spoolDir)).filter((name) => SPOOL_FILE.test(name));
  await Promise.all(stale.map((name) => rm(join(spoolDir, name), { force: true })));
  if (stale.length > 0) log.warn('removed print jobs left unfinished in the spool', { count: stale.length });
}
