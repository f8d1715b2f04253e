// Bounds how many bytes of files are in memory at once: captured files across all watched folders
// (a high capture concurrency lets the file system group fsyncs), uploads in flight (many small
// invoices at once, never many large ones). A file larger than the whole budget waits until it can
// have the budget to itself.
export class ByteBudget {
  private readonly capacity: number;
  private inUse = 0;
  private readonly waiting: { bytes: number; grant: () => void }[] = [];

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
  }

  async acquire(bytes: number): Promise<() => void> {
    const wanted = Math.min(Math.max(bytes, 1), this.capacity);
    if (this.waiting.length === 0 && this.inUse + wanted <= this.capacity) {
      this.inUse += wanted;
    } else {
      await new Promise<void>((grant) => this.waiting.push({ bytes: wanted, grant }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse -= wanted;
      this.drain();
    };
  }

  private drain(): void {
    // First come, first served: a large file is not starved by a stream of small ones.
    while (this.waiting.length > 0 && this.inUse + this.waiting[0]!.bytes <= this.capacity) {
      const next = this.waiting.shift()!;
      this.inUse += next.bytes;
      next.grant();
    }
  }

  get bytesInUse(): number {
    return this.inUse;
  }
}
