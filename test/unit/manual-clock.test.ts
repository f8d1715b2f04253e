// The test clock itself (test/helpers/manual-clock.ts): timers fire at their instant and in order,
// and the work a timer starts, file reads included, has run before the next timer is looked at.
import { describe, expect, it } from 'vitest';
import { stat } from 'node:fs/promises';
import { ManualClock } from '../helpers/manual-clock.ts';

describe('ManualClock', () => {
  it('fires each timer at its own instant, in due order, ties in the order they were set', async () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`zero@${clock.now()}`), 0);
    expect(clock.pending()).toEqual([0, 10, 20, 20]);
    await clock.advance(0);
    expect(fired).toEqual(['zero@1000']);
    await clock.advance(9);
    expect(fired).toEqual(['zero@1000']); // 1 ms early: nothing
    await clock.advance(15);
    expect(fired).toEqual(['zero@1000', 'a@1010', 'b@1020', 'c@1020']);
    expect(clock.now()).toBe(1_024);
    expect(clock.pending()).toEqual([]);
  });

  it('repeats an interval every period until it is cleared; a cleared timeout never fires', async () => {
    const clock = new ManualClock(0);
    const ticks: number[] = [];
    const interval = clock.setInterval(() => ticks.push(clock.now()), 100);
    const never = clock.setTimeout(() => ticks.push(-1), 50);
    clock.clearTimeout(never);
    await clock.advance(350);
    expect(ticks).toEqual([100, 200, 300]);
    clock.clearInterval(interval);
    await clock.advance(1_000);
    expect(ticks).toEqual([100, 200, 300]);
  });

  it('lets the file reads a timer starts finish before it looks for the next timer', async () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      // Real I/O (one stat after another: each takes a turn of the event loop at least), then a timer
      // 10 ms later: it falls within this advance only if the stats have been waited for before the
      // next due timer was chosen.
      // The stats are of this very file: nothing to reject.
      void (async () => {
        for (let i = 0; i < 20; i += 1) await stat(import.meta.filename);
        clock.setTimeout(() => fired.push(clock.now()), 10);
      })();
    }, 5);
    await clock.advance(15);
    expect(fired).toEqual([15]);
  });

  it('rejects the advance when a callback throws', async () => {
    const clock = new ManualClock();
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 1);
    await expect(clock.advance(1)).rejects.toThrow('boom');
  });
});
