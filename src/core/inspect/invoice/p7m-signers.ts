// Who signed a CAdES envelope, read from its signer infos and the certificates it carries. The
// signature is not verified here (the hub and SDI do that): this is what the user is shown.
import { createHash } from 'node:crypto';
import type * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import type { CmsLibrary } from './cms-library.ts';
import type { SignerInfo } from './types.ts';

const OID_COMMON_NAME = '2.5.4.3';
const OID_SERIAL_NUMBER = '2.5.4.5';
const OID_ORGANIZATION = '2.5.4.10';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

// Codice fiscale of a person (omocodia may turn digits into letters L–V) or of a company (11 digits).
const FISCAL_CODE = /[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]/;
const COMPANY_CODE = /^\d{11}$/;

/** `cms`: the loaded pkijs and asn1js (cms-library.ts), for their classes. */
export function describeSigners(cms: CmsLibrary, signed: pkijs.SignedData): SignerInfo[] {
  const certificates = (signed.certificates ?? []).filter((item): item is pkijs.Certificate => item instanceof cms.pkijs.Certificate);
  return signed.signerInfos.map((info) => describeSigner(cms, info, certificates));
}

function describeSigner(cms: CmsLibrary, info: pkijs.SignerInfo, certificates: pkijs.Certificate[]): SignerInfo {
  const certificate = findSignerCertificate(cms, info.sid, certificates);
  const sidIssuer = info.sid instanceof cms.pkijs.IssuerAndSerialNumber ? info.sid : null;
  const issuerName = certificate?.issuer ?? sidIssuer?.issuer;
  const serial = certificate?.serialNumber ?? sidIssuer?.serialNumber;
  return {
    commonName: certificate ? nameAttribute(certificate.subject, OID_COMMON_NAME) : null,
    fiscalCode: certificate ? fiscalCodeOf(certificate.subject) : null,
    issuer: issuerName ? (nameAttribute(issuerName, OID_COMMON_NAME) ?? nameAttribute(issuerName, OID_ORGANIZATION)) : null,
    serialNumber: serial ? serialHex(serial) : null,
    signingTime: signingTimeOf(cms, info),
    notAfter: certificate ? isoDate(certificate.notAfter.value) : null,
  };
}

/** The signer is named by issuer + serial number, or by subject key identifier ([0]). */
function findSignerCertificate(cms: CmsLibrary, sid: unknown, certificates: pkijs.Certificate[]): pkijs.Certificate | undefined {
  if (sid instanceof cms.pkijs.IssuerAndSerialNumber) {
    return certificates.find((cert) => cert.issuer.isEqual(sid.issuer) && cert.serialNumber.isEqual(sid.serialNumber));
  }
  const keyId = subjectKeyIdOfSid(cms, sid);
  if (!keyId) return undefined;
  return certificates.find((cert) => {
    const known = subjectKeyIdOfCertificate(cert);
    return known !== null && Buffer.from(known).equals(keyId);
  });
}

function subjectKeyIdOfSid(cms: CmsLibrary, sid: unknown): Buffer | null {
  if (!(sid instanceof cms.asn1js.BaseBlock)) return null;
  const block = sid.idBlock.isConstructed ? (sid.valueBlock as unknown as { value: asn1js.BaseBlock[] }).value[0] : sid;
  const view = (block?.valueBlock as { valueHexView?: Uint8Array } | undefined)?.valueHexView;
  return view ? Buffer.from(view) : null;
}

function subjectKeyIdOfCertificate(cert: pkijs.Certificate): Uint8Array | null {
  const extension = cert.extensions?.find((item) => item.extnID === OID_SUBJECT_KEY_IDENTIFIER);
  const parsed = extension?.parsedValue as { valueBlock?: { valueHexView?: Uint8Array } } | undefined;
  if (parsed?.valueBlock?.valueHexView) return parsed.valueBlock.valueHexView;
  // RFC 5280 method 1: SHA-1 of the public key, what pkijs and most tools use when the extension is absent.
  return createHash('sha1').update(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest();
}

function nameAttribute(name: pkijs.RelativeDistinguishedNames, oid: string): string | null {
  const attribute = name.typesAndValues.find((item) => item.type === oid);
  const value = (attribute?.value as { getValue?: () => unknown } | undefined)?.getValue?.();
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

/** Italian qualified certificates carry "TINIT-<codice fiscale>" in serialNumber; older ones put it in the CN. */
function fiscalCodeOf(subject: pkijs.RelativeDistinguishedNames): string | null {
  const serial = nameAttribute(subject, OID_SERIAL_NUMBER)
    ?.toUpperCase()
    .replace(/^(?:TIN|VAT)?IT[-:]/, '');
  if (serial && (COMPANY_CODE.test(serial) || new RegExp(`^${FISCAL_CODE.source}$`).test(serial))) return serial;
  return FISCAL_CODE.exec(nameAttribute(subject, OID_COMMON_NAME)?.toUpperCase() ?? '')?.[0] ?? null;
}

function signingTimeOf(cms: CmsLibrary, info: pkijs.SignerInfo): string | null {
  const attribute = info.signedAttrs?.attributes.find((item) => item.type === OID_SIGNING_TIME);
  const value: unknown = attribute?.values[0];
  return value instanceof cms.asn1js.UTCTime ? isoDate(value.toDate()) : null; // GeneralizedTime extends UTCTime
}

function serialHex(serial: asn1js.Integer): string {
  const hex = Buffer.from(serial.valueBlock.valueHexView).toString('hex');
  return hex.replace(/^(?:00)+(?=..)/, '');
}

function isoDate(date: Date): string | null {
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
