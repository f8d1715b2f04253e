// The capture worker pool: real worker threads reading real files into a real spool. Parts come
// back without their bytes, which are already in the spool; a worker that crashes or hangs fails
// only its captures, is replaced, and (in the agent) the file stays in its folder until it is taken.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  SPAWN_WHEN_QUEUED,
  CaptureWorkerPool,
  defaultCaptureWorkerCount,
  type CaptureWorkerPoolOptions,
} from '../../src/core/intake/capture-worker/capture-pool.ts';
import type { CaptureRequest } from '../../src/core/intake/capture-worker/messages.ts';
import { probeFile } from '../../src/core/intake/stable-file.ts';
import { Spool, sha256Hex } from '../../src/core/store/spool.ts';
import { DEFAULT_ZIP_LIMITS } from '../../src/core/intake/zip-expander.ts';
import { createAgent, type Agent } from '../../src/core/agent/agent.ts';
import { defaultSettings, type Settings } from '../../src/core/config/settings-schema.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { createLogger, type Logger } from '../../src/core/log/logger.ts';
import { SHARED_FIXTURES, makePdf, makeZip } from '../helpers/fixtures.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

const invoice = await readFile(join(SHARED_FIXTURES, 'fatturapa', 'IT01234567890_FPR01.xml'));
const LIMITS = { maxFileBytes: 1024 * 1024, zip: DEFAULT_ZIP_LIMITS };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.useRealTimers(); // a test on the fake clock that failed half-way: closing the pool needs real timers
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

interface LogLine {
  level: string;
  message: string;
  meta?: Record<string, unknown>;
}

/** A logger that keeps its lines, so tests can read what the pool reported. */
function recordingLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => void lines.push({ level, message, ...(meta ? { meta } : {}) });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

/** What the folder watcher hands over: the path and the snapshot it checked. */
async function fileRequest(path: string): Promise<CaptureRequest> {
  const probe = await probeFile(path);
  if (probe.status !== 'file') throw new Error(`${path}: ${probe.status}`);
  return { type: 'file', path, name: basename(path), size: probe.size, mtimeMs: probe.mtimeMs, identity: probe.identity };
}

async function startPool(options: Partial<CaptureWorkerPoolOptions> = {}) {
  const { dir, cleanup } = await makeTempDir();
  const lines: LogLine[] = [];
  const spoolDir = join(dir, 'spool');
  const pool = new CaptureWorkerPool({ size: 1, spoolDir, limits: LIMITS, log: recordingLogger(lines), ...options });
  cleanups.push(cleanup, () => pool.close());
  return { dir, pool, lines, spool: new Spool(spoolDir) };
}

