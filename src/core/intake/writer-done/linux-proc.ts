// Linux: is any process holding this file open for writing? inotify's IN_CLOSE_WRITE is the true
// signal, but Node's fs.watch does not ask for it and the npm packages that would (node-inotify)
// compile at install time. So the agent asks /proc, as fuser does: every process's open files,
// /proc/<pid>/fd/<n>. Per descriptor, cheapest test first:
//   1. lstat of the link: procfs gives it the write bit when the descriptor was opened for writing;
//   2. readlink: sockets, pipes, anonymous inodes and devices are not files in a folder;
//   3. fdinfo: `flags:` (O_WRONLY or O_RDWR) and, on kernels that show it, `ino:`;
//   4. stat of the link itself (it follows to the open file): its dev:ino must be the file's.
// Names are never compared: a writer in another mount namespace sees another path.
// One full scan answers for every file asked at once; a file whose writers were found is then
// re-checked against those processes alone. Full scans are spaced so they take at most a tenth of
// the main thread (measured: ~10 ms for ~110 processes and ~1,000 descriptors on a 2-core VM).
// What it cannot see makes the answer `unknown` (the stability window then decides): processes of
// other users it may not read, for files not owned by the agent's user; /proc mounted with hidepid;
// an agent in its own pid namespace (a container: writers outside it are invisible); and every file
// while this machine serves files to others through a server it cannot look into (Samba, an FTP
// server, rsync; the kernel's NFS or SMB server, which holds no descriptors at all): a remote
// client's upload is written by that server, possibly as the agent's own user.
import * as fs from 'node:fs';
import { statfs } from 'node:fs/promises';
import type { WriterQuery, WriterSignal, WriterState } from './writer-signal.ts';

export interface ProcDeps {
  procRoot: string;
  /** The agent's effective user id. */
  euid: number;
  /** Synchronous: procfs answers from memory and never blocks on a disk or a network. */
  readdir(path: string): string[];
  /** The link's own mode, or undefined when it is gone. */
  lstatMode(path: string): number | undefined;
  readlink(path: string): string | undefined;
  readText(path: string): string | undefined;
  /** stat() through the link (dev:ino of the open file). Asynchronous: it reaches the file's own file system. */
  statIdentity(path: string): Promise<string>;
  statfsType(path: string): Promise<number>;
  /** Monotonic milliseconds (performance.now): the scans' real cost, whatever clock the watcher runs on. */
  now(): number;
}

/** The initial pid namespace's inode (PROC_PID_INIT_INO): any other means a container. */
const INIT_PID_NAMESPACE = 'pid:[4026531836]';
/** statfs f_type of file systems whose writers may be on other machines (linux/magic.h). */
const REMOTE_FILE_SYSTEMS = new Set([
  0x6969, // NFS
  0x517b, // SMB
  0xff534d42, // CIFS
  0xfe534d42, // SMB2
  0x65735546, // FUSE (sshfs, rclone mount, gvfs…)
  0x01021997, // 9P
  0x00c36400, // Ceph
  0x73757245, // Coda
  0x5346414f, // AFS
  0x6b414653, // kAFS
  0x01161970, // GFS2
  0x7461636f, // OCFS2
  0x0bd00bd0, // Lustre
  0x47504653, // GPFS
]);
const O_ACCMODE = 0o3;
const WRITE_BIT = 0o200;
/** Longest synchronous stretch of a scan before it lets the event loop run. */
const SLICE_MS = 4;
/**
 * A full scan uses at most 1/(1+9) of the main thread, however many descriptors the desktop holds
 * (about 10 µs each). A file whose next scan is further away than 250 ms is left to the stability
 * window ('unknown'): waiting for the scan must never be slower than the window it replaces.
 */
const SCAN_SPACING_FACTOR = 9;
const MAX_SCAN_WAIT_MS = 250;
const STAT_TIMEOUT_MS = 2000;
/** Programs that write files for remote clients (/proc/<pid>/comm). */
const FILE_SERVERS = new Set(['smbd', 'vsftpd', 'proftpd', 'pure-ftpd', 'in.ftpd', 'rsync', 'afpd', 'sftp-server', 'scp']);
/** Non-empty when the kernel's file servers run: nfsd's thread count, ksmbd's module state. */
const KERNEL_SERVERS = ['/proc/fs/nfsd/threads', '/sys/module/ksmbd/initstate'];
/** Known writers of files nobody asks about any more (deleted while open) are forgotten past this. */
const MAX_KNOWN_WRITERS = 1000;

