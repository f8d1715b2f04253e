import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { attr, findAttribute, findGroup, v, type IppAttribute, type IppGroup, type IppMessage } from '../../src/core/printer/ipp/attributes.ts';
import { decodeIppMessage } from '../../src/core/printer/ipp/decoder.ts';
import { encodeIppMessage } from '../../src/core/printer/ipp/encoder.ts';
import { IppRequestError, IppTruncatedError } from '../../src/core/printer/ipp/errors.ts';
import { DEFAULT_IPP_DECODE_LIMITS } from '../../src/core/printer/ipp/limits.ts';
import { GROUP_TAG, OPERATION } from '../../src/core/printer/ipp/tags.ts';
import { isLoopbackAddress, parseLoopbackHost } from '../../src/core/printer/server/loopback.ts';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

function message(attributes: IppAttribute[], jobAttributes: IppAttribute[] = []): IppMessage {
  const groups: IppGroup[] = [{ tag: GROUP_TAG.operation, attributes }];
  if (jobAttributes.length > 0) groups.push({ tag: GROUP_TAG.job, attributes: jobAttributes });
  return { version: { major: 2, minor: 0 }, code: OPERATION['Print-Job'], requestId: 42, groups };
}

const operationHeader = [attr('attributes-charset', v.charset('utf-8')), attr('attributes-natural-language', v.naturalLanguage('en'))];

function decodeError(bytes: Uint8Array, limits = DEFAULT_IPP_DECODE_LIMITS): IppRequestError {
  try {
    decodeIppMessage(bytes, limits);
  } catch (error) {
    if (error instanceof IppRequestError) return error;
    throw error;
  }
  throw new Error('expected the decoder to refuse the bytes');
}

/** Raw bytes of a header plus operation group, for building malformed messages by hand. */
const prologue = '0200 0002 0000002a 01';

describe('IPP encoding (RFC 8010)', () => {
  it('encodes the header, groups and values with the exact RFC 8010 layout', () => {
    const bytes = encodeIppMessage(
      message([
        attr('attributes-charset', v.charset('utf-8')),
        attr('copies', v.integer(2), v.integer(3)),
        attr('printer-resolution', v.resolution(300, 600)),
        attr('copies-supported', v.range(1, 999)),
        attr('fidelity', v.boolean(true)),
        attr('none', v.outOfBand('no-value')),
      ]),
    );
    expect(bytes).toEqual(
      hex(`
      0200 0002 0000002a
      01
      47 0012 ${Buffer.from('attributes-charset').toString('hex')} 0005 ${Buffer.from('utf-8').toString('hex')}
      21 0006 ${Buffer.from('copies').toString('hex')} 0004 00000002
      21 0000 0004 00000003
      32 0012 ${Buffer.from('printer-resolution').toString('hex')} 0009 0000012c 00000258 03
      33 0010 ${Buffer.from('copies-supported').toString('hex')} 0008 00000001 000003e7
      22 0008 ${Buffer.from('fidelity').toString('hex')} 0001 01
      13 0004 ${Buffer.from('none').toString('hex')} 0000
      03`),
    );
  });

  it('encodes a collection with memberAttrName fields and an unnamed nested collection', () => {
    const bytes = encodeIppMessage(message([attr('media-col', v.collection([attr('media-size', v.collection([attr('x-dimension', v.integer(21000))]))]))]));
    const name = (text: string): string => `${Buffer.from(text).length.toString(16).padStart(4, '0')} ${Buffer.from(text).toString('hex')}`;
    expect(bytes).toEqual(
      hex(`
      ${prologue}
      34 ${name('media-col')} 0000
      4a 0000 ${name('media-size')}
      34 0000 0000
      4a 0000 ${name('x-dimension')}
      21 0000 0004 00005208
      37 0000 0000
      37 0000 0000
      03`),
    );
  });

  it('encodes textWithLanguage and dateTime as RFC 8010 and RFC 2579 define them', () => {
    const bytes = encodeIppMessage(
      message([attr('job-name', v.nameWithLanguage('Fattura', 'it')), attr('when', v.dateTime(new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 700))))]),
    );
    expect(bytes.includes(hex('36 0008 6a6f622d6e616d65 000d 0002 6974 0007 46617474757261'))).toBe(true);
    expect(bytes.includes(hex('31 0004 7768656e 000b 07e8 02 1d 17 3b 3a 07 2b 00 00'))).toBe(true);
  });
});

