// Which source file became which documents, and whether its post-action has been done.
import { cached, type Db } from './database.ts';

export type PostAction = 'move' | 'delete' | 'leave' | 'errors';

export interface IntakeRecord {
  id: number;
  folder: string;
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  postAction: PostAction;
  status: 'pending' | 'done' | 'failed';
  destination: string | null;
  error: string | null;
}

interface IntakeRow {
  id: number;
  folder: string;
  path: string;
  size: number;
  mtime_ms: number;
  sha256: string;
  post_action: PostAction;
  status: IntakeRecord['status'];
  destination: string | null;
  error: string | null;
}

const toRecord = (row: IntakeRow): IntakeRecord => ({
  id: row.id,
  folder: row.folder,
  path: row.path,
  size: row.size,
  mtimeMs: row.mtime_ms,
  sha256: row.sha256,
  postAction: row.post_action,
  status: row.status,
  destination: row.destination,
  error: row.error,
});

export class IntakeRecords {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** Call inside the capture transaction; `destination`: where a move will put the file, when already chosen. */
  insert(record: Omit<IntakeRecord, 'id' | 'status' | 'destination' | 'error'> & { destination?: string | null }, documentIds: string[]): number {
    const now = new Date().toISOString();
    const id = Number(
      cached(
        this.db,
        "INSERT INTO intake_files (folder, path, size, mtime_ms, sha256, post_action, status, destination, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
      ).run(record.folder, record.path, record.size, record.mtimeMs, record.sha256, record.postAction, record.destination ?? null, now, now).lastInsertRowid,
    );
    const link = cached(this.db, 'INSERT INTO intake_file_documents (intake_file_id, document_id) VALUES (?, ?)');
    for (const documentId of documentIds) link.run(id, documentId);
    return id;
  }

  pendingForPath(path: string): IntakeRecord[] {
    return (cached(this.db, `SELECT * FROM intake_files WHERE path = ? AND status = 'pending' ORDER BY id`).all(path) as IntakeRow[]).map(toRecord);
  }

  pending(): IntakeRecord[] {
    return (cached(this.db, `SELECT * FROM intake_files WHERE status = 'pending' ORDER BY id`).all() as IntakeRow[]).map(toRecord);
  }

  /** A file left in place ('leave') that was already taken in this exact version. */
  alreadyTaken(path: string, size: number, mtimeMs: number): boolean {
    return (
      cached(this.db, `SELECT 1 FROM intake_files WHERE path = ? AND size = ? AND mtime_ms = ? AND status = 'done' AND post_action = 'leave'`).get(
        path,
        size,
        mtimeMs,
      ) !== undefined
    );
  }

  setDestination(id: number, destination: string): void {
    cached(this.db, 'UPDATE intake_files SET destination = ?, updated_at = ? WHERE id = ?').run(destination, new Date().toISOString(), id);
  }

  finish(id: number, status: 'done' | 'failed', error: string | null = null): void {
    cached(this.db, 'UPDATE intake_files SET status = ?, error = ?, updated_at = ? WHERE id = ?').run(status, error, new Date().toISOString(), id);
  }

  documentIds(id: number): string[] {
    return (cached(this.db, 'SELECT document_id FROM intake_file_documents WHERE intake_file_id = ?').all(id) as { document_id: string }[]).map(
      (r) => r.document_id,
    );
  }
}
