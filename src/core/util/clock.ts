// The time as the agent's timed parts see it: the current time and timers. The parts whose behaviour
// depends on time (the folder watcher's stability window, retries and rescans; the outbox's leases,
// backoff and next-due wait; the background loops' sleeps) take a Clock, this system one unless told
// otherwise, so a test can move their time by hand (test/helpers/manual-clock.ts) while files,
// SQLite and sockets stay real.

/** A timer the clock started. `unref()`: it does not keep the process alive (as Node's own timers). */
export interface Timer {
  unref(): void;
}

export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number;
  setTimeout(callback: () => void, ms: number): Timer;
  setInterval(callback: () => void, ms: number): Timer;
  /** Cancels a timer; one already fired, cancelled, or none at all is ignored. */
  clearTimeout(timer: Timer | null | undefined): void;
  clearInterval(timer: Timer | null | undefined): void;
}

/**
 * Date.now() and Node's timers, looked up at each call: code on this clock also follows vitest's fake
 * timers (`vi.useFakeTimers()`) when a test installs them.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearTimeout: (timer) => clearTimeout((timer ?? undefined) as NodeJS.Timeout | undefined),
  clearInterval: (timer) => clearInterval((timer ?? undefined) as NodeJS.Timeout | undefined),
};
