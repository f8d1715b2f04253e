// The names of the SFTP folder's files (docs/hub-protocol.md, SFTP): uploads in in/ are
// `<idempotencyKey>__<safe name>`, status files in out/ `<seq 12 digits>__<idempotencyKey>__<status>.json`,
// and the files events name `<idempotencyKey>__<file name>`.
import { HubProtocolError } from '../hub-protocol-error.ts';
import { checkIdempotencyKey, decodeFileName } from '../processing/upload-validation.ts';

const SEPARATOR = '__';
const SAFE_NAME = /^(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+$/;

export type ParsedInboxName = { ok: true; idempotencyKey: string; fileName: string } | { ok: false; problem: string };

/** The original name with every byte outside [A-Za-z0-9._-] percent-encoded (UTF-8). */
export function encodeSafeName(name: string): string {
  return [...Buffer.from(name, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9._-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** Splits an in/ name at its first `__`; the problem says, in plain words, what is wrong with it. */
export function parseInboxName(name: string): ParsedInboxName {
  const cut = name.indexOf(SEPARATOR);
  if (cut <= 0) return { ok: false, problem: `the name is not <idempotencyKey>${SEPARATOR}<safe name>` };
  const key = name.slice(0, cut);
  const safeName = name.slice(cut + SEPARATOR.length);
  try {
    checkIdempotencyKey(key);
  } catch (error) {
    return { ok: false, problem: `the idempotency key "${key}" is not valid: ${(error as Error).message}` };
  }
  if (!SAFE_NAME.test(safeName)) {
    return {
      ok: false,
      problem: `the part after ${SEPARATOR} must be the original name with anything outside [A-Za-z0-9._-] percent-encoded (got "${safeName}")`,
    };
  }
  try {
    return { ok: true, idempotencyKey: key, fileName: decodeFileName(safeName, safeName) };
  } catch (error) {
    if (!(error instanceof HubProtocolError)) throw error;
    return { ok: false, problem: `the original name "${safeName}" is not valid percent-encoded UTF-8 of a file name without control characters` };
  }
}

export function statusFileName(seq: number, idempotencyKey: string, status: string): string {
  return `${String(seq).padStart(12, '0')}${SEPARATOR}${idempotencyKey}${SEPARATOR}${status}.json`;
}

export function documentFileName(idempotencyKey: string, fileName: string): string {
  return `${idempotencyKey}${SEPARATOR}${fileName}`;
}
