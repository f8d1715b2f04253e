// The next SDI step of every document still in flight, with when it is due: what a restarted hub
// reads to carry on where it stopped.
import type { HubDatabase } from './hub-database.ts';

export interface PendingStep {
  documentId: string;
  stepIndex: number;
  dueAtMs: number;
}

export class PendingStepsRepository {
  private readonly db: HubDatabase;

  constructor(db: HubDatabase) {
    this.db = db;
  }

  set(step: PendingStep): void {
    this.db
      .prepare(
        `INSERT INTO pending_steps (document_id, step_index, due_at_ms) VALUES (?, ?, ?)
         ON CONFLICT(document_id) DO UPDATE SET step_index = excluded.step_index, due_at_ms = excluded.due_at_ms`,
      )
      .run(step.documentId, step.stepIndex, step.dueAtMs);
  }

  get(documentId: string): PendingStep | undefined {
    return this.db
      .prepare('SELECT document_id AS documentId, step_index AS stepIndex, due_at_ms AS dueAtMs FROM pending_steps WHERE document_id = ?')
      .get(documentId) as PendingStep | undefined;
  }

  remove(documentId: string): void {
    this.db.prepare('DELETE FROM pending_steps WHERE document_id = ?').run(documentId);
  }

  all(): PendingStep[] {
    return this.db
      .prepare('SELECT document_id AS documentId, step_index AS stepIndex, due_at_ms AS dueAtMs FROM pending_steps ORDER BY due_at_ms')
      .all() as PendingStep[];
  }
}
