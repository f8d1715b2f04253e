import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderWatcher } from '../../src/core/intake/folder-watcher.ts';
import type { FolderWatcherOptions, StableFile, WatcherState } from '../../src/core/intake/folder-watcher.ts';
import { NOBODY } from '../helpers/become-user.ts';

let root: string;
let folder: string;
const watchers: FolderWatcher[] = [];

beforeEach(async () => {
  root = await fs.mkdtemp(join(tmpdir(), 'recapito-watch-'));
  folder = join(root, 'inbox');
  await fs.mkdir(folder);
});
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((watcher) => watcher.stop()));
  await fs.rm(root, { recursive: true, force: true });
});

interface Harness {
  watcher: FolderWatcher;
  emitted: StableFile[];
  states: WatcherState[];
  errors: string[];
}

/**
 * Root reads every file: as root the watcher runs in a child process that becomes user nobody
 * (after loading its modules, so nobody needs no access to the checkout) and says so in its ready line.
 */
function startWatcherChild(watched: string): { process: ChildProcess; lines: Record<string, unknown>[] } {
  const asNobody = process.getuid?.() === 0 ? [String(NOBODY)] : [];
  const child = spawn(process.execPath, [fileURLToPath(new URL('../helpers/watch-folder-child.ts', import.meta.url)), watched, ...asNobody], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  return { process: child, lines };
}

function createWatcher(options: Partial<FolderWatcherOptions> = {}): Harness {
  const emitted: StableFile[] = [];
  const states: WatcherState[] = [];
  const errors: string[] = [];
  const watcher = new FolderWatcher({
    folder,
    stableWindowMs: 200,
    rescanIntervalMs: 60_000, // long: events, not rescans, must deliver unless a test says otherwise
    excludeDirs: ['sent', 'errors'],
    onStable: async (file) => {
      emitted.push(file);
    },
    onStateChange: (state) => states.push(state),
    log: { info: () => undefined, warn: () => undefined, error: (msg) => errors.push(msg) },
    ...options,
  });
  watchers.push(watcher);
  return { watcher, emitted, states, errors };
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const names = (files: StableFile[]): string[] => files.map((file) => file.name).sort();

describe('FolderWatcher', () => {
  it('emits existing files at start, never ignored names, subfolders or excluded folders', async () => {
    await fs.writeFile(join(folder, 'a.pdf'), '%PDF-a');
    await fs.writeFile(join(folder, 'b.xml'), '<b/>');
    const ignored = ['.hidden.pdf', 'x.tmp', 'y.part', '~$fattura.docx', 'dl.pdf.crdownload', 'a.pdf~', 'Thumbs.db', 'desktop.ini', 'a.pdf.error.txt', 'z.partial', 'w.temp', '.swp.swp'];
    for (const name of ignored) await fs.writeFile(join(folder, name), 'ignored');
    for (const sub of ['sent', 'errors', 'other']) {
      await fs.mkdir(join(folder, sub));
      await fs.writeFile(join(folder, sub, `${sub}.pdf`), 'nested');
    }
    await fs.symlink(join(folder, 'a.pdf'), join(folder, 'link.pdf'));

    const { watcher, emitted, states } = createWatcher();
    await watcher.start();
    expect(watcher.state).toBe('watching');
    expect(states).toEqual(['starting', 'watching']);
    await waitFor('two existing files', () => emitted.length >= 2);
    for (const name of ['later.tmp', '.later', '~$later.xlsx']) await fs.writeFile(join(folder, name), 'ignored');
    await fs.writeFile(join(folder, 'sent', 'late.pdf'), 'nested');
    await sleep(400);
    expect(names(emitted)).toEqual(['a.pdf', 'b.xml']);
    expect(emitted.find((file) => file.name === 'a.pdf')).toMatchObject({ path: join(folder, 'a.pdf'), size: 6 });
  });

  it('emits a new file from watcher events, once, with its size, mtime and identity', async () => {
    const { watcher, emitted } = createWatcher();
    await watcher.start();
    await fs.writeFile(join(folder, 'new.pdf'), '%PDF-new');
    await waitFor('new file', () => emitted.length === 1);
    const stats = await fs.stat(join(folder, 'new.pdf'), { bigint: true });
    // mtimeMs as a plain stat() reports it: the capture compares it with what it opens.
    expect(emitted[0]).toEqual({ path: join(folder, 'new.pdf'), name: 'new.pdf', size: 8, mtimeMs: (await fs.stat(join(folder, 'new.pdf'))).mtimeMs, identity: `${stats.dev}:${stats.ino}` });
    await watcher.rescanNow();
    await sleep(300);
    expect(emitted).toHaveLength(1); // unchanged after handling: not emitted again
  });

  it('waits for a file written slowly in pieces and emits it once, with its final size', async () => {
    const { watcher, emitted } = createWatcher({ stableWindowMs: 500 });
    await watcher.start();
    const path = join(folder, 'slow.xml');
    const handle = await fs.open(path, 'w');
    const chunk = Buffer.alloc(1000, 0x41);
    for (let piece = 0; piece < 10; piece += 1) {
      await handle.write(chunk);
      await handle.sync();
      await sleep(150);
      expect(emitted, `emitted while still being written (piece ${piece})`).toHaveLength(0);
    }
    await handle.close();
    const finishedAt = Date.now();
    await waitFor('slow file', () => emitted.length === 1, 4000);
    const emittedAt = Date.now();
    expect(emitted[0]?.size).toBe(10_000);
    expect(emittedAt - finishedAt).toBeGreaterThanOrEqual(300);
    await sleep(300);
    expect(emitted).toHaveLength(1);
  });

  it('emits a file again when it changes after being handled', async () => {
    const { watcher, emitted } = createWatcher();
    await watcher.start();
    const path = join(folder, 'again.xml');
    await fs.writeFile(path, '<v1/>');
    await waitFor('first version', () => emitted.length === 1);
    await fs.writeFile(path, '<version2/>');
    await waitFor('second version', () => emitted.length === 2);
    expect(emitted.map((file) => file.size)).toEqual([5, 11]);
  });

  it('never hands over a path while its handler runs; a change during handling is emitted afterwards', async () => {
    const running = new Set<string>();
    let overlaps = 0;
    const sizes: number[] = [];
    const { watcher } = createWatcher({
      rescanIntervalMs: 150,
      onStable: async (file) => {
        if (running.has(file.path)) overlaps += 1;
        running.add(file.path);
        sizes.push(file.size);
        await sleep(500);
        running.delete(file.path);
      },
    });
    await watcher.start();
    const path = join(folder, 'busy.pdf');
    await fs.writeFile(path, 'one');
    await waitFor('first hand-over', () => sizes.length === 1);
    await fs.appendFile(path, '-two');
    await waitFor('second hand-over', () => sizes.length === 2, 4000);
    expect(overlaps).toBe(0);
    expect(sizes).toEqual([3, 7]);
  });

  it('retries a file whose handler throws, with a delay that does not hold up other files', async () => {
    const attempts: number[] = [];
    const order: string[] = [];
    let otherHandledAt = 0;
    const { watcher, errors } = createWatcher({
      onStable: async (file) => {
        order.push(file.name);
        if (file.name === 'other.pdf') otherHandledAt = Date.now();
        if (file.name !== 'retry.pdf') return;
        attempts.push(Date.now());
        if (attempts.length === 1) throw new Error('database is locked');
      },
    });
    await watcher.start();
    await fs.writeFile(join(folder, 'retry.pdf'), '%PDF-retry');
    await waitFor('first attempt', () => attempts.length === 1);
    // By now the failed file waits for its backoff (>= 800 ms after the failure) on the check timer;
    // a new file must not wait behind it.
    await sleep(400);
    const otherWrittenAt = Date.now();
    await fs.writeFile(join(folder, 'other.pdf'), '%PDF-other');
    await waitFor('retry', () => attempts.length === 2, 5000);
    expect(otherHandledAt - otherWrittenAt).toBeLessThan(550);
    expect((attempts[1] ?? 0) - (attempts[0] ?? 0)).toBeGreaterThanOrEqual(750);
    expect(errors).toContain('file handler failed; will retry');
    expect(order).toEqual(['retry.pdf', 'other.pdf', 'retry.pdf']);
    await sleep(400);
    expect(attempts).toHaveLength(2); // succeeded the second time: done
  });

  it('emits 200 files dropped at once exactly once each, within the concurrency limit', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: string[] = [];
    const { watcher } = createWatcher({
      concurrency: 3,
      rescanIntervalMs: 300, // rescans race with events: still no duplicates
      onStable: async (file) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        seen.push(file.name);
        await sleep(2);
        inFlight -= 1;
      },
    });
    await watcher.start();
    await Promise.all(Array.from({ length: 200 }, (_, index) => fs.writeFile(join(folder, `IT01234567890_${index}.xml`), `<f n="${index}"/>`)));
    await waitFor('200 files', () => seen.length >= 200, 10_000);
    await watcher.rescanNow();
    await sleep(400);
    expect(seen).toHaveLength(200);
    expect(new Set(seen).size).toBe(200);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
  });

  it('reports a removed folder as missing, and resumes with a full rescan when it is recreated', async () => {
    await fs.writeFile(join(folder, 'before.pdf'), '%PDF-before');
    const { watcher, emitted, states } = createWatcher({ rescanIntervalMs: 200 });
    await watcher.start();
    await waitFor('existing file', () => emitted.length === 1);

    await fs.rm(folder, { recursive: true });
    await waitFor('missing state', () => watcher.state === 'missing', 3000);
    await fs.mkdir(folder);
    await fs.writeFile(join(folder, 'after.pdf'), '%PDF-after');
    await waitFor('watching again', () => watcher.state === 'watching', 3000);
    await waitFor('file in the new folder', () => emitted.length === 2, 3000);
    expect(names(emitted)).toEqual(['after.pdf', 'before.pdf']);
    expect(states).toEqual(['starting', 'watching', 'missing', 'watching']);

    // Events work again on the recreated folder (not only the rescan).
    await fs.writeFile(join(folder, 'events.pdf'), '%PDF-events');
    await waitFor('file after recreation', () => emitted.length === 3, 3000);
  });

  it('follows a folder deleted and recreated between rescans (new watcher on the new folder)', async () => {
    const { watcher, emitted } = createWatcher();
    await watcher.start();
    await fs.rm(folder, { recursive: true });
    await fs.mkdir(folder);
    await watcher.rescanNow();
    expect(watcher.state).toBe('watching');
    await fs.writeFile(join(folder, 'fresh.pdf'), '%PDF-fresh');
    await waitFor('file in the replaced folder, from events', () => emitted.length === 1, 2000);
  });

  it('does not treat an unmounted folder as "all files gone": handled files stay handled when it returns', async () => {
    await fs.writeFile(join(folder, 'kept.pdf'), '%PDF-kept');
    const { watcher, emitted } = createWatcher(); // no timer rescans: each step is driven by hand
    await watcher.start();
    await waitFor('existing file', () => emitted.length === 1);
    await fs.rename(folder, `${folder}.unmounted`);
    await watcher.rescanNow();
    expect(watcher.state).toBe('missing');
    await fs.writeFile(join(`${folder}.unmounted`, 'added-while-away.pdf'), '%PDF-away');
    await fs.rename(`${folder}.unmounted`, folder);
    await watcher.rescanNow();
    expect(watcher.state).toBe('watching');
    // The one rescan that brought the folder back also queued what appeared meanwhile.
    await waitFor('file added while away', () => emitted.length === 2, 2000);
    await sleep(400);
    expect(emitted.map((file) => file.name)).toEqual(['kept.pdf', 'added-while-away.pdf']);
  });

  it('starts in the missing state for a folder that does not exist, then picks it up', async () => {
    await fs.rm(folder, { recursive: true });
    const { watcher, emitted, states } = createWatcher({ rescanIntervalMs: 200 });
    await watcher.start();
    expect(watcher.state).toBe('missing');
    await fs.mkdir(folder);
    await fs.writeFile(join(folder, 'first.pdf'), '%PDF-first');
    await waitFor('first file', () => emitted.length === 1, 3000);
    expect(states).toEqual(['starting', 'missing', 'watching']);
  });

  it('reports a path that is a file, not a folder, as an error', async () => {
    const notAFolder = join(root, 'plain.txt');
    await fs.writeFile(notAFolder, 'x');
    const errorsSeen: string[] = [];
    const { watcher } = createWatcher({ folder: notAFolder, onStateChange: (state, error) => errorsSeen.push(`${state}:${error ?? ''}`) });
    await watcher.start();
    expect(watcher.state).toBe('error');
    expect(errorsSeen.at(-1)).toContain('is not a folder');
  });

  it('finds new files in polling mode', async () => {
    const { watcher, emitted } = createWatcher({ usePolling: true, pollIntervalMs: 100 });
    await watcher.start();
    await fs.writeFile(join(folder, 'polled.xml'), '<polled/>');
    await waitFor('polled file', () => emitted.length === 1, 4000);
    expect(emitted[0]?.name).toBe('polled.xml');
  });

  it('finds files through the periodic rescan when no event arrives', async () => {
    // Polling once a minute stands in for a share that sends no events: only the rescan can see the file.
    const { watcher, emitted } = createWatcher({ usePolling: true, pollIntervalMs: 60_000, rescanIntervalMs: 250 });
    await watcher.start();
    await fs.writeFile(join(folder, 'rescued.pdf'), '%PDF-rescued');
    await waitFor('rescued file', () => emitted.length === 1, 3000);
  });

  it('does not see a file without events or rescans (control for the test above)', async () => {
    const { watcher, emitted } = createWatcher({ usePolling: true, pollIntervalMs: 60_000 });
    await watcher.start();
    await fs.writeFile(join(folder, 'unseen.pdf'), '%PDF-unseen');
    await sleep(400);
    expect(emitted).toHaveLength(0);
    await watcher.rescanNow();
    await waitFor('file after a manual rescan', () => emitted.length === 1, 2000);
  });

  it('waits while a file cannot be opened for reading (the watcher runs as an unprivileged user)', async () => {
    const path = join(folder, 'locked.pdf');
    await fs.writeFile(path, '%PDF-locked');
    await fs.chmod(path, 0o000);
    await fs.chmod(root, 0o755);
    await fs.chmod(folder, 0o777);
    const child = startWatcherChild(folder);
    try {
      await waitFor('watcher ready', () => child.lines.some((line) => 'ready' in line), 10_000);
      await sleep(700);
      expect(child.lines.filter((line) => 'name' in line)).toHaveLength(0);
      await fs.chmod(path, 0o644);
      await waitFor('unlocked file', () => child.lines.some((line) => line['name'] === 'locked.pdf'), 4000);
    } finally {
      child.process.kill('SIGTERM');
    }
  });

  it('stop() waits for running handlers and stops emitting', async () => {
    let finished = false;
    const { watcher, emitted } = createWatcher({
      onStable: async (file) => {
        emitted.push(file);
        await sleep(300);
        finished = true;
      },
    });
    await watcher.start();
    await fs.writeFile(join(folder, 'one.pdf'), '%PDF-one');
    await waitFor('handler started', () => emitted.length === 1);
    await watcher.stop();
    expect(finished).toBe(true);
    expect(watcher.state).toBe('stopped');
    await fs.writeFile(join(folder, 'two.pdf'), '%PDF-two');
    await sleep(300);
    expect(emitted).toHaveLength(1);
  });
});
