// A printed PDF is kept byte for byte; its pages are counted when pdf-lib can read it.
import { ConversionError } from './conversion-error.ts';
import { loadPdfLib } from './pdf-library.ts';

/** PDF readers accept up to 1024 bytes of junk before the header, so this looks that far. */
const HEADER_SEARCH_BYTES = 1024;
/** Counting pages parses the whole file: skip it for very large documents (the count is informative only). */
const MAX_BYTES_TO_COUNT = 64 * 1024 * 1024;

export function looksLikePdf(bytes: Buffer): boolean {
  return bytes.subarray(0, HEADER_SEARCH_BYTES).includes('%PDF-');
}

export async function passThroughPdf(bytes: Buffer): Promise<{ pdf: Buffer; pages: number | null }> {
  if (!looksLikePdf(bytes)) throw new ConversionError('corrupt_image', 'The document was sent as PDF but has no PDF header ("%PDF-").');
  return { pdf: bytes, pages: await countPages(bytes) };
}

/** The page count, or null when the PDF is too large to parse here or pdf-lib cannot read it. */
async function countPages(bytes: Buffer): Promise<number | null> {
  if (bytes.length > MAX_BYTES_TO_COUNT) return null;
  try {
    const { PDFDocument } = await loadPdfLib();
    const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
    return doc.getPageCount();
  } catch {
    return null;
  }
}
