// The SFTP server side of the benchmark, as child processes: a real OpenSSH sshd (the tests' helper,
// test/helpers/sshd.ts) in front of the sandbox hub's SFTP folder, the hub itself started as
// `recapito sandbox-hub --sftp-root DIR` (its own process, production poll interval), and what the
// benchmark reads from them: the sshd process tree's CPU and the documents the hub stored.
// Everything is registered with the run's Cleanup, so nothing outlives the run.
import { spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { needsSshd, startSshd, type Sshd } from '../../test/helpers/sshd.ts';
import type { Cleanup } from './cleanup.ts';
import { stopWithin } from './child-exit.ts';
import { clockTicks } from './process-cpu.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** What `recapito sandbox-hub` prints once its SFTP face is polling the folder. */
const HUB_READY_LINE = 'SFTP folder';
const HUB_START_TIMEOUT_MS = 60_000;
const HUB_STOP_TIMEOUT_MS = 15_000;
/** The sandbox hub's default scan interval of in/ (the CLI does not change it). */
export const HUB_SFTP_POLL_MS = 200;

export interface BenchSshd {
  host: string;
  port: number;
  username: string;
  hostKeyFingerprint: string;
  clientPrivateKey: string;
  /** The listening sshd and every session process it forked, right now. */
  pids(): number[];
  /** CPU seconds used so far by the listener, its live sessions and the sessions it has reaped. */
  cpuSeconds(): number | null;
}

/** A real sshd on 127.0.0.1 with a fresh host key and an authorised client key, for the user running the benchmark. */
export async function startBenchSshd(dir: string, cleanup: Cleanup): Promise<BenchSshd> {
  const tools = needsSshd();
  if (!tools.ok) throw new Error(`the SFTP benchmark needs OpenSSH (${tools.reason}), or run it with --only https`);
  const sshd: Sshd = await startSshd(dir);
  cleanup.add(`stop sshd on port ${sshd.port}`, () => sshd.stop());
  // startSshd does not expose the child: sshd writes its pid to the PidFile of its config.
  const listener = Number((await readFile(join(dir, 'sshd.pid'), 'utf8')).trim());
  if (!Number.isSafeInteger(listener) || listener < 1) throw new Error(`sshd wrote no usable pid to ${join(dir, 'sshd.pid')}`);
  return {
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    clientPrivateKey: sshd.clientPrivateKey,
    pids: () => [listener, ...descendants(listener)],
    cpuSeconds: () => treeCpuSeconds(listener),
  };
}

/** Starts measuring the sshd tree's CPU; `stop()` gives cores busy over the time in between (1.0 = one core). */
export function startTreeCpuMeter(sshd: BenchSshd): { stop(): number | null } {
  const started = performance.now();
  const start = sshd.cpuSeconds();
  return {
    stop() {
      const end = sshd.cpuSeconds();
      const wallSeconds = (performance.now() - started) / 1000;
      return start === null || end === null || wallSeconds <= 0 ? null : (end - start) / wallSeconds;
    },
  };
}

/** What the hub stored for one upload. */
export interface SftpHubRecord {
  fileName: string;
  idempotencyKey: string;
  /** Epoch ms: when the hub took the file from in/ and committed the document. */
  createdAt: number;
  uploads: number;
}

export interface SftpHubChild {
  pid: number;
  dataDir: string;
  /** The folder sshd serves: holds in/ and out/. */
  rootDir: string;
  /** How many documents the hub has stored so far. */
  count(): number;
  records(): SftpHubRecord[];
  /** SIGTERM (the hub closes cleanly), SIGKILL after 15 s. */
  close(): Promise<void>;
}

/**
 * `recapito sandbox-hub --dir D --sftp-root R --delay-ms 0 --credits N` in its own process: the hub
 * gets a core to itself instead of sharing the event loop of the upload loop it is measured against.
 */
export async function startSftpHubChild(options: {
  dataDir: string;
  rootDir: string;
  credits: number;
  logFile: string;
  cleanup: Cleanup;
}): Promise<SftpHubChild> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('RECAPITO_')));
  const args = [CLI, 'sandbox-hub', '--dir', options.dataDir, '--sftp-root', options.rootDir, '--delay-ms', '0', '--credits', String(options.credits)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let database: Database.Database | null = null;

  const stop = async (): Promise<void> => {
    database?.close();
    database = null;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await stopWithin(child, exited, HUB_STOP_TIMEOUT_MS);
    await new Promise<void>((resolve) => log.end(resolve));
  };
  const unregister = options.cleanup.add(`stop the SFTP sandbox hub process ${child.pid}`, stop);

  try {
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`the sandbox hub did not start within ${HUB_START_TIMEOUT_MS / 1000} s`)), HUB_START_TIMEOUT_MS);
      child.stdout.on('data', function watchForReady(chunk: Buffer) {
        seen = (seen + chunk.toString('utf8')).slice(-4096);
        if (!seen.includes(HUB_READY_LINE)) return;
        child.stdout.off('data', watchForReady);
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the sandbox hub exited while starting (code ${code}, signal ${signal})`));
      });
    });
  } catch (error) {
    await unregister();
    const tail = (await readFile(options.logFile, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
    throw new Error(`${(error as Error).message}; the end of its output:\n${tail}`, { cause: error });
  }

  // Read-only, from this process, as the agent's own database is read: the hub writes in WAL mode.
  const db = (): Database.Database => {
    if (!database) {
      database = new Database(join(options.dataDir, 'hub.sqlite'), { readonly: true, fileMustExist: true });
      database.pragma('busy_timeout = 5000');
    }
    return database;
  };
  return {
    pid: child.pid as number,
    dataDir: options.dataDir,
    rootDir: options.rootDir,
    count: () => (db().prepare(`SELECT COUNT(*) AS n FROM documents WHERE channel = 'sftp'`).get() as { n: number }).n,
    records: () =>
      (
        db()
          .prepare(`SELECT file_name AS fileName, idempotency_key AS idempotencyKey, created_at AS createdAt, uploads FROM documents WHERE channel = 'sftp'`)
          .all() as {
          fileName: string;
          idempotencyKey: string;
          createdAt: string;
          uploads: number;
        }[]
      ).map((row) => ({ ...row, createdAt: Date.parse(row.createdAt) })),
    close: unregister,
  };
}

/** Every process below `root` (sshd forks one or two per connection), from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  for (const name of entries) {
    const fields = statFields(Number(name));
    if (!fields) continue;
    const ppid = Number(fields[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** utime + stime of the tree, plus cutime + cstime of the listener (sessions it has already reaped). */
function treeCpuSeconds(root: number): number | null {
  const own = statFields(root);
  if (!own) return null;
  const ticks = (fields: string[], from: number, count: number): number =>
    fields.slice(from, from + count).reduce((sum, value) => sum + (Number(value) || 0), 0);
  let total = ticks(own, 11, 4);
  for (const pid of descendants(root)) {
    const fields = statFields(pid);
    if (fields) total += ticks(fields, 11, 2);
  }
  return total / clockTicks();
}

/** The fields of /proc/<pid>/stat after the command name: [state, ppid, …]; null if it is gone. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}
