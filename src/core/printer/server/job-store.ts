// The printer's jobs, in memory. Job ids come from the caller (persisted, so they never repeat across
// restarts); finished jobs are kept for a while so clients can read their final state, then forgotten.
import type { IppAttribute } from '../ipp/attributes.ts';
import type { JobStateName } from '../ipp/tags.ts';
import type { PrinterQueue } from '../ipp-printer-server.ts';

export interface ReceivedDocument {
  file: string;
  size: number;
  format: string;
}

export interface Job {
  readonly id: number;
  readonly queue: PrinterQueue;
  /** job-name as the client sent it (or its document-name); null when it sent neither. */
  readonly name: string | null;
  /** requesting-user-name as the client sent it; null when it sent none. */
  readonly user: string | null;
  /** Accepted job template attributes, reported back by Get-Job-Attributes. */
  readonly template: IppAttribute[];
  readonly copies: number | null;
  readonly media: string | null;
  readonly createdAt: Date;
  state: JobStateName;
  reasons: string[];
  message: string | null;
  processingAt: Date | null;
  completedAt: Date | null;
  /** A Create-Job job still accepts Send-Document until its last document (or Close-Job). */
  open: boolean;
  /** A Send-Document or Print-Job is streaming this job's data right now. */
  receiving: boolean;
  document: ReceivedDocument | null;
  documentName: string | null;
  /** Received bytes (after decompression), for job-k-octets. */
  size: number;
}

export type NewJob = Pick<Job, 'queue' | 'name' | 'user' | 'template' | 'copies' | 'media' | 'documentName'>;

const TERMINAL_STATES: ReadonlySet<JobStateName> = new Set<JobStateName>(['canceled', 'aborted', 'completed']);

export function isTerminal(job: Job): boolean {
  return TERMINAL_STATES.has(job.state);
}

export interface JobStoreOptions {
  nextJobId: () => number;
  /** Finished jobs kept at most this long, and at most this many. */
  retainFinishedMs?: number;
  maxFinishedJobs?: number;
  now?: () => Date;
}

export class JobStore {
  private readonly jobs = new Map<number, Job>();
  private readonly options: Required<JobStoreOptions>;
  /** When some queue's printer-state last changed (idle <-> processing). */
  private readonly stateChangedAt = new Map<string, Date>();

  constructor(options: JobStoreOptions) {
    this.options = { retainFinishedMs: 60 * 60_000, maxFinishedJobs: 200, now: () => new Date(), ...options };
  }

  create(fields: NewJob, state: JobStateName, reasons: string[]): Job {
    this.prune();
    const id = this.options.nextJobId();
    if (!Number.isSafeInteger(id) || id < 1 || id > 0x7fffffff) throw new Error(`nextJobId returned ${id}, not an integer from 1 to 2147483647`);
    if (this.jobs.has(id)) throw new Error(`nextJobId returned ${id}, which is already in use`);
    const job: Job = {
      ...fields,
      id,
      createdAt: this.options.now(),
      state,
      reasons,
      message: null,
      processingAt: null,
      completedAt: null,
      open: false,
      receiving: false,
      document: null,
      size: 0,
    };
    this.jobs.set(id, job);
    return job;
  }

  get(id: number, queue: PrinterQueue): Job | undefined {
    const job = this.jobs.get(id);
    return job && job.queue.profileId === queue.profileId ? job : undefined;
  }

  /** The queue's jobs, oldest first. */
  list(queue: PrinterQueue): Job[] {
    return [...this.jobs.values()].filter((job) => job.queue.profileId === queue.profileId);
  }

  all(): Job[] {
    return [...this.jobs.values()];
  }

  setState(job: Job, state: JobStateName, reasons: string[], message: string | null = job.message): void {
    const wasProcessing = this.isProcessing(job.queue);
    const now = this.options.now();
    job.state = state;
    job.reasons = reasons;
    job.message = message;
    if (state === 'processing' && !job.processingAt) job.processingAt = now;
    if (TERMINAL_STATES.has(state)) {
      job.completedAt = now;
      job.open = false;
    }
    if (wasProcessing !== this.isProcessing(job.queue)) this.stateChangedAt.set(job.queue.profileId, now);
  }

  /** Jobs not finished yet, on every queue. */
  activeCount(): number {
    return [...this.jobs.values()].filter((job) => !isTerminal(job)).length;
  }

  /** Jobs whose document data is arriving right now, on every queue. */
  receivingCount(): number {
    return [...this.jobs.values()].filter((job) => job.receiving).length;
  }

  isProcessing(queue: PrinterQueue): boolean {
    return this.list(queue).some((job) => job.state === 'processing');
  }

  queuedJobCount(queue: PrinterQueue): number {
    return this.list(queue).filter((job) => !isTerminal(job)).length;
  }

  printerStateChangedAt(queue: PrinterQueue): Date | undefined {
    return this.stateChangedAt.get(queue.profileId);
  }

  /** Forgets the oldest finished jobs beyond the retention window or count. */
  prune(): void {
    const cutoff = this.options.now().getTime() - this.options.retainFinishedMs;
    const finished = [...this.jobs.values()].filter((job) => isTerminal(job));
    const excess = finished.length - this.options.maxFinishedJobs;
    finished.forEach((job, index) => {
      if (index < excess || (job.completedAt && job.completedAt.getTime() < cutoff)) this.jobs.delete(job.id);
    });
  }
}
