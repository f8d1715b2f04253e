// What every content rule shares: the finding names the SDI error it anticipates, says where (the
// invoice of a batch, the line) and, for many lines with the same mistake, lists the first few.
import { preflightError } from '../issue.ts';
import type { Bilingual } from '../issue.ts';
import type { PreflightIssue } from '../types.ts';
import { formatDecimal } from './decimal.ts';
import type { Decimal } from './decimal.ts';
import type { FiscalId } from '../fatturapa-paths.ts';
import type { InvoiceBody, Line } from './invoice-body.ts';

/** The parties and the recipient, from the header (shared by every body of a batch). */
export interface HeaderFacts {
  sellerVat: FiscalId | null;
  sellerCf: string | undefined;
  buyerVat: FiscalId | null;
  buyerCf: string | undefined;
  recipientCode: string | undefined;
}

export interface RuleContext {
  body: InvoiceBody;
  /** More than one body in the file: messages say which invoice. */
  batch: boolean;
  header: HeaderFacts;
  /** Sent to a foreign buyer (XXXXXXX) or from a foreign seller: SDI's "fattura transfrontaliera". */
  crossBorder: boolean;
}

/** At most this many findings of one rule per invoice; the last says how many more there are. */
const MAX_PER_RULE = 10;

/** "SDI would reject the invoice (error 00423)". */
export function sdiRejects(sdiCode: string): Bilingual {
  return { it: `SDI scarterebbe la fattura (errore ${sdiCode})`, en: `SDI would reject the invoice (error ${sdiCode})` };
}

/** "Invoice 17: " in a batch, nothing otherwise. */
function invoicePrefix(context: RuleContext): Bilingual {
  if (!context.batch) return { it: '', en: '' };
  const number = context.body.number ?? '?';
  return { it: `Fattura ${number}: `, en: `Invoice ${number}: ` };
}

export function lineLabel(line: Line, index: number): Bilingual {
  const number = line.number ?? String(index + 1);
  return { it: `linea ${number}`, en: `line ${number}` };
}

export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const amount = (value: Decimal): string => formatDecimal(value, 2);

/** A content error: prefixed with the invoice in a batch, the SDI code in its own field. */
export function contentError(context: RuleContext, code: string, sdiCode: string, path: string, message: Bilingual): PreflightIssue {
  const prefix = invoicePrefix(context);
  return preflightError(code, path, { it: `${prefix.it}${message.it}`, en: `${prefix.en}${message.en}` }, sdiCode);
}

/**
 * The first MAX_PER_RULE findings of one rule; when there are more, the last one shown says how
 * many (a 1,000-line invoice with the same mistake on every line gives ten findings, not 1,000).
 */
export function capped(issues: PreflightIssue[]): PreflightIssue[] {
  if (issues.length <= MAX_PER_RULE) return issues;
  const shown = issues.slice(0, MAX_PER_RULE);
  const last = shown[MAX_PER_RULE - 1];
  const rest = issues.length - MAX_PER_RULE;
  if (last) {
    shown[MAX_PER_RULE - 1] = {
      ...last,
      message: {
        it: `${last.message.it} (Altri ${rest} casi con lo stesso problema in questa fattura.)`,
        en: `${last.message.en} (${rest} more with the same problem in this invoice.)`,
      },
    };
  }
  return shown;
}
