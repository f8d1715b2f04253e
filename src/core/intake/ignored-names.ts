// Names that are never intake material: temporary or partial files written by the agent itself
// (atomic writes, reason files) and by common tools (browsers, Office, editors, Windows Explorer).
// Taking such a file would capture half-written bytes or OS clutter.

const IGNORED_SUFFIXES = ['.part', '.tmp', '.temp', '.crdownload', '.partial', '.swp', '~', '.error.txt'];
const IGNORED_EXACT = new Set(['thumbs.db', 'desktop.ini']);

/** True when a base file name is a temporary, partial or system file that must never be captured. */
export function isIgnoredName(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower.length === 0) return true;
  if (lower.startsWith('.')) return true; // dot-files: hidden, editor swap files, our own atomic-write temps
  if (lower.startsWith('~$')) return true; // Office owner/lock files
  if (IGNORED_EXACT.has(lower)) return true;
  return IGNORED_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}
