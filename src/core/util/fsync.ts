// Durable file writes: data fsynced before the rename, the directory fsynced after it.
import { open, rename, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

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

/**
 * Writes `data` to `file` so that a crash leaves either the old file or the whole new one; `sync` also
 * survives a power cut. The file is created with `mode` (a umask can only take bits away): private
 * (0600) unless a caller asks otherwise; folders created for a private file are private (0700).
 */
export async function writeDurably(file: string, data: Uint8Array | string, mode = 0o600, sync = true): Promise<void> {
  await mkdir(dirname(file), { recursive: true, ...((mode & 0o077) === 0 ? { mode: 0o700 } : {}) });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'w', mode);
  try {
    await handle.writeFile(data);
    if (sync) await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(temporary, file);
  if (sync) await fsyncDirectory(dirname(file));
}
