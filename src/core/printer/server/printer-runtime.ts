// What every operation needs: the queues, the jobs, the limits, the clock, the log.
import { DEFAULT_IPP_DECODE_LIMITS, type IppDecodeLimits } from '../ipp/limits.ts';
import type { IppPrinterLog, PrintedDocument, PrinterQueue } from '../ipp-printer-server.ts';
import { MULTIPLE_OPERATION_TIME_OUT_SECONDS } from './capabilities.ts';
import { JobProcessor } from './job-processor.ts';
import { JobStore } from './job-store.ts';
import { OpenJobTimeouts } from './open-job-timeouts.ts';

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
  /** Why the printer takes no work now (the disk is full), or null. */
  readonly unavailable: () => string | null;
}

export interface PrinterRuntimeOptions {
  queues: readonly PrinterQueue[];
  spoolDir: string;
  nextJobId: () => number;
  onDocument: (document: PrintedDocument) => Promise<void>;
  maxJobBytes: number;
  limits?: Partial<IppDecodeLimits>;
  log: IppPrinterLog;
  unavailable?: () => string | null;
}

export function createPrinterRuntime(options: PrinterRuntimeOptions): PrinterRuntime {
  const jobs = new JobStore({ nextJobId: options.nextJobId });
  return {
    queues: [...options.queues],
    jobs,
    processor: new JobProcessor(jobs, options.onDocument, options.log),
    openJobTimeouts: new OpenJobTimeouts(jobs, MULTIPLE_OPERATION_TIME_OUT_SECONDS * 1000, options.log),
    spoolDir: options.spoolDir,
    maxJobBytes: options.maxJobBytes,
    limits: { ...DEFAULT_IPP_DECODE_LIMITS, ...options.limits },
    clock: new PrinterClock(),
    log: options.log,
    unavailable: options.unavailable ?? (() => null),
  };
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