interface ScanResult {
  /** dev:ino → pids holding it open for writing. */
  writers: Map<string, Set<string>>;
  /** Some process's descriptors could not be read (another user's, without the right to look). */
  unreadable: boolean;
  /** A file server runs that this scan cannot look into: no file can be said closed. */
  hiddenServer: boolean;
  /** Files whose candidate descriptors could not be stat'ed in time: cannot tell. */
  uncertain: Set<string>;
  /** Time spent in the synchronous stretches: what the scan cost the main thread. */
  busyMs: number;
}

export class ProcWriterSignal implements WriterSignal {
  readonly kind = 'proc-fd';
  readonly #deps: ProcDeps;
  /** Whether this /proc shows every process (no container, no hidepid); looked at once. */
  #visibility: Promise<{ seesAll: boolean; hidden: boolean }> | undefined;
  /** dev:ino → pids last found writing it: re-checked alone before a full scan. */
  readonly #knownWriters = new Map<string, Set<string>>();
  #scanning = false;
  #nextScanAt = -Infinity;
  /** Full scans done, and the last one's main-thread time: for the docs' measurement and tests. */
  scans = 0;
  lastScanMs = 0;

  constructor(deps: Partial<ProcDeps> = {}) {
    this.#deps = { ...defaultProcDeps(), ...deps };
  }

