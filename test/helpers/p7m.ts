// Builds CAdES-BES-like signed envelopes (.p7m) for tests: a signer certificate issued in the test
// by a throwaway CA (subject CN plus serialNumber "TINIT-<codice fiscale>", as Italian qualified
// certificates carry), signed attributes content-type, signing-time, message-digest and
// signing-certificate-v2, and the content enveloped. Also the other shapes real files take:
// base64 (optionally PEM-armoured) and BER with indefinite lengths and a chunked content.
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto });
const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

const OID_DATA = '1.2.840.113549.1.7.1';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';

export interface TestSigner {
  certificate: pkijs.Certificate;
  privateKey: webcrypto.CryptoKey;
  commonName: string;
  issuerCommonName: string;
  serialNumberHex: string;
  notAfter: Date;
}

export interface TestSignerOptions {
  commonName?: string;
  /** The subject's serialNumber attribute (2.5.4.5); omitted when null. */
  subjectSerialNumber?: string | null;
  issuerCommonName?: string;
}

export async function createTestSigner(options: TestSignerOptions = {}): Promise<TestSigner> {
  const commonName = options.commonName ?? 'ROSSI MARIO';
  const subjectSerialNumber = options.subjectSerialNumber === undefined ? 'TINIT-RSSMRA80A01H501U' : options.subjectSerialNumber;
  const issuerCommonName = options.issuerCommonName ?? 'Test Qualified Signatures CA';
  const caKeys = await webcrypto.subtle.generateKey(algorithm, false, ['sign', 'verify']);
  const keys = await webcrypto.subtle.generateKey(algorithm, false, ['sign', 'verify']);
  const serialNumberHex = '5a1e' + createHash('sha256').update(commonName).digest('hex').slice(0, 12);
  const notAfter = new Date(Date.UTC(2029, 5, 30, 23, 59, 59));
  const subject = [`CN=${commonName}`, subjectSerialNumber ? `2.5.4.5=${subjectSerialNumber}` : null, 'C=IT'].filter(Boolean).join(', ');
  const generated = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumberHex,
    subject,
    issuer: `CN=${issuerCommonName}, O=Test Trust Service Provider, C=IT`,
    notBefore: new Date(Date.UTC(2024, 0, 1)),
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: algorithm,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.nonRepudiation, true)],
  });
  const certificate = pkijs.Certificate.fromBER(generated.rawData);
  return { certificate, privateKey: keys.privateKey, commonName, issuerCommonName, serialNumberHex, notAfter };
}

export interface BuildP7mOptions {
  signingTime?: Date;
  /** A detached signature: the content is signed but left out of the envelope. */
  detached?: boolean;
}

/** A DER CMS SignedData enveloping `content`, signed by `signer` (CAdES-BES signed attributes). */
export async function buildP7m(content: Uint8Array, signer: TestSigner, options: BuildP7mOptions = {}): Promise<Buffer> {
  const signingTime = options.signingTime ?? new Date(Date.UTC(2024, 2, 15, 10, 30, 0));
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      new pkijs.Attribute({ type: OID_CONTENT_TYPE, values: [new asn1js.ObjectIdentifier({ value: OID_DATA })] }),
      new pkijs.Attribute({ type: OID_SIGNING_TIME, values: [new asn1js.UTCTime({ valueDate: signingTime })] }),
      new pkijs.Attribute({ type: OID_MESSAGE_DIGEST, values: [new asn1js.OctetString({ valueHex: sha256(content) })] }),
      new pkijs.Attribute({ type: OID_SIGNING_CERTIFICATE_V2, values: [signingCertificateV2(signer.certificate)] }),
    ],
  });
  const signed = new pkijs.SignedData({
    version: 1,
    encapContentInfo: options.detached
      ? new pkijs.EncapsulatedContentInfo({ eContentType: OID_DATA })
      : new pkijs.EncapsulatedContentInfo({ eContentType: OID_DATA, eContent: new asn1js.OctetString({ valueHex: content }) }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: signer.certificate.issuer, serialNumber: signer.certificate.serialNumber }),
        signedAttrs,
      }),
    ],
    certificates: [signer.certificate],
  });
  await signed.sign(signer.privateKey, 0, 'SHA-256', options.detached ? content : undefined, engine);
  const contentInfo = new pkijs.ContentInfo({ contentType: OID_SIGNED_DATA, content: signed.toSchema(true) });
  return Buffer.from(contentInfo.toSchema().toBER());
}

