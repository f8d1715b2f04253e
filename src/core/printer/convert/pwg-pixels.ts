// Turns one decoded PWG raster line into a PDF image row: DeviceGray or DeviceRGB, 1 or 8 bits.
// 16-bit samples keep their high byte, Black is inverted into gray, CMYK is mapped to RGB naively
// (PDF could show CMYK, but the hub and viewers handle RGB pages best).
import type { PwgPageHeader } from './pwg-raster-header.ts';

export interface PdfRowFormat {
  colorSpace: 'DeviceGray' | 'DeviceRGB';
  bitsPerComponent: 1 | 8;
  bytesPerRow: number;
  /** The decoded line byte PWG's "fill with white" code writes for this colour space. */
  whiteByte: number;
}

export function pdfRowFormat(header: PwgPageHeader): PdfRowFormat {
  const gray = header.colorModel === 'gray' || header.colorModel === 'black';
  const whiteByte = header.colorModel === 'gray' || header.colorModel === 'rgb' ? 0xff : 0x00;
  if (header.bitsPerColor === 1) return { colorSpace: 'DeviceGray', bitsPerComponent: 1, bytesPerRow: header.bytesPerLine, whiteByte };
  return { colorSpace: gray ? 'DeviceGray' : 'DeviceRGB', bitsPerComponent: 8, bytesPerRow: header.width * (gray ? 1 : 3), whiteByte };
}

export function convertPwgLine(header: PwgPageHeader, line: Uint8Array, row: Uint8Array): void {
  const { colorModel, bitsPerColor } = header;
  if (bitsPerColor === 1) {
    if (colorModel === 'black') for (let i = 0; i < line.length; i++) row[i] = ~line[i]! & 0xff;
    else row.set(line);
    return;
  }
  const step = bitsPerColor / 8; // 16-bit samples are big-endian: the first byte is the high one
  if (colorModel === 'cmyk') {
    for (let pixel = 0, at = 0; pixel < header.width; pixel++, at += 4 * step) {
      const white = 255 - line[at + 3 * step]!;
      row[pixel * 3] = ((255 - line[at]!) * white + 127) / 255;
      row[pixel * 3 + 1] = ((255 - line[at + step]!) * white + 127) / 255;
      row[pixel * 3 + 2] = ((255 - line[at + 2 * step]!) * white + 127) / 255;
    }
    return;
  }
  if (colorModel === 'black') {
    for (let i = 0; i < row.length; i++) row[i] = 255 - line[i * step]!;
    return;
  }
  if (step === 1) row.set(line);
  else for (let i = 0; i < row.length; i++) row[i] = line[i * 2]!;
}
