// The register of approvers (docs/approval.md): each person's name, the OS account they use (if
// linked), their PIN's slow hash (as an opaque JSON text: hashing is core/util/pin-hash.ts, checking
// core/agent/approval.ts) and the count of wrong PINs behind the lockout. Never the PIN itself.
import { cached, type Db } from './database.ts';

export interface ApproverRecord {
  /** The name in NFC, lower case: one person, one entry, however their name is typed. */
  nameKey: string;
  name: string;
  osUser: string | null;
  /** JSON of a PinHash (core/util/pin-hash.ts). */
  pinHash: string;
  failedPins: number;
  /** ISO time until which wrong PINs keep this approver locked out, or null. */
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

interface ApproverRow {
  name_key: string;
  name: string;
  os_user: string | null;
  pin_hash: string;
  failed_pins: number;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}

/** The key two spellings of one name share ("Anna Rossi", " anna rossi"). */
export function approverKey(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export class ApproverRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  list(): ApproverRecord[] {
    return (cached(this.db, 'SELECT * FROM approvers ORDER BY name_key').all() as ApproverRow[]).map(toRecord);
  }

  count(): number {
    return (cached(this.db, 'SELECT COUNT(*) AS n FROM approvers').get() as { n: number }).n;
  }

  get(name: string): ApproverRecord | null {
    const row = cached(this.db, 'SELECT * FROM approvers WHERE name_key = ?').get(approverKey(name)) as ApproverRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Approvers linked to this OS account (compared without case: Windows account names ignore it). */
  withOsUser(osUser: string): ApproverRecord[] {
    const rows = cached(this.db, 'SELECT * FROM approvers WHERE os_user IS NOT NULL AND lower(os_user) = lower(?)').all(osUser) as ApproverRow[];
    return rows.map(toRecord);
  }

  /** Call inside a transaction; false when the name is taken. */
  insert(approver: { name: string; osUser: string | null; pinHash: string }, now = new Date().toISOString()): boolean {
    const result = cached(
      this.db,
      `INSERT OR IGNORE INTO approvers (name_key, name, os_user, pin_hash, failed_pins, locked_until, created_at, updated_at)
       VALUES (?, ?, ?, ?, 0, NULL, ?, ?)`,
    ).run(approverKey(approver.name), approver.name, approver.osUser, approver.pinHash, now, now);
    return result.changes > 0;
  }

  remove(name: string): boolean {
    return cached(this.db, 'DELETE FROM approvers WHERE name_key = ?').run(approverKey(name)).changes > 0;
  }

  /** After a wrong PIN: the new count of failures and, past the limit, the end of the lockout. */
  recordFailure(name: string, failedPins: number, lockedUntil: string | null, now = new Date().toISOString()): void {
    cached(this.db, 'UPDATE approvers SET failed_pins = ?, locked_until = ?, updated_at = ? WHERE name_key = ?').run(
      failedPins,
      lockedUntil,
      now,
      approverKey(name),
    );
  }

  /** After the right PIN: the count starts again. */
  clearFailures(name: string, now = new Date().toISOString()): void {
    cached(
      this.db,
      'UPDATE approvers SET failed_pins = 0, locked_until = NULL, updated_at = ? WHERE name_key = ? AND (failed_pins != 0 OR locked_until IS NOT NULL)',
    ).run(now, approverKey(name));
  }
}

function toRecord(row: ApproverRow): ApproverRecord {
  return {
    nameKey: row.name_key,
    name: row.name,
    osUser: row.os_user,
    pinHash: row.pin_hash,
    failedPins: row.failed_pins,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
