// What the SFTP face keeps in hub.sqlite: notices about uploads that made no document (held for
// credits, refused), and how far out/ has been written, so a restarted hub neither skips a status
// file nor writes again one the agent has already applied and deleted.
import type { HubEvent } from '../../contract/hub-protocol.ts';
import type { EventsRepository, NewEvent } from './events-repository.ts';
import type { HubDatabase } from './hub-database.ts';

export interface NewNotice {
  accountId: string;
  /** SHA-256 of the uploaded bytes: one notice per upload, however many polls see it. */
  sha256: string;
  event: NewEvent;
}

export class SftpRepository {
  private readonly db: HubDatabase;
  private readonly events: EventsRepository;

  constructor(db: HubDatabase, events: EventsRepository) {
    this.db = db;
    this.events = events;
  }

  hasNotice(accountId: string, idempotencyKey: string, sha256: string, status: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM sftp_notices WHERE account_id = ? AND idempotency_key = ? AND sha256 = ? AND status = ? LIMIT 1')
        .get(accountId, idempotencyKey, sha256, status) !== undefined
    );
  }

  /** Stores a notice under a new seq of the event sequence, so its status file sorts among the events. */
  addNotice(notice: NewNotice): HubEvent {
    return this.db.transaction(() => {
      const event: HubEvent = { seq: this.events.reserveSeq(), ...notice.event };
      this.db
        .prepare('INSERT INTO sftp_notices (seq, account_id, idempotency_key, sha256, status, body) VALUES (?, ?, ?, ?, ?, ?)')
        .run(event.seq, notice.accountId, event.idempotencyKey, notice.sha256, event.status, JSON.stringify(notice.event));
      return event;
    })();
  }

  /** Status changes still to write to out/: events of SFTP documents and notices, in seq order. */
  pendingOut(accountId: string, afterSeq: number, limit: number): HubEvent[] {
    const rows = this.db
      .prepare(
        `SELECT seq, body FROM (
           SELECT e.seq AS seq, e.body AS body FROM events e JOIN documents d ON d.id = e.document_id
             WHERE e.account_id = ? AND e.seq > ? AND d.channel = 'sftp'
           UNION ALL
           SELECT seq, body FROM sftp_notices WHERE account_id = ? AND seq > ?
         ) ORDER BY seq LIMIT ?`,
      )
      .all(accountId, afterSeq, accountId, afterSeq, limit) as { seq: number; body: string }[];
    return rows.map((row) => ({ seq: row.seq, ...(JSON.parse(row.body) as NewEvent) }));
  }

  /** The highest seq whose out/ files are written (0 at first). */
  outCursor(accountId: string): number {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(cursorKey(accountId)) as { value: string } | undefined;
    return row ? Number(row.value) : 0;
  }

  setOutCursor(accountId: string, seq: number): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(cursorKey(accountId), String(seq));
  }
}

function cursorKey(accountId: string): string {
  return `sftp-out-cursor:${accountId}`;
}
