// A full disk under the agent's data folder: a tmpfs of its own, made and removed by the test (root
// only: under CI=true the tests run as root; elsewhere they are skipped with the reason). Capture
// stops with one visible reason ("disk full: N MB needed"), the files stay in the drop folder,
// nothing half-written is kept or trusted, the printer answers busy, the API answers 507, the agent
// keeps running, and capture resumes by itself once there is room; the store passes integrity_check.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { makePdf, makeZip } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { isRoot, requires } from '../helpers/system-tools.ts';
import { encodeIppMessage } from '../../src/core/printer/ipp/encoder.ts';
import { decodeIppMessage } from '../../src/core/printer/ipp/decoder.ts';
import { attr, v } from '../../src/core/printer/ipp/attributes.ts';
import { AgentError } from '../../src/core/agent-error.ts';
import { Store } from '../../src/core/store/store.ts';
import { isDiskFullError } from '../../src/core/intake/disk-space.ts';
import { CaptureService } from '../../src/core/intake/capture.ts';
import { CaptureWorkerPool } from '../../src/core/intake/capture-worker/capture-pool.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const run = promisify(execFile);
const root = requires(isRoot(), 'needs root to mount a small tmpfs for the data folder', 'run the tests as root (CI=true runs them as root)');

const MiB = 1024 * 1024;
const mounts: string[] = [];
let harness: Harness | null = null;

afterEach(async () => {
  vi.restoreAllMocks();
  // The agent lets go of its files before its filesystem goes.
  await harness?.agent.stop().catch(() => undefined);
  for (const mountPoint of mounts.splice(0)) await run('umount', [mountPoint]).catch(() => run('umount', ['-l', mountPoint]));
  await harness?.close();
  harness = null;
});

async function mountTmpfs(path: string, bytes: number): Promise<string> {
  await mkdir(path, { recursive: true });
  await run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', path]);
  mounts.push(path);
  return path;
}

async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

/** Fills the filesystem of `dir` until `leave` bytes are free (0: until ENOSPC). */
async function fill(dir: string, leave: number): Promise<string> {
  const path = join(dir, 'filler.bin');
  const handle = await open(path, 'a');
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  try {
    for (;;) {
      const free = await freeBytes(dir);
      if (free <= leave) break;
      const size = Math.min(chunk.length, free - leave);
      try {
        await handle.write(chunk, 0, size);
      } catch (error) {
        if (isDiskFullError(error)) break;
        throw error;
      }
    }
  } finally {
    await handle.close();
  }
  return path;
}

/** A PDF of about `bytes` that a ZIP shrinks about sevenfold (two letters at random), different each time. */
function compressiblePdfOf(label: string, bytes: number): Buffer {
  const random = randomBytes(Math.ceil(bytes / 8));
  let text = '';
  for (let i = 0; i < bytes; i += 1) text += (random[i >> 3]! >> (i & 7)) & 1 ? 'a' : 'b';
  return makePdf(`${label} ${text}`);
}

/** A PDF of about `bytes`, different each time (no duplicate detection in the way). */
function pdfOf(label: string, bytes: number): Buffer {
  return makePdf(`${label} ${randomBytes(Math.max(1, Math.floor(bytes / 2))).toString('hex')}`);
}

async function startOnTmpfs(size: number, options: { reserveBytes: number; printer?: boolean }): Promise<{ h: Harness; dataDir: string }> {
  let dataDir = '';
  const h = (harness = await startHarness({
    dataDir: async (dir) => (dataDir = await mountTmpfs(join(dir, 'agent'), size)),
    // Every capture reads the free space afresh: a reading taken before the test fills the disk must
    // not let a file through. (One that gets through is still safe: a small capture is written into
    // the store's WAL, whose space is already allocated, and is durable — but this test is about the hold.)
    deps: { diskSpace: { reserveBytes: options.reserveBytes, recheckMs: 100, readingReuseMs: 0 } },
    settings: (s) => ({ ...s, printer: { ...s.printer, enabled: options.printer ?? false, port: 0 } }),
  }));
  return { h, dataDir };
}

