// Documents and the files the hub returned for them. Every state change goes through
// `transition`, which appends the matching event in the same transaction.
import { cached, type Db } from './database.ts';
import type { EventLog } from './event-log.ts';
import type { CaptureSource, DocumentKind, DocumentState } from '../../contract/states.ts';
import type { DocumentFile, DocumentSummary } from '../../contract/local-api.ts';
import type { SubmittedBy } from '../../contract/approval.ts';
import { ftsQueryOf, searchRowOf } from './search-text.ts';
import { STATE_RULES, statesToReconcile } from '../../contract/document-lifecycle.ts';

/** A row as stored; the summary's invoice line and warning count are derived from its metadata (agent/document-summary.ts). */
export interface DocumentRecord extends Omit<DocumentSummary, 'invoice' | 'warnings' | 'reasonText'> {
  sourcePath: string | null;
  contentType: string | null;
  reasonCode: string | null;
  hubStatus: string | null;
  hubSeq: number | null;
  sdiFileName: string | null;
  spooled: boolean;
  metadata: Record<string, unknown>;
  /** Who captured or released it (docs/approval.md); null for documents captured before it was recorded. */
  submittedBy: SubmittedBy | null;
}

export interface NewDocument {
  id: string;
  profile: string;
  source: CaptureSource;
  name: string;
  sourcePath?: string | null;
  kind: DocumentKind;
  contentType?: string | null;
  size: number;
  sha256: string;
  spooled: boolean;
  state: DocumentState;
  reason?: string | null;
  reasonCode?: string | null;
  duplicateOf?: string | null;
  parentId?: string | null;
  metadata?: Record<string, unknown>;
  submittedBy?: SubmittedBy | null;
}

export interface DocumentChange {
  state?: DocumentState;
  reason?: string | null;
  reasonCode?: string | null;
  hubId?: string;
  hubStatus?: string;
  hubSeq?: number;
  sdiId?: string;
  sdiFileName?: string;
  duplicateOf?: string | null;
}

export interface DocumentQuery {
  state?: DocumentState[];
  profile?: string;
  /** Words, all of which must start a word of the document's search row (search-text.ts); or the document's id. */
  q?: string;
  /** Capture time (ISO 8601): from inclusive, to exclusive. */
  from?: string;
  to?: string;
  /** The invoice's date (YYYY-MM-DD), both ends inclusive. */
  invoiceFrom?: string;
  invoiceTo?: string;
  cursor?: string | null;
  limit?: number;
}

interface DocumentRow {
  id: string;
  profile: string;
  source: string;
  name: string;
  source_path: string | null;
  kind: string;
  content_type: string | null;
  size: number;
  sha256: string;
  spooled: number;
  state: string;
  reason: string | null;
  reason_code: string | null;
  hub_id: string | null;
  hub_status: string | null;
  hub_seq: number | null;
  sdi_id: string | null;
  sdi_file_name: string | null;
  duplicate_of: string | null;
  parent_id: string | null;
  metadata: string;
  submitted_by: string | null;
  created_at: string;
  updated_at: string;
}

/** Matches from which a search reads the page along the capture-time index (list()). */
const MANY_MATCHES = 1000;

const COLUMN_OF: Record<keyof DocumentChange, string> = {
  state: 'state',
  reason: 'reason',
  reasonCode: 'reason_code',
  hubId: 'hub_id',
  hubStatus: 'hub_status',
  hubSeq: 'hub_seq',
  sdiId: 'sdi_id',
  sdiFileName: 'sdi_file_name',
  duplicateOf: 'duplicate_of',
};

export class DocumentRepository {
  private readonly db: Db;
  private readonly events: EventLog;
  private readonly byId;
  private readonly insertRow;

  constructor(db: Db, events: EventLog) {
    this.db = db;
    this.events = events;
    this.byId = db.prepare('SELECT * FROM documents WHERE id = ?');
    this.insertRow = db.prepare(`
      INSERT INTO documents (id, profile, source, name, source_path, kind, content_type, size, sha256, spooled, state,
        reason, reason_code, duplicate_of, parent_id, metadata, submitted_by, created_at, updated_at)
      VALUES (@id, @profile, @source, @name, @source_path, @kind, @content_type, @size, @sha256, @spooled, @state,
        @reason, @reason_code, @duplicate_of, @parent_id, @metadata, @submitted_by, @now, @now)`);
  }

