// A Clock (src/core/util/clock.ts) whose time moves only when the test says so. Give it to the part
// under test (`new FolderWatcher({ …, clock })`, `new Outbox({ …, clock })`); files, SQLite and
// chokidar stay real. `advance(ms)` fires the part's timers in due order, and after each one lets
// the work it started run to its next wait on this clock (see settle()), so what the test reads
// next is the state at that instant of the manual time.
//
// Limits:
// - Real I/O still takes real time. settle() waits for this process's file-system requests (stat,
//   open, read, fsync…) and for chains of setImmediate, such as a group commit. It does not see
//   sockets, child processes, worker threads, chokidar's notice of a change, or Node's own timers:
//   wait for those with waitFor() (test/helpers/wait-for.ts) before advancing, or make them happen
//   by a call (`watcher.rescanNow()` instead of waiting for chokidar).
// - Only the code given this clock runs on it. Code on the system clock (another part, the store's
//   default `Date.now()`) keeps real time, so a test creates its rows with `clock.now()`.
// - It does not install itself anywhere: Date.now() and setTimeout stay real. Do not mix it with
//   vi.useFakeTimers() in one test.
import { setImmediate as realSetImmediate, setTimeout as realSetTimeout } from 'node:timers';
import type { Clock, Timer } from '../../src/core/util/clock.ts';

/** 2035-01-01: far from the real time, so a part reading Date.now() where it should read the clock shows. */
const DEFAULT_START = Date.UTC(2035, 0, 1);
/** setImmediate rounds in a row with no file-system request in flight before settle() returns. */
const QUIET_ROUNDS = 5;
/** Real time settle() waits for file-system requests before it gives up (a backstop, like waitFor's). */
const SETTLE_TIMEOUT_MS = 20_000;
/** Timers fired by one advance() before it decides a callback re-arms itself at the same instant forever. */
const MAX_FIRINGS = 100_000;
const realNow = Date.now;

class ManualTimer implements Timer {
  readonly id: number;
  due: number;
  readonly callback: () => void;
  /** null for a timeout; the period of an interval. */
  readonly everyMs: number | null;

  constructor(id: number, due: number, callback: () => void, everyMs: number | null) {
    this.id = id;
    this.due = due;
    this.callback = callback;
    this.everyMs = everyMs;
  }

  unref(): void {
    // Nothing keeps the process alive here.
  }
}

export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Set<ManualTimer>();

  constructor(start = DEFAULT_START) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** A delay below 0 (or NaN) counts as 0: the timer fires at the next advance(), advance(0) included. */
  setTimeout(callback: () => void, ms: number): Timer {
    return this.#add(callback, delay(ms), null);
  }

  /** Every `ms` (at least 1), the first time `ms` from now. */
  setInterval(callback: () => void, ms: number): Timer {
    const every = Math.max(1, delay(ms));
    return this.#add(callback, every, every);
  }

  clearTimeout(timer: Timer | null | undefined): void {
    if (timer instanceof ManualTimer) this.#timers.delete(timer);
  }

  clearInterval(timer: Timer | null | undefined): void {
    this.clearTimeout(timer);
  }

  /** How long until each pending timer fires, soonest first: `[]` when nothing is scheduled. */
  pending(): number[] {
    return [...this.#timers].map((timer) => timer.due - this.#now).sort((a, b) => a - b);
  }

  /**
   * Moves the time `ms` forward. Each timer due by then fires at its own instant (now() is its due
   * time while it runs), in due order, ties in the order they were set; after each, settle() lets
   * the work it started run. Timers those callbacks set fire too if they fall due within `ms`.
   * Resolves at the new time, with the work settled. A callback that throws rejects the advance.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ${ms} is not a duration`);
    const target = this.#now + ms;
    await this.settle();
    for (let fired = 0; ; fired += 1) {
      const next = this.#nextDue(target);
      if (!next) break;
      if (fired >= MAX_FIRINGS) throw new Error(`ManualClock.advance: over ${MAX_FIRINGS} timers fired; one re-arms itself without letting time pass`);
      this.#now = next.due;
      if (next.everyMs === null) this.#timers.delete(next);
      else next.due += next.everyMs;
      next.callback();
      await this.settle();
    }
    this.#now = target;
  }

  /**
   * Lets the work already started run without moving the time: the pending promise callbacks, the
   * setImmediate chains they start, and the file-system requests in flight (it waits for those in
   * real time). Returns once QUIET_ROUNDS passes of the event loop in a row find no file-system
   * request in flight.
   */
  async settle(): Promise<void> {
    const deadline = realNow() + SETTLE_TIMEOUT_MS;
    for (let quiet = 0; quiet < QUIET_ROUNDS;) {
      await new Promise((resolve) => realSetImmediate(resolve));
      if (!fileRequestsInFlight()) {
        quiet += 1;
        continue;
      }
      quiet = 0;
      if (realNow() > deadline)
        throw new Error(
          `ManualClock.settle: file-system requests still in flight after ${SETTLE_TIMEOUT_MS} ms: ${process.getActiveResourcesInfo().join(', ')}`,
        );
      await new Promise((resolve) => realSetTimeout(resolve, 1)); // a real millisecond, not a hot loop
    }
  }

  #add(callback: () => void, ms: number, everyMs: number | null): ManualTimer {
    const timer = new ManualTimer(this.#nextId, this.#now + ms, callback, everyMs);
    this.#nextId += 1;
    this.#timers.add(timer);
    return timer;
  }

  #nextDue(limit: number): ManualTimer | undefined {
    let next: ManualTimer | undefined;
    for (const timer of this.#timers) {
      if (timer.due > limit) continue;
      if (!next || timer.due < next.due || (timer.due === next.due && timer.id < next.id)) next = timer;
    }
    return next;
  }
}

function delay(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/**
 * fs and fs/promises requests (stat, open, read, write, fsync, close) show as FSReqCallback,
 * FSReqPromise, CloseReq or FileHandleCloseReq until their callback has run; watchers
 * (FSEventWrap, StatWatcher) are long-lived handles and do not count.
 */
function fileRequestsInFlight(): boolean {
  return process.getActiveResourcesInfo().some((type) => type.startsWith('FSReq') || type.endsWith('CloseReq'));
}
