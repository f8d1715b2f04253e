// Retention: spooled copies of settled documents are deleted after `spoolDays`; settled documents
// and their history after `historyDays`. The event log is only ever trimmed from its start, and
// never past the first event of a document that is kept, so the hash chain stays verifiable and
// no kept document loses its history. Spool files no record points to (left by a crash between the
// spool write and the commit) are removed after a day.
import { stat } from 'node:fs/promises';
import { setImmediate } from 'node:timers/promises';
import type { Store } from '../store/store.ts';
import { cached } from '../store/database.ts';
import type { Spool } from '../store/spool.ts';
import type { Logger } from '../log/logger.ts';
import { isSettled } from '../../contract/document-lifecycle.ts';
import type { DocumentState } from '../../contract/states.ts';
import { BackgroundLoop } from './background-loop.ts';

export interface RetentionSettings {
  historyDays: number;
  spoolDays: number;
  purgeIntervalHours: number;
}

export interface PurgeResult {
  spoolCopiesRemoved: number;
  documentsRemoved: number;
  eventsRemoved: number;
  orphansRemoved: number;
}

const DAY_MS = 86_400_000;
const ORPHAN_GRACE_MS = DAY_MS;
/**
 * Documents read, and changed in one transaction, at a time: about 45 ms of the main thread for
 * 100 documents removed (their search, invoice and file rows, the foreign-key checks).
 */
const PURGE_PAGE_SIZE = 100;
/** Events (or intake records) removed per transaction, per document of a page: a document has about a dozen events. */
const EVENTS_PER_DOCUMENT = 20;
const STALE_INTAKE_SQL = `DELETE FROM intake_files WHERE id IN (
  SELECT id FROM intake_files WHERE status = 'done' AND updated_at < ? AND id NOT IN (SELECT intake_file_id FROM intake_file_documents) LIMIT ?)`;

/**
 * Removing one document, by its id, then the questions asked of each copy it leaves, by its sha256.
 * Each is run once per document of the history: each must find its rows through an index (store
 * migration 10), or a purge costs the square of the history (retention.test.ts checks the plans).
 */
export const REMOVE_DOCUMENT_SQL: readonly string[] = [
  'DELETE FROM document_files WHERE document_id = ?',
  'DELETE FROM invoices WHERE document_id = ?',
  'DELETE FROM intake_file_documents WHERE document_id = ?',
  'DELETE FROM jobs WHERE document_id = ?',
  'UPDATE documents SET duplicate_of = NULL WHERE duplicate_of = ?',
  'UPDATE documents SET parent_id = NULL WHERE parent_id = ?',
  'DELETE FROM documents WHERE id = ?',
];
export const COPY_REFERENCE_SQL: readonly string[] = [
  'SELECT 1 FROM documents WHERE sha256 = ? AND spooled = 1 LIMIT 1',
  'SELECT 1 FROM document_files WHERE sha256 = ? LIMIT 1',
];

interface Candidate {
  id: string;
  sha256: string;
  state: DocumentState;
  metadata: string;
}

export class Retention {
  private readonly store: Store;
  private readonly spool: Spool;
  private readonly settings: RetentionSettings;
  private readonly log: Logger;
  private readonly loop = new BackgroundLoop((signal) => this.run(signal));
  private readonly pageSize: number;
  private firstRunDelayMs = 60_000;

  constructor(options: { store: Store; spool: Spool; settings: RetentionSettings; log: Logger; pageSize?: number }) {
    this.store = options.store;
    this.pageSize = options.pageSize ?? PURGE_PAGE_SIZE;
    this.spool = options.spool;
    this.settings = options.settings;
    this.log = options.log;
  }

