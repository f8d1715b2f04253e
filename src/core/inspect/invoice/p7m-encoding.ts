// A P7M arrives as binary DER/BER or as base64 text (sometimes PEM-armoured, sometimes with CRLF
// line breaks every 64 or 76 characters). This turns either into the binary envelope.
import { P7mError } from './p7m-error.ts';

export function decodeP7mBytes(bytes: Buffer): { der: Buffer; encoding: 'der' | 'base64' } {
  // Every CMS ContentInfo starts with a SEQUENCE tag; base64 text can never start with 0x30 ('0').
  if (bytes[0] === 0x30) return { der: bytes, encoding: 'der' };
  const der = decodeBase64Text(bytes);
  if (!der || der[0] !== 0x30) {
    throw new P7mError('p7m_corrupt', 'the signed file (P7M) is neither a binary (DER) nor a base64 CMS envelope: it may be damaged');
  }
  return { der, encoding: 'base64' };
}

function decodeBase64Text(bytes: Buffer): Buffer | null {
  const text = bytes
    .toString('latin1')
    .replace(/^\uFEFF/, '')
    .replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '')
    .replace(/\s+/g, '');
  if (text.length === 0 || text.length % 4 === 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}