/** ESS signing-certificate-v2: SEQUENCE { SEQUENCE OF ESSCertIDv2 { certHash (SHA-256 default) } }. */
function signingCertificateV2(certificate: pkijs.Certificate): asn1js.Sequence {
  const certHash = sha256(new Uint8Array(certificate.toSchema().toBER()));
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: certHash })] })] })] });
}

/** The base64 text form: 76-character lines, or PEM-armoured ("-----BEGIN PKCS7-----") with 64. */
export function toBase64P7m(der: Buffer, { pem = false } = {}): Buffer {
  const lines = der.toString('base64').match(new RegExp(`.{1,${pem ? 64 : 76}}`, 'g')) ?? [];
  const body = lines.join('\r\n');
  return Buffer.from(pem ? `-----BEGIN PKCS7-----\n${body}\n-----END PKCS7-----\n` : `${body}\r\n`, 'latin1');
}

/**
 * Re-encodes a DER envelope the way several Italian signing tools write it: indefinite lengths on
 * the path ContentInfo → SignedData → EncapsulatedContentInfo, the content as a constructed OCTET
 * STRING of `chunkSize`-byte pieces. Certificates and signer infos are kept as they were, so the
 * signature stays valid (it covers the signed attributes, whose digest is of the content octets).
 */
export function toIndefiniteLengthBer(der: Buffer, chunkSize = 1000): Buffer {
  const contentInfo = only(der);
  const [contentType, explicitContent] = elements(contentInfo.content);
  const signedData = only(need(explicitContent).content);
  const fields = elements(signedData.content); // version, digestAlgorithms, encapContentInfo, [0] certificates, signerInfos
  const [eContentType, explicitEContent] = elements(need(fields[2]).content);
  const eContent = only(need(explicitEContent).content);
  const octets = eContent.tag === 0x04 ? eContent.content : Buffer.concat(elements(eContent.content).map((piece) => piece.content));
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < octets.length; offset += chunkSize) chunks.push(definite(0x04, octets.subarray(offset, offset + chunkSize)));
  const encap = indefinite(0x30, [need(eContentType).whole, indefinite(0xa0, [indefinite(0x24, chunks)])]);
  const signed = indefinite(0x30, [need(fields[0]).whole, need(fields[1]).whole, encap, ...fields.slice(3).map((field) => field.whole)]);
  return indefinite(0x30, [need(contentType).whole, indefinite(0xa0, [signed])]);
}

interface Element {
  tag: number;
  content: Buffer;
  whole: Buffer;
}

/** Splits DER bytes into consecutive elements (single-byte tags, definite lengths). */
function elements(bytes: Buffer): Element[] {
  const found: Element[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const tag = bytes[offset] ?? 0;
    const first = bytes[offset + 1] ?? 0;
    const lengthOctets = first < 0x80 ? 0 : first & 0x7f;
    const length = lengthOctets === 0 ? first : bytes.readUIntBE(offset + 2, lengthOctets);
    const header = 2 + lengthOctets;
    found.push({ tag, content: bytes.subarray(offset + header, offset + header + length), whole: bytes.subarray(offset, offset + header + length) });
    offset += header + length;
  }
  return found;
}

function only(bytes: Buffer): Element {
  return need(elements(bytes)[0]);
}

function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('unexpected CMS layout');
  return value;
}

function definite(tag: number, content: Buffer): Buffer {
  const length = content.length;
  const header = length < 0x80 ? [tag, length] : length < 0x100 ? [tag, 0x81, length] : length < 0x10000 ? [tag, 0x82, length >> 8, length & 0xff] : null;
  if (!header) throw new Error('chunk too large');
  return Buffer.concat([Buffer.from(header), content]);
}

function indefinite(tag: number, parts: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([tag, 0x80]), ...parts, Buffer.from([0x00, 0x00])]);
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}
