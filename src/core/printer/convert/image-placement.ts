// Where an image goes on a page, as the PDF `cm` matrix that maps the image's unit square onto it.
import type { PageSizePoints } from './media-size.ts';

export type PdfMatrix = readonly [number, number, number, number, number, number];

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The largest rectangle of the given aspect that fits the page, centred (aspect ratio kept). */
export function fitCentered(page: PageSizePoints, imageWidth: number, imageHeight: number): Rect {
  const scale = Math.min(page.width / imageWidth, page.height / imageHeight);
  const width = imageWidth * scale;
  const height = imageHeight * scale;
  return { x: (page.width - width) / 2, y: (page.height - height) / 2, width, height };
}

/** EXIF orientations 5–8 store the image rotated a quarter turn: its displayed width is its stored height. */
export function swapsAxes(orientation: number): boolean {
  return orientation >= 5 && orientation <= 8;
}

// For each EXIF orientation, the displayed position (X right, Y down, both 0..1) as
// X = xs*s + xt*t + x0 and Y = ys*s + yt*t + y0 of the stored position (s right, t down).
const DISPLAY_FROM_STORED: Record<number, readonly [number, number, number, number, number, number]> = {
  1: [1, 0, 0, 0, 1, 0],
  2: [-1, 0, 1, 0, 1, 0], // mirrored left-right
  3: [-1, 0, 1, 0, -1, 1], // half turn
  4: [1, 0, 0, 0, -1, 1], // mirrored top-bottom
  5: [0, 1, 0, 1, 0, 0], // transposed
  6: [0, -1, 1, 1, 0, 0], // quarter turn clockwise
  7: [0, -1, 1, -1, 0, 1], // transversed
  8: [0, 1, 0, -1, 0, 1], // quarter turn anticlockwise
};

/**
 * The matrix that draws an image so that, once its EXIF orientation is applied, it fills `target`.
 * PDF image space has the first stored row at the top (v = 1), so s = u and t = 1 - v.
 */
export function placementMatrix(target: Rect, orientation = 1): PdfMatrix {
  const [xs, xt, x0, ys, yt, y0] = DISPLAY_FROM_STORED[orientation] ?? DISPLAY_FROM_STORED[1]!;
  const { x, y, width: w, height: h } = target;
  return [w * xs, -h * ys, -w * xt, h * yt, x + w * (xt + x0), y + h * (1 - yt - y0)];
}
