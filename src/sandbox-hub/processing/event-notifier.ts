// Wakes long-polling readers of the event feed the moment a new event is stored.

export class EventNotifier {
  private readonly waiters = new Set<() => void>();
  private closed = false;

  get isClosed(): boolean {
    return this.closed;
  }

  notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves on the next notify(), after timeoutMs, when the signal aborts, or at close(). */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || timeoutMs <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  close(): void {
    this.closed = true;
    this.notify();
  }
}
