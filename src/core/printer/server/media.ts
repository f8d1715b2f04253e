// The media this printer advertises. Sizes are PWG 5101.1 self-describing names with dimensions in
// hundredths of millimetres. Every size has a bordered variant (margins of 4.23 mm: with only borderless
// sizes, CUPS printed every job on US Letter) and the common ones a borderless variant too.
import { attr, v, type IppAttribute, type IppValue } from '../ipp/attributes.ts';

export interface MediaSize {
  name: string;
  width: number;
  height: number;
}

export const MEDIA_SIZES: readonly MediaSize[] = [
  { name: 'iso_a4_210x297mm', width: 21000, height: 29700 },
  { name: 'na_letter_8.5x11in', width: 21590, height: 27940 },
  { name: 'na_legal_8.5x14in', width: 21590, height: 35560 },
  { name: 'iso_a5_148x210mm', width: 14800, height: 21000 },
  { name: 'iso_a3_297x420mm', width: 29700, height: 42000 },
  { name: 'na_index-4x6_4x6in', width: 10160, height: 15240 },
];

const BORDERLESS_MEDIA: readonly string[] = ['iso_a4_210x297mm', 'na_letter_8.5x11in', 'na_index-4x6_4x6in'];

export const DEFAULT_MEDIA = 'iso_a4_210x297mm';
export const READY_MEDIA: readonly string[] = ['iso_a4_210x297mm', 'na_letter_8.5x11in'];

/** 4.23 mm, the usual IPP Everywhere margin, in hundredths of millimetres. */
const MARGIN = 423;
export const MARGINS_SUPPORTED: readonly number[] = [0, MARGIN];

export const MEDIA_SOURCE = 'auto';
export const MEDIA_TYPE = 'stationery';

/** Legacy (RFC 8011 / IPP 1.1) media names some clients still send. */
const MEDIA_ALIASES = new Map<string, string>([
  ['a4', 'iso_a4_210x297mm'],
  ['iso-a4', 'iso_a4_210x297mm'],
  ['letter', 'na_letter_8.5x11in'],
  ['na-letter', 'na_letter_8.5x11in'],
  ['legal', 'na_legal_8.5x14in'],
  ['na-legal', 'na_legal_8.5x14in'],
  ['a5', 'iso_a5_148x210mm'],
  ['iso-a5', 'iso_a5_148x210mm'],
  ['a3', 'iso_a3_297x420mm'],
  ['iso-a3', 'iso_a3_297x420mm'],
  ['index-4x6', 'na_index-4x6_4x6in'],
]);

/** The PWG name for a media name a client sent, or undefined when this printer has no such media. */
export function supportedMediaName(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (MEDIA_SIZES.some((size) => size.name === lower)) return lower;
  return MEDIA_ALIASES.get(lower);
}

/** The size whose dimensions are within 1 mm of the given ones (clients round inches differently). */
export function mediaSizeByDimensions(width: number, height: number): MediaSize | undefined {
  return MEDIA_SIZES.find((size) => Math.abs(size.width - width) <= 100 && Math.abs(size.height - height) <= 100);
}

function mediaSizeCollection(size: MediaSize): IppValue {
  return v.collection([attr('x-dimension', v.integer(size.width)), attr('y-dimension', v.integer(size.height))]);
}

function mediaCol(size: MediaSize, margin: number, extras: IppAttribute[] = []): IppValue {
  return v.collection([
    attr('media-bottom-margin', v.integer(margin)),
    attr('media-left-margin', v.integer(margin)),
    attr('media-right-margin', v.integer(margin)),
    attr('media-size', mediaSizeCollection(size)),
    attr('media-top-margin', v.integer(margin)),
    ...extras,
  ]);
}

function sizeNamed(name: string): MediaSize {
  const size = MEDIA_SIZES.find((candidate) => candidate.name === name);
  if (!size) throw new Error(`unknown media size ${name}`);
  return size;
}

/** A media-col for a ready (loaded) media: what media-col-default and media-col-ready list. */
export function readyMediaCol(name: string): IppValue {
  return mediaCol(sizeNamed(name), MARGIN, [attr('media-source', v.keyword(MEDIA_SOURCE)), attr('media-type', v.keyword(MEDIA_TYPE))]);
}

/** Every size with margins, then the borderless variants. */
export function mediaColDatabase(): IppValue[] {
  return [...MEDIA_SIZES.map((size) => mediaCol(size, MARGIN)), ...BORDERLESS_MEDIA.map((name) => mediaCol(sizeNamed(name), 0))];
}

export function mediaSizeSupported(): IppValue[] {
  return MEDIA_SIZES.map(mediaSizeCollection);
}
