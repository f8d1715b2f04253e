// The return channel for ERPs that only read files: for each document of a profile with a return
// folder, `<name>.status.json` rewritten atomically at every change, and each file the hub provided
// (SDI notifications, the converted or signed invoice) copied there once under its own name.
import { mkdir, stat } from 'node:fs/promises';
import { readRegularFile } from '../util/regular-file.ts';
import { join } from 'node:path';
import type { Store } from '../store/store.ts';
import type { Spool } from '../store/spool.ts';
import type { Logger } from '../log/logger.ts';
import type { DocumentRecord } from '../store/documents.ts';
import type { DocumentFile } from '../../contract/local-api.ts';
import { readNotification, type SdiNotification } from '../inspect/notifications/read-notification.ts';
import { writeDurably } from '../util/fsync.ts';
import { plainFileName, safeBaseName } from './return-folder/safe-file-name.ts';
import { utf8Length } from '../util/file-names.ts';
import { buildReturnStatus, type ReturnStatus } from './return-folder/status-document.ts';

export type { ReturnStatus } from './return-folder/status-document.ts';

export interface ReturnFolderOptions {
  store: Store;
  spool: Spool;
  log: Logger;
  /** The profile's return folder, or null when it has none. */
  folderFor(profileId: string): string | null;
}

/** Which hub files were already copied, and where: a file the ERP consumed and deleted is not copied again. */
interface CopiedFiles {
  folder: string;
  names: string[];
}

const copiedKey = (documentId: string): string => `returnFolder.copied.${documentId}`;

export class ReturnFolderWriter {
  private readonly options: ReturnFolderOptions;
  /** A write asked for but not started yet: later requests share it. */
  private readonly pending = new Map<string, Promise<void>>();
  /** The last write of each document: writes of one document run one after the other. */
  private readonly tails = new Map<string, Promise<void>>();
  /** Status file paths being decided and written (two documents may share a name). */
  private readonly pathLocks = new Map<string, Promise<void>>();

  constructor(options: ReturnFolderOptions) {
    this.options = options;
  }

  /**
   * Brings the return folder up to date for one document; safe to call any number of times.
   * Rejects when the folder cannot be written (the next call tries again).
   */
  write(documentId: string): Promise<void> {
    const waiting = this.pending.get(documentId);
    if (waiting) return waiting;
    const previous = this.tails.get(documentId) ?? Promise.resolve();
    const run = previous.then(() => {
      this.pending.delete(documentId);
      return this.writeNow(documentId);
    });
    this.pending.set(documentId, run);
    const tail = run
      .catch(() => undefined)
      .finally(() => {
        if (this.tails.get(documentId) === tail) this.tails.delete(documentId);
      });
    this.tails.set(documentId, tail);
    return run;
  }

