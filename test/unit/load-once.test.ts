// loadOnce: the packages loaded on first use are loaded once, by whoever asks first, and a failed
// load does not stay failed.
import { describe, expect, it } from 'vitest';
import { loadOnce } from '../../src/core/util/load-once.ts';

describe('loadOnce', () => {
  it('runs the loader once for every caller, at once or later', async () => {
    let runs = 0;
    const load = loadOnce(async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { name: 'library' };
    });
    const [first, second] = await Promise.all([load(), load()]);
    expect(first).toBe(second);
    expect(await load()).toBe(first);
    expect(runs).toBe(1);
  });

  it('tries again after a failed load, and keeps what then loads', async () => {
    let runs = 0;
    const load = loadOnce(async () => {
      runs += 1;
      if (runs === 1) throw new Error('EMFILE: too many open files');
      return runs;
    });
    await expect(load()).rejects.toThrow(/EMFILE/);
    expect(await load()).toBe(2);
    expect(await load()).toBe(2);
    expect(runs).toBe(2);
  });
});
