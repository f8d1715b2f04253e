// Asks an IPP printer for its attributes (Get-Printer-Attributes, RFC 8011 §4.2.5), the same request
// lpadmin and Windows make when they build a driverless queue. If it does not answer now, installing
// would leave a raw queue (CUPS) or fail (Windows), so the managers ask first.
import http from 'node:http';

export type IppProbeResult = { ok: true; makeAndModel: string | null; documentFormats: string[] } | { ok: false; reason: string };

const GET_PRINTER_ATTRIBUTES = 0x000b;
const TAG_OPERATION = 0x01;
const TAG_END = 0x03;
const TAG_URI = 0x45;
const TAG_CHARSET = 0x47;
const TAG_LANGUAGE = 0x48;
const TAG_KEYWORD = 0x44;
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** ipp://host:port/path → http://host:port/path (IPP runs over HTTP; 631 is its default port). */
export function ippToHttpUrl(uri: string): string {
  const url = new URL(uri);
  if (url.protocol === 'http:') return url.toString();
  if (url.protocol !== 'ipp:') throw new Error(`not an ipp:// address: ${uri}`);
  return `http://${url.hostname.includes(':') && !url.hostname.startsWith('[') ? `[${url.hostname}]` : url.hostname}:${url.port || '631'}${url.pathname}${url.search}`;
}

export function encodeGetPrinterAttributes(printerUri: string, requestId = 1): Buffer {
  const parts: Buffer[] = [Buffer.from([0x01, 0x01]), u16(GET_PRINTER_ATTRIBUTES), u32(requestId), Buffer.from([TAG_OPERATION])];
  parts.push(attribute(TAG_CHARSET, 'attributes-charset', 'utf-8'));
  parts.push(attribute(TAG_LANGUAGE, 'attributes-natural-language', 'en'));
  parts.push(attribute(TAG_URI, 'printer-uri', printerUri));
  parts.push(attribute(TAG_KEYWORD, 'requested-attributes', 'printer-make-and-model'));
  parts.push(attribute(TAG_KEYWORD, '', 'document-format-supported')); // additional value of the same attribute
  parts.push(Buffer.from([TAG_END]));
  return Buffer.concat(parts);
}

/** Reads the status code and the attributes we care about; throws on a truncated message. */
export function decodePrinterAttributesResponse(body: Buffer): { statusCode: number; makeAndModel: string | null; documentFormats: string[] } {
  if (body.length < 9) throw new Error(`an IPP response is at least 9 bytes, got ${body.length}`);
  const statusCode = body.readUInt16BE(2);
  let offset = 8;
  let current = '';
  let makeAndModel: string | null = null;
  const documentFormats: string[] = [];
  while (offset < body.length) {
    const tag = body[offset++]!;
    if (tag === TAG_END) return { statusCode, makeAndModel, documentFormats };
    if (tag < 0x10) continue; // a delimiter tag: the next group starts
    const nameLength = readLength(body, offset);
    const name = body.toString('utf8', offset + 2, offset + 2 + nameLength);
    offset += 2 + nameLength;
    const valueLength = readLength(body, offset);
    const value = body.subarray(offset + 2, offset + 2 + valueLength);
    offset += 2 + valueLength;
    if (name !== '') current = name;
    if (current === 'printer-make-and-model' && makeAndModel === null) makeAndModel = value.toString('utf8');
    if (current === 'document-format-supported') documentFormats.push(value.toString('utf8'));
  }
  throw new Error('the IPP response ends without its end-of-attributes tag');
}

export function probeIppPrinter(uri: string, timeoutMs = 5000): Promise<IppProbeResult> {
  let target: string;
  try {
    target = ippToHttpUrl(uri);
  } catch (error) {
    return Promise.resolve({ ok: false, reason: (error as Error).message });
  }
  const body = encodeGetPrinterAttributes(uri);
  return new Promise((resolve) => {
    const request = http.request(
      target,
      { method: 'POST', headers: { 'Content-Type': 'application/ipp', 'Content-Length': body.length }, timeout: timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) request.destroy(new Error(`the answer is larger than ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(chunk);
        });
        response.on('end', () => resolve(judge(response.statusCode ?? 0, String(response.headers['content-type'] ?? ''), Buffer.concat(chunks))));
        response.on('error', (error) => resolve({ ok: false, reason: error.message }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, reason: error.code === 'ECONNREFUSED' ? 'connection refused (nothing listens on that port)' : error.message }),
    );
    request.end(body);
  });
}

function judge(httpStatus: number, contentType: string, body: Buffer): IppProbeResult {
  if (httpStatus !== 200) return { ok: false, reason: `HTTP ${httpStatus} instead of an IPP answer: not an IPP printer at this address` };
  if (!contentType.toLowerCase().startsWith('application/ipp'))
    return { ok: false, reason: `the answer is ${contentType || 'untyped'}, not application/ipp: not an IPP printer` };
  let decoded: ReturnType<typeof decodePrinterAttributesResponse>;
  try {
    decoded = decodePrinterAttributesResponse(body);
  } catch (error) {
    return { ok: false, reason: `unreadable IPP answer: ${(error as Error).message}` };
  }
  if (decoded.statusCode >= 0x0100)
    return { ok: false, reason: `the printer refused Get-Printer-Attributes with IPP status 0x${decoded.statusCode.toString(16).padStart(4, '0')}` };
  return { ok: true, makeAndModel: decoded.makeAndModel, documentFormats: decoded.documentFormats };
}

function attribute(tag: number, name: string, value: string): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const valueBytes = Buffer.from(value, 'utf8');
  return Buffer.concat([Buffer.from([tag]), u16(nameBytes.length), nameBytes, u16(valueBytes.length), valueBytes]);
}

function readLength(body: Buffer, offset: number): number {
  if (offset + 2 > body.length) throw new Error('the IPP response is truncated');
  const length = body.readUInt16BE(offset);
  if (offset + 2 + length > body.length) throw new Error('the IPP response is truncated');
  return length;
}

function u16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}
