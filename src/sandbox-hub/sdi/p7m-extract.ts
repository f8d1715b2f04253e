// The sandbox does not verify CAdES signatures. It treats a P7M as "signed" when the FatturaPA it
// wraps can be found whole in its bytes (DER with the content in one piece, or the same in base64),
// which is how most signing tools write it. Anything else counts as an invalid signature (NS 00102).

const START_PATTERNS = [/<\?xml[\s?]/, /<([A-Za-z_][\w.-]*:)?FatturaElettronica[\s>/]/];
const END_PATTERN = /<\/([A-Za-z_][\w.-]*:)?FatturaElettronica\s*>/g;

export function extractSignedXml(bytes: Buffer): Buffer | undefined {
  return findXml(bytes) ?? findXml(decodeBase64Envelope(bytes));
}

function findXml(bytes: Buffer | undefined): Buffer | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  // latin1 maps each byte to one character, so string offsets are byte offsets.
  const text = bytes.toString('latin1');
  let start = -1;
  for (const pattern of START_PATTERNS) {
    const match = pattern.exec(text);
    if (match) {
      start = match.index;
      break;
    }
  }
  if (start < 0) return undefined;
  let end = -1;
  for (const match of text.slice(start).matchAll(END_PATTERN)) end = start + match.index + match[0].length;
  return end > start ? bytes.subarray(start, end) : undefined;
}

/** A P7M saved as base64 text (with or without PEM armour) instead of DER. */
function decodeBase64Envelope(bytes: Buffer): Buffer | undefined {
  const text = bytes
    .toString('latin1')
    .replace(/-----[^-]+-----/g, '')
    .replace(/\s+/g, '');
  if (text.length < 16 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}
