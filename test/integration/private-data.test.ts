// The data folder holds every invoice's parties and buyers' tax codes: nobody but the user who runs
// the agent may read it. A fresh start creates every folder 0700 and every file 0600 even with
// umask 0; a start tightens what an earlier version left open, one log line per path; the spool is
// walked only when its folder is open; the files written to an ERP's return folder are 0600.
// POSIX only: Windows has no file modes, the profile's ACL protects the data folder there.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { chmod, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDemo, type Demo } from '../../src/cli/commands/demo.ts';
import { exportCommand } from '../../src/cli/commands/export.ts';
import { runAgent, type RunningAgent } from '../../src/core/host/run-agent.ts';
import { preparePrivateDataDir } from '../../src/core/config/private-data.ts';
import { LOG_FILE_NAME } from '../../src/core/log/logger.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { fixture, makePdf } from '../helpers/fixtures.ts';
import { INLINE_PART_MAX_BYTES } from '../../src/core/store/spool.ts';
import { waitFor } from '../helpers/wait-for.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

interface Entry {
  path: string;
  folder: boolean;
  mode: number;
}

/** Every folder and file under `dir` (symbolic links would be listed as files, and fail). */
async function walk(dir: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const stat = await lstat(path);
    entries.push({ path, folder: stat.isDirectory(), mode: stat.mode & 0o7777 });
    if (stat.isDirectory()) entries.push(...(await walk(path)));
  }
  return entries;
}

async function modeOf(path: string): Promise<number> {
  return (await lstat(path)).mode & 0o7777;
}

/** Entries whose mode is not 0700 (folders) or 0600 (files), as `path 0644` for a readable failure. */
function notPrivate(entries: Entry[]): string[] {
  return entries.filter((e) => e.mode !== (e.folder ? 0o700 : 0o600)).map((e) => `${e.path} ${e.mode.toString(8)}`);
}

async function withUmask<T>(mask: number, work: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await work();
  } finally {
    process.umask(previous);
  }
}

async function startDemoIn(dir: string): Promise<Demo> {
  const demo = await startDemo(dir);
  cleanups.push(() => demo.hub.close());
  return demo;
}

function stopLater(running: RunningAgent): void {
  cleanups.push(() => running.stop());
}

/** Drops the FPR12 sample and waits until it is delivered and SDI's receipt is spooled. */
async function deliverOne(demo: Demo): Promise<void> {
  await writeFile(join(demo.dropDir, 'consegnata.xml'), fixture('fatturapa', 'IT01234567890_FPR01.xml'));
  await waitFor(
    'consegnata.xml delivered, with its receipt',
    () => {
      const summary = demo.running.agent.documents({ limit: 10 }).documents.find((d) => d.name === 'consegnata.xml');
      const document = summary ? demo.running.agent.document(summary.id) : null;
      return document?.state === 'delivered' && document.files.length > 0;
    },
    30_000,
    100,
  );
  // The invoice and its receipt are kept in the store; a document over the inline size is a spool file.
  const large = Buffer.concat([makePdf('grande'), Buffer.from(`%${'x'.repeat(INLINE_PART_MAX_BYTES)}\n`)]);
  await writeFile(join(demo.dropDir, 'grande.pdf'), large);
  await waitFor('grande.pdf captured', () => demo.running.agent.documents({ limit: 10 }).documents.some((d) => d.name === 'grande.pdf'), 30_000, 100);
}

