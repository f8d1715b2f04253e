// Runs SQLite's WAL checkpoints on its own thread and connection, so the agent's event loop never
// waits for one: a checkpoint copies pages into the database file and fsyncs it, which took up to
// a third of the event loop in a burst when SQLite ran it inside the commit that crossed the limit.
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

export interface CheckpointWorkerData {
  file: string;
  intervalMs: number;
  /** Past this size the WAL is checkpointed with TRUNCATE, which makes the writer wait a moment. */
  walLimitBytes: number;
}

const { file, intervalMs, walLimitBytes } = workerData as CheckpointWorkerData;
const db = new Database(file);
db.pragma('busy_timeout = 5000');
// The checkpoint fsyncs the WAL before copying and the database file after: commits stay durable.
db.pragma('synchronous = FULL');

function walBytes(): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

function checkpoint(): void {
  try {
    // PASSIVE never waits for the writer: whatever is not copied now is copied next time. But a
    // writer that never pauses (a long burst) keeps a passive checkpoint from ever completing, and
    // only a completed one lets SQLite start the WAL over: past the limit, the writer waits once.
    db.pragma(walBytes() > walLimitBytes ? 'wal_checkpoint(TRUNCATE)' : 'wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort?.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}

const timer = setInterval(checkpoint, intervalMs);
parentPort?.on('message', (message: { type: string }) => {
  if (message.type !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort?.postMessage({ type: 'stopped' });
  parentPort?.close();
});
