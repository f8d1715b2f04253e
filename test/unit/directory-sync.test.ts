// Folder fsyncs shared among concurrent callers: nobody is answered by a sync that may have started
// before their call, and a burst costs a few syncs, not one each.
import { describe, expect, it } from 'vitest';
import { DirectorySyncCoalescer } from '../../src/core/util/fsync.ts';

interface FakeSync {
  dir: string;
  finish: (error?: Error) => void;
}

function fakeFolders(): { syncs: FakeSync[]; coalescer: DirectorySyncCoalescer } {
  const syncs: FakeSync[] = [];
  const coalescer = new DirectorySyncCoalescer(
    (dir) =>
      new Promise<void>((resolve, reject) => {
        syncs.push({ dir, finish: (error) => (error ? reject(error) : resolve()) });
      }),
  );
  return { syncs, coalescer };
}

const settled = (promise: Promise<unknown>): { done: boolean } => {
  const state = { done: false };
  promise.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  return state;
};

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('directory sync coalescer', () => {
  it('answers callers who arrive during a sync only with the next one, shared among them', async () => {
    const { syncs, coalescer } = fakeFolders();
    const first = settled(coalescer.sync('/sent'));
    expect(syncs).toHaveLength(1);
    // Arriving while the first sync runs: their renames may be later than its start.
    const waiting = Array.from({ length: 50 }, () => settled(coalescer.sync('/sent')));
    await flush();
    expect(syncs).toHaveLength(1);
    syncs[0]!.finish();
    await flush();
    expect(first.done).toBe(true);
    expect(waiting.some((w) => w.done)).toBe(false);
    expect(syncs).toHaveLength(2); // one more sync for all fifty
    syncs[1]!.finish();
    await flush();
    expect(waiting.every((w) => w.done)).toBe(true);
    // Quiet again: the next caller starts a sync of its own at once.
    void coalescer.sync('/sent'); // never settles: the fake sync is not finished
    expect(syncs).toHaveLength(3);
  });

  it('keeps folders apart and passes a failed sync to exactly the callers it was for', async () => {
    const { syncs, coalescer } = fakeFolders();
    const sent = coalescer.sync('/sent');
    const errors = coalescer.sync('/errors');
    const sentLater = coalescer.sync('/sent');
    expect(syncs.map((s) => s.dir)).toEqual(['/sent', '/errors']);
    syncs[0]!.finish(new Error('EIO'));
    syncs[1]!.finish();
    await expect(sent).rejects.toThrow('EIO');
    await expect(errors).resolves.toBeUndefined();
    await flush();
    // The failure of the sync before does not answer the callers of the next one.
    expect(syncs.map((s) => s.dir)).toEqual(['/sent', '/errors', '/sent']);
    syncs[2]!.finish();
    await expect(sentLater).resolves.toBeUndefined();
  });
});
