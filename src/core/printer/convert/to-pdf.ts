// Everything the virtual printer accepts becomes PDF here, because the pipeline and the hub take PDF:
// PDF passes through unchanged, a JPEG becomes one page, a PWG raster one page per raster page.
import { open, readFile } from 'node:fs/promises';
import { ConversionError } from './conversion-error.ts';
import { jpegToPdf } from './jpeg-to-pdf.ts';
import { passThroughPdf, looksLikePdf } from './pdf-passthrough.ts';
import { DEFAULT_RASTER_LIMITS, pwgRasterToPdf, type RasterLimits } from './pwg-raster-to-pdf.ts';
import { PWG_SYNC_WORD } from './pwg-raster-header.ts';

export { ConversionError } from './conversion-error.ts';

const CONVERTIBLE_FORMATS = ['application/pdf', 'image/jpeg', 'image/pwg-raster'] as const;

export interface ConversionInput {
  file: string;
  /** The IPP document-format (MIME type); application/octet-stream is recognised by content. */
  format: string;
  /** A PWG self-describing media name (e.g. iso_a4_210x297mm): the page size for images. */
  media?: string | null;
}

/** `pages` is null only for a passed-through PDF that pdf-lib cannot count. */
export async function convertToPdf(input: ConversionInput, limits: RasterLimits = DEFAULT_RASTER_LIMITS): Promise<{ pdf: Buffer; pages: number | null }> {
  let format = input.format.split(';')[0]!.trim().toLowerCase();
  if (format === 'application/octet-stream') format = await sniffFormat(input.file);
  switch (format) {
    case 'application/pdf':
      return passThroughPdf(await readFile(input.file));
    case 'image/jpeg':
      return jpegToPdf(await readFile(input.file), input.media);
    case 'image/pwg-raster':
      return pwgRasterToPdf(input.file, limits);
    default:
      throw new ConversionError('unsupported_format', `Documents of type "${input.format}" cannot be printed here; send ${CONVERTIBLE_FORMATS.join(', ')}.`);
  }
}

/** The format of an untyped document from its first bytes, or application/octet-stream when unknown. */
async function sniffFormat(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    if (bytes.subarray(0, 4).toString('latin1') === PWG_SYNC_WORD) return 'image/pwg-raster';
    if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
    if (looksLikePdf(bytes)) return 'application/pdf';
    return 'application/octet-stream';
  } finally {
    await handle.close();
  }
}
