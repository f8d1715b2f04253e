// Content-addressed spool: every captured document and every file the hub returns is kept here by
// its SHA-256, fsynced before the database records it.
import { createHash } from 'node:crypto';
import { readFile, stat, unlink, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDurably } from '../util/fsync.ts';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class SpoolCorruptError extends Error {
  constructor(sha256: string, actual: string) {
    super(`the spooled copy ${sha256.slice(0, 12)}… is damaged (its content now hashes to ${actual.slice(0, 12)}…)`);
    this.name = 'SpoolCorruptError';
  }
}

export class Spool {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
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
    const existing = await stat(path).catch(() => null);
    if (existing?.size !== bytes.byteLength) await writeDurably(path, bytes, 0o600, options.durable ?? true);
    return sha256;
  }

  async has(sha256: string): Promise<boolean> {
    return (await stat(this.pathFor(sha256)).catch(() => null)) !== null;
  }

  /** Reads and verifies the bytes: a damaged copy is never sent. */
  async read(sha256: string): Promise<Buffer> {
    const bytes = await readFile(this.pathFor(sha256));
    const actual = sha256Hex(bytes);
    if (actual !== sha256) throw new SpoolCorruptError(sha256, actual);
    return bytes;
  }

  async remove(sha256: string): Promise<void> {
    await unlink(this.pathFor(sha256)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  /** Every hash in the spool (for the purge of unreferenced copies). */
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
