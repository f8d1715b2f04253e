// A durable job queue with leases. A claimed job carries `locked_until`; if the worker dies, the
// lease expires (or the next agent start releases leases of other owners) and the job runs again.
import { cached, type Db } from './database.ts';

export type JobType = 'upload';

/** run_after of a job whose commit is not yet on disk: never claimed until released. */
export const PARKED = Number.MAX_SAFE_INTEGER;

export interface Job {
  id: number;
  type: JobType;
  documentId: string;
  attempts: number;
  runAfter: number;
  lastError: string | null;
}

interface JobRow {
  id: number;
  type: JobType;
  document_id: string;
  attempts: number;
  run_after: number;
  last_error: string | null;
}

const toJob = (row: JobRow): Job => ({
  id: row.id,
  type: row.type,
  documentId: row.document_id,
  attempts: row.attempts,
  runAfter: row.run_after,
  lastError: row.last_error,
});

export class JobQueue {
  private readonly db: Db;
  private readonly owner: string;

  constructor(db: Db, owner: string) {
    this.db = db;
    this.owner = owner;
  }

  /** Call inside the caller's transaction. At most one open job per (type, document). */
  enqueue(type: JobType, documentId: string, runAfter = Date.now()): void {
    const now = new Date().toISOString();
    cached(
      this.db,
      `INSERT INTO jobs (type, document_id, status, run_after, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?, ?)
                ON CONFLICT (type, document_id) WHERE status = 'pending' DO UPDATE SET run_after = excluded.run_after, updated_at = excluded.updated_at`,
    ).run(type, documentId, runAfter, now, now);
  }

  /** Leases up to `limit` ready jobs to this owner. */
  claim(type: JobType, limit: number, leaseMs: number, now = Date.now()): Job[] {
    const rows = cached(
      this.db,
      `UPDATE jobs SET locked_until = @lockedUntil, lease_owner = @owner, attempts = attempts + 1, updated_at = @iso
                WHERE id IN (SELECT id FROM jobs WHERE type = @type AND status = 'pending' AND run_after <= @now
                             AND (locked_until IS NULL OR locked_until <= @now) ORDER BY run_after, id LIMIT @limit)
                RETURNING id, type, document_id, attempts, run_after, last_error`,
    ).all({ lockedUntil: now + leaseMs, owner: this.owner, iso: new Date(now).toISOString(), type, now, limit }) as JobRow[];
    return rows.map(toJob).sort((a, b) => a.id - b.id);
  }

  /** Keeps this owner's leases on jobs still being worked on (a slow upload must not be claimed again). */
  renewLeases(jobIds: number[], lockedUntil: number): void {
    const statement = cached(this.db, `UPDATE jobs SET locked_until = ? WHERE id = ? AND status = 'pending' AND lease_owner = ?`);
    for (const id of jobIds) statement.run(lockedUntil, id, this.owner);
  }

  complete(jobId: number): void {
    cached(this.db, `UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = ? WHERE id = ?`).run(new Date().toISOString(), jobId);
  }

  fail(jobId: number, error: string): void {
    cached(this.db, `UPDATE jobs SET status = 'failed', locked_until = NULL, last_error = ?, updated_at = ? WHERE id = ?`).run(
      error,
      new Date().toISOString(),
      jobId,
    );
  }

  /** Releases the lease and schedules the next attempt. `refundAttempt` for holds, which are not the job's fault. */
  reschedule(jobId: number, runAfter: number, error: string | null, refundAttempt = false): void {
    cached(this.db, `UPDATE jobs SET locked_until = NULL, run_after = ?, last_error = ?, attempts = attempts - ?, updated_at = ? WHERE id = ?`).run(
      runAfter,
      error,
      refundAttempt ? 1 : 0,
      new Date().toISOString(),
      jobId,
    );
  }

  /** Makes parked jobs claimable (their commit is now durable). */
  release(type: JobType, documentIds: string[], now = Date.now()): void {
    const statement = cached(this.db, `UPDATE jobs SET run_after = ? WHERE type = ? AND document_id = ? AND status = 'pending' AND run_after = ?`);
    for (const id of documentIds) statement.run(now, type, id, PARKED);
  }

  /** On start: a stop between a commit and its fsync left jobs parked; they are durable by now or gone. */
  releaseAllParked(now = Date.now()): number {
    return cached(this.db, `UPDATE jobs SET run_after = ? WHERE status = 'pending' AND run_after = ?`).run(now, PARKED).changes;
  }

  cancelForDocument(type: JobType, documentId: string): void {
    cached(this.db, `UPDATE jobs SET status = 'cancelled', locked_until = NULL, updated_at = ? WHERE type = ? AND document_id = ? AND status = 'pending'`).run(
      new Date().toISOString(),
      type,
      documentId,
    );
  }

  /** On start: leases held by an earlier process of this agent are void (only one agent owns the data dir). */
  releaseForeignLeases(): number {
    return cached(this.db, "UPDATE jobs SET locked_until = NULL WHERE status = 'pending' AND lease_owner IS NOT NULL AND lease_owner != ?").run(this.owner)
      .changes;
  }

  nextRunAfter(type: JobType): number | null {
    const row = cached(this.db, `SELECT MIN(run_after) AS next FROM jobs WHERE type = ? AND status = 'pending' AND locked_until IS NULL AND run_after < ?`).get(
      type,
      PARKED,
    ) as { next: number | null };
    return row.next;
  }

  pendingCount(type: JobType): number {
    return (cached(this.db, `SELECT COUNT(*) AS n FROM jobs WHERE type = ? AND status = 'pending'`).get(type) as { n: number }).n;
  }

  openJob(type: JobType, documentId: string): Job | null {
    const row = cached(
      this.db,
      `SELECT id, type, document_id, attempts, run_after, last_error FROM jobs WHERE type = ? AND document_id = ? AND status = 'pending'`,
    ).get(type, documentId) as JobRow | undefined;
    return row ? toJob(row) : null;
  }
}
