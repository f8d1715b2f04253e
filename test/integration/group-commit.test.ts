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

describe('group commit', () => {
  it('commits concurrent work together, rolling back only the piece that throws', async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    store = new Store(join(temp.dir, 'db.sqlite'), 'test');
    const s = store;
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
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    store = new Store(join(temp.dir, 'db.sqlite'), 'test');
    const s = store;
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
});
