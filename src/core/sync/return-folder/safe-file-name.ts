// Names the agent writes into the ERP's folder. Names come from the captured file and from the
// hub: a separator, "..", a control character or a Windows device name must never reach the disk.

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;
const MAX_NAME_CHARS = 180; // leaves room for ".<id>.status.json" and the temporary suffix within 255

/** A hub-provided file name as is, or null when it is not a plain, safe file name. */
export function plainFileName(name: string): string | null {
  if (name === '' || name === '.' || name === '..' || name.length > MAX_NAME_CHARS) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\\/:*?"<>|\u0000-\u001f\u007f]/.test(name)) return null;
  if (WINDOWS_DEVICE.test(name) || /[. ]$/.test(name)) return null;
  return name;
}

/** A captured document's name made safe to use as the start of a file name (never refused). */
export function safeBaseName(name: string): string {
  // eslint-disable-next-line no-control-regex
  let safe = name.replace(/^.*[\\/]/, '').replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_').replace(/[. ]+$/, '');
  if (safe === '' || safe === '.' || safe === '..') safe = 'document';
  if (WINDOWS_DEVICE.test(safe)) safe = `_${safe}`;
  const characters = Array.from(safe); // never cut a character in half
  return characters.length > MAX_NAME_CHARS ? characters.slice(0, MAX_NAME_CHARS).join('') : safe;
}
