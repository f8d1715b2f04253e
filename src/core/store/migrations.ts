// Versioned schema migrations. Append only: a shipped migration is never edited, a new one is added.
import type Database from 'better-sqlite3';
import { searchRowOf } from './search-text.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Fills what the SQL created from the rows already there; runs after `sql`, in the same transaction. */
  backfill?: (db: Database.Database) => void;
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
  {
    version: 6,
    name: 'search: an FTS5 index of each document (names, numbers, VAT ids, SDI id, amounts, dates) and its invoice date',
    // document_search_rows gives each document the integer key of its FTS row (documents has no
    // INTEGER PRIMARY KEY, and VACUUM may renumber an implicit rowid) and its invoice date, for the
    // date filter. '.' and ',' are part of a word, so an amount is one word ("1.234,50": typing
    // "234,50" does not find it). Written with the document's insert and when the SDI id arrives (store/documents.ts).
    sql: `
      CREATE TABLE document_search_rows (
        rowid        INTEGER PRIMARY KEY,
        document_id  TEXT NOT NULL UNIQUE,
        invoice_date TEXT
      );
      CREATE INDEX document_search_invoice_date ON document_search_rows(invoice_date);
      CREATE VIRTUAL TABLE document_search USING fts5(text, tokenize = "unicode61 remove_diacritics 2 tokenchars '.,'", prefix = '2 3');
      CREATE TRIGGER document_search_forget AFTER DELETE ON documents BEGIN
        DELETE FROM document_search WHERE rowid = (SELECT rowid FROM document_search_rows WHERE document_id = old.id);
        DELETE FROM document_search_rows WHERE document_id = old.id;
      END;
    `,
    backfill: (db) => {
      const addKey = db.prepare('INSERT INTO document_search_rows (document_id, invoice_date) VALUES (?, ?)');
      const addText = db.prepare('INSERT INTO document_search (rowid, text) VALUES (?, ?)');
      const rows = db.prepare('SELECT id, name, sdi_id, sdi_file_name, metadata FROM documents ORDER BY created_at, id').iterate() as IterableIterator<{
        id: string;
        name: string;
        sdi_id: string | null;
        sdi_file_name: string | null;
        metadata: string;
      }>;
      const found: { id: string; text: string; invoiceDate: string | null }[] = [];
      for (const row of rows) {
        let metadata: Record<string, unknown> = {};
        try {
          metadata = JSON.parse(row.metadata) as Record<string, unknown>;
        } catch {
          // A row whose metadata does not parse is still found by its name and SDI id.
        }
        found.push({ id: row.id, ...searchRowOf({ name: row.name, sdiId: row.sdi_id, sdiFileName: row.sdi_file_name, metadata }) });
      }
      for (const row of found) addText.run(addKey.run(row.id, row.invoiceDate).lastInsertRowid, row.text);
    },
  },
  {
    version: 7,
    name: 'invoice totals computed from the VAT summary: fill them in for the invoices captured before',
    // An invoice without ImportoTotaleDocumento now gets its total computed at capture (stored in
    // metadata.invoice, searchable). The figure needs the invoice's XML, which is in the spool, not
    // in this database, and reading it needs the invoice reader, which the store does not import:
    // the migration only records, when there are invoices already, that the running agent must read
    // them once (agent/computed-totals.ts); the value is the id reached so far.
    sql: `
      INSERT INTO kv (key, value, updated_at)
        SELECT 'backfill.computedTotals', '""', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
        WHERE EXISTS (SELECT 1 FROM documents WHERE kind IN ('fatturapa', 'p7m'));
    `,
  },
  {
    version: 8,
    name: 'small captured documents kept in the store itself',
    // A captured part up to 64 KiB (most invoices) is written here, in the capture's own commit, instead
    // of a spool file of its own: one WAL fsync then covers a whole group of captures, where a spool
    // file cost two fsyncs each (the file and its folder). docs/design-decisions.md, "What is fsynced".
    sql: `
      CREATE TABLE spool_blobs (
        sha256 TEXT PRIMARY KEY,
        bytes BLOB NOT NULL
      );
    `,
  },
  {
    version: 9,
    name: 'the list by state in capture order, and the count of each state kept by triggers',
    // Issue 16, the UI at 100,000 documents: a state chip listed its page through documents_state
    // and sorted every document of that state (1.3 s for 90,000 "delivered"); the index below reads
    // the page in order. The chips' counts scanned that index on every status call (30–110 ms at
    // 100,000); triggers now keep them in a table of a few rows.
    sql: `
      CREATE INDEX documents_state_created ON documents(state, created_at DESC, id DESC);
      DROP INDEX documents_state;
      CREATE TABLE document_state_counts (
        state TEXT PRIMARY KEY,
        n INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO document_state_counts (state, n) SELECT state, COUNT(*) FROM documents GROUP BY state;
      CREATE TRIGGER document_state_counts_insert AFTER INSERT ON documents BEGIN
        INSERT INTO document_state_counts (state, n) VALUES (NEW.state, 1) ON CONFLICT (state) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER document_state_counts_delete AFTER DELETE ON documents BEGIN
        UPDATE document_state_counts SET n = n - 1 WHERE state = OLD.state;
      END;
      CREATE TRIGGER document_state_counts_update AFTER UPDATE OF state ON documents WHEN OLD.state IS NOT NEW.state BEGIN
        UPDATE document_state_counts SET n = n - 1 WHERE state = OLD.state;
        INSERT INTO document_state_counts (state, n) VALUES (NEW.state, 1) ON CONFLICT (state) DO UPDATE SET n = n + 1;
      END;
    `,
  },
  {
    version: 10,
    name: 'the references to a document indexed, so removing one does not read every row',
    // The retention purge deletes documents settled before the history horizon. With foreign keys
    // on, each DELETE looks for rows still pointing at the document (a duplicate, a ZIP's part, an
    // intake record), and the purge clears those pointers first: five full scans per document
    // without these indexes, O(n²) for a year's purge (100,000 documents: hours of the main thread).
    // Then it asks whether another record still needs each removed copy: a scan of document_files.
    // Partial: almost no document is a duplicate or a part.
    sql: `
      CREATE INDEX documents_duplicate_of ON documents(duplicate_of) WHERE duplicate_of IS NOT NULL;
      CREATE INDEX documents_parent ON documents(parent_id) WHERE parent_id IS NOT NULL;
      CREATE INDEX intake_file_documents_document ON intake_file_documents(document_id);
      CREATE INDEX document_files_sha256 ON document_files(sha256);
    `,
  },
];
