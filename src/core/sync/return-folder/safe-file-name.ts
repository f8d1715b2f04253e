// Names the agent writes into the ERP's folder. Names come from the captured file and from the
// hub: a separator, "..", a control or bidi character or a Windows device name must never reach the
// disk, and no name may pass 255 UTF-8 bytes (util/file-names.ts).
import { MAX_NAME_BYTES, cleanName, fitName, utf8Length } from '../../util/file-names.ts';

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;
// eslint-disable-next-line no-control-regex
const NOT_IN_A_NAME = /[\\/:*?"<>|\u0000-\u001f\u007f]/;

/** A hub-provided file name as is, or null when it is not a plain, safe file name. */
export function plainFileName(name: string): string | null {
  if (name === '' || name === '.' || name === '..' || utf8Length(name) > MAX_NAME_BYTES) return null;
  if (NOT_IN_A_NAME.test(name) || cleanName(name) !== name) return null;
  if (WINDOWS_DEVICE.test(name) || /[. ]$/.test(name)) return null;
  return name;
}

/**
 * A captured document's name made safe to use as the start of a file name (never refused), cut so
 * that `reserveBytes` more bytes (e.g. '.<id>.status.json') still fit within 255.
 */
export function safeBaseName(name: string, reserveBytes = 0): string {
  let safe = cleanName(name.replace(/^.*[\\/]/s, ''))
    .replace(new RegExp(NOT_IN_A_NAME.source, 'g'), '_')
    .replace(/[. ]+$/, '');
  if (safe === '' || safe === '.' || safe === '..') safe = 'document';
  if (WINDOWS_DEVICE.test(safe)) safe = `_${safe}`;
  return fitName(safe, MAX_NAME_BYTES - reserveBytes);
}
