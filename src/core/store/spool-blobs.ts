// The small captured documents kept inside the store (migration 8): written in the capture's own
// commit, so the WAL fsync that makes the record durable makes the bytes durable too. Small files the
// hub returns live here as well, written with the status that names them. Read through the Spool,
// which verifies every copy's hash whatever its place.
import { cached, type Db } from './database.ts';

export class SpoolBlobs {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Inside the transaction that records what points to the bytes; the same bytes stored twice are kept once. */
  put(sha256: string, bytes: Uint8Array): void {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    cached(this.#db, 'INSERT OR IGNORE INTO spool_blobs (sha256, bytes) VALUES (?, ?)').run(sha256, buffer);
  }

  get(sha256: string): Buffer | undefined {
    const row = cached(this.#db, 'SELECT bytes FROM spool_blobs WHERE sha256 = ?').get(sha256) as { bytes: Buffer } | undefined;
    return row?.bytes;
  }

  has(sha256: string): boolean {
    return cached(this.#db, 'SELECT 1 FROM spool_blobs WHERE sha256 = ?').get(sha256) !== undefined;
  }

  remove(sha256: string): void {
    cached(this.#db, 'DELETE FROM spool_blobs WHERE sha256 = ?').run(sha256);
  }

  /**
   * Copies no document or hub file points to any more. No grace period, unlike spool files: a copy
   * here is written in the same commit as the record that points to it, so none is ever between the two.
   */
  removeUnreferenced(): number {
    return cached(
      this.#db,
      `DELETE FROM spool_blobs WHERE sha256 NOT IN (SELECT sha256 FROM documents WHERE spooled = 1)
         AND sha256 NOT IN (SELECT sha256 FROM document_files)`,
    ).run().changes;
  }
}
