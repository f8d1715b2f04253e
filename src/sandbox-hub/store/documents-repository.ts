// Documents the hub accepted, and the files (SDI notifications) it produced for them.
import type { HubDocumentCreated, HubFileInfo, HubStatus } from '../../contract/hub-protocol.ts';
import type { SdiPlan } from '../sdi/sdi-plan.ts';
import type { HubDatabase } from './hub-database.ts';
import { sha256Hex } from './secrets.ts';

/** The face a document came in through: only SFTP documents get out/ files. */
export type UploadChannel = 'https' | 'sftp';

export interface DocumentRow {
  id: string;
  accountId: string;
  idempotencyKey: string;
  fileName: string;
  contentType: string;
  sha256: string;
  size: number;
  source: string | null;
  companyId: string | null;
  status: HubStatus;
  createdAt: string;
  /** The first 201 body, answered again on every replay. */
  createdBody: HubDocumentCreated;
  uploads: number;
  plan: SdiPlan;
  sdiId: string | null;
  sdiFileName: string | null;
  sdiSentAt: string | null;
  channel: UploadChannel;
}

export interface NewDocument {
  id: string;
  accountId: string;
  idempotencyKey: string;
  fileName: string;
  contentType: string;
  sha256: string;
  size: number;
  source: string | null;
  companyId: string | null;
  createdAt: string;
  createdBody: HubDocumentCreated;
  plan: SdiPlan;
  channel: UploadChannel;
}

export interface StoredFile {
  name: string;
  kind: string;
  contentType: string;
  bytes: Buffer;
  sha256: string;
}

const SELECT_DOCUMENT = `SELECT id, account_id AS accountId, idempotency_key AS idempotencyKey, file_name AS fileName,
  content_type AS contentType, sha256, size, source, company_id AS companyId, status, created_at AS createdAt,
  created_body AS createdBody, uploads, plan, sdi_id AS sdiId, sdi_file_name AS sdiFileName, sdi_sent_at AS sdiSentAt, channel
  FROM documents`;

type RawDocumentRow = Omit<DocumentRow, 'createdBody' | 'plan'> & { createdBody: string; plan: string };

function decode(row: RawDocumentRow | undefined): DocumentRow | undefined {
  if (!row) return undefined;
  return { ...row, createdBody: JSON.parse(row.createdBody) as HubDocumentCreated, plan: JSON.parse(row.plan) as SdiPlan };
}

export class DocumentsRepository {
  private readonly db: HubDatabase;

  constructor(db: HubDatabase) {
    this.db = db;
  }

  insert(document: NewDocument): void {
    this.db
      .prepare(
        `INSERT INTO documents (id, account_id, idempotency_key, file_name, content_type, sha256, size, source, company_id,
           status, created_at, created_body, uploads, plan, channel)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, 1, ?, ?)`,
      )
      .run(
        document.id,
        document.accountId,
        document.idempotencyKey,
        document.fileName,
        document.contentType,
        document.sha256,
        document.size,
        document.source,
        document.companyId,
        document.createdAt,
        JSON.stringify(document.createdBody),
        JSON.stringify(document.plan),
        document.channel,
      );
  }

  byId(id: string): DocumentRow | undefined {
    return decode(this.db.prepare(`${SELECT_DOCUMENT} WHERE id = ?`).get(id) as RawDocumentRow | undefined);
  }

  byKey(accountId: string, idempotencyKey: string): DocumentRow | undefined {
    return decode(
      this.db.prepare(`${SELECT_DOCUMENT} WHERE account_id = ? AND idempotency_key = ?`).get(accountId, idempotencyKey) as RawDocumentRow | undefined,
    );
  }

  /** Looks a document up by hub id first, then by the agent's idempotency key. */
  byIdOrKey(accountId: string, idOrKey: string): DocumentRow | undefined {
    const byId = this.byId(idOrKey);
    if (byId && byId.accountId === accountId) return byId;
    return this.byKey(accountId, idOrKey);
  }

  all(): DocumentRow[] {
    return (this.db.prepare(`${SELECT_DOCUMENT} ORDER BY created_at, id`).all() as RawDocumentRow[]).map((row) => decode(row) as DocumentRow);
  }

  countUpload(id: string): void {
    this.db.prepare('UPDATE documents SET uploads = uploads + 1 WHERE id = ?').run(id);
  }

  setStatus(id: string, status: HubStatus): void {
    this.db.prepare('UPDATE documents SET status = ? WHERE id = ?').run(status, id);
  }

  setSent(id: string, sdiId: string, sdiFileName: string, sentAt: string): void {
    this.db.prepare('UPDATE documents SET sdi_id = ?, sdi_file_name = ?, sdi_sent_at = ? WHERE id = ?').run(sdiId, sdiFileName, sentAt, id);
  }

  /** 1, 2, 3… per document: the `_NNN` of its notification file names. */
  nextNotificationNumber(id: string): number {
    const row = this.db.prepare('UPDATE documents SET notifications = notifications + 1 WHERE id = ? RETURNING notifications').get(id) as
      { notifications: number } | undefined;
    if (!row) throw new Error(`unknown document ${id}`);
    return row.notifications;
  }

  addFile(documentId: string, file: Omit<StoredFile, 'sha256'>, createdAt: string): StoredFile {
    const stored: StoredFile = { ...file, sha256: sha256Hex(file.bytes) };
    this.db
      .prepare('INSERT INTO files (document_id, name, kind, content_type, bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(documentId, stored.name, stored.kind, stored.contentType, stored.bytes, stored.sha256, createdAt);
    return stored;
  }

  files(documentId: string): HubFileInfo[] {
    return this.db
      .prepare('SELECT name, kind, length(bytes) AS size, sha256 FROM files WHERE document_id = ? ORDER BY created_at, rowid')
      .all(documentId) as HubFileInfo[];
  }

  file(documentId: string, name: string): StoredFile | undefined {
    return this.db
      .prepare('SELECT name, kind, content_type AS contentType, bytes, sha256 FROM files WHERE document_id = ? AND name = ?')
      .get(documentId, name) as StoredFile | undefined;
  }
}