  /** Inserts and records a `captured` event; call inside a transaction. */
  insert(document: NewDocument, now = new Date().toISOString()): void {
    this.insertRow.run({
      id: document.id,
      profile: document.profile,
      source: document.source,
      name: document.name,
      source_path: document.sourcePath ?? null,
      kind: document.kind,
      content_type: document.contentType ?? null,
      size: document.size,
      sha256: document.sha256,
      spooled: document.spooled ? 1 : 0,
      state: document.state,
      reason: document.reason ?? null,
      reason_code: document.reasonCode ?? null,
      duplicate_of: document.duplicateOf ?? null,
      parent_id: document.parentId ?? null,
      metadata: JSON.stringify(document.metadata ?? {}),
      submitted_by: document.submittedBy ? JSON.stringify(document.submittedBy) : null,
      now,
    });
    this.events.append(
      {
        type: 'document.captured',
        documentId: document.id,
        state: document.state,
        message: document.reason ?? null,
        data: {
          name: document.name,
          source: document.source,
          profile: document.profile,
          kind: document.kind,
          sha256: document.sha256,
          size: document.size,
          ...(document.submittedBy ? { submittedBy: document.submittedBy } : {}),
        },
      },
      now,
    );
    this.writeSearchRow(document.id, { name: document.name, sdiId: null, sdiFileName: null, metadata: document.metadata ?? {} });
  }

  /** The document's row in the search index (migration 6), written or rewritten; call inside a transaction. */
  private writeSearchRow(id: string, source: Parameters<typeof searchRowOf>[0]): void {
    const row = searchRowOf(source);
    const key = cached(this.db, 'SELECT rowid FROM document_search_rows WHERE document_id = ?').get(id) as { rowid: number } | undefined;
    if (key) {
      cached(this.db, 'UPDATE document_search_rows SET invoice_date = ? WHERE rowid = ?').run(row.invoiceDate, key.rowid);
      cached(this.db, 'DELETE FROM document_search WHERE rowid = ?').run(key.rowid);
      cached(this.db, 'INSERT INTO document_search (rowid, text) VALUES (?, ?)').run(key.rowid, row.text);
      return;
    }
    const { lastInsertRowid } = cached(this.db, 'INSERT INTO document_search_rows (document_id, invoice_date) VALUES (?, ?)').run(id, row.invoiceDate);
    cached(this.db, 'INSERT INTO document_search (rowid, text) VALUES (?, ?)').run(lastInsertRowid, row.text);
  }

  private refreshSearchRow(id: string): void {
    const document = this.get(id);
    if (document) this.writeSearchRow(id, document);
  }

