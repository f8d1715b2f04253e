// Capture on a full disk. Every capture writes into the data folder (the spool, the database, the
// printer's spool), so when that disk is full capture stops as a whole, with one reason ("disk full:
// 12 MB needed"), instead of every file failing on its own and retrying with its own backoff:
// - before a capture, `ensureRoom(bytes)` refuses it at once while the disk is full, or when it
//   has less free than the capture and a reserve (the database and the log need room too);
// - a write that fails anyway (ENOSPC, EDQUOT, SQLITE_FULL) makes the disk full through `failed()`;
// - while full, the free space is looked at again every `recheckMs`; once there is room, the state
//   clears and the listeners (the watchers, the printer) take up the waiting work by themselves.
// Nothing half-written is kept: the spool writes whole files by rename, SQLite rolls back the
// transaction, and the source file stays in its folder until its record is committed.
import { statfs } from 'node:fs/promises';
import { systemClock, type Clock, type Timer } from '../util/clock.ts';
import type { Logger } from '../log/logger.ts';

export interface DiskFullState {
  code: 'disk_full';
  /** "disk full: 12 MB needed (3 MB free) on the disk of /data/recapito" */
  reason: string;
  since: string;
  freeBytes: number | null;
  /** Free space that would let capture resume: the last capture refused and the reserve. */
  neededBytes: number;
}

export class DiskFullError extends Error {
  readonly code = 'disk_full';
  /** For the folder watcher: the file waits, untouched, until capture resumes (no retry of its own). */
  readonly deferred = true;
  readonly state: DiskFullState;
  constructor(state: DiskFullState) {
    super(state.reason);
    this.name = 'DiskFullError';
    this.state = state;
  }
}

export interface DiskSpaceOptions {
  /** The data folder. */
  dir: string;
  /** Free space kept for the database, the log and the files the hub returns (default 32 MiB). */
  reserveBytes?: number;
  /** How often a full disk is looked at again (default 10 s). */
  recheckMs?: number;
  /** How long a free-space reading serves the next captures, less what they take (default 1 s). */
  readingReuseMs?: number;
  log: Pick<Logger, 'info' | 'warn'>;
  clock?: Clock;
  /** Free bytes on the disk holding `dir` (default: statfs). */
  freeBytes?: (dir: string) => Promise<number>;
}

const MB = 1024 * 1024;
export const DEFAULT_DISK_RESERVE_BYTES = 32 * MB;
export const DEFAULT_DISK_RECHECK_MS = 10_000;
/** A free-space reading is reused this long for the next captures (less what they take). */
const DEFAULT_READING_REUSE_MS = 1000;

