// RFC 8010 encoding of an IppMessage (responses, and requests in tests).
import type { IppAttribute, IppMessage, IppValue } from './attributes.ts';
import { END_OF_ATTRIBUTES_TAG, VALUE_TAG } from './tags.ts';

const MAX_FIELD_LENGTH = 0xffff;

/** The message as bytes; document data, if any, is sent after them by the caller. */
export function encodeIppMessage(message: IppMessage): Buffer {
  const writer = new ByteWriter();
  writer.uint8(message.version.major);
  writer.uint8(message.version.minor);
  writer.uint16(message.code);
  writer.int32(message.requestId);
  for (const group of message.groups) {
    writer.uint8(group.tag);
    for (const attribute of group.attributes) writeAttribute(writer, attribute);
  }
  writer.uint8(END_OF_ATTRIBUTES_TAG);
  return writer.toBuffer();
}

function writeAttribute(writer: ByteWriter, attribute: IppAttribute): void {
  if (attribute.values.length === 0) throw new Error(`IPP attribute "${attribute.name}" has no values`);
  attribute.values.forEach((value, index) => writeValue(writer, index === 0 ? attribute.name : '', value));
}

function writeValue(writer: ByteWriter, name: string, value: IppValue): void {
  const nameBytes = Buffer.from(name, 'utf8');
  if (value.tag === 'collection') {
    writeField(writer, VALUE_TAG.begCollection, nameBytes, Buffer.alloc(0));
    for (const member of value.value) {
      if (member.values.length === 0) throw new Error(`IPP collection member "${member.name}" has no values`);
      writeField(writer, VALUE_TAG.memberAttrName, Buffer.alloc(0), Buffer.from(member.name, 'utf8'));
      for (const memberValue of member.values) writeValue(writer, '', memberValue);
    }
    writeField(writer, VALUE_TAG.endCollection, Buffer.alloc(0), Buffer.alloc(0));
    return;
  }
  const [tag, bytes] = valueBytes(value);
  writeField(writer, tag, nameBytes, bytes);
}

function writeField(writer: ByteWriter, tag: number, name: Buffer, value: Buffer): void {
  if (name.length > MAX_FIELD_LENGTH || value.length > MAX_FIELD_LENGTH) {
    throw new Error(`IPP field "${name.toString('utf8')}" is longer than ${MAX_FIELD_LENGTH} octets`);
  }
  if (tag > 0xff) {
    writer.uint8(VALUE_TAG.extension);
    writer.uint32(tag);
  } else {
    writer.uint8(tag);
  }
  writer.uint16(name.length);
  writer.bytes(name);
  writer.uint16(value.length);
  writer.bytes(value);
}

function valueBytes(value: Exclude<IppValue, { tag: 'collection' }>): [number, Buffer] {
  switch (value.tag) {
    case 'integer':
    case 'enum':
      return [VALUE_TAG[value.tag], int32(value.value)];
    case 'boolean':
      return [VALUE_TAG.boolean, Buffer.from([value.value ? 1 : 0])];
    case 'text':
    case 'name':
    case 'keyword':
    case 'uri':
    case 'uriScheme':
    case 'charset':
    case 'naturalLanguage':
    case 'mimeMediaType':
      return [VALUE_TAG[value.tag], Buffer.from(value.value, 'utf8')];
    case 'textWithLanguage':
    case 'nameWithLanguage': {
      const language = Buffer.from(value.language, 'utf8');
      const text = Buffer.from(value.value, 'utf8');
      const bytes = Buffer.alloc(4 + language.length + text.length);
      bytes.writeUInt16BE(language.length, 0);
      language.copy(bytes, 2);
      bytes.writeUInt16BE(text.length, 2 + language.length);
      text.copy(bytes, 4 + language.length);
      return [VALUE_TAG[value.tag], bytes];
    }
    case 'octetString':
      return [VALUE_TAG.octetString, Buffer.from(value.value)];
    case 'dateTime':
      return [VALUE_TAG.dateTime, dateTimeBytes(value.value)];
    case 'resolution': {
      const bytes = Buffer.alloc(9);
      bytes.writeInt32BE(value.value.x, 0);
      bytes.writeInt32BE(value.value.y, 4);
      bytes.writeUInt8(value.value.units === 'dpi' ? 3 : 4, 8);
      return [VALUE_TAG.resolution, bytes];
    }
    case 'rangeOfInteger': {
      const bytes = Buffer.alloc(8);
      bytes.writeInt32BE(value.value.lower, 0);
      bytes.writeInt32BE(value.value.upper, 4);
      return [VALUE_TAG.rangeOfInteger, bytes];
    }
    case 'unrecognized':
      return [value.code, Buffer.from(value.value)];
    default:
      // out-of-band values have no octets
      return [VALUE_TAG[value.tag], Buffer.alloc(0)];
  }
}

function int32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value, 0);
  return bytes;
}

/** RFC 2579 DateAndTime, always written in UTC. */
function dateTimeBytes(date: Date): Buffer {
  const bytes = Buffer.alloc(11);
  bytes.writeUInt16BE(date.getUTCFullYear(), 0);
  bytes.writeUInt8(date.getUTCMonth() + 1, 2);
  bytes.writeUInt8(date.getUTCDate(), 3);
  bytes.writeUInt8(date.getUTCHours(), 4);
  bytes.writeUInt8(date.getUTCMinutes(), 5);
  bytes.writeUInt8(date.getUTCSeconds(), 6);
  bytes.writeUInt8(Math.floor(date.getUTCMilliseconds() / 100), 7);
  bytes.writeUInt8(0x2b, 8); // '+'
  return bytes;
}

class ByteWriter {
  private readonly chunks: Buffer[] = [];

  uint8(value: number): void {
    this.chunks.push(Buffer.from([value & 0xff]));
  }

  uint16(value: number): void {
    const bytes = Buffer.alloc(2);
    bytes.writeUInt16BE(value, 0);
    this.chunks.push(bytes);
  }

  uint32(value: number): void {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value, 0);
    this.chunks.push(bytes);
  }

  int32(value: number): void {
    this.chunks.push(int32(value));
  }

  bytes(value: Buffer): void {
    if (value.length > 0) this.chunks.push(value);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
