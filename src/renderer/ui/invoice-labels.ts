// Human names for invoice codes, in the chosen language.
import type { Messages } from '../i18n/messages-it.ts';

/** "TD04" → "Nota di credito"; an unknown code is shown as it is; no code → "Fattura". */
export function documentTypeLabel(t: Messages, code: string | null): string {
  if (!code) return t.invoice.genericType;
  const names: Partial<Record<string, string>> = t.invoice.docType;
  return names[code] ?? code;
}
