// Moves SQLite's WAL checkpoints off the event loop: the main connection stops checkpointing by
// itself (wal_autocheckpoint = 0) and a worker thread with its own connection checkpoints every
// `intervalMs`. If the worker cannot run, or dies, the main connection checkpoints again as
// before: the WAL never grows without bound.
// The thread only runs while there is something to checkpoint: after `idleMs` without a new commit
// it truncates the WAL, closes its connection and ends (an idle agent keeps no isolate and no
// second page cache for it; issue 16's memory), the main connection checkpoints by itself
// meanwhile, and the next commit through Store.transaction (`wake()`) starts the thread again.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Db } from './database.ts';
import type { CheckpointWorkerData, CheckpointWorkerMessage } from './wal-checkpoint-worker.ts';

// Same extension as this module: .ts when run from source, .js once compiled.
const WORKER_URL = new URL(`./wal-checkpoint-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
/** SQLite's default: checkpoint once the WAL holds this many pages. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;
const STOP_TIMEOUT_MS = 5_000;
/** No commit for this long: the thread ends until the next one. */
const DEFAULT_IDLE_MS = 30_000;

export interface CheckpointLog {
  warn(message: string, meta?: object): void;
}

export class WalCheckpointer {
  readonly #db: Db;
  readonly #data: CheckpointWorkerData;
  readonly #log: CheckpointLog;
  /** The thread, while it runs (null once it went idle). */
  #worker: Worker | null = null;
  #stopped = false;

  constructor(db: Db, file: string, log: CheckpointLog, options: { intervalMs?: number; walLimitBytes?: number; idleMs?: number } = {}) {
    this.#db = db;
    this.#log = log;
    this.#data = {
      file,
      intervalMs: options.intervalMs ?? 250,
      walLimitBytes: options.walLimitBytes ?? 64 * 1024 * 1024,
      idleMs: options.idleMs ?? DEFAULT_IDLE_MS,
    };
    this.#spawn();
  }

  /** True while the checkpoint thread runs (false once it went idle, or after stop). */
  get running(): boolean {
    return this.#worker !== null;
  }

  /** A commit happened: the thread starts again if it had gone idle. Cheap when it runs. */
  wake(): void {
    if (this.#worker === null && !this.#stopped) this.#spawn();
  }

  /** Checkpoints once more and stops the thread; the main connection checkpoints by itself again. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const worker = this.#worker;
    this.#worker = null;
    if (worker) {
      const stopped = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, STOP_TIMEOUT_MS);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      worker.postMessage({ type: 'stop' });
      await stopped;
      await worker.terminate();
    }
    if (this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
  }

  #spawn(): void {
    const worker = new Worker(WORKER_URL, { workerData: this.#data, name: 'recapito-wal-checkpoint' });
    this.#worker = worker;
    // The checkpointer must not keep the process alive on its own.
    worker.unref();
    this.#db.pragma('wal_autocheckpoint = 0');
    worker.on('message', (message: CheckpointWorkerMessage) => {
      if (message.type === 'error') this.#log.warn('WAL checkpoint failed; retrying', { error: message.message });
      else if (message.type === 'idle') this.#wentIdle(worker);
    });
    worker.on('error', (error: unknown) => this.#fallBack(worker, `the checkpoint thread failed: ${error instanceof Error ? error.message : String(error)}`));
    worker.on('exit', (code) => this.#fallBack(worker, `the checkpoint thread stopped (exit code ${code})`));
  }

  /** The thread truncated the WAL and closed its connection: the main connection checkpoints until the next wake(). */
  #wentIdle(worker: Worker): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    if (this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    // It ends by itself; terminate() only makes sure of it. Nothing is lost if it fails.
    worker.terminate().catch(() => undefined);
  }

  #fallBack(worker: Worker, reason: string): void {
    // An idle thread's own exit, or one after stop(), is no failure.
    if (this.#stopped || this.#worker !== worker) return;
    this.#stopped = true;
    this.#worker = null;
    if (this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    this.#log.warn('WAL checkpoints are back on the main thread', { reason });
  }
}
