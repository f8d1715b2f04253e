// Retention: spooled copies and history of settled documents go after their horizons; documents
// still in flight are untouched; the event chain still verifies; crash leftovers in the spool go.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { sha256Hex } from '../../src/core/store/spool.ts';
import { InstanceLock } from '../../src/core/store/instance-lock.ts';
import { createAgent } from '../../src/core/agent/agent.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { Store } from '../../src/core/store/store.ts';
import { Spool } from '../../src/core/store/spool.ts';
import { COPY_REFERENCE_SQL, REMOVE_DOCUMENT_SQL, Retention } from '../../src/core/sync/retention.ts';
import type { DocumentState } from '../../src/contract/states.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const DAY = 86_400_000;

describe('retention', () => {
  it('removes old spooled copies, then old settled documents, keeps the rest and the chain', async () => {
    const h = (harness = await startHarness({ settings: (s) => ({ ...s, retention: { historyDays: 30, spoolDays: 7, purgeIntervalHours: 24 } }) }));
    await writeFile(join(h.dropDir, 'old.pdf'), makePdf('old'));
    await writeFile(join(h.dropDir, 'recent.pdf'), makePdf('recent'));
    const find = (name: string) => h.agent.documents({ limit: 10 }).documents.find((d) => d.name === name);
    const old = await waitFor('old', () => find('old.pdf'));
    const recent = await waitFor('recent', () => find('recent.pdf'));
    await h.waitForState(old.id, 'delivered');
    await h.waitForState(recent.id, 'delivered');
    h.agent.pause(); // the third one stays in the queue: not settled, never purged
    await writeFile(join(h.dropDir, 'waiting.pdf'), makePdf('waiting'));
    const waiting = await waitFor('waiting', () => find('waiting.pdf'));
    await h.waitForState(waiting.id, 'held');
    const orphan = await h.agent.spool.put(Buffer.from('left by a crash between spool and commit'));
    await utimes(h.agent.spool.pathFor(orphan), new Date(Date.now() - 2 * DAY), new Date(Date.now() - 2 * DAY));
    // A copy in the store whose record is gone (store v8): no grace period, it goes at the first purge.
    const storedOrphan = Buffer.from('a small copy kept in the store, its record gone');
    h.agent.store.transaction(() => h.agent.store.spoolBlobs.put(sha256Hex(storedOrphan), storedOrphan));
    expect(h.agent.store.spoolBlobs.has(old.sha256)).toBe(true); // small documents are kept in the store

    // 10 days later: the spooled copies of both settled documents go, the records stay.
    const tenDays = await h.agent.purge(Date.now() + 10 * DAY);
    expect(tenDays.spoolCopiesRemoved).toBe(2);
    expect(tenDays.orphansRemoved).toBe(2);
    expect(await h.agent.spool.has(old.sha256)).toBe(false);
    expect(h.agent.store.spoolBlobs.has(old.sha256)).toBe(false);
    expect(h.agent.store.spoolBlobs.has(sha256Hex(storedOrphan))).toBe(false);
    expect(h.agent.store.spoolBlobs.has(waiting.sha256)).toBe(true);
    expect(await h.agent.spool.has(orphan)).toBe(false);
    expect(await h.agent.spool.has(waiting.sha256)).toBe(true);
    expect(h.agent.document(old.id)).not.toBeNull();
    await expect(h.agent.content(old.id)).resolves.toBeNull();

    // 40 days later: the settled documents and their events go; the chain still verifies.
    const fortyDays = await h.agent.purge(Date.now() + 40 * DAY);
    expect(fortyDays.documentsRemoved).toBe(2);
    expect(h.agent.document(old.id)).toBeNull();
    expect(h.agent.document(recent.id)).toBeNull();
    expect(h.agent.document(waiting.id)!.state).toBe('held');
    // Events before the kept document's first event are trimmed; its own history is intact.
    expect(fortyDays.eventsRemoved).toBeGreaterThan(0);
    expect(h.agent.document(waiting.id)!.events[0]!.type).toBe('document.captured');
    expect(h.agent.verifyAudit().ok).toBe(true);
  });

  it('detects a tampered or deleted event in the hash chain', async () => {
    const h = (harness = await startHarness());
    await writeFile(join(h.dropDir, 'a.pdf'), makePdf('a'));
    const document = await waitFor('captured', () => h.agent.documents({ limit: 5 }).documents[0]);
    await h.waitForState(document.id, 'delivered');
    expect(h.agent.verifyAudit().ok).toBe(true);
    const middle = h.agent.store.events.forDocument(document.id)[2]!;
    h.agent.store.db.prepare('DELETE FROM events WHERE seq = ?').run(middle.seq);
    const result = h.agent.verifyAudit();
    expect(result.ok).toBe(false);
    expect(result.firstBad).toBe(middle.seq + 1);
  });
});

