// RFC 8010 decoding, bounded: every length is checked against the bytes present and against the limits,
// so a malformed or hostile request ends in a typed IppRequestError, never in an exception or a big allocation.
import type { IppAttribute, IppGroup, IppMessage, IppOutOfBandTag, IppStringTag, IppValue } from './attributes.ts';
import { IppRequestError, IppTruncatedError } from './errors.ts';
import { DEFAULT_IPP_DECODE_LIMITS, type IppDecodeLimits } from './limits.ts';
import { END_OF_ATTRIBUTES_TAG, VALUE_TAG } from './tags.ts';

export interface DecodedIppMessage {
  message: IppMessage;
  /** Offset of the first octet after end-of-attributes-tag: where the document data begins. */
  dataOffset: number;
}

const MAX_NAME_LENGTH = 255;

const utf8 = new TextDecoder('utf-8', { fatal: false });

const STRING_TAGS = new Map<number, IppStringTag>([
  [VALUE_TAG.text, 'text'],
  [VALUE_TAG.name, 'name'],
  [VALUE_TAG.keyword, 'keyword'],
  [VALUE_TAG.uri, 'uri'],
  [VALUE_TAG.uriScheme, 'uriScheme'],
  [VALUE_TAG.charset, 'charset'],
  [VALUE_TAG.naturalLanguage, 'naturalLanguage'],
  [VALUE_TAG.mimeMediaType, 'mimeMediaType'],
]);

const OUT_OF_BAND = new Map<number, IppOutOfBandTag>([
  [VALUE_TAG.unsupported, 'unsupported'],
  [VALUE_TAG.default, 'default'],
  [VALUE_TAG.unknown, 'unknown'],
  [VALUE_TAG['no-value'], 'no-value'],
  [VALUE_TAG['not-settable'], 'not-settable'],
  [VALUE_TAG['delete-attribute'], 'delete-attribute'],
  [VALUE_TAG['admin-define'], 'admin-define'],
]);

/** One collection being read: its members, and the member that the next values belong to. */
interface CollectionFrame {
  members: IppAttribute[];
  member: IppAttribute | null;
}

/**
 * Decodes the IPP header at the start of `bytes`.
 * Throws IppTruncatedError when the bytes stop early (a caller reading a stream may wait for more),
 * and IppRequestError with the IPP status to answer for anything malformed or over a limit.
 */
export function decodeIppMessage(bytes: Uint8Array, limits: IppDecodeLimits = DEFAULT_IPP_DECODE_LIMITS): DecodedIppMessage {
  return new IppReader(bytes, limits).read();
}

class IppReader {
  private readonly buffer: Buffer;
  private readonly limits: IppDecodeLimits;
  private position = 0;
  private attributeCount = 0;

  constructor(bytes: Uint8Array, limits: IppDecodeLimits) {
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.limits = limits;
  }

  read(): DecodedIppMessage {
    this.need(8, 'the 8-octet message header');
    const version = { major: this.buffer[0]!, minor: this.buffer[1]! };
    const code = this.buffer.readUInt16BE(2);
    const requestId = this.buffer.readInt32BE(4);
    this.position = 8;

    const groups: IppGroup[] = [];
    let group: IppGroup | null = null;
    let attribute: IppAttribute | null = null;
    const collections: CollectionFrame[] = [];

    for (;;) {
      this.need(1, 'a tag');
      const tag = this.buffer[this.position]!;
      if (tag === END_OF_ATTRIBUTES_TAG) {
        if (collections.length > 0) this.malformed('the attributes end inside a collection');
        this.position += 1;
        return { message: { version, code, requestId, groups }, dataOffset: this.position };
      }
      if (tag < 0x10) {
        if (tag === 0x00) this.malformed('tag 0x00 is reserved');
        if (collections.length > 0) this.malformed('a new attribute group starts inside a collection');
        this.position += 1;
        group = { tag, attributes: [] };
        groups.push(group);
        attribute = null;
        continue;
      }

      const field = this.readField();
      if (!group) this.malformed(`attribute "${field.name}" appears before any attribute group`);

      const frame = collections.at(-1);
      if (frame) {
        this.readCollectionField(field, frame, collections);
        continue;
      }

      if (field.tag === VALUE_TAG.endCollection) this.malformed('endCollection without a matching begCollection');
      if (field.tag === VALUE_TAG.memberAttrName) this.malformed('memberAttrName outside a collection');
      if (field.name.length > 0) {
        attribute = { name: field.name, values: [] };
        this.countAttribute();
        group.attributes.push(attribute);
      } else if (!attribute) {
        this.malformed('an additional value has no attribute to belong to');
      }
      attribute.values.push(this.valueOf(field, collections));
    }
  }

