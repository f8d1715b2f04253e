// Opens a CAdES envelope (.xml.p7m) and returns the signed content with its signers. Italian
// signing tools write DER, BER with indefinite lengths and chunked content, or base64; some files
// are signed more than once by wrapping one envelope in another ("matrioska"): all are opened.
import type * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { loadCmsLibrary, type CmsLibrary } from './cms-library.ts';
import { P7mError } from './p7m-error.ts';
import { decodeP7mBytes } from './p7m-encoding.ts';
import { describeSigners } from './p7m-signers.ts';
import type { SignerInfo } from './types.ts';

export { P7mError } from './p7m-error.ts';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
// Nested envelopes beyond this are not a real signing practice but a trap.
const MAX_NESTED_ENVELOPES = 4;
// A 20 MB envelope chunked every 1,000 bytes has ~20,000 nodes; this leaves room without allowing abuse.
const MAX_ASN1_NODES = 200_000;

export interface SignedContent {
  content: Buffer;
  encoding: 'der' | 'base64';
  /** Outer envelope's signers first. */
  signers: SignerInfo[];
}

export async function extractSignedContent(bytes: Buffer): Promise<SignedContent> {
  const { der, encoding } = decodeP7mBytes(bytes);
  const cms = await loadCmsLibrary();
  const signers: SignerInfo[] = [];
  let content = der;
  for (let level = 0; level === 0 || isSignedDataEnvelope(content); level += 1) {
    if (level >= MAX_NESTED_ENVELOPES) {
      throw new P7mError('p7m_corrupt', `the signed file (P7M) nests more than ${MAX_NESTED_ENVELOPES} envelopes, one inside the other`);
    }
    const signed = parseSignedData(cms, content);
    signers.push(...describeSigners(cms, signed));
    content = encapsulatedContent(signed);
  }
  return { content, encoding, signers };
}

function parseSignedData({ asn1js, pkijs }: CmsLibrary, der: Uint8Array): pkijs.SignedData {
  const parsed = asn1js.fromBER(der, { parseEmbedded: false, maxNodes: MAX_ASN1_NODES, maxContentLength: der.byteLength });
  if (parsed.offset === -1) throw corrupt(`its ASN.1 structure cannot be read (${parsed.result.error || 'unknown error'})`);
  const contentInfo = fromSchema(() => new pkijs.ContentInfo({ schema: parsed.result }), 'it is not a CMS envelope');
  if (contentInfo.contentType !== OID_SIGNED_DATA) {
    throw corrupt(`it is a CMS envelope of type ${contentInfo.contentType}, not signed data`);
  }
  return fromSchema(() => new pkijs.SignedData({ schema: contentInfo.content }), 'its signed-data structure is malformed');
}

function fromSchema<T>(build: () => T, problem: string): T {
  try {
    return build();
  } catch (error) {
    throw corrupt(`${problem} (${error instanceof Error ? error.message : String(error)})`);
  }
}

function encapsulatedContent(signed: pkijs.SignedData): Buffer {
  const eContent = signed.encapContentInfo.eContent as asn1js.BaseBlock | undefined;
  if (!eContent) {
    throw new P7mError(
      'p7m_no_content',
      'the signed file (P7M) holds only a detached signature, not the signed invoice: send the enveloped .xml.p7m or the XML itself',
    );
  }
  if (!isOctetString(eContent)) throw corrupt('its signed content is not an OCTET STRING');
  return Buffer.concat(octetChunks(eContent, 0));
}

/** BER allows the content as a constructed OCTET STRING of chunks (possibly nested): concatenate them. */
function octetChunks(block: asn1js.BaseBlock, depth: number): Uint8Array[] {
  if (!block.idBlock.isConstructed) return [(block.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView];
  if (depth > 8) throw corrupt('its signed content is nested too deeply');
  const children = (block.valueBlock as unknown as { value: asn1js.BaseBlock[] }).value;
  if (children.some((child) => !isOctetString(child))) throw corrupt('its chunked signed content holds pieces that are not OCTET STRINGs');
  return children.flatMap((child) => octetChunks(child, depth + 1));
}

function isOctetString(block: asn1js.BaseBlock): boolean {
  return block.idBlock.tagClass === 1 && block.idBlock.tagNumber === 4;
}

/** ContentInfo SEQUENCE whose first element is the id-signedData OID (any length form). */
function isSignedDataEnvelope(bytes: Buffer): boolean {
  if (bytes[0] !== 0x30 || bytes.length < 16) return false;
  const lengthByte = bytes[1] ?? 0;
  const headerLength = lengthByte < 0x80 || lengthByte === 0x80 ? 2 : 2 + (lengthByte & 0x7f);
  const oid = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);
  return bytes.subarray(headerLength, headerLength + oid.length).equals(oid);
}

function corrupt(problem: string): P7mError {
  return new P7mError('p7m_corrupt', `the signed file (P7M) is damaged: ${problem}`);
}
