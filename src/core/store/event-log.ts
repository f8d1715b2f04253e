// The append-only, hash-chained delivery log. Each row's hash covers the previous hash and the
// row's own fields, so editing or deleting a past row is detectable (`verify`).
import { createHash } from 'node:crypto';
import { cached, type Db } from './database.ts';
import type { DocumentState } from '../../contract/states.ts';
import type { DocumentEvent } from '../../contract/local-api.ts';

const GENESIS = '0'.repeat(64);

export interface NewEvent {
  type: string;
  documentId?: string | null;
  state?: DocumentState | null;
  message?: string | null;
  data?: Record<string, unknown> | null;
}

interface EventRow {
  seq: number;
  at: string;
  type: string;
  document_id: string | null;
  state: string | null;
  message: string | null;
  data: string | null;
  prev_hash: string;
  hash: string;
}

function rowHash(prevHash: string, row: Omit<EventRow, 'hash' | 'prev_hash'>): string {
  const canonical = JSON.stringify([row.seq, row.at, row.type, row.document_id, row.state, row.message, row.data]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

export class EventLog {
  private readonly db: Db;
  private readonly insert;
  private readonly last;
  private readonly listeners = new Set<(seq: number) => void>();

  constructor(db: Db) {
    this.db = db;
    this.insert = db.prepare('INSERT INTO events (seq, at, type, document_id, state, message, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.last = db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1');
  }

  /** Must run inside the caller's transaction so the event commits with the change it records. */
  append(event: NewEvent, at = new Date().toISOString()): number {
    const previous = this.last.get() as { seq: number; hash: string } | undefined;
    const row = {
      seq: (previous?.seq ?? 0) + 1,
      at,
      type: event.type,
      document_id: event.documentId ?? null,
      state: event.state ?? null,
      message: event.message ?? null,
      data: event.data ? JSON.stringify(event.data) : null,
    };
    const prevHash = previous?.hash ?? GENESIS;
    this.insert.run(row.seq, row.at, row.type, row.document_id, row.state, row.message, row.data, prevHash, rowHash(prevHash, row));
    return row.seq;
  }

  /** Wakes long-pollers; call after the transaction that appended events has committed. */
  notify(): void {
    const seq = this.lastSeq();
    for (const listener of this.listeners) listener(seq);
  }

  onAppended(listener: (seq: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  lastSeq(): number {
    return (this.last.get() as { seq: number } | undefined)?.seq ?? 0;
  }

  since(seq: number, limit: number): DocumentEvent[] {
    const rows = cached(this.db, 'SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit) as EventRow[];
    return rows.map(toDocumentEvent);
  }

  /** The last `limit` events, oldest first (the support bundle). */
  recent(limit: number): DocumentEvent[] {
    const rows = cached(this.db, 'SELECT * FROM (SELECT * FROM events ORDER BY seq DESC LIMIT ?) ORDER BY seq').all(limit) as EventRow[];
    return rows.map(toDocumentEvent);
  }

  forDocument(documentId: string): DocumentEvent[] {
    const rows = cached(this.db, 'SELECT * FROM events WHERE document_id = ? ORDER BY seq').all(documentId) as EventRow[];
    return rows.map(toDocumentEvent);
  }

  /** Long poll: events after `seq`, waiting up to `timeoutMs` for the first one. */
  async wait(seq: number, limit: number, timeoutMs: number, signal?: AbortSignal): Promise<DocumentEvent[]> {
    const now = this.since(seq, limit);
    if (now.length > 0 || timeoutMs <= 0) return now;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      const unsubscribe = this.onAppended((latest) => {
        if (latest > seq) done();
      });
      signal?.addEventListener('abort', done, { once: true });
    });
    // Aborted (the client left, or the agent is stopping and the store may be closing): nothing new.
    if (signal?.aborted) return [];
    return this.since(seq, limit);
  }

  verify(): { ok: boolean; checked: number; firstBad?: number } {
    let prevHash = GENESIS;
    let checked = 0;
    let expectedSeq: number | null = null;
    for (const row of cached(this.db, 'SELECT * FROM events ORDER BY seq').iterate() as IterableIterator<EventRow>) {
      // A purge may drop a prefix of old rows; the chain then starts at the first kept row's prev_hash.
      if (expectedSeq === null) prevHash = row.prev_hash;
      const gap = expectedSeq !== null && row.seq !== expectedSeq;
      if (gap || row.prev_hash !== prevHash || rowHash(prevHash, row) !== row.hash) return { ok: false, checked, firstBad: row.seq };
      prevHash = row.hash;
      expectedSeq = row.seq + 1;
      checked += 1;
    }
    return { ok: true, checked };
  }
}

function toDocumentEvent(row: EventRow): DocumentEvent {
  return {
    seq: row.seq,
    at: row.at,
    type: row.type,
    documentId: row.document_id,
    state: row.state as DocumentState | null,
    message: row.message,
    ...(row.data ? { data: JSON.parse(row.data) as Record<string, unknown> } : {}),
  };
}
