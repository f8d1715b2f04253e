// A job made by Create-Job waits for its documents at most multiple-operation-time-out seconds;
// then it is aborted (multiple-operation-time-out-action = abort-job), so a vanished client leaves nothing behind.
import { rm } from 'node:fs/promises';
import type { IppPrinterLog } from '../ipp-printer-server.ts';
import type { Job, JobStore } from './job-store.ts';

export class OpenJobTimeouts {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly jobs: JobStore;
  private readonly timeoutMs: number;
  private readonly log: IppPrinterLog;

  constructor(jobs: JobStore, timeoutMs: number, log: IppPrinterLog) {
    this.jobs = jobs;
    this.timeoutMs = timeoutMs;
    this.log = log;
  }

  /** (Re)starts the wait for the job's next document. */
  arm(job: Job): void {
    this.clear(job);
    const timer = setTimeout(() => this.expire(job), this.timeoutMs);
    timer.unref();
    this.timers.set(job.id, timer);
  }

  clear(job: Job): void {
    clearTimeout(this.timers.get(job.id));
    this.timers.delete(job.id);
  }

  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private expire(job: Job): void {
    this.timers.delete(job.id);
    if (!job.open || job.receiving) return;
    const seconds = this.timeoutMs / 1000;
    this.jobs.setState(job, 'aborted', ['aborted-by-system'], `No document arrived within ${seconds} seconds; the job was abandoned.`);
    this.log.warn('print job abandoned: no document arrived', { queue: job.queue.profileId, jobId: job.id });
    const document = job.document;
    job.document = null;
    // Not awaited (a timer called this): a failure is logged, never left to end the process.
    if (document) {
      rm(document.file, { force: true }).catch((error: unknown) => {
        this.log.warn("cannot remove an abandoned print job's file", { file: document.file, error: error instanceof Error ? error.message : String(error) });
      });
    }
  }
}
