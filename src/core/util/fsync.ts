// Durable file writes: data fsynced before the rename, the directory fsynced after it.
import { open, rename, mkdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { temporaryName } from './file-names.ts';

/**
 * Shares fsyncs of one folder among concurrent callers. A sync already running may have started
 * before a caller's rename, so callers arriving meanwhile share the one after it: a burst of N moves
 * into one folder costs two or three fsyncs instead of N.
 */
export class DirectorySyncCoalescer {
  private readonly syncOnce: (dir: string) => Promise<void>;
  private readonly folders = new Map<string, { running: Promise<void>; next: Promise<void> | null }>();

  constructor(syncOnce: (dir: string) => Promise<void>) {
    this.syncOnce = syncOnce;
  }

  /** Resolves once a sync that started after this call has finished. */
  sync(dir: string): Promise<void> {
    const folder = this.folders.get(dir);
    if (folder) {
      folder.next ??= folder.running.catch(() => undefined).then(() => this.syncOnce(dir));
      return folder.next;
    }
    const entry = { running: this.syncOnce(dir), next: null as Promise<void> | null };
    this.folders.set(dir, entry);
    const advance = (): void => {
      if (entry.next === null) {
        this.folders.delete(dir);
        return;
      }
      entry.running = entry.next;
      entry.next = null;
      void entry.running.catch(() => undefined).finally(advance);
    };
    // These chains cannot reject (the sync's failure is its callers', through the promise returned
    // to them; advance only updates the map): they only move on to the next sync.
    void entry.running.catch(() => undefined).finally(advance);
    return entry.running;
  }
}

const directorySyncs = new DirectorySyncCoalescer(syncDirectoryOnce);

/** Makes the entries of `dir` (names created, renamed or removed before this call) durable. */
export function fsyncDirectory(dir: string): Promise<void> {
  return directorySyncs.sync(dir);
}

async function syncDirectoryOnce(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Windows (and some network file systems) cannot open or fsync folders; the rename is still atomic there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EACCES' && code !== 'EINVAL' && code !== 'ENOTSUP') throw error;
  } finally {
    await handle?.close();
  }
}

export interface DurableWriteOptions {
  /** The new file's mode (a umask can only take bits away). Default 0600: private to the user. */
  mode?: number;
  /** Default true: the file and the rename survive a power cut. False for what can be fetched again. */
  sync?: boolean;
  /** Default true: create missing folders (0700 for a private file). */
  createFolder?: boolean;
}

// Windows: a rename fails while another program (an ERP, an antivirus) holds the target open without
// sharing delete; that lasts milliseconds, so it is retried for a while.
const BUSY_CODES = new Set(['EPERM', 'EACCES', 'EBUSY']);
const RENAME_ATTEMPTS = 20;

/**
 * Replaces `file` with `data` so that a reader or a crash sees the old file or the whole new one,
 * never a part: a hidden temporary file in the same folder (a dot-name ending in .tmp, which the
 * folder watcher and ERPs looking for *.xml or *.json skip), written, fsynced, renamed over the
 * target, and the folder fsynced. The one way the agent writes a whole file.
 */
export async function writeDurably(file: string, data: Uint8Array | string, options: DurableWriteOptions = {}): Promise<void> {
  const { mode = 0o600, sync = true, createFolder = true } = options;
  const folder = dirname(file);
  if (createFolder) await mkdir(folder, { recursive: true, ...((mode & 0o077) === 0 ? { mode: 0o700 } : {}) });
  const temporary = join(folder, temporaryName(basename(file), `${randomBytes(6).toString('hex')}.tmp`));
  const handle = await open(temporary, 'wx', mode);
  try {
    await handle.writeFile(data);
    if (sync) await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await renameRetryingWhileBusy(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  if (sync) await fsyncDirectory(folder);
}

async function renameRetryingWhileBusy(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (!BUSY_CODES.has(code) || attempt >= RENAME_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(25 * attempt, 250)));
    }
  }
}
