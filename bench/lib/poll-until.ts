// Waiting for something the benchmark can only observe by asking again (a row in the agent's
// database): every `intervalMs`, until it is there, the reason it never will be, or a deadline.
import { setTimeout as sleep } from 'node:timers/promises';

export type Polled<T> = { value: T; reason: null } | { value: null; reason: string };

/** Calls `probe` until it returns something other than null, `stopped` gives a reason, or `timeoutMs` pass. */
export async function pollUntil<T>(
  probe: () => T | null,
  options: { timeoutMs: number; intervalMs: number; stopped: () => string | null },
): Promise<Polled<T>> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null) return { value, reason: null };
    const why = options.stopped();
    if (why) return { value: null, reason: why };
    if (Date.now() > deadline) return { value: null, reason: `not there after ${options.timeoutMs / 1000} s` };
    await sleep(options.intervalMs);
  }
}