  /** A field inside a collection: a member name, a member value, or the end of the collection. */
  private readCollectionField(field: Field, frame: CollectionFrame, collections: CollectionFrame[]): void {
    if (field.name.length > 0) this.malformed(`collection member values must be unnamed, found "${field.name}"`);
    if (field.tag === VALUE_TAG.endCollection) {
      collections.pop();
      return;
    }
    if (field.tag === VALUE_TAG.memberAttrName) {
      const memberName = field.value.toString('utf8');
      if (memberName.length === 0) this.malformed('a collection member has an empty name');
      frame.member = { name: memberName, values: [] };
      this.countAttribute();
      frame.members.push(frame.member);
      return;
    }
    if (!frame.member) this.malformed('a collection value comes before any memberAttrName');
    frame.member.values.push(this.valueOf(field, collections));
  }

  private valueOf(field: Field, collections: CollectionFrame[]): IppValue {
    const { tag, value } = field;
    if (tag === VALUE_TAG.begCollection) {
      if (collections.length >= this.limits.maxCollectionDepth) {
        this.malformed(`collections are nested deeper than ${this.limits.maxCollectionDepth} levels`);
      }
      const members: IppAttribute[] = [];
      collections.push({ members, member: null });
      return { tag: 'collection', value: members };
    }
    const outOfBand = OUT_OF_BAND.get(tag);
    if (outOfBand) return { tag: outOfBand };
    const stringTag = STRING_TAGS.get(tag);
    if (stringTag) return { tag: stringTag, value: utf8.decode(value) };
    switch (tag) {
      case VALUE_TAG.integer:
      case VALUE_TAG.enum:
        this.expectLength(field, 4);
        return { tag: tag === VALUE_TAG.integer ? 'integer' : 'enum', value: value.readInt32BE(0) };
      case VALUE_TAG.boolean:
        this.expectLength(field, 1);
        if (value[0]! > 1) this.malformed(`boolean "${field.label}" has value ${value[0]}, not 0 or 1`);
        return { tag: 'boolean', value: value[0] === 1 };
      case VALUE_TAG.dateTime:
        this.expectLength(field, 11);
        return { tag: 'dateTime', value: this.dateTime(field) };
      case VALUE_TAG.resolution: {
        this.expectLength(field, 9);
        const units = value[8];
        if (units !== 3 && units !== 4) this.malformed(`resolution "${field.label}" has units ${units}, not 3 (dpi) or 4 (dpcm)`);
        return { tag: 'resolution', value: { x: value.readInt32BE(0), y: value.readInt32BE(4), units: units === 3 ? 'dpi' : 'dpcm' } };
      }
      case VALUE_TAG.rangeOfInteger:
        this.expectLength(field, 8);
        return { tag: 'rangeOfInteger', value: { lower: value.readInt32BE(0), upper: value.readInt32BE(4) } };
      case VALUE_TAG.textWithLanguage:
      case VALUE_TAG.nameWithLanguage:
        return this.withLanguage(field);
      case VALUE_TAG.octetString:
        return { tag: 'octetString', value: Uint8Array.from(value) };
      default:
        return { tag: 'unrecognized', code: tag, value: Uint8Array.from(value) };
    }
  }

