// Entry point of the retention part's measuring process (bench/retention.bench.ts): one copy of the
// filled store, one way of emptying it, one JSON line on stdout. A process of its own, so the fill's
// heap is not in the resident set measured, and the purge has the event loop to itself.
// Usage (by retention.bench.ts only): node --expose-gc bench/lib/retention-child.ts <store file> raw|purge <work dir>
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../../src/core/log/logger.ts';
import { Spool } from '../../src/core/store/spool.ts';
import { Store } from '../../src/core/store/store.ts';
import { Retention } from '../../src/core/sync/retention.ts';
import type { PurgeRun, RawDeleteRun, RetentionChildMode, RowsLeft } from '../retention.bench.ts';

const DAY_MS = 86_400_000;
/** The agent's defaults. */
const SETTINGS = { historyDays: 365, spoolDays: 30, purgeIntervalHours: 24 };
/**
 * The events are as new as the fill, and cannot be aged (a trigger forbids UPDATE on them): the
 * purge runs with a clock 400 days ahead instead, so every document and event is past the horizon.
 */
const PURGE_CLOCK_AHEAD_MS = 400 * DAY_MS;
/** The same rows as the purge removes, a table at a time; children before parents (foreign keys are on). */
const RAW_DELETE_SQL: readonly string[] = [
  'DELETE FROM document_files',
  'DELETE FROM invoices',
  'DELETE FROM intake_file_documents',
  'DELETE FROM jobs',
  'DELETE FROM documents',
  "DELETE FROM intake_files WHERE status = 'done'",
  // The purge keeps the newest event: the sequence, and the event feed's cursor, never go backwards.
  'DELETE FROM events WHERE seq < (SELECT MAX(seq) FROM events)',
];

function rowsLeft(store: Store): RowsLeft {
  const count = (table: string): number => (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { documents: count('documents'), documentFiles: count('document_files'), intakeFiles: count('intake_files'), events: count('events') };
}

/** Every table emptied in one transaction: what the rows cost to remove, with no per-document work. */
function rawDelete(store: Store): RawDeleteRun {
  const started = performance.now();
  const changes = store.transaction(() => RAW_DELETE_SQL.map((sql) => store.db.prepare(sql).run().changes));
  const seconds = (performance.now() - started) / 1000;
  return { seconds, documentsRemoved: changes[RAW_DELETE_SQL.indexOf('DELETE FROM documents')] ?? 0, left: rowsLeft(store) };
}

/** The agent's purge, as the agent builds it, with the event loop and the resident set watched while it runs. */
async function purge(store: Store, workDir: string): Promise<PurgeRun> {
  const spoolDir = join(workDir, 'spool');
  await mkdir(spoolDir, { recursive: true });
  const log = createLogger({ dir: join(workDir, 'logs'), level: 'warn', maxFileBytes: 1 << 20, maxFiles: 1 });
  const retention = new Retention({ store, spool: new Spool(spoolDir, store.spoolBlobs), settings: SETTINGS, log });

  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  // The largest gap between 10 ms ticks: perf_hooks' monitorEventLoopDelay under-reported stalls of several seconds.
  let lastTick = performance.now();
  let longestGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - lastTick);
    lastTick = now;
  }, 10);
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  try {
    const result = await retention.purge(Date.now() + PURGE_CLOCK_AHEAD_MS);
    const finished = performance.now();
    // A stall that ends the purge has no tick after it: counted up to the end.
    longestGapMs = Math.max(longestGapMs, finished - lastTick);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    return {
      seconds: (finished - started) / 1000,
      longestStallMs: longestGapMs,
      rssBeforeBytes: rssBefore,
      rssPeakBytes: rssPeak,
      result,
      settings: SETTINGS,
      left: rowsLeft(store),
    };
  } finally {
    clearInterval(ticker);
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  const [file, mode, workDir] = process.argv.slice(2) as [string?, RetentionChildMode?, string?];
  if (!file || !workDir || (mode !== 'raw' && mode !== 'purge')) {
    console.error('retention-child: start it through bench/retention.bench.ts (a store file, raw or purge, a work folder)');
    process.exit(2);
  }
  const store = new Store(file, 'bench-retention');
  try {
    const run = mode === 'raw' ? rawDelete(store) : await purge(store, workDir);
    process.stdout.write(`${JSON.stringify(run)}\n`);
  } finally {
    store.close();
  }
}

await main();
