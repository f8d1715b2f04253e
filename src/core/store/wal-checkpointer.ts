// Moves SQLite's WAL checkpoints off the event loop: the main connection stops checkpointing by
// itself (wal_autocheckpoint = 0) and a worker thread with its own connection checkpoints every
// `intervalMs`. If the worker cannot run, or dies, the main connection checkpoints again as
// before: the WAL never grows without bound.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Db } from './database.ts';
import type { CheckpointWorkerData } from './wal-checkpoint-worker.ts';

// Same extension as this module: .ts when run from source, .js once compiled.
const WORKER_URL = new URL(`./wal-checkpoint-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
/** SQLite's default: checkpoint once the WAL holds this many pages. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;
const STOP_TIMEOUT_MS = 5_000;

export interface CheckpointLog {
  warn(message: string, meta?: object): void;
}

export class WalCheckpointer {
  readonly #db: Db;
  readonly #worker: Worker;
  readonly #log: CheckpointLog;
  #stopped = false;

  constructor(db: Db, file: string, log: CheckpointLog, options: { intervalMs?: number; walLimitBytes?: number } = {}) {
    this.#db = db;
    this.#log = log;
    const data: CheckpointWorkerData = { file, intervalMs: options.intervalMs ?? 250, walLimitBytes: options.walLimitBytes ?? 64 * 1024 * 1024 };
    this.#worker = new Worker(WORKER_URL, { workerData: data });
    // The checkpointer must not keep the process alive on its own.
    this.#worker.unref();
    db.pragma('wal_autocheckpoint = 0');
    this.#worker.on('message', (message: { type: string; message?: string }) => {
      if (message.type === 'error') this.#log.warn('WAL checkpoint failed; retrying', { error: message.message });
    });
    this.#worker.on('error', (error: unknown) => this.#fallBack(`the checkpoint thread failed: ${error instanceof Error ? error.message : String(error)}`));
    this.#worker.on('exit', (code) => {
      if (!this.#stopped) this.#fallBack(`the checkpoint thread stopped (exit code ${code})`);
    });
  }

  /** Checkpoints once more and stops the thread; the main connection checkpoints by itself again. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const stopped = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, STOP_TIMEOUT_MS);
      this.#worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.#worker.postMessage({ type: 'stop' });
    await stopped;
    await this.#worker.terminate();
    if (this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
  }

  #fallBack(reason: string): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    this.#log.warn('WAL checkpoints are back on the main thread', { reason });
  }
}
