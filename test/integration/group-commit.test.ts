// Group commit: concurrent durable work shares one transaction; a failing piece is rolled back
// alone and its caller gets the error, the others commit.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store } from '../../src/core/store/store.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let cleanup: (() => Promise<void>) | null = null;
let store: Store | null = null;
afterEach(async () => {
  store?.close();
  await cleanup?.();
  store = null;
  cleanup = null;
});

/** A fresh store in a temporary folder, closed and removed after the test. */
async function openStore(): Promise<Store> {
  const temp = await makeTempDir();
  cleanup = temp.cleanup;
  store = new Store(join(temp.dir, 'db.sqlite'), 'test');
  return store;
}

describe('group commit', () => {
  it('commits concurrent work together, rolling back only the piece that throws', async () => {
    const s = await openStore();
    const commits: number[] = [];
    s.events.onAppended(() => commits.push(s.events.lastSeq()));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        s.groupCommit.durable(() => {
          s.kv.set(`k${i}`, i);
          s.events.append({ type: 'test.piece', message: String(i) });
          if (i === 7) throw new Error('piece 7 fails');
          return i * 2;
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => i * 2).filter((v) => v !== 14));
    expect((results[7] as PromiseRejectedResult).reason).toEqual(new Error('piece 7 fails'));
    expect(s.kv.get('k7')).toBeNull();
    expect(s.kv.get('k19')).toBe(19);
    expect(s.events.since(0, 100).map((e) => e.message)).not.toContain('7');
    expect(s.events.lastSeq()).toBe(19);
    expect(commits).toHaveLength(1); // one transaction for all twenty
    expect(s.events.verify().ok).toBe(true);
  });

  it('lets batched writes share the durable commit, answered without waiting for its fsync', async () => {
    const s = await openStore();
    let commits = 0;
    s.events.onAppended(() => (commits += 1));
    let syncing = false;
    const realSync = s.syncToDisk.bind(s);
    s.syncToDisk = async () => {
      syncing = true;
      await new Promise((resolve) => setTimeout(resolve, 50));
      await realSync();
      syncing = false;
    };
    const answeredDuringSync: boolean[] = [];
    const durable = s.groupCommit.durable(() => s.events.append({ type: 'test.durable' }));
    const batched = Array.from({ length: 5 }, (_, i) =>
      s.groupCommit
        .batched(() => {
          s.kv.set(`b${i}`, i);
          if (i === 2) throw new Error('batched piece 2 fails');
          return i;
        })
        .then((value) => {
          answeredDuringSync.push(syncing);
          return value;
        }),
    );
    const results = await Promise.allSettled(batched);
    await durable;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(s.kv.get('b2')).toBeNull();
    expect(s.kv.get('b4')).toBe(4);
    expect(answeredDuringSync).toEqual([true, true, true, true]); // committed, not waiting for the fsync
    expect(syncing).toBe(false);
    expect(commits).toBe(1);
  });

  it('holds durable work that arrives during an fsync for one group after it; batched work does not wait', async () => {
    const s = await openStore();
    let commits = 0;
    s.events.onAppended(() => (commits += 1));
    const realSync = s.syncToDisk.bind(s);
    const releases: (() => void)[] = [];
    let syncs = 0;
    s.syncToDisk = async () => {
      syncs += 1;
      await new Promise<void>((resolve) => releases.push(resolve));
      await realSync();
    };
    const first = s.groupCommit.durable(() => s.events.append({ type: 'test.first' }));
    await waitUntil(() => releases.length === 1); // the first group is committed; its fsync hangs
    expect(commits).toBe(1);

    const later = Array.from({ length: 5 }, (_, i) =>
      s.groupCommit.durable(() => {
        s.kv.set(`later${i}`, i);
        s.events.append({ type: 'test.later' });
        return i;
      }),
    );
    const batched = s.groupCommit.batched(() => {
      s.kv.set('batched', 1);
      return 'answered';
    });
    // Batched work commits and is answered while the fsync still runs; durable work waits for it.
    expect(await batched).toBe('answered');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(s.kv.get('batched')).toBe(1);
    expect(s.kv.get('later0')).toBeNull();
    expect(commits).toBe(2); // the first group, and the batched work's own commit

    releases.shift()!();
    await first;
    await waitUntil(() => releases.length === 1); // the five, committed as one group: their own fsync
    expect(commits).toBe(3);
    expect(s.kv.get('later4')).toBe(4);
    let answered = false;
    void Promise.all(later).then(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answered).toBe(false); // not before that fsync
    releases.shift()!();
    expect(await Promise.all(later)).toEqual([0, 1, 2, 3, 4]);
    expect(syncs).toBe(2);
  });

  it('answers durable work with the error when its fsync fails, and the next group still runs', async () => {
    const s = await openStore();
    const realSync = s.syncToDisk.bind(s);
    let fail = true;
    s.syncToDisk = async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (fail) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
      await realSync();
    };
    const failing = s.groupCommit.durable(() => s.kv.set('a', 1));
    const waiting = s.groupCommit.durable(() => s.kv.set('b', 2)); // same turn: same group
    await expect(failing).rejects.toThrow('EIO');
    await expect(waiting).rejects.toThrow('EIO');
    fail = false;
    await expect(s.groupCommit.durable(() => s.kv.set('c', 3))).resolves.toBeUndefined();
    expect(s.kv.get('c')).toBe(3);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(condition()).toBe(true);
}
