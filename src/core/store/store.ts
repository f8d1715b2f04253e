// The agent's store: one SQLite file, the repositories over it, and the transaction helper.
import type { Db } from './database.ts';
import { cached, openDatabase } from './database.ts';
import { DocumentRepository } from './documents.ts';
import { EventLog } from './event-log.ts';
import { IntakeRecords } from './intake-records.ts';
import { JobQueue } from './jobs.ts';
import { KeyValue } from './key-value.ts';
import { GroupCommit } from './group-commit.ts';

export class Store {
  readonly db: Db;
  readonly events: EventLog;
  readonly documents: DocumentRepository;
  readonly jobs: JobQueue;
  readonly intake: IntakeRecords;
  readonly kv: KeyValue;
  /** Durable commits of concurrent captures, grouped into one fsync. */
  readonly groupCommit: GroupCommit;

  constructor(file: string, owner: string) {
    this.db = openDatabase(file);
    this.events = new EventLog(this.db);
    this.documents = new DocumentRepository(this.db, this.events);
    this.jobs = new JobQueue(this.db, owner);
    this.intake = new IntakeRecords(this.db);
    this.kv = new KeyValue(this.db);
    this.groupCommit = new GroupCommit(this);
  }

  /**
   * Runs `work` in an IMMEDIATE transaction, then wakes event listeners once it has committed.
   * `durable`: the commit is fsynced (synchronous=FULL) before this returns — for the commit that
   * accepts a document into the queue, after which its source file is moved away. Other commits
   * (states, cursors, leases) survive a process crash; a power cut may undo the last of them, and
   * each is safe to redo: uploads are idempotent, hub events are re-read and applied once.
   */
  transaction<T>(work: () => T, options: { durable?: boolean } = {}): T {
    if (!options.durable) {
      const result = this.db.transaction(work).immediate();
      this.events.notify();
      return result;
    }
    cached(this.db, 'PRAGMA synchronous = FULL').run();
    try {
      const result = this.db.transaction(work).immediate();
      this.events.notify();
      return result;
    } finally {
      cached(this.db, 'PRAGMA synchronous = NORMAL').run();
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
