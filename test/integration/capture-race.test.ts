// A watched folder can be raced: a file is checked (stable, regular), then swapped for a symbolic
// link to a file outside the folder, or for a FIFO, before the capture reads it. The capture must
// read exactly the file it checked — from a handle opened without following links or blocking —
// and nothing outside the folder may ever be read, nor any pool thread be held by a FIFO.
import { afterEach, beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import { appendFile, open, readFile, readdir, rename, symlink, utimes, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CaptureWorkerPool } from '../../src/core/intake/capture-worker/capture-pool.ts';
import type { CaptureRequest } from '../../src/core/intake/capture-worker/messages.ts';
import { openStableFile, probeFile, SourceChangedError, type FileSnapshot } from '../../src/core/intake/stable-file.ts';
import { sha256Hex } from '../../src/core/store/spool.ts';
import { DEFAULT_ZIP_LIMITS } from '../../src/core/intake/zip-expander.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { readRegularFile } from '../../src/core/util/regular-file.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { needs, requires } from '../helpers/system-tools.ts';

const POSIX = process.platform !== 'win32';
/** mkfifo makes the FIFOs; Windows has none (nor symbolic links a user may make). */
const posixTools = POSIX ? needs('mkfifo') : requires(false, 'POSIX only', 'Windows has no FIFOs', { failInCi: false });
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const fifos: string[] = [];
/** A FIFO, released at the end even if a broken reader blocked on it (a writer end opens it). */
function makeFifo(path: string): string {
  execFileSync(posixTools.path('mkfifo'), [path]);
  fifos.push(path);
  return path;
}
async function releaseFifos(): Promise<void> {
  for (const fifo of fifos.splice(0)) {
    // O_NONBLOCK write end: succeeds only if a reader is stuck on it, and lets that reader go.
    const handle = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => null);
    await handle?.close();
  }
}

async function snapshot(path: string): Promise<FileSnapshot> {
  const probe = await probeFile(path);
  if (probe.status !== 'file') throw new Error(`${path}: ${probe.status}`);
  return { size: probe.size, mtimeMs: probe.mtimeMs, identity: probe.identity };
}

/** Replaces `path` atomically (rename) with what `make` creates at a dot-name beside it. */
async function swap(path: string, make: (temp: string) => Promise<unknown>): Promise<void> {
  const temp = join(path, '..', `.swap-${basename(path)}-${Math.random().toString(36).slice(2)}`);
  await make(temp);
  await rename(temp, path);
}

