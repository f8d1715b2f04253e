// The agent's store: one SQLite file, the repositories over it, and the transaction helper.
import type { Db } from './database.ts';
import { open, type FileHandle } from 'node:fs/promises';
import { openDatabase } from './database.ts';
import { DocumentRepository } from './documents.ts';
import { EventLog } from './event-log.ts';
import { IntakeRecords } from './intake-records.ts';
import { JobQueue } from './jobs.ts';
import { KeyValue } from './key-value.ts';
import { GroupCommit } from './group-commit.ts';
import { InvoiceRegistry } from './invoices.ts';
import { ApproverRepository } from './approvers.ts';
import { SpoolBlobs } from './spool-blobs.ts';
import { WalCheckpointer, type CheckpointLog } from './wal-checkpointer.ts';

export class Store {
  readonly db: Db;
  readonly events: EventLog;
  readonly documents: DocumentRepository;
  readonly jobs: JobQueue;
  readonly intake: IntakeRecords;
  readonly kv: KeyValue;
  /** Small writes that arrive together share one commit (and, for captures, one fsync). */
  readonly groupCommit: GroupCommit;
  readonly invoices: InvoiceRegistry;
  /** Manual approval's register of people and PIN hashes (docs/approval.md). */
  readonly approvers: ApproverRepository;
  /** Small captured documents, kept here instead of spool files (spool-blobs.ts); read through the Spool. */
  readonly spoolBlobs: SpoolBlobs;

  private readonly file: string;
  private walHandle: Promise<FileHandle> | null = null;
  private checkpointer: WalCheckpointer | null = null;

  constructor(file: string, owner: string) {
    this.file = file;
    this.db = openDatabase(file);
    this.events = new EventLog(this.db);
    this.documents = new DocumentRepository(this.db, this.events);
    this.jobs = new JobQueue(this.db, owner);
    this.intake = new IntakeRecords(this.db);
    this.kv = new KeyValue(this.db);
    this.groupCommit = new GroupCommit(this);
    this.invoices = new InvoiceRegistry(this.db);
    this.approvers = new ApproverRepository(this.db);
    this.spoolBlobs = new SpoolBlobs(this.db);
  }

  /** Runs `work` in an IMMEDIATE transaction, then wakes event listeners once it has committed. */
  transaction<T>(work: () => T): T {
    const result = this.db.transaction(work).immediate();
    this.checkpointer?.wake();
    this.events.notify();
    return result;
  }

  /**
   * Makes every commit so far durable against a power cut. In WAL mode a commit is durable once the
   * WAL file is fsynced; commits run with synchronous=NORMAL (they survive a crash of the process,
   * never torn) and the fsync runs here, off the event loop, for the commits that need it: the one
   * accepting a document into the queue, before its source file is moved away (GroupCommit).
   */
  async syncToDisk(): Promise<void> {
    // The promise is kept, not the handle: concurrent first calls share one open (a handle opened
    // twice would leave one to the garbage collector).
    if (!this.walHandle) {
      const opening = open(`${this.file}-wal`, 'r+');
      this.walHandle = opening;
      // An open that failed is tried again next time, not remembered.
      opening.catch(() => {
        if (this.walHandle === opening) this.walHandle = null;
      });
    }
    await (await this.walHandle).sync();
  }

  /** The running agent's checkpoints move to a thread of their own (wal-checkpointer.ts). */
  startBackgroundCheckpoints(log: CheckpointLog, options: { intervalMs?: number; walLimitBytes?: number; idleMs?: number } = {}): void {
    if (this.checkpointer) return;
    this.checkpointer = new WalCheckpointer(this.db, this.file, log, options);
  }

  /** True while the checkpoint thread runs: it ends after a while without commits, and a commit starts it again. */
  get backgroundCheckpointsRunning(): boolean {
    return this.checkpointer?.running ?? false;
  }

  async stopBackgroundCheckpoints(): Promise<void> {
    const checkpointer = this.checkpointer;
    this.checkpointer = null;
    await checkpointer?.stop();
  }

  close(): void {
    // close() is synchronous: the WAL handle closes in the background; a failure to close it is moot.
    this.walHandle?.then((handle) => handle.close()).catch(() => undefined);
    this.walHandle = null;
    if (this.db.open) this.db.close();
  }
}
