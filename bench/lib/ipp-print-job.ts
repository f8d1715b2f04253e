// A Print-Job request encoded by hand (RFC 8010 §3): the benchmark's client does not share the
// agent's IPP codec, so the agent's decoder is exercised by bytes it did not produce.
// Only what a minimal client such as CUPS' ipp backend sends: the operation attributes and the data.

const VERSION_2_0 = [0x02, 0x00];
const PRINT_JOB = 0x0002;
const TAG = {
  operationAttributes: 0x01,
  endOfAttributes: 0x03,
  uri: 0x45,
  name: 0x42,
  charset: 0x47,
  naturalLanguage: 0x48,
  mimeMediaType: 0x49,
} as const;

export interface PrintJobRequest {
  requestId: number;
  printerUri: string;
  user: string;
  jobName: string;
  /** The PDF itself, sent as document-format application/pdf. */
  document: Buffer;
}

/** The whole HTTP body: the IPP message, then the document data. */
export function encodePrintJob(request: PrintJobRequest): Buffer {
  if (!Number.isSafeInteger(request.requestId) || request.requestId < 1 || request.requestId > 0x7fffffff) {
    throw new RangeError(`an IPP request-id must be from 1 to 2147483647 (got ${request.requestId})`);
  }
  const head = Buffer.alloc(8);
  head.set(VERSION_2_0, 0);
  head.writeUInt16BE(PRINT_JOB, 2);
  head.writeInt32BE(request.requestId, 4);
  return Buffer.concat([
    head,
    Buffer.of(TAG.operationAttributes),
    attribute(TAG.charset, 'attributes-charset', 'utf-8'),
    attribute(TAG.naturalLanguage, 'attributes-natural-language', 'en'),
    attribute(TAG.uri, 'printer-uri', request.printerUri),
    attribute(TAG.name, 'requesting-user-name', request.user),
    attribute(TAG.name, 'job-name', request.jobName),
    attribute(TAG.mimeMediaType, 'document-format', 'application/pdf'),
    Buffer.of(TAG.endOfAttributes),
    request.document,
  ]);
}

/** value-tag, name-length, name, value-length, value (both lengths 16-bit, big-endian). */
function attribute(tag: number, name: string, value: string): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const valueBytes = Buffer.from(value, 'utf8');
  if (valueBytes.length > 0x7fff) throw new RangeError(`the IPP attribute ${name} is too long (${valueBytes.length} bytes)`);
  const out = Buffer.alloc(1 + 2 + nameBytes.length + 2 + valueBytes.length);
  let at = out.writeUInt8(tag, 0);
  at = out.writeUInt16BE(nameBytes.length, at);
  at += nameBytes.copy(out, at);
  at = out.writeUInt16BE(valueBytes.length, at);
  valueBytes.copy(out, at);
  return out;
}

export interface IppResponseHead {
  statusCode: number;
  requestId: number;
}

/** The status-code and request-id of an IPP response; throws for anything too short to be one. */
export function readIppResponseHead(body: Buffer): IppResponseHead {
  if (body.length < 8) throw new Error(`the IPP response is ${body.length} bytes long, shorter than an IPP header`);
  return { statusCode: body.readUInt16BE(2), requestId: body.readInt32BE(4) };
}

/** successful-ok and its variants (0x0000–0x00ff). */
export function isIppSuccess(statusCode: number): boolean {
  return statusCode < 0x0100;
}
