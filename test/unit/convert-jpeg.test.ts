import { afterEach, beforeEach, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, decodePDFRawStream } from 'pdf-lib';
import { ConversionError, convertToPdf } from '../../src/core/printer/convert/to-pdf.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { needs } from '../helpers/system-tools.ts';

const run = promisify(execFile);
/** Ghostscript makes the test JPEGs and renders the PDFs back to pixels. */
const gs = needs('gs');

/** 40 x 20 pt: the left half red, the right half blue. */
const RED_BLUE_PS = `<< /PageSize [40 20] >> setpagedevice
1 0 0 setrgbcolor 0 0 20 20 rectfill 0 0 1 setrgbcolor 20 0 20 20 rectfill showpage`;

interface PlacedImage {
  page: { width: number; height: number };
  dict: { width: number; height: number; colorSpace: string; filter: string; decode: string | null };
  data: Buffer;
  /** The `cm` operands the page's content stream draws the image with. */
  matrix: number[];
}

async function onlyImage(pdf: Buffer): Promise<PlacedImage> {
  const doc = await PDFDocument.load(pdf);
  expect(doc.getPageCount()).toBe(1);
  const page = doc.getPage(0);
  const xObjects = page.node.Resources()!.lookup(PDFName.of('XObject'), PDFDict);
  expect(xObjects.keys()).toHaveLength(1);
  const image = xObjects.lookup(xObjects.keys()[0]!);
  if (!(image instanceof PDFRawStream)) throw new Error('no image XObject');
  const contents = page.node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((ref) => doc.context.lookup(ref)) : [contents];
  const operators = streams
    .map((stream) => {
      if (!(stream instanceof PDFRawStream)) throw new Error('no content stream');
      return Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
    })
    .join('\n');
  const cm = /((?:-?[\d.]+\s+){6})cm/.exec(operators);
  return {
    page: page.getSize(),
    dict: {
      width: image.dict.lookup(PDFName.of('Width'), PDFNumber).asNumber(),
      height: image.dict.lookup(PDFName.of('Height'), PDFNumber).asNumber(),
      colorSpace: String(image.dict.lookup(PDFName.of('ColorSpace'))),
      filter: String(image.dict.lookup(PDFName.of('Filter'))),
      decode: image.dict.lookup(PDFName.of('Decode'))?.toString() ?? null,
    },
    data: Buffer.from(image.getContents()),
    matrix: cm![1]!.trim().split(/\s+/).map(Number),
  };
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 1));
}

/** An EXIF APP1 segment (little-endian TIFF) holding only an orientation tag. */
function exifOrientation(orientation: number): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8); // one entry
  tiff.writeUInt16LE(0x0112, 10);
  tiff.writeUInt16LE(3, 12); // SHORT
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt16LE(orientation, 18);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([header, body]);
}

/** The JPEG with an EXIF segment inserted after its JFIF APP0 segment. */
function withExif(jpeg: Buffer, orientation: number): Buffer {
  const afterApp0 = 4 + jpeg.readUInt16BE(4);
  return Buffer.concat([jpeg.subarray(0, afterApp0), exifOrientation(orientation), jpeg.subarray(afterApp0)]);
}

