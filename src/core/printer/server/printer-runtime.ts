// What every operation needs: the queues, the jobs, the limits, the clock, the log.
import type { IppDecodeLimits } from '../ipp/limits.ts';
import type { IppPrinterLog, PrinterQueue } from '../ipp-printer-server.ts';
import type { JobProcessor } from './job-processor.ts';
import type { JobStore } from './job-store.ts';
import type { OpenJobTimeouts } from './open-job-timeouts.ts';

export interface PrinterRuntime {
  readonly queues: readonly PrinterQueue[];
  readonly jobs: JobStore;
  readonly processor: JobProcessor;
  readonly openJobTimeouts: OpenJobTimeouts;
  readonly spoolDir: string;
  readonly maxJobBytes: number;
  readonly limits: IppDecodeLimits;
  readonly clock: PrinterClock;
  readonly log: IppPrinterLog;
}

/** IPP times are "printer up-time" seconds: since the server started, always at least 1. */
export class PrinterClock {
  readonly startedAt: Date;

  constructor(startedAt: Date = new Date()) {
    this.startedAt = startedAt;
  }

  now(): Date {
    return new Date();
  }

  upTime(at: Date = new Date()): number {
    return Math.max(1, Math.floor((at.getTime() - this.startedAt.getTime()) / 1000) + 1);
  }
}
