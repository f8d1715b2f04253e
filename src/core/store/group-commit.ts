// Group commit: work that must be durable (accepting documents into the queue) and arrives at about
// the same time shares one transaction and one fsync (of the WAL, off the event loop). Each piece
// runs in its own savepoint, so one that throws is rolled back alone and its caller gets the error;
// the others commit together. Callers are answered only once the commit is on disk.
import type { Store } from './store.ts';

interface Pending<T> {
  work: () => T;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private readonly store: Store;
  private queue: Pending<unknown>[] = [];
  private scheduled = false;

  constructor(store: Store) {
    this.store = store;
  }

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve, reject } as Pending<unknown>);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.store.transaction(() => {
        for (const item of batch) {
          try {
            // Nested better-sqlite3 transactions are savepoints.
            outcomes.push({ ok: true, value: this.store.db.transaction(item.work)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
      await this.store.syncToDisk();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
