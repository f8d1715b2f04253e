// Which documents the agent has recorded, read from its own SQLite file (read-only, from the
// benchmark process; WAL lets it read while the agent writes). The printer part polls it every few
// milliseconds: "recorded" means the row is committed and visible to another connection.
import Database from 'better-sqlite3';

export type RecordedSource = 'printer' | 'api';

export interface RecordedDocument {
  name: string;
  state: string;
  /** The agent's own timestamp (created_at, epoch ms), set just before its commit. */
  createdAt: number;
  size: number;
}

export class RecordedDocumentsReader {
  readonly #db: Database.Database;
  readonly #byName: Database.Statement;
  readonly #countByPrefix: Database.Statement;
  readonly #listByPrefix: Database.Statement;

  constructor(file: string) {
    this.#db = new Database(file, { readonly: true, fileMustExist: true });
    this.#db.pragma('busy_timeout = 5000');
    this.#byName = this.#db.prepare('SELECT name, state, created_at, size FROM documents WHERE source = ? AND name = ? LIMIT 1');
    // substr instead of LIKE: names hold '_' and '-', which LIKE would need escaped.
    this.#countByPrefix = this.#db.prepare('SELECT COUNT(*) AS n FROM documents WHERE source = ? AND substr(name, 1, ?) = ?');
    this.#listByPrefix = this.#db.prepare('SELECT name, state, created_at, size FROM documents WHERE source = ? AND substr(name, 1, ?) = ?');
  }

  /** The document of that source and name, or null while the agent has not recorded it. */
  find(source: RecordedSource, name: string): RecordedDocument | null {
    const row = this.#byName.get(source, name) as DocumentRow | undefined;
    return row ? toDocument(row) : null;
  }

  /** How many documents of that source have a name starting with `prefix`. */
  count(source: RecordedSource, prefix: string): number {
    return (this.#countByPrefix.get(source, prefix.length, prefix) as { n: number }).n;
  }

  list(source: RecordedSource, prefix: string): RecordedDocument[] {
    return (this.#listByPrefix.all(source, prefix.length, prefix) as DocumentRow[]).map(toDocument);
  }

  close(): void {
    this.#db.close();
  }
}

interface DocumentRow {
  name: string;
  state: string;
  created_at: string;
  size: number;
}

function toDocument(row: DocumentRow): RecordedDocument {
  return { name: row.name, state: row.state, createdAt: Date.parse(row.created_at), size: row.size };
}
