// Queue names each print system accepts, derived from the display name a person chose.

const CUPS_MAX_NAME = 127;
const WINDOWS_MAX_NAME = 200; // Windows allows ~220 characters; leave room for " (Copy 1)" suffixes.

/**
 * CUPS refuses spaces, tabs, '/', '\\', '?', '\'', '"', '#' and names over 127 bytes, and '@' means
 * "on another server". We go further and keep only ASCII letters, digits, '.', '_' and '-', so the
 * name is easy to type in `lp -d NAME` and safe in any shell:
 *   "Recapito – Rossi Srl"  → "Recapito-Rossi_Srl"
 *   "Società Caffè & Figli" → "Societa_Caffe_Figli"
 * Accents are dropped, a dash with the spaces around it becomes '-', other runs of spaces '_'.
 * Applying it to its own result changes nothing, so a derived name can be given back safely.
 */
export function cupsQueueName(displayName: string): string {
  const name = displayName
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '') // the accents NFKD split off
    .replace(/\s*[\p{Pd}\u2212]\s*/gu, '-') // hyphen, en/em dash, minus sign
    .replace(/\s+/gu, '_')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/_+/g, '_')
    .replace(/[-_]*-[-_]*/g, '-')
    .replace(/^[-_.]+|[-_.]+$/g, '');
  const bounded = name.slice(0, CUPS_MAX_NAME).replace(/[-_.]+$/, '');
  return bounded === '' ? 'Recapito' : bounded;
}

/**
 * Windows printer names may hold spaces and any letter, but not '\\' or ',' (they separate server,
 * printer and port names in the spooler's APIs), nor control characters.
 */
export function windowsPrinterName(displayName: string): string {
  const name = displayName
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/[\\,]/g, '-')
    .replace(/\s+/gu, ' ')
    .trim();
  const bounded = name.slice(0, WINDOWS_MAX_NAME).trim();
  return bounded === '' ? 'Recapito' : bounded;
}