describe('capture worker pool', () => {
  it('returns small parts inline, for the capture commit to keep in the store, and spools nothing', async () => {
    const { dir, pool, spool } = await startPool();
    const pdf = makePdf('fattura in PDF');
    const batch = await makeZip([
      { name: 'IT01234567890_FPR01.xml', data: invoice },
      { name: 'scan.pdf', data: pdf },
    ]);
    await writeFile(join(dir, 'batch.zip'), batch);

    const prepared = await pool.prepare(await fileRequest(join(dir, 'batch.zip')));

    expect(prepared.parts.map((p) => [p.name, p.kind, p.spooled, p.size])).toEqual([
      ['IT01234567890_FPR01.xml', 'fatturapa', true, invoice.length],
      ['scan.pdf', 'pdf', true, pdf.length],
    ]);
    expect(Buffer.from(prepared.parts[0]!.inline!)).toEqual(invoice);
    expect(Buffer.from(prepared.parts[1]!.inline!)).toEqual(pdf);
    expect(prepared.parts[0]!.sha256).toBe(sha256Hex(invoice));
    // Nothing was written to spool files: the store keeps these bytes.
    expect(await spool.has(prepared.parts[0]!.sha256)).toBe(false);
    expect(await readdir(join(dir, 'spool')).catch(() => [])).toEqual([]);
  });

  it('spools a part over the inline size to a file, and only so much of one capture comes back inline', async () => {
    const { dir, pool, spool } = await startPool({ inlinePartMaxBytes: 500 });
    const pdf = makePdf('fattura in PDF'); // over 500 bytes
    const note = Buffer.from('<note>ciao</note>');
    await writeFile(
      join(dir, 'batch.zip'),
      await makeZip([
        { name: 'note.xml', data: note },
        { name: 'scan.pdf', data: pdf },
      ]),
    );
    const prepared = await pool.prepare(await fileRequest(join(dir, 'batch.zip')));
    const [small, large] = prepared.parts;
    expect(pdf.length).toBeGreaterThan(500);
    expect(Buffer.from(small!.inline!)).toEqual(note);
    expect(large!.inline).toBeUndefined();
    expect(await spool.read(large!.sha256)).toEqual(pdf);

    // A ZIP of 40 small parts of 30 KiB: the first 1 MiB comes back inline, the rest is spooled.
    const many = Array.from({ length: 40 }, (_, i) => ({ name: `n${i}.txt`, data: Buffer.alloc(30 * 1024, `${i}-`) }));
    const wide = await startPool();
    await writeFile(join(wide.dir, 'many.zip'), await makeZip(many));
    const all = await wide.pool.prepare(await fileRequest(join(wide.dir, 'many.zip')));
    const inline = all.parts.filter((p) => p.inline);
    expect(inline.length).toBe(34); // 34 × 30 KiB ≤ 1 MiB < 35 × 30 KiB
    expect(inline.reduce((sum, p) => sum + p.size, 0)).toBeLessThanOrEqual(1024 * 1024);
    const spooled = all.parts.filter((p) => !p.inline);
    expect(spooled.map((p) => p.name)).toEqual(['n34.txt', 'n35.txt', 'n36.txt', 'n37.txt', 'n38.txt', 'n39.txt']);
    for (const part of spooled) expect(await wide.spool.read(part.sha256)).toEqual(many.find((m) => m.name === part.name)!.data);
  });

  it('returns the inspected parts without bytes, each already in the spool, when nothing is to come back inline', async () => {
    const { dir, pool, spool } = await startPool({ inlinePartMaxBytes: 0 });
    const pdf = makePdf('fattura in PDF');
    const batch = await makeZip([
      { name: 'IT01234567890_FPR01.xml', data: invoice },
      { name: 'scan.pdf', data: pdf },
    ]);
    await writeFile(join(dir, 'batch.zip'), batch);

    const prepared = await pool.prepare(await fileRequest(join(dir, 'batch.zip')));

    expect(prepared.sha256).toBe(sha256Hex(batch));
    expect(prepared.size).toBe(batch.length);
    expect(prepared.parts.map((p) => [p.name, p.kind, p.invalid])).toEqual([
      ['IT01234567890_FPR01.xml', 'fatturapa', null],
      ['scan.pdf', 'pdf', null],
    ]);
    for (const part of prepared.parts) {
      expect(Object.keys(part)).not.toContain('bytes');
      expect(part.spooled).toBe(true);
      expect(part.metadata['archive']).toBe('batch.zip');
    }
    // The spooled copies are the entries' exact bytes (read() verifies the hash).
    expect(await spool.read(prepared.parts[0]!.sha256)).toEqual(invoice);
    expect(await spool.read(prepared.parts[1]!.sha256)).toEqual(pdf);
    expect(prepared.parts[0]!.size).toBe(invoice.length);
  });

  it('takes bytes (API, printer) and refuses a file over the size limit without spooling it', async () => {
    const { dir, pool, spool } = await startPool({ limits: { ...LIMITS, maxFileBytes: 1000 } });
    const fromApi = await pool.prepare({ type: 'bytes', name: 'note.xml', bytes: Buffer.from('<note>ciao</note>') });
    expect(fromApi.parts[0]).toMatchObject({ name: 'note.xml', spooled: true, invalid: { code: 'xml_not_fatturapa' } });
    expect(Buffer.from(fromApi.parts[0]!.inline!).toString()).toBe('<note>ciao</note>');

    await writeFile(join(dir, 'big.xml'), invoice);
    const big = await pool.prepare(await fileRequest(join(dir, 'big.xml')));
    expect(big.parts).toEqual([
      expect.objectContaining({ sha256: sha256Hex(invoice), size: invoice.length, spooled: false, invalid: expect.objectContaining({ code: 'too_large' }) }),
    ]);
    expect(await spool.has(sha256Hex(invoice))).toBe(false);
  });

  it('fails a capture whose file cannot be read, with its error code, and goes on', async () => {
    const { dir, pool } = await startPool();
    await expect(pool.prepare({ type: 'file', path: join(dir, 'gone.xml'), name: 'gone.xml', size: 10, mtimeMs: 0, identity: '0:0' })).rejects.toMatchObject({
      code: 'ENOENT',
      message: expect.stringMatching(/gone\.xml/),
    });
    await writeFile(join(dir, 'ok.xml'), invoice);
    expect((await pool.prepare(await fileRequest(join(dir, 'ok.xml')))).parts[0]!.kind).toBe('fatturapa');
  });

  it('a worker that crashes fails its capture, is logged, and a new worker takes the next one', async () => {
    const { dir, pool, lines } = await startPool({ faults: { crashOnName: 'crash-me' } });
    await writeFile(join(dir, 'crash-me.xml'), invoice);
    await writeFile(join(dir, 'fine.xml'), invoice);

    await expect(pool.prepare(await fileRequest(join(dir, 'crash-me.xml')))).rejects.toThrow(
      /capture of .*crash-me\.xml failed: the capture worker crashed: simulated capture worker crash/,
    );
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringMatching(/capture worker stopped/) }));
    expect(pool.workerCount).toBe(0);

    const next = await pool.prepare(await fileRequest(join(dir, 'fine.xml')));
    expect(next.parts[0]!.kind).toBe('fatturapa');
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'capture worker replaced' }));
  });

  it('a worker that hangs is stopped at the timeout: its capture fails and the next one works', async () => {
    // The pool's timers run on a fake clock (the worker threads keep real time): a timeout fires when
    // the test moves the clock, never because a busy machine slowed a real capture down.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { dir, pool, lines } = await startPool({ faults: { hangOnName: 'hang-me' }, jobTimeoutMs: 400 });
      await writeFile(join(dir, 'fine.xml'), invoice);
      // A first capture gets the worker ready, so the hung capture's clock starts when it is handed over.
      expect((await pool.prepare(await fileRequest(join(dir, 'fine.xml')))).parts[0]!.kind).toBe('fatturapa');
      let failure: unknown = null;
      const hung = pool.prepare({ type: 'bytes', name: 'hang-me.xml', bytes: invoice }).catch((error: unknown) => (failure = error));
      vi.advanceTimersByTime(399);
      await new Promise((resolve) => setImmediate(resolve));
      expect(failure).toBeNull(); // not before its time
      vi.advanceTimersByTime(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(String(failure)).toMatch(/took more than 0\.4 s/);
      await hung;
      expect(lines).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringMatching(/did not answer in time/) }));
      expect((await pool.prepare(await fileRequest(join(dir, 'fine.xml')))).parts[0]!.kind).toBe('fatturapa');
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts a capture’s time from when its worker is ready, and stops a worker that never gets ready', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      // Loading takes 1.5 s, three times the capture timeout, and the pool's clock moves that much before
      // the worker can say it is ready (its message needs this thread): the capture still succeeds.
      const slow = await startPool({ faults: { startDelayMs: 1500 }, jobTimeoutMs: 500 });
      const capture = slow.pool.prepare({ type: 'bytes', name: 'a.xml', bytes: invoice });
      vi.advanceTimersByTime(1500);
      expect((await capture).parts[0]!.kind).toBe('fatturapa');

      const stuck = await startPool({ faults: { startDelayMs: Infinity }, startTimeoutMs: 300 });
      const never = stuck.pool.prepare({ type: 'bytes', name: 'b.xml', bytes: invoice });
      vi.advanceTimersByTime(300);
      await expect(never).rejects.toThrow(/starting took more than 0\.3 s/);
      expect(stuck.lines).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringMatching(/did not answer in time/) }));
      expect(stuck.pool.workerCount).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('spreads captures over its workers, up to its size, and refuses new ones once closed', async () => {
    const { dir, pool } = await startPool({ size: 2 });
    const names = Array.from({ length: 20 }, (_, i) => `f${i}.pdf`);
    for (const name of names) await writeFile(join(dir, name), makePdf(name));
    const results = await Promise.all(names.map(async (name) => pool.prepare(await fileRequest(join(dir, name)))));
    expect(new Set(results.map((r) => r.sha256)).size).toBe(20);
    expect(pool.workerCount).toBe(2);

    await pool.close();
    expect(pool.workerCount).toBe(0);
    await expect(pool.prepare({ type: 'bytes', name: 'late.xml', bytes: invoice })).rejects.toThrow(/agent is stopping/);
  });

  it('serves captures that come one at a time, or a few at once, with one worker; a burst starts the second', async () => {
    const { dir, pool } = await startPool({ size: 2 });
    for (let i = 0; i < 5; i++) {
      await writeFile(join(dir, `one-${i}.xml`), invoice);
      await pool.prepare(await fileRequest(join(dir, `one-${i}.xml`)));
    }
    expect(pool.workerCount).toBe(1);
    // Fewer than SPAWN_WHEN_QUEUED at once: still the one worker.
    await Promise.all(Array.from({ length: SPAWN_WHEN_QUEUED }, (_, i) => pool.prepare({ type: 'bytes', name: `few-${i}.xml`, bytes: invoice })));
    expect(pool.workerCount).toBe(1);
    // One more than the first worker holds: the second starts.
    await Promise.all(Array.from({ length: SPAWN_WHEN_QUEUED + 1 }, (_, i) => pool.prepare({ type: 'bytes', name: `burst-${i}.xml`, bytes: invoice })));
    expect(pool.workerCount).toBe(2);
  });

  it('stops a worker that has had no capture for idleMs, and starts a new one for the next capture', async () => {
    // The pool's timers on a fake clock: the worker is stopped when the test moves the clock, not
    // when a busy machine gets round to it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { dir, pool, lines } = await startPool({ size: 2, idleMs: 1000 });
      await writeFile(join(dir, 'a.xml'), invoice);
      expect((await pool.prepare(await fileRequest(join(dir, 'a.xml')))).parts[0]!.kind).toBe('fatturapa');
      expect(pool.workerCount).toBe(1);
      vi.advanceTimersByTime(999);
      expect(pool.workerCount).toBe(1);
      // A capture in between starts the wait over.
      expect((await pool.prepare({ type: 'bytes', name: 'b.xml', bytes: invoice })).parts[0]!.kind).toBe('fatturapa');
      vi.advanceTimersByTime(999);
      expect(pool.workerCount).toBe(1);
      vi.advanceTimersByTime(1);
      expect(pool.workerCount).toBe(0);

      expect((await pool.prepare({ type: 'bytes', name: 'c.xml', bytes: invoice })).parts[0]!.kind).toBe('fatturapa');
      expect(pool.workerCount).toBe(1);
      // Stopped on purpose, not lost: nothing logged, no "replaced".
      expect(lines.filter((line) => line.level !== 'debug')).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('an idle pool never keeps the process alive', async () => {
    const poolModule = fileURLToPath(new URL('../../src/core/intake/capture-worker/capture-pool.ts', import.meta.url));
    const { dir, cleanup } = await makeTempDir();
    cleanups.push(cleanup);
    const script = `
      const { CaptureWorkerPool } = await import(${JSON.stringify(poolModule)});
      const log = { debug() {}, info() {}, warn() {}, error() {}, child() { return log; } };
      const pool = new CaptureWorkerPool({ size: 1, spoolDir: ${JSON.stringify(join(dir, 'spool'))}, limits: { maxFileBytes: 1e6, zip: { maxEntries: 10, maxTotalBytes: 1e6, maxEntryBytes: 1e6, maxRatio: 200, maxDepth: 2 } }, log });
      const prepared = await pool.prepare({ type: 'bytes', name: 'a.xml', bytes: Buffer.from('<a/>') });
      console.log(prepared.parts[0].spooled);`;
    // Not closed on purpose: the process must still end by itself once the capture is answered.
    await writeFile(join(dir, 'capture-once.mjs'), script);
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'capture-once.mjs')], { timeout: 15_000 });
    expect(stdout.trim()).toBe('true');
  });

  it('sizes itself to the spare cores, between 1 and 2', () => {
    expect([1, 2, 3, 4, 16].map((cores) => defaultCaptureWorkerCount(cores))).toEqual([1, 1, 2, 2, 2]);
  });
});

