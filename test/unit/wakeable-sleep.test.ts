// The sleep the outbox and the background loops wait on, and their backoff, on a manual clock.
import { describe, expect, it } from 'vitest';
import { BackgroundLoop } from '../../src/core/sync/background-loop.ts';
import { WakeableSleep, fullJitterBackoff } from '../../src/core/sync/wakeable-sleep.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

// sleep() never rejects (an abort ends it like a wake), so the sleeps these tests only watch may float.
describe('WakeableSleep', () => {
  it('ends after its time and not a millisecond before', async () => {
    const clock = new ManualClock(0);
    let woke: number | null = null;
    void new WakeableSleep(clock).sleep(1_000).then(() => (woke = clock.now()));
    await clock.advance(999);
    expect(woke).toBeNull();
    await clock.advance(1);
    expect(woke).toBe(1_000);
  });

  it('ends early on wake() or abort, and leaves no timer behind', async () => {
    const clock = new ManualClock(0);
    const sleeper = new WakeableSleep(clock);
    let ended = false;
    void sleeper.sleep(60_000).then(() => (ended = true));
    await clock.advance(10);
    sleeper.wake();
    await clock.settle();
    expect(ended).toBe(true);
    expect(clock.pending()).toEqual([]);

    const controller = new AbortController();
    ended = false;
    void sleeper.sleep(60_000, controller.signal).then(() => (ended = true));
    controller.abort();
    await clock.settle();
    expect(ended).toBe(true);
    expect(clock.pending()).toEqual([]);
  });

  it('returns at once when woken before it sleeps, once', async () => {
    const clock = new ManualClock(0);
    const sleeper = new WakeableSleep(clock);
    sleeper.wake();
    await sleeper.sleep(60_000); // would hang: the clock does not move
    let ended = false;
    void sleeper.sleep(60_000).then(() => (ended = true));
    await clock.advance(59_999);
    expect(ended).toBe(false); // the wake was used up
    await clock.advance(1);
    expect(ended).toBe(true);
  });
});

describe('BackgroundLoop', () => {
  it('runs its body on the clock it is given, and stop() ends the sleep at once', async () => {
    const clock = new ManualClock(0);
    const runs: number[] = [];
    const loop = new BackgroundLoop(async (signal) => {
      while (!signal.aborted) {
        runs.push(clock.now());
        await loop.sleeper.sleep(300_000, signal);
      }
    }, clock);
    loop.start();
    await clock.advance(900_000);
    expect(runs).toEqual([0, 300_000, 600_000, 900_000]);
    loop.wake();
    await clock.settle();
    expect(runs).toEqual([0, 300_000, 600_000, 900_000, 900_000]);
    await loop.stop(); // would wait 300 s of a clock that does not move if the sleep ignored the abort
    expect(clock.pending()).toEqual([]);
  });
});

describe('fullJitterBackoff', () => {
  it('draws up to base × 2^(attempt−1), capped', () => {
    const top = () => 1;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => fullJitterBackoff(attempt, 1_000, 10_000, top))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(fullJitterBackoff(3, 1_000, 10_000, () => 0.5)).toBe(2_000);
    expect(fullJitterBackoff(3, 1_000, 10_000, () => 0)).toBe(0);
  });
});
