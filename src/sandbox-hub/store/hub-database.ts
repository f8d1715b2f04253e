// The sandbox hub's own SQLite file (dataDir/hub.sqlite): accounts, keys, documents, the event feed,
// notification files and the pending SDI steps, so a hub restarted mid-flow carries on.
import Database from 'better-sqlite3';

export type HubDatabase = Database.Database;

// Each entry upgrades the schema by one version; never edit a shipped entry, append a new one.
const MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    credits INTEGER NOT NULL
  );
  CREATE TABLE companies (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    vat_number TEXT NOT NULL,
    name TEXT NOT NULL
  );
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    secret_sha256 TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
  );
  CREATE TABLE activation_codes (
    code_sha256 TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    used_at TEXT,
    used_by_key_id TEXT
  );
  CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    idempotency_key TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    source TEXT,
    company_id TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_body TEXT NOT NULL,
    uploads INTEGER NOT NULL,
    plan TEXT NOT NULL,
    sdi_id TEXT,
    sdi_file_name TEXT,
    sdi_sent_at TEXT,
    notifications INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, idempotency_key)
  );
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id),
    body TEXT NOT NULL
  );
  CREATE INDEX events_by_document ON events (document_id, seq);
  CREATE INDEX events_by_account ON events (account_id, seq);
  CREATE TABLE files (
    document_id TEXT NOT NULL REFERENCES documents(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (document_id, name)
  );
  CREATE TABLE pending_steps (
    document_id TEXT PRIMARY KEY REFERENCES documents(id),
    step_index INTEGER NOT NULL,
    due_at_ms INTEGER NOT NULL
  );
  `,
  // The SFTP face: which face a document came through (only SFTP documents get out/ files), and the
  // status files about uploads that made no document (held, refused), numbered from the events' seq.
  `
  ALTER TABLE documents ADD COLUMN channel TEXT NOT NULL DEFAULT 'https' CHECK (channel IN ('https', 'sftp'));
  CREATE TABLE sftp_notices (
    seq INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    idempotency_key TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX sftp_notices_by_upload ON sftp_notices (account_id, idempotency_key, sha256, status);
  CREATE INDEX sftp_notices_by_account ON sftp_notices (account_id, seq);
  `,
  // Activation codes that expire (null: never), as a provider's do.
  `
  ALTER TABLE activation_codes ADD COLUMN expires_at TEXT;
  `,
];

export function openHubDatabase(filePath: string): HubDatabase {
  const db = new Database(filePath);
  try {
    db.pragma('journal_mode = WAL');
    // A sandbox: NORMAL keeps WAL durable across process crashes, which is what restart tests need.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: HubDatabase): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`hub.sqlite has schema version ${current}, newer than this sandbox hub understands (${MIGRATIONS.length})`);
  }
  for (let version = current; version < MIGRATIONS.length; version += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/** Next value of a named, persisted counter (SDI ids, file-name progressives, message ids). */
export function nextCounter(db: HubDatabase, name: string, start: number): number {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(`counter:${name}`) as { value: string } | undefined;
  const next = row ? Number(row.value) + 1 : start;
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(`counter:${name}`, String(next));
  return next;
}
