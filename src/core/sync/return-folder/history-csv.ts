// The delivery history as CSV for Excel and accountants: RFC 4180 quoting, UTF-8 with a BOM (so
// Excel reads the accents), ';' by default (Italian Excel; then totals use a decimal comma), and
// text that Excel would run as a formula neutralised with a leading apostrophe.
import type { DocumentQuery, DocumentRecord, DocumentRepository } from '../../store/documents.ts';
import { invoiceSummaryOf } from '../../inspect/invoice/invoice-summary.ts';

export type CsvSeparator = ';' | ',';

const CSV_COLUMNS = [
  'id',
  'name',
  'profile',
  'source',
  'state',
  'reason',
  'sdiId',
  'capturedAt',
  'updatedAt',
  'invoiceNumber',
  'invoiceDate',
  'invoiceTotal',
  'invoiceCurrency',
  'seller',
  'buyer',
] as const;

const BOM = '\uFEFF';
const PAGE_SIZE = 500;

/** A cell: text (guarded against formulas) or a number the agent formatted itself. */
type Cell = string | { number: string };

/** The whole export, piece by piece: the BOM and header, then one chunk per page of documents (newest first). */
export function* historyCsv(
  documents: Pick<DocumentRepository, 'list'>,
  query: Omit<DocumentQuery, 'cursor' | 'limit'>,
  separator: CsvSeparator = ';',
): Generator<string> {
  yield BOM + csvLine([...CSV_COLUMNS], separator);
  let cursor: string | null = null;
  do {
    const page = documents.list({ ...query, cursor, limit: PAGE_SIZE });
    if (page.documents.length > 0) yield page.documents.map((document) => csvLine(documentCells(document, separator), separator)).join('');
    cursor = page.nextCursor;
  } while (cursor);
}

function documentCells(document: DocumentRecord, separator: CsvSeparator): Cell[] {
  // The first invoice of the file (a batch shows its first), or what a PDF's text suggested.
  const invoice = invoiceSummaryOf(document.metadata);
  return [
    document.id,
    document.name,
    document.profile,
    document.source,
    document.state,
    document.reason ?? '',
    document.sdiId ?? '',
    document.createdAt,
    document.updatedAt,
    invoice?.number ?? '',
    invoice?.date ?? '',
    amount(invoice?.total ?? null, separator),
    invoice?.currency ?? '',
    invoice?.seller ?? '',
    invoice?.buyer ?? '',
  ];
}

/** One record, CRLF-terminated (RFC 4180). */
function csvLine(cells: Cell[], separator: CsvSeparator): string {
  return `${cells.map((cell) => csvField(typeof cell === 'string' ? neutraliseFormula(cell) : cell.number, separator)).join(separator)}\r\n`;
}

/** Quotes a field holding the separator, a quote or a line break, doubling its quotes. */
function csvField(value: string, separator: CsvSeparator): string {
  return value.includes(separator) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Excel and LibreOffice run a cell starting with = + - @ (or a tab or CR before them) as a formula. */
function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** A total as a number cell (decimal comma with ';'), or as guarded text when it is not a plain number. */
function amount(total: unknown, separator: CsvSeparator): Cell {
  if (typeof total !== 'string' && typeof total !== 'number') return '';
  const value = String(total).trim();
  if (value === '') return '';
  if (!/^-?\d+(\.\d+)?$/.test(value)) return value;
  return { number: separator === ';' ? value.replace('.', ',') : value };
}
