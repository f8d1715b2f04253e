// Decides what a captured file is from its CONTENT. The name is never trusted (ERPs and users
// mislabel files all the time); the extension only makes a refusal reason clearer.
import type { DocumentKind } from '../../contract/states.ts';
import { DEFAULT_XML_LIMITS, XmlRefusedError, parseXml, textAt } from '../xml/safe-xml.ts';
import type { XmlElement } from '../xml/safe-xml.ts';
import { NOTIFICATION_ROOT_TYPES } from './notifications/notification-types.ts';
import { FATTURAPA_NAMESPACE, SDI_MESSAGES_NAMESPACE, SIMPLIFIED_NAMESPACE } from './namespaces.ts';

export interface ClassifyLimits {
  maxBytes: number;
}

export const DEFAULT_CLASSIFY_LIMITS: ClassifyLimits = { maxBytes: 20 * 1024 * 1024 };

export interface ClassificationDetails {
  formato?: string;
  codiceDestinatario?: string;
  pecDestinatario?: string;
  notificationType?: string;
  p7mEncoding?: 'der' | 'base64';
}

export type Classification =
  { ok: true; kind: Exclude<DocumentKind, 'unknown'>; contentType: string; details: ClassificationDetails } | { ok: false; code: string; reason: string };

const FATTURAPA_NAMESPACES = new Set([FATTURAPA_NAMESPACE, SIMPLIFIED_NAMESPACE]);
// FSM10 (simplified invoice, namespace v1.0) names its root FatturaElettronicaSemplificata.
const FATTURAPA_ROOTS = new Set(['FatturaElettronica', 'FatturaElettronicaSemplificata']);

const PDF_HEADER_WINDOW = 1024;
const PDF_TRAILER_WINDOW = 2048;
// OID 1.2.840.113549.1.7.2 (id-signedData), DER-encoded with its tag and length.
const SIGNED_DATA_OID = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);

export function classifyBytes(bytes: Buffer, fileName: string, limits: ClassifyLimits = DEFAULT_CLASSIFY_LIMITS): Classification {
  if (bytes.length === 0) return refuse('empty', 'the file is empty (0 bytes)');
  if (bytes.length > limits.maxBytes) {
    return refuse('too_large', `the file is ${formatBytes(bytes.length)}, over the ${formatBytes(limits.maxBytes)} limit`);
  }
  // The PDF marker may legally sit after some junk, but ZIP, P7M and XML files can also carry
  // "%PDF-" early (a stored or signed PDF inside), so structural signatures are checked first.
  const pdfOffset = bytes.subarray(0, PDF_HEADER_WINDOW).indexOf('%PDF-');
  if (pdfOffset === 0) return classifyPdf(bytes);
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return classifyZip(bytes);

  const der = readSignedDataHeader(bytes);
  if (der) return classifyP7m(bytes.length, der, 'der');
  if (looksLikeXml(bytes)) return classifyXml(bytes);
  if (pdfOffset > 0) return classifyPdf(bytes);

  const decoded = decodeBase64SignedData(bytes);
  if (decoded) {
    const header = readSignedDataHeader(decoded);
    if (header) return classifyP7m(decoded.length, header, 'base64');
  }
  return refuse('unsupported_type', unsupportedReason(bytes, fileName));
}

function classifyPdf(bytes: Buffer): Classification {
  const tail = bytes.subarray(Math.max(0, bytes.length - PDF_TRAILER_WINDOW));
  if (!tail.includes('%%EOF')) {
    return refuse(
      'pdf_truncated',
      `the PDF is truncated: it has no %%EOF marker in its last ${PDF_TRAILER_WINDOW} bytes (cut off while being written or copied?)`,
    );
  }
  return { ok: true, kind: 'pdf', contentType: 'application/pdf', details: {} };
}

function classifyZip(bytes: Buffer): Classification {
  const office = officeDocumentKind(bytes);
  if (office) {
    return refuse('unsupported_type', `${office}, not a ZIP archive of invoices: save it as PDF or export the FatturaPA XML`);
  }
  return { ok: true, kind: 'zip', contentType: 'application/zip', details: {} };
}

