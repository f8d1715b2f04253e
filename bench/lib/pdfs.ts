// The printer part's documents: small one-page PDFs, each with its own text so the agent's duplicate
// check (SHA-256) never sees two alike, and all of one size, so every set weighs the same.
import { makePdf } from '../../test/helpers/fixtures.ts';
import type { BenchFile } from './invoices.ts';

const SET_TAG = /^[A-Z0-9]{4}$/;

/**
 * `count` PDFs named `<namePrefix><n>.pdf` (n from 1). `setTag` (4 capitals or digits) goes into the
 * text, so two sets never share a document and their sizes stay equal.
 */
export function makeBenchPdfs(count: number, setTag: string, namePrefix: string): BenchFile[] {
  if (!SET_TAG.test(setTag)) throw new RangeError(`a PDF set tag is 4 capital letters or digits (got "${setTag}")`);
  if (!Number.isSafeInteger(count) || count < 1 || count > 999_999) {
    throw new RangeError(`the number of PDFs must be a whole number from 1 to 999999 (got ${count})`);
  }
  return Array.from({ length: count }, (_, index) => {
    const sequence = String(index + 1).padStart(6, '0');
    return {
      name: `${namePrefix}${index + 1}.pdf`,
      bytes: makePdf(`Fattura di prova ${setTag}-${sequence} del 30/06/2025 - Benchmark Srl - totale 1.220,00 EUR`),
    };
  });
}
