// Invoice numbers as series + counter, to find gaps: "FV-0017" is series "FV-#" counter 17,
// "2024/17" is "2024/#" 17. A number that ends with its own year after another number ("17/2024")
// counts on the number before the year. Numbers without digits are not part of a sequence.

export interface InvoiceNumber {
  /** The number with the counter replaced by '#': numbers compare only within the same series. */
  series: string;
  counter: number;
  /** Zero-padded counters (0017) keep their width when missing numbers are printed; others get none. */
  width: number;
  before: string;
  after: string;
}

/** Counters longer than this lose precision as numbers and are not sequential anyway. */
const MAX_COUNTER_DIGITS = 15;

export function parseInvoiceNumber(number: string, year?: string): InvoiceNumber | null {
  const runs = [...number.matchAll(/[0-9]+/g)];
  let run = runs[runs.length - 1];
  if (run && year !== undefined && run[0] === year && runs.length > 1) run = runs[runs.length - 2];
  if (!run || run[0].length > MAX_COUNTER_DIGITS) return null;
  const before = number.slice(0, run.index);
  const after = number.slice(run.index + run[0].length);
  const padded = run[0].length > 1 && run[0].startsWith('0');
  return { series: `${before}#${after}`, counter: Number(run[0]), width: padded ? run[0].length : 0, before, after };
}

export function formatInvoiceNumber(template: InvoiceNumber, counter: number): string {
  return `${template.before}${String(counter).padStart(template.width, '0')}${template.after}`;
}

export interface NumberingGap {
  /** The highest known number before the current one. */
  previous: number;
  /** How many numbers are missing between them. */
  count: number;
  /** The first missing numbers, formatted like the current one. */
  first: string[];
}

/**
 * The gap right before `current`: the numbers between the highest known counter below it and it.
 * Older gaps are not repeated on every invoice. No known number below it: no baseline, no gap.
 */
export function gapBefore(current: InvoiceNumber, known: readonly InvoiceNumber[], listLimit: number): NumberingGap | null {
  let previous = -Infinity;
  for (const other of known) {
    if (other.series === current.series && other.counter < current.counter && other.counter > previous) previous = other.counter;
  }
  if (previous === -Infinity || previous >= current.counter - 1) return null;
  const count = current.counter - previous - 1;
  const first: string[] = [];
  for (let counter = previous + 1; counter < current.counter && first.length < listLimit; counter += 1) {
    first.push(formatInvoiceNumber(current, counter));
  }
  return { previous, count, first };
}