describe('instance lock', () => {
  it('refuses a second agent on the same data folder and takes over a stale lock', async () => {
    const h = (harness = await startHarness());
    const log = createLogger({ dir: join(h.dataDir, 'logs2'), level: 'info', maxFileBytes: 1 << 20, maxFiles: 1 });
    const second = createAgent(h.settings, { dataDir: h.dataDir, secrets: { get: () => null, set: async () => {}, delete: async () => {} }, log });
    await expect(second.start()).rejects.toThrow(/another Recapito agent/);
    // The refused agent opened nothing and took nothing: the first one still runs on its folder.
    expect(() => second.status()).toThrow(/not running/);
    expect(h.agent.status().counts).toBeDefined();
    await second.stop();
    // A lock whose process is gone (kill -9) is taken over.
    const lockFile = join(h.root, 'other', 'agent.lock');
    await mkdir(join(h.root, 'other'), { recursive: true });
    await writeFile(lockFile, '999999999\n');
    const lock = new InstanceLock(lockFile);
    expect(() => lock.acquire()).not.toThrow();
    lock.release();
  });
});

describe('retention of a long history', () => {
  it('purges a long history a page at a time, the event loop running between pages', async () => {
    const temp = await makeTempDir();
    const store = new Store(join(temp.dir, 'recapito.db'), 'retention-test');
    const spool = new Spool(join(temp.dir, 'spool'));
    try {
      const old = new Date(Date.now() - 45 * DAY).toISOString();
      // Interleaved in id order: settled, a PA invoice only delivered (not settled), still queued.
      const kinds: { state: DocumentState; formato?: string; settled: boolean }[] = [
        { state: 'delivered', settled: true },
        { state: 'delivered', formato: 'FPA12', settled: false },
        { state: 'delivered', settled: true },
        { state: 'queued', settled: false },
      ];
      const settledIds: string[] = [];
      const keptIds: string[] = [];
      const documents = [];
      for (let index = 0; index < 60; index += 1) {
        const kind = kinds[index % kinds.length]!;
        const sha256 = await spool.put(Buffer.from(`document ${index}, ${'x'.repeat(70_000)}`));
        const id = `0190aaaa-0000-7000-8000-${String(index).padStart(12, '0')}`;
        documents.push({ index, id, sha256, kind });
        (kind.settled ? settledIds : keptIds).push(id);
      }
      // The settled ones were captured first: the event log can be trimmed up to the first kept
      // document's first event, several chunks of it (7 × 20 events per transaction).
      const addIntake = store.db.prepare(
        "INSERT INTO intake_files (folder, path, size, mtime_ms, sha256, post_action, status, created_at, updated_at) VALUES ('/drop', ?, 1, 0, ?, 'move', ?, ?, ?)",
      );
      for (const { index, id, sha256, kind } of [...documents.filter((d) => d.kind.settled), ...documents.filter((d) => !d.kind.settled)]) {
        store.transaction(() => {
          store.documents.insert(
            {
              id,
              profile: 'main',
              source: 'folder',
              name: `${index}.pdf`,
              kind: 'pdf',
              size: 70_000,
              sha256,
              spooled: true,
              state: kind.state,
              metadata: kind.formato ? { formato: kind.formato } : {},
            },
            old,
          );
          for (let note = 0; note < 10; note += 1) store.events.append({ type: 'document.note', documentId: id, message: `note ${note}` }, old);
          const intake = addIntake.run(`/drop/${index}.pdf`, sha256, 'done', old, old).lastInsertRowid;
          store.db.prepare('INSERT INTO intake_file_documents (intake_file_id, document_id) VALUES (?, ?)').run(intake, id);
        });
      }
      // Intake records whose documents are long gone (several chunks of them), and look-alikes kept:
      // a recent one, an old one still pending.
      store.transaction(() => {
        for (let index = 0; index < 300; index += 1) addIntake.run(`/drop/gone-${index}.pdf`, `${index}`, 'done', old, old);
        addIntake.run('/drop/recent.pdf', 'recent', 'done', new Date().toISOString(), new Date().toISOString());
        addIntake.run('/drop/pending.pdf', 'pending', 'pending', old, old);
      });
      const count = (sql: string, ...args: unknown[]) => (store.db.prepare(sql).get(...args) as { n: number }).n;
      const settledEvents = count(`SELECT COUNT(*) AS n FROM events WHERE document_id IN (${settledIds.map(() => '?').join(',')})`, ...settledIds);
      const keptEvents = count(`SELECT COUNT(*) AS n FROM events WHERE document_id IN (${keptIds.map(() => '?').join(',')})`, ...keptIds);
      expect(settledEvents).toBeGreaterThan(2 * 140);
      // What each read of candidates returned, and how often the event loop ran meanwhile.
      const pageSizes: number[] = [];
      const prepare = store.db.prepare.bind(store.db);
      // And how many events and intake records each of their deletions removed.
      const eventChunks: number[] = [];
      const intakeChunks: number[] = [];
      store.db.prepare = ((sql: string) => {
        const statement = prepare(sql);
        const chunks = sql.startsWith('DELETE FROM events') ? eventChunks : sql.startsWith('DELETE FROM intake_files') ? intakeChunks : null;
        if (chunks) {
          const run = statement.run.bind(statement);
          return Object.assign(statement, { run: (...args: unknown[]) => ((info) => (chunks.push(info.changes), info))(run(...args)) });
        }
        if (!sql.startsWith('SELECT id, sha256, state, metadata FROM documents')) return statement;
        const all = statement.all.bind(statement);
        return Object.assign(statement, { all: (...args: unknown[]) => ((rows) => (pageSizes.push(rows.length), rows))(all(...args)) });
      }) as typeof store.db.prepare;
      let turns = 0;
      let ticking = true;
      const tick = (): void => {
        turns += 1;
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      const retention = new Retention({
        store,
        spool,
        settings: { historyDays: 30, spoolDays: 7, purgeIntervalHours: 24 },
        log: createLogger({ dir: join(temp.dir, 'logs'), level: 'warn', maxFileBytes: 1 << 20, maxFiles: 1 }),
        pageSize: 7,
      });
      const result = await retention.purge();
      ticking = false;

      expect(result.spoolCopiesRemoved).toBe(settledIds.length);
      expect(result.documentsRemoved).toBe(settledIds.length);
      for (const id of settledIds) expect(store.documents.get(id)).toBeNull();
      for (const id of keptIds) expect(store.documents.get(id)?.spooled).toBe(true);
      for (const id of keptIds) expect(await spool.has(store.documents.get(id)!.sha256)).toBe(true);
      expect(store.events.verify().ok).toBe(true);
      // Every event before the first kept document's first one, in chunks of at most 140; the kept
      // documents' history whole.
      expect(result.eventsRemoved).toBe(settledEvents);
      // (The purge's own "spooled copy removed" events came after them: kept, as the log's end.)
      expect(count('SELECT COUNT(*) AS n FROM events')).toBe(keptEvents + settledIds.length);
      expect(Math.max(...eventChunks)).toBeLessThanOrEqual(140);
      expect(eventChunks.length).toBeGreaterThanOrEqual(3);
      // The settled documents' intake records and the orphans, in chunks; the kept ones stay.
      expect(count('SELECT COUNT(*) AS n FROM intake_files')).toBe(keptIds.length + 2);
      expect(count("SELECT COUNT(*) AS n FROM intake_files WHERE path IN ('/drop/recent.pdf', '/drop/pending.pdf')")).toBe(2);
      expect(Math.max(...intakeChunks)).toBeLessThanOrEqual(140);
      expect(intakeChunks.length).toBeGreaterThanOrEqual(3);
      // Never more than a page read at once; 60 documents in pages of 7, twice (copies, then records).
      expect(Math.max(...pageSizes)).toBeLessThanOrEqual(7);
      expect(pageSizes.filter((size) => size > 0).length).toBeGreaterThanOrEqual(2 * Math.ceil(keptIds.length / 7));
      expect(turns).toBeGreaterThanOrEqual(pageSizes.length - 1);
    } finally {
      store.close();
      await temp.cleanup();
    }
  });

  it('finds every row it removes or checks, and every row pointing at a document, through an index', async () => {
    const temp = await makeTempDir();
    const store = new Store(join(temp.dir, 'recapito.db'), 'retention-test');
    try {
      const plan = (sql: string) => (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x') as { detail: string }[]).map((row) => row.detail);
      // With foreign keys on, deleting a document looks up each column that references documents.
      const tables = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map(
        (row) => row.name,
      );
      const references = tables.flatMap((table) =>
        (store.db.pragma(`foreign_key_list(${table})`) as { table: string; from: string }[])
          .filter((key) => key.table === 'documents')
          .map((key) => `SELECT 1 FROM ${table} WHERE ${key.from} = ?`),
      );
      expect(references.length).toBeGreaterThanOrEqual(6); // duplicate_of, parent_id, files, invoices, intake, jobs
      for (const sql of [...REMOVE_DOCUMENT_SQL, ...COPY_REFERENCE_SQL, ...references]) {
        const steps = plan(sql);
        expect(steps.length, sql).toBeGreaterThan(0);
        expect(
          steps.filter((step) => /^SCAN /.test(step)),
          `${sql}: ${steps.join('; ')}`,
        ).toEqual([]);
      }
    } finally {
      store.close();
      await temp.cleanup();
    }
  });
});
