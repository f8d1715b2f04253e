// Content-addressed spool: every captured document and every file the hub returns is kept here by
// its SHA-256, fsynced before the database records it. Small captured documents and small files
// the hub returns are kept in the store instead (spool-blobs.ts, written in the commit that records
// them); reads look there first.
//
// Small files (most invoices: a few KiB) are read and written with synchronous calls, except the
// fsyncs: each asynchronous call is a round trip through the thread pool (a queued request, a thread
// woken, a completion back on the loop), and for a few KiB in the page cache the round trips cost
// several times the work itself. The fsyncs, which wait for the disk, stay asynchronous.
import { createHash } from 'node:crypto';
import { closeSync, fsync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink, readdir, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Up to this size a file is read or written in synchronous calls (see above). */
export const SMALL_FILE_BYTES = 64 * 1024;
/** Up to this size a captured part is kept in the store rather than a spool file (most invoices: a few KiB). */
export const INLINE_PART_MAX_BYTES = 64 * 1024;
/** At most this much of one capture (a ZIP of many small invoices) is kept in the store; the rest go to spool files. */
export const INLINE_CAPTURE_MAX_BYTES = 1024 * 1024;

const fsyncDescriptor = promisify(fsync);

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class SpoolCorruptError extends Error {
  constructor(sha256: string, actual: string) {
    super(`the spooled copy ${sha256.slice(0, 12)}… is damaged (its content now hashes to ${actual.slice(0, 12)}…)`);
    this.name = 'SpoolCorruptError';
  }
}

/** The copies kept in the store (spool-blobs.ts); only the main thread, which owns the database, has them. */
export interface StoredCopies {
  get(sha256: string): Buffer | undefined;
  has(sha256: string): boolean;
  remove(sha256: string): void;
}

export class Spool {
  readonly dir: string;
  private readonly stored: StoredCopies | null;
  /** Shard folders known to exist. */
  private readonly shards = new Set<string>();
  /**
   * The handle kept per shard folder for its fsyncs, as the promise of its opening: captures that
   * reach a new shard at once share one open instead of each opening its own and all but one being
   * left to the garbage collector (DEP0137, seen after restarts with a backlog). null: cannot be
   * opened (Windows folders).
   */
  private readonly shardHandles = new Map<string, Promise<FileHandle | null>>();
  private closed = false;

  constructor(dir: string, stored: StoredCopies | null = null) {
    this.dir = dir;
    this.stored = stored;
  }

  pathFor(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /**
   * Stores the bytes and returns their hash; storing the same bytes again is a no-op. Durable
   * (fsynced) by default; `durable: false` for copies that can be fetched again (files the hub
   * returns), which then survive a crash of the process but maybe not a power cut.
   */
  async put(bytes: Uint8Array, options: { durable?: boolean } = {}): Promise<string> {
    const sha256 = sha256Hex(bytes);
    const path = this.pathFor(sha256);
    const durable = options.durable ?? true;
    if (bytes.byteLength <= SMALL_FILE_BYTES) {
      if (statSync(path, { throwIfNoEntry: false })?.size !== bytes.byteLength) await this.writeSmall(path, bytes, durable);
      return sha256;
    }
    const existing = await stat(path).catch(() => null);
    if (existing?.size !== bytes.byteLength) await this.write(path, bytes, durable);
    return sha256;
  }

  /** `write` in synchronous calls, but for the fsyncs. */
  private async writeSmall(path: string, bytes: Uint8Array, durable: boolean): Promise<void> {
    const shard = dirname(path);
    if (!this.shards.has(shard)) {
      mkdirSync(shard, { recursive: true, mode: 0o700 });
      this.shards.add(shard);
    }
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    let whole = false;
    try {
      for (let written = 0; written < bytes.byteLength;) written += writeSync(fd, bytes, written);
      if (durable) await fsyncDescriptor(fd);
      whole = true;
    } finally {
      closeSync(fd);
      // A write cut short (ENOSPC) leaves no partial copy behind to take space or be trusted.
      if (!whole) unlinkQuietly(temporary);
    }
    try {
      renameSync(temporary, path);
    } catch (error) {
      try {
        unlinkSync(temporary);
      } catch {
        // already gone
      }
      throw error;
    }
    if (durable) await this.syncShard(shard);
  }

  /** Temporary file, fsync, rename, fsync of the shard folder (whose handle stays open: one per shard). */
  private async write(path: string, bytes: Uint8Array, durable: boolean): Promise<void> {
    const shard = dirname(path);
    if (!this.shards.has(shard)) {
      await mkdir(shard, { recursive: true, mode: 0o700 });
      this.shards.add(shard);
    }
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    let whole = false;
    try {
      await handle.writeFile(bytes);
      if (durable) await handle.sync();
      whole = true;
    } finally {
      await handle.close();
      if (!whole) await unlink(temporary).catch(() => undefined);
    }
    try {
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    if (durable) await this.syncShard(shard);
  }

  private async syncShard(shard: string): Promise<void> {
    // After close() (a capture finishing while the agent stops) no handle is kept: sync and close.
    if (this.closed) {
      const handle = await openShard(shard);
      try {
        await syncFolder(handle);
      } finally {
        await handle?.close();
      }
      return;
    }
    let opening = this.shardHandles.get(shard);
    if (!opening) {
      opening = openShard(shard);
      this.shardHandles.set(shard, opening);
      // A failed open is not remembered: the next capture tries again.
      opening.catch(() => this.shardHandles.delete(shard));
    }
    await syncFolder(await opening);
  }

  /** Closes the shard folder handles kept for fsync (also those still opening). */
  async close(): Promise<void> {
    this.closed = true;
    const openings = [...this.shardHandles.values()];
    this.shardHandles.clear();
    this.shards.clear();
    const handles = (await Promise.allSettled(openings)).flatMap((h) => (h.status === 'fulfilled' && h.value ? [h.value] : []));
    await Promise.allSettled(handles.map((h) => h.close()));
  }

  async has(sha256: string): Promise<boolean> {
    if (this.stored?.has(sha256)) return true;
    return (await stat(this.pathFor(sha256)).catch(() => null)) !== null;
  }

  /** Reads and verifies the bytes: a damaged copy is never sent. `size` (as recorded) allows the small-file path. */
  async read(sha256: string, size?: number): Promise<Buffer> {
    const stored = this.stored?.get(sha256);
    if (stored) return verified(sha256, stored);
    const path = this.pathFor(sha256);
    return verified(sha256, size !== undefined && size <= SMALL_FILE_BYTES ? readFileSync(path) : await readFile(path));
  }

  /** Removes the copy wherever it is kept (the store, a file, or both: the same bytes captured before and after migration 8). */
  async remove(sha256: string): Promise<void> {
    this.stored?.remove(sha256);
    await unlink(this.pathFor(sha256)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  /** Every hash in the spool's files (for the purge of unreferenced copies; the store purges its own, SpoolBlobs). */
  async *list(): AsyncGenerator<string> {
    const shards = await readdir(this.dir).catch(() => [] as string[]);
    for (const shard of shards) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const name of await readdir(join(this.dir, shard))) {
        if (/^[0-9a-f]{64}$/.test(name)) yield name;
      }
    }
  }
}

function verified(sha256: string, bytes: Buffer): Buffer {
  const actual = sha256Hex(bytes);
  if (actual !== sha256) throw new SpoolCorruptError(sha256, actual);
  return bytes;
}

/** The folder's handle for fsync; null where folders cannot be opened (Windows: its renames are durable without it). */
async function openShard(shard: string): Promise<FileHandle | null> {
  try {
    return await open(shard, 'r');
  } catch (error) {
    if (['EISDIR', 'EPERM', 'EACCES'].includes((error as NodeJS.ErrnoException).code ?? '')) return null;
    throw error;
  }
}

async function syncFolder(handle: FileHandle | null): Promise<void> {
  await handle?.sync().catch((error: NodeJS.ErrnoException) => {
    if (!['EINVAL', 'EPERM', 'EISDIR'].includes(error.code ?? '')) throw error;
  });
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