/** ENOSPC or EDQUOT from the file system, SQLITE_FULL from SQLite, anywhere in the cause chain. */
export function isDiskFullError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || code === 'disk_full') return true;
    if (current instanceof Error && /database or disk is full|no space left on device/i.test(current.message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

async function statfsFree(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

export class DiskSpace {
  readonly #dir: string;
  readonly #reserve: number;
  readonly #recheckMs: number;
  readonly #readingReuseMs: number;
  readonly #log: DiskSpaceOptions['log'];
  readonly #clock: Clock;
  readonly #freeBytes: (dir: string) => Promise<number>;
  readonly #listeners = new Set<() => void>();
  #state: DiskFullState | null = null;
  #timer: Timer | null = null;
  #reading: { at: number; free: number } | null = null;
  #stopped = false;

  constructor(options: DiskSpaceOptions) {
    this.#dir = options.dir;
    this.#reserve = options.reserveBytes ?? DEFAULT_DISK_RESERVE_BYTES;
    this.#recheckMs = options.recheckMs ?? DEFAULT_DISK_RECHECK_MS;
    this.#readingReuseMs = options.readingReuseMs ?? DEFAULT_READING_REUSE_MS;
    this.#log = options.log;
    this.#clock = options.clock ?? systemClock;
    this.#freeBytes = options.freeBytes ?? statfsFree;
  }

  /** Null while there is room; the held state while the disk is full. */
  current(): DiskFullState | null {
    return this.#state;
  }

  /** Called when the state changes (full, or room again). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Throws DiskFullError while the disk is full, or when it has less than `bytes` and the reserve free. */
  async ensureRoom(bytes: number): Promise<void> {
    if (this.#state) throw new DiskFullError(this.#state);
    const now = this.#clock.now();
    let reading = this.#reading;
    if (!reading || now - reading.at >= this.#readingReuseMs || reading.free < bytes + this.#reserve) {
      const free = await this.#read();
      // A disk that cannot be asked (a platform without statfs): the writes themselves will tell.
      if (free === null) return;
      reading = this.#reading = { at: now, free };
    }
    if (reading.free < bytes + this.#reserve) {
      const error = this.#enter(bytes, reading.free);
      throw error;
    }
    reading.free -= bytes;
  }

  /**
   * A capture failed: when it is a full disk, capture stops (the state is entered and re-checks
   * start) and the DiskFullError to answer with is returned; null for any other failure.
   */
  async failed(error: unknown, bytes: number): Promise<DiskFullError | null> {
    if (error instanceof DiskFullError) return error;
    if (!isDiskFullError(error)) return null;
    if (this.#state) return new DiskFullError(this.#state);
    const free = await this.#read();
    return this.#enter(bytes, free, error instanceof Error ? error.message : String(error));
  }

  /** Stops the re-checks (the agent is stopping). */
  stop(): void {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #enter(bytes: number, free: number | null, cause?: string): DiskFullError {
    const needed = bytes + this.#reserve;
    const first = this.#state === null;
    this.#state = {
      code: 'disk_full',
      reason: reasonFor(needed, free, this.#dir),
      since: this.#state?.since ?? new Date(this.#clock.now()).toISOString(),
      freeBytes: free,
      neededBytes: Math.max(needed, this.#state?.neededBytes ?? 0),
    };
    this.#reading = null;
    if (first) {
      this.#log.warn('disk full: capture stopped, files stay where they are; it resumes when there is room', {
        dir: this.#dir,
        freeBytes: free,
        neededBytes: needed,
        ...(cause ? { error: cause } : {}),
      });
      this.#schedule();
      this.#changed();
    }
    return new DiskFullError(this.#state);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => void this.#recheck(), this.#recheckMs); // #recheck never rejects
    this.#timer.unref();
  }

  async #recheck(): Promise<void> {
    this.#timer = null;
    const state = this.#state;
    if (!state || this.#stopped) return;
    const free = await this.#read();
    if (this.#stopped || this.#state !== state) return;
    if (free !== null && free >= state.neededBytes) {
      this.#state = null;
      this.#reading = { at: this.#clock.now(), free };
      this.#log.info('disk has room again: capture resumes', { dir: this.#dir, freeBytes: free, heldSince: state.since });
      this.#changed();
      return;
    }
    // Still full: the reason says how much is missing now.
    this.#state = { ...state, freeBytes: free, reason: reasonFor(state.neededBytes, free, this.#dir) };
    if (this.#state.reason !== state.reason) this.#changed();
    this.#schedule();
  }

  async #read(): Promise<number | null> {
    try {
      return await this.#freeBytes(this.#dir);
    } catch {
      return null;
    }
  }

  #changed(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (error) {
        this.#log.warn('disk space listener failed', { error: String(error) });
      }
    }
  }
}

function reasonFor(needed: number, free: number | null, dir: string): string {
  const missing = free === null ? needed : Math.max(needed - free, 1);
  const freeText = free === null ? '' : ` (${Math.floor(free / MB)} MB free)`;
  return `disk full: ${megabytes(missing)} MB needed${freeText} on the disk of ${dir}; capture resumes by itself when there is room`;
}

function megabytes(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / MB));
}
