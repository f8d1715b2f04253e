// Versioned schema migrations. Append only: a shipped migration is never edited, a new one is added.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE documents (
        id            TEXT PRIMARY KEY,
        profile       TEXT NOT NULL,
        source        TEXT NOT NULL,
        name          TEXT NOT NULL,
        source_path   TEXT,
        kind          TEXT NOT NULL,
        content_type  TEXT,
        size          INTEGER NOT NULL,
        sha256        TEXT NOT NULL,
        spooled       INTEGER NOT NULL DEFAULT 1,
        state         TEXT NOT NULL,
        reason        TEXT,
        reason_code   TEXT,
        hub_id        TEXT,
        hub_status    TEXT,
        hub_seq       INTEGER,
        sdi_id        TEXT,
        sdi_file_name TEXT,
        duplicate_of  TEXT REFERENCES documents(id),
        parent_id     TEXT REFERENCES documents(id),
        metadata      TEXT NOT NULL DEFAULT '{}',
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      );
      CREATE INDEX documents_state ON documents(state);
      CREATE INDEX documents_sha256 ON documents(sha256);
      CREATE INDEX documents_created ON documents(created_at DESC, id DESC);
      CREATE INDEX documents_hub_id ON documents(hub_id);
      CREATE INDEX documents_profile ON documents(profile, created_at DESC);

      CREATE TABLE document_files (
        document_id TEXT NOT NULL REFERENCES documents(id),
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL,
        size        INTEGER NOT NULL,
        sha256      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (document_id, name)
      );

      -- Append-only, hash-chained: hash = sha256(prev_hash || canonical row). Tampering breaks the chain.
      CREATE TABLE events (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        at          TEXT NOT NULL,
        type        TEXT NOT NULL,
        document_id TEXT,
        state       TEXT,
        message     TEXT,
        data        TEXT,
        prev_hash   TEXT NOT NULL,
        hash        TEXT NOT NULL
      );
      CREATE INDEX events_document ON events(document_id, seq);
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

      CREATE TABLE jobs (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        type         TEXT NOT NULL,
        document_id  TEXT REFERENCES documents(id),
        status       TEXT NOT NULL DEFAULT 'pending',
        run_after    INTEGER NOT NULL,
        locked_until INTEGER,
        lease_owner  TEXT,
        attempts     INTEGER NOT NULL DEFAULT 0,
        last_error   TEXT,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      );
      CREATE INDEX jobs_ready ON jobs(type, status, run_after);
      CREATE UNIQUE INDEX jobs_one_open_per_document ON jobs(type, document_id) WHERE status = 'pending';

      -- What the agent took from which file, so a crash between the record and the post-action
      -- is finished on restart instead of captured twice, and 'leave' folders are not re-read.
      CREATE TABLE intake_files (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        folder      TEXT NOT NULL,
        path        TEXT NOT NULL,
        size        INTEGER NOT NULL,
        mtime_ms    REAL NOT NULL,
        sha256      TEXT NOT NULL,
        post_action TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'pending',
        destination TEXT,
        error       TEXT,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
      CREATE INDEX intake_files_path ON intake_files(path, status);

      CREATE TABLE intake_file_documents (
        intake_file_id INTEGER NOT NULL REFERENCES intake_files(id),
        document_id    TEXT NOT NULL REFERENCES documents(id),
        PRIMARY KEY (intake_file_id, document_id)
      );

      CREATE TABLE kv (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'indexes for pending work',
    sql: `
      CREATE INDEX intake_files_pending ON intake_files(status) WHERE status = 'pending';
      CREATE INDEX jobs_pending_document ON jobs(document_id, status);
    `,
  },
  {
    version: 3,
    name: 'invoices read from captured documents (duplicates, numbering)',
    sql: `
      CREATE TABLE invoices (
        document_id TEXT NOT NULL REFERENCES documents(id),
        body_index  INTEGER NOT NULL,
        seller_key  TEXT,
        doc_type    TEXT,
        number      TEXT,
        year        TEXT,
        date        TEXT,
        total       TEXT,
        currency    TEXT,
        PRIMARY KEY (document_id, body_index)
      );
      CREATE INDEX invoices_identity ON invoices(seller_key, doc_type, year, number);
    `,
  },
  {
    version: 4,
    name: 'invoice numbers as series + counter (gap check in one indexed lookup)',
    // Rows of v3 were never written by a released agent (capture started recording in v4): no backfill.
    sql: `
      ALTER TABLE invoices ADD COLUMN series TEXT;
      ALTER TABLE invoices ADD COLUMN counter INTEGER;
      CREATE INDEX invoices_series ON invoices(seller_key, doc_type, year, series, counter);
    `,
  },
  {
    version: 5,
    name: 'manual approval: who submitted each document, the approvers and their PIN hashes',
    // Documents captured before v5 have no submitter recorded (NULL): dual control treats them as
    // submitted by nobody known (docs/approval.md).
    sql: `
      ALTER TABLE documents ADD COLUMN submitted_by TEXT;

      -- name_key: the name in NFC, lower case (one person, one entry). pin_hash: scrypt parameters,
      -- salt and hash as JSON; never the PIN. failed_pins and locked_until: the lockout after wrong PINs.
      CREATE TABLE approvers (
        name_key     TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        os_user      TEXT,
        pin_hash     TEXT NOT NULL,
        failed_pins  INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      );
    `,
  },
];