  private withLanguage(field: Field): IppValue {
    const { value } = field;
    if (value.length < 4) this.malformed(`"${field.label}" is too short for a language and a string`);
    const languageLength = value.readUInt16BE(0);
    if (2 + languageLength + 2 > value.length) this.malformed(`"${field.label}" has a language longer than its value`);
    const language = value.toString('utf8', 2, 2 + languageLength);
    const textLength = value.readUInt16BE(2 + languageLength);
    if (2 + languageLength + 2 + textLength !== value.length) this.malformed(`"${field.label}" has inconsistent string lengths`);
    const text = utf8.decode(value.subarray(4 + languageLength));
    return { tag: field.tag === VALUE_TAG.textWithLanguage ? 'textWithLanguage' : 'nameWithLanguage', value: text, language };
  }

  /** RFC 2579 DateAndTime: year, month, day, hour, minutes, seconds, deci-seconds, direction, offset hours and minutes. */
  private dateTime(field: Field): Date {
    const b = field.value;
    const [month, day, hour, minute, second, deci, direction, offsetHours, offsetMinutes] = [b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!, b[10]!];
    const valid =
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= 31 &&
      hour <= 23 &&
      minute <= 59 &&
      second <= 60 &&
      deci <= 9 &&
      (direction === 0x2b || direction === 0x2d) &&
      offsetHours <= 14 &&
      offsetMinutes <= 59;
    if (!valid) this.malformed(`dateTime "${field.label}" is not a valid date`);
    const offset = (direction === 0x2d ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
    const utc = Date.UTC(b.readUInt16BE(0), month - 1, day, hour, minute, second, deci * 100) - offset * 60_000;
    return new Date(utc);
  }

  private readField(): Field {
    let tag = this.buffer[this.position]!;
    this.position += 1;
    if (tag === VALUE_TAG.extension) {
      this.need(4, 'an extension tag');
      tag = this.buffer.readUInt32BE(this.position);
      if (tag > 0x7fffffff) this.malformed(`extension tag 0x${tag.toString(16)} is out of range`);
      this.position += 4;
    }
    this.need(2, 'an attribute name length');
    const nameLength = this.buffer.readUInt16BE(this.position);
    this.position += 2;
    // Names are keywords of at most 255 octets (RFC 8011 §5.1.4): a longer one means the bytes are not IPP.
    if (nameLength > MAX_NAME_LENGTH) this.malformed(`an attribute name is ${nameLength} octets long`);
    this.need(nameLength, 'an attribute name');
    const name = this.buffer.toString('utf8', this.position, this.position + nameLength);
    this.position += nameLength;
    this.need(2, 'a value length');
    const valueLength = this.buffer.readUInt16BE(this.position);
    this.position += 2;
    const label = name || 'an additional value';
    if (valueLength > this.limits.maxValueLength) {
      throw new IppRequestError(
        'client-error-request-value-too-long',
        `The value of "${label}" is ${valueLength} octets long; the limit is ${this.limits.maxValueLength}.`,
      );
    }
    this.need(valueLength, `the value of "${label}"`);
    const value = this.buffer.subarray(this.position, this.position + valueLength);
    this.position += valueLength;
    return { tag, name, value, label };
  }

  private countAttribute(): void {
    this.attributeCount += 1;
    if (this.attributeCount > this.limits.maxAttributes) {
      throw new IppRequestError('client-error-request-entity-too-large', `The request has more than ${this.limits.maxAttributes} attributes.`);
    }
  }

  private expectLength(field: Field, length: number): void {
    if (field.value.length !== length) this.malformed(`"${field.label}" has a ${field.value.length}-octet value; its syntax needs ${length}`);
  }

  /** Fails unless `count` more octets are present, telling "truncated" apart from "header too big". */
  private need(count: number, what: string): void {
    const end = this.position + count;
    if (end > this.limits.maxHeaderBytes) {
      throw new IppRequestError('client-error-request-entity-too-large', `The request's attributes are larger than ${this.limits.maxHeaderBytes} octets.`);
    }
    if (end > this.buffer.length) throw new IppTruncatedError(`The request ends at octet ${this.buffer.length}, in the middle of ${what}.`, end);
  }

  private malformed(reason: string): never {
    throw new IppRequestError('client-error-bad-request', `Malformed IPP request: ${reason}.`);
  }
}

interface Field {
  tag: number;
  name: string;
  value: Buffer;
  /** The attribute name, or a stand-in for additional values, for messages. */
  label: string;
}
