// The folder watcher takes a file when the OS says its writer closed it (src/core/intake/writer-done/).
// Linux, real files and real writers in child processes: a file written in pieces over seconds and
// kept open between them (pauses longer than the old 500 ms window) is taken once, whole; a writer
// that closes and reopens the file to append; `cp` copying slowly from a FIFO; an editor's save by
// rename; and a quick writer taken without the stability window's code path (a counter, not the
// wall clock). Then the watcher's use of the signal on a manual clock, with a signal the test sets:
// closed, open, later, unknown, the 30 s limit for a file held open, polling mode and empty files.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderWatcher, HELD_OPEN_LIMIT_MS } from '../../src/core/intake/folder-watcher.ts';
import type { FolderWatcherOptions, StableFile } from '../../src/core/intake/folder-watcher.ts';
import { openStableFile } from '../../src/core/intake/stable-file.ts';
import { ProcWriterSignal } from '../../src/core/intake/writer-done/linux-proc.ts';
import type { WriterQuery, WriterSignal, WriterState } from '../../src/core/intake/writer-done/writer-signal.ts';
import { sha256Hex } from '../../src/core/store/spool.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { startHarness } from '../helpers/harness.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { chunkOf } from '../helpers/slow-writer.ts';
import { needs, requires } from '../helpers/system-tools.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

const WRITER = fileURLToPath(new URL('../helpers/slow-writer.ts', import.meta.url));
const linux =
  process.platform !== 'linux'
    ? requires(false, 'Linux only', 'the /proc writer signal is Linux’s; Windows and macOS are unit-tested', { failInCi: false })
    : // In a container (its own pid namespace) or on a network temp folder the signal is off, by design.
      requires(await new ProcWriterSignal().covers(tmpdir()), 'a /proc that shows every process', 'run outside a container, with a local temp folder', {
        failInCi: false,
      });
const linuxTools = linux.ok ? needs('mkfifo', 'cp') : linux;

let root: string;
let folder: string;
let cleanupRoot: () => Promise<void>;
const watchers: FolderWatcher[] = [];
const children: ChildProcess[] = [];

beforeEach(async () => {
  ({ dir: root, cleanup: cleanupRoot } = await makeTempDir('recapito-writer-done-'));
  folder = join(root, 'inbox');
  await fs.mkdir(folder);
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(watchers.splice(0).map((watcher) => watcher.stop()));
  await cleanupRoot();
});

interface Capture {
  name: string;
  size: number;
  bytes: Buffer | null;
  /** Why it could not be read as checked (the snapshot changed): an early hand-over. */
  error: string | null;
}

/** A watcher on the real platform signal whose handler reads each file as the capture worker does. */
function startWatcher(options: Partial<FolderWatcherOptions> = {}): { watcher: FolderWatcher; captures: Capture[]; warnings: string[] } {
  const captures: Capture[] = [];
  const warnings: string[] = [];
  const watcher = new FolderWatcher({
    folder,
    stableWindowMs: 500, // the default: the writers below pause longer than this
    rescanIntervalMs: 60_000,
    onStable: async (file: StableFile) => {
      const capture: Capture = { name: file.name, size: file.size, bytes: null, error: null };
      try {
        const handle = await openStableFile(file.path, file);
        try {
          capture.bytes = await handle.readFile();
        } finally {
          await handle.close();
        }
      } catch (error) {
        capture.error = (error as Error).message;
        throw error;
      } finally {
        captures.push(capture); // once read (or refused): what the test then looks at is complete
      }
    },
    log: { info: () => undefined, warn: (msg) => warnings.push(msg), error: () => undefined },
    ...options,
  });
  watchers.push(watcher);
  return { watcher, captures, warnings };
}

interface Writer {
  child: ChildProcess;
  steps: { step: string; at: number }[];
  exited: Promise<number | null>;
}