gs.describe('convertToPdf: JPEG', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir('recapito-jpeg-')));
  afterEach(() => cleanup());

  async function ghostscriptJpeg(device: 'jpeg' | 'jpeggray' | 'jpegcmyk', dpi: number): Promise<Buffer> {
    const ps = join(dir, 'drawing.ps');
    const jpeg = join(dir, `${device}-${dpi}.jpg`);
    await writeFile(ps, RED_BLUE_PS);
    await run(gs.path('gs'), ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', `-sDEVICE=${device}`, `-r${dpi}`, `-sOutputFile=${jpeg}`, ps]);
    return readFile(jpeg);
  }

  async function convertJpeg(bytes: Buffer, media?: string | null) {
    const file = join(dir, `job-${Math.random().toString(36).slice(2)}.jpg`);
    await writeFile(file, bytes);
    return convertToPdf({ file, format: 'image/jpeg', media });
  }

  /** Renders the PDF's page with Ghostscript and returns an RGB pixel reader. */
  async function render(pdf: Buffer, dpi: number): Promise<(x: number, y: number) => number[]> {
    const pdfFile = join(dir, 'render.pdf');
    const ppmFile = join(dir, 'render.ppm');
    await writeFile(pdfFile, pdf);
    await run(gs.path('gs'), ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=ppmraw', `-r${dpi}`, `-sOutputFile=${ppmFile}`, pdfFile]);
    const ppm = await readFile(ppmFile);
    const header = /^P6\s+(?:#.*\n\s*)*(\d+)\s+\d+\s+255\s/.exec(ppm.toString('latin1', 0, 200))!; // may carry a # comment
    const width = Number(header[1]);
    const start = header[0].length;
    return (x, y) => [...ppm.subarray(start + (y * width + x) * 3, start + (y * width + x) * 3 + 3)];
  }

  const dominant = (pixel: number[]) => (pixel.every((v) => v > 200) ? 'white' : ['red', 'green', 'blue'][pixel.indexOf(Math.max(...pixel))]);

  it('embeds the JPEG bytes unchanged on one page of the requested media, fitted and centred', async () => {
    const jpeg = await ghostscriptJpeg('jpeg', 150); // 83 x 42 pixels
    for (const [media, width, height] of [
      ['iso_a4_210x297mm', 595.28, 841.89],
      ['na_letter_8.5x11in', 612, 792],
      ['na_index-4x6_4x6in', 288, 432],
    ] as const) {
      const { pdf, pages } = await convertJpeg(jpeg, media);
      expect(pages).toBe(1);
      const image = await onlyImage(pdf);
      expect(image.page.width).toBeCloseTo(width, 1);
      expect(image.page.height).toBeCloseTo(height, 1);
      expect(image.dict).toEqual({ width: 83, height: 42, colorSpace: '/DeviceRGB', filter: '/DCTDecode', decode: null });
      expect(image.data.equals(jpeg)).toBe(true); // no recompression
      const drawnHeight = (width * 42) / 83; // landscape image on portrait media: the width limits
      expectClose(image.matrix, [width, 0, 0, drawnHeight, 0, (height - drawnHeight) / 2]);
    }
  });

  it('sizes the page from the image resolution without media, 300 dpi when none is declared', async () => {
    const jpeg = await ghostscriptJpeg('jpeg', 150);
    const declared = await onlyImage((await convertJpeg(jpeg, null)).pdf);
    expect(declared.page.width).toBeCloseTo((83 * 72) / 150, 2);
    expect(declared.page.height).toBeCloseTo((42 * 72) / 150, 2);
    expectClose(declared.matrix, [declared.page.width, 0, 0, declared.page.height, 0, 0]);

    const aspectOnly = Buffer.from(jpeg);
    expect(aspectOnly.toString('latin1', 6, 11)).toBe('JFIF\0');
    aspectOnly[13] = 0; // density units: none (aspect ratio only)
    const undeclared = await onlyImage((await convertJpeg(aspectOnly, 'not-a-size')).pdf); // unknown media names fall back too
    expect(undeclared.page.width).toBeCloseTo((83 * 72) / 300, 2);
    expect(undeclared.page.height).toBeCloseTo((42 * 72) / 300, 2);
  });

  it('honours the EXIF orientation (what a viewer shows is what gets printed)', async () => {
    const jpeg = await ghostscriptJpeg('jpeg', 72); // 40 x 20: red left, blue right
    // Shown 20 x 40, fitted to 4 x 6 in: drawn 216 x 432 pt from x = 36.
    const expectations = [
      [6, ['red', 'blue'], [0, -432, 216, 0, 36, 432]], // quarter turn clockwise: the left half ends up on top
      [8, ['blue', 'red'], [0, 432, -216, 0, 252, 0]], // anticlockwise: the left half ends up at the bottom
    ] as const;
    for (const [orientation, [top, bottom], matrix] of expectations) {
      const { pdf } = await convertJpeg(withExif(jpeg, orientation), 'na_index-4x6_4x6in');
      const image = await onlyImage(pdf);
      expect([image.dict.width, image.dict.height]).toEqual([40, 20]); // stored as is, turned by the matrix
      expectClose(image.matrix, [...matrix]);
      const pixel = await render(pdf, 10); // 40 x 60 pixels
      expect(dominant(pixel(20, 15))).toBe(top);
      expect(dominant(pixel(20, 45))).toBe(bottom);
      expect(dominant(pixel(2, 30))).toBe('white'); // 20 x 40 shown on 4 x 6 in: margins left and right
    }
    const halfTurn = await render((await convertJpeg(withExif(jpeg, 3), 'custom_40x20mm')).pdf, 72);
    expect(dominant(halfTurn(25, 28))).toBe('blue'); // 113 x 57 pixels: blue now on the left
    expect(dominant(halfTurn(90, 28))).toBe('red');
  });

  it('embeds grayscale JPEGs as DeviceGray and Adobe CMYK JPEGs with inverted decoding', async () => {
    const gray = await onlyImage((await convertJpeg(await ghostscriptJpeg('jpeggray', 72), 'iso_a6_105x148mm')).pdf);
    expect(gray.dict).toMatchObject({ colorSpace: '/DeviceGray', filter: '/DCTDecode', decode: null });

    const cmykJpeg = await ghostscriptJpeg('jpegcmyk', 72);
    const { pdf } = await convertJpeg(cmykJpeg, 'custom_40x20mm');
    const cmyk = await onlyImage(pdf);
    expect(cmyk.dict).toMatchObject({ colorSpace: '/DeviceCMYK', decode: '[ 1 0 1 0 1 0 1 0 ]' });
    const pixel = await render(pdf, 72);
    expect(dominant(pixel(25, 28))).toBe('red');
    expect(dominant(pixel(90, 28))).toBe('blue');
  });

  it('refuses damaged and unembeddable JPEGs with clear reasons', async () => {
    const jpeg = await ghostscriptJpeg('jpeg', 72);
    const reject = async (bytes: Buffer, code: ConversionError['code'], message: RegExp) => {
      const error = await convertJpeg(bytes).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConversionError);
      expect((error as ConversionError).code).toBe(code);
      expect((error as ConversionError).message).toMatch(message);
    };
    await reject(jpeg.subarray(0, jpeg.length - 20), 'corrupt_image', /truncated \(no end-of-image marker\)/);
    await reject(jpeg.subarray(0, 30), 'corrupt_image', /cut short|ends/);
    await reject(Buffer.from('GIF89a not a jpeg at all'), 'corrupt_image', /start-of-image/);

    const frame = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    const arithmetic = Buffer.from(jpeg);
    arithmetic[frame + 1] = 0xc9;
    await reject(arithmetic, 'unsupported_format', /arithmetic-coded/);
    const twelveBit = Buffer.from(jpeg);
    twelveBit[frame + 4] = 12;
    await reject(twelveBit, 'unsupported_format', /12-bit samples/);
  });
});
