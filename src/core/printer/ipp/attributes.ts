// The in-memory form of an IPP message: groups of named attributes, each with one or more typed values.

/** Out-of-band values (RFC 8010 §3.5.2): they carry no value octets. */
export type IppOutOfBandTag = 'unsupported' | 'default' | 'unknown' | 'no-value' | 'not-settable' | 'delete-attribute' | 'admin-define';

/** Character-string syntaxes; `text` and `name` are textWithoutLanguage and nameWithoutLanguage. */
export type IppStringTag = 'text' | 'name' | 'keyword' | 'uri' | 'uriScheme' | 'charset' | 'naturalLanguage' | 'mimeMediaType';

export interface IppResolution {
  x: number;
  y: number;
  units: 'dpi' | 'dpcm';
}

export interface IppRange {
  lower: number;
  upper: number;
}

export type IppValue =
  | { tag: 'integer' | 'enum'; value: number }
  | { tag: 'boolean'; value: boolean }
  | { tag: IppStringTag; value: string }
  | { tag: 'textWithLanguage' | 'nameWithLanguage'; value: string; language: string }
  | { tag: 'octetString'; value: Uint8Array }
  | { tag: 'dateTime'; value: Date }
  | { tag: 'resolution'; value: IppResolution }
  | { tag: 'rangeOfInteger'; value: IppRange }
  | { tag: 'collection'; value: IppAttribute[] }
  | { tag: IppOutOfBandTag }
  /** A value tag this codec does not interpret; its octets are kept so it can be echoed back. */
  | { tag: 'unrecognized'; code: number; value: Uint8Array };

export type IppValueTag = IppValue['tag'];

export interface IppAttribute {
  name: string;
  values: IppValue[];
}

export interface IppGroup {
  /** A delimiter tag from GROUP_TAG. */
  tag: number;
  attributes: IppAttribute[];
}

export interface IppVersion {
  major: number;
  minor: number;
}

export interface IppMessage {
  version: IppVersion;
  /** operation-id in a request, status-code in a response. */
  code: number;
  requestId: number;
  groups: IppGroup[];
}

/** Value constructors, so attribute tables read as `v.keyword('none')`. */
export const v = {
  integer: (value: number): IppValue => ({ tag: 'integer', value }),
  enum: (value: number): IppValue => ({ tag: 'enum', value }),
  boolean: (value: boolean): IppValue => ({ tag: 'boolean', value }),
  text: (value: string): IppValue => ({ tag: 'text', value }),
  name: (value: string): IppValue => ({ tag: 'name', value }),
  keyword: (value: string): IppValue => ({ tag: 'keyword', value }),
  uri: (value: string): IppValue => ({ tag: 'uri', value }),
  uriScheme: (value: string): IppValue => ({ tag: 'uriScheme', value }),
  charset: (value: string): IppValue => ({ tag: 'charset', value }),
  naturalLanguage: (value: string): IppValue => ({ tag: 'naturalLanguage', value }),
  mimeMediaType: (value: string): IppValue => ({ tag: 'mimeMediaType', value }),
  textWithLanguage: (value: string, language: string): IppValue => ({ tag: 'textWithLanguage', value, language }),
  nameWithLanguage: (value: string, language: string): IppValue => ({ tag: 'nameWithLanguage', value, language }),
  octetString: (value: Uint8Array | string): IppValue => ({ tag: 'octetString', value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value }),
  dateTime: (value: Date): IppValue => ({ tag: 'dateTime', value }),
  resolution: (x: number, y: number = x, units: IppResolution['units'] = 'dpi'): IppValue => ({ tag: 'resolution', value: { x, y, units } }),
  range: (lower: number, upper: number): IppValue => ({ tag: 'rangeOfInteger', value: { lower, upper } }),
  collection: (members: IppAttribute[]): IppValue => ({ tag: 'collection', value: members }),
  outOfBand: (tag: IppOutOfBandTag): IppValue => ({ tag }),
};

/** An attribute from its name and values: `attr('sides-supported', v.keyword('one-sided'))`. */
export function attr(name: string, ...values: IppValue[]): IppAttribute {
  return { name, values };
}

/** An attribute whose values all share one constructor: `attrOf('sides-supported', v.keyword, ['one-sided'])`. */
export function attrOf<T>(name: string, make: (value: T) => IppValue, values: readonly T[]): IppAttribute {
  return { name, values: values.map(make) };
}

export function findGroup(message: IppMessage, tag: number): IppGroup | undefined {
  return message.groups.find((group) => group.tag === tag);
}

export function findAttribute(attributes: readonly IppAttribute[] | undefined, name: string): IppAttribute | undefined {
  return attributes?.find((attribute) => attribute.name === name);
}

/** The string of a one-valued string attribute (text, name, keyword, uri, ... or their WithLanguage forms). */
export function stringValue(value: IppValue | undefined): string | undefined {
  if (!value || !('value' in value) || typeof value.value !== 'string') return undefined;
  return value.value;
}

/** The number of an integer or enum value. */
export function numberValue(value: IppValue | undefined): number | undefined {
  if (!value || (value.tag !== 'integer' && value.tag !== 'enum')) return undefined;
  return value.value;
}
