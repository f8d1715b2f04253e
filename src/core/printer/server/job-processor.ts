// Hands a received document to the agent (onDocument) and moves the job to its final state:
// completed when onDocument resolves, aborted (with its error message) when it rejects.
// The spool file is deleted afterwards either way.
import { rm } from 'node:fs/promises';
import type { IppPrinterLog, PrintedDocument } from '../ipp-printer-server.ts';
import { sniffDocumentFormat } from './document-format-sniffer.ts';
import type { Job, JobStore } from './job-store.ts';

export class JobProcessor {
  private readonly jobs: JobStore;
  private readonly onDocument: (document: PrintedDocument) => Promise<void>;
  private readonly log: IppPrinterLog;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(jobs: JobStore, onDocument: (document: PrintedDocument) => Promise<void>, log: IppPrinterLog) {
    this.jobs = jobs;
    this.onDocument = onDocument;
    this.log = log;
  }

  /** Starts processing a job whose document is on disk; the promise settles when the job is finished. */
  start(job: Job): Promise<void> {
    const run = this.process(job).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return run;
  }

  /** Resolves when every job being processed has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async process(job: Job): Promise<void> {
    const document = job.document;
    if (!document) throw new Error(`job ${job.id} has no document to process`);
    this.jobs.setState(job, 'processing', ['job-printing'], 'Handing the document to Recapito.');
    try {
      const sniffed = document.format === 'application/octet-stream' ? await sniffDocumentFormat(document.file) : undefined;
      await this.onDocument({
        queue: job.queue,
        jobId: job.id,
        jobName: job.name,
        user: job.user,
        copies: job.copies,
        media: job.media,
        documentFormat: sniffed ?? document.format,
        file: document.file,
        size: document.size,
      });
      this.jobs.setState(job, 'completed', ['job-completed-successfully'], 'Received by Recapito.');
      this.log.info('print job received', { queue: job.queue.profileId, jobId: job.id, format: sniffed ?? document.format, size: document.size });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.jobs.setState(job, 'aborted', ['aborted-by-system'], reason);
      this.log.warn('print job refused by the agent', { queue: job.queue.profileId, jobId: job.id, reason });
    } finally {
      job.document = null;
      await rm(document.file, { force: true }).catch((error: unknown) => {
        this.log.warn('could not delete a spooled print job', { file: document.file, reason: (error as Error).message });
      });
    }
  }
}
