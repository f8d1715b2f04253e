import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, rgb } from 'pdf-lib';
import { ConversionError, convertToPdf } from '../../src/core/printer/convert/to-pdf.ts';
import { bytesPerLine, encodeLine, pwgPageHeader, writePwgRaster, type PwgTestPage } from '../helpers/pwg-raster.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { needs } from '../helpers/system-tools.ts';

const run = promisify(execFile);
const gs = needs('gs');

interface PageImage {
  page: { width: number; height: number };
  width: number;
  height: number;
  colorSpace: string;
  bitsPerComponent: number;
  pixels: Buffer;
}

/** Each page's size and its (single) image XObject, with the Flate stream inflated. */
async function pageImages(pdf: Buffer): Promise<PageImage[]> {
  const doc = await PDFDocument.load(pdf);
  return doc.getPages().map((page) => {
    const xObjects = page.node.Resources()!.lookup(PDFName.of('XObject'), PDFDict);
    const stream = xObjects.lookup(xObjects.keys()[0]!);
    if (!(stream instanceof PDFRawStream)) throw new Error('the page has no image stream');
    const number = (key: string) => stream.dict.lookup(PDFName.of(key), PDFNumber).asNumber();
    expect(stream.dict.lookup(PDFName.of('Filter'))).toEqual(PDFName.of('FlateDecode'));
    return {
      page: page.getSize(),
      width: number('Width'),
      height: number('Height'),
      colorSpace: String(stream.dict.lookup(PDFName.of('ColorSpace'))),
      bitsPerComponent: number('BitsPerComponent'),
      pixels: inflateSync(stream.getContents()),
    };
  });
}

function expectConversionError(promise: Promise<unknown>, code: ConversionError['code'], message: RegExp): Promise<void> {
  return expect(promise).rejects.toSatisfy((error: unknown) => {
    expect(error).toBeInstanceOf(ConversionError);
    expect((error as ConversionError).code).toBe(code);
    expect((error as ConversionError).message).toMatch(message);
    return true;
  });
}

/** A test page whose decoded lines come from a pixel function (one byte per sample). */
function page(options: Omit<PwgTestPage, 'line'>, sample: (x: number, y: number, channel: number) => number): PwgTestPage {
  const channels = { black: 1, sgray: 1, srgb: 3, adobergb: 3, cmyk: 4 }[options.colorSpace];
  const bytes = options.bitsPerColor / 8;
  return {
    ...options,
    line: (y) => {
      const line = Buffer.alloc(bytesPerLine(options));
      for (let x = 0; x < options.width; x++) {
        for (let c = 0; c < channels; c++) {
          const value = sample(x, y, c);
          const at = (x * channels + c) * bytes;
          if (bytes === 2) line.writeUInt16BE(value, at);
          else line[at] = value;
        }
      }
      return line;
    },
  };
}