/** DOCX/XLSX/ODT files are ZIP containers; their first entry gives them away. */
function officeDocumentKind(bytes: Buffer): string | null {
  if (!startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || bytes.length < 30) return null;
  const nameLength = bytes.readUInt16LE(26);
  const extraLength = bytes.readUInt16LE(28);
  const firstName = bytes.subarray(30, 30 + nameLength).toString('latin1');
  if (firstName === '[Content_Types].xml') return 'an Office Open XML document (DOCX/XLSX/PPTX)';
  if (firstName === 'mimetype') {
    const body = bytes.subarray(30 + nameLength + extraLength, 30 + nameLength + extraLength + 60).toString('latin1');
    if (body.startsWith('application/vnd.oasis.opendocument')) return 'an OpenDocument file (ODT/ODS)';
  }
  return null;
}

interface SignedDataHeader {
  /** Total bytes the outer SEQUENCE declares, or null for BER indefinite length. */
  declaredLength: number | null;
}

/** A CMS ContentInfo is a SEQUENCE whose first element is the content-type OID. */
function readSignedDataHeader(bytes: Buffer): SignedDataHeader | null {
  if (bytes[0] !== 0x30 || bytes.length < 2) return null;
  const first = bytes[1] ?? 0;
  let headerLength: number;
  let contentLength: number | null;
  if (first < 0x80) {
    headerLength = 2;
    contentLength = first;
  } else if (first === 0x80) {
    headerLength = 2; // BER indefinite length: some signing tools still write it
    contentLength = null;
  } else {
    const octets = first & 0x7f;
    if (octets > 4 || bytes.length < 2 + octets) return null;
    contentLength = 0;
    for (let index = 0; index < octets; index += 1) contentLength = contentLength * 256 + (bytes[2 + index] ?? 0);
    headerLength = 2 + octets;
  }
  const oid = bytes.subarray(headerLength, headerLength + SIGNED_DATA_OID.length);
  if (!oid.equals(SIGNED_DATA_OID)) return null;
  return { declaredLength: contentLength === null ? null : headerLength + contentLength };
}

function classifyP7m(actualLength: number, header: SignedDataHeader, encoding: 'der' | 'base64'): Classification {
  if (header.declaredLength !== null && header.declaredLength > actualLength) {
    return refuse(
      'p7m_truncated',
      `the signed file (P7M) is truncated: its structure declares ${header.declaredLength} bytes but only ${actualLength} are present`,
    );
  }
  return { ok: true, kind: 'p7m', contentType: 'application/pkcs7-mime', details: { p7mEncoding: encoding } };
}

/** Base64 (optionally PEM-armoured) text whose decoded start is CMS SignedData. */
function decodeBase64SignedData(bytes: Buffer): Buffer | null {
  // 'M' is the base64 of a leading 0x30; checking the prefix first avoids decoding large random text.
  let text = bytes.toString('latin1').trim();
  text = text.replace(/^-----BEGIN [A-Z0-9 ]+-----/, '').replace(/-----END [A-Z0-9 ]+-----$/, '');
  const prefix = text.slice(0, 128).replace(/\s+/g, '');
  if (!prefix.startsWith('MI')) return null;
  const usable = prefix.slice(0, prefix.length - (prefix.length % 4));
  if (!readSignedDataHeader(Buffer.from(usable, 'base64'))) return null;
  if (!/^[A-Za-z0-9+/=\s]+$/.test(text)) return null;
  return Buffer.from(text.replace(/\s+/g, ''), 'base64');
}

/** After an optional BOM and whitespace, the first character is '<' (UTF-8 or UTF-16). */
function looksLikeXml(bytes: Buffer): boolean {
  let text: string;
  if (startsWith(bytes, [0xff, 0xfe])) text = new TextDecoder('utf-16le').decode(bytes.subarray(2, 258));
  else if (startsWith(bytes, [0xfe, 0xff])) text = new TextDecoder('utf-16be').decode(bytes.subarray(2, 258));
  else if (startsWith(bytes, [0xef, 0xbb, 0xbf])) text = bytes.subarray(3, 259).toString('latin1');
  else text = bytes.subarray(0, 256).toString('latin1');
  return text.trimStart().startsWith('<');
}

