// Watches one folder (top level only) and hands each file over once it is complete: at once when the
// OS says its writer closed it (writer-done/: /proc on Linux, an exclusive open on Windows), else once
// size and mtime held still for a short window; and openable for reading. The OS's own events give
// fast notice (inotify through fs.watch on Linux; chokidar elsewhere and for polling); a jittered
// periodic rescan backs them up, because events get lost and network shares often send none.
// A folder that vanishes is "missing", never "all files deleted".
import { watch as watchNative } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { watch } from 'chokidar';
import { isIgnoredName } from './ignored-names.ts';
import { checkReadable, isUnreachableError, probeFile, probeFolder, sameSnapshot } from './stable-file.ts';
import type { FileProbe, FileSnapshot, FolderProbe } from './stable-file.ts';
import { platformWriterSignal } from './writer-done/platform.ts';
import type { WriterQuery, WriterSignal, WriterState } from './writer-done/writer-signal.ts';
import { systemClock, type Clock, type Timer } from '../util/clock.ts';

export interface StableFile extends FileSnapshot {
  path: string;
  name: string;
}

export type WatcherState = 'starting' | 'watching' | 'missing' | 'error' | 'stopped';

export interface WatcherLog {
  info(msg: string, meta?: object): void;
  warn(msg: string, meta?: object): void;
  error(msg: string, meta?: object): void;
}

export interface FolderWatcherOptions {
  folder: string;
  /** Size and mtime must hold still this long (default 500 ms), then the file must open for reading. */
  stableWindowMs?: number;
  /** Full rescan period (default 30 s, jittered ±20%); also re-checks a missing folder. */
  rescanIntervalMs?: number;
  /** Stat polling instead of native events, for network shares: the stability window always decides there. */
  usePolling?: boolean;
  pollIntervalMs?: number;
  /** Subfolder names never watched (the agent passes SENT_FOLDER and ERRORS_FOLDER of post-action.ts). */
  excludeDirs?: string[];
  /** Awaited; at most `concurrency` run at once; a path is never handed over again while its handler runs. */
  onStable: (file: StableFile) => Promise<void>;
  concurrency?: number;
  onStateChange?: (state: WatcherState, error?: string) => void;
  log?: WatcherLog;
  /** The stability window, retries, rescans and their timers run on it (default: the system clock). */
  clock?: Clock;
  /**
   * The OS's word that a file's writer is done (default: this platform's, shared by every watcher);
   * null: the stability window alone decides, as on macOS and with usePolling.
   */
  writerSignal?: WriterSignal | null;
}

/** How the files handed over so far were judged complete. */
export interface HandOverCounts {
  /** The OS said no writer holds the file any more: taken without waiting for the window. */
  writerClosed: number;
  /** Size and mtime held still for the stability window. */
  stabilityWindow: number;
}

interface Pending extends FileSnapshot {
  /** When the current size/mtime were first seen. */
  since: number;
  nextCheckAt: number;
  /** A wait (locked, unreadable) is logged once per file, not at every retry. */
  waitLogged: boolean;
  /** The next look is for a writer to close the file (a short poll: closing sends no event). */
  writerWait: boolean;
}

interface RetryState {
  attempts: number;
  notBefore: number;
  snapshot: FileSnapshot;
}

const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 5 * 60 * 1000;
const READY_TIMEOUT_MS = 15_000;
const FOLDER_PROBE_REUSE_MS = 250;
/** While a writer holds a file open, how often the watcher asks again: a close sends no event. */
const WRITER_POLL_MS = 50;
/**
 * A file held open for writing but unchanged this long is taken by the stability window after all
 * (logged): a program that leaks its handle must not keep its invoices out of the queue for good.
 */
