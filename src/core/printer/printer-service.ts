// The virtual printer inside the agent: one IPP Everywhere queue per profile, served on loopback.
// Each print job enters the same pipeline as a dropped file (images become PDF pages first), with
// its metadata (job name, requesting user, copies, media). Job ids are persisted so they never repeat
// across restarts. At start, the OS queues are checked and a missing one is reported in health.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../store/store.ts';
import type { CaptureService, CaptureProfile } from '../intake/capture.ts';
import type { Logger } from '../log/logger.ts';
import type { Settings } from '../config/settings-schema.ts';
import { startIppPrinterServer, type IppPrinterServer, type PrintedDocument, type PrinterQueue } from './ipp-printer-server.ts';
import { ConversionError, convertToPdf } from './convert/to-pdf.ts';
import { createQueueManager, type QueueManager } from './os-queue/queue-manager.ts';
import { queueDisplayName, type PrinterBrand } from './os-queue/queue-targets.ts';
import { MAX_NAME_BYTES, cleanName, fitName } from '../util/file-names.ts';

const NEXT_JOB_ID_KEY = 'printer.nextJobId';
const RECHECK_MS = 30_000;

export interface PrinterQueueHealth {
  profile: string;
  queueName: string;
  url: string;
  /** null while unknown (not checked yet, or the OS print system cannot be asked). */
  installed: boolean | null;
  error: string | null;
}

export interface PrinterServiceOptions {
  settings: Settings;
  store: Store;
  capture: CaptureService;
  captureProfile: (profileId: string) => CaptureProfile;
  spoolDir: string;
  log: Logger;
  queueManager?: QueueManager | null;
  /** The branding's names for the queues (default: Recapito). */
  brand?: PrinterBrand;
  /** Why capture cannot take documents now (the disk is full): the printer then answers busy. */
  unavailable?: () => string | null;
}

