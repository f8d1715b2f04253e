// Compresses image rows into one zlib (PDF FlateDecode) stream as they come, through a fixed set of
// reusable bands: memory stays at a few bands however tall the image is, and decoding the next band
// overlaps with zlib compressing the previous ones on the thread pool.
import { createDeflate, type Deflate } from 'node:zlib';
import { once } from 'node:events';

const BAND_BYTES = 256 * 1024;
const BANDS_IN_FLIGHT = 3;

export class FlateRowSink {
  private readonly deflate: Deflate = createDeflate();
  private readonly compressed: Buffer[] = [];
  private readonly finished: Promise<unknown>;
  private readonly rowBytes: number;
  private readonly rowsPerBand: number;
  private readonly freeBands: Buffer[] = [];
  private bandReturned: (() => void) | null = null;
  private band: Buffer | null = null;
  private bandRows = 0;

  constructor(rowBytes: number) {
    this.rowBytes = rowBytes;
    this.rowsPerBand = Math.max(1, Math.floor(BAND_BYTES / rowBytes));
    for (let i = 0; i < BANDS_IN_FLIGHT; i++) this.freeBands.push(Buffer.alloc(this.rowsPerBand * rowBytes));
    this.deflate.on('data', (chunk: Buffer) => this.compressed.push(chunk));
    this.finished = once(this.deflate, 'end');
    this.finished.catch(() => {}); // an error surfaces where `finished` is awaited
  }

  /** Appends `row` `times` times (a PWG line repeat). */
  async push(row: Uint8Array, times = 1): Promise<void> {
    for (let i = 0; i < times; i++) {
      this.band ??= await this.takeBand();
      this.band.set(row, this.bandRows * this.rowBytes);
      if (++this.bandRows === this.rowsPerBand) this.sendBand();
    }
  }

  /** The whole compressed stream, once every row is in. */
  async finish(): Promise<Buffer> {
    if (this.band) this.sendBand();
    this.deflate.end();
    await this.finished;
    return Buffer.concat(this.compressed);
  }

  destroy(): void {
    this.deflate.destroy();
  }

  private sendBand(): void {
    const band = this.band!;
    // zlib calls back once it has consumed the chunk: only then may the band be refilled.
    this.deflate.write(band.subarray(0, this.bandRows * this.rowBytes), () => {
      this.freeBands.push(band);
      this.bandReturned?.();
    });
    this.band = null;
    this.bandRows = 0;
  }

  private async takeBand(): Promise<Buffer> {
    while (this.freeBands.length === 0) {
      await Promise.race([new Promise<void>((resolve) => (this.bandReturned = resolve)), this.finished]);
    }
    this.bandReturned = null;
    return this.freeBands.pop()!;
  }
}
