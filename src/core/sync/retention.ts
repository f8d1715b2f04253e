// Retention: spooled copies of settled documents are deleted after `spoolDays`; settled documents
// and their history after `historyDays`. The event log is only ever trimmed from its start, and
// never past the first event of a document that is kept, so the hash chain stays verifiable and
// no kept document loses its history. Spool files no record points to (left by a crash between the
// spool write and the commit) are removed after a day.
import { stat } from 'node:fs/promises';
import type { Store } from '../store/store.ts';
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
  private firstRunDelayMs = 60_000;

  constructor(options: { store: Store; spool: Spool; settings: RetentionSettings; log: Logger }) {
    this.store = options.store;
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
    const settled = (cutoffMs: number, spooledOnly: boolean): Candidate[] =>
      (
        db
          .prepare(`SELECT id, sha256, state, metadata FROM documents WHERE updated_at < ? ${spooledOnly ? 'AND spooled = 1' : ''}`)
          .all(new Date(cutoffMs).toISOString()) as Candidate[]
      ).filter((d) => isSettled(d.state, (JSON.parse(d.metadata) as { formato?: string }).formato));

    // 1. Spooled copies of documents settled long ago.
    for (const document of settled(now - this.settings.spoolDays * DAY_MS, true)) {
      this.store.transaction(() => {
        db.prepare('UPDATE documents SET spooled = 0 WHERE id = ?').run(document.id);
        this.store.events.append({
          type: 'document.spool_purged',
          documentId: document.id,
          message: `spooled copy removed after ${this.settings.spoolDays} days`,
        });
      });
      if (!this.isReferenced(document.sha256)) await this.spool.remove(document.sha256);
      result.spoolCopiesRemoved += 1;
    }

    // 2. Whole documents settled before the history horizon, with their files.
    const expired = settled(now - this.settings.historyDays * DAY_MS, false);
    const shas = new Set<string>();
    this.store.transaction(() => {
      for (const document of expired) {
        for (const file of db.prepare('SELECT sha256 FROM document_files WHERE document_id = ?').all(document.id) as { sha256: string }[])
          shas.add(file.sha256);
        shas.add(document.sha256);
        db.prepare('DELETE FROM document_files WHERE document_id = ?').run(document.id);
        db.prepare('DELETE FROM invoices WHERE document_id = ?').run(document.id);
        db.prepare('DELETE FROM intake_file_documents WHERE document_id = ?').run(document.id);
        db.prepare('DELETE FROM jobs WHERE document_id = ?').run(document.id);
        db.prepare('UPDATE documents SET duplicate_of = NULL WHERE duplicate_of = ?').run(document.id);
        db.prepare('UPDATE documents SET parent_id = NULL WHERE parent_id = ?').run(document.id);
        db.prepare('DELETE FROM documents WHERE id = ?').run(document.id);
        result.documentsRemoved += 1;
      }
      db.prepare(`DELETE FROM intake_files WHERE status = 'done' AND updated_at < ? AND id NOT IN (SELECT intake_file_id FROM intake_file_documents)`).run(
        new Date(now - this.settings.historyDays * DAY_MS).toISOString(),
      );
      // 3. Trim the event log from its start, never past a kept document's first event.
      const firstKept = (db.prepare('SELECT MIN(e.seq) AS seq FROM events e JOIN documents d ON d.id = e.document_id').get() as { seq: number | null }).seq;
      const cutoff = new Date(now - this.settings.historyDays * DAY_MS).toISOString();
      const lastOld = (db.prepare('SELECT MAX(seq) AS seq FROM events WHERE at < ?').get(cutoff) as { seq: number | null }).seq;
      if (lastOld !== null) {
        const limit = firstKept === null ? lastOld : Math.min(lastOld, firstKept - 1);
        // Keep the newest event so the sequence (and the event feed's cursor) never goes backwards.
        const newest = this.store.events.lastSeq();
        result.eventsRemoved = db.prepare('DELETE FROM events WHERE seq <= ? AND seq < ?').run(limit, newest).changes;
      }
    });
    for (const sha of shas) if (!this.isReferenced(sha)) await this.spool.remove(sha);

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

  private isReferenced(sha256: string): boolean {
    const { db } = this.store;
    return (
      db.prepare('SELECT 1 FROM documents WHERE sha256 = ? AND spooled = 1 LIMIT 1').get(sha256) !== undefined ||
      db.prepare('SELECT 1 FROM document_files WHERE sha256 = ? LIMIT 1').get(sha256) !== undefined
    );
  }
}