const inDropFolder = async (h: Harness): Promise<string[]> =>
  (await readdir(h.dropDir, { withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();

const documentsNamed = (h: Harness, names: string[]) => {
  const all = h.agent.documents({ limit: 500 }).documents;
  return names.map((name) => all.find((d) => d.name === name));
};

async function printJob(url: string, jobName: string, document: Buffer): Promise<number> {
  const request = encodeIppMessage({
    version: { major: 2, minor: 0 },
    code: 0x0002, // Print-Job
    requestId: 1,
    groups: [
      {
        tag: 0x01,
        attributes: [
          attr('attributes-charset', v.charset('utf-8')),
          attr('attributes-natural-language', v.naturalLanguage('it')),
          attr('printer-uri', v.uri(url)),
          attr('requesting-user-name', v.name('mario.rossi')),
          attr('job-name', v.name(jobName)),
          attr('document-format', v.mimeMediaType('application/pdf')),
        ],
      },
    ],
  });
  const response = await fetch(url.replace(/^ipp:/, 'http:'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/ipp' },
    body: new Uint8Array(Buffer.concat([request, document])),
  });
  expect(response.status).toBe(200);
  return decodeIppMessage(new Uint8Array(await response.arrayBuffer())).message.code;
}

/** Every document delivered, each exactly once at the hub. */
async function expectDeliveredOnce(h: Harness, ids: string[]): Promise<void> {
  for (const id of ids) await h.waitForState(id, 'delivered', 60_000);
  const atHub = h.hub.listDocuments();
  for (const id of ids) expect(atHub.filter((d) => d.idempotencyKey === id)).toHaveLength(1);
}

function expectSoundStore(h: Harness): void {
  expect(h.agent.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(h.agent.verifyAudit().ok).toBe(true);
}

/** Temporary spool files left behind: a half-written copy would sit here. */
async function spoolLeftovers(dataDir: string): Promise<string[]> {
  const spool = join(dataDir, 'spool');
  const shards = await readdir(spool).catch(() => [] as string[]);
  const found: string[] = [];
  for (const shard of shards) for (const name of await readdir(join(spool, shard)).catch(() => [] as string[])) if (name.endsWith('.tmp')) found.push(name);
  return found;
}

root.describe('disk full under the data folder', () => {
  root.it(
    'capture stops with the reason, files stay, the printer is busy, the API says 507; all resumes by itself when space returns',
    async () => {
      const attempts = vi.spyOn(CaptureService.prototype, 'captureFolderFile');
      const { h, dataDir } = await startOnTmpfs(24 * MiB, { reserveBytes: 2 * MiB, printer: true });
      const printerUrl = h.agent.printer.urls()[0]!.url;
      await writeFile(join(h.dropDir, 'before.pdf'), pdfOf('before', 8 * 1024));
      const before = await waitFor('first captured', () => documentsNamed(h, ['before.pdf'])[0]);
      await h.waitForState(before.id, 'delivered');

      // Full to the last byte: every write into the data folder fails from here on.
      const filler = await fill(dataDir, 0);
      const names = ['full-1.pdf', 'full-2.pdf', 'full-3.pdf'];
      for (const name of names) await writeFile(join(h.dropDir, name), pdfOf(name, 16 * 1024));

      const hold = await waitFor('capture held', () => h.agent.status().captureHold);
      expect(hold.code).toBe('disk_full');
      expect(hold.reason).toMatch(/^disk full: \d+ MB needed/);
      // The printer answers busy (the client keeps the job and retries), the API 507.
      expect(await printJob(printerUrl, 'Fattura 7', pdfOf('printed', 4 * 1024))).toBe(0x0507);
      const refused = await h.agent.submit({ source: 'api', name: 'api.pdf', bytes: pdfOf('api', 4 * 1024) }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(AgentError);
      expect((refused as AgentError).status).toBe(507);
      expect((refused as AgentError).message).toMatch(/disk full/);

      // A later file, refused in its turn, proves the watcher has tried every file by now.
      await writeFile(join(h.dropDir, 'sentinel.pdf'), pdfOf('sentinel', 1024));
      await waitFor('the sentinel tried and refused', () =>
        attempts.mock.calls.some(([file], i) => file.path.endsWith('sentinel.pdf') && attempts.mock.settledResults[i]?.type === 'rejected'),
      );
      // Nothing captured, nothing moved: the files are all in the drop folder, untouched.
      expect(await inDropFolder(h)).toEqual([...names, 'sentinel.pdf'].sort());
      expect(documentsNamed(h, [...names, 'sentinel.pdf']).every((d) => d === undefined)).toBe(true);
      expect(await spoolLeftovers(dataDir)).toEqual([]);
      // The agent runs on: its status, its services, its store.
      expect(h.agent.status().services.filter((s) => s.state === 'stopped')).toEqual([]);
      expect(h.agent.status().captureHold?.reason).toMatch(/disk full/);

      // Space comes back; nobody touches the agent.
      await rm(filler);
      await waitFor('capture resumed', () => h.agent.status().captureHold === null);
      const documents = await waitFor('all captured', () => {
        const found = documentsNamed(h, [...names, 'sentinel.pdf']);
        return found.every(Boolean) ? found : null;
      });
      await expectDeliveredOnce(h, [before.id, ...documents.map((d) => d!.id)]);
      await waitFor('drop folder emptied', async () => (await inDropFolder(h)).length === 0);
      expect(await printJob(printerUrl, 'Fattura 8', pdfOf('printed again', 4 * 1024))).toBe(0x0000);
      expectSoundStore(h);
    },
    120_000,
  );

  root.it(
    'a capture that runs out of space half-way (a ZIP larger inside) keeps nothing half-written and resumes by itself',
    async () => {
      const prepared = vi.spyOn(CaptureWorkerPool.prototype, 'prepare');
      const { h, dataDir } = await startOnTmpfs(24 * MiB, { reserveBytes: 256 * 1024 });
      // Two PDFs of 1.5 MB in a ZIP of about 0.4 MB: the free space before it passes the check (twice
      // the ZIP and the reserve), the expanded copies do not fit: the capture worker meets ENOSPC.
      const zip = await makeZip([
        { name: 'a.pdf', data: compressiblePdfOf('zip a', 1.5 * MiB) },
        { name: 'b.pdf', data: compressiblePdfOf('zip b', 1.5 * MiB) },
      ]);
      expect(zip.length).toBeLessThan(MiB / 2);
      const filler = await fill(dataDir, 2 * zip.length + 512 * 1024);
      await writeFile(join(h.dropDir, 'batch.zip'), zip);

      const hold = await waitFor('capture held', () => h.agent.status().captureHold);
      expect(hold.reason).toMatch(/^disk full: \d+ MB needed/);
      // It was the capture worker's spool that met the full disk, not the check before it.
      const results = prepared.mock.settledResults;
      expect(results.some((result) => result.type === 'rejected' && isDiskFullError(result.value))).toBe(true);
      expect(await inDropFolder(h)).toEqual(['batch.zip']);
      expect(documentsNamed(h, ['a.pdf', 'b.pdf']).every((d) => d === undefined)).toBe(true);
      expect(await spoolLeftovers(dataDir)).toEqual([]);

      await rm(filler);
      const documents = await waitFor('captured after the space returned', () => {
        const found = documentsNamed(h, ['a.pdf', 'b.pdf']);
        return found.every(Boolean) ? found : null;
      });
      expect(h.agent.status().captureHold).toBeNull();
      await expectDeliveredOnce(
        h,
        documents.map((d) => d!.id),
      );
      await waitFor('drop folder emptied', async () => (await inDropFolder(h)).length === 0);
      expectSoundStore(h);
    },
    120_000,
  );

  root.it('SQLITE_FULL during a commit: the commit is refused, the store stays whole and works again with room', async () => {
    const { dir, cleanup } = await makeTempDir('disk-full-sqlite-');
    const mountPoint = await mountTmpfs(join(dir, 'db'), 4 * MiB);
    const store = new Store(join(mountPoint, 'recapito.sqlite'), 'test');
    try {
      await store.groupCommit.durable(() => store.kv.set('before', 'ok'));
      const filler = await fill(mountPoint, 0);
      const big = 'x'.repeat(256 * 1024);
      const failed = await store.groupCommit.durable(() => store.kv.set('big', big)).catch((error: unknown) => error);
      expect(isDiskFullError(failed), String(failed)).toBe(true);
      expect(store.kv.get('big')).toBeNull();
      expect(store.kv.get('before')).toBe('ok');
      await rm(filler);
      await store.groupCommit.durable(() => store.kv.set('big', big));
      expect(store.kv.get('big')).toBe(big);
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      store.close();
      await run('umount', [mountPoint]).catch(() => run('umount', ['-l', mountPoint]));
      mounts.splice(mounts.indexOf(mountPoint), 1);
      await cleanup();
    }
  });
});

describe('SQLITE_FULL in the background commits', () => {
  it("an upload's bookkeeping that cannot commit does not end the agent; the upload is taken again and arrives once", async () => {
    // The outbox records each upload's answer in a commit of its own. A full disk can refuse that
    // commit (and the one recording the failure) at any moment; a real one cannot be timed onto it,
    // so the store's batched commit is made to fail the way SQLite does while the flag is up.
    const h = (harness = await startHarness({ settings: (s) => ({ ...s, outbox: { ...s.outbox, leaseSeconds: 2 } }) }));
    const store = h.agent.store;
    const batched = store.groupCommit.batched.bind(store.groupCommit);
    let full = true;
    let refused = 0;
    const sqliteFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const calledFrom = (method: string) => new Error().stack?.includes(method) ?? false;
    // The commit recording the hub's answer, and the one recording a failed attempt, are refused.
    vi.spyOn(store.groupCommit, 'batched').mockImplementation(<T>(work: () => T): Promise<T> => {
      if (full && calledFrom('Outbox.upload')) {
        refused += 1;
        return Promise.reject(sqliteFull());
      }
      return batched(work);
    });
    const transaction = store.transaction.bind(store);
    vi.spyOn(store, 'transaction').mockImplementation(<T>(work: () => T): T => {
      if (full && calledFrom('Outbox.handleFailure')) throw sqliteFull();
      return transaction(work);
    });
    try {
      const document = (await h.agent.submit({ source: 'api', name: 'full.pdf', bytes: pdfOf('sqlite full', 4096) }))[0]!;
      await waitFor('an answer that could not be recorded', () => refused > 0 && h.hub.listDocuments().length === 1);
      // The agent is alive and answers (a rejection left unhandled would have ended this process).
      expect(h.agent.status().services.find((s) => s.name === 'outbox')?.state).not.toBe('stopped');
      full = false;
      await expectDeliveredOnce(h, [document.id]);
      expectSoundStore(h);
    } finally {
      vi.restoreAllMocks();
    }
  }, 60_000);
});
