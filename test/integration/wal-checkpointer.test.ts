// SQLite's WAL checkpoints run on their own thread while the agent runs: the main connection never
// checkpoints inside a commit (wal_autocheckpoint = 0), yet the pages reach the database file and
// the WAL does not grow without bound; stopping hands checkpoints back to the main connection.
import { afterEach, describe, expect, it } from 'vitest';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Store } from '../../src/core/store/store.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

const warnings: string[] = [];
const log = { warn: (message: string) => warnings.push(message) };

/** About 6 MB of rows (some 26 MB of WAL), in many small commits like the agent's, with the event loop turning now and then. */
async function writeRows(store: Store, from: number): Promise<void> {
  const payload = 'x'.repeat(2000);
  for (let i = from; i < from + 3000; i += 1) {
    store.transaction(() => store.kv.set(`key-${i}`, payload));
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('WAL checkpoints off the event loop', () => {
  it('copies the WAL into the database file from another thread, and hands back on stop', async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    const file = join(temp.dir, 'db.sqlite');
    const store = new Store(file, 'test');
    try {
      const sizeBefore = (await stat(file)).size;
      store.startBackgroundCheckpoints(log, { intervalMs: 20, walLimitBytes: 4 * 1024 * 1024 });
      expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      await writeRows(store, 0);
      // The main connection did not checkpoint (autocheckpoint is off), so only the thread can have
      // grown the database file by the rows' size.
      await waitFor('pages checkpointed into the database file', async () => (await stat(file)).size > sizeBefore + 5_000_000, 10_000, 50);
      await writeRows(store, 3000);
      await waitFor('the second batch checkpointed', async () => (await stat(file)).size > sizeBefore + 11_000_000, 10_000, 50);
      // Past the limit the thread truncates the WAL (a passive checkpoint never shrinks it): it comes
      // back under the limit, far below the ~50 MB the two batches wrote into it. Waited for, not
      // sampled: on a loaded machine the thread may get its turn only after the writes.
      await waitFor('the WAL truncated', async () => (await stat(`${file}-wal`)).size < 4 * 1024 * 1024, 10_000, 50);

      await store.stopBackgroundCheckpoints();
      expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      expect(warnings).toEqual([]);
      expect(store.kv.get('key-5999')).toHaveLength(2000);
    } finally {
      await store.stopBackgroundCheckpoints();
      store.close();
    }
  });

  it('ends the thread while nothing is committed, and the next commit starts it again', async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    const file = join(temp.dir, 'db.sqlite');
    const store = new Store(file, 'test');
    try {
      store.startBackgroundCheckpoints(log, { intervalMs: 20, idleMs: 200 });
      expect(store.backgroundCheckpointsRunning).toBe(true);
      store.transaction(() => store.kv.set('first', 'x'.repeat(2000)));
      // Nothing more is written: the thread copies what there is, truncates the WAL and ends, and
      // the main connection checkpoints by itself meanwhile.
      await waitFor('the thread ended', () => !store.backgroundCheckpointsRunning, 10_000, 20);
      expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      expect((await stat(`${file}-wal`)).size).toBe(0);

      // A commit starts it again, and it checkpoints as before.
      const sizeBefore = (await stat(file)).size;
      await writeRows(store, 0);
      expect(store.backgroundCheckpointsRunning || store.db.pragma('wal_autocheckpoint', { simple: true }) === 1000).toBe(true);
      await waitFor('pages checkpointed into the database file', async () => (await stat(file)).size > sizeBefore + 5_000_000, 10_000, 50);
      await waitFor('the thread ended again', () => !store.backgroundCheckpointsRunning, 10_000, 20);
      store.transaction(() => store.kv.set('last', 'y'));
      expect(store.backgroundCheckpointsRunning).toBe(true);
      expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);

      await store.stopBackgroundCheckpoints();
      expect(store.backgroundCheckpointsRunning).toBe(false);
      expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      expect(warnings).toEqual([]);
      expect(store.kv.get('key-2999')).toHaveLength(2000);
    } finally {
      await store.stopBackgroundCheckpoints();
      store.close();
    }
  });
});
