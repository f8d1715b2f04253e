// Keeps the ERP return folders current by following the event log with a persisted cursor: any
// change to a document (capture, hold, hub status, retry, cancel) rewrites its `.status.json` and
// copies new notification files. After a crash it catches up from the cursor.
import type { Store } from '../store/store.ts';
import type { Logger } from '../log/logger.ts';
import type { ReturnFolderWriter } from './return-folder.ts';

const CURSOR_KEY = 'returnFolder.cursor';
const PAGE = 500;

export class ReturnFolderSync {
  private readonly store: Store;
  private readonly writer: ReturnFolderWriter;
  private readonly log: Logger;
  private unsubscribe: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(options: { store: Store; writer: ReturnFolderWriter; log: Logger }) {
    this.store = options.store;
    this.writer = options.writer;
    this.log = options.log;
  }

  start(): void {
    this.unsubscribe = this.store.events.onAppended(() => this.schedule());
    this.schedule();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.running;
    await this.writer.idle();
  }

  private schedule(): void {
    if (!this.unsubscribe) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run())
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
  }

  private async run(): Promise<void> {
    for (;;) {
      if (!this.store.db.open) return;
      const cursor = this.store.kv.get<number>(CURSOR_KEY) ?? 0;
      const events = this.store.events.since(cursor, PAGE);
      if (events.length === 0) return;
      const documentIds = [...new Set(events.map((e) => e.documentId).filter((id): id is string => id !== null))];
      for (const id of documentIds) {
        // A failed write (share offline) is logged; the document is written again at its next change.
        await this.writer.write(id).catch((error: unknown) => this.log.warn('return folder not updated', { documentId: id, error: String(error) }));
      }
      if (!this.store.db.open) return;
      this.store.kv.set(CURSOR_KEY, events.at(-1)!.seq);
    }
  }
}