  start(firstRunDelayMs = 60_000): void {
    this.firstRunDelayMs = firstRunDelayMs;
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async run(signal: AbortSignal): Promise<void> {
    await this.loop.sleeper.sleep(this.firstRunDelayMs, signal);
    while (!signal.aborted) {
      try {
        await this.purge();
      } catch (error) {
        this.log.error('retention purge failed; will try again', { error: String(error) });
      }
      await this.loop.sleeper.sleep(this.settings.purgeIntervalHours * 3_600_000, signal);
    }
  }

  async purge(now = Date.now()): Promise<PurgeResult> {
    const result: PurgeResult = { spoolCopiesRemoved: 0, documentsRemoved: 0, eventsRemoved: 0, orphansRemoved: 0 };
    const { db } = this.store;

    const spoolHorizon = new Date(now - this.settings.spoolDays * DAY_MS).toISOString();
    const horizon = new Date(now - this.settings.historyDays * DAY_MS).toISOString();

    // 1. Spooled copies of documents settled long ago: the records stay, the copies go.
    for await (const page of this.settledPages(spoolHorizon, true)) {
      this.store.transaction(() => {
        for (const document of page) {
          cached(db, 'UPDATE documents SET spooled = 0 WHERE id = ?').run(document.id);
          this.store.events.append({
            type: 'document.spool_purged',
            documentId: document.id,
            message: `spooled copy removed after ${this.settings.spoolDays} days`,
          });
        }
      });
      for (const document of page) if (!this.isReferenced(document.sha256)) await this.spool.remove(document.sha256);
      result.spoolCopiesRemoved += page.length;
    }

    // 2. Whole documents settled before the history horizon, with their files.
    for await (const page of this.settledPages(horizon, false)) {
      const shas = new Set<string>();
      this.store.transaction(() => {
        for (const document of page) {
          for (const file of cached(db, 'SELECT sha256 FROM document_files WHERE document_id = ?').all(document.id) as { sha256: string }[])
            shas.add(file.sha256);
          shas.add(document.sha256);
          for (const sql of REMOVE_DOCUMENT_SQL) cached(db, sql).run(document.id);
        }
      });
      result.documentsRemoved += page.length;
      for (const sha of shas) if (!this.isReferenced(sha)) await this.spool.remove(sha);
    }
    // Intake records of files whose documents are all gone, in chunks too.
    const chunk = this.pageSize * EVENTS_PER_DOCUMENT;
    for (;;) {
      const removed = this.store.transaction(() => cached(db, STALE_INTAKE_SQL).run(horizon, chunk).changes);
      if (removed < chunk) break;
      await setImmediate();
    }
    // 3. Trim the event log from its start, never past a kept document's first event, nor to its
    // newest event (the sequence, and the event feed's cursor, never go backwards).
    const trimTo = this.store.transaction(() => {
      const firstKept = (cached(db, 'SELECT MIN(e.seq) AS seq FROM events e JOIN documents d ON d.id = e.document_id').get() as { seq: number | null }).seq;
      const lastOld = (cached(db, 'SELECT MAX(seq) AS seq FROM events WHERE at < ?').get(horizon) as { seq: number | null }).seq;
      if (lastOld === null) return null;
      return Math.min(lastOld, firstKept === null ? lastOld : firstKept - 1, this.store.events.lastSeq() - 1);
    });
    if (trimTo !== null) {
      for (let from = this.firstEventSeq(); from !== null && from <= trimTo; from = this.firstEventSeq()) {
        const upTo = Math.min(trimTo, from + chunk - 1);
        result.eventsRemoved += this.store.transaction(() => cached(db, 'DELETE FROM events WHERE seq <= ?').run(upTo).changes);
        await setImmediate();
      }
    }

    // 4. Orphans: spool files no record points to, older than a day.
    for await (const sha of this.spool.list()) {
      if (this.isReferenced(sha)) continue;
      const info = await stat(this.spool.pathFor(sha)).catch(() => null);
      if (info && now - info.mtimeMs > ORPHAN_GRACE_MS) {
        await this.spool.remove(sha);
        result.orphansRemoved += 1;
      }
    }
    // The copies kept in the store have no crash window to wait out (spool-blobs.ts).
    result.orphansRemoved += this.store.transaction(() => this.store.spoolBlobs.removeUnreferenced());
    if (result.spoolCopiesRemoved || result.documentsRemoved || result.eventsRemoved || result.orphansRemoved) this.log.info('retention purge', { ...result });
    return result;
  }

  /**
   * Settled documents last changed before the cutoff, `pageSize` at a time in id order. A year of
   * history is 100,000 documents or more: read at once and removed in one transaction, 10,000 of
   * them froze the event loop for 24 s and took 630 MiB (docs/performance.md, "Retention purge").
   * Each page is one transaction, and the event loop runs between pages. The caller changes or
   * deletes a page's rows before the next is read: the key carries on past them, and past the
   * unsettled ones.
   */
  private async *settledPages(cutoff: string, spooledOnly: boolean): AsyncGenerator<Candidate[]> {
    const query = cached(
      this.store.db,
      `SELECT id, sha256, state, metadata FROM documents WHERE updated_at < ? ${spooledOnly ? 'AND spooled = 1' : ''} AND id > ? ORDER BY id LIMIT ?`,
    );
    let after = '';
    for (;;) {
      const rows = query.all(cutoff, after, this.pageSize) as Candidate[];
      if (rows.length === 0) return;
      after = rows.at(-1)!.id;
      const settled = rows.filter((d) => isSettled(d.state, (JSON.parse(d.metadata) as { formato?: string }).formato));
      if (settled.length > 0) yield settled;
      await setImmediate();
    }
  }

  private firstEventSeq(): number | null {
    return (cached(this.store.db, 'SELECT MIN(seq) AS seq FROM events').get() as { seq: number | null }).seq;
  }

  private isReferenced(sha256: string): boolean {
    const { db } = this.store;
    return COPY_REFERENCE_SQL.some((sql) => cached(db, sql).get(sha256) !== undefined);
  }
}
