// File names the agent checks, writes to disk or quotes in a text note. Limits are in UTF-8 bytes:
// most file systems (ext4, XFS, Btrfs, APFS, ZFS) take at most 255 bytes per name, and a name cut
// at 255 *characters* can be 1,020 bytes. Windows (NTFS, exFAT) counts 255 UTF-16 units instead;
// a name of at most 255 UTF-8 bytes is always at most 255 UTF-16 units (every code point takes at
// least as many UTF-8 bytes as UTF-16 units), so one byte limit fits both. Names are cut between
// code points, never inside a character or a surrogate pair, and keep their extension.

/** Longest name, in UTF-8 bytes, that the hub and the file systems we write to accept. */
export const MAX_NAME_BYTES = 255;

/** How long a piece of a name is where it ends up (UTF-8 bytes, or percent-encoded bytes for SFTP). */
export type NameMeasure = (text: string) => number;

export const utf8Length: NameMeasure = (text) => Buffer.byteLength(text, 'utf8');

// C0, DEL and C1 (\p{Cc}); U+2028/2029, which many programs take as line ends; lone surrogates.
const CONTROL = /[\p{Cc}\u2028\u2029\p{Cs}]/u;
// Bidirectional controls: they make a name read differently from what it is ("fattura\u202Efdp.exe").
const BIDI = '\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069';
/** What is never written into a name on disk: replaced by '_'. */
const NOT_ON_DISK = new RegExp(`[\\p{Cc}\\u2028\\u2029\\p{Cs}${BIDI}]`, 'gu');
/** What a note shows escaped: every control and every invisible format character (\p{Cf} holds the bidi ones). */
const NOT_IN_NOTE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

// 'x.xml.p7m' keeps '.xml.p7m' together; a leading dot is a name, not an extension; an "extension"
// with spaces or longer than 16 characters is part of the name ('Fattura n. 5 del 2024').
const SIGNED_EXTENSION = /(?<=.)\.[A-Za-z0-9]{1,5}\.p7m$/i;
const EXTENSION = /(?<=.)\.[^.\s]{1,16}$/u;

export function splitExtension(name: string): { stem: string; extension: string } {
  const extension = SIGNED_EXTENSION.exec(name)?.[0] ?? EXTENSION.exec(name)?.[0] ?? '';
  return { stem: name.slice(0, name.length - extension.length), extension };
}

/** The longest start of `text` that measures at most `maxBytes`, cut between code points. */
export function cutToBytes(text: string, maxBytes: number, measure: NameMeasure = utf8Length): string {
  if (measure(text) <= maxBytes) return text;
  let used = 0;
  let end = 0;
  for (const character of text) {
    // One code point: a surrogate pair is one, so it is kept or dropped whole.
    const size = measure(character);
    if (used + size > maxBytes) break;
    used += size;
    end += character.length;
  }
  return text.slice(0, end);
}

/**
 * `name` with `suffix` (e.g. ' (2)') before its extension, shortened so the whole measures at most
 * `maxBytes`: the stem is cut, the extension kept (unless it would take more than half the room).
 */
export function fitName(name: string, maxBytes: number, options: { suffix?: string; measure?: NameMeasure } = {}): string {
  const suffix = options.suffix ?? '';
  const measure = options.measure ?? utf8Length;
  const { stem, extension } = splitExtension(name);
  if (measure(name) + measure(suffix) <= maxBytes) return `${stem}${suffix}${extension}`;
  const kept = measure(extension) <= maxBytes / 2 ? extension : '';
  const cut = cutToBytes(kept ? stem : name, maxBytes - measure(suffix) - measure(kept), measure);
  // Windows drops trailing dots and spaces from a name; do not leave them where the cut fell.
  const trimmed = cut.replace(/[. ]+$/, '');
  return `${trimmed || cut}${suffix}${kept}`;
}

/** A name safe to create on disk: no control, line-separator or bidi characters (each becomes '_'). */
export function cleanName(name: string): string {
  return name.replace(NOT_ON_DISK, '_');
}

/**
 * Text (a name, a path, a reason quoting names) for one line of a text note: controls and invisible
 * format characters are shown as escapes (`\n`, `\r`, `\t`, `\u{202E}`), so the text reads as what
 * it is and can never start a new line of the note.
 */
export function escapeForNote(text: string): string {
  return text.replace(NOT_IN_NOTE, (character) => {
    if (character === '\n') return '\\n';
    if (character === '\r') return '\\r';
    if (character === '\t') return '\\t';
    return `\\u{${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}}`;
  });
}

/**
 * Why a captured document's name cannot go to the hub, or null. SDI's own naming rule
 * (IT<id>_<progressive>.xml) is not one of these: the hub, as transmitter, names the file it sends
 * to SDI (preflight only warns, file_name_not_sdi). Characters Windows cannot store (<>:"/\|?*) are
 * not either: the agent never writes a captured name to disk as it is (see cleanName and
 * return-folder/safe-file-name.ts), and the hub receives it percent-encoded.
 */
export function fileNameProblem(name: string): { code: 'bad_name'; reason: string } | null {
  const shown = (text: string): string => {
    const escaped = escapeForNote(text);
    return utf8Length(escaped) > 100 ? `${cutToBytes(escaped, 100)}…` : escaped;
  };
  if (name.trim() === '') {
    return { code: 'bad_name', reason: 'the file has no name (it is empty or only spaces): give it a name and capture it again' };
  }
  const control = CONTROL.exec(name)?.[0];
  if (control !== undefined) {
    const which = /\p{Cs}/u.test(control) ? 'a broken character (a lone UTF-16 surrogate)' : `a control character (${escapeForNote(control)})`;
    return {
      code: 'bad_name',
      reason: `the file name "${shown(name)}" contains ${which}, which the hub and SDI do not accept: rename the file and capture it again`,
    };
  }
  const bytes = utf8Length(name);
  if (bytes > MAX_NAME_BYTES) {
    return {
      code: 'bad_name',
      reason: `the file name "${shown(name)}" is ${bytes} bytes long (UTF-8), over the ${MAX_NAME_BYTES} bytes the hub and most file systems accept: shorten it and capture it again`,
    };
  }
  return null;
}

/** `.<name>.<tag>`, a hidden temporary name beside `name` (e.g. tag `1a2b3c.tmp`), cut to fit. */
export function temporaryName(name: string, tag: string): string {
  return `.${cutToBytes(name, MAX_NAME_BYTES - 2 - utf8Length(tag))}.${tag}`;
}