  get(id: string): DocumentRecord | null {
    const row = this.byId.get(id) as DocumentRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Applies a change and appends an event describing it; call inside a transaction. */
  transition(id: string, change: DocumentChange, event: { type: string; message?: string | null; data?: Record<string, unknown> }): void {
    const sets: string[] = [];
    const values: Record<string, unknown> = { id, updated_at: new Date().toISOString() };
    for (const [key, value] of Object.entries(change) as [keyof DocumentChange, unknown][]) {
      if (value === undefined) continue;
      sets.push(`${COLUMN_OF[key]} = @${key}`);
      values[key] = value;
    }
    sets.push('updated_at = @updated_at');
    cached(this.db, `UPDATE documents SET ${sets.join(', ')} WHERE id = @id`).run(values);
    // The SDI id arrives with a hub status (status follower): searchable from the same commit.
    if (change.sdiId !== undefined || change.sdiFileName !== undefined) this.refreshSearchRow(id);
    this.events.append({
      type: event.type,
      documentId: id,
      state: change.state ?? this.get(id)?.state ?? null,
      message: event.message ?? change.reason ?? null,
      ...(event.data ? { data: event.data } : {}),
    });
  }

  mergeMetadata(id: string, patch: Record<string, unknown>): void {
    const current = this.get(id);
    if (!current) return;
    cached(this.db, 'UPDATE documents SET metadata = ? WHERE id = ?').run(JSON.stringify({ ...current.metadata, ...patch }), id);
    this.refreshSearchRow(id);
  }

  /** Ids of invoice documents (FatturaPA, P7M) after `afterId`, in id order: the computed-totals backfill's pages (migration 7). */
  invoiceIdsAfter(afterId: string, limit: number): string[] {
    const rows = cached(this.db, "SELECT id FROM documents WHERE kind IN ('fatturapa', 'p7m') AND id > ? ORDER BY id LIMIT ?").all(afterId, limit) as {
      id: string;
    }[];
    return rows.map((row) => row.id);
  }

  /** The first document with these bytes that counts as a real capture (not invalid, cancelled or itself a duplicate). */
  findOriginalBySha(sha256: string, excludeId?: string): DocumentRecord | null {
    const row = cached(
      this.db,
      `SELECT * FROM documents WHERE sha256 = ? AND id != ? AND state NOT IN ('invalid','cancelled','duplicate')
                ORDER BY created_at, id LIMIT 1`,
    ).get(sha256, excludeId ?? '') as DocumentRow | undefined;
    return row ? toRecord(row) : null;
  }

  withState(states: DocumentState[]): DocumentRecord[] {
    const marks = states.map(() => '?').join(',');
    return (cached(this.db, `SELECT * FROM documents WHERE state IN (${marks}) ORDER BY created_at, id`).all(...states) as DocumentRow[]).map(toRecord);
  }

  /**
   * The documents whose status may still change at the hub (the status follower's reconcile): in a
   * state the hub may know and not settled, B2B ones in a b2b-settled state left out in SQL. Reading
   * every delivered document and filtering here cost memory in proportion to the whole history at
   * each start (over 250 MiB at 20,000 documents in the soak run).
   */
  inFlightAtHub(): DocumentRecord[] {
    const open = statesToReconcile();
    const b2bSettled = open.filter((state) => STATE_RULES[state].settled === 'b2b');
    const marks = (states: readonly string[]) => states.map(() => '?').join(',') || "''";
    const sql = `SELECT * FROM documents WHERE state IN (${marks(open)})
                   AND (hub_id IS NOT NULL OR state != 'queued')
                   AND NOT (state IN (${marks(b2bSettled)}) AND coalesce(json_extract(metadata, '$.formato'), '') != 'FPA12')
                 ORDER BY created_at, id`;
    return (cached(this.db, sql).all(...open, ...b2bSettled) as DocumentRow[]).map(toRecord);
  }

  countsByState(): Partial<Record<DocumentState, number>> {
    const counts: Partial<Record<DocumentState, number>> = {};
    // Kept by triggers (migration 9): counting 100,000 rows on every status call took 30–110 ms.
    for (const row of cached(this.db, 'SELECT state, n FROM document_state_counts WHERE n > 0').all() as { state: DocumentState; n: number }[]) {
      counts[row.state] = row.n;
    }
    return counts;
  }

  /** Newest first, keyset-paginated by (created_at, id). */
  list(query: DocumentQuery): { documents: DocumentRecord[]; nextCursor: string | null } {
    const where: string[] = [];
    const values: unknown[] = [];
    if (query.state?.length) {
      where.push(`state IN (${query.state.map(() => '?').join(',')})`);
      values.push(...query.state);
    }
    if (query.profile) {
      where.push('profile = ?');
      values.push(query.profile);
    }
    const match = query.q ? ftsQueryOf(query.q) : null;
    const range: string[] = [];
    const rangeValues: string[] = [];
    if (query.invoiceFrom) {
      range.push('invoice_date >= ?');
      rangeValues.push(query.invoiceFrom);
    }
    if (query.invoiceTo) {
      range.push('invoice_date <= ?');
      rangeValues.push(query.invoiceTo);
    }
    if (query.q && match) {
      // The FTS5 index finds the words; the page is still read newest first along documents_created.
      // An invoice-date range is checked on the matches' rows (not as a set of its own: a year of
      // invoices is tens of thousands of ids), and on a document found by its id.
      const inRange = range.map((condition) => `r.${condition}`);
      where.push(
        `(id IN (SELECT r.document_id FROM document_search s JOIN document_search_rows r ON r.rowid = s.rowid WHERE document_search MATCH ?${inRange.map((c) => ` AND ${c}`).join('')})` +
          ` OR (id = ?${range.length ? ` AND EXISTS (SELECT 1 FROM document_search_rows r WHERE r.document_id = documents.id${inRange.map((c) => ` AND ${c}`).join('')})` : ''}))`,
      );
      values.push(match, ...rangeValues, query.q.trim(), ...(range.length ? rangeValues : []));
    } else if (range.length) {
      where.push(`id IN (SELECT document_id FROM document_search_rows WHERE ${range.join(' AND ')})`);
      values.push(...rangeValues);
    }
    if (query.from) {
      where.push('created_at >= ?');
      values.push(query.from);
    }
    if (query.to) {
      where.push('created_at < ?');
      values.push(query.to);
    }
    if (query.cursor) {
      const [createdAt, id] = Buffer.from(query.cursor, 'base64url').toString('utf8').split('|');
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      values.push(createdAt, createdAt, id);
    }
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    // With words matching many documents, the page is read along documents_created, each row checked against the matches
    // (a Bloom filter, then the set): bounded by one pass over that index, however many match. Left
    // to itself, the planner fetches every match by id and sorts them (300 ms for 65,000 matches
    // of a one-letter word at 100,000 documents; bench/search.bench.ts).
    // Under a thousand matches, fetching each by id and sorting them is quicker: counted first.
    const many =
      match !== null &&
      (
        cached(this.db, `SELECT COUNT(*) AS n FROM (SELECT rowid FROM document_search WHERE document_search MATCH ? LIMIT ${MANY_MATCHES})`).get(match) as {
          n: number;
        }
      ).n >= MANY_MATCHES;
    const table = many ? 'documents INDEXED BY documents_created' : 'documents';
    const sql = `SELECT * FROM ${table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`;
    const rows = cached(this.db, sql).all(...values, limit + 1) as DocumentRow[];
    const page = rows.slice(0, limit).map(toRecord);
    const last = page.at(-1);
    const nextCursor = rows.length > limit && last ? Buffer.from(`${last.createdAt}|${last.id}`).toString('base64url') : null;
    return { documents: page, nextCursor };
  }

  addFile(documentId: string, file: DocumentFile): boolean {
    const result = cached(this.db, 'INSERT OR IGNORE INTO document_files (document_id, name, kind, size, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      documentId,
      file.name,
      file.kind,
      file.size,
      file.sha256,
      new Date().toISOString(),
    );
    return result.changes > 0;
  }

  files(documentId: string): DocumentFile[] {
    return cached(this.db, 'SELECT name, kind, size, sha256 FROM document_files WHERE document_id = ? ORDER BY created_at, name').all(
      documentId,
    ) as DocumentFile[];
  }

  hasFile(documentId: string, name: string): boolean {
    return cached(this.db, 'SELECT 1 FROM document_files WHERE document_id = ? AND name = ?').get(documentId, name) !== undefined;
  }
}

function toRecord(row: DocumentRow): DocumentRecord {
  let metadata: Record<string, unknown> | undefined;
  return {
    id: row.id,
    profile: row.profile,
    source: row.source as CaptureSource,
    name: row.name,
    sourcePath: row.source_path,
    kind: row.kind as DocumentKind,
    contentType: row.content_type,
    size: row.size,
    sha256: row.sha256,
    spooled: row.spooled === 1,
    state: row.state as DocumentState,
    reason: row.reason,
    reasonCode: row.reason_code,
    hubId: row.hub_id,
    hubStatus: row.hub_status,
    hubSeq: row.hub_seq,
    sdiId: row.sdi_id,
    sdiFileName: row.sdi_file_name,
    duplicateOf: row.duplicate_of,
    parentId: row.parent_id,
    // Parsed on first use: the outbox and the status feed read a document several times and never look.
    get metadata(): Record<string, unknown> {
      return (metadata ??= JSON.parse(row.metadata) as Record<string, unknown>);
    },
    submittedBy: row.submitted_by ? (JSON.parse(row.submitted_by) as SubmittedBy) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
