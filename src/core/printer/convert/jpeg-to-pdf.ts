// A printed JPEG becomes one PDF page: the JPEG bytes are embedded unchanged (no recompression),
// scaled to fit the requested media with its aspect ratio kept, centred, EXIF orientation applied.
import { ConversionError } from './conversion-error.ts';
import { readJpegInfo, type JpegInfo } from './jpeg-info.ts';
import { parseMediaSize, type PageSizePoints } from './media-size.ts';
import { fitCentered, placementMatrix, swapsAxes } from './image-placement.ts';
import { addImagePage, newPdfDocument, savePdf } from './pdf-image-page.ts';

/** Used when the JPEG declares no plausible resolution: a sensible print size for scans and photos. */
const DEFAULT_JPEG_DPI = 300;
const MIN_DECLARED_DPI = 72;
const MAX_DECLARED_DPI = 2400;
/** PDF viewers' largest page side (200 inches). */
const MAX_PAGE_SIDE_POINTS = 14_400;

const COLOR_SPACES = { 1: 'DeviceGray', 3: 'DeviceRGB', 4: 'DeviceCMYK' } as const;

export async function jpegToPdf(bytes: Buffer, media: string | null | undefined): Promise<{ pdf: Buffer; pages: number }> {
  const info = readJpegInfo(bytes);
  const turned = swapsAxes(info.orientation);
  const shownWidth = turned ? info.height : info.width;
  const shownHeight = turned ? info.width : info.height;
  const page = parseMediaSize(media) ?? naturalPageSize(info, shownWidth, shownHeight, turned);
  const doc = await newPdfDocument();
  addImagePage(
    doc,
    page,
    {
      width: info.width,
      height: info.height,
      colorSpace: COLOR_SPACES[info.components],
      bitsPerComponent: 8,
      filter: 'DCTDecode',
      data: bytes,
      decode: info.components === 4 && info.adobe ? [1, 0, 1, 0, 1, 0, 1, 0] : undefined,
    },
    placementMatrix(fitCentered(page, shownWidth, shownHeight), info.orientation),
  );
  try {
    return { pdf: await savePdf(doc), pages: 1 };
  } catch (error) {
    throw new ConversionError('corrupt_image', `The JPEG image could not be written as PDF: ${(error as Error).message}.`);
  }
}

/** Without a media size, the page is the image at its declared resolution (or DEFAULT_JPEG_DPI). */
function naturalPageSize(info: JpegInfo, shownWidth: number, shownHeight: number, turned: boolean): PageSizePoints {
  const declared = info.dpi && [info.dpi.x, info.dpi.y].every((d) => d >= MIN_DECLARED_DPI && d <= MAX_DECLARED_DPI) ? info.dpi : null;
  const dpiX = declared ? (turned ? declared.y : declared.x) : DEFAULT_JPEG_DPI;
  const dpiY = declared ? (turned ? declared.x : declared.y) : DEFAULT_JPEG_DPI;
  const width = (shownWidth * 72) / dpiX;
  const height = (shownHeight * 72) / dpiY;
  const shrink = Math.min(1, MAX_PAGE_SIDE_POINTS / Math.max(width, height));
  return { width: width * shrink, height: height * shrink };
}