describe.skipIf(process.platform === 'win32')('private data folder (POSIX modes; on Windows the user profile ACL protects it)', () => {
  it('a fresh start under umask 0 creates every folder of the data folder 0700 and every file 0600', async () => {
    const { dir: root, cleanup } = await makeTempDir();
    cleanups.push(cleanup);
    const dir = join(root, 'demo');
    const agentDir = join(dir, 'agent');
    await withUmask(0, async () => {
      const demo = await startDemoIn(dir);
      stopLater(demo.running);
      await deliverOne(demo);
      // A CSV export of the history (parties, buyers) is private too.
      expect(await exportCommand(['--csv', join(root, 'exports', 'history.csv'), '--data', agentDir])).toBe(0);
      // The agent still runs: the WAL, its index and the lock exist.
      const entries = await walk(agentDir);
      const names = entries.map((e) => e.path.slice(agentDir.length + 1));
      for (const kind of [
        'config.json',
        'secrets.json',
        'recapito.sqlite',
        'recapito.sqlite-wal',
        'recapito.sqlite-shm',
        'agent.lock',
        'agent.pid',
        'api-token',
        'api-url',
        'printer-url',
        'logs',
        `logs/${LOG_FILE_NAME}`,
        'printer-spool',
        'spool',
      ]) {
        expect(names, kind).toContain(kind);
      }
      expect(names.filter((n) => /^spool\/[0-9a-f]{2}$/.test(n)).length, 'spool shard folders').toBeGreaterThan(0);
      // The invoice and the hub's receipt are kept in the store (small); the large PDF is a spool file.
      expect(names.filter((n) => /^spool\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(n)).length, 'spooled files (the large PDF)').toBeGreaterThanOrEqual(1);
      expect(notPrivate([{ path: agentDir, folder: true, mode: await modeOf(agentDir) }, ...entries])).toEqual([]);

      expect((await modeOf(dir)).toString(8), 'the demo folder').toBe('700');
      for (const file of ['api-token', 'api-url', 'printer-url']) expect((await modeOf(join(dir, file))).toString(8), `demo ${file}`).toBe('600');
      expect((await modeOf(join(root, 'exports', 'history.csv'))).toString(8), 'CSV export').toBe('600');
      expect((await modeOf(join(root, 'exports'))).toString(8), 'folder created for the CSV export').toBe('700');
    });
  });

  it('a start tightens every path an earlier version left open to others, with one log line each', async () => {
    const { dir: root, cleanup } = await makeTempDir();
    cleanups.push(cleanup);
    const dir = join(root, 'demo');
    const agentDir = join(dir, 'agent');
    const demo = await startDemoIn(dir);
    await deliverOne(demo);
    await demo.running.stop();

    // What the earlier version left: the same paths, open to group and others. A reader keeps the
    // database's -wal and -shm in place (as a crash does). The secrets file is left alone: the
    // headless secret store refuses it open, before anything starts (secret-store.test.ts).
    const legacy = new Database(join(agentDir, 'recapito.sqlite'));
    cleanups.push(async () => legacy.close());
    legacy.prepare('SELECT count(*) FROM documents').get();
    await mkdir(join(agentDir, 'printer-spool'), { recursive: true });
    await writeFile(join(agentDir, 'printer-spool', 'ipp-job-7-0b9e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4.spool'), 'left by a crash while printing');
    await writeFile(join(agentDir, '.config.json.4242.0123456789ab.tmp'), '{}');
    const opened: Entry[] = [];
    for (const entry of [{ path: agentDir, folder: true, mode: 0 }, ...(await walk(agentDir))]) {
      if (entry.path.endsWith('secrets.json')) continue;
      const mode = entry.folder ? 0o755 : 0o644;
      await chmod(entry.path, mode);
      opened.push({ ...entry, mode });
    }
    expect(opened.map((e) => e.path)).toEqual(expect.arrayContaining(['-wal', '-shm'].map((s) => join(agentDir, `recapito.sqlite${s}`))));

    const running = await runAgent(agentDir);
    stopLater(running);
    const log = await readFile(join(agentDir, 'logs', LOG_FILE_NAME), 'utf8');
    const missing = opened.filter((e) => !log.includes(`tightened permissions of ${e.path} from ${e.folder ? '0755 to 0700' : '0644 to 0600'}\n`));
    expect(missing.map((e) => e.path)).toEqual([]);
    expect(notPrivate([{ path: agentDir, folder: true, mode: await modeOf(agentDir) }, ...(await walk(agentDir))])).toEqual([]);
    // The stale print job was tightened first, then removed by the printer.
    expect(await readdir(join(agentDir, 'printer-spool'))).toEqual([]);
  });

  it('walks a spool of 10,000 files when its folder is open, and not again once it is private', async () => {
    const { dir, cleanup } = await makeTempDir();
    cleanups.push(cleanup);
    const spool = join(dir, 'spool');
    const shards = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
    await withUmask(0o022, async () => {
      for (const shard of shards) await mkdir(join(spool, shard), { recursive: true });
      for (let i = 0; i < 10_000; i += 1) writeFileSync(join(spool, shards[i % 256]!, i.toString(16).padStart(64, '0')), 'x');
    });
    const lines: string[] = [];
    const log = { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(`WARN ${line}`) };

    const first = preparePrivateDataDir(dir, log);
    expect(first).toEqual({ tightened: 1 + 256 + 10_000, failed: 0, spoolWalked: true });
    expect(lines.length).toBe(first.tightened);
    expect(lines).toContain(`tightened permissions of ${spool} from 0755 to 0700`);
    expect(notPrivate(await walk(dir))).toEqual([]);

    // Private spool folder: not walked, however many files it holds.
    await chmod(join(spool, '00'), 0o755);
    lines.length = 0;
    expect(preparePrivateDataDir(dir, log)).toEqual({ tightened: 0, failed: 0, spoolWalked: false });
    expect(lines).toEqual([]);
  });

  it('writes the status files and SDI notifications of the return folder 0600, in a 0700 folder it creates', async () => {
    const returnDir = await withUmask(0, async () => {
      const h: Harness = await startHarness({
        settings: (s) => ({ ...s, profiles: [{ ...s.profiles[0]!, returnFolder: join(s.profiles[0]!.folders[0]!.path, '..', 'ritorno') }] }),
      });
      cleanups.push(() => h.close());
      const folder = join(h.root, 'ritorno');
      await writeFile(join(h.dropDir, 'consegnata.xml'), fixture('fatturapa', 'IT01234567890_FPR01.xml'));
      await waitFor(
        'the status delivered and the RC receipt in the return folder',
        async () => {
          const status = await readFile(join(folder, 'consegnata.xml.status.json'), 'utf8').catch(() => null);
          const names = await readdir(folder).catch(() => [] as string[]);
          return status?.includes('"state": "delivered"') && names.some((n) => /_RC_\w+\.xml$/.test(n));
        },
        30_000,
        100,
      );
      return folder;
    });
    const entries = await walk(returnDir);
    expect(entries.map((e) => e.path)).toEqual(expect.arrayContaining([join(returnDir, 'consegnata.xml.status.json')]));
    expect(notPrivate([{ path: returnDir, folder: true, mode: await modeOf(returnDir) }, ...entries])).toEqual([]);
  });
});
