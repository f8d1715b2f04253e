// A small pool of capture worker threads: reading, hashing, inspecting and spooling each captured
// file runs there, so the agent's event loop keeps only the SQLite commit and the bookkeeping.
// A worker that crashes or hangs costs only the captures it held: they fail (a watched file stays
// in its folder and is tried again), the worker is dropped, and a new one takes the next capture.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../log/logger.ts';
import type { InspectLimits } from '../inspect-capture.ts';
import { INLINE_PART_MAX_BYTES } from '../../store/spool.ts';
import type {
  CaptureJobMessage,
  CaptureRequest,
  CaptureResultMessage,
  CaptureWorkerData,
  CaptureWorkerFaults,
  CaptureWorkerMessage,
  PreparedCapture,
} from './messages.ts';

/** What the capture service needs from the pool (and what a test could stand in for). */
export interface CapturePreparer {
  prepare(request: CaptureRequest): Promise<PreparedCapture>;
}

export interface CaptureWorkerPoolOptions {
  /** Worker threads at most; they start on demand. */
  size: number;
  spoolDir: string;
  limits: InspectLimits;
  log: Logger;
  /**
   * A capture not answered by then is taken as a hung worker: it fails and the worker is replaced.
   * Counted from when the worker is ready: a worker slow to load its modules (a busy machine at
   * boot) is not hung.
   */
  jobTimeoutMs?: number;
  /** A worker not ready by then is taken as hung (default 60 s). */
  startTimeoutMs?: number;
  /**
   * A worker without a capture for this long is stopped (default 30 s): an idle agent keeps no
   * isolate, heap or compiled schema for captures that may not come for hours (issue 16's memory).
   * The next capture starts a new one, which costs it the worker's start (about 0.1–0.3 s).
   */
  idleMs?: number;
  /**
   * Parts up to this size come back inline, for the caller to keep in the store in its capture
   * commit (default INLINE_PART_MAX_BYTES; 0: every part is spooled to a file by the worker).
   */
  inlinePartMaxBytes?: number;
  /** Only for tests of the pool's recovery. */
  faults?: CaptureWorkerFaults;
}

export class CaptureWorkerError extends Error {
  /** The worker's error code (ENOENT, EACCES…) when the capture itself failed. */
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'CaptureWorkerError';
    this.code = code;
  }
}

/**
 * One worker per spare core, at most 2: the main thread keeps a core for SQLite commits, the outbox
 * and the watchers, and a worker runs many captures at once (their file I/O overlaps), so a second
 * one only helps when inspection itself is heavy (large ZIPs, PDFs), and a third would compete with
 * the user's own programs on a desktop.
 */
export function defaultCaptureWorkerCount(cores = availableParallelism()): number {
  return Math.min(2, Math.max(1, cores - 1));
}

export const DEFAULT_CAPTURE_JOB_TIMEOUT_MS = 120_000;
export const DEFAULT_CAPTURE_IDLE_MS = 30_000;
const DEFAULT_START_TIMEOUT_MS = 60_000;
const CLOSE_GRACE_MS = 10_000;
/** Captures every worker must hold before another worker is started (see #pickSlot). */
export const SPAWN_WHEN_QUEUED = 4;

