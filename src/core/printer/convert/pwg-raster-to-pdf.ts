// A PWG raster stream (PWG 5102.4) becomes a PDF with one image page per raster page. Pages are
// decoded line by line straight into a Flate stream, so memory holds one line, a few bands and
// the compressed pages: never a whole decoded page, never the whole input file.
import type { PDFDocument } from 'pdf-lib';
import { ConversionError } from './conversion-error.ts';
import { BufferedFileReader } from './buffered-file-reader.ts';
import { PWG_HEADER_BYTES, PWG_SYNC_WORD, parsePwgPageHeader, type PwgPageHeader } from './pwg-raster-header.ts';
import { TruncatedLineError, decodePwgLine, maxEncodedLineBytes } from './pwg-line-decoder.ts';
import { convertPwgLine, pdfRowFormat } from './pwg-pixels.ts';
import { FlateRowSink } from './flate-row-sink.ts';
import { placementMatrix } from './image-placement.ts';
import { addImagePage, newPdfDocument, savePdf } from './pdf-image-page.ts';

export interface RasterLimits {
  /** Largest decoded page (width x height x bytes per pixel): 600 dpi A3 RGB fits, absurd sizes do not. */
  maxPageBytes: number;
  maxPages: number;
}

export const DEFAULT_RASTER_LIMITS: RasterLimits = { maxPageBytes: 256 * 1024 * 1024, maxPages: 1000 };

/** A line wider than this is refused before any buffer is sized from it (44 in at 600 dpi RGB is ~160 KB). */
const MAX_BYTES_PER_LINE = 4 * 1024 * 1024;

export async function pwgRasterToPdf(file: string, limits: RasterLimits = DEFAULT_RASTER_LIMITS): Promise<{ pdf: Buffer; pages: number }> {
  const reader = await BufferedFileReader.open(file);
  try {
    await reader.fill(PWG_SYNC_WORD.length);
    if (reader.bytes.toString('latin1', reader.start, reader.start + PWG_SYNC_WORD.length) !== PWG_SYNC_WORD) {
      throw new ConversionError('corrupt_image', `The document is not a PWG raster stream: it does not start with "${PWG_SYNC_WORD}".`);
    }
    reader.consume(PWG_SYNC_WORD.length);
    const doc = await newPdfDocument();
    let pages = 0;
    for (;;) {
      await reader.fill(PWG_HEADER_BYTES);
      if (reader.available === 0 && pages > 0) break;
      const pageNumber = pages + 1;
      if (reader.available < PWG_HEADER_BYTES) {
        throw new ConversionError(
          'corrupt_image',
          pages === 0 ? 'The PWG raster contains no pages.' : `The PWG raster is truncated inside the header of page ${pageNumber}.`,
        );
      }
      const header = parsePwgPageHeader(reader.bytes.subarray(reader.start, reader.start + PWG_HEADER_BYTES), pageNumber);
      reader.consume(PWG_HEADER_BYTES);
      checkLimits(header, pageNumber, limits);
      addRasterPage(doc, header, await deflatePage(reader, header, pageNumber));
      pages = pageNumber;
    }
    return { pdf: await savePdf(doc), pages };
  } finally {
    await reader.close();
  }
}

function checkLimits(header: PwgPageHeader, pageNumber: number, limits: RasterLimits): void {
  const size = `${header.width} x ${header.height} pixels`;
  if (header.bytesPerLine > MAX_BYTES_PER_LINE) {
    throw new ConversionError(
      'too_large',
      `Page ${pageNumber} of the PWG raster is too wide: ${size}, ${header.bytesPerLine} bytes per line (at most ${MAX_BYTES_PER_LINE}).`,
    );
  }
  const pageBytes = header.bytesPerLine * header.height;
  if (pageBytes > limits.maxPageBytes) {
    const megabytes = (bytes: number) => Math.floor(bytes / 1024 / 1024);
    throw new ConversionError(
      'too_large',
      `Page ${pageNumber} of the PWG raster is too large: ${size} (${megabytes(pageBytes)} MB decoded, at most ${megabytes(limits.maxPageBytes)} MB).`,
    );
  }
  if (pageNumber > limits.maxPages) throw new ConversionError('too_large', `The PWG raster has more than ${limits.maxPages} pages.`);
}

/** Decodes one page's lines and returns them as a Flate (zlib) stream of PDF image rows. */
async function deflatePage(reader: BufferedFileReader, header: PwgPageHeader, pageNumber: number): Promise<Buffer> {
  const format = pdfRowFormat(header);
  const sink = new FlateRowSink(format.bytesPerRow);
  const line = Buffer.alloc(header.bytesPerLine);
  const row = Buffer.alloc(format.bytesPerRow);
  const maxLine = maxEncodedLineBytes(header.bytesPerLine, header.bytesPerPixel);
  try {
    for (let y = 0; y < header.height;) {
      const truncated = () => new ConversionError('corrupt_image', `The PWG raster is truncated in page ${pageNumber}, at line ${y + 1} of ${header.height}.`);
      await reader.fill(maxLine);
      if (reader.available < 2) throw truncated();
      const repeat = reader.bytes[reader.start]! + 1;
      try {
        reader.consume(decodePwgLine(reader.bytes, reader.start + 1, reader.end, line, header.bytesPerPixel, format.whiteByte) - reader.start);
      } catch (error) {
        throw error instanceof TruncatedLineError ? truncated() : error;
      }
      convertPwgLine(header, line, row);
      const rows = Math.min(repeat, header.height - y); // a repeat past the last line is ignored, as CUPS does
      await sink.push(row, rows);
      y += rows;
    }
    return await sink.finish();
  } finally {
    sink.destroy();
  }
}

/** The raster drawn at its physical size from the top-left corner of the page it declares. */
function addRasterPage(doc: PDFDocument, header: PwgPageHeader, flateRows: Buffer): void {
  const format = pdfRowFormat(header);
  const imageWidth = (header.width * 72) / header.resolution.x;
  const imageHeight = (header.height * 72) / header.resolution.y;
  const declared = header.pageSize.width > 0 && header.pageSize.height > 0;
  const page = declared ? header.pageSize : { width: imageWidth, height: imageHeight };
  addImagePage(
    doc,
    page,
    {
      width: header.width,
      height: header.height,
      colorSpace: format.colorSpace,
      bitsPerComponent: format.bitsPerComponent,
      filter: 'FlateDecode',
      data: flateRows,
    },
    placementMatrix({ x: 0, y: page.height - imageHeight, width: imageWidth, height: imageHeight }),
  );
}