describe('IPP decoding (RFC 8010)', () => {
  it('round-trips every value syntax, collections, out-of-band values and unknown tags', () => {
    const original = message(
      [
        ...operationHeader,
        attr('printer-uri', v.uri('ipp://localhost:631/ipp/print/main')),
        attr('requesting-user-name', v.name('rossi')),
        attr('job-name', v.nameWithLanguage('Fattura n. 17 – Società', 'it')),
        attr('status-message', v.textWithLanguage('Già stampato', 'it-IT')),
        attr('document-format', v.mimeMediaType('application/pdf')),
        attr('reference-uri-schemes-supported', v.uriScheme('http'), v.uriScheme('ipp')),
        attr('printer-alert', v.octetString(Uint8Array.from([0, 1, 2, 255]))),
        attr('printer-current-time', v.dateTime(new Date(Date.UTC(2025, 11, 31, 23, 59, 59, 900)))),
        attr('ipp-attribute-fidelity', v.boolean(false)),
        attr('print-quality', v.enum(5)),
        attr('page-ranges', v.range(1, 3), v.range(5, 5)),
        attr('printer-resolution', v.resolution(120, 240, 'dpcm')),
        attr('printer-geo-location', v.outOfBand('unknown')),
        attr('job-account-id', v.outOfBand('no-value')),
        attr('vendor-thing', { tag: 'unrecognized', code: 0x1234_5678, value: Uint8Array.from([9, 8, 7]) }),
      ],
      [
        attr(
          'media-col',
          v.collection([
            attr('media-size', v.collection([attr('x-dimension', v.integer(21000)), attr('y-dimension', v.integer(29700))])),
            attr('media-source', v.keyword('auto')),
            attr('media-key', v.keyword('a'), v.keyword('b')),
          ]),
          v.collection([attr('media-type', v.keyword('stationery'))]),
        ),
        attr('copies', v.integer(-7)),
      ],
    );
    const bytes = Buffer.concat([encodeIppMessage(original), Buffer.from('%PDF-1.7 document data')]);
    const { message: decoded, dataOffset } = decodeIppMessage(bytes);
    expect(decoded).toEqual(original);
    expect(bytes.subarray(dataOffset).toString()).toBe('%PDF-1.7 document data');
  });

  it('decodes a dateTime with a time-zone offset to the right instant', () => {
    const bytes = hex(`${prologue} 31 0001 74 000b 07e9 01 0f 0a 1e 00 05 2b 01 00 03`);
    const value = findAttribute(decodeIppMessage(bytes).message.groups[0]!.attributes, 't')!.values[0];
    expect(value).toEqual({ tag: 'dateTime', value: new Date(Date.UTC(2025, 0, 15, 9, 30, 0, 500)) });
  });

  it('decodes a Print-Job request exactly as CUPS 2.4 ipptool sends it', () => {
    // Captured from `ipptool` with COMPRESSION deflate: the document data follows end-of-attributes.
    const request = hex(`
      0101 0002 00008183 01
      47 0012 617474726962757465732d63686172736574 0005 7574662d38
      48 001b 617474726962757465732d6e61747572616c2d6c616e6775616765 0002 656e
      45 000b 7072696e7465722d757269 001e 6970703a2f2f3132372e302e302e313a383939392f6970702f7072696e74
      44 000b 636f6d7072657373696f6e 0007 6465666c617465
      03 cb48cdc9c95728`);
    const { message: decoded, dataOffset } = decodeIppMessage(request);
    expect(decoded.version).toEqual({ major: 1, minor: 1 });
    expect(decoded.code).toBe(OPERATION['Print-Job']);
    expect(decoded.requestId).toBe(0x8183);
    const operation = findGroup(decoded, GROUP_TAG.operation)!.attributes;
    expect(operation.map((a) => a.name)).toEqual(['attributes-charset', 'attributes-natural-language', 'printer-uri', 'compression']);
    expect(findAttribute(operation, 'printer-uri')!.values).toEqual([v.uri('ipp://127.0.0.1:8999/ipp/print')]);
    expect(request.subarray(dataOffset)).toEqual(hex('cb48cdc9c95728'));
  });

  it('reports every prefix of a valid message as truncated, never as anything else', () => {
    const bytes = encodeIppMessage(
      message([...operationHeader, attr('media-col', v.collection([attr('media-size', v.collection([attr('x-dimension', v.integer(1))]))]))]),
    );
    for (let length = 0; length < bytes.length; length++) {
      const error = decodeError(bytes.subarray(0, length));
      expect(error, `prefix of ${length} octets`).toBeInstanceOf(IppTruncatedError);
      expect(error.status).toBe('client-error-bad-request');
      expect((error as IppTruncatedError).needed).toBeGreaterThan(length);
    }
  });

  it.each([
    ['an attribute before any group', '0200 0002 0000002a 21 0001 61 0004 00000001 03'],
    ['an additional value with no attribute', `${prologue} 21 0000 0004 00000001 03`],
    ['memberAttrName outside a collection', `${prologue} 4a 0000 0001 61 03`],
    ['endCollection without begCollection', `${prologue} 37 0000 0000 03`],
    ['a collection member before its name', `${prologue} 34 0001 63 0000 21 0000 0004 00000001 37 0000 0000 03`],
    ['a named member inside a collection', `${prologue} 34 0001 63 0000 21 0001 61 0004 00000001 37 0000 0000 03`],
    ['a collection left open', `${prologue} 34 0001 63 0000 03`],
    ['a group delimiter inside a collection', `${prologue} 34 0001 63 0000 02 37 0000 0000 03`],
    ['an integer of 2 octets', `${prologue} 21 0001 61 0002 0001 03`],
    ['a boolean that is 2', `${prologue} 22 0001 61 0001 02 03`],
    ['a resolution in unknown units', `${prologue} 32 0001 61 0009 0000012c 0000012c 07 03`],
    ['a dateTime in month 13', `${prologue} 31 0001 61 000b 07e8 0d 01 00 00 00 00 2b 00 00 03`],
    ['a textWithLanguage with inconsistent lengths', `${prologue} 35 0001 61 0006 0002 656e 0005 03`],
    ['the reserved delimiter 0x00', `${prologue} 00 03`],
    ['an attribute name longer than 255 octets', `${prologue} 21 012c 03`],
  ])('refuses %s as a bad request', (_what, bytes) => {
    const error = decodeError(hex(bytes));
    expect(error).not.toBeInstanceOf(IppTruncatedError);
    expect(error.status).toBe('client-error-bad-request');
    expect(error.message).toMatch(/^Malformed IPP request: /);
  });

  it('refuses a value longer than maxValueLength with client-error-request-value-too-long', () => {
    const bytes = encodeIppMessage(message([...operationHeader, attr('job-name', v.name('x'.repeat(DEFAULT_IPP_DECODE_LIMITS.maxValueLength + 1)))]));
    const error = decodeError(bytes);
    expect(error.status).toBe('client-error-request-value-too-long');
    expect(error.message).toContain('"job-name"');
  });

  it('refuses more than maxAttributes attributes, counting collection members', () => {
    const limits = { ...DEFAULT_IPP_DECODE_LIMITS, maxAttributes: 5 };
    const flat = encodeIppMessage(message([...operationHeader, ...[1, 2, 3, 4].map((n) => attr(`a${n}`, v.integer(n)))]));
    expect(decodeError(flat, limits).status).toBe('client-error-request-entity-too-large');
    const members = encodeIppMessage(
      message([...operationHeader, attr('c', v.collection([attr('m1', v.integer(1)), attr('m2', v.integer(2)), attr('m3', v.integer(3))]))]),
    );
    expect(decodeError(members, limits).status).toBe('client-error-request-entity-too-large');
    expect(
      decodeIppMessage(encodeIppMessage(message([...operationHeader, attr('c', v.collection([attr('m1', v.integer(1))]))])), limits).message.groups,
    ).toHaveLength(1);
  });

  it('refuses a header larger than maxHeaderBytes, but not the document data after it', () => {
    const limits = { ...DEFAULT_IPP_DECODE_LIMITS, maxHeaderBytes: 200 };
    const small = encodeIppMessage(message([...operationHeader]));
    expect(decodeIppMessage(Buffer.concat([small, Buffer.alloc(10_000)]), limits).dataOffset).toBe(small.length);
    const big = encodeIppMessage(message([...operationHeader, attr('job-name', v.name('n'.repeat(300)))]));
    expect(decodeError(big, limits).status).toBe('client-error-request-entity-too-large');
    // Even when only the start has arrived, the decoder knows it is already over the limit.
    expect(decodeError(big.subarray(0, 201), limits).status).toBe('client-error-request-entity-too-large');
  });

  it('refuses collections nested deeper than maxCollectionDepth', () => {
    const nest = (depth: number): IppAttribute => (depth === 1 ? attr('leaf', v.integer(1)) : attr(`level${depth}`, v.collection([nest(depth - 1)])));
    const limits = { ...DEFAULT_IPP_DECODE_LIMITS, maxCollectionDepth: 3 };
    expect(() => decodeIppMessage(encodeIppMessage(message([...operationHeader, nest(4)])), limits)).not.toThrow();
    const error = decodeError(encodeIppMessage(message([...operationHeader, nest(5)])), limits);
    expect(error.status).toBe('client-error-bad-request');
    expect(error.message).toContain('nested deeper than 3');
  });

  it('turns random bytes and corrupted messages into IppRequestError or a message, never another exception', () => {
    const valid = encodeIppMessage(
      message([
        ...operationHeader,
        attr('media-col', v.collection([attr('media-size', v.collection([attr('x', v.integer(1))]))])),
        attr('job-name', v.nameWithLanguage('x', 'en')),
        attr('t', v.dateTime(new Date())),
      ]),
    );
    for (let round = 0; round < 3000; round++) {
      let bytes: Buffer;
      if (round % 2 === 0) {
        bytes = randomBytes(1 + (round % 300));
      } else {
        bytes = Buffer.from(valid);
        for (let flips = 0; flips < 1 + (round % 4); flips++) bytes[Math.floor(Math.random() * bytes.length)] = Math.floor(Math.random() * 256);
      }
      try {
        decodeIppMessage(bytes);
      } catch (error) {
        expect(error, `round ${round}: ${bytes.toString('hex')}`).toBeInstanceOf(IppRequestError);
      }
    }
  });
});

describe('loopback checks', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['192.168.1.20', false],
    ['10.0.0.1', false],
    ['::ffff:192.168.1.20', false],
    ['fe80::1', false],
    ['::', false],
    ['', false],
    [undefined, false],
  ])('isLoopbackAddress(%s) is %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });

  it('accepts Host headers naming this computer and refuses the others', () => {
    expect(parseLoopbackHost('localhost:8631')).toEqual({ hostname: 'localhost', port: 8631, authority: 'localhost:8631' });
    expect(parseLoopbackHost('127.0.0.1:631')?.authority).toBe('127.0.0.1:631');
    expect(parseLoopbackHost('[::1]:8631')?.authority).toBe('[::1]:8631');
    expect(parseLoopbackHost('LOCALHOST')?.authority).toBe('localhost');
    expect(parseLoopbackHost('printer.localhost:1')?.hostname).toBe('printer.localhost');
    for (const refused of ['evil.example:8631', '192.168.1.2:8631', 'localhost.evil.example', 'localhost:99999', 'local host', '', undefined]) {
      expect(parseLoopbackHost(refused), String(refused)).toBeNull();
    }
  });
});