describe('convertToPdf: PWG raster', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir('recapito-pwg-')));
  afterEach(() => cleanup());

  async function convertRaster(pages: PwgTestPage[] | Buffer) {
    const file = join(dir, `job-${Math.random().toString(36).slice(2)}.pwg`);
    await writeFile(file, Buffer.isBuffer(pages) ? pages : writePwgRaster(pages));
    return convertToPdf({ file, format: 'image/pwg-raster' });
  }

  it('decodes sGray 8-bit literals, pixel repeats and line repeats to the exact pixels', async () => {
    // Lines 0–2 are all literal, 3–6 one line repeated 4 times, 7–9 a 12-pixel run then literals.
    const value = (x: number, y: number) => (y < 3 ? (x * 13 + y * 7) & 255 : y < 7 ? 200 : x < 12 ? 40 : (x * 29 + y) & 255);
    const gray = page({ width: 20, height: 10, colorSpace: 'sgray', bitsPerColor: 8 }, value);
    const raster = writePwgRaster([gray]);
    expect(raster.length).toBeLessThan(4 + 1796 + 20 * 10); // really compressed

    const { pdf, pages } = await convertRaster([gray]);
    expect(pages).toBe(1);
    const [image] = await pageImages(pdf);
    expect(image!.page).toEqual({ width: 20, height: 10 });
    expect(image!).toMatchObject({ width: 20, height: 10, colorSpace: '/DeviceGray', bitsPerComponent: 8 });
    const expected = Buffer.alloc(200);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 20; x++) expected[y * 20 + x] = value(x, y);
    expect(image!.pixels.equals(expected)).toBe(true);
  });

  it('decodes sRGB 8-bit with runs longer than 128 pixels and more than 256 repeated lines', async () => {
    const color = (x: number, y: number, c: number) => (y < 300 ? [250, 10, 20][c]! : x < 200 ? [30, 40, 240][c]! : (x + y * 3 + c * 50) & 255);
    const rgbPage = page({ width: 300, height: 310, colorSpace: 'srgb', bitsPerColor: 8, resolution: 150 }, color);

    const [image] = await pageImages((await convertRaster([rgbPage])).pdf);
    expect(image!).toMatchObject({ width: 300, height: 310, colorSpace: '/DeviceRGB', bitsPerComponent: 8 });
    expect(image!.page).toEqual({ width: 144, height: 149 }); // 300 x 310 px at 150 dpi, rounded by the writer
    const expected = Buffer.alloc(300 * 310 * 3);
    for (let y = 0; y < 310; y++) for (let x = 0; x < 300; x++) for (let c = 0; c < 3; c++) expected[(y * 300 + x) * 3 + c] = color(x, y, c);
    expect(image!.pixels.equals(expected)).toBe(true);
  });

  it('turns Black 1-bit (1 = ink) into DeviceGray 1-bit (1 = white)', async () => {
    const ink = (x: number, y: number) => ((x + y) % 3 === 0 || x === 11 ? 1 : 0);
    const lines = Array.from({ length: 6 }, (_, y) => {
      const line = Buffer.alloc(2); // 12 pixels, 4 padding bits
      for (let x = 0; x < 12; x++) if (ink(x, y)) line[x >> 3]! |= 0x80 >> (x & 7);
      return line;
    });
    const [image] = await pageImages((await convertRaster([{ width: 12, height: 6, colorSpace: 'black', bitsPerColor: 1, line: (y) => lines[y]! }])).pdf);
    expect(image!).toMatchObject({ width: 12, height: 6, colorSpace: '/DeviceGray', bitsPerComponent: 1 });
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 12; x++) {
        const white = (image!.pixels[y * 2 + (x >> 3)]! >> (7 - (x & 7))) & 1;
        expect(white).toBe(1 - ink(x, y));
      }
    }
  });

  it('maps CMYK 8-bit to RGB', async () => {
    const inks = [
      [0, 0, 0, 0],
      [255, 0, 0, 0],
      [0, 128, 0, 0],
      [0, 0, 0, 255],
      [255, 255, 255, 0],
      [0, 0, 255, 128],
    ];
    const cmyk = page({ width: inks.length, height: 2, colorSpace: 'cmyk', bitsPerColor: 8 }, (x, _y, c) => inks[x]![c]!);
    const [image] = await pageImages((await convertRaster([cmyk])).pdf);
    expect(image!.colorSpace).toBe('/DeviceRGB');
    const pixel = (x: number) => [...image!.pixels.subarray(x * 3, x * 3 + 3)];
    expect(inks.map((_, x) => pixel(x))).toEqual([
      [255, 255, 255],
      [0, 255, 255],
      [255, 127, 255],
      [0, 0, 0],
      [0, 0, 0],
      [127, 127, 0],
    ]);
  });

  it('keeps the high byte of 16-bit sGray and sRGB samples', async () => {
    const gray16 = page({ width: 4, height: 3, colorSpace: 'sgray', bitsPerColor: 16 }, (x) => [0x0000, 0x12ff, 0x8001, 0xffff][x]!);
    const rgb16 = page({ width: 2, height: 2, colorSpace: 'srgb', bitsPerColor: 16 }, (x, _y, c) => (x === 0 ? [0xff00, 0x7f7f, 0x0100][c]! : 0xabcd));
    const [gray, color] = await pageImages((await convertRaster([gray16, rgb16])).pdf);
    expect(gray!).toMatchObject({ colorSpace: '/DeviceGray', bitsPerComponent: 8 });
    expect([...gray!.pixels.subarray(0, 4)]).toEqual([0x00, 0x12, 0x80, 0xff]);
    expect(color!).toMatchObject({ colorSpace: '/DeviceRGB', bitsPerComponent: 8 });
    expect([...color!.pixels.subarray(0, 6)]).toEqual([0xff, 0x7f, 0x01, 0xab, 0xab, 0xab]);
  });

  it('fills to the end of the line with white on code 128 (255 for sGray, no ink for Black)', async () => {
    const gray = page({ width: 40, height: 2, colorSpace: 'sgray', bitsPerColor: 8, fillWhiteToEnd: true }, (x) => (x < 5 ? 10 : 255));
    expect(encodeLine(gray.line(0), 1, 255).at(-1)).toBe(128); // the writer really used the code
    const black = {
      width: 64,
      height: 1,
      colorSpace: 'black',
      bitsPerColor: 1,
      fillWhiteToEnd: true,
      line: () => Buffer.from([0xf0, 0, 0, 0, 0, 0, 0, 0]),
    } as const;
    const [grayImage, blackImage] = await pageImages((await convertRaster([gray, black])).pdf);
    expect([...grayImage!.pixels.subarray(0, 40)]).toEqual(Array.from({ length: 40 }, (_, x) => (x < 5 ? 10 : 255)));
    expect([...blackImage!.pixels]).toEqual([0x0f, 255, 255, 255, 255, 255, 255, 255]);
  });

  it('makes one page per raster page, each sized from its own header', async () => {
    const blank = (width: number, height: number, extra: Partial<PwgTestPage>) =>
      page({ width, height, colorSpace: 'sgray', bitsPerColor: 8, ...extra }, () => 255);
    const { pdf, pages } = await convertRaster([
      blank(83, 117, { resolution: 10, pageSize: [595, 842] }), // A4 at 10 dpi
      blank(170, 110, { resolution: 20, pageSize: [612, 396] }), // half letter, landscape
      blank(30, 60, { resolution: [30, 60], pageSize: [0, 0] }), // no size declared: the raster's own
    ]);
    expect(pages).toBe(3);
    const images = await pageImages(pdf);
    expect(images.map((i) => i.page)).toEqual([
      { width: 595, height: 842 },
      { width: 612, height: 396 },
      { width: 72, height: 72 },
    ]);
    expect(images.map((i) => [i.width, i.height])).toEqual([
      [83, 117],
      [170, 110],
      [30, 60],
    ]);
  });

  gs.it('converts a raster that Ghostscript rendered from a PDF page (sGray 8 and Black 1)', async () => {
    const source = await PDFDocument.create();
    source.addPage([288, 432]).drawRectangle({ x: 72, y: 216, width: 144, height: 144, color: rgb(0, 0, 0) }); // 4x6 in, a black square
    const sourceFile = join(dir, 'source.pdf');
    await writeFile(sourceFile, await source.save());
    for (const [name, args] of [
      ['gray', ['-dcupsColorSpace=18', '-dcupsBitsPerColor=8']],
      ['black', []],
    ] as const) {
      const rasterFile = join(dir, `${name}.pwg`);
      await run(gs.path('gs'), ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=pwgraster', '-r36', ...args, `-sOutputFile=${rasterFile}`, sourceFile]);
      const { pdf, pages } = await convertToPdf({ file: rasterFile, format: 'image/pwg-raster' });
      expect(pages).toBe(1);
      const [image] = await pageImages(pdf);
      expect(image!.page).toEqual({ width: 288, height: 432 });
      expect([image!.width, image!.height]).toEqual([144, 216]);
      // 36 dpi: the square spans x 36..108 and, from the top, y 36..108.
      const isDark = (x: number, y: number) =>
        name === 'gray' ? image!.pixels[y * 144 + x]! < 64 : ((image!.pixels[y * 18 + (x >> 3)]! >> (7 - (x & 7))) & 1) === 0;
      expect(isDark(72, 72)).toBe(true);
      expect(isDark(40, 100)).toBe(true);
      expect(isDark(10, 10)).toBe(false);
      expect(isDark(72, 150)).toBe(false);
    }
  });

  it('refuses a truncated raster as corrupt_image, saying where it ends', async () => {
    const full = writePwgRaster([
      page({ width: 50, height: 40, colorSpace: 'srgb', bitsPerColor: 8 }, (x, y, c) => (x * 5 + y * 3 + c) & 255),
      page({ width: 10, height: 10, colorSpace: 'sgray', bitsPerColor: 8 }, () => 0),
    ]);
    await expectConversionError(convertRaster(full.subarray(0, 4 + 1796 + 1000)), 'corrupt_image', /truncated in page 1, at line \d+ of 40/);
    const firstPageEnd = full.length - 1796 - 3; // page 2 is a header and one 3-byte line
    await expectConversionError(convertRaster(full.subarray(0, firstPageEnd + 100)), 'corrupt_image', /truncated inside the header of page 2/);
    await expectConversionError(convertRaster(full.subarray(0, full.length - 1)), 'corrupt_image', /truncated in page 2, at line 1 of 10/);
    await expectConversionError(convertRaster(Buffer.from('RaS2')), 'corrupt_image', /contains no pages/);
    await expectConversionError(convertRaster(Buffer.from('%PDF-1.7 not a raster')), 'corrupt_image', /not a PWG raster stream/);
  });

  it('refuses absurd dimensions as too_large before allocating the page', async () => {
    const huge = page({ width: 100_000, height: 100_000, colorSpace: 'srgb', bitsPerColor: 8 }, () => 0);
    // Only the header: were the page decoded or allocated first, this would fail differently (or run out of memory).
    const raster = Buffer.concat([Buffer.from('RaS2'), pwgPageHeader(huge)]);
    const before = process.memoryUsage().arrayBuffers;
    await expectConversionError(convertRaster(raster), 'too_large', /100000 x 100000 pixels \(28610 MB decoded, at most 256 MB\)/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
    const wide = page({ width: 2_000_000, height: 1, colorSpace: 'srgb', bitsPerColor: 8 }, () => 0);
    await expectConversionError(convertRaster(Buffer.concat([Buffer.from('RaS2'), pwgPageHeader(wide)])), 'too_large', /too wide: 2000000 x 1 pixels/);
  });

  it('refuses unsupported and inconsistent headers with clear reasons', async () => {
    const base = { width: 8, height: 1, colorSpace: 'sgray', bitsPerColor: 8 } as const;
    const withHeader = (overrides: Record<number, number>) => page({ ...base, headerOverrides: overrides }, () => 0);
    await expectConversionError(convertRaster([withHeader({ 400: 48 })]), 'unsupported_format', /colour space 48/);
    await expectConversionError(convertRaster([withHeader({ 384: 4, 388: 4 })]), 'unsupported_format', /4 bits per colour/);
    await expectConversionError(convertRaster([withHeader({ 396: 2 })]), 'unsupported_format', /planes or bands/);
    await expectConversionError(convertRaster([withHeader({ 392: 9 })]), 'corrupt_image', /needs 8 bytes, but the header says 9/);
    await expectConversionError(convertRaster([withHeader({ 276: 0 })]), 'corrupt_image', /resolution is 0 dpi/);
  });

  it('converts a 600 dpi A4 RGB page without holding the decoded page in memory', async () => {
    const width = 4961;
    const height = 7016;
    const white = Buffer.alloc(width * 3, 255);
    const stripe = Buffer.alloc(width * 3, 255).fill(0, 0, 600 * 3); // a black bar down the left side
    const a4: PwgTestPage = {
      width,
      height,
      colorSpace: 'srgb',
      bitsPerColor: 8,
      resolution: 600,
      pageSize: [595, 842],
      fillWhiteToEnd: true,
      line: (y) => (y >= 3000 && y < 4000 ? stripe : white),
    };
    const file = join(dir, 'a4-600.pwg');
    await writeFile(file, writePwgRaster([a4]));

    let peak = 0;
    const baseline = process.memoryUsage().arrayBuffers;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline)), 2);
    const { pdf, pages } = await convertToPdf({ file, format: 'image/pwg-raster' }).finally(() => clearInterval(sampler));
    expect(pages).toBe(1);
    expect(peak).toBeLessThan(24 * 1024 * 1024); // the decoded page alone would be 104 MB
    const [image] = await pageImages(pdf);
    expect([image!.width, image!.height]).toEqual([width, height]);
    const at = (x: number, y: number) => [...image!.pixels.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)];
    expect(at(10, 3500)).toEqual([0, 0, 0]);
    expect(at(700, 3500)).toEqual([255, 255, 255]);
    expect(at(10, 100)).toEqual([255, 255, 255]);
  });
});
