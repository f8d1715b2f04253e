// The support bundle's second line of defence. The bundle is built from sources that hold no secret
// (never the secrets file, the API token file, or a table of secrets); every file is then scrubbed
// all the same, in three passes:
//   1. redactSecrets (core/log): `Bearer …`/`Basic …` and each known secret, plain, JSON- and URL-encoded;
//   2. by name: the value of a JSON field or URL parameter named like a secret (`"apiKey": "…"`,
//      `"pin": 1234`, `?token=…`), whatever its value, for secrets the agent does not know;
//   3. by bytes: every known secret in every spelling listed in `secretSpellings` (base64 and
//      base64url at each byte alignment, hex, percent-encoding, UTF-16, escaped JSON, XML…),
//      searched in the file's bytes, so a file that is not text is covered too.
import { REDACTED, isSensitiveKey, redactSecrets } from '../log/redact.ts';

const REDACTED_BYTES = Buffer.from(REDACTED, 'utf8');

/**
 * Derived spellings (base64, hex, UTF-16…) are searched only for secrets of at least this many
 * characters: the base64 of a shorter one is a few characters that occur by chance everywhere.
 * Shorter secrets are still replaced as they are written (pass 1).
 */
export const MIN_ENCODED_SECRET_LENGTH = 8;
/** A line of a multi-line secret (a PEM key's body) is a secret of its own from this length. */
const MIN_SECRET_LINE_LENGTH = 16;

/** Whether a field or parameter of this name holds a secret: the logger's rule (core/log/redact.ts). */
export const isSecretName = isSensitiveKey;

// "name": "value" or "name": 123, inside any JSON text (a log line's meta, a file of the bundle).
const JSON_FIELD = /"((?:[^"\\\n]|\\.){1,80})"(\s*:\s*)("(?:[^"\\\n]|\\.)*"|-?\d[\d.eE+-]*)/g;
// The same inside a JSON string (\"name\":\"value\"): a JSON body kept as text in an event or a log line.
const ESCAPED_JSON_FIELD = /\\"([A-Za-z0-9_.-]{1,80})\\"(\s*:\s*)(\\"(?:[^"\\\n]|\\(?!")[^\n])*\\"|-?\d[\d.eE+-]*)/g;
// ?name=value or &name=value in a URL.
const URL_PARAMETER = /([?&;])([A-Za-z0-9_.-]{1,80})=([^&#\s"'<>]+)/g;
// name=value or name: value in free text (a log message: "password=…", "PIN: 1234").
const TEXT_PAIR = /(^|[^A-Za-z0-9_.-])([A-Za-z][A-Za-z0-9_.-]{0,79})([ \t]*[=:][ \t]*)(?!\[redacted\]|(?:Bearer|Basic)\b)([^\s"',;&<>)\]}]+)/g;

/** Pass 2: values of fields and parameters named like a secret. */
export function redactSecretFields(text: string): string {
  return text
    .replace(JSON_FIELD, (whole, name: string, colon: string, value: string) =>
      isSecretName(name) && value !== `"${REDACTED}"` && value !== '""' ? `"${name}"${colon}"${REDACTED}"` : whole,
    )
    .replace(ESCAPED_JSON_FIELD, (whole, name: string, colon: string, value: string) =>
      isSecretName(name) && value !== `\\"${REDACTED}\\"` && value !== '\\"\\"' ? `\\"${name}\\"${colon}\\"${REDACTED}\\"` : whole,
    )
    .replace(URL_PARAMETER, (whole, mark: string, name: string) =>
      isSecretName(name) || /^(?:key|code|pin)$/i.test(name) ? `${mark}${name}=${REDACTED}` : whole,
    )
    .replace(TEXT_PAIR, (whole, before: string, name: string, separator: string) => (isSecretName(name) ? `${before}${name}${separator}${REDACTED}` : whole));
}

/** A deep copy with the values of secret-named fields redacted and known secrets removed from strings. */
export function redactFacts(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactFacts(item, secrets));
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] = isSecretName(key) && child !== null && child !== undefined && child !== '' ? REDACTED : redactFacts(child, secrets);
  }
  return out;
}

/** The pieces searched for: each secret, trimmed, and each long line of a multi-line one (a PEM body). */
function secretPieces(secrets: readonly string[]): string[] {
  const pieces = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    pieces.add(secret);
    if (secret.trim() !== '') pieces.add(secret.trim());
    for (const line of secret.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (trimmed.length >= MIN_SECRET_LINE_LENGTH && !trimmed.startsWith('-----')) pieces.add(trimmed);
    }
  }
  return [...pieces];
}

/** Percent-encodes every byte (`%72%6B…`), in upper or lower case hex. */
function percentEveryByte(bytes: Buffer, upper: boolean): string {
  const hex = bytes.toString('hex');
  const text = hex.replace(/../g, '%$&');
  return upper ? text.toUpperCase() : text;
}

/**
 * The characters of the base64 of `bytes` that depend on `bytes` alone, when they sit at byte
 * offset 0, 1 or 2 (mod 3) of a longer encoded run: the first and last characters of each also
 * carry bits of the neighbouring bytes, so they are left out.
 */
export function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset += 1) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(3)]).toString('base64');
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    cores.push(encoded.slice(first, end));
  }
  return cores;
}