function classifyXml(bytes: Buffer): Classification {
  let root: XmlElement;
  try {
    root = parseXml(bytes, { ...DEFAULT_XML_LIMITS, maxBytes: Math.max(DEFAULT_XML_LIMITS.maxBytes, bytes.length) });
  } catch (error) {
    if (!(error instanceof XmlRefusedError)) throw error;
    if (error.code === 'xml_doctype') {
      return refuse('xml_doctype', 'the XML declares a DOCTYPE: DTDs and entities are refused for safety (they can hide entity bombs or read local files)');
    }
    return refuse(error.code, error.message);
  }

  if (FATTURAPA_ROOTS.has(root.local) && FATTURAPA_NAMESPACES.has(root.uri)) {
    const details: ClassificationDetails = {};
    const formato = root.attributes['versione'];
    const codiceDestinatario = textAt(root, 'FatturaElettronicaHeader', 'DatiTrasmissione', 'CodiceDestinatario');
    const pecDestinatario = textAt(root, 'FatturaElettronicaHeader', 'DatiTrasmissione', 'PECDestinatario');
    if (formato) details.formato = formato;
    if (codiceDestinatario) details.codiceDestinatario = codiceDestinatario;
    if (pecDestinatario) details.pecDestinatario = pecDestinatario;
    return { ok: true, kind: 'fatturapa', contentType: 'application/xml', details };
  }
  const notificationType = root.uri === SDI_MESSAGES_NAMESPACE ? NOTIFICATION_ROOT_TYPES[root.local] : undefined;
  if (notificationType) {
    return { ok: true, kind: 'sdi_notification', contentType: 'application/xml', details: { notificationType } };
  }
  const namespace = root.uri ? `namespace ${root.uri}` : 'no namespace';
  return refuse(
    'xml_not_fatturapa',
    `the XML is not a FatturaPA invoice or SDI notification: its root element is <${root.local}> in ${namespace} ` +
      `(an invoice has <FatturaElettronica> in ${[...FATTURAPA_NAMESPACES][0]})`,
  );
}

const CLAIMED_TYPES: Array<{ extension: string; claim: string }> = [
  { extension: '.pdf', claim: 'not a PDF: the content does not start with %PDF-' },
  { extension: '.xml', claim: "not XML: the content does not start with '<'" },
  { extension: '.p7m', claim: 'not a signed file: the content is not CMS SignedData (neither DER nor base64)' },
  { extension: '.zip', claim: 'not a ZIP archive: the content does not start with a ZIP header' },
];

function unsupportedReason(bytes: Buffer, fileName: string): string {
  const lowerName = fileName.toLowerCase();
  const claimed = CLAIMED_TYPES.find((type) => lowerName.endsWith(type.extension));
  const seen = recognisedOtherType(bytes);
  const hint = seen ? `; it looks like ${seen}` : '';
  if (claimed) return `${claimed.claim} although the name ends in ${claimed.extension}${hint}`;
  return `unsupported file type: only PDF, FatturaPA XML, SDI notifications, signed P7M and ZIP archives are accepted${hint}`;
}

/** A few common formats people drop by mistake, named so the reason helps them. */
function recognisedOtherType(bytes: Buffer): string | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return 'a PNG image';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'a JPEG image';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'a GIF image';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'a TIFF image';
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) return 'an old Microsoft Office document (DOC/XLS/MSG)';
  if (bytes.subarray(0, 5).toString('latin1') === '{\\rtf') return 'an RTF document';
  if (bytes.subarray(0, 4).toString('latin1') === '%!PS') return 'PostScript print data';
  if (bytes[0] === 0x1b) return 'printer data (PCL/PJL)';
  if (startsWith(bytes, [0x52, 0x61, 0x72, 0x21])) return 'a RAR archive';
  if (startsWith(bytes, [0x37, 0x7a, 0xbc, 0xaf])) return 'a 7-Zip archive';
  return null;
}

function startsWith(bytes: Buffer, prefix: number[]): boolean {
  return prefix.every((value, index) => bytes[index] === value);
}

function refuse(code: string, reason: string): Classification {
  return { ok: false, code, reason };
}

function formatBytes(count: number): string {
  if (count >= 1024 * 1024) return `${(count / (1024 * 1024)).toFixed(1)} MiB`;
  if (count >= 1024) return `${(count / 1024).toFixed(1)} KiB`;
  return `${count} bytes`;
}
