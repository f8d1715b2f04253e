// A small PWG raster (PWG 5102.4) writer for tests, written from the spec independently of the
// decoder under test: "RaS2", then per page a 1796-byte big-endian header and the compressed lines.

export const PWG_COLOR_SPACES = { black: 3, cmyk: 6, sgray: 18, srgb: 19, adobergb: 20 } as const;
export type PwgTestColorSpace = keyof typeof PWG_COLOR_SPACES;

const CHANNELS: Record<PwgTestColorSpace, number> = { black: 1, cmyk: 4, sgray: 1, srgb: 3, adobergb: 3 };

export interface PwgTestPage {
  width: number;
  height: number;
  colorSpace: PwgTestColorSpace;
  bitsPerColor: 1 | 8 | 16;
  /** Dots per inch, the same both ways unless a pair is given. Default 72. */
  resolution?: number | [number, number];
  /** Media size in points; default: the raster's size at its resolution. */
  pageSize?: [number, number];
  /** Decoded line `y` (bytesPerLine bytes). */
  line: (y: number) => Buffer;
  /** Encode a line's trailing white with the "fill to end of line" code 128. */
  fillWhiteToEnd?: boolean;
  /** Raw header fields to force (byte offset → value), e.g. absurd sizes. */
  headerOverrides?: Record<number, number>;
}

export function bytesPerLine(page: Pick<PwgTestPage, 'width' | 'colorSpace' | 'bitsPerColor'>): number {
  return Math.ceil((page.width * page.bitsPerColor * CHANNELS[page.colorSpace]) / 8);
}

export function pwgPageHeader(page: PwgTestPage): Buffer {
  const header = Buffer.alloc(1796);
  const [xdpi, ydpi] = Array.isArray(page.resolution) ? page.resolution : [page.resolution ?? 72, page.resolution ?? 72];
  const pageSize = page.pageSize ?? [Math.round((page.width * 72) / xdpi), Math.round((page.height * 72) / ydpi)];
  const channels = CHANNELS[page.colorSpace];
  header.write('PwgRaster', 0, 'latin1');
  const put = (offset: number, value: number) => header.writeUInt32BE(value, offset);
  put(276, xdpi);
  put(280, ydpi);
  put(340, 1); // NumCopies
  put(352, pageSize[0]);
  put(356, pageSize[1]);
  put(372, page.width);
  put(376, page.height);
  put(384, page.bitsPerColor);
  put(388, page.bitsPerColor * channels);
  put(392, bytesPerLine(page));
  put(396, 0); // chunky
  put(400, PWG_COLOR_SPACES[page.colorSpace]);
  put(420, channels);
  put(452, 1); // TotalPageCount
  put(456, 1); // CrossFeedTransform
  put(460, 1); // FeedTransform
  for (const [offset, value] of Object.entries(page.headerOverrides ?? {})) put(Number(offset), value);
  return header;
}

/** The whole stream: sync word, then each page's header and compressed lines. */
export function writePwgRaster(pages: PwgTestPage[]): Buffer {
  const parts: Buffer[] = [Buffer.from('RaS2', 'latin1')];
  for (const page of pages) {
    parts.push(pwgPageHeader(page), encodePageLines(page));
  }
  return Buffer.concat(parts);
}

/** Identical consecutive lines share one encoded line with a repeat count (at most 256 lines). */
function encodePageLines(page: PwgTestPage): Buffer {
  const pixelBytes = Math.max(1, Math.ceil((page.bitsPerColor * CHANNELS[page.colorSpace]) / 8));
  const white = page.colorSpace === 'sgray' || page.colorSpace === 'srgb' || page.colorSpace === 'adobergb' ? 0xff : 0x00;
  const parts: Buffer[] = [];
  for (let y = 0; y < page.height;) {
    const line = page.line(y);
    if (line.length !== bytesPerLine(page)) throw new Error(`line ${y} has ${line.length} bytes, expected ${bytesPerLine(page)}`);
    let repeat = 1;
    while (repeat < 256 && y + repeat < page.height && page.line(y + repeat).equals(line)) repeat++;
    parts.push(Buffer.from([repeat - 1]), encodeLine(line, pixelBytes, page.fillWhiteToEnd ? white : null));
    y += repeat;
  }
  return Buffer.concat(parts);
}

/** Runs of equal pixels become repeat codes (n-1), the rest literal codes (257-n); both at most 128 pixels. */
export function encodeLine(line: Buffer, pixelBytes: number, whiteFill: number | null = null): Buffer {
  const pixels = line.length / pixelBytes;
  const pixel = (i: number) => line.subarray(i * pixelBytes, (i + 1) * pixelBytes);
  const out: Buffer[] = [];
  let i = 0;
  while (i < pixels) {
    if (whiteFill !== null && line.subarray(i * pixelBytes).every((b) => b === whiteFill)) {
      out.push(Buffer.from([128]));
      break;
    }
    let run = 1;
    while (run < 128 && i + run < pixels && pixel(i + run).equals(pixel(i))) run++;
    if (run > 1) {
      out.push(Buffer.from([run - 1]), pixel(i));
      i += run;
      continue;
    }
    let literal = 1;
    while (literal < 128 && i + literal < pixels && !(i + literal + 1 < pixels && pixel(i + literal).equals(pixel(i + literal + 1)))) literal++;
    // A lone pixel is a repeat of 1: literal codes cover 2..128 pixels.
    out.push(Buffer.from([literal === 1 ? 0 : 257 - literal]), line.subarray(i * pixelBytes, (i + literal) * pixelBytes));
    i += literal;
  }
  return Buffer.concat(out);
}