function toBase64Url(text: string): string {
  return text.replace(/\+/g, '-').replace(/\//g, '_');
}

function jsonEscape(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** JSON as ASCII-only serializers write it (`\u00e8`, `\/`). */
function jsonEscapeAscii(text: string): string {
  return jsonEscape(text)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Every spelling of one secret that is searched for, as bytes. */
export function secretSpellings(secret: string): Buffer[] {
  const text = new Set<string>([
    secret,
    jsonEscape(secret),
    jsonEscape(jsonEscape(secret)), // a JSON string inside a JSON string (an event's data in a log line)
    jsonEscapeAscii(secret),
    secret.replace(/\r/g, '\\r').replace(/\n/g, '\\n'), // a log message
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    encodeURI(secret),
    new URLSearchParams([['k', secret]]).toString().slice(2), // form encoding: spaces as +
    xmlEscape(secret),
    xmlEscape(secret).replace(/&#39;/g, '&apos;'),
  ]);
  const spellings = [...text].map((t) => Buffer.from(t, 'utf8'));
  if (secret.length < MIN_ENCODED_SECRET_LENGTH) return spellings;

  const utf8 = Buffer.from(secret, 'utf8');
  const utf16le = Buffer.from(secret, 'utf16le');
  spellings.push(utf16le, Buffer.from(utf16le).swap16());
  if ([...secret].every((c) => c.charCodeAt(0) <= 0xff)) spellings.push(Buffer.from(secret, 'latin1'));
  spellings.push(Buffer.from(percentEveryByte(utf8, true)), Buffer.from(percentEveryByte(utf8, false)));
  for (const bytes of [utf8, utf16le]) {
    const hex = bytes.toString('hex');
    for (const spelled of [hex, hex.toUpperCase(), hex.replace(/(..)(?!$)/g, '$1 '), hex.replace(/(..)(?!$)/g, '$1:')]) spellings.push(Buffer.from(spelled));
    for (const core of base64Cores(bytes)) {
      if (core.length < MIN_ENCODED_SECRET_LENGTH) continue;
      spellings.push(Buffer.from(core), Buffer.from(toBase64Url(core)));
    }
  }
  return spellings;
}

/** The byte patterns of every known secret, ready for scrubBytes. */
export class SecretPatterns {
  /** By their first four bytes; each list longest first. */
  readonly #byPrefix = new Map<number, Buffer[]>();
  readonly #short: Buffer[] = [];
  readonly secrets: readonly string[];

  constructor(secrets: readonly string[]) {
    this.secrets = secrets.filter((s) => typeof s === 'string' && s !== '');
    const seen = new Set<string>();
    for (const piece of secretPieces(this.secrets)) {
      for (const spelling of secretSpellings(piece)) {
        const key = spelling.toString('latin1');
        if (seen.has(key) || spelling.length === 0) continue;
        seen.add(key);
        if (spelling.length < 4) {
          this.#short.push(spelling);
          continue;
        }
        const prefix = spelling.readUInt32LE(0);
        const list = this.#byPrefix.get(prefix) ?? [];
        list.push(spelling);
        this.#byPrefix.set(prefix, list);
      }
    }
    for (const list of this.#byPrefix.values()) list.sort((a, b) => b.length - a.length);
    this.#short.sort((a, b) => b.length - a.length);
  }

  get size(): number {
    let n = this.#short.length;
    for (const list of this.#byPrefix.values()) n += list.length;
    return n;
  }

  /** Pass 3: every spelling of every secret replaced by `[redacted]`, in one scan of the bytes. */
  scrubBytes(input: Buffer): Buffer {
    let bytes = input;
    for (const pattern of this.#short) bytes = replaceAll(bytes, pattern);
    if (this.#byPrefix.size === 0 || bytes.length < 4) return bytes;
    const parts: Buffer[] = [];
    let copiedUpTo = 0;
    let i = 0;
    const last = bytes.length - 4;
    while (i <= last) {
      const list = this.#byPrefix.get(bytes.readUInt32LE(i));
      const match = list?.find((pattern) => i + pattern.length <= bytes.length && bytes.compare(pattern, 0, pattern.length, i, i + pattern.length) === 0);
      if (match) {
        parts.push(bytes.subarray(copiedUpTo, i), REDACTED_BYTES);
        i += match.length;
        copiedUpTo = i;
      } else {
        i += 1;
      }
    }
    if (parts.length === 0) return bytes;
    parts.push(bytes.subarray(copiedUpTo));
    return Buffer.concat(parts);
  }

  /** All three passes over one file of the bundle. Text files are read and written as UTF-8. */
  scrubFile(bytes: Buffer, kind: 'text' | 'binary'): Buffer {
    const text = kind === 'text' ? Buffer.from(redactSecretFields(redactSecrets(bytes.toString('utf8'), this.secrets)), 'utf8') : bytes;
    return this.scrubBytes(text);
  }
}

function replaceAll(bytes: Buffer, pattern: Buffer): Buffer {
  let at = bytes.indexOf(pattern);
  if (at < 0) return bytes;
  const parts: Buffer[] = [];
  let from = 0;
  while (at >= 0) {
    parts.push(bytes.subarray(from, at), REDACTED_BYTES);
    from = at + pattern.length;
    at = bytes.indexOf(pattern, from);
  }
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}
