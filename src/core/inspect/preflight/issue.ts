// Small constructors so every rule builds its issues the same way.
import type { PreflightIssue } from './types.ts';

export interface Bilingual {
  it: string;
  en: string;
}

function issue(severity: PreflightIssue['severity'], code: string, path: string | undefined, message: Bilingual, sdiCode: string | undefined): PreflightIssue {
  const built: PreflightIssue = { severity, code, message };
  if (path !== undefined) built.path = path;
  if (sdiCode !== undefined) built.sdiCode = sdiCode;
  return built;
}

/** `sdiCode`: the SDI error code (NS notification) the finding anticipates, e.g. `00423`. */
export function preflightError(code: string, path: string | undefined, message: Bilingual, sdiCode?: string): PreflightIssue {
  return issue('error', code, path, message, sdiCode);
}

export function preflightWarning(code: string, path: string | undefined, message: Bilingual, sdiCode?: string): PreflightIssue {
  return issue('warning', code, path, message, sdiCode);
}

/** A value shown inside a message: quoted and cut short so a huge field cannot flood the UI. */
export function quoteValue(value: string, max = 60): string {
  const chars = [...value.slice(0, max * 2)];
  const shown = chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
  return `"${shown}"`;
}

/** "A, B, C and 4 more" / "A, B, C e altri 4". */
export function listValues(values: readonly string[], max: number): Bilingual {
  const shown = values.slice(0, max).join(', ');
  const rest = values.length - max;
  if (rest <= 0) return { it: shown, en: shown };
  return { it: `${shown} e altri ${rest}`, en: `${shown} and ${rest} more` };
}