  nextLookInMs(): number {
    return Math.max(0, this.#nextScanAt - this.#deps.now());
  }

  async covers(folder: string): Promise<boolean> {
    const visibility = await this.#visible();
    if (!visibility.seesAll) return false;
    try {
      return !REMOTE_FILE_SYSTEMS.has(await this.#deps.statfsType(folder));
    } catch {
      return false;
    }
  }

  async writerStates(files: readonly WriterQuery[]): Promise<WriterState[]> {
    try {
      return await this.#states(files);
    } catch {
      return files.map(() => 'unknown');
    }
  }

  async #states(files: readonly WriterQuery[]): Promise<WriterState[]> {
    const visibility = await this.#visible();
    if (!visibility.seesAll) return files.map(() => 'unknown');
    const states: WriterState[] = files.map(() => 'unknown');
    // Files with known writers: one look at those processes alone, for all of them.
    const knownPids = new Set(files.flatMap((file) => [...(this.#knownWriters.get(file.identity) ?? [])]));
    const still = knownPids.size > 0 ? await this.#scan(new Set(files.map((file) => file.identity)), [...knownPids]) : null;
    const needScan: number[] = [];
    for (const [index, file] of files.entries()) {
      const pids = still?.writers.get(file.identity);
      if (pids && pids.size > 0) {
        this.#knownWriters.set(file.identity, pids);
        states[index] = 'open-for-writing';
        continue;
      }
      this.#knownWriters.delete(file.identity); // those closed it (if any); someone else may still hold it
      needScan.push(index);
    }
    if (needScan.length === 0) return states;
    if (this.#scanning || this.#deps.now() < this.#nextScanAt) {
      const wait = this.#nextScanAt - this.#deps.now();
      for (const index of needScan) states[index] = wait > MAX_SCAN_WAIT_MS ? 'unknown' : 'later';
      return states;
    }
    this.#scanning = true;
    let result: ScanResult | undefined;
    try {
      result = await this.#scan(new Set(needScan.map((index) => files[index]!.identity)), null);
    } finally {
      this.#scanning = false;
      this.scans += 1;
      this.lastScanMs = result?.busyMs ?? 0;
      this.#nextScanAt = this.#deps.now() + this.lastScanMs * SCAN_SPACING_FACTOR;
    }
    for (const index of needScan) {
      const file = files[index]!;
      const pids = result.writers.get(file.identity);
      if (pids && pids.size > 0) {
        if (this.#knownWriters.size >= MAX_KNOWN_WRITERS) this.#knownWriters.clear();
        this.#knownWriters.set(file.identity, pids);
        states[index] = 'open-for-writing';
      } else if (result.uncertain.has(file.identity)) {
        states[index] = 'unknown';
      } else if (result.hiddenServer) {
        states[index] = 'unknown';
      } else if ((result.unreadable || visibility.hidden) && file.uid !== this.#deps.euid) {
        // A writer may hide among processes we cannot read; our own files are written by our own processes.
        states[index] = 'unknown';
      } else {
        states[index] = 'closed';
      }
    }
    return states;
  }

  /** The descriptors of `pids` (every process when null) open for writing on one of `identities`. */
  async #scan(identities: Set<string>, pids: string[] | null): Promise<ScanResult> {
    const { procRoot } = this.#deps;
    const inodes = new Set([...identities].map((identity) => identity.slice(identity.indexOf(':') + 1)));
    const result: ScanResult = { writers: new Map(), unreadable: false, hiddenServer: false, uncertain: new Set(), busyMs: 0 };
    if (pids === null) result.hiddenServer = KERNEL_SERVERS.some((path) => !['', '0'].includes(this.#deps.readText(path)?.trim() ?? ''));
    const candidates: { pid: string; link: string; ino: string | null }[] = [];
    let sliceStart = this.#deps.now();
    for (const pid of pids ?? this.#deps.readdir(procRoot).filter(isPid)) {
      if (this.#deps.now() - sliceStart > SLICE_MS) {
        result.busyMs += this.#deps.now() - sliceStart;
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = this.#deps.now();
      }
      let fds: string[];
      try {
        fds = this.#deps.readdir(`${procRoot}/${pid}/fd`);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ESRCH') {
          result.unreadable = true; // EACCES: another user's
          if (FILE_SERVERS.has(this.#deps.readText(`${procRoot}/${pid}/comm`)?.trim() ?? '')) result.hiddenServer = true;
        }
        continue;
      }
      for (const fd of fds) {
        const link = `${procRoot}/${pid}/fd/${fd}`;
        const mode = this.#deps.lstatMode(link);
        if (mode === undefined || (mode & WRITE_BIT) === 0) continue;
        const target = this.#deps.readlink(link);
        // "socket:[…]", "pipe:[…]", "anon_inode:…"; and ttys, /dev/null (but not /dev/shm).
        if (target === undefined || !target.startsWith('/') || (target.startsWith('/dev/') && !target.startsWith('/dev/shm/'))) continue;
        const info = this.#deps.readText(`${procRoot}/${pid}/fdinfo/${fd}`);
        if (info === undefined) continue;
        const flags = /^flags:\s*([0-7]+)/m.exec(info)?.[1];
        if (flags !== undefined && (parseInt(flags, 8) & O_ACCMODE) === 0) continue; // read-only after all
        const ino = /^ino:\s*(\d+)/m.exec(info)?.[1] ?? null; // Linux 5.14 and later
        if (ino !== null && !inodes.has(ino)) continue;
        candidates.push({ pid, link, ino });
      }
    }
    result.busyMs += this.#deps.now() - sliceStart;
    await Promise.all(
      candidates.map(async ({ pid, link, ino }) => {
        let identity: string | null;
        try {
          identity = await withTimeout(this.#deps.statIdentity(link), STAT_TIMEOUT_MS);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // closed meanwhile
          identity = null;
        }
        if (identity === null) {
          // Could be any of the files asked about (or the one with that inode).
          for (const wanted of identities) if (ino === null || wanted.endsWith(`:${ino}`)) result.uncertain.add(wanted);
          return;
        }
        if (!identities.has(identity)) return;
        const holders = result.writers.get(identity) ?? new Set<string>();
        holders.add(pid);
        result.writers.set(identity, holders);
      }),
    );
    return result;
  }

  #visible(): Promise<{ seesAll: boolean; hidden: boolean }> {
    this.#visibility ??= Promise.resolve().then(() => {
      const { procRoot } = this.#deps;
      if (this.#deps.readlink(`${procRoot}/self/ns/pid`) !== INIT_PID_NAMESPACE) return { seesAll: false, hidden: false };
      const mountinfo = this.#deps.readText(`${procRoot}/self/mountinfo`) ?? '';
      // "… /proc rw,nosuid - proc proc rw,hidepid=invisible": hidepid other than 0/off hides others' processes.
      const procLine = mountinfo.split('\n').find((line) => line.split(' ')[4] === procRoot && / - proc /.test(line));
      const hidepid = procLine ? /hidepid=(\w+)/.exec(procLine)?.[1] : undefined;
      return { seesAll: true, hidden: hidepid !== undefined && hidepid !== '0' && hidepid !== 'off' };
    });
    return this.#visibility;
  }
}

function isPid(name: string): boolean {
  const first = name.charCodeAt(0);
  return first >= 48 && first <= 57;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function defaultProcDeps(): ProcDeps {
  return {
    procRoot: '/proc',
    euid: process.geteuid?.() ?? -1,
    readdir: (path) => fs.readdirSync(path),
    lstatMode: (path) => {
      try {
        return fs.lstatSync(path, { throwIfNoEntry: false })?.mode;
      } catch {
        return undefined; // the process ended meanwhile (ESRCH), or may not be looked into
      }
    },
    readlink: (path) => {
      try {
        return fs.readlinkSync(path);
      } catch {
        return undefined;
      }
    },
    readText: (path) => {
      try {
        return fs.readFileSync(path, 'latin1');
      } catch {
        return undefined;
      }
    },
    statIdentity: async (path) => {
      const stats = await fs.promises.stat(path, { bigint: true });
      return `${stats.dev}:${stats.ino}`;
    },
    statfsType: async (path) => (await statfs(path)).type,
    now: () => performance.now(),
  };
}
