// Reads what embedding a JPEG in a PDF needs from its markers (size, components, resolution,
// EXIF orientation) without decoding the image, and refuses what a PDF DCT decoder cannot show.
import { ConversionError } from './conversion-error.ts';

export interface JpegInfo {
  width: number;
  height: number;
  components: 1 | 3 | 4;
  /** An Adobe APP14 marker is present: CMYK samples are then stored inverted (Photoshop convention). */
  adobe: boolean;
  /** Dots per inch declared by the JFIF header, or null when it declares none (aspect ratio only). */
  dpi: { x: number; y: number } | null;
  /** EXIF orientation 1..8 (1 when absent or unreadable). */
  orientation: number;
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP1 = 0xe1;
const APP14 = 0xee;
/** Baseline, extended sequential and progressive Huffman JPEGs: what PDF's DCTDecode supports. */
const EMBEDDABLE_FRAMES = new Set([0xc0, 0xc1, 0xc2]);
/** Every other start-of-frame marker (lossless, hierarchical, arithmetic-coded). */
const OTHER_FRAMES = new Set([0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const EXIF_ORIENTATION_TAG = 0x0112;

function corrupt(reason: string): ConversionError {
  return new ConversionError('corrupt_image', `The JPEG image is damaged: ${reason}.`);
}

export function readJpegInfo(bytes: Buffer): JpegInfo {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== SOI) throw corrupt('it does not start with a JPEG start-of-image marker');
  let frame: Pick<JpegInfo, 'width' | 'height' | 'components'> | null = null;
  let dpi: JpegInfo['dpi'] = null;
  let orientation = 1;
  let adobe = false;
  let pos = 2;
  for (;;) {
    if (pos >= bytes.length) throw corrupt('the file ends before the image data');
    if (bytes[pos] !== 0xff) throw corrupt(`unexpected byte at offset ${pos} where a marker should be`);
    while (bytes[pos] === 0xff) pos++; // fill bytes before a marker are allowed
    const marker = bytes[pos++];
    if (marker === undefined) throw corrupt('the file ends inside a marker');
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // markers without a segment
    if (marker === EOI) throw corrupt('it ends before any image data');
    if (pos + 2 > bytes.length) throw corrupt('the file ends inside a marker segment');
    const length = bytes.readUInt16BE(pos);
    if (length < 2 || pos + length > bytes.length) throw corrupt('a marker segment is cut short');
    const segment = bytes.subarray(pos + 2, pos + length);
    pos += length;
    if (marker === SOS) break;
    if (EMBEDDABLE_FRAMES.has(marker)) frame = readFrame(segment);
    else if (OTHER_FRAMES.has(marker)) {
      throw new ConversionError(
        'unsupported_format',
        'The JPEG image uses a lossless, hierarchical or arithmetic-coded variant that PDF cannot embed; send a baseline or progressive JPEG.',
      );
    } else if (marker === APP0) dpi = readJfifDpi(segment) ?? dpi;
    else if (marker === APP1) orientation = readExifOrientation(segment) ?? orientation;
    else if (marker === APP14 && segment.subarray(0, 5).toString('latin1') === 'Adobe') adobe = true;
  }
  if (!frame) throw corrupt('it has no frame header before its image data');
  // The entropy-coded data must be followed by an end-of-image marker, or the file was cut short.
  if (bytes.lastIndexOf(Buffer.from([0xff, EOI])) < pos) throw corrupt('it is truncated (no end-of-image marker)');
  return { ...frame, dpi, orientation, adobe };
}

function readFrame(segment: Buffer): Pick<JpegInfo, 'width' | 'height' | 'components'> {
  if (segment.length < 6) throw corrupt('its frame header is too short');
  const precision = segment[0];
  const height = segment.readUInt16BE(1);
  const width = segment.readUInt16BE(3);
  const components = segment[5];
  if (precision !== 8) throw new ConversionError('unsupported_format', `The JPEG image has ${precision}-bit samples; PDF embeds only 8-bit JPEGs.`);
  if (width === 0) throw corrupt('its width is 0');
  if (height === 0)
    throw new ConversionError('unsupported_format', 'The JPEG image declares its height only after the image data (DNL marker), which PDF cannot embed.');
  if (components !== 1 && components !== 3 && components !== 4) {
    throw new ConversionError('unsupported_format', `The JPEG image has ${components} colour components; only grayscale, RGB and CMYK JPEGs can be printed.`);
  }
  return { width, height, components };
}

function readJfifDpi(segment: Buffer): { x: number; y: number } | null {
  if (segment.length < 12 || segment.subarray(0, 5).toString('latin1') !== 'JFIF\0') return null;
  const units = segment[7];
  const x = segment.readUInt16BE(8);
  const y = segment.readUInt16BE(10);
  if (x === 0 || y === 0) return null;
  if (units === 1) return { x, y };
  if (units === 2) return { x: x * 2.54, y: y * 2.54 }; // dots per centimetre
  return null; // 0 = aspect ratio only
}

/** The EXIF orientation tag of IFD0; null when the segment is not EXIF or cannot be read (never fatal). */
function readExifOrientation(segment: Buffer): number | null {
  if (segment.length < 14 || segment.subarray(0, 6).toString('latin1') !== 'Exif\0\0') return null;
  const tiff = segment.subarray(6);
  const order = tiff.subarray(0, 2).toString('latin1');
  if (order !== 'II' && order !== 'MM') return null;
  const little = order === 'II';
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) return null;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return null;
  const entries = u16(ifd);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return null;
    if (u16(entry) !== EXIF_ORIENTATION_TAG) continue;
    const value = u16(entry + 8);
    return value >= 1 && value <= 8 ? value : null;
  }
  return null;
}
