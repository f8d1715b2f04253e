// The capture service: every channel (folder, API, upload, printer) ends here. Bytes are read,
// inspected, spooled and fsynced in a capture worker (capture-worker/), then recorded here, on the
// main thread, in one transaction with their upload jobs; only after that commit is the source
// file moved (folders). A crash at any point leaves the source, or the record — never neither.
// The move's record says "done" only once the move is on disk (its folders fsynced): that fsync,
// shared by the moves of a burst, runs after the capture has let go of its slot, and a move it did
// not cover is finished again at the next start (docs/design-decisions.md, "What is fsynced").
import { lstat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { Store } from '../store/store.ts';
import type { IntakeRecord, PostAction } from '../store/intake-records.ts';
import { PARKED } from '../store/jobs.ts';
import type { CapturePreparer } from './capture-worker/capture-pool.ts';
import type { PreparedPart } from './capture-worker/messages.ts';
import { hashRegularFile } from './capture-worker/prepare-capture.ts';
import type { FileSnapshot } from './stable-file.ts';
import { checkCapturedInvoice, invoiceReadingOf, invoiceRowsOf } from './capture-history.ts';
import { SENT_FOLDER, moveFile, moveToErrors, syncFolders, uniqueDestination, unlinkFile } from './post-action.ts';
import type { CaptureSource, DocumentState } from '../../contract/states.ts';
import type { PreflightMode } from '../../contract/invoice.ts';
import { downgradedCodes, type InvoiceMetadata } from './inspect-invoice.ts';
import type { Logger } from '../log/logger.ts';
import type { DiskSpace } from './disk-space.ts';
import type { SubmittedBy } from '../../contract/approval.ts';

export interface CaptureProfile {
  id: string;
  requireApproval: boolean;
}

export interface CapturedDocument {
  id: string;
  name: string;
  state: DocumentState;
  reason: string | null;
}

/** Preflight errors that `intake.preflight` "warn" let through (codes, with the SDI code), for the log. */
const letThroughOf = new WeakMap<CapturedDocument, string[]>();

export interface FolderCapture extends FileSnapshot {
  profile: CaptureProfile;
  folder: string;
  postAction: Exclude<PostAction, 'errors'>;
  path: string;
  /** Who captured it (docs/approval.md, "Identities"): for a folder, the OS user running the agent. */
  submittedBy?: SubmittedBy | null;
}

export interface CaptureServiceOptions {
  store: Store;
  /** Reads, inspects and spools each capture off the main thread (the capture worker pool). */
  workers: CapturePreparer;
  log: Logger;
  /** Called after documents were queued, so the outbox can start at once. */
  onQueued: () => void;
  /** `intake.preflight`: "warn" lets invoices with preflight errors go (logged); default "block". */
  preflight?: PreflightMode;
  /** Stops capture while the data folder's disk is full (disk-space.ts); none: no check. */
  disk?: DiskSpace;
}

export class CaptureService {
  private readonly options: CaptureServiceOptions;
  /** Post-actions done on disk and waiting for their folders' fsync before they are recorded as done. */
  private readonly settling = new Set<Promise<void>>();

  constructor(options: CaptureServiceOptions) {
    this.options = options;
  }

  /** Bytes from the local API, the UI or the printer. */
  async captureBytes(input: {
    profile: CaptureProfile;
    source: CaptureSource;
    name: string;
    bytes: Buffer;
    metadata?: Record<string, unknown>;
    /** Who released it: the print job's user, or the OS user and the name an API client declared. */
    submittedBy?: SubmittedBy | null;
    /** Why the caller already knows the bytes are no document (a print job that could not be converted): recorded as invalid with this reason. */
    refusal?: { code: string; reason: string } | null;
  }): Promise<CapturedDocument[]> {
    const documents = await this.withRoom(2 * input.bytes.length, async () => {
      const { parts } = await this.options.workers.prepare({ type: 'bytes', name: input.name, bytes: input.bytes });
      // What inspection found wins over what the caller says (a client cannot fake an invoice reading).
      for (const part of parts) {
        part.metadata = { ...input.metadata, ...part.metadata };
        if (input.refusal) part.invalid = input.refusal;
      }
      return this.options.store.groupCommit.durable(() => this.record(input.profile, input.source, null, parts, input.submittedBy ?? null));
    });
    await this.afterRecord(documents);
    return documents;
  }

  /** A stable file found in a watched folder. */
  async captureFolderFile(file: FolderCapture): Promise<CapturedDocument[]> {
    const { store } = this.options;
    // A crash after the record but before the post-action: finish that, do not capture again.
    const pending = store.intake.pendingForPath(file.path);
    if (pending.length > 0) {
      for (const record of pending) await this.completePostAction(record);
      if (!(await exists(file.path))) return [];
    }
    if (file.postAction === 'leave' && store.intake.alreadyTaken(file.path, file.size, file.mtimeMs)) return [];

    // The name in sent/ is chosen while the worker reads the file, and recorded in the capture's
    // commit (one commit fewer per file). None found: the post-action chooses it, as after a crash.
    const sentPath = file.postAction === 'move' ? uniqueDestination(join(file.folder, SENT_FOLDER), basename(file.path)).catch(() => null) : null;
    const { documents, record } = await this.withRoom(2 * file.size, async () => {
      // Spooled and fsynced by the worker before the record below commits.
      const { parts, sha256 } = await this.options.workers.prepare({
        type: 'file',
        path: file.path,
        name: basename(file.path),
        size: file.size,
        mtimeMs: file.mtimeMs,
        identity: file.identity,
      });

      const allInvalid = parts.every((part) => part.invalid !== null);
      const destination = await sentPath;
      return store.groupCommit.durable(() => {
        const recorded = this.record(file.profile, 'folder', file.path, parts, file.submittedBy ?? null);
        const refused = recorded.every((d) => d.state === 'invalid' || d.state === 'duplicate');
        // Refused files go to errors/ with their reason, except where the user asked us to leave files alone.
        const postAction: PostAction = (allInvalid || refused) && file.postAction !== 'leave' ? 'errors' : file.postAction;
        const intake = {
          folder: file.folder,
          path: file.path,
          size: file.size,
          mtimeMs: file.mtimeMs,
          sha256,
          postAction,
          destination: postAction === 'move' ? destination : null,
        };
        const id = store.intake.insert(
          intake,
          recorded.map((d) => d.id),
        );
        // The record as written (pending): no need to read it back.
        const written: IntakeRecord = { ...intake, id, status: 'pending', error: null };
        return { documents: recorded, record: written };
      });
    });
    // The jobs' release and the post-action touch different things: neither waits for the other.
    await Promise.all([this.afterRecord(documents), this.completePostAction(record)]);
    return documents;
  }

  /** Resolves once every post-action done so far is recorded (or has failed and waits for the next start). */
  async settled(): Promise<void> {
    while (this.settling.size > 0) await Promise.all([...this.settling]);
  }

  /**
   * The writing part of a capture (spool, record): refused at once while the disk is full or short
   * of room; a full disk met on the way (ENOSPC in the spool, SQLITE_FULL in the commit, both rolled
   * back) stops capture with one reason, and the capture fails with a DiskFullError. The source
   * stays where it is; nothing is recorded.
   */
  private async withRoom<T>(bytes: number, work: () => Promise<T>): Promise<T> {
    const { disk } = this.options;
    if (!disk) return work();
    await disk.ensureRoom(bytes);
    try {
      return await work();
    } catch (error) {
      throw (await disk.failed(error, bytes)) ?? error;
    }
  }

  /** Finishes post-actions left pending by a crash; run at start before the watchers. */
  async recoverPendingPostActions(): Promise<number> {
    const pending = this.options.store.intake.pending();
    for (const record of pending) await this.completePostAction(record);
    await this.settled();
    return pending.length;
  }

  private async completePostAction(record: IntakeRecord): Promise<void> {
    const { store, log } = this.options;
    try {
      // lstat and a no-follow open: a link or a FIFO put in the file's place is neither followed nor read.
      const current = await lstat(record.path).catch(() => null);
      const unchanged =
        current?.isFile() === true &&
        current.size === record.size &&
        (current.mtimeMs === record.mtimeMs || (await hashRegularFile(record.path)) === record.sha256);
      if (!unchanged || record.postAction === 'leave') {
        // Already moved (crash after the move), removed by someone, or replaced by a new file that
        // will be captured on its own.
        await store.groupCommit.batched(() => store.intake.finish(record.id, 'done'));
        return;
      }
      if (record.postAction === 'delete') {
        this.finishOnceOnDisk(record, await unlinkFile(record.path));
        return;
      }
      if (record.postAction === 'move') {
        const destination = record.destination ?? (await uniqueDestination(join(record.folder, SENT_FOLDER), basename(record.path)));
        if (!record.destination) await store.groupCommit.batched(() => store.intake.setDestination(record.id, destination));
        this.finishOnceOnDisk(record, await moveFile(record.path, destination));
        return;
      }
      const reasons = store.intake
        .documentIds(record.id)
        .map((id) => store.documents.get(id))
        .filter((d) => d?.reason)
        .map((d) => (d && d.name !== basename(record.path) ? `${d.name}: ${d.reason}` : (d?.reason ?? '')));
      // One line each; moveToErrors escapes them (a name may hold a newline). Durable on return.
      const destination = await moveToErrors(record.path, record.folder, reasons);
      await store.groupCommit.batched(() => {
        store.intake.setDestination(record.id, destination);
        store.intake.finish(record.id, 'done');
      });
    } catch (error) {
      // The document is safe in the spool and the queue; the file stays where it is and the
      // next rescan retries the post-action.
      log.warn('post-action failed; will retry on the next scan', { path: record.path, action: record.postAction, error: String(error) });
    }
  }

  /**
   * Records a move or a deletion as done once its folders are fsynced; until then the record stays
   * pending, and a power cut that undid the move is met by the next start (the file is moved again).
   * The capture does not wait: its slot goes to the next file, and a burst's moves share the fsyncs.
   */
  private finishOnceOnDisk(record: IntakeRecord, folders: string[]): void {
    const { store, log } = this.options;
    const settle = (async () => {
      try {
        await syncFolders(folders);
        await store.groupCommit.batched(() => store.intake.finish(record.id, 'done'));
      } catch (error) {
        log.warn('post-action done but not confirmed on disk; it is checked again at the next start', {
          path: record.path,
          action: record.postAction,
          error: String(error),
        });
      }
    })();
    this.settling.add(settle);
    void settle.finally(() => this.settling.delete(settle));
  }

  /** Runs inside the capture transaction. */
  private record(
    profile: CaptureProfile,
    source: CaptureSource,
    sourcePath: string | null,
    parts: PreparedPart[],
    submittedBy: SubmittedBy | null,
  ): CapturedDocument[] {
    const { store } = this.options;
    const now = new Date().toISOString();
    return parts.map((part) => {
      const id = uuidv7();
      const { sha256 } = part;
      let state: DocumentState = profile.requireApproval ? 'awaiting_approval' : 'queued';
      let reason: string | null = null;
      let reasonCode: string | null = null;
      let duplicateOf: string | null = null;
      if (part.invalid) {
        state = 'invalid';
        reason = part.invalid.reason;
        reasonCode = part.invalid.code;
      } else {
        const original = store.documents.findOriginalBySha(sha256);
        if (original) {
          state = 'duplicate';
          duplicateOf = original.id;
          reasonCode = 'duplicate';
          reason = `same content as "${original.name}" captured ${original.createdAt} (document ${original.id}); not sent again — retry it to send anyway`;
        } else {
          const verdict = checkCapturedInvoice(part.metadata, store.invoices, this.options.preflight ?? 'block');
          if (verdict.invalid) {
            state = 'invalid';
            reason = verdict.invalid.reason;
            reasonCode = verdict.invalid.code;
          }
        }
      }
      // A small part's bytes: kept in this very commit, made durable by its WAL fsync (spool-blobs.ts).
      if (part.inline) store.spoolBlobs.put(sha256, part.inline);
      store.documents.insert(
        {
          id,
          profile: profile.id,
          source,
          name: part.name,
          sourcePath,
          kind: part.kind,
          contentType: part.contentType,
          size: part.size,
          sha256,
          spooled: part.spooled,
          state,
          reason,
          reasonCode,
          duplicateOf,
          metadata: part.metadata,
          submittedBy,
        },
        now,
      );
      // Recorded whatever the state: the history counts only the ones not refused (store/invoices.ts).
      const invoice = invoiceReadingOf(part.metadata);
      if (invoice) store.invoices.record(id, invoiceRowsOf(invoice));
      // Parked until the commit is on disk (afterRecord): nothing is sent that a power cut could un-record.
      if (state === 'queued') store.jobs.enqueue('upload', id, PARKED);
      const captured: CapturedDocument = { id, name: part.name, state, reason };
      const letThrough = state === 'invalid' ? [] : downgradedCodes((part.metadata as InvoiceMetadata).preflight);
      if (letThrough.length > 0) letThroughOf.set(captured, letThrough);
      return captured;
    });
  }

  private async afterRecord(documents: CapturedDocument[]): Promise<void> {
    const queued = documents.filter((d) => d.state === 'queued').map((d) => d.id);
    // The captures answered by one fsync release their jobs in one commit too.
    if (queued.length) await this.options.store.groupCommit.batched(() => this.options.store.jobs.release('upload', queued));
    for (const document of documents) {
      // Every capture is in the event log; the log file gets the refusals (and everything at debug).
      const level = document.state === 'invalid' || document.state === 'duplicate' ? 'warn' : 'debug';
      this.options.log[level]('captured', { id: document.id, name: document.name, state: document.state, reason: document.reason });
      const letThrough = letThroughOf.get(document);
      if (letThrough) {
        this.options.log.warn('preflight errors let through: intake.preflight is "warn", SDI decides', {
          id: document.id,
          name: document.name,
          errors: letThrough,
        });
      }
    }
    if (documents.some((d) => d.state === 'queued')) this.options.onQueued();
  }
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => null)) !== null;
}
