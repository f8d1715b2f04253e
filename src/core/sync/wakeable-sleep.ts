// A sleep that a `wake()` or an abort ends early: workers wait on it instead of polling hot.
import { systemClock, type Clock } from '../util/clock.ts';

export class WakeableSleep {
  private readonly clock: Clock;
  private wakeUp: (() => void) | null = null;
  private woken = false;

  constructor(clock: Clock = systemClock) {
    this.clock = clock;
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.woken || signal?.aborted) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wakeUp = null;
        this.woken = false;
        resolve();
      };
      const timer = this.clock.setTimeout(done, Math.max(0, ms));
      this.wakeUp = done;
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** Capped exponential backoff with full jitter (attempt 1 → up to base, then doubling). */
export function fullJitterBackoff(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}
