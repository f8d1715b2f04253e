// The folder watcher on real folders, files and chokidar. The tests about its own time (the
// stability window, retries, rescans, stop()) give it a manual clock (test/helpers/manual-clock.ts)
// and name the exact instant; the others run on real time and prove "not handed over" with a sentinel.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FolderWatcher } from '../../src/core/intake/folder-watcher.ts';
import type { FolderWatcherOptions, StableFile, WatcherState } from '../../src/core/intake/folder-watcher.ts';
import { NOBODY } from '../helpers/become-user.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

let root: string;
let folder: string;
const watchers: FolderWatcher[] = [];

beforeEach(async () => {
  root = await fs.mkdtemp(join(tmpdir(), 'recapito-watch-'));
  folder = join(root, 'inbox');
  await fs.mkdir(folder);
});
afterEach(async () => {
  vi.restoreAllMocks();
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
  const child = spawn(process.execPath, [fileURLToPath(new URL('../helpers/watch-folder-child.ts', import.meta.url)), watched, ...asNobody], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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

/** Waits for something that must happen. Long on purpose: it returns as soon as it does. */
async function waitFor(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const names = (files: StableFile[]): string[] => files.map((file) => file.name).sort();

/**
 * On a manual clock: makes the watcher look at the folder now, at this instant of the clock, as a
 * chokidar event would (whose notice comes in real time, whenever it comes: it may come too, and
 * then it is seen at the same instant).
 */
async function lookNow(watcher: FolderWatcher, clock: ManualClock): Promise<void> {
  await watcher.rescanNow();
  await clock.advance(0);
}

let sentinels = 0;
/**
 * Proves that something was not handed over without sleeping "long enough": writes a new file and
 * waits until `seen()` lists it. The watcher checks files in the order it notices them, all with the
 * same stability window, so by then whatever it noticed earlier (a change, a rescan's listing) has
 * been handed over or dropped. Returns the sentinel's name, for tests that then leave it out.
 */
async function sentinel(seen: () => string[], inFolder = folder): Promise<string> {
  const name = `sentinel-${(sentinels += 1)}.pdf`;
  await fs.writeFile(join(inFolder, name), '%PDF-sentinel');
  await waitFor(`${name} handed over`, () => seen().includes(name));
  return name;
}

describe('FolderWatcher', () => {
  it('emits existing files at start, never ignored names, subfolders or excluded folders', async () => {
    await fs.writeFile(join(folder, 'a.pdf'), '%PDF-a');
    await fs.writeFile(join(folder, 'b.xml'), '<b/>');
    const ignored = [
      '.hidden.pdf',
      'x.tmp',
      'y.part',
      '~$fattura.docx',
      'dl.pdf.crdownload',
      'a.pdf~',
      'Thumbs.db',
      'desktop.ini',
      'a.pdf.error.txt',
      'z.partial',
      'w.temp',
      '.swp.swp',
    ];
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
    const last = await sentinel(() => names(emitted));
    expect(names(emitted)).toEqual(['a.pdf', 'b.xml', last]);
    expect(emitted.find((file) => file.name === 'a.pdf')).toMatchObject({ path: join(folder, 'a.pdf'), size: 6 });
  });

  it('emits a new file from watcher events, once, with its size, mtime and identity', async () => {
    const { watcher, emitted } = createWatcher();
    await watcher.start();
    await fs.writeFile(join(folder, 'new.pdf'), '%PDF-new');
    await waitFor('new file', () => emitted.length === 1);
    const stats = await fs.stat(join(folder, 'new.pdf'), { bigint: true });
    // mtimeMs as a plain stat() reports it: the capture compares it with what it opens.
    expect(emitted[0]).toEqual({
      path: join(folder, 'new.pdf'),
      name: 'new.pdf',
      size: 8,
      mtimeMs: (await fs.stat(join(folder, 'new.pdf'))).mtimeMs,
      identity: `${stats.dev}:${stats.ino}`,
    });
    await watcher.rescanNow();
    const last = await sentinel(() => names(emitted));
    expect(names(emitted)).toEqual(['new.pdf', last]); // unchanged after handling: not emitted again
  });

  it('takes its events from inotify itself on Linux (fs.watch), from chokidar when polling', async () => {
    const { watcher, emitted } = createWatcher();
    expect(watcher.eventSource).toBeNull();
    await watcher.start();
    expect(watcher.eventSource).toBe(process.platform === 'linux' ? 'fs.watch' : 'chokidar');
    // Written in place, renamed in, and a subfolder that is never a file: each seen from events alone.
    await fs.writeFile(join(folder, 'written.pdf'), '%PDF-written');
    await fs.writeFile(join(folder, '..', 'outside.pdf'), '%PDF-renamed');
    await fs.rename(join(folder, '..', 'outside.pdf'), join(folder, 'renamed.pdf'));
    await fs.mkdir(join(folder, 'sub'));
    // Events for names never taken: temporary and hidden names, and files below the top level.
    for (const name of ['.hidden.pdf', 'download.pdf.part', '~$lock.docx', 'thumbs.db']) await fs.writeFile(join(folder, name), '%PDF-ignored');
    await fs.writeFile(join(folder, 'sub', 'nested.pdf'), '%PDF-nested');
    await fs.mkdir(join(folder, 'sent'), { recursive: true });
    await fs.writeFile(join(folder, 'sent', 'moved.pdf'), '%PDF-sent');
    const last = await sentinel(() => names(emitted));
    expect(names(emitted)).toEqual(['renamed.pdf', last, 'written.pdf']);
    await watcher.stop();
    expect(watcher.eventSource).toBeNull();

    const polling = createWatcher({ usePolling: true, pollIntervalMs: 50 });
    await polling.watcher.start();
    expect(polling.watcher.eventSource).toBe('chokidar');
  });

  it('hands a file over when it has held still for the window: not 1 ms before, not 1 ms after', async () => {
    const clock = new ManualClock();
    const window = 500;
    const handedOver: { name: string; at: number }[] = [];
    // The window alone decides (as on macOS, on shares, in polling mode): without the OS's word on the writer.
    const { watcher } = createWatcher({
      clock,
      stableWindowMs: window,
      writerSignal: null,
      onStable: async (file) => void handedOver.push({ name: file.name, at: clock.now() }),
    });
    await fs.writeFile(join(folder, 'first.pdf'), '%PDF-first');
    await watcher.start(); // its listing queues the file
    await clock.advance(0); // the first look notes size and mtime: the window starts
    const firstSeen = clock.now();
    await clock.advance(window - 1);
    expect(handedOver).toEqual([]);
    await clock.advance(1); // the watcher's own timer, exactly at the end of the window
    expect(handedOver).toEqual([{ name: 'first.pdf', at: firstSeen + window }]);

    // The comparison itself, looked at on purpose either side of the end of the window.
    await fs.writeFile(join(folder, 'second.pdf'), '%PDF-second');
    await lookNow(watcher, clock);
    const secondSeen = clock.now();
    await clock.advance(window - 1);
    await lookNow(watcher, clock);
    expect(handedOver.map((file) => file.name)).toEqual(['first.pdf']);
    await clock.advance(1);
    await lookNow(watcher, clock);
    expect(handedOver).toEqual([
      { name: 'first.pdf', at: firstSeen + window },
      { name: 'second.pdf', at: secondSeen + window },
    ]);
  });

  it('restarts the window at each change it sees, and hands a file written in pieces over once, whole', async () => {
    const clock = new ManualClock();
    const window = 1000;
    const handedOver: { name: string; size: number; at: number }[] = [];
    const { watcher } = createWatcher({
      clock,
      stableWindowMs: window,
      writerSignal: null, // the window alone decides: this test is about its instants
      onStable: async (file) => void handedOver.push({ name: file.name, size: file.size, at: clock.now() }),
    });
    await watcher.start();
    const handle = await fs.open(join(folder, 'slow.xml'), 'w');
    const chunk = Buffer.alloc(1000, 0x41);
    let lastChangeSeen = 0;
    try {
      for (let piece = 0; piece < 10; piece += 1) {
        await handle.write(chunk); // stat() sees each piece at once: no fsync needed
        await lookNow(watcher, clock);
        lastChangeSeen = clock.now();
        // 1.5 s of pieces in all, longer than the window, but never a pause as long. A look between
        // two pieces sees no change: the window counts from the last change, not the first sight.
        await clock.advance(75);
        await lookNow(watcher, clock);
        await clock.advance(75);
        expect(handedOver, `handed over while still being written (piece ${piece})`).toEqual([]);
      }
    } finally {
      await handle.close();
    }
    await clock.advance(window - 150 - 1);
    expect(handedOver).toEqual([]);
    await clock.advance(1);
    expect(handedOver).toEqual([{ name: 'slow.xml', size: 10_000, at: lastChangeSeen + window }]);
    await clock.advance(10 * window);
    await lookNow(watcher, clock);
    expect(handedOver).toHaveLength(1); // unchanged after handling: not handed over again
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
    const others: string[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const { watcher } = createWatcher({
      rescanIntervalMs: 150,
      onStable: async (file) => {
        if (file.name !== 'busy.pdf') {
          others.push(file.name);
          return;
        }
        if (running.has(file.path)) overlaps += 1;
        running.add(file.path);
        sizes.push(file.size);
        if (sizes.length === 1) await firstHeld; // held until the test has changed the file
        running.delete(file.path);
      },
    });
    await watcher.start();
    const path = join(folder, 'busy.pdf');
    try {
      await fs.writeFile(path, 'one');
      await waitFor('first hand-over', () => sizes.length === 1);
      await fs.appendFile(path, '-two');
      // The change (its event, rescans every 150 ms) meets a path whose handler runs: a file written
      // after it is handed over only once the change has been looked at.
      await sentinel(() => others);
      expect(sizes).toEqual([3]);
    } finally {
      releaseFirst(); // stop() waits for the handler
    }
    await waitFor('second hand-over', () => sizes.length === 2);
    expect(overlaps).toBe(0);
    expect(sizes).toEqual([3, 7]);
  });

  it('retries a file whose handler throws after 1 s, then 2 s, without holding up other files', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // the ±20% jitter at its middle: exactly 1 s, then 2 s
    const clock = new ManualClock();
    const window = 50;
    const attempts: number[] = [];
    const order: string[] = [];
    const { watcher, errors } = createWatcher({
      clock,
      stableWindowMs: window,
      writerSignal: null, // the window alone decides: the instants below count from it
      onStable: async (file) => {
        order.push(file.name);
        if (file.name !== 'retry.pdf') return;
        attempts.push(clock.now());
        if (attempts.length <= 2) throw new Error('database is locked');
      },
    });
    await fs.writeFile(join(folder, 'retry.pdf'), '%PDF-retry');
    await watcher.start();
    await clock.advance(0);
    await clock.advance(window);
    const failedAt = clock.now();
    expect(attempts).toEqual([failedAt]);
    expect(errors).toContain('file handler failed; will retry');

    // While the failed file waits, a new one is handed over after its own window, not after the retry.
    await fs.writeFile(join(folder, 'other.pdf'), '%PDF-other');
    await lookNow(watcher, clock);
    await clock.advance(window);
    expect(order).toEqual(['retry.pdf', 'other.pdf']);
    await clock.advance(500 - window);
    await lookNow(watcher, clock); // looked at half-way: still waiting
    expect(attempts).toEqual([failedAt]);

    await clock.advance(500 + 2000);
    expect(attempts).toEqual([failedAt, failedAt + 1000, failedAt + 3000]);
    await clock.advance(10 * 60_000); // rescans included
    await lookNow(watcher, clock);
    expect(attempts).toHaveLength(3); // succeeded the third time: done
    expect(order).toEqual(['retry.pdf', 'other.pdf', 'retry.pdf', 'retry.pdf']);
  });

  it('keeps a deferred file (a full disk) untouched, without retries or errors, until resumeDeferred()', async () => {
    const clock = new ManualClock();
    const window = 50;
    const attempts: number[] = [];
    let full = true;
    const { watcher, errors } = createWatcher({
      clock,
      stableWindowMs: window,
      writerSignal: null, // the window alone decides: the instants below count from it
      onStable: async () => {
        attempts.push(clock.now());
        if (full) throw Object.assign(new Error('disk full: 12 MB needed'), { deferred: true });
      },
    });
    await fs.writeFile(join(folder, 'waits.pdf'), '%PDF-waits');
    await watcher.start();
    await clock.advance(0);
    await clock.advance(window);
    expect(attempts).toHaveLength(1);
    // Far past any retry backoff, rescans included: not handed over again, nothing logged as failed.
    await clock.advance(30 * 60_000);
    await lookNow(watcher, clock);
    expect(attempts).toHaveLength(1);
    expect(errors).toEqual([]);

    full = false;
    await watcher.resumeDeferred();
    await clock.advance(window);
    expect(attempts).toHaveLength(2);
    await clock.advance(30 * 60_000);
    await lookNow(watcher, clock);
    expect(attempts).toHaveLength(2); // taken: done
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
    await waitFor('200 files', () => seen.length >= 200);
    await watcher.rescanNow();
    const last = await sentinel(() => seen);
    expect(seen).toHaveLength(201);
    expect(new Set(seen).size).toBe(201);
    expect(seen.at(-1)).toBe(last);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
  });

  it('reports a removed folder as missing, and resumes with a full rescan when it is recreated', async () => {
    await fs.writeFile(join(folder, 'before.pdf'), '%PDF-before');
    const { watcher, emitted, states } = createWatcher({ rescanIntervalMs: 200 });
    await watcher.start();
    await waitFor('existing file', () => emitted.length === 1);

    await fs.rm(folder, { recursive: true });
    await waitFor('missing state', () => watcher.state === 'missing');
    await fs.mkdir(folder);
    await fs.writeFile(join(folder, 'after.pdf'), '%PDF-after');
    await waitFor('watching again', () => watcher.state === 'watching');
    await waitFor('file in the new folder', () => emitted.length === 2);
    expect(names(emitted)).toEqual(['after.pdf', 'before.pdf']);
    expect(states).toEqual(['starting', 'watching', 'missing', 'watching']);

    // Events work again on the recreated folder (not only the rescan).
    await fs.writeFile(join(folder, 'events.pdf'), '%PDF-events');
    await waitFor('file after recreation', () => emitted.length === 3);
  });

  it('follows a folder deleted and recreated between rescans (new watcher on the new folder)', async () => {
    const { watcher, emitted } = createWatcher();
    await watcher.start();
    await fs.rm(folder, { recursive: true });
    await fs.mkdir(folder);
    await watcher.rescanNow();
    expect(watcher.state).toBe('watching');
    await fs.writeFile(join(folder, 'fresh.pdf'), '%PDF-fresh');
    // From events: the first timed rescan is at least 48 s away (60 s, jittered), far beyond this wait.
    await waitFor('file in the replaced folder, from events', () => emitted.length === 1);
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
    await waitFor('file added while away', () => emitted.length === 2);
    const last = await sentinel(() => names(emitted));
    expect(emitted.map((file) => file.name)).toEqual(['kept.pdf', 'added-while-away.pdf', last]);
  });

  it('starts in the missing state for a folder that does not exist, then picks it up', async () => {
    await fs.rm(folder, { recursive: true });
    const { watcher, emitted, states } = createWatcher({ rescanIntervalMs: 200 });
    await watcher.start();
    expect(watcher.state).toBe('missing');
    await fs.mkdir(folder);
    await fs.writeFile(join(folder, 'first.pdf'), '%PDF-first');
    await waitFor('first file', () => emitted.length === 1);
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
    await waitFor('polled file', () => emitted.length === 1); // the first timed rescan is >= 48 s away
    expect(emitted[0]?.name).toBe('polled.xml');
  });

  it('rescans every rescanIntervalMs, jittered, and so finds files no event announced', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0); // the ±20% jitter at its low end: every 8 s of 10 s
    const clock = new ManualClock();
    const window = 200;
    const handedOver: { name: string; at: number }[] = [];
    // Polling once a minute stands in for a share that sends no events: only the rescan can see a file
    // (within this test's real time; the control test below shows it).
    const { watcher } = createWatcher({
      clock,
      usePolling: true,
      pollIntervalMs: 60_000,
      rescanIntervalMs: 10_000,
      stableWindowMs: window,
      onStable: async (file) => void handedOver.push({ name: file.name, at: clock.now() }),
    });
    await watcher.start();
    const startedAt = clock.now();
    await fs.writeFile(join(folder, 'first.pdf'), '%PDF-first');
    await clock.advance(8_000 + window);
    await fs.writeFile(join(folder, 'second.pdf'), '%PDF-second');
    await clock.advance(8_000);
    // Each found by a rescan (at 8 s, then 16 s), and handed over one window later.
    expect(handedOver).toEqual([
      { name: 'first.pdf', at: startedAt + 8_000 + window },
      { name: 'second.pdf', at: startedAt + 16_000 + window },
    ]);
  });

  it('does not see a file without events or rescans (control for the test above)', async () => {
    const { watcher, emitted } = createWatcher({ usePolling: true, pollIntervalMs: 60_000 });
    await watcher.start();
    await fs.writeFile(join(folder, 'unseen.pdf'), '%PDF-unseen');
    // Nothing can signal "not seen" here (no event, no rescan: that is the point), so a short wait: two
    // stability windows, on an idle machine. A busy one may catch less, but never fails wrongly.
    await sleep(400);
    expect(emitted).toHaveLength(0);
    await watcher.rescanNow();
    await waitFor('file after a manual rescan', () => emitted.length === 1);
  });

  it('waits while a file cannot be opened for reading (the watcher runs as an unprivileged user)', async () => {
    const path = join(folder, 'locked.pdf');
    await fs.writeFile(path, '%PDF-locked');
    await fs.chmod(path, 0o000);
    await fs.chmod(root, 0o755);
    await fs.chmod(folder, 0o777);
    const child = startWatcherChild(folder);
    try {
      await waitFor('watcher ready', () => child.lines.some((line) => 'ready' in line));
      const readable = await sentinel(() => child.lines.map((line) => String(line['name'])));
      expect(child.lines.filter((line) => 'name' in line).map((line) => line['name'])).toEqual([readable]);
      await fs.chmod(path, 0o644);
      await waitFor('unlocked file', () => child.lines.some((line) => line['name'] === 'locked.pdf'));
    } finally {
      child.process.kill('SIGTERM');
    }
  });

  it('stop() waits for running handlers, then leaves no timer and hands nothing over', async () => {
    const clock = new ManualClock();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    const { watcher, emitted } = createWatcher({
      clock,
      writerSignal: null, // the window (on the manual clock) decides; the OS's answer comes in real time
      onStable: async (file) => {
        emitted.push(file);
        await held;
        finished = true;
      },
    });
    await fs.writeFile(join(folder, 'one.pdf'), '%PDF-one');
    await watcher.start();
    await clock.advance(200); // the first look, then the 200 ms window
    expect(names(emitted)).toEqual(['one.pdf']);
    let stopped = false;
    const stopping = watcher.stop().then(() => (stopped = true));
    await clock.settle(); // the watcher closed, its files and promises settled: only the handler is left
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    expect(watcher.state).toBe('stopped');
    expect(clock.pending()).toEqual([]); // no rescan, no check, no start-up timer left
    await fs.writeFile(join(folder, 'two.pdf'), '%PDF-two');
    await clock.advance(10 * 60_000);
    expect(names(emitted)).toEqual(['one.pdf']);
  });
});
