// An SFTP upload has no Content-Type: the hub tells PDF, FatturaPA XML and signed P7M apart by
// their first bytes, and refuses anything else the way POST /v1/documents refuses a bad Content-Type.
import { HubProtocolError } from '../hub-protocol-error.ts';
import { uploadKindOf } from '../processing/upload-validation.ts';
import type { UploadKind } from '../sdi/document-analysis.ts';

const HEAD_BYTES = 1024;
const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');
// DER of OID 1.2.840.113549.1.7.2 (PKCS #7 signedData): the content type a CAdES envelope starts with.
const SIGNED_DATA_OID = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface DetectedType {
  kind: UploadKind;
  mediaType: string;
}

export function detectContentType(bytes: Buffer): DetectedType {
  const head = bytes.subarray(0, HEAD_BYTES);
  if (head.includes('%PDF-')) return uploadKindOf('application/pdf');
  if (looksLikeXml(head)) return uploadKindOf('application/xml');
  if (isDerSignedData(bytes) || isDerSignedData(decodeBase64Head(head))) return uploadKindOf('application/pkcs7-mime');
  // The same refusal as Content-Type: application/zip over HTTPS.
  if (head.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC)) return uploadKindOf('application/zip');
  throw new HubProtocolError(
    415,
    'unsupported_media_type',
    'The file is neither a PDF (%PDF- in its first KiB), a FatturaPA XML nor a signed P7M (PKCS #7, DER or base64): the hub cannot process it.',
  );
}

function looksLikeXml(head: Buffer): boolean {
  const body = head.subarray(0, UTF8_BOM.length).equals(UTF8_BOM) ? head.subarray(UTF8_BOM.length) : head;
  return /^\s*</.test(body.toString('latin1'));
}

/** A DER SEQUENCE whose first element is the signedData OID (it follows the SEQUENCE header). */
function isDerSignedData(bytes: Buffer | undefined): boolean {
  if (!bytes || bytes[0] !== 0x30) return false;
  const oidAt = bytes.subarray(0, 16).indexOf(SIGNED_DATA_OID);
  return oidAt >= 2;
}

/** The start of a P7M saved as base64 text (with or without PEM armour). */
function decodeBase64Head(head: Buffer): Buffer | undefined {
  const text = head
    .toString('latin1')
    .replace(/-----[^-]+-----/g, '')
    .replace(/\s+/g, '');
  const usable = text.slice(0, text.length - (text.length % 4));
  if (usable.length < 24 || !/^[A-Za-z0-9+/]+={0,2}$/.test(usable)) return undefined;
  return Buffer.from(usable, 'base64');
}