// Run from source the worker is capture-worker.ts; built into dist/ it is capture-worker.js.
const WORKER_URL = new URL(`./capture-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

interface Job {
  label: string;
  resolve: (result: PreparedCapture) => void;
  reject: (error: Error) => void;
  /** Runs once the worker is ready. */
  timer: NodeJS.Timeout | undefined;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Job>;
  /** Why the worker is going away, once known (uncaught error, timeout). */
  failure: string | null;
  /** Until the worker's first message, only the start timer runs. */
  startTimer: NodeJS.Timeout | undefined;
  /** Runs while the worker has no capture: it stops the worker when it fires. */
  idleTimer: NodeJS.Timeout | undefined;
}

export class CaptureWorkerPool implements CapturePreparer {
  readonly #options: CaptureWorkerPoolOptions;
  readonly #jobTimeoutMs: number;
  readonly #slots: Slot[] = [];
  readonly #idleWaiters = new Set<() => void>();
  #nextJobId = 1;
  #closed = false;
  /** Workers lost to a crash or a timeout and not yet replaced. */
  #lost = 0;

  constructor(options: CaptureWorkerPoolOptions) {
    this.#options = { ...options, size: Math.max(1, Math.floor(options.size)) };
    this.#jobTimeoutMs = options.jobTimeoutMs ?? DEFAULT_CAPTURE_JOB_TIMEOUT_MS;
  }

  /** Resolves once every part is spooled and fsynced; rejects when the capture or its worker failed. */
  prepare(request: CaptureRequest): Promise<PreparedCapture> {
    if (this.#closed) return Promise.reject(new CaptureWorkerError('capture refused: the agent is stopping'));
    const slot = this.#pickSlot();
    const id = this.#nextJobId++;
    const label = request.type === 'file' ? request.path : `"${request.name}"`;
    return new Promise<PreparedCapture>((resolve, reject) => {
      const job: Job = { label, resolve, reject, timer: undefined };
      clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
      slot.jobs.set(id, job);
      if (slot.startTimer === undefined) this.#startJobTimer(slot, job);
      if (slot.jobs.size === 1) slot.worker.ref(); // a capture under way keeps the process alive
      try {
        const { message, transfer } = jobMessage(id, request);
        slot.worker.postMessage(message, transfer);
      } catch (error) {
        this.#settle(slot, id)?.reject(new CaptureWorkerError(`capture of ${label} could not be handed to a worker: ${describe(error)}`));
      }
    });
  }

  /** Lets captures under way finish (up to a few seconds), then stops every worker. */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    this.#closed = true;
    if (this.#busy()) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#idleWaiters.add(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
    const slots = this.#slots.splice(0);
    for (const slot of slots) clearTimeout(slot.idleTimer);
    for (const slot of slots) this.#failAll(slot, 'the agent stopped before it finished');
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  /** Worker threads alive now (for status and tests). */
  get workerCount(): number {
    return this.#slots.length;
  }

  /**
   * An idle worker if there is one; a new one only when every worker already holds
   * SPAWN_WHEN_QUEUED captures: a worker runs several at once, so files that come one by one
   * (a user saving, a printer) are served by one thread, and only a burst starts the second
   * (each costs its own isolate and malloc arenas, which stay with the process after it ends).
   */
  #pickSlot(): Slot {
    const idle = this.#slots.find((slot) => slot.jobs.size === 0);
    if (idle) return idle;
    const least = this.#slots.reduce<Slot | null>((best, slot) => (best === null || slot.jobs.size < best.jobs.size ? slot : best), null);
    if (least === null || (this.#slots.length < this.#options.size && least.jobs.size >= SPAWN_WHEN_QUEUED)) return this.#spawn();
    return least;
  }

  #spawn(): Slot {
    const { spoolDir, limits, faults, log } = this.#options;
    const inlinePartMaxBytes = this.#options.inlinePartMaxBytes ?? INLINE_PART_MAX_BYTES;
    const workerData: CaptureWorkerData = { spoolDir, limits, inlinePartMaxBytes, ...(faults ? { faults } : {}) };
    const worker = new Worker(WORKER_URL, { workerData, name: 'recapito-capture' });
    worker.unref(); // an idle worker never keeps the process alive
    const slot: Slot = { worker, jobs: new Map(), failure: null, startTimer: undefined, idleTimer: undefined };
    slot.startTimer = setTimeout(
      () => this.#timedOut(slot, 'its start', this.#options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS),
      this.#options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    );
    slot.startTimer.unref();
    worker.on('message', (message: CaptureWorkerMessage) => ('ready' in message ? this.#ready(slot) : this.#answered(slot, message)));
    worker.on('error', (error) => (slot.failure ??= `crashed: ${describe(error)}`));
    worker.on('exit', (exitCode) => this.#exited(slot, exitCode));
    this.#slots.push(slot);
    if (this.#lost > 0) {
      this.#lost -= 1;
      log.info('capture worker replaced', { workers: this.#slots.length });
    }
    return slot;
  }

  #ready(slot: Slot): void {
    clearTimeout(slot.startTimer);
    slot.startTimer = undefined;
    for (const job of slot.jobs.values()) this.#startJobTimer(slot, job);
  }

  #startJobTimer(slot: Slot, job: Job): void {
    job.timer = setTimeout(() => this.#timedOut(slot, job.label, this.#jobTimeoutMs), this.#jobTimeoutMs);
  }

  #answered(slot: Slot, message: CaptureResultMessage): void {
    const job = this.#settle(slot, message.id);
    if (!job) return; // already failed (timeout): the answer comes too late
    if (message.ok) job.resolve(message.result);
    else job.reject(new CaptureWorkerError(message.error.message, message.error.code));
  }

  /** A hung worker: its captures fail now, and it is stopped so a fresh one takes the next capture. */
  #timedOut(slot: Slot, label: string, timeoutMs: number): void {
    clearTimeout(slot.startTimer);
    if (!this.#retire(slot)) return;
    slot.failure = `was stopped: ${label === 'its start' ? 'starting' : `capturing ${label}`} took more than ${timeoutMs / 1000} s`;
    this.#options.log.error('capture worker did not answer in time; stopping it, its captures will be retried', {
      capture: label,
      timeoutMs,
      captures: [...slot.jobs.values()].map((job) => job.label),
    });
    this.#failAll(slot, slot.failure);
    void slot.worker.terminate(); // never rejects: it resolves with the exit code; #exited cleans up
  }

  /** No capture for idleMs: the worker leaves the pool (not counted as lost) and is stopped. */
  #idledOut(slot: Slot): void {
    slot.idleTimer = undefined;
    if (slot.jobs.size > 0 || this.#closed) return;
    const index = this.#slots.indexOf(slot);
    if (index < 0) return;
    this.#slots.splice(index, 1);
    clearTimeout(slot.startTimer);
    void slot.worker.terminate(); // never rejects; #exited finds the slot gone and no captures: nothing to do
  }

  #exited(slot: Slot, exitCode: number): void {
    clearTimeout(slot.startTimer);
    clearTimeout(slot.idleTimer);
    const unexpected = this.#retire(slot) && !this.#closed;
    if (!unexpected && slot.jobs.size === 0) return;
    slot.failure ??= `stopped unexpectedly (exit code ${exitCode})`;
    this.#options.log.error('capture worker stopped; its captures failed and will be retried, a new worker takes the next capture', {
      exitCode,
      reason: slot.failure,
      captures: [...slot.jobs.values()].map((job) => job.label),
    });
    this.#failAll(slot, slot.failure);
  }

  /** Takes the slot out of rotation; false when it already was. */
  #retire(slot: Slot): boolean {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return false;
    this.#slots.splice(index, 1);
    if (!this.#closed) this.#lost += 1;
    return true;
  }

  #failAll(slot: Slot, why: string): void {
    for (const id of [...slot.jobs.keys()]) {
      const job = this.#settle(slot, id);
      job?.reject(new CaptureWorkerError(`capture of ${job.label} failed: the capture worker ${why}`));
    }
  }

  /** Removes a job from its worker's list; returns it unless it was already settled. */
  #settle(slot: Slot, id: number): Job | undefined {
    const job = slot.jobs.get(id);
    if (!job) return undefined;
    clearTimeout(job.timer);
    slot.jobs.delete(id);
    if (slot.jobs.size === 0) {
      slot.worker.unref();
      if (this.#slots.includes(slot)) {
        slot.idleTimer = setTimeout(() => this.#idledOut(slot), this.#options.idleMs ?? DEFAULT_CAPTURE_IDLE_MS);
        slot.idleTimer.unref();
      }
    }
    if (!this.#busy()) this.#wakeIdleWaiters();
    return job;
  }

  #busy(): boolean {
    return this.#slots.some((slot) => slot.jobs.size > 0);
  }

  #wakeIdleWaiters(): void {
    const waiters = [...this.#idleWaiters];
    this.#idleWaiters.clear();
    for (const wake of waiters) wake();
  }
}

/** Bytes travel as a copy of exactly their length, transferred (not cloned a second time). */
function jobMessage(id: number, request: CaptureRequest): { message: CaptureJobMessage; transfer: ArrayBuffer[] } {
  if (request.type !== 'bytes') return { message: { id, request }, transfer: [] };
  const copy = Uint8Array.prototype.slice.call(request.bytes);
  return { message: { id, request: { ...request, bytes: copy } }, transfer: [copy.buffer] };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
