// The retention purge (src/core/sync/retention.ts) over a year of history: N settled documents,
// every one past the history horizon, each with the intake record of the file it came from and the
// SDI receipt the hub returned. The store is filled once (search.bench.ts's varied invoices, through
// the store's own repository), then copied twice: on one copy every table is emptied with one bulk
// DELETE each in one transaction (the baseline: what the rows cost to remove, with no per-document
// work), on the other the agent's Retention.purge() runs. Each in a child process of its own
// (lib/retention-child.ts), so the fill's memory is not in the purge's resident set.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_NODE_FLAGS } from '../src/cli/agent-node-flags.ts';
import { sha256Hex } from '../src/core/store/spool.ts';
import { Store } from '../src/core/store/store.ts';
import type { PurgeResult, RetentionSettings } from '../src/core/sync/retention.ts';
import { fillSearchStore } from './search.bench.ts';
import { stopWithin } from './lib/child-exit.ts';
import type { Cleanup } from './lib/cleanup.ts';
import { ratePerSecond } from './lib/stats.ts';

export const DEFAULT_RETENTION_DOCUMENTS = 100_000;
const CHILD = fileURLToPath(new URL('./lib/retention-child.ts', import.meta.url));
const DAY_MS = 86_400_000;
const MIB = 1024 * 1024;
/** Where the documents were dropped; the paths only need to look real. */
const WATCHED_FOLDER = '/srv/fatture';

export type RetentionChildMode = 'raw' | 'purge';

/** Rows still in the store after a run: the baseline must have removed what the purge removes. */
export interface RowsLeft {
  documents: number;
  documentFiles: number;
  intakeFiles: number;
  events: number;
}

export interface RawDeleteRun {
  seconds: number;
  documentsRemoved: number;
  left: RowsLeft;
}

export interface PurgeRun {
  seconds: number;
  /** The largest gap between two 10 ms ticks of the child's event loop. */
  longestStallMs: number;
  rssBeforeBytes: number;
  rssPeakBytes: number;
  result: PurgeResult;
  settings: RetentionSettings;
  left: RowsLeft;
}

export interface RetentionResult {
  documents: number;
  /** The search fill plus the intake records, receipts and ageing. */
  fillSeconds: number;
  storeBytes: number;
  raw: RawDeleteRun;
  purge: PurgeRun;
  /** Purge seconds ÷ raw bulk delete seconds. */
  purgeToRaw: number;
  purgeDocumentsPerSecond: number;
  rssGrowthMiB: number;
  complete: boolean;
  incompleteReason: string | null;
}

/**
 * Makes the filled store look like an agent's history: each document taken from a file in a watched
 * folder (an intake record, done, linked to it) and holding its SDI delivery receipt, all last changed
 * 60 days ago. Plain SQL with the columns of store migration 1; `sdi_RC` is the kind the status
 * follower gives an RC notification.
 */
function addHistory(file: string): void {
  const store = new Store(file, 'bench-retention');
  try {
    const old = new Date(Date.now() - 60 * DAY_MS);
    const at = old.toISOString();
    const { db } = store;
    const documents = db.prepare('SELECT id, name, size, sha256 FROM documents ORDER BY id').all() as {
      id: string;
      name: string;
      size: number;
      sha256: string;
    }[];
    const addIntake = db.prepare(
      "INSERT INTO intake_files (folder, path, size, mtime_ms, sha256, post_action, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'move', 'done', ?, ?)",
    );
    const link = db.prepare('INSERT INTO intake_file_documents (intake_file_id, document_id) VALUES (?, ?)');
    const addReceipt = db.prepare('INSERT INTO document_files (document_id, name, kind, size, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    store.transaction(() => {
      for (const document of documents) {
        const intakeId = addIntake.run(
          WATCHED_FOLDER,
          `${WATCHED_FOLDER}/${document.name}`,
          document.size,
          old.getTime(),
          document.sha256,
          at,
          at,
        ).lastInsertRowid;
        link.run(intakeId, document.id);
        const receipt = `${document.name.replace(/\.(xml|pdf)$/, '')}_RC_001.xml`;
        addReceipt.run(document.id, receipt, 'sdi_RC', 1800, sha256Hex(Buffer.from(`${document.id}/${receipt}`)), at);
      }
      db.prepare('UPDATE documents SET updated_at = ?').run(at);
    });
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    store.close();
  }
}

