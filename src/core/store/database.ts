// Opens the agent's SQLite file: WAL, migrations applied in order. Durability: see Store.transaction.
import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations.ts';

export type Db = Database.Database;

/**
 * The connection's page cache, in KiB. better-sqlite3 builds SQLite with 16 MB, and the first scan
 * of a long history (the status follower's reconcile at start) filled it for good: 14 MiB of the
 * idle agent's 142 MiB at 100,000 documents (issue 16: < 150 MB). The hot pages of a capture are
 * the indexes' upper levels; the rest comes from the OS's file cache (2 against 16 MiB measured
 * within noise for intake; docs/performance.md, "Memory").
 */
export const PAGE_CACHE_KIB = 4096;

export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // SQLite creates a database 0644 and gives its -wal and -shm files the database's mode: created
  // here first, private, all three are private whatever the umask (invoices hold personal data).
  closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL survives a crash of the process; only a power cut can lose the last commits.
  // The commits that accept a document into the queue are fsynced by Store.syncToDisk.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  migrate(db, migrations);
  return db;
}

const statementCache = new WeakMap<Db, Map<string, Database.Statement>>();

/** Prepares `sql` once per connection (preparing on every call cost ~9% of the agent's CPU in a burst). */
export function cached(db: Db, sql: string): Database.Statement {
  let statements = statementCache.get(db);
  if (!statements) statementCache.set(db, (statements = new Map<string, Database.Statement>()));
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = db.prepare(sql)));
  return statement;
}

function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, migrations: readonly Migration[]): void {
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(`the database schema (v${current}) is newer than this agent understands (v${latest}); update Recapito`);
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      migration.backfill?.(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}
