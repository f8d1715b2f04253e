import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { ConversionError, convertToPdf } from '../../src/core/printer/convert/to-pdf.ts';
import { parseMediaSize } from '../../src/core/printer/convert/media-size.ts';
import { writePwgRaster } from '../helpers/pwg-raster.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { needs } from '../helpers/system-tools.ts';

const run = promisify(execFile);
const gs = needs('gs');

describe('convertToPdf', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir('recapito-convert-')));
  afterEach(() => cleanup());

  async function saved(name: string, bytes: Uint8Array): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, bytes);
    return file;
  }

  async function conversionError(promise: Promise<unknown>): Promise<ConversionError> {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConversionError);
    return error as ConversionError;
  }

  it('passes a PDF through byte for byte and counts its pages', async () => {
    const doc = await PDFDocument.create();
    for (let i = 0; i < 3; i++) doc.addPage([595, 842]);
    const bytes = Buffer.from(await doc.save());
    const result = await convertToPdf({ file: await saved('three.pdf', bytes), format: 'application/pdf', media: 'iso_a4_210x297mm' });
    expect(result.pdf.equals(bytes)).toBe(true);
    expect(result.pages).toBe(3);
  });

  it('keeps a PDF it cannot count (pages null) and refuses bytes that are no PDF at all', async () => {
    const damaged = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> garbage without xref or trailer');
    const result = await convertToPdf({ file: await saved('damaged.pdf', damaged), format: 'application/pdf' });
    expect(result.pdf.equals(damaged)).toBe(true);
    expect(result.pages).toBeNull();

    const error = await conversionError(convertToPdf({ file: await saved('text.pdf', Buffer.from('just some text')), format: 'application/pdf' }));
    expect(error.code).toBe('corrupt_image');
    expect(error.message).toMatch(/no PDF header/);
  });

  it('refuses formats it cannot turn into PDF, naming the ones it can', async () => {
    const file = await saved('note.txt', Buffer.from('hello'));
    const error = await conversionError(convertToPdf({ file, format: 'text/plain' }));
    expect(error.code).toBe('unsupported_format');
    expect(error.message).toBe('Documents of type "text/plain" cannot be printed here; send application/pdf, image/jpeg, image/pwg-raster.');
  });

  gs.it('accepts MIME types with parameters or capitals, and recognises application/octet-stream by content', async () => {
    const jpegFile = join(dir, 'photo.jpg');
    const ps = await saved('square.ps', Buffer.from('<< /PageSize [20 20] >> setpagedevice 0 0 10 10 rectfill showpage'));
    await run(gs.path('gs'), ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=jpeg', '-r72', `-sOutputFile=${jpegFile}`, ps]);
    const jpeg = await readFile(jpegFile);
    const raster = writePwgRaster([{ width: 8, height: 2, colorSpace: 'sgray', bitsPerColor: 8, line: () => Buffer.alloc(8, 255) }]);
    const pdf = makePdf('printed');

    const fromJpeg = await convertToPdf({ file: jpegFile, format: 'Image/JPEG; charset=binary' });
    expect((await PDFDocument.load(fromJpeg.pdf)).getPageCount()).toBe(1);

    const sniffed = await Promise.all([
      convertToPdf({ file: jpegFile, format: 'application/octet-stream', media: 'iso_a5_148x210mm' }),
      convertToPdf({ file: await saved('job.pwg', raster), format: 'application/octet-stream' }),
      convertToPdf({ file: await saved('job.pdf', pdf), format: 'application/octet-stream' }),
    ]);
    expect(sniffed.map((r) => r.pages)).toEqual([1, 1, 1]);
    const [a5Page] = (await PDFDocument.load(sniffed[0].pdf)).getPages();
    expect(a5Page!.getSize().width).toBeCloseTo(419.53, 1); // the JPEG was laid out on A5
    expect(sniffed[0].pdf.equals(jpeg)).toBe(false);
    expect((await PDFDocument.load(sniffed[1].pdf)).getPage(0).getSize()).toEqual({ width: 8, height: 2 });
    expect(sniffed[2].pdf.equals(pdf)).toBe(true);

    const unknown = await conversionError(convertToPdf({ file: await saved('blob.bin', Buffer.from('PK\x03\x04 zip?')), format: 'application/octet-stream' }));
    expect(unknown.code).toBe('unsupported_format');
  });

  it('reads page sizes from PWG self-describing media names', () => {
    const size = (media: string | null) => {
      const parsed = parseMediaSize(media);
      return parsed && [Number(parsed.width.toFixed(2)), Number(parsed.height.toFixed(2))];
    };
    expect(size('iso_a4_210x297mm')).toEqual([595.28, 841.89]);
    expect(size('na_letter_8.5x11in')).toEqual([612, 792]);
    expect(size('na_index-4x6_4x6in')).toEqual([288, 432]);
    expect(size('jpn_hagaki_100x148mm')).toEqual([283.46, 419.53]);
    expect(size('custom_max_0x0mm')).toBeNull();
    expect(size('A4')).toBeNull();
    expect(size(null)).toBeNull();
  });
});
