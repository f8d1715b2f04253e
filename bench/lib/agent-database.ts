// Reads the agent's own SQLite file (read-only, from the benchmark process) for progress while the
// run goes on and, at the end, each document's timeline from the events table.
import Database from 'better-sqlite3';

export interface AgentProgress {
  /** Documents recorded (any state). */
  captured: number;
  /** Upload jobs completed: the hub accepted the document. */
  accepted: number;
  /** Documents that will never be sent on their own (invalid, duplicate, failed, cancelled). */
  refused: number;
  states: Record<string, number>;
}

/** Epoch milliseconds of each stage of one document (null when it did not happen). */
export interface DocumentTimeline {
  capturedAt: number | null;
  sendingAt: number | null;
  acceptedAt: number | null;
}

const REFUSED_STATES = ['invalid', 'duplicate', 'failed', 'cancelled'];

export class AgentDatabaseReader {
  readonly #db: Database.Database;

  constructor(file: string) {
    this.#db = new Database(file, { readonly: true, fileMustExist: true });
    this.#db.pragma('busy_timeout = 5000');
  }

  progress(): AgentProgress {
    const states: Record<string, number> = {};
    for (const row of this.#db.prepare('SELECT state, COUNT(*) AS n FROM documents GROUP BY state').all() as { state: string; n: number }[]) {
      states[row.state] = row.n;
    }
    const accepted = (this.#db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE type = 'upload' AND status = 'done'`).get() as { n: number }).n;
    return {
      captured: Object.values(states).reduce((sum, n) => sum + n, 0),
      accepted,
      refused: REFUSED_STATES.reduce((sum, state) => sum + (states[state] ?? 0), 0),
      states,
    };
  }

  /** The first captured / sending / accepted event of each document, by file name. */
  timelines(): Map<string, DocumentTimeline> {
    const rows = this.#db
      .prepare(
        `SELECT d.name AS name, e.type AS type, MIN(e.at) AS at
                FROM events e JOIN documents d ON d.id = e.document_id
                WHERE e.type IN ('document.captured', 'document.sending', 'document.accepted')
                GROUP BY d.id, e.type`,
      )
      .all() as { name: string; type: string; at: string }[];
    const timelines = new Map<string, DocumentTimeline>();
    for (const row of rows) {
      const timeline = timelines.get(row.name) ?? { capturedAt: null, sendingAt: null, acceptedAt: null };
      const at = Date.parse(row.at);
      if (row.type === 'document.captured') timeline.capturedAt = at;
      else if (row.type === 'document.sending') timeline.sendingAt = at;
      else timeline.acceptedAt = at;
      timelines.set(row.name, timeline);
    }
    return timelines;
  }

  /** How many documents are in `state` right now (e.g. `held` while sending is paused). */
  countInState(state: string): number {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM documents WHERE state = ?').get(state) as { n: number }).n;
  }

  /** How many events of a type were recorded (retries, failures). */
  eventCount(type: string): number {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM events WHERE type = ?').get(type) as { n: number }).n;
  }

  close(): void {
    this.#db.close();
  }
}