export const HELD_OPEN_LIMIT_MS = 30_000;
const SILENT_LOG: WatcherLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export class FolderWatcher {
  readonly #folder: string;
  readonly #stableWindowMs: number;
  readonly #rescanIntervalMs: number;
  readonly #usePolling: boolean;
  readonly #pollIntervalMs: number;
  readonly #excludeDirs: Set<string>;
  readonly #onStable: (file: StableFile) => Promise<void>;
  readonly #concurrency: number;
  readonly #onStateChange: ((state: WatcherState, error?: string) => void) | undefined;
  readonly #log: WatcherLog;
  readonly #clock: Clock;
  readonly #writerSignal: WriterSignal | null;
  /** The writer signal is trusted for this folder (not polling, not a network file system). */
  #signalActive = false;
  readonly #handOvers: HandOverCounts = { writerClosed: 0, stabilityWindow: 0 };

  #state: WatcherState = 'stopped';
  #running = false;
  #watcher: { close(): Promise<void> | void } | undefined;
  #nativeEvents = false;
  #rescanTimer: Timer | undefined;
  #checkTimer: Timer | undefined;
  #checkDueAt = 0;
  #checking = false;
  /** dev:ino of the folder chokidar watches: a folder deleted and recreated needs a new watcher. */
  #watchedIdentity: string | undefined;
  #rescanChain: Promise<void> = Promise.resolve();
  #folderProbe: { startedAt: number; result: Promise<FolderProbe> } | undefined;

  /** Files seen but not yet stable. */
  readonly #pending = new Map<string, Pending>();
  /** Stable files waiting for a free handler slot, in arrival order. */
  readonly #ready = new Map<string, StableFile>();
  readonly #inFlight = new Set<string>();
  readonly #handlerRuns = new Set<Promise<void>>();
  /** What each handler succeeded on: the same unchanged file is not handed over again. */
  readonly #handled = new Map<string, FileSnapshot>();
  readonly #retries = new Map<string, RetryState>();
  /**
   * Files whose handler said "not now, for a reason that is not theirs" (an error with
   * `deferred: true`: the disk is full). They wait, unchanged and without retries of their own,
   * until resumeDeferred().
   */
  readonly #deferred = new Map<string, FileSnapshot>();

  constructor(options: FolderWatcherOptions) {
    this.#folder = resolve(options.folder);
    this.#stableWindowMs = options.stableWindowMs ?? 500;
    this.#rescanIntervalMs = options.rescanIntervalMs ?? 30_000;
    this.#usePolling = options.usePolling ?? false;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#excludeDirs = new Set((options.excludeDirs ?? []).map(folderKey));
    this.#onStable = options.onStable;
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
    this.#onStateChange = options.onStateChange;
    this.#log = options.log ?? SILENT_LOG;
    this.#clock = options.clock ?? systemClock;
    this.#writerSignal = options.writerSignal === undefined ? platformWriterSignal() : options.writerSignal;
  }

  get state(): WatcherState {
    return this.#state;
  }

  /** Where the watcher's fast notice comes from now: the OS's events through fs.watch, or chokidar (polling included); none while not watching. */
  get eventSource(): 'fs.watch' | 'chokidar' | null {
    return this.#watcher === undefined ? null : this.#nativeEvents ? 'fs.watch' : 'chokidar';
  }

  /** How many files were taken on the writer's close and how many by the stability window. */
  handOverCounts(): HandOverCounts {
    return { ...this.#handOvers };
  }

  /** Resolves once the existing files are queued (or the folder is known to be missing). */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#setState('starting');
    await this.rescanNow();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#clock.clearTimeout(this.#rescanTimer);
    this.#clock.clearTimeout(this.#checkTimer);
    this.#rescanTimer = undefined;
    this.#checkTimer = undefined;
    this.#pending.clear();
    this.#ready.clear();
    await this.#rescanChain; // a rescan under way finishes first, so it cannot reopen a watcher
    await this.#closeWatcher();
    await Promise.allSettled([...this.#handlerRuns]);
    this.#setState('stopped');
  }

  /** Takes up the deferred files again (capture can resume: the disk has room). */
  resumeDeferred(): Promise<void> {
    this.#deferred.clear();
    return this.rescanNow();
  }

  /**
   * Checks the folder, (re)starts watching if it came back, and queues every top-level file. Never
   * rejects (#rescan logs its failures), so the events and timers that start a rescan need not wait.
   */
  rescanNow(): Promise<void> {
    this.#rescanChain = this.#rescanChain.then(() => this.#rescan());
    return this.#rescanChain;
  }

  async #rescan(): Promise<void> {
    if (!this.#running) return;
    this.#clock.clearTimeout(this.#rescanTimer);
    try {
      await this.#scanFolder();
    } catch (error) {
      this.#log.error('folder rescan failed', { folder: this.#folder, error: describe(error) });
    } finally {
      this.#scheduleRescan();
    }
  }

  async #scanFolder(): Promise<void> {
    const folder = await probeFolder(this.#folder);
    if (folder.status !== 'ok') {
      await this.#lostFolder(folder.status, folder.message);
      return;
    }
    if (this.#watcher && this.#watchedIdentity !== folder.identity) {
      this.#log.info('folder was replaced; watching the new one', { folder: this.#folder });
      await this.#closeWatcher();
    }
    if (!this.#watcher) {
      await this.#openWatcher();
      this.#watchedIdentity = folder.identity;
      this.#signalActive = !this.#usePolling && this.#writerSignal !== null && (await this.#writerSignal.covers(this.#folder).catch(() => false));
    }
    if (!this.#running) return;

    let names: string[];
    try {
      const entries = await readdir(this.#folder, { withFileTypes: true });
      names = entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
    } catch (error) {
      await this.#lostFolder(isUnreachableError(error) ? 'missing' : 'error', `folder ${this.#folder} cannot be listed: ${describe(error)}`);
      return;
    }
    if (this.#state !== 'watching')
      this.#log.info('watching folder', {
        folder: this.#folder,
        files: names.length,
        complete: this.#signalActive ? `when the writer closes the file (${this.#writerSignal?.kind})` : `after ${this.#stableWindowMs} ms unchanged`,
      });
    this.#setState('watching'); // before queuing: files are only taken while watching
    const present = new Set<string>();
    for (const name of names) {
      const path = join(this.#folder, name);
      present.add(path);
      this.#consider(path);
    }
    // Forget only files truly gone from a readable listing: a copy with the same name, size and
    // date dropped in later (Explorer keeps the date) is a new file to take.
    for (const path of this.#handled.keys()) if (!present.has(path)) this.#handled.delete(path);
    for (const path of this.#retries.keys()) if (!present.has(path)) this.#retries.delete(path);
    for (const path of this.#deferred.keys()) if (!present.has(path)) this.#deferred.delete(path);
  }

  /** Missing or unreadable folder: stop watching but remember what was handled (nothing was "deleted"). */
  async #lostFolder(state: 'missing' | 'error', message: string): Promise<void> {
    if (this.#state !== state) this.#log.warn(message, { folder: this.#folder });
    await this.#closeWatcher();
    this.#pending.clear();
    this.#ready.clear();
    this.#setState(state, message);
  }

  async #openWatcher(): Promise<void> {
    this.#nativeEvents = !this.#usePolling && process.platform === 'linux' && this.#openNativeWatcher();
    if (this.#nativeEvents) return;
    const watcher = watch(this.#folder, {
      depth: 0,
      ignoreInitial: true, // the rescan lists existing files itself
      followSymlinks: false,
      atomic: false, // stability is judged here, not by chokidar
      awaitWriteFinish: false,
      ...(this.#usePolling ? { backend: 'polling' as const, pollingInterval: this.#pollIntervalMs, pollingBinaryInterval: this.#pollIntervalMs } : {}),
      ignored: (path: string) => this.#isIgnoredPath(path),
    });
    this.#watcher = watcher;
    watcher.on('add', (path) => this.#consider(resolve(path)));
    watcher.on('change', (path) => this.#consider(resolve(path)));
    // #gone and rescanNow never reject.
    watcher.on('unlink', (path) => void this.#gone(resolve(path)));
    watcher.on('unlinkDir', (path) => {
      if (resolve(path) === this.#folder) void this.rescanNow();
    });
    watcher.on('error', (error) => {
      this.#log.warn('folder watcher reported an error; rescanning', { folder: this.#folder, error: describe(error) });
      void this.rescanNow();
    });
    await new Promise<void>((resolveReady) => {
      const timer = this.#clock.setTimeout(() => {
        this.#log.warn('folder watcher slow to start; relying on rescans meanwhile', { folder: this.#folder });
        resolveReady();
      }, READY_TIMEOUT_MS);
      watcher.once('ready', () => {
        this.#clock.clearTimeout(timer);
        resolveReady();
      });
    });
  }

  /**
   * Linux: inotify through fs.watch, one event per name that changed, and this watcher probes each
   * itself. chokidar's own handling of the same events (an lstat and a reconcile per event) cost
   * the agent's main thread about 0.2 ms per file in a burst, and its events came late (the last of
   * 1,000 dropped files announced 1 s after the drop ended). False when inotify cannot watch the
   * folder (no watches left): chokidar then tries, and the rescans go on either way.
   */
  #openNativeWatcher(): boolean {
    let watcher;
    try {
      watcher = watchNative(this.#folder, { persistent: true });
    } catch (error) {
      this.#log.warn('native folder events unavailable; using chokidar', { folder: this.#folder, error: describe(error) });
      return false;
    }
    this.#watcher = watcher;
    const folderName = basename(this.#folder);
    watcher.on('change', (_event, name) => {
      // No name, or the folder's own: the folder itself changed (moved, deleted). Events the kernel
      // dropped (its queue overflowed) come as nothing at all: the periodic rescan finds those files.
      if (name === null || name === folderName) void this.rescanNow();
      if (name === null) return;
      // #consider skips ignored names; a probe tells new, changed, gone and not-a-file apart.
      this.#consider(join(this.#folder, name.toString()));
    });
    watcher.on('error', (error) => {
      this.#log.warn('folder watcher reported an error; rescanning', { folder: this.#folder, error: describe(error) });
      if (this.#watcher === watcher) this.#watcher = undefined;
      watcher.close();
      void this.rescanNow();
    });
    return true;
  }

  async #closeWatcher(): Promise<void> {
    const watcher = this.#watcher;
    this.#watcher = undefined;
    this.#watchedIdentity = undefined;
    await watcher?.close();
  }

  #isIgnoredPath(path: string): boolean {
    const rel = relative(this.#folder, path);
    if (rel === '' || rel.startsWith('..')) return false; // the folder itself and its ancestors
    const [first = ''] = rel.split(sep);
    if (this.#excludeDirs.has(folderKey(first))) return true;
    return isIgnoredName(basename(path));
  }

  /** A path that may have changed: (re)starts its stability wait unless it is already being handled. */
  #consider(path: string): void {
    if (!this.#running || this.#state === 'missing' || this.#state === 'error') return;
    if (dirname(path) !== this.#folder || isIgnoredName(basename(path))) return;
    if (this.#inFlight.has(path) || this.#ready.has(path)) return; // re-checked when its handler ends
    const pending = this.#pending.get(path);
    if (pending) {
      pending.nextCheckAt = Math.min(pending.nextCheckAt, this.#clock.now());
    } else {
      const now = this.#clock.now();
      this.#pending.set(path, { size: -1, mtimeMs: -1, identity: '', since: now, nextCheckAt: now, waitLogged: false, writerWait: false });
    }
    this.#scheduleCheck(0);
  }

  /**
   * A file that vanished. An unmounted share or a renamed folder makes its files vanish too: forget
   * what was handled only while the folder is still there, so nothing is emitted twice when it returns.
   * Never rejects: probeFolder answers every failure as a status.
   */
  async #gone(path: string): Promise<void> {
    this.#pending.delete(path);
    this.#ready.delete(path);
    const folder = await this.#recentFolderProbe();
    if (folder.status === 'ok') {
      this.#handled.delete(path);
      this.#retries.delete(path);
      this.#deferred.delete(path);
    } else {
      void this.rescanNow(); // never rejects
    }
  }

  /**
   * Every file moved away after its capture ends here (twice: the re-check and chokidar's unlink), so
   * the files of a burst share one probe of the folder: a probe started within the last
   * FOLDER_PROBE_REUSE_MS answers them all. A folder that vanished meanwhile is found by the next.
   */
  #recentFolderProbe(): Promise<FolderProbe> {
    const now = this.#clock.now();
    if (!this.#folderProbe || now - this.#folderProbe.startedAt > FOLDER_PROBE_REUSE_MS) {
      this.#folderProbe = { startedAt: now, result: probeFolder(this.#folder) };
    }
    return this.#folderProbe.result;
  }

  /** One timer for all pending files; an earlier need (a new file) pulls a later timer (a retry) forward. */
  #scheduleCheck(delayMs: number): void {
    if (!this.#running || this.#checking) return;
    const dueAt = this.#clock.now() + delayMs;
    if (this.#checkTimer) {
      if (this.#checkDueAt <= dueAt) return;
      this.#clock.clearTimeout(this.#checkTimer);
    }
    this.#checkDueAt = dueAt;
    this.#checkTimer = this.#clock.setTimeout(() => {
      this.#checkTimer = undefined;
      void this.#checkPending(); // never rejects: a failed check is logged
    }, delayMs);
  }

  async #checkPending(): Promise<void> {
    this.#checking = true;
    try {
      const now = this.#clock.now();
      const due = [...this.#pending.entries()].filter(([, pending]) => pending.nextCheckAt <= now);
      const probes = await Promise.all(due.map(([path]) => probeFile(path)));
      // After the snapshots: a writer that wrote since and closed before this look changed size or mtime.
      const writers = await this.#writerStates(due, probes);
      await Promise.all(due.map(([path, pending], index) => this.#checkOne(path, pending, probes[index]!, writers[index]!)));
    } catch (error) {
      this.#log.error('stability check failed', { folder: this.#folder, error: describe(error) });
    } finally {
      this.#checking = false;
    }
    this.#dispatch();
    if (this.#pending.size > 0) {
      const waits = [...this.#pending.values()];
      const next = Math.min(...waits.map((pending) => pending.nextCheckAt));
      // The window's own tick, or the writer poll when what is due next waits for a close.
      const floor = waits.some((pending) => pending.writerWait && pending.nextCheckAt === next) ? Math.min(WRITER_POLL_MS, this.#tickMs()) : this.#tickMs();
      this.#scheduleCheck(Math.max(next - this.#clock.now(), floor));
    }
  }

  /**
   * One question to the OS for every due file that could be taken early; `unknown` for the rest
   * (the window decides): polling or a share, an empty file (a writer that creates the file, closes
   * it and opens it again to write is common enough, and an empty file is never worth taking early),
   * and files that would not be taken anyway (handled, deferred, waiting for a retry).
   */
  async #writerStates(due: [string, Pending][], probes: FileProbe[]): Promise<WriterState[]> {
    const states: WriterState[] = due.map(() => 'unknown');
    if (!this.#signalActive || !this.#writerSignal) return states;
    const now = this.#clock.now();
    const asked: number[] = [];
    const queries: WriterQuery[] = [];
    for (const [index, [path]] of due.entries()) {
      const probe = probes[index]!;
      if (probe.status !== 'file' || probe.size === 0) continue;
      if (sameSnapshot(this.#handled.get(path), probe) || sameSnapshot(this.#deferred.get(path), probe)) continue;
      const retry = this.#retries.get(path);
      if (retry && sameSnapshot(retry.snapshot, probe) && retry.notBefore > now) continue;
      asked.push(index);
      queries.push({ path, identity: probe.identity, uid: probe.uid });
    }
    if (queries.length === 0) return states;
    const answers = await this.#writerSignal.writerStates(queries);
    for (const [position, index] of asked.entries()) states[index] = answers[position] ?? 'unknown';
    return states;
  }

  async #checkOne(path: string, pending: Pending, probe: FileProbe, writer: WriterState): Promise<void> {
    if (this.#pending.get(path) !== pending) return; // superseded while probing
    const now = this.#clock.now();
    pending.writerWait = false;
    if (probe.status === 'gone' || probe.status === 'not_a_file') {
      await this.#gone(path);
      return;
    }
    if (probe.status === 'error') {
      if (!pending.waitLogged) this.#log.warn('cannot read file details; will retry', { path, error: probe.message });
      pending.waitLogged = true;
      pending.nextCheckAt = now + Math.max(this.#stableWindowMs, 1000);
      return;
    }
    if (!sameSnapshot(pending, probe)) {
      Object.assign(pending, { size: probe.size, mtimeMs: probe.mtimeMs, identity: probe.identity, since: now, nextCheckAt: now + this.#stableWindowMs });
      if (writer === 'unknown') return; // the window starts
    }
    if (writer === 'open-for-writing' || writer === 'later') {
      if (writer === 'later' || now - pending.since < Math.max(HELD_OPEN_LIMIT_MS, this.#stableWindowMs)) {
        const notBefore = writer === 'later' ? (this.#writerSignal?.nextLookInMs?.() ?? 0) : 0;
        pending.nextCheckAt = now + Math.max(WRITER_POLL_MS, notBefore);
        pending.writerWait = true;
        return;
      }
      if (!pending.waitLogged) {
        this.#log.warn('file held open for writing but unchanged; taking it after the stability window', { path, unchangedMs: now - pending.since });
        pending.waitLogged = true;
      }
    }
    const writerClosed = writer === 'closed';
    if (!writerClosed && now - pending.since < this.#stableWindowMs) {
      pending.nextCheckAt = pending.since + this.#stableWindowMs;
      return;
    }
    if (sameSnapshot(this.#handled.get(path), probe)) {
      this.#pending.delete(path); // already handed over and unchanged since
      return;
    }
    if (sameSnapshot(this.#deferred.get(path), probe)) {
      this.#pending.delete(path); // waits for resumeDeferred()
      return;
    }
    const retry = this.#retries.get(path);
    if (retry && sameSnapshot(retry.snapshot, probe) && retry.notBefore > now) {
      pending.nextCheckAt = retry.notBefore;
      return;
    }
    const readable = await checkReadable(path);
    if (this.#pending.get(path) !== pending) return;
    if (readable.status === 'readable') {
      this.#pending.delete(path);
      this.#ready.set(path, { path, name: basename(path), ...snapshotOnly(probe) });
      if (writerClosed) this.#handOvers.writerClosed += 1;
      else this.#handOvers.stabilityWindow += 1;
    } else if (readable.status === 'gone') {
      await this.#gone(path);
    } else {
      if (!pending.waitLogged) {
        const detail =
          readable.status === 'error'
            ? readable.message
            : readable.code === 'EBUSY'
              ? 'held open by another program (EBUSY)'
              : `locked by another program or not permitted (${readable.code})`;
        this.#log.info('file not readable yet; waiting', { path, detail });
        pending.waitLogged = true;
      }
      pending.nextCheckAt = now + Math.max(this.#stableWindowMs, 1000);
    }
  }

  #dispatch(): void {
    for (const [path, file] of this.#ready) {
      if (!this.#running || this.#inFlight.size >= this.#concurrency) return;
      this.#ready.delete(path);
      this.#inFlight.add(path); // before the call: a synchronous throw still finds it
      const run = this.#runHandler(file);
      this.#handlerRuns.add(run);
      void run.finally(() => this.#handlerRuns.delete(run)); // never rejects: #runHandler catches
    }
  }

  async #runHandler(file: StableFile): Promise<void> {
    try {
      await this.#onStable(file);
      this.#handled.set(file.path, snapshotOnly(file));
      this.#retries.delete(file.path);
    } catch (error) {
      if ((error as { deferred?: unknown } | null)?.deferred === true) {
        // Not this file's fault (the disk is full): it waits as it is, logged once by whoever deferred it.
        this.#deferred.set(file.path, snapshotOnly(file));
        this.#retries.delete(file.path);
        return;
      }
      const previous = this.#retries.get(file.path);
      const attempts = previous && sameSnapshot(previous.snapshot, file) ? previous.attempts + 1 : 1;
      const delay = jitter(Math.min(RETRY_BASE_MS * 2 ** (attempts - 1), RETRY_MAX_MS));
      this.#retries.set(file.path, { attempts, notBefore: this.#clock.now() + delay, snapshot: snapshotOnly(file) });
      this.#log.error('file handler failed; will retry', { path: file.path, attempts, retryInMs: Math.round(delay), error: describe(error) });
    } finally {
      this.#inFlight.delete(file.path);
      // Whatever happened meanwhile (changed, moved away, failed), a fresh look decides what is next.
      this.#consider(file.path);
      this.#dispatch();
    }
  }

  #scheduleRescan(): void {
    if (!this.#running) return;
    this.#clock.clearTimeout(this.#rescanTimer);
    this.#rescanTimer = this.#clock.setTimeout(() => void this.rescanNow(), jitter(this.#rescanIntervalMs)); // never rejects
  }

  #tickMs(): number {
    return Math.min(Math.max(this.#stableWindowMs / 5, 20), 200);
  }

  #setState(state: WatcherState, error?: string): void {
    if (this.#state === state) return;
    this.#state = state;
    try {
      this.#onStateChange?.(state, error);
    } catch (callbackError) {
      this.#log.error('state listener failed', { error: describe(callbackError) });
    }
  }
}

/** ±20%, so many agents (or folders) do not rescan in lockstep. */
function jitter(ms: number): number {
  return ms * (0.8 + Math.random() * 0.4);
}

function snapshotOnly(file: FileSnapshot): FileSnapshot {
  return { size: file.size, mtimeMs: file.mtimeMs, identity: file.identity };
}

function folderKey(name: string): string {
  return process.platform === 'win32' || process.platform === 'darwin' ? name.toLowerCase() : name;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
