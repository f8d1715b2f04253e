// PWG 5102.4 raster page headers: 1796 bytes, big-endian, laid out like CUPS' cups_page_header2_t.
// Only the fields needed to turn the page into an image are read; each is validated here so the
// decoder can trust them.
import { ConversionError } from './conversion-error.ts';

export const PWG_SYNC_WORD = 'RaS2';
export const PWG_HEADER_BYTES = 1796;

/** Byte offsets of the header fields used (PWG 5102.4 table 1). */
const PWG_HEADER_OFFSETS = {
  HWResolution: 276,
  PageSize: 352,
  Width: 372,
  Height: 376,
  BitsPerColor: 384,
  BitsPerPixel: 388,
  BytesPerLine: 392,
  ColorOrder: 396,
  ColorSpace: 400,
  NumColors: 420,
} as const;

/** The colour models a page is converted from; PWG colour space codes map onto them. */
export type PwgColorModel = 'gray' | 'black' | 'rgb' | 'cmyk';

const COLOR_SPACES: Record<number, { model: PwgColorModel; name: string }> = {
  0: { model: 'gray', name: 'W' },
  1: { model: 'rgb', name: 'RGB' },
  3: { model: 'black', name: 'Black' },
  6: { model: 'cmyk', name: 'CMYK' },
  18: { model: 'gray', name: 'sGray' },
  19: { model: 'rgb', name: 'sRGB' },
  20: { model: 'rgb', name: 'AdobeRGB' }, // shown as sRGB: a slight colour shift, never a refusal
};
const CHANNELS: Record<PwgColorModel, number> = { gray: 1, black: 1, rgb: 3, cmyk: 4 };

export interface PwgPageHeader {
  width: number;
  height: number;
  bitsPerColor: 1 | 8 | 16;
  channels: number;
  /** Bytes in one decoded line; also the unit of the line compression is bytesPerPixel. */
  bytesPerLine: number;
  bytesPerPixel: number;
  colorModel: PwgColorModel;
  colorSpaceName: string;
  resolution: { x: number; y: number };
  /** The media size in points as the header declares it; 0 when left unset. */
  pageSize: { width: number; height: number };
}

/** Parses and validates the header of page `pageNumber` (1-based, for messages). */
export function parsePwgPageHeader(header: Buffer, pageNumber: number): PwgPageHeader {
  const field = (offset: number) => header.readUInt32BE(offset);
  const O = PWG_HEADER_OFFSETS;
  const where = `page ${pageNumber} of the PWG raster`;
  const colorSpaceCode = field(O.ColorSpace);
  const colorSpace = COLOR_SPACES[colorSpaceCode];
  if (!colorSpace) {
    throw new ConversionError(
      'unsupported_format',
      `The ${where} uses colour space ${colorSpaceCode}; only sGray, sRGB, AdobeRGB, Black and CMYK can be printed.`,
    );
  }
  const bitsPerColor = field(O.BitsPerColor);
  if (bitsPerColor !== 1 && bitsPerColor !== 8 && bitsPerColor !== 16) {
    throw new ConversionError('unsupported_format', `The ${where} has ${bitsPerColor} bits per colour; only 1, 8 and 16 are supported.`);
  }
  const channels = CHANNELS[colorSpace.model];
  if (bitsPerColor === 1 && channels !== 1) {
    throw new ConversionError('unsupported_format', `The ${where} has 1-bit ${colorSpace.name} pixels; 1 bit per colour exists only for Black and sGray.`);
  }
  if (field(O.ColorOrder) !== 0) {
    throw new ConversionError('unsupported_format', `The ${where} stores its colours in separate planes or bands; PWG raster is always chunky.`);
  }
  const numColors = field(O.NumColors);
  const bitsPerPixel = field(O.BitsPerPixel);
  if ((numColors !== 0 && numColors !== channels) || bitsPerPixel !== bitsPerColor * channels) {
    throw corruptHeader(
      where,
      `${colorSpace.name} needs ${channels} colour(s) of ${bitsPerColor} bits, but the header says ${numColors} colour(s) and ${bitsPerPixel} bits per pixel`,
    );
  }
  const width = field(O.Width);
  const height = field(O.Height);
  if (width === 0 || height === 0) throw corruptHeader(where, `its size is ${width} x ${height} pixels`);
  const bytesPerLine = field(O.BytesPerLine);
  const expectedBytesPerLine = Math.ceil((width * bitsPerPixel) / 8);
  if (bytesPerLine !== expectedBytesPerLine) {
    throw corruptHeader(where, `a line of ${width} pixels at ${bitsPerPixel} bits needs ${expectedBytesPerLine} bytes, but the header says ${bytesPerLine}`);
  }
  const resolution = { x: field(O.HWResolution), y: field(O.HWResolution + 4) };
  if (resolution.x === 0 || resolution.y === 0) throw corruptHeader(where, 'its resolution is 0 dpi');
  return {
    width,
    height,
    bitsPerColor,
    channels,
    bytesPerLine,
    bytesPerPixel: Math.ceil(bitsPerPixel / 8),
    colorModel: colorSpace.model,
    colorSpaceName: colorSpace.name,
    resolution,
    pageSize: { width: field(O.PageSize), height: field(O.PageSize + 4) },
  };
}

function corruptHeader(where: string, reason: string): ConversionError {
  return new ConversionError('corrupt_image', `The header of ${where} is invalid: ${reason}.`);
}
