// Keeps secrets out of logs and support bundles: by the name of the field that holds them, by the
// shape of an Authorization header, and by value for every secret the agent knows.

export const REDACTED = '[redacted]';

const SENSITIVE_KEY = /authorization|api[-_]?key|password|passwd|token|secret|passphrase|private[-_]?key|credential|cookie|activation|enroll?ment[-_]?code/i;
// Approvers' PINs: `pin`, `PIN`, `pins`, `approver_pin`, `pin-hash`, `pinCode`, `newPin`; never `pinned`, `spin`, `pinCount`.
const PIN_KEY = /(?:^|[-_.\s])pins?(?:[-_]?(?:hash(?:es)?|code))?$/i;
const CAMEL_PIN_KEY = /[a-z0-9]Pins?(?:Hash(?:es)?|Code)?$/;

// `Bearer <token>` / `Basic <credentials>` wherever they appear, e.g. in an echoed request header.
// The lookahead makes "basic Basic dXNl…" redact the credentials, not the second word.
const AUTH_SCHEME = /\b(Bearer|Basic)\s+(?!(?:Bearer|Basic)\b)[^\s"'<>,;]+/gi;

const MAX_DEPTH = 8;

/** Whether a field or parameter of this name holds a secret (the log and the support bundle). */
export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key) || PIN_KEY.test(key) || CAMEL_PIN_KEY.test(key);
}

/** Replaces every known secret (and its JSON- and URL-encoded spellings) and every auth header value in `text`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return redactKnownSecrets(
    text.replace(AUTH_SCHEME, (_match, scheme: string) => `${scheme} ${REDACTED}`),
    secrets,
  );
}

/**
 * Replaces every known secret (and its JSON- and URL-encoded spellings) in `text`, and nothing
 * else: for messages a person reads, where "Bearer token required" must stay as the hub wrote it.
 */
export function redactKnownSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const spelling of secretSpellings(secrets)) {
    if (out.includes(spelling)) out = out.split(spelling).join(REDACTED);
  }
  return out;
}

/**
 * A JSON-safe deep copy of `value` with sensitive keys and known secrets redacted. Errors keep
 * their name, message and stack; buffers become their size; cycles and very deep nesting are cut.
 */
export function redactValue(value: unknown, secrets: readonly string[]): unknown {
  return walk(value, secrets, new WeakSet(), 0);
}

function walk(value: unknown, secrets: readonly string[], seen: WeakSet<object>, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return redactSecrets(value, secrets);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return value.toString();
    case 'function':
      return '[function]';
    case 'symbol':
      return redactSecrets(value.toString(), secrets);
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (object instanceof Uint8Array) return `[${object.byteLength} bytes]`;
  if (seen.has(object)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(object);
  try {
    if (Array.isArray(object)) return object.map((item) => walk(item, secrets, seen, depth + 1));
    const entries: [string, unknown][] = object instanceof Error ? errorEntries(object) : Object.entries(object);
    const out: Record<string, unknown> = {};
    for (const [key, child] of entries) {
      out[key] = isSensitiveKey(key) && child !== null && child !== undefined && child !== '' ? REDACTED : walk(child, secrets, seen, depth + 1);
    }
    return out;
  } finally {
    seen.delete(object); // the same object twice side by side is not a cycle
  }
}

function errorEntries(error: Error): [string, unknown][] {
  const entries: [string, unknown][] = [
    ['name', error.name],
    ['message', error.message],
  ];
  for (const [key, child] of Object.entries(error)) {
    if (key !== 'name' && key !== 'message' && key !== 'stack') entries.push([key, child]);
  }
  if (error.cause !== undefined) entries.push(['cause', error.cause]);
  if (error.stack !== undefined) entries.push(['stack', error.stack]);
  return entries;
}

/** Longest first, so a secret that contains another is replaced whole. */
function secretSpellings(secrets: readonly string[]): string[] {
  const spellings = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    spellings.add(secret);
    spellings.add(JSON.stringify(secret).slice(1, -1));
    spellings.add(encodeURIComponent(secret));
  }
  return [...spellings].sort((a, b) => b.length - a.length);
}
