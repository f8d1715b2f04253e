// What the list search (GET /documents?q=) finds a document by: the words of its FTS5 row
// (migration 6, `document_search`), built here from the stored row and the invoice reading in its
// metadata. Amounts are written the three ways a person types them ("1234.50", "1234,50",
// "1.234,50") and dates both ways ("2024-03-15", "15/03/2024"), so what the user types is found.
import type { InvoiceParty, InvoiceReading, PdfGuess } from '../../contract/invoice.ts';

/** The columns the search row is built from. */
export interface SearchSource {
  name: string;
  sdiId: string | null;
  sdiFileName: string | null;
  metadata: Record<string, unknown>;
}

export interface SearchRow {
  /** Space-separated words; the FTS5 tokenizer splits them further. */
  text: string;
  /** The first invoice's date (YYYY-MM-DD), for the invoice-date filter; a PDF's guessed date; null when none. */
  invoiceDate: string | null;
}

export function searchRowOf(source: SearchSource): SearchRow {
  const words: string[] = [source.name];
  if (source.sdiId) words.push(source.sdiId);
  if (source.sdiFileName) words.push(source.sdiFileName);
  const invoice = source.metadata['invoice'] as InvoiceReading | undefined;
  const guess = source.metadata['pdfGuess'] as PdfGuess | undefined;
  let invoiceDate: string | null = null;
  if (invoice && typeof invoice === 'object') {
    for (const party of [invoice.seller, invoice.buyer]) words.push(...partyWords(party));
    for (const body of Array.isArray(invoice.bodies) ? invoice.bodies : []) {
      if (body.number) words.push(body.number);
      words.push(...amountSpellings(body.total), ...dateSpellings(body.date));
      invoiceDate ??= isoDate(body.date);
    }
  }
  if (guess && typeof guess === 'object') {
    if (guess.number) words.push(guess.number);
    for (const vat of Array.isArray(guess.vatNumbers) ? guess.vatNumbers : []) words.push(vat, `IT${vat}`);
    words.push(...amountSpellings(guess.total), ...dateSpellings(guess.date));
    invoiceDate ??= isoDate(guess.date);
  }
  const unique = [...new Set(words.filter((word) => typeof word === 'string' && word.trim() !== ''))];
  return { text: unique.join(' '), invoiceDate };
}

function partyWords(party: InvoiceParty | undefined): string[] {
  if (!party || typeof party !== 'object') return [];
  const words: string[] = [];
  if (party.name) words.push(party.name);
  if (party.vatNumber) {
    words.push(party.vatNumber);
    if (party.country) words.push(`${party.country}${party.vatNumber}`);
  }
  if (party.fiscalCode) words.push(party.fiscalCode);
  return words;
}

/**
 * "1234.50" (as the XML writes it) or "1.234,50" (as a PDF prints it) → all of "1234.50",
 * "1234,50", "1.234,50"; anything else as it is.
 */
export function amountSpellings(amount: string | null | undefined): string[] {
  if (typeof amount !== 'string' || !amount.trim()) return [];
  const value = amount.trim();
  const parsed = parseAmount(value);
  if (!parsed) return [value];
  const { sign, whole, fraction } = parsed;
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  const tail = (separator: string): string => (fraction ? `${separator}${fraction}` : '');
  return [...new Set([value, `${sign}${whole}${tail('.')}`, `${sign}${whole}${tail(',')}`, `${sign}${grouped}${tail(',')}`])];
}

function parseAmount(value: string): { sign: string; whole: string; fraction: string } | null {
  const plain = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (plain) return { sign: plain[1] ?? '', whole: plain[2] ?? '', fraction: plain[3] ?? '' };
  const italian = /^(-?)(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?$/.exec(value);
  if (italian) return { sign: italian[1] ?? '', whole: (italian[2] ?? '').replace(/\./g, ''), fraction: italian[3] ?? '' };
  return null;
}

function isoDate(date: string | null | undefined): string | null {
  return typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : null;
}

function dateSpellings(date: string | null | undefined): string[] {
  const iso = isoDate(date);
  if (!iso) return typeof date === 'string' && date ? [date] : [];
  const [year, month, day] = iso.split('-');
  return [iso, `${day}/${month}/${year}`];
}

/**
 * The user's words as an FTS5 query that cannot carry FTS syntax: each word quoted (a `"` doubled)
 * and matched as a prefix (from two characters on); all words must match. Words with no letter or digit are dropped (they
 * would tokenize to nothing). Null when nothing searchable is left.
 */
export function ftsQueryOf(input: string): string | null {
  const terms = input
    .normalize('NFC')
    .split(/\s+/)
    // '.' and ',' are word characters in the index (amounts): at a word's ends they are punctuation.
    .map((term) => term.replace(/^[.,]+|[.,]+$/g, ''))
    .filter((term) => /[\p{L}\p{N}]/u.test(term))
    .slice(0, 16);
  if (terms.length === 0) return null;
  // One character is a whole word ("f" would be the start of most words in the store): a prefix
  // from two characters on.
  return terms.map((term) => `"${term.replace(/"/g, '""')}"${[...term].length > 1 ? '*' : ''}`).join(' ');
}