describe('capture workers in the agent', () => {
  async function startAgent(dropDir: string, dataDir: string): Promise<Agent> {
    const defaults = defaultSettings();
    const settings: Settings = {
      ...defaults,
      api: { ...defaults.api, port: 0 },
      printer: { ...defaults.printer, enabled: false, port: 0 },
      intake: { ...defaults.intake, stableWindowMs: 100, rescanIntervalMs: 1000 },
      profiles: [
        {
          id: 'test',
          name: 'Test Srl',
          hubCompanyId: null,
          folders: [{ path: dropDir, postAction: 'move', usePolling: false }],
          returnFolder: null,
          sending: 'automatic',
          dualControl: false,
          printer: { enabled: false, queueName: null },
        },
      ],
    };
    const secrets = await createFileSecretStore(join(dataDir, 'secrets.json'), {});
    const log = createLogger({ dir: join(dataDir, 'logs'), level: 'debug', maxFileBytes: 5 * 1024 * 1024, maxFiles: 1 });
    // No hub: captured documents wait in the queue, which is all this test needs.
    const agent = createAgent(settings, { dataDir, secrets, log, captureWorkers: { size: 1, faults: { crashOnName: 'crash-me' } } });
    await agent.start();
    cleanups.push(() => agent.stop());
    return agent;
  }

  it('a file whose capture crashes the worker stays in its folder, is retried, and is taken once it can be', async () => {
    const { dir, cleanup } = await makeTempDir();
    cleanups.push(cleanup);
    const dropDir = join(dir, 'drop');
    const dataDir = join(dir, 'agent');
    await mkdir(dropDir, { recursive: true });
    const agent = await startAgent(dropDir, dataDir);
    const logText = () => readFile(join(dataDir, 'logs', 'recapito.log'), 'utf8');

    await writeFile(join(dropDir, 'crash-me.xml'), invoice);
    const names = () => agent.documents({ limit: 50 }).documents.map((d) => d.name);
    // Two failed attempts: the watcher keeps the file and retries it after a backoff.
    await waitFor('a retried capture', async () => /file handler failed; will retry.*crash-me\.xml.*"attempts":2/.test(await logText()), 15_000);
    expect(await logText()).toMatch(/capture worker stopped.*crash-me\.xml/);
    // Another file is still captured meanwhile. Dropped only now: a crash fails every capture its worker
    // holds, and two files dropped together are retried in step (same backoff), so on a busy machine
    // the innocent one could share every crash until the wait below ran out.
    await writeFile(join(dropDir, 'good.pdf'), makePdf('good'));
    await waitFor('good.pdf captured', () => names().includes('good.pdf'));
    expect(names()).toEqual(['good.pdf']);
    expect(await readdir(dropDir)).toContain('crash-me.xml');

    // Once the file no longer trips the worker, it is captured like any other and moved to sent/.
    await rename(join(dropDir, 'crash-me.xml'), join(dropDir, 'invoice.xml'));
    await waitFor('invoice.xml captured', () => names().includes('invoice.xml'));
    const document = agent.documents({ limit: 50 }).documents.find((d) => d.name === 'invoice.xml')!;
    expect(document.state).toBe('queued');
    expect(await agent.spool.read(agent.store.documents.get(document.id)!.sha256)).toEqual(invoice);
    await waitFor('invoice.xml moved to sent/', async () => (await readdir(join(dropDir, 'sent')).catch((): string[] => [])).includes('invoice.xml'));
  }, 60_000); // worker restarts and backoffs: 18 s measured on a loaded 2-core machine
});