posixTools.describe('reading the checked file only', () => {
  let dir: string;
  let secret: Buffer;
  let secretPath: string;
  beforeAll(async () => {
    const temp = await makeTempDir('recapito-race-');
    dir = temp.dir;
    secret = makePdf('SECRET outside the watched folder');
    secretPath = join(dir, 'secret.pdf');
    await writeFile(secretPath, secret);
    return async () => {
      await releaseFifos();
      await temp.cleanup();
    };
  });

  async function checkedThenSwapped(name: string, make: (temp: string) => Promise<unknown>): Promise<{ path: string; checked: FileSnapshot }> {
    const path = join(dir, name);
    await writeFile(path, makePdf(`innocent ${name}`));
    const checked = await snapshot(path);
    await swap(path, make);
    return { path, checked };
  }

  it('refuses a link, a FIFO, a link to a FIFO, another file and a changed file, at once and without blocking', async () => {
    const cases: [string, (temp: string) => Promise<unknown>, RegExp][] = [
      ['link.pdf', (temp) => symlink(secretPath, temp), /became a symbolic link/],
      ['fifo.pdf', async (temp) => makeFifo(temp), /became a named pipe \(FIFO\)/],
      ['link-to-fifo.pdf', (temp) => symlink(makeFifo(join(dir, `outside-${Math.random()}.fifo`)), temp), /became a symbolic link/],
      ['other.pdf', (temp) => writeFile(temp, makePdf('another file of the same size!')), /was replaced by another file/],
      ['device.pdf', (temp) => symlink('/dev/zero', temp), /became a symbolic link/],
    ];
    for (const [name, make, reason] of cases) {
      const { path, checked } = await checkedThenSwapped(name, make);
      const started = performance.now();
      const error: unknown = await openStableFile(path, checked).then(
        async (handle) => {
          await handle.close();
          return null;
        },
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(SourceChangedError);
      expect((error as Error).message, name).toMatch(reason);
      // A blocking open of a FIFO never returns; a refused one takes a few system calls. 10 s is far
      // above those on a loaded machine, far below the test timeout.
      expect(performance.now() - started, name).toBeLessThan(10_000);
    }

    // The same file, written to after the check (same inode), is refused as changed.
    const grown = join(dir, 'grown.pdf');
    await writeFile(grown, makePdf('grown'));
    const checked = await snapshot(grown);
    await appendFile(grown, 'more');
    await expect(openStableFile(grown, checked)).rejects.toThrow(/changed after it was checked/);
    // And one whose mtime alone moved (a writer rewrote the same bytes).
    const touched = join(dir, 'touched.pdf');
    await writeFile(touched, makePdf('touched'));
    const before = await snapshot(touched);
    await utimes(touched, new Date(), new Date(Date.now() + 5000));
    await expect(openStableFile(touched, before)).rejects.toThrow(/changed after it was checked/);
  });

  it('a capture worker given a swapped path reads nothing outside the folder and answers at once', async () => {
    const log = createLogger({ dir: join(dir, 'logs'), level: 'info', maxFileBytes: 1 << 20, maxFiles: 1 });
    const pool = new CaptureWorkerPool({
      size: 1,
      spoolDir: join(dir, 'spool'),
      limits: { maxFileBytes: 1 << 20, zip: DEFAULT_ZIP_LIMITS },
      log,
      jobTimeoutMs: 20_000,
    });
    cleanups.push(() => pool.close());
    const request = (path: string, checked: FileSnapshot): CaptureRequest => ({ type: 'file', path, name: basename(path), ...checked });

    for (const [name, make] of [
      ['w-link.pdf', (temp: string) => symlink(secretPath, temp)],
      ['w-fifo.pdf', async (temp: string) => makeFifo(temp)],
      ['w-link-to-fifo.pdf', (temp: string) => symlink(makeFifo(join(dir, `w-outside-${Math.random()}.fifo`)), temp)],
    ] as const) {
      const { path, checked } = await checkedThenSwapped(name, make);
      await expect(pool.prepare(request(path, checked)), name).rejects.toMatchObject({ code: 'ESOURCECHANGED' });
    }
    // Over the size limit the file is only hashed: the same rule holds there.
    const bigPool = new CaptureWorkerPool({ size: 1, spoolDir: join(dir, 'spool'), limits: { maxFileBytes: 10, zip: DEFAULT_ZIP_LIMITS }, log });
    cleanups.push(() => bigPool.close());
    const big = await checkedThenSwapped('w-big.pdf', (temp) => symlink(secretPath, temp));
    await expect(bigPool.prepare(request(big.path, big.checked))).rejects.toMatchObject({ code: 'ESOURCECHANGED' });

    // The pool's threads and libuv's are all free: an ordinary capture goes through.
    const fine = join(dir, 'w-fine.pdf');
    await writeFile(fine, makePdf('fine'));
    const prepared = await pool.prepare(request(fine, await snapshot(fine)));
    expect(prepared.parts[0]!.kind).toBe('pdf');
  });

  it('reads regular files only when asked to read a path that is a FIFO, a device or a link', async () => {
    const fifo = makeFifo(join(dir, 'plain.fifo'));
    await expect(readRegularFile(fifo)).rejects.toThrow(/named pipe/);
    await expect(readRegularFile('/dev/zero')).rejects.toThrow(/a device/);
    await symlink(secretPath, join(dir, 'plain-link'));
    await expect(readRegularFile(join(dir, 'plain-link'))).rejects.toThrow(/symbolic link/);
    expect(await readRegularFile(secretPath)).toEqual(secret);
  });
});

posixTools.describe('a watched folder under a swap race', () => {
  let harness: Harness | null = null;
  afterEach(async () => {
    await releaseFifos();
    await harness?.close();
    harness = null;
  });

  it('over many races never captures a file from outside the folder, and stays responsive', async () => {
    const h = (harness = await startHarness());
    const secret = makePdf(`SECRET ${Math.random()}`);
    const secretPath = join(h.root, 'secret.pdf');
    await writeFile(secretPath, secret);
    const outsideFifo = makeFifo(join(h.root, 'outside.fifo'));
    const window = h.settings.intake.stableWindowMs;

    // 120 files, 12 at a time; each is swapped at a moment spread around the end of its stability
    // window, where the check and the read are: for a link to the secret, a link to a FIFO, or a FIFO.
    const kinds = ['link', 'link-to-fifo', 'fifo'] as const;
    for (let batch = 0; batch < 10; batch += 1) {
      await Promise.all(
        Array.from({ length: 12 }, async (_, slot) => {
          const index = batch * 12 + slot;
          const path = join(h.dropDir, `race-${index}.pdf`);
          await writeFile(path, makePdf(`innocent ${index}`));
          await new Promise((resolve) => setTimeout(resolve, window * 0.6 + Math.random() * window * 1.4));
          const kind = kinds[index % kinds.length]!;
          await swap(path, (temp) =>
            kind === 'link' ? symlink(secretPath, temp) : kind === 'link-to-fifo' ? symlink(outsideFifo, temp) : Promise.resolve(makeFifo(temp)),
          ).catch(() => undefined); // already moved to sent/ by its capture: nothing left to swap
        }),
      );
    }

    // Responsive: a file dropped now is captured and delivered (captures need libuv's pool threads).
    const after = join(h.dropDir, 'after-the-race.pdf');
    await writeFile(after, makePdf('after the race'));
    const id = await waitFor(
      'the file dropped after the race to be captured',
      () => h.agent.store.documents.list({ limit: 500 }).documents.find((d) => d.name === 'after-the-race.pdf')?.id ?? null,
      20_000,
    );
    await h.waitForState(id, 'delivered');

    const documents = h.agent.store.documents.list({ limit: 500 }).documents;
    const secretSha = sha256Hex(secret);
    expect(documents.filter((d) => d.sha256 === secretSha).map((d) => d.name)).toEqual([]);
    expect(h.hub.listDocuments().filter((d) => d.sha256 === secretSha)).toEqual([]);
    // Every captured race file holds its own innocent bytes.
    for (const document of documents.filter((d) => d.name.startsWith('race-'))) {
      const bytes = await h.agent.spool.read(document.sha256);
      expect(bytes.toString('latin1'), document.name).toContain(`innocent ${document.name.slice(5, -4)}`);
    }
    // Each race file was either captured with its own bytes, or its link or FIFO is still in the folder, untaken.
    const left = (await readdir(h.dropDir)).filter((name) => name.startsWith('race-'));
    const captured = documents.filter((d) => d.name.startsWith('race-')).map((d) => d.name);
    expect(new Set([...left, ...captured]).size).toBe(120);
    const log = await readFile(join(h.dataDir, 'logs', 'recapito.log'), 'utf8');
    console.info(
      `swap race: ${captured.length} captured before their swap, ${(log.match(/after it was checked; not read/g) ?? []).length} swaps caught between check and read`,
    );
  }, 90_000);
});