function startWriter(args: string[]): Writer {
  const child = spawn(process.execPath, [WRITER, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const steps: { step: string; at: number }[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) steps.push(JSON.parse(line) as { step: string; at: number });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, steps, exited };
}

const did = (writer: Writer, step: string): boolean => writer.steps.some((entry) => entry.step === step);

let sentinels = 0;
/**
 * Proves that nothing else is handed over without sleeping: a file written afterwards is handed over
 * only after whatever the watcher noticed before it (see folder-watcher.test.ts).
 */
async function sentinel(watcher: FolderWatcher, captures: Capture[]): Promise<string> {
  await watcher.rescanNow(); // the folder's files looked at again, the written file included
  const name = `sentinel-${(sentinels += 1)}.pdf`;
  await fs.writeFile(join(folder, name), '%PDF-sentinel');
  await waitFor(`${name} handed over`, () => captures.some((capture) => capture.name === name));
  return name;
}

function chunks(count: number, bytes: number): Buffer {
  return Buffer.concat(Array.from({ length: count }, (_, index) => chunkOf(index, bytes)));
}

linux.describe('writer done on Linux: real writers in child processes', () => {
  it('waits for a writer that keeps the file open through pauses longer than the window, and takes it once, whole', async () => {
    const { watcher, captures } = startWatcher();
    await watcher.start();
    const path = join(folder, 'slow.xml');
    // 5 pieces 700 ms apart: 2.8 s open, each pause longer than the 500 ms window that used to decide.
    const writer = startWriter(['chunks', path, '5', '700', '4000']);
    await writer.exited;
    expect(did(writer, 'closed')).toBe(true);
    await waitFor('the file handed over', () => captures.some((capture) => capture.name === 'slow.xml'));
    const last = await sentinel(watcher, captures);
    expect(captures.map((capture) => capture.name)).toEqual(['slow.xml', last]);
    expect(captures[0]!.error).toBeNull();
    expect(captures[0]!.bytes?.equals(chunks(5, 4000))).toBe(true);
    expect(watcher.handOverCounts()).toEqual({ writerClosed: 2, stabilityWindow: 0 });
  });

  it('takes a file at its first close; reopened and appended to, it is a changed file, handed over again whole', async () => {
    const { watcher, captures } = startWatcher();
    await watcher.start();
    const path = join(folder, 'reopened.xml');
    const writer = startWriter(['reopen', path]);
    await waitFor('the first version handed over', () => captures.length === 1);
    expect(captures[0]!.bytes?.toString()).toBe('part one\n');
    writer.child.stdin?.write('go\n');
    await writer.exited;
    expect(did(writer, 'closed 2')).toBe(true);
    // The rule for a file that changed after its handler succeeded: handed over again, as it is now.
    await waitFor('the appended version handed over', () => captures.length === 2);
    const last = await sentinel(watcher, captures);
    expect(captures.map((capture) => [capture.name, capture.bytes?.toString()])).toEqual([
      ['reopened.xml', 'part one\n'],
      ['reopened.xml', 'part one\npart two\n'],
      [last, '%PDF-sentinel'],
    ]);
  });

  linuxTools.it('waits for a slow copy (cp reading a FIFO fed in pieces) and takes the copy once, whole', async () => {
    const { watcher, captures } = startWatcher();
    await watcher.start();
    const fifo = join(root, 'slow-source.fifo');
    execFileSync(linuxTools.path('mkfifo'), [fifo]);
    // cp holds the copy open while the source trickles in, like a copy from a slow share.
    const cp = spawn(linuxTools.path('cp'), [fifo, join(folder, 'copied.pdf')], { stdio: 'ignore' });
    children.push(cp);
    const cpExited = new Promise<number | null>((resolve) => cp.once('exit', (code) => resolve(code)));
    const source = await fs.open(fifo, 'w'); // returns once cp opened the FIFO for reading
    try {
      for (let index = 0; index < 5; index += 1) {
        if (index > 0) await new Promise((resolve) => setTimeout(resolve, 700));
        await source.write(chunkOf(index, 8000));
      }
    } finally {
      await source.close();
    }
    expect(await cpExited).toBe(0);
    await waitFor('the copy handed over', () => captures.some((capture) => capture.name === 'copied.pdf'));
    const last = await sentinel(watcher, captures);
    expect(captures.map((capture) => capture.name)).toEqual(['copied.pdf', last]);
    expect(captures[0]!.bytes?.equals(chunks(5, 8000))).toBe(true);
    expect(watcher.handOverCounts().stabilityWindow).toBe(0);
  });

  it("takes an editor's save by rename once, with the new content, and never its temporary file", async () => {
    const { watcher, captures } = startWatcher();
    await watcher.start();
    const target = join(folder, 'edited.xml');
    await fs.writeFile(target, '<v1/>');
    await waitFor('the first version handed over', () => captures.length === 1);
    // gedit's way: the new content into a hidden temporary name, slowly, then renamed over the file.
    const writer = startWriter(['rename', join(folder, '.goutputstream-7XQ2A1'), target, '4', '700']);
    await writer.exited;
    expect(did(writer, 'renamed')).toBe(true);
    await waitFor('the saved version handed over', () => captures.length === 2);
    const last = await sentinel(watcher, captures);
    expect(captures.map((capture) => capture.name)).toEqual(['edited.xml', 'edited.xml', last]);
    expect(captures[0]!.bytes?.toString()).toBe('<v1/>');
    expect(captures[1]!.error).toBeNull();
    expect(captures[1]!.bytes?.equals(Buffer.concat([0, 1, 2, 3].map((index) => chunkOf(index, 1000))))).toBe(true);
  });

  it('takes a file written and closed at once without the stability window (a one-minute window here)', async () => {
    // Were the window used, the file would come after a minute: far past waitFor's 20 s.
    const { watcher, captures } = startWatcher({ stableWindowMs: 60_000 });
    await watcher.start();
    const writer = startWriter(['quick', join(folder, 'quick.xml'), '2000']);
    await writer.exited;
    await waitFor('the file handed over', () => captures.length === 1);
    expect(captures[0]!.bytes?.equals(chunkOf(0, 2000))).toBe(true);
    expect(watcher.handOverCounts()).toEqual({ writerClosed: 1, stabilityWindow: 0 });
  });

  it('through the whole agent: a PDF written in pieces 700 ms apart (its window is 100 ms) is captured once, whole, and delivered', async () => {
    const h = await startHarness(); // stableWindowMs 100: the old rule would have taken the first piece
    try {
      const pdf = makePdf('written slowly by another program '.repeat(400));
      const source = join(root, 'source.pdf');
      await fs.writeFile(source, pdf);
      const writer = startWriter(['copy', source, join(h.dropDir, 'slow.pdf'), '4', '700']);
      await writer.exited;
      expect(did(writer, 'closed')).toBe(true);
      const all = () => h.agent.documents({ limit: 10 }).documents;
      const document = await waitFor('slow.pdf captured', () => all().find((d) => d.name === 'slow.pdf'));
      await h.waitForState(document.id, 'delivered');
      // A file dropped afterwards is captured after anything the watcher noticed before it.
      await fs.writeFile(join(h.dropDir, 'after.pdf'), makePdf('after'));
      await waitFor('after.pdf captured', () => all().some((d) => d.name === 'after.pdf'));
      expect(document.sha256).toBe(sha256Hex(pdf));
      expect(all().filter((d) => d.name === 'slow.pdf')).toHaveLength(1);
      expect(h.hub.listDocuments().filter((d) => d.fileName === 'slow.pdf')).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('keeps the stability window in polling mode (a network share: its writers are not on this machine)', async () => {
    const { watcher, captures } = startWatcher({ usePolling: true, pollIntervalMs: 100, stableWindowMs: 200 });
    await watcher.start();
    const writer = startWriter(['quick', join(folder, 'polled.xml'), '100']);
    await writer.exited;
    await waitFor('the file handed over', () => captures.length === 1);
    expect(watcher.handOverCounts()).toEqual({ writerClosed: 0, stabilityWindow: 1 });
  });
});

/** A writer signal whose answer the test sets, per file name; it records what it was asked. */
class SetSignal implements WriterSignal {
  readonly kind = 'proc-fd';
  answer: WriterState = 'closed';
  coversFolder = true;
  /** What nextLookInMs() says after a `later`. */
  nextLook = 0;
  readonly asked: string[] = [];
  covers(): Promise<boolean> {
    return Promise.resolve(this.coversFolder);
  }
  writerStates(files: readonly WriterQuery[]): Promise<WriterState[]> {
    this.asked.push(...files.map((file) => file.path.slice(folder.length + 1)));
    return Promise.resolve(files.map(() => this.answer));
  }
  nextLookInMs(): number {
    return this.nextLook;
  }
}

describe('the folder watcher and the writer signal, on a manual clock', () => {
  function manualWatcher(signal: SetSignal, options: Partial<FolderWatcherOptions> = {}) {
    const clock = new ManualClock();
    const handedOver: { name: string; at: number }[] = [];
    const warnings: string[] = [];
    const watcher = new FolderWatcher({
      folder,
      stableWindowMs: 500,
      rescanIntervalMs: 600_000,
      clock,
      writerSignal: signal,
      onStable: async (file) => void handedOver.push({ name: file.name, at: clock.now() }),
      log: { info: () => undefined, warn: (msg) => warnings.push(msg), error: () => undefined },
      ...options,
    });
    watchers.push(watcher);
    return { clock, watcher, handedOver, warnings };
  }

  it('hands a file over at the first look when its writer is done, and counts it', async () => {
    const signal = new SetSignal();
    const { clock, watcher, handedOver } = manualWatcher(signal);
    await fs.writeFile(join(folder, 'done.xml'), '<done/>');
    await watcher.start();
    const firstLook = clock.now();
    await clock.advance(0);
    expect(handedOver).toEqual([{ name: 'done.xml', at: firstLook }]);
    expect(watcher.handOverCounts()).toEqual({ writerClosed: 1, stabilityWindow: 0 });
  });

  it('waits past the window while the file is open for writing, asking every 50 ms, and takes it at the first look after the close', async () => {
    const signal = new SetSignal();
    signal.answer = 'open-for-writing';
    const { clock, watcher, handedOver } = manualWatcher(signal);
    await fs.writeFile(join(folder, 'open.xml'), '<open/>');
    await watcher.start();
    await clock.advance(0);
    const firstLook = clock.now();
    await clock.advance(2000); // four windows
    expect(handedOver).toEqual([]);
    expect(signal.asked.length).toBe(1 + 2000 / 50);
    signal.answer = 'closed';
    await clock.advance(49);
    expect(handedOver).toEqual([]);
    await clock.advance(1);
    expect(handedOver).toEqual([{ name: 'open.xml', at: firstLook + 2050 }]);
    expect(watcher.handOverCounts()).toEqual({ writerClosed: 1, stabilityWindow: 0 });
  });

  it(`takes a file held open but unchanged for ${HELD_OPEN_LIMIT_MS / 1000} s by the window after all, with a warning`, async () => {
    const signal = new SetSignal();
    signal.answer = 'open-for-writing';
    const { clock, watcher, handedOver, warnings } = manualWatcher(signal);
    await fs.writeFile(join(folder, 'leaked.xml'), '<leaked/>');
    await watcher.start();
    await clock.advance(0);
    const firstLook = clock.now();
    await clock.advance(HELD_OPEN_LIMIT_MS - 1);
    expect(handedOver).toEqual([]);
    await clock.advance(1);
    expect(handedOver).toEqual([{ name: 'leaked.xml', at: firstLook + HELD_OPEN_LIMIT_MS }]);
    expect(warnings).toEqual(['file held open for writing but unchanged; taking it after the stability window']);
    expect(watcher.handOverCounts()).toEqual({ writerClosed: 0, stabilityWindow: 1 });
  });

  it('never takes a file on "later", however long: it asks again when the signal says it can answer', async () => {
    const signal = new SetSignal();
    signal.answer = 'later';
    signal.nextLook = 200;
    const { clock, watcher, handedOver } = manualWatcher(signal);
    await fs.writeFile(join(folder, 'later.xml'), '<later/>');
    await watcher.start();
    await clock.advance(0);
    expect(signal.asked).toHaveLength(1);
    await clock.advance(199);
    expect(signal.asked).toHaveLength(1); // not every 50 ms: no answer could come sooner
    await clock.advance(1);
    expect(signal.asked).toHaveLength(2);
    await clock.advance(2 * HELD_OPEN_LIMIT_MS);
    expect(handedOver).toEqual([]);
    signal.answer = 'closed';
    await clock.advance(200);
    expect(handedOver.map((file) => file.name)).toEqual(['later.xml']);
  });

  it('leaves "unknown" to the stability window: not 1 ms before it', async () => {
    const signal = new SetSignal();
    signal.answer = 'unknown';
    const { clock, watcher, handedOver } = manualWatcher(signal);
    await fs.writeFile(join(folder, 'unknown.xml'), '<unknown/>');
    await watcher.start();
    await clock.advance(0);
    const firstLook = clock.now();
    await clock.advance(499);
    expect(handedOver).toEqual([]);
    await clock.advance(1);
    expect(handedOver).toEqual([{ name: 'unknown.xml', at: firstLook + 500 }]);
    expect(watcher.handOverCounts()).toEqual({ writerClosed: 0, stabilityWindow: 1 });
  });

  it('never asks for an empty file, a folder the signal does not cover, or in polling mode', async () => {
    const signal = new SetSignal();
    const { clock, watcher, handedOver } = manualWatcher(signal);
    await fs.writeFile(join(folder, 'empty.xml'), '');
    await watcher.start();
    await clock.advance(0);
    await clock.advance(500);
    expect(handedOver.map((file) => file.name)).toEqual(['empty.xml']); // by the window
    expect(signal.asked).toEqual([]);

    const uncovered = new SetSignal();
    uncovered.coversFolder = false;
    await watcher.stop();
    for (const [signalUsed, options] of [
      [uncovered, {}],
      [new SetSignal(), { usePolling: true, pollIntervalMs: 600_000 }],
    ] as const) {
      await fs.writeFile(join(folder, 'full.xml'), '<full/>');
      const other = manualWatcher(signalUsed, options);
      await other.watcher.start();
      await other.clock.advance(0);
      await other.clock.advance(500);
      expect(other.handedOver.map((file) => file.name).sort()).toEqual(['empty.xml', 'full.xml']);
      expect(signalUsed.asked).toEqual([]);
      await other.watcher.stop();
    }
  });
});