/** Runs retention-child.ts on its own copy of the filled store; its one JSON line. */
async function runChild<T>(filled: string, mode: RetentionChildMode, workDir: string, cleanup: Cleanup): Promise<T> {
  await mkdir(workDir, { recursive: true });
  const file = join(workDir, 'recapito.sqlite');
  await copyFile(filled, file);
  // The agent's V8 flags, so the resident set is the one an agent would have; --expose-gc for a settled start.
  const child = spawn(process.execPath, [...AGENT_NODE_FLAGS, '--expose-gc', CHILD, file, mode, workDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4096)));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const unregister = cleanup.add(`stop the retention ${mode} process ${child.pid}`, async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await stopWithin(
      child,
      exited.then(() => undefined),
      10_000,
    );
  });
  const code = await exited;
  await unregister();
  const line = stdout.trim().split('\n').at(-1);
  if (code !== 0 || !line) throw new Error(`the retention ${mode} process failed (exit code ${code}):\n${stderr}`);
  return JSON.parse(line) as T;
}

export async function measureRetention(options: {
  documents: number;
  workDir: string;
  cleanup: Cleanup;
  log: (line: string) => void;
}): Promise<RetentionResult> {
  const { documents, workDir, cleanup, log } = options;
  await mkdir(workDir, { recursive: true });
  const filled = join(workDir, 'filled.sqlite');
  log(`retention: filling a store with ${documents} settled documents, their intake records and SDI receipts`);
  const started = performance.now();
  fillSearchStore(filled, documents);
  addHistory(filled);
  const fillSeconds = (performance.now() - started) / 1000;
  const { size: storeBytes } = await stat(filled);
  log(`retention: filled in ${fillSeconds.toFixed(1)} s; the baseline: one bulk DELETE per table, in one transaction`);

  const raw = await runChild<RawDeleteRun>(filled, 'raw', join(workDir, 'raw'), cleanup);
  log(`retention: raw bulk delete ${raw.seconds.toFixed(2)} s; the agent's purge`);
  const purge = await runChild<PurgeRun>(filled, 'purge', join(workDir, 'purge'), cleanup);
  log(`retention: purge ${purge.seconds.toFixed(1)} s, ${purge.result.documentsRemoved} documents removed`);

  const problems = [
    purge.result.documentsRemoved === documents ? null : `the purge removed ${purge.result.documentsRemoved} documents of ${documents}`,
    raw.documentsRemoved === documents ? null : `the bulk delete removed ${raw.documentsRemoved} documents of ${documents}`,
    purge.left.documents + purge.left.documentFiles + purge.left.intakeFiles === 0 ? null : `the purge left rows: ${JSON.stringify(purge.left)}`,
    // Otherwise the baseline is not the cost of the same work.
    JSON.stringify(raw.left) === JSON.stringify(purge.left)
      ? null
      : `the bulk delete left ${JSON.stringify(raw.left)}, the purge ${JSON.stringify(purge.left)}`,
  ].filter((problem) => problem !== null);
  return {
    documents,
    fillSeconds,
    storeBytes,
    raw,
    purge,
    purgeToRaw: purge.seconds / raw.seconds,
    purgeDocumentsPerSecond: ratePerSecond(purge.result.documentsRemoved, purge.seconds * 1000),
    rssGrowthMiB: (purge.rssPeakBytes - purge.rssBeforeBytes) / MIB,
    complete: problems.length === 0,
    incompleteReason: problems.length === 0 ? null : problems.join('; '),
  };
}

export function formatRetentionReport(result: RetentionResult): string {
  const { raw, purge } = result;
  const { historyDays, spoolDays } = purge.settings;
  const row = (label: string, seconds: number, rate: number, ratio: string): string =>
    `${label.padEnd(34)} ${seconds.toFixed(2).padStart(9)} ${rate.toFixed(0).padStart(12)} ${ratio.padStart(8)}`;
  return [
    `\nRetention purge: ${result.documents} settled documents past the ${historyDays}-day horizon (spool ${spoolDays} days), each with an intake record and an SDI receipt`,
    `store filled in ${result.fillSeconds.toFixed(1)} s; recapito.sqlite ${(result.storeBytes / 1e6).toFixed(0)} MB`,
    '',
    `${''.padEnd(34)} ${'seconds'.padStart(9)} ${'documents/s'.padStart(12)} ${'× raw'.padStart(8)}`,
    row('raw bulk delete (baseline)', raw.seconds, ratePerSecond(raw.documentsRemoved, raw.seconds * 1000), '1.0'),
    row('Retention.purge()', purge.seconds, result.purgeDocumentsPerSecond, result.purgeToRaw.toFixed(1)),
    '',
    `longest event-loop stall          ${purge.longestStallMs.toFixed(0).padStart(9)} ms (largest gap between 10 ms ticks)`,
    `RSS growth during the purge       ${result.rssGrowthMiB.toFixed(1).padStart(9)} MiB (peak − before, after gc)`,
    `removed: ${purge.result.documentsRemoved} documents, ${purge.result.eventsRemoved} events, ${purge.result.spoolCopiesRemoved} spool copies, ${purge.result.orphansRemoved} orphans` +
      (result.complete ? '' : `\nINCOMPLETE: ${result.incompleteReason}`),
  ].join('\n');
}
