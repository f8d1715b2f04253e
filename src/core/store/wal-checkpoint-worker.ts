// Runs SQLite's WAL checkpoints on its own thread and connection, so the agent's event loop never
// waits for one: a checkpoint copies pages into the database file and fsyncs it, which took up to
// a third of the event loop in a burst when SQLite ran it inside the commit that crossed the limit.
// After `idleMs` without a new commit it truncates the WAL, closes and ends (wal-checkpointer.ts).
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

export interface CheckpointWorkerData {
  file: string;
  intervalMs: number;
  /** Past this size the WAL is checkpointed with TRUNCATE, which makes the writer wait a moment. */
  walLimitBytes: number;
  /** No new frame in the WAL for this long, everything copied: the thread ends (0: never). */
  idleMs: number;
}

export type CheckpointWorkerMessage = { type: 'error'; message: string } | { type: 'idle' } | { type: 'stopped' };

const { file, intervalMs, walLimitBytes, idleMs } = workerData as CheckpointWorkerData;
const db = new Database(file);
db.pragma('busy_timeout = 5000');
// The checkpoint fsyncs the WAL before copying and the database file after: commits stay durable.
db.pragma('synchronous = FULL');

const post = (message: CheckpointWorkerMessage): void => parentPort?.postMessage(message);
const idleTicks = idleMs > 0 ? Math.max(1, Math.ceil(idleMs / intervalMs)) : Infinity;
/** Checkpoints in a row that found the WAL as they left it, all copied. */
let quiet = 0;
let lastFrames = -1;

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
    const [result] = db.pragma(walBytes() > walLimitBytes ? 'wal_checkpoint(TRUNCATE)' : 'wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    const settled = result !== undefined && result.log === lastFrames && result.checkpointed === result.log;
    quiet = settled ? quiet + 1 : 0;
    lastFrames = result?.log ?? -1;
  } catch (error) {
    quiet = 0;
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}

function end(type: 'idle' | 'stopped'): void {
  clearInterval(timer);
  // TRUNCATE leaves an empty WAL behind: the main connection starts its own checkpoints from zero.
  try {
    db.pragma(type === 'idle' ? 'wal_checkpoint(TRUNCATE)' : 'wal_checkpoint(PASSIVE)');
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
  db.close();
  post({ type });
  parentPort?.close();
}

const timer = setInterval(() => {
  checkpoint();
  if (quiet >= idleTicks) end('idle');
}, intervalMs);
parentPort?.on('message', (message: { type: string }) => {
  if (message.type === 'stop') end('stopped');
});
