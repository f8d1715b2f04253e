// Checks the job template attributes of Print-Job, Validate-Job and Create-Job against capabilities.ts.
// Unsupported attributes or values are reported back (RFC 8011 §4.1.7); with ipp-attribute-fidelity
// false (the default) the job goes ahead and they are simply ignored.
import { findAttribute, numberValue, stringValue, v, type IppAttribute, type IppValue } from '../ipp/attributes.ts';
import {
  FINISHINGS,
  MAX_COPIES,
  NUMBER_UP,
  ORIENTATIONS,
  OUTPUT_BINS,
  PRINT_COLOR_MODES,
  PRINT_CONTENT_OPTIMIZE,
  PRINT_QUALITIES,
  PRINT_RENDERING_INTENTS,
  PRINT_SCALING,
  PRINTER_RESOLUTIONS,
  SIDES,
} from './capabilities.ts';
import { MARGINS_SUPPORTED, MEDIA_SOURCE, MEDIA_TYPE, mediaSizeByDimensions, supportedMediaName } from './media.ts';

export interface CheckedJobTemplate {
  /** The attributes kept on the job (and reported by Get-Job-Attributes), media normalised to PWG names. */
  accepted: IppAttribute[];
  /** For the Unsupported Attributes group: unknown attributes as 'unsupported', bad values as sent. */
  unsupported: IppAttribute[];
  copies: number | null;
  /** PWG media name, from media or media-col. */
  media: string | null;
}

type Check = (values: IppValue[]) => IppValue[] | null;

const oneKeywordOf =
  (allowed: readonly string[]): Check =>
  (values) => {
    const value = single(values);
    return value?.tag === 'keyword' && allowed.includes(value.value) ? values : null;
  };

const oneEnumOf =
  (allowed: readonly number[]): Check =>
  (values) => {
    const value = single(values);
    return value?.tag === 'enum' && allowed.includes(value.value) ? values : null;
  };

const CHECKS: Record<string, Check> = {
  copies: (values) => {
    const value = single(values);
    return value?.tag === 'integer' && value.value >= 1 && value.value <= MAX_COPIES ? values : null;
  },
  finishings: (values) => (values.every((value) => value.tag === 'enum' && FINISHINGS.includes(value.value)) ? values : null),
  media: (values) => {
    const value = single(values);
    const name = value && (value.tag === 'keyword' || value.tag === 'name') ? supportedMediaName(value.value) : undefined;
    return name ? [v.keyword(name)] : null;
  },
  'media-col': (values) => {
    const value = single(values);
    return value?.tag === 'collection' && mediaColIsSupported(value.value) ? values : null;
  },
  'number-up': (values) => {
    const value = single(values);
    return value?.tag === 'integer' && NUMBER_UP.includes(value.value) ? values : null;
  },
  'orientation-requested': oneEnumOf(ORIENTATIONS),
  'output-bin': oneKeywordOf(OUTPUT_BINS),
  'page-ranges': (values) => (pageRangesAreValid(values) ? values : null),
  'print-color-mode': oneKeywordOf(PRINT_COLOR_MODES),
  'print-content-optimize': oneKeywordOf(PRINT_CONTENT_OPTIMIZE),
  'print-quality': oneEnumOf(PRINT_QUALITIES),
  'print-rendering-intent': oneKeywordOf(PRINT_RENDERING_INTENTS),
  'print-scaling': oneKeywordOf(PRINT_SCALING),
  'printer-resolution': (values) => {
    const value = single(values);
    const supported =
      value?.tag === 'resolution' && PRINTER_RESOLUTIONS.some((r) => r.x === value.value.x && r.y === value.value.y && r.units === value.value.units);
    return supported ? values : null;
  },
  sides: oneKeywordOf(SIDES),
};

export function checkJobTemplate(attributes: readonly IppAttribute[]): CheckedJobTemplate {
  const accepted: IppAttribute[] = [];
  const unsupported: IppAttribute[] = [];
  for (const attribute of attributes) {
    const check = CHECKS[attribute.name];
    if (!check) {
      unsupported.push({ name: attribute.name, values: [v.outOfBand('unsupported')] });
      continue;
    }
    const values = check(attribute.values);
    if (values) accepted.push({ name: attribute.name, values });
    else unsupported.push(attribute);
  }
  // The media is worth recording even when a media-col also held something unsupported.
  return { accepted, unsupported, copies: numberValue(findAttribute(accepted, 'copies')?.values[0]) ?? null, media: mediaOf(attributes) };
}

function single(values: IppValue[]): IppValue | undefined {
  return values.length === 1 ? values[0] : undefined;
}

function pageRangesAreValid(values: IppValue[]): boolean {
  let previousUpper = 0;
  for (const value of values) {
    if (value.tag !== 'rangeOfInteger') return false;
    const { lower, upper } = value.value;
    if (lower < 1 || upper < lower || lower <= previousUpper) return false;
    previousUpper = upper;
  }
  return values.length > 0;
}

/** media-col members this printer understands must hold values it supports; other members are ignored. */
function mediaColIsSupported(members: IppAttribute[]): boolean {
  for (const member of members) {
    const value = single(member.values);
    switch (member.name) {
      case 'media-size': {
        const size = value?.tag === 'collection' ? dimensionsOf(value.value) : null;
        if (!size || !mediaSizeByDimensions(size.width, size.height)) return false;
        break;
      }
      case 'media-size-name':
        if (!value || !supportedMediaName(stringValue(value) ?? '')) return false;
        break;
      case 'media-bottom-margin':
      case 'media-left-margin':
      case 'media-right-margin':
      case 'media-top-margin':
        if (value?.tag !== 'integer' || !MARGINS_SUPPORTED.includes(value.value)) return false;
        break;
      case 'media-source':
        if (stringValue(value) !== MEDIA_SOURCE) return false;
        break;
      case 'media-type':
        if (stringValue(value) !== MEDIA_TYPE) return false;
        break;
      default:
        break;
    }
  }
  return true;
}

function dimensionsOf(members: IppAttribute[]): { width: number; height: number } | null {
  const width = numberValue(findAttribute(members, 'x-dimension')?.values[0]);
  const height = numberValue(findAttribute(members, 'y-dimension')?.values[0]);
  return width === undefined || height === undefined ? null : { width, height };
}

function mediaOf(attributes: readonly IppAttribute[]): string | null {
  const media = supportedMediaName(stringValue(findAttribute(attributes, 'media')?.values[0]) ?? '');
  if (media) return media;
  const mediaCol = findAttribute(attributes, 'media-col')?.values[0];
  if (mediaCol?.tag !== 'collection') return null;
  const named = supportedMediaName(stringValue(findAttribute(mediaCol.value, 'media-size-name')?.values[0]) ?? '');
  if (named) return named;
  const sizeValue = findAttribute(mediaCol.value, 'media-size')?.values[0];
  const size = sizeValue?.tag === 'collection' ? dimensionsOf(sizeValue.value) : null;
  return (size && mediaSizeByDimensions(size.width, size.height)?.name) ?? null;
}
