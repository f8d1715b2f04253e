// What the support bundle reads from the store, from a running agent's connection or, with no agent
// running, from a read-only one that never migrates, locks or writes a row. Only the documents'
// counts, the event log and the few key-value entries named here: never a table of secrets.
import { existsSync, readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Db } from './database.ts';
import { MIGRATIONS } from './migrations.ts';
import { EventLog } from './event-log.ts';
import type { DocumentEvent } from '../../contract/local-api.ts';
import type { DocumentState } from '../../contract/states.ts';

/** The key-value entries the bundle may show (the queue's pause and hold): others are not read. */
export const SNAPSHOT_KV_KEYS = ['queue.paused', 'queue.paused.state', 'queue.hold', 'hub.events.cursor'] as const;

export interface StoreSnapshot {
  sqliteVersion: string;
  /** The schema the file has (user_version), and the newest this agent knows. */
  schemaVersion: number;
  knownSchemaVersion: number;
  counts: Partial<Record<DocumentState, number>>;
  /** The last `limit` events, oldest first. */
  events: DocumentEvent[];
  /** How many events the log holds (retention deletes its oldest). */
  eventCount: number;
  lastEventSeq: number;
  kv: Partial<Record<(typeof SNAPSHOT_KV_KEYS)[number], unknown>>;
}

/** Reads the snapshot on an open connection (the running agent's). */
export function snapshotOf(db: Db, eventLimit: number): StoreSnapshot {
  const events = new EventLog(db);
  const counts: Partial<Record<DocumentState, number>> = {};
  for (const row of db.prepare('SELECT state, COUNT(*) AS n FROM documents GROUP BY state').all() as { state: DocumentState; n: number }[]) {
    counts[row.state] = row.n;
  }
  const kv: StoreSnapshot['kv'] = {};
  const get = db.prepare('SELECT value FROM kv WHERE key = ?');
  for (const key of SNAPSHOT_KV_KEYS) {
    const row = get.get(key) as { value: string } | undefined;
    if (row) kv[key] = parseOrText(row.value);
  }
  return {
    sqliteVersion: (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v,
    schemaVersion: db.pragma('user_version', { simple: true }) as number,
    knownSchemaVersion: MIGRATIONS.at(-1)?.version ?? 0,
    counts,
    events: events.recent(eventLimit),
    eventCount: (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n,
    lastEventSeq: events.lastSeq(),
    kv,
  };
}

/**
 * Opens the store file read-only (it must exist), reads the snapshot and closes it. Safe beside a
 * running agent (WAL readers never block the writer) and on a stopped agent's folder.
 */
export function readStoreSnapshot(file: string, eventLimit: number): StoreSnapshot {
  const db = openReadOnly(file);
  try {
    return snapshotOf(db, eventLimit);
  } finally {
    db.close();
  }
}

/** Up to this size, a stopped agent's store is read from a copy in memory. */
const MAX_IN_MEMORY_BYTES = 256 * 1024 * 1024;

/**
 * A stopped agent's store (no -wal file beside it: everything is in the file) is read from a copy in
 * memory, so that not even SQLite's -wal and -shm files appear in the data folder. A running or
 * crashed agent's store is opened read-only in place, with the WAL it has.
 */
function openReadOnly(file: string): Db {
  if (!existsSync(`${file}-wal`) && statSync(file).size <= MAX_IN_MEMORY_BYTES) {
    const bytes = readFileSync(file);
    // Bytes 18 and 19 of the header say "WAL mode" (2); a copy in memory has no WAL: legacy (1).
    if (bytes.length >= 20) bytes.fill(1, 18, 20);
    return new Database(bytes, { readonly: true });
  }
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** The SQLite library's version, without a store file. */
export function sqliteLibraryVersion(): string {
  const db = new Database(':memory:');
  try {
    return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}

function parseOrText(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
