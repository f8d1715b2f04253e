// PWG 5102.4 line compression (a PackBits variant over whole pixels): after the line-repeat byte,
// a byte n < 128 repeats the next pixel n+1 times, n > 128 copies the next 257-n pixels literally,
// and 128 fills the rest of the line with white. Runs past the line end are clipped, as CUPS does.
// Lines are whole pixels (the header check guarantees bytesPerLine is a multiple of bytesPerPixel).
export class TruncatedLineError extends Error {}

/**
 * Decodes one line's pixel data from `source[start, end)` into `line` and returns the position
 * after it; throws TruncatedLineError when the source ends first.
 */
export function decodePwgLine(source: Uint8Array, start: number, end: number, line: Uint8Array, bytesPerPixel: number, whiteByte: number): number {
  let pos = start;
  let filled = 0;
  while (filled < line.length) {
    if (pos >= end) throw new TruncatedLineError();
    const code = source[pos++]!;
    if (code === 128) {
      line.fill(whiteByte, filled);
      filled = line.length;
    } else if (code > 128) {
      const count = Math.min((257 - code) * bytesPerPixel, line.length - filled);
      if (pos + count > end) throw new TruncatedLineError();
      line.set(source.subarray(pos, pos + count), filled);
      pos += count;
      filled += count;
    } else {
      const count = Math.min((code + 1) * bytesPerPixel, line.length - filled);
      if (pos + bytesPerPixel > end) throw new TruncatedLineError();
      repeatPixel(source, pos, bytesPerPixel, line, filled, count);
      pos += bytesPerPixel;
      filled += count;
    }
  }
  return pos;
}

function repeatPixel(source: Uint8Array, at: number, bytesPerPixel: number, line: Uint8Array, offset: number, count: number): void {
  if (bytesPerPixel === 1) {
    line.fill(source[at]!, offset, offset + count);
    return;
  }
  line.set(source.subarray(at, at + bytesPerPixel), offset);
  // Double the copied run each step: a handful of copies even for a full-width run.
  for (let done = bytesPerPixel; done < count; done *= 2) {
    line.copyWithin(offset + done, offset, offset + Math.min(done, count - done));
  }
}

/** Most bytes one encoded line can take: the repeat byte plus, at worst, a code and a pixel per pixel. */
export function maxEncodedLineBytes(bytesPerLine: number, bytesPerPixel: number): number {
  return 1 + bytesPerLine + Math.ceil(bytesPerLine / bytesPerPixel);
}