/** "Fattura 2024-17" → "Fattura 2024-17.pdf"; no job name → "stampa-42.pdf". */
export function documentNameForJob(jobName: string | null, jobId: number): string {
  // Controls and bidi characters become '_'; cut in UTF-8 bytes, keeping '.pdf' (a job name is not refused).
  const base = cleanName(jobName ?? '')
    .replace(/[\\/:*?"<>|]/g, '_')
    .trim();
  if (!base) return `stampa-${jobId}.pdf`;
  return fitName(/\.pdf$/i.test(base) ? base : `${base.replace(/\.(jpe?g|png|pwg|txt|ps)$/i, '')}.pdf`, MAX_NAME_BYTES);
}

export class PrinterService {
  private readonly options: PrinterServiceOptions;
  private server: IppPrinterServer | null = null;
  private readonly health = new Map<string, PrinterQueueHealth>();
  private checkedAt = 0;
  private checking = false;

  constructor(options: PrinterServiceOptions) {
    this.options = options;
  }

  get queues(): PrinterQueue[] {
    return this.options.settings.profiles
      .filter((p) => p.printer.enabled)
      .map((p) => ({
        profileId: p.id,
        name: queueDisplayName(p, this.options.brand),
        ...(this.options.brand ? { productName: this.options.brand.productName } : {}),
      }));
  }

  async start(): Promise<void> {
    const { settings, log } = this.options;
    if (!settings.printer.enabled || this.queues.length === 0) return;
    this.server = await startIppPrinterServer({
      port: settings.printer.port,
      queues: this.queues,
      spoolDir: this.options.spoolDir,
      maxJobBytes: settings.printer.maxJobBytes,
      nextJobId: () => this.nextJobId(),
      onDocument: (document) => this.capture(document),
      log: log.child('ipp'),
      ...(this.options.unavailable ? { unavailable: this.options.unavailable } : {}),
    });
    for (const queue of this.queues) {
      this.health.set(queue.profileId, {
        profile: queue.profileId,
        queueName: queue.name,
        url: this.server.url(queue.profileId),
        installed: null,
        error: null,
      });
    }
    log.info('virtual printer serving', { port: this.server.port, queues: this.queues.map((q) => q.name) });
    // In the background; never rejects: checkEachQueue reports every failure in the queues' health.
    void this.checkOsQueues();
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = null;
  }

  /** One line per profile: `<profile id> <ipp url>`. */
  urls(): { profile: string; url: string }[] {
    const server = this.server;
    return server ? this.queues.map((q) => ({ profile: q.profileId, url: server.url(q.profileId) })) : [];
  }

  /** The queues' health; older than RECHECK_MS, it is refreshed in the background (install or removal by hand). */
  status(): PrinterQueueHealth[] {
    // In the background (see start): never rejects.
    if (this.server && !this.checking && Date.now() - this.checkedAt > RECHECK_MS) void this.checkOsQueues();
    return [...this.health.values()].map((entry) => ({ ...entry }));
  }

  /** Is each profile's queue installed in the OS print system? Reported in health, never fatal. */
  async checkOsQueues(): Promise<void> {
    this.checking = true;
    try {
      await this.checkEachQueue();
    } finally {
      this.checking = false;
      this.checkedAt = Date.now();
    }
  }

  private async checkEachQueue(): Promise<void> {
    let manager = this.options.queueManager ?? null;
    try {
      manager ??= createQueueManager();
    } catch (error) {
      for (const entry of this.health.values()) entry.error = `the print system cannot be checked: ${(error as Error).message}`;
      return;
    }
    for (const entry of this.health.values()) {
      try {
        const state = await manager.status(entry.queueName);
        entry.installed = state.installed;
        entry.error = state.installed
          ? null
          : `the print queue "${entry.queueName}" is not installed: run "recapito printer install --profile ${entry.profile}"`;
      } catch (error) {
        entry.installed = null;
        entry.error = `the print system cannot be checked: ${(error as Error).message}`;
      }
    }
    const missing = [...this.health.values()].filter((e) => e.installed === false);
    if (missing.length) this.options.log.warn('print queues missing in the OS print system', { queues: missing.map((m) => m.queueName) });
  }

  private nextJobId(): number {
    const { store } = this.options;
    return store.transaction(() => {
      const next = store.kv.get<number>(NEXT_JOB_ID_KEY) ?? 1;
      store.kv.set(NEXT_JOB_ID_KEY, next + 1);
      return next;
    });
  }

  private async capture(document: PrintedDocument): Promise<void> {
    let pdf: Buffer;
    let refusal: { code: string; reason: string } | null = null;
    try {
      ({ pdf } = await convertToPdf({ file: document.file, format: document.documentFormat, media: document.media }));
    } catch (error) {
      if (!(error instanceof ConversionError)) throw error;
      // Not a printable document: keep the bytes as they came, the capture records them as invalid with the reason.
      pdf = await readFile(document.file);
      // The converter knows why (a damaged JPEG, a raster cut short); the classifier would only see "not a PDF".
      refusal = { code: `print_${error.code}`, reason: `The print job cannot be turned into a PDF: ${error.message}` };
      this.options.log.warn('print job is not a readable document', { jobId: document.jobId, format: document.documentFormat, error: error.message });
    }
    const captured = await this.options.capture.captureBytes({
      profile: this.options.captureProfile(document.queue.profileId),
      source: 'printer',
      name: documentNameForJob(document.jobName, document.jobId),
      bytes: pdf,
      refusal,
      // The print job's requesting-user-name: the OS spooler sends the account that printed.
      submittedBy: { osUser: document.user?.trim() ? document.user.trim().slice(0, 256) : null, name: null },
      metadata: {
        printer: {
          queue: document.queue.name,
          jobId: document.jobId,
          jobName: document.jobName,
          user: document.user,
          copies: document.copies,
          media: document.media,
          format: document.documentFormat,
        },
      },
    });
    this.options.log.info('print job captured', { jobId: document.jobId, documents: captured.map((c) => `${c.id} ${c.state}`) });
  }
}

export function printerSpoolDir(dataDir: string): string {
  return join(dataDir, 'printer-spool');
}
