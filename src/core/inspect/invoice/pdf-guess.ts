// Guesses an invoice's number, date, VAT numbers and total from a PDF's text. A PDF has no
// structure to read, so these are patterns Italian invoices commonly print ("Fattura n. 17 del
// 15/03/2024", "P.IVA 01234567890", "Totale documento € 1.220,00"), in order of how telling they are.
import type { PdfGuess } from './types.ts';

const DATE = String.raw`(\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{2}-\d{2})`;
// 1.220,00 · 1,220.00 · 1220,00 · 1220.00, not inside a longer number nor a date like 15.03.2024.
const AMOUNT = String.raw`(?<![\d.,])(-?(?:\d{1,3}(?:\.\d{3})+,\d{2}|\d{1,3}(?:,\d{3})+\.\d{2}|\d+[.,]\d{2}))(?![.,]?\d)`;
// Label and amount may sit on the same line or, in a table, on the next one.
const GAP = String.raw`[^\d\n]{0,30}?(?:\n[^\d\n]{0,30}?)?`;
const NUMBER_MARK = String.raw`(?:numero|num\.?|nr\.?|n\.|n°|nº|no\.|n(?=\s))`;
const NUMBER_TOKEN = String.raw`([A-Za-z0-9][A-Za-z0-9/_.-]{0,29})`;

const NUMBER_PATTERNS = [
  new RegExp(String.raw`\bfattura\s+${NUMBER_MARK}\s*:?\s*${NUMBER_TOKEN}`, 'gi'),
  new RegExp(String.raw`\b(?:numero|num\.?|nr\.?|n\.|n°)\s*(?:della\s+)?(?:fattura|documento)\s*:?\s*${NUMBER_TOKEN}`, 'gi'),
  new RegExp(String.raw`\bdocumento\s+${NUMBER_MARK}\s*:?\s*${NUMBER_TOKEN}`, 'gi'),
];
const DATE_AFTER_NUMBER = new RegExp(String.raw`^\s*(?:del|data|dd\.?)?\s*:?\s*${DATE}`, 'i');
const LABELLED_DATE = new RegExp(String.raw`\bdata(?:\s+(?:del\s+)?(?:documento|fattura|emissione))?\s*:?\s*${DATE}`, 'gi');
const ANY_DATE = new RegExp(String.raw`(?<!\d)${DATE}(?!\d)`, 'g');
const TOTAL_PATTERNS = [
  new RegExp(String.raw`\btotale\s+(?:del\s+)?documento${GAP}${AMOUNT}`, 'i'),
  new RegExp(String.raw`\btotale\s+(?:della\s+)?fattura${GAP}${AMOUNT}`, 'i'),
  new RegExp(String.raw`\b(?:totale|netto)\s+(?:da|a)\s+pagare${GAP}${AMOUNT}`, 'i'),
  new RegExp(String.raw`\bimporto\s+totale${GAP}${AMOUNT}`, 'i'),
  new RegExp(String.raw`\btotale\s*:?\s*(?:€|eur(?:o)?\b)?\s*${AMOUNT}`, 'i'),
];
const LABELLED_VAT = /\b(?:p\.?\s?iva|partita\s+iva)[^\d\n]{0,20}?(?:IT\s?)?(\d{11})(?!\d)/gi;
const PREFIXED_VAT = /(?<![A-Za-z0-9])IT\s?(\d{11})(?!\d)/g;

export function guessFromPdfText(rawText: string): PdfGuess {
  // PDFs print hyphens as U+2010…U+2015 or the minus sign U+2212 as often as "-" (Latin-1 fonts map
  // "-" to /minus), and spaces as no-break spaces.
  const text = rawText.replace(/[\u2010-\u2015\u2212]/g, '-').replace(/[ \t\u00a0\u202f]+/g, ' ');
  const number = guessNumber(text);
  return {
    guessed: true,
    number: number?.value ?? null,
    date: guessDate(text, number?.end ?? null),
    vatNumbers: guessVatNumbers(text),
    total: guessTotal(text),
    textChars: rawText.trim().length,
  };
}

function guessNumber(text: string): { value: string; end: number } | null {
  for (const pattern of NUMBER_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const value = (match[1] ?? '').replace(/[/_.-]+$/, '');
      // "Fattura n. del…" is a label without a number: a number has at least one digit.
      if (/\d/.test(value)) return { value, end: match.index + match[0].length };
    }
  }
  return null;
}

/** The date printed next to the number ("n. 17 del 15/03/2024"), else a labelled one, else the first. */
function guessDate(text: string, afterNumber: number | null): string | null {
  if (afterNumber !== null) {
    const near = normaliseDate(DATE_AFTER_NUMBER.exec(text.slice(afterNumber, afterNumber + 60))?.[1]);
    if (near) return near;
  }
  for (const pattern of [LABELLED_DATE, ANY_DATE]) {
    for (const match of text.matchAll(pattern)) {
      const date = normaliseDate(match[1]);
      if (date) return date;
    }
  }
  return null;
}

/** dd/mm/yyyy (Italian order), dd.mm.yyyy, dd-mm-yyyy or yyyy-mm-dd → yyyy-mm-dd, if a real date. */
export function normaliseDate(written: string | undefined): string | null {
  if (!written) return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(written);
  const dmy = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(written);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : dmy ? [dmy[3], dmy[2], dmy[1]] : [];
  if (!year || !month || !day) return null;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCFullYear() !== Number(year) || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return null;
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

function guessVatNumbers(text: string): string[] {
  const found = [...text.matchAll(LABELLED_VAT), ...text.matchAll(PREFIXED_VAT)].sort((a, b) => a.index - b.index).map((match) => match[1] ?? '');
  return [...new Set(found)].filter((vat) => vat.length === 11);
}

function guessTotal(text: string): string | null {
  for (const pattern of TOTAL_PATTERNS) {
    const amount = pattern.exec(text)?.[1];
    if (amount) return amount;
  }
  return null;
}
