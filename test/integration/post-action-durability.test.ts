// A watched file's post-action (move to sent/, delete) is recorded as done only once it is on disk:
// the capture lets go of its slot after the rename, the folders' fsync runs behind it (shared by a
// burst), and only then does the intake record say "done". A move the fsync did not cover — it
// failed, or a power cut undid the rename — is finished at the next start, never lost or repeated.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { access, mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CaptureService, type FolderCapture } from '../../src/core/intake/capture.ts';
import { prepareCapture } from '../../src/core/intake/capture-worker/prepare-capture.ts';
import { probeFile } from '../../src/core/intake/stable-file.ts';
import type { PostAction } from '../../src/core/store/intake-records.ts';
import type * as PostActions from '../../src/core/intake/post-action.ts';
import { Spool } from '../../src/core/store/spool.ts';
import { Store } from '../../src/core/store/store.ts';
import { DEFAULT_ZIP_LIMITS } from '../../src/core/intake/zip-expander.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

/** The folders' fsync, held or failed by a test; the real one otherwise. */
const folderSync = vi.hoisted(() => ({ hold: null as Promise<void> | null, fail: null as Error | null, calls: [] as string[][] }));
vi.mock('../../src/core/intake/post-action.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof PostActions>();
  return {
    ...actual,
    syncFolders: async (folders: readonly string[]) => {
      folderSync.calls.push([...folders]);
      if (folderSync.hold) await folderSync.hold;
      if (folderSync.fail) throw folderSync.fail;
      await actual.syncFolders(folders);
    },
  };
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  folderSync.hold = null;
  folderSync.fail = null;
  folderSync.calls = [];
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp() {
  const temp = await makeTempDir('recapito-post-action-');
  cleanups.push(temp.cleanup);
  const folder = join(temp.dir, 'drop');
  await mkdir(folder);
  const dataDir = join(temp.dir, 'data');
  const warnings: string[] = [];
  const log = createLogger({ dir: join(dataDir, 'logs'), level: 'info', maxFileBytes: 1 << 20, maxFiles: 1 });
  const warn = log.warn.bind(log);
  log.warn = (message, meta) => {
    warnings.push(message);
    warn(message, meta);
  };
  const spool = new Spool(join(dataDir, 'spool'));
  const limits = { maxFileBytes: 20 << 20, zip: DEFAULT_ZIP_LIMITS, preflight: 'block' as const };
  const stores: Store[] = [];
  /** An agent's capture service over the data folder: a second call is the agent started again. */
  const start = () => {
    const store = new Store(join(dataDir, 'recapito.sqlite'), 'test');
    stores.push(store);
    const capture = new CaptureService({
      store,
      // The worker's own code, run on this thread.
      workers: { prepare: (request) => prepareCapture(request, { spool, limits, inlinePartMaxBytes: 64 * 1024 }) },
      log,
      onQueued: () => undefined,
    });
    return { store, capture };
  };
  cleanups.push(() => stores.forEach((store) => store.close()));
  const drop = async (name: string, text = name): Promise<FolderCapture> => {
    const path = join(folder, name);
    await writeFile(path, makePdf(text));
    const probe = await probeFile(path);
    if (probe.status !== 'file') throw new Error(`${path}: ${probe.status}`);
    return {
      path,
      folder,
      postAction: 'move',
      profile: { id: 'default', requireApproval: false },
      size: probe.size,
      mtimeMs: probe.mtimeMs,
      identity: probe.identity,
    };
  };
  return { folder, start, drop, warnings };
}

function intakeRow(store: Store, path: string): { status: string; destination: string | null; post_action: PostAction } {
  return store.db.prepare('SELECT status, destination, post_action FROM intake_files WHERE path = ? ORDER BY id DESC LIMIT 1').get(path) as {
    status: string;
    destination: string | null;
    post_action: PostAction;
  };
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('post-actions recorded as done only once on disk', () => {
  it('moves the file at once and records the move as done after its folders are fsynced', async () => {
    const { folder, start, drop } = await setUp();
    const { store, capture } = start();
    let release!: () => void;
    folderSync.hold = new Promise<void>((resolve) => (release = resolve));
    const file = await drop('a.pdf');

    // The capture returns without waiting for the fsync: its slot goes to the next file.
    const [document] = await capture.captureFolderFile(file);
    expect(document?.state).toBe('queued');
    expect(await exists(file.path)).toBe(false);
    expect(await readdir(join(folder, 'sent'))).toEqual(['a.pdf']);
    const before = intakeRow(store, file.path);
    expect(before.status).toBe('pending'); // not on disk yet: not done
    expect(before.destination).toBe(join(folder, 'sent', 'a.pdf')); // chosen in the capture's own commit
    expect(folderSync.calls).toEqual([[join(folder, 'sent'), folder]]);

    let settled = false;
    void capture.settled().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    release();
    await capture.settled();
    expect(intakeRow(store, file.path).status).toBe('done');
  });

  it('shares the fsync among the moves of a burst and numbers a name already in sent/', async () => {
    const { folder, start, drop } = await setUp();
    const { store, capture } = start();
    const first = await drop('same.pdf', 'first');
    await capture.captureFolderFile(first);
    await capture.settled();
    const files = await Promise.all(['b1.pdf', 'b2.pdf', 'b3.pdf'].map((name) => drop(name)));
    const again = await drop('same.pdf', 'second, same name');
    await Promise.all([...files, again].map((file) => capture.captureFolderFile(file)));
    await capture.settled();
    expect((await readdir(join(folder, 'sent'))).sort()).toEqual(['b1.pdf', 'b2.pdf', 'b3.pdf', 'same (2).pdf', 'same.pdf']);
    expect(intakeRow(store, again.path)).toMatchObject({ status: 'done', destination: join(folder, 'sent', 'same (2).pdf') });
    for (const file of files) expect(intakeRow(store, file.path).status).toBe('done');
    expect(await readdir(folder)).toEqual(['sent']);
  });

  it('keeps a move whose fsync failed pending, logs it, and finishes it at the next start', async () => {
    const { folder, start, drop, warnings } = await setUp();
    const first = start();
    folderSync.fail = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    const file = await drop('c.pdf');
    await first.capture.captureFolderFile(file);
    await first.capture.settled();
    expect(intakeRow(first.store, file.path).status).toBe('pending');
    expect(warnings).toContain('post-action done but not confirmed on disk; it is checked again at the next start');
    expect(await readdir(join(folder, 'sent'))).toEqual(['c.pdf']);

    folderSync.fail = null;
    first.store.close();
    const second = start();
    expect(await second.capture.recoverPendingPostActions()).toBe(1);
    expect(intakeRow(second.store, file.path).status).toBe('done');
    expect(await readdir(join(folder, 'sent'))).toEqual(['c.pdf']);
    expect(second.store.db.prepare('SELECT COUNT(*) AS n FROM documents').get()).toEqual({ n: 1 }); // not captured twice
  });

  it('moves the file again at the next start when a power cut undid the rename before the fsync', async () => {
    const { folder, start, drop } = await setUp();
    const first = start();
    let release!: () => void;
    folderSync.hold = new Promise<void>((resolve) => (release = resolve));
    const file = await drop('d.pdf');
    await first.capture.captureFolderFile(file);
    // The power cut: the agent is gone, and the rename never reached the disk.
    await rename(join(folder, 'sent', 'd.pdf'), file.path);
    first.store.close();
    folderSync.hold = null;
    release();

    const second = start();
    expect(intakeRow(second.store, file.path).status).toBe('pending');
    expect(await second.capture.recoverPendingPostActions()).toBe(1);
    expect(await exists(file.path)).toBe(false);
    expect(await readdir(join(folder, 'sent'))).toEqual(['d.pdf']); // to the name recorded, not 'd (2).pdf'
    expect(intakeRow(second.store, file.path).status).toBe('done');
    expect(second.store.db.prepare('SELECT COUNT(*) AS n FROM documents').get()).toEqual({ n: 1 });
  });

  it('deletes at once and records the deletion as done after the folder is fsynced', async () => {
    const { folder, start, drop } = await setUp();
    const { store, capture } = start();
    let release!: () => void;
    folderSync.hold = new Promise<void>((resolve) => (release = resolve));
    const file = { ...(await drop('e.pdf')), postAction: 'delete' as const };
    await capture.captureFolderFile(file);
    expect(await exists(file.path)).toBe(false);
    expect(intakeRow(store, file.path)).toMatchObject({ status: 'pending', post_action: 'delete', destination: null });
    expect(folderSync.calls).toEqual([[folder]]);
    release();
    await capture.settled();
    expect(intakeRow(store, file.path).status).toBe('done');
  });

  it('waits for nothing when the file is left in place', async () => {
    const { start, drop } = await setUp();
    const { store, capture } = start();
    folderSync.hold = new Promise<void>(() => undefined); // would never end
    const file = { ...(await drop('f.pdf')), postAction: 'leave' as const };
    await capture.captureFolderFile(file);
    expect(await exists(file.path)).toBe(true);
    expect(intakeRow(store, file.path).status).toBe('done');
    expect(folderSync.calls).toEqual([]);
    await capture.settled(); // nothing to settle: a held fsync would time this test out
  });
});
