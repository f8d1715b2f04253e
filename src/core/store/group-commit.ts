// Group commit: small writes that arrive at about the same time share one transaction. In WAL mode
// every commit writes each page it touched again, so a burst of one-row commits (a capture, its
// job's release, an upload's completion, the next claim) costs many times what one commit of all of
// them costs. Two kinds of work share a batch:
// - `durable` work (accepting documents into the queue) is answered only once the WAL is fsynced,
//   off the event loop;
// - `batched` work is answered as soon as the batch has committed (the durability of any other
//   commit: synchronous=NORMAL).
// Each piece runs in its own savepoint, so one that throws is rolled back alone and its caller gets
// the error; the others commit together.
// While an fsync is under way, durable work waits for it to end and then commits as one group, with
// one fsync of its own: in a burst the groups grow with the disk's latency instead of staying at the
// few captures one turn of the event loop brings (a capture's commit costs 1.1 ms of main thread
// alone, 0.5 ms in a group of 64: docs/performance.md, "Intake after issue 16"). Batched work never
// waits for an fsync.
import type { Store } from './store.ts';

interface Pending<T> {
  work: () => T;
  durable: boolean;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  private readonly store: Store;
  private queue: Pending<unknown>[] = [];
  private scheduled = false;
  /** An fsync is under way: durable work queued meanwhile waits for the next group. */
  private syncing = false;

  constructor(store: Store) {
    this.store = store;
  }

  /** Runs `work` in the next shared transaction; resolves once that commit is on disk (fsynced). */
  durable<T>(work: () => T): Promise<T> {
    return this.enqueue(work, true);
  }

  /** Runs `work` in the next shared transaction; resolves once it has committed. */
  batched<T>(work: () => T): Promise<T> {
    return this.enqueue(work, false);
  }

  private enqueue<T>(work: () => T, durable: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, durable, resolve, reject } as Pending<unknown>);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush()); // never rejects: every failure goes to the batch's callers
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    let batch = this.queue;
    this.queue = [];
    if (this.syncing) {
      // Durable work waits for the fsync under way (its end schedules the next flush).
      this.queue = batch.filter((item) => item.durable);
      batch = batch.filter((item) => !item.durable);
      if (batch.length === 0) return;
    }
    const outcomes: Outcome[] = [];
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
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    const durable: [Pending<unknown>, Outcome][] = [];
    batch.forEach((item, index) => {
      const outcome = outcomes[index]!;
      if (item.durable && outcome.ok) durable.push([item, outcome]);
      else settle(item, outcome);
    });
    if (durable.length === 0) return;
    this.syncing = true;
    try {
      await this.store.syncToDisk();
    } catch (error) {
      for (const [item] of durable) item.reject(error);
      return;
    } finally {
      this.syncing = false;
      this.scheduleFlushOfWaiting();
    }
    for (const [item, outcome] of durable) settle(item, outcome);
  }

  private scheduleFlushOfWaiting(): void {
    if (this.queue.length === 0 || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }
}

function settle(item: Pending<unknown>, outcome: Outcome): void {
  if (outcome.ok) item.resolve(outcome.value);
  else item.reject(outcome.error);
}