  /** Resolves once every write asked for so far has finished (call before closing the store). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  private async writeNow(documentId: string): Promise<void> {
    const { store, log } = this.options;
    const document = store.documents.get(documentId);
    if (!document) {
      store.kv.delete(copiedKey(documentId)); // purged by retention
      return;
    }
    const folder = this.options.folderFor(document.profile);
    if (!folder) return;
    // One consistent snapshot: a change made while this write runs asks for another write.
    const files = store.documents.files(documentId);
    const events = store.events.forDocument(documentId);
    try {
      await ensureFolder(folder);
      const copied = await this.copyFiles(document, folder, files);
      const status = buildReturnStatus({ document, events, notifications: await this.readNotifications(document, files), files: copied });
      await this.writeStatus(folder, status);
    } catch (error) {
      log.warn('return folder not updated', { document: documentId, folder, error: (error as Error).message });
      throw error;
    }
  }

  private async copyFiles(document: DocumentRecord, folder: string, files: DocumentFile[]): Promise<string[]> {
    const { store, spool, log } = this.options;
    const record = store.kv.get<CopiedFiles>(copiedKey(document.id));
    const names = record?.folder === folder ? [...record.names] : [];
    for (const file of files) {
      if (names.includes(file.name)) continue;
      const name = plainFileName(file.name);
      if (!name) {
        log.warn('hub file not copied to the return folder: its name is not a plain file name', { document: document.id, name: file.name.slice(0, 120) });
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = await spool.read(file.sha256);
      } catch (error) {
        // Hub files are spooled without fsync; the agent fetches a lost one again, and a later write copies it.
        log.warn('hub file not copied to the return folder yet: its spooled copy cannot be read', {
          document: document.id,
          name,
          error: (error as Error).message,
        });
        continue;
      }
      const target = join(folder, name);
      const existing = await readRegularFile(target).catch(() => null); // a link or FIFO put there is replaced, never read
      if (existing === null) await writeDurably(target, bytes, { createFolder: false });
      else if (!existing.equals(bytes)) log.warn('return folder already holds another file with this name; left as it is', { document: document.id, name });
      names.push(name);
      store.kv.set(copiedKey(document.id), { folder, names } satisfies CopiedFiles);
    }
    return names;
  }

  private async readNotifications(document: DocumentRecord, files: DocumentFile[]): Promise<SdiNotification[]> {
    const notifications: SdiNotification[] = [];
    for (const file of files.filter((f) => f.kind.startsWith('sdi_'))) {
      try {
        notifications.push(readNotification(await this.options.spool.read(file.sha256)));
      } catch (error) {
        this.options.log.warn('SDI notification cannot be read; the status is worded without it', {
          document: document.id,
          name: file.name,
          error: (error as Error).message,
        });
      }
    }
    return notifications;
  }

  /**
   * `<name>.status.json` belongs to the document that outranks the others with the same name (see
   * outranks); the others write `<name>.<id>.status.json`. A document taking the name over has the
   * previous owner rewrite its status under its own qualified name.
   */
  private async writeStatus(folder: string, status: ReturnStatus): Promise<void> {
    // One base for both names, cut (in UTF-8 bytes) so that the longer one fits in 255.
    const qualified = `.${safeBaseName(status.id)}.status.json`;
    const base = safeBaseName(status.name, utf8Length(qualified));
    const primary = join(folder, `${base}.status.json`);
    const displaced = await this.withPathLock(primary, async () => {
      const owner = await readOwner(primary);
      const mine = owner === null || owner.id === status.id || outranks(status, owner);
      const target = mine ? primary : join(folder, `${base}${qualified}`);
      const json = `${JSON.stringify(status, null, 2)}\n`;
      if ((await readRegularFile(target, 'utf8').catch(() => null)) !== json) await writeDurably(target, json, { createFolder: false });
      return mine && owner !== null && owner.id !== status.id ? owner.id : null;
    });
    if (displaced !== null) this.write(displaced).catch(() => undefined); // failures are logged by writeNow
  }

  private async withPathLock<T>(path: string, work: () => Promise<T>): Promise<T> {
    const previous = this.pathLocks.get(path) ?? Promise.resolve();
    const current = previous.then(work);
    const settled = current.then(
      () => undefined,
      () => undefined,
    );
    this.pathLocks.set(path, settled);
    try {
      return await current;
    } finally {
      if (this.pathLocks.get(path) === settled) this.pathLocks.delete(path);
    }
  }
}

type Owner = Pick<ReturnStatus, 'id' | 'state' | 'capturedAt'>;

/** A real capture outranks a duplicate of it; then the newer capture wins (the ERP dropped that file last). */
function outranks(mine: Owner, theirs: Owner): boolean {
  const real = (o: Owner): number => (o.state === 'duplicate' ? 0 : 1);
  if (real(mine) !== real(theirs)) return real(mine) > real(theirs);
  if (mine.capturedAt !== theirs.capturedAt) return mine.capturedAt > theirs.capturedAt;
  return mine.id > theirs.id;
}

async function readOwner(file: string): Promise<Owner | null> {
  try {
    const parsed = JSON.parse(await readRegularFile(file, 'utf8')) as Partial<Owner>;
    if (typeof parsed.id !== 'string' || typeof parsed.capturedAt !== 'string') return null;
    return { id: parsed.id, state: parsed.state ?? 'captured', capturedAt: parsed.capturedAt };
  } catch {
    return null; // absent, or not ours: the name is free
  }
}

/** Creates the return folder itself, never its parents: a missing parent is usually a share that is not mounted. */
async function ensureFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`the return folder ${folder} cannot be created: its parent folder does not exist (a network share not connected?)`);
    if (code !== 'EEXIST') throw error;
  }
  if (!(await stat(folder)).isDirectory()) throw new Error(`the return folder ${folder} is a file, not a folder`);
}
