// Adds a page that shows one image XObject: the image bytes go into the PDF as given (already
// DCT- or Flate-encoded), so nothing is decoded or recompressed here.
import type { PDFDocument } from 'pdf-lib';
import { loadPdfLib, loadedPdfLib } from './pdf-library.ts';
import type { PageSizePoints } from './media-size.ts';
import type { PdfMatrix } from './image-placement.ts';

export interface EncodedImage {
  width: number;
  height: number;
  colorSpace: 'DeviceGray' | 'DeviceRGB' | 'DeviceCMYK';
  bitsPerComponent: 1 | 8;
  filter: 'DCTDecode' | 'FlateDecode';
  data: Uint8Array;
  /** Sample inversion, e.g. Adobe CMYK JPEGs store ink amounts inverted. */
  decode?: number[];
}

export async function newPdfDocument(): Promise<PDFDocument> {
  const { PDFDocument } = await loadPdfLib();
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setProducer('Recapito');
  return doc;
}

export function addImagePage(doc: PDFDocument, page: PageSizePoints, image: EncodedImage, matrix: PdfMatrix): void {
  const dict: Record<string, unknown> = {
    Type: 'XObject',
    Subtype: 'Image',
    Width: image.width,
    Height: image.height,
    ColorSpace: image.colorSpace,
    BitsPerComponent: image.bitsPerComponent,
    Filter: image.filter,
  };
  if (image.decode) dict.Decode = image.decode;
  const imageRef = doc.context.register(doc.context.stream(image.data, dict as Parameters<typeof doc.context.stream>[1]));
  const pdfPage = doc.addPage([page.width, page.height]);
  const name = pdfPage.node.newXObject('Image', imageRef);
  const { concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } = loadedPdfLib(); // `doc` exists: loaded
  pdfPage.pushOperators(pushGraphicsState(), concatTransformationMatrix(...matrix), drawObject(name), popGraphicsState());
}

export async function savePdf(doc: PDFDocument): Promise<Buffer> {
  const bytes = await doc.save();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
