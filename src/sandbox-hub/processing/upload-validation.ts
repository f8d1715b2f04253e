// Checks of an upload's metadata (docs/hub-protocol.md, POST /v1/documents), independent of the transport:
// the HTTPS face feeds them headers, a file-drop face can feed them what it derives from names.
import { createHash } from 'node:crypto';
import type { CaptureSource } from '../../contract/states.ts';
import { HubProtocolError } from '../hub-protocol-error.ts';
import type { UploadKind } from '../sdi/document-analysis.ts';

const KIND_BY_MEDIA_TYPE: Record<string, UploadKind> = {
  'application/pdf': 'pdf',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'application/pkcs7-mime': 'p7m',
  'application/x-pkcs7-mime': 'p7m',
};
const ZIP_MEDIA_TYPES = new Set(['application/zip', 'application/x-zip-compressed']);
const SOURCES: readonly CaptureSource[] = ['printer', 'folder', 'api', 'upload'];
const ACCEPTED = 'application/pdf, application/xml, application/pkcs7-mime';

export function uploadKindOf(contentType: string | undefined): { kind: UploadKind; mediaType: string } {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!mediaType) throw new HubProtocolError(415, 'unsupported_media_type', `Content-Type is required; the hub accepts ${ACCEPTED}.`);
  if (ZIP_MEDIA_TYPES.has(mediaType)) {
    throw new HubProtocolError(
      415,
      'unsupported_media_type',
      'ZIP archives are not accepted by this hub: send each invoice in the archive as its own document.',
    );
  }
  const kind = KIND_BY_MEDIA_TYPE[mediaType];
  if (!kind) throw new HubProtocolError(415, 'unsupported_media_type', `Content-Type ${mediaType} is not supported; the hub accepts ${ACCEPTED}.`);
  return { kind, mediaType };
}

export function checkIdempotencyKey(key: string | undefined): string {
  if (!key) throw new HubProtocolError(400, 'missing_idempotency_key', "The Idempotency-Key header is required (the sender's document id).");
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new HubProtocolError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 visible ASCII characters.');
  }
  return key;
}

export function checkNotEmpty(bytes: Buffer | undefined): Buffer {
  if (!bytes || bytes.length === 0) throw new HubProtocolError(400, 'empty_document', "The request body is empty: send the document's bytes.");
  return bytes;
}

/**
 * Verifies an RFC 9530 `Content-Digest` (a structured-field dictionary such as `sha-256=:<base64>:`)
 * against the bytes; returns the SHA-256 in hex.
 */
export function verifyContentDigest(header: string | undefined, bytes: Buffer): string {
  if (!header)
    throw new HubProtocolError(400, 'missing_content_digest', 'The Content-Digest header is required: sha-256=:<base64 of the SHA-256 of the body>:');
  const members = new Map<string, string>();
  for (const member of header.split(',')) {
    const match = /^\s*([a-z0-9*_.-]+)\s*=\s*:([A-Za-z0-9+/=]*):\s*$/.exec(member);
    if (match) members.set(match[1] as string, match[2] as string);
  }
  const claimed = members.get('sha-256');
  if (claimed === undefined) {
    throw new HubProtocolError(400, 'invalid_content_digest', 'Content-Digest must contain a sha-256 member written as sha-256=:<base64>:');
  }
  const claimedBytes = Buffer.from(claimed, 'base64');
  if (claimedBytes.length !== 32)
    throw new HubProtocolError(400, 'invalid_content_digest', 'The sha-256 value of Content-Digest is not a base64 SHA-256 (32 bytes).');
  const actual = createHash('sha256').update(bytes).digest();
  if (!actual.equals(claimedBytes)) {
    throw new HubProtocolError(400, 'digest_mismatch', 'The body does not match its Content-Digest: it was altered or truncated on the way.', {
      details: { expected: claimed, actual: actual.toString('base64') },
    });
  }
  return actual.toString('hex');
}

/** The percent-encoded UTF-8 X-Filename, decoded; only the last path segment is kept. */
export function decodeFileName(header: string | undefined, fallback: string): string {
  if (header === undefined || header === '') return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(header);
  } catch {
    throw new HubProtocolError(400, 'invalid_filename', 'X-Filename is not valid percent-encoded UTF-8.');
  }
  const name = decoded.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  if (!name || name.length > 255 || /[\x00-\x1f\x7f]/.test(name)) {
    throw new HubProtocolError(400, 'invalid_filename', 'X-Filename must be a file name of 1 to 255 characters without control characters.');
  }
  return name;
}

export function checkSource(header: string | undefined): CaptureSource | null {
  if (header === undefined || header === '') return null;
  if (!(SOURCES as readonly string[]).includes(header)) {
    throw new HubProtocolError(400, 'invalid_source', `X-Source must be one of ${SOURCES.join(', ')}.`);
  }
  return header as CaptureSource;
}
