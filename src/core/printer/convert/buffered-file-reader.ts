// Reads a file forward through one reusable buffer, so a large print job never sits whole in memory.
// Callers ask for "at least n bytes" (fill), then parse synchronously from `bytes` in [start, end).
import { open, type FileHandle } from 'node:fs/promises';

const MIN_CAPACITY = 64 * 1024;

export class BufferedFileReader {
  private readonly file: FileHandle;
  private filePosition = 0;
  private atEof = false;
  bytes: Buffer = Buffer.alloc(MIN_CAPACITY);
  start = 0;
  end = 0;

  private constructor(file: FileHandle) {
    this.file = file;
  }

  static async open(path: string): Promise<BufferedFileReader> {
    return new BufferedFileReader(await open(path, 'r'));
  }

  get available(): number {
    return this.end - this.start;
  }

  /** Reads until at least `min` bytes are buffered, or the file ends (then fewer are available). */
  async fill(min: number): Promise<void> {
    if (this.available >= min || this.atEof) return;
    if (this.bytes.length < min) {
      const larger = Buffer.alloc(Math.max(min, this.bytes.length * 2));
      this.bytes.copy(larger, 0, this.start, this.end);
      this.bytes = larger;
    } else {
      this.bytes.copyWithin(0, this.start, this.end);
    }
    this.end -= this.start;
    this.start = 0;
    while (this.available < min) {
      const { bytesRead } = await this.file.read(this.bytes, this.end, this.bytes.length - this.end, this.filePosition);
      if (bytesRead === 0) {
        this.atEof = true;
        return;
      }
      this.end += bytesRead;
      this.filePosition += bytesRead;
    }
  }

  consume(count: number): void {
    this.start += count;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
