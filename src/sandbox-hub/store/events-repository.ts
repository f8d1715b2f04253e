// The event feed: one row per status change, numbered by a global `seq` that only grows.
// Rows are kept forever (they are each document's history); the feed window is applied on read.
import type { HubEvent } from '../../contract/hub-protocol.ts';
import type { HubDatabase } from './hub-database.ts';

export type NewEvent = Omit<HubEvent, 'seq'>;

export class EventsRepository {
  private readonly db: HubDatabase;

  constructor(db: HubDatabase) {
    this.db = db;
  }

  append(accountId: string, event: NewEvent): HubEvent {
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO events (account_id, document_id, body) VALUES (?, ?, ?)')
      .run(accountId, event.documentId, JSON.stringify(event));
    return { seq: Number(lastInsertRowid), ...event };
  }

  /**
   * Takes the next seq without storing an event: for a status file about an upload that made no
   * document (SFTP held/refused notices), so it still sorts among the events. Call in a transaction.
   */
  reserveSeq(): number {
    const bumped = this.db.prepare("UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'events' RETURNING seq").get() as { seq: number } | undefined;
    if (bumped) return bumped.seq;
    this.db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('events', 1)").run();
    return 1;
  }

  /** Highest seq ever assigned (0 when none); AUTOINCREMENT never reuses one. */
  lastSeq(): number {
    const row = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get() as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  after(accountId: string, since: number, limit: number): HubEvent[] {
    const rows = this.db.prepare('SELECT seq, body FROM events WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?').all(accountId, since, limit) as {
      seq: number;
      body: string;
    }[];
    return rows.map(toEvent);
  }

  forDocument(documentId: string): HubEvent[] {
    return (this.db.prepare('SELECT seq, body FROM events WHERE document_id = ? ORDER BY seq').all(documentId) as { seq: number; body: string }[]).map(toEvent);
  }
}

function toEvent(row: { seq: number; body: string }): HubEvent {
  return { seq: row.seq, ...(JSON.parse(row.body) as Omit<HubEvent, 'seq'>) };
}
