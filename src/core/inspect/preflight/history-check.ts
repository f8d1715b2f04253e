// Duplicates and numbering gaps, against this file's other invoices and the ones already captured.
import type { XmlElement } from '../../xml/safe-xml.ts';
import { bodyDocuments, sellerKeyOf } from './fatturapa-paths.ts';
import type { BodyDocument } from './fatturapa-paths.ts';
import { preflightError, preflightWarning } from './issue.ts';
import { formatInvoiceNumber, gapBefore, parseInvoiceNumber } from './numbering.ts';
import type { InvoiceNumber } from './numbering.ts';
import type { InvoiceHistory, PreflightIssue } from './types.ts';
import type { InvoiceReading } from '../../../contract/invoice.ts';

const GAP_LIST_LIMIT = 20;

type CompleteDocument = BodyDocument & { docType: string; number: string; year: string };

function isComplete(document: BodyDocument): document is CompleteDocument {
  return document.docType !== undefined && document.number !== undefined && document.year !== undefined;
}

function numberPath(document: BodyDocument): string {
  return `${document.path}/DatiGenerali/DatiGeneraliDocumento/Numero`;
}

function duplicatesInFile(documents: CompleteDocument[], duplicates: Set<CompleteDocument>): PreflightIssue[] {
  const seen = new Map<string, CompleteDocument>();
  const issues: PreflightIssue[] = [];
  for (const document of documents) {
    const key = `${document.docType}\u0000${document.number}\u0000${document.year}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, document);
      continue;
    }
    duplicates.add(document);
    issues.push(
      preflightError(
        'duplicate_in_file',
        numberPath(document),
        {
          it: `La fattura numero ${document.number} (${document.docType}, anno ${document.year}) compare due volte in questo file (anche in ${first.path}): SDI la scarterebbe come duplicata. Dare a ciascuna fattura un numero diverso.`,
          en: `Invoice number ${document.number} (${document.docType}, year ${document.year}) appears twice in this file (also in ${first.path}): SDI would reject it as a duplicate. Give each invoice its own number.`,
        },
        '00409',
      ),
    );
  }
  return issues;
}

function duplicateInHistory(document: CompleteDocument, sellerKey: string, history: InvoiceHistory): PreflightIssue | null {
  const earlier = history.findSame(sellerKey, document.docType, document.number, document.year);
  if (!earlier) return null;
  return preflightError(
    'duplicate_invoice',
    numberPath(document),
    {
      it: `La fattura numero ${document.number} (${document.docType}, anno ${document.year}) di questo cedente è già stata acquisita come "${earlier.name}" (documento ${earlier.documentId}, ${earlier.sentAt}): SDI la scarterebbe come duplicata (errore 00404). Se è una correzione, emettere una nota di credito o usare un nuovo numero.`,
      en: `Invoice number ${document.number} (${document.docType}, year ${document.year}) from this seller was already captured as "${earlier.name}" (document ${earlier.documentId}, ${earlier.sentAt}): SDI would reject it as a duplicate (error 00404). If it is a correction, issue a credit note or use a new number.`,
    },
    '00404',
  );
}

function gapIssues(
  documents: CompleteDocument[],
  sellerKey: string,
  history: InvoiceHistory,
  shouldCheck: (document: CompleteDocument) => boolean,
): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  for (const document of documents) {
    const current = shouldCheck(document) ? parseInvoiceNumber(document.number, document.year) : null;
    if (!current) continue;
    // Known: the highest earlier number in the history, and this file's other invoices (a batch
    // 11, 12 after 10 has no gap).
    const known: InvoiceNumber[] = [];
    const previous = history.previousInSeries(sellerKey, document.docType, document.year, current.series, current.counter);
    if (previous !== null) known.push({ ...current, counter: previous });
    for (const other of documents) {
      const parsed =
        other !== document && other.docType === document.docType && other.year === document.year ? parseInvoiceNumber(other.number, other.year) : null;
      if (parsed) known.push(parsed);
    }
    const gap = gapBefore(current, known, GAP_LIST_LIMIT);
    if (!gap) continue;
    const rest = gap.count - gap.first.length;
    const list = { it: `${gap.first.join(', ')}${rest > 0 ? ` e altri ${rest}` : ''}`, en: `${gap.first.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}` };
    const previousNumber = formatInvoiceNumber(current, gap.previous);
    issues.push(
      preflightWarning('numbering_gap', numberPath(document), {
        it: `Numerazione con un buco: prima della fattura ${document.number} (${document.docType}, anno ${document.year}) ${gap.count === 1 ? 'manca il numero' : `mancano ${gap.count} numeri:`} ${list.it} (l'ultimo numero noto è ${previousNumber}). Verificare di non aver saltato o dimenticato fatture.`,
        en: `Numbering gap: before invoice ${document.number} (${document.docType}, year ${document.year}) ${gap.count === 1 ? 'number' : `${gap.count} numbers are missing:`} ${list.en}${gap.count === 1 ? ' is missing' : ''} (the previous known number is ${previousNumber}). Check that no invoice was skipped or forgotten.`,
      }),
    );
  }
  return issues;
}

export function checkHistory(root: XmlElement, history: InvoiceHistory | null): PreflightIssue[] {
  return checkHistoryOf(sellerKeyOf(root), bodyDocuments(root), history);
}

/**
 * The same checks from what was read of the file: capture inspects the bytes in a worker (no
 * history there) and runs these on the main thread, inside the transaction that records the
 * invoices, so two copies captured at once cannot both pass.
 */
export function checkHistoryOf(sellerKey: string | null, bodies: BodyDocument[], history: InvoiceHistory | null): PreflightIssue[] {
  const documents = bodies.filter(isComplete);
  const duplicates = new Set<CompleteDocument>();
  const issues = duplicatesInFile(documents, duplicates);
  if (!history || !sellerKey) return issues;
  for (const document of documents) {
    const duplicate = duplicateInHistory(document, sellerKey, history);
    if (duplicate) {
      issues.push(duplicate);
      duplicates.add(document);
    }
  }
  // A duplicate already has its error; a "gap" before it would only be noise.
  issues.push(...gapIssues(documents, sellerKey, history, (document) => !duplicates.has(document)));
  return issues;
}

/** The bodies of a reading as the history checks see them (paths as preflight writes them). */
export function bodyDocumentsOfReading(reading: InvoiceReading): BodyDocument[] {
  const nonEmpty = (value: string | null): string | undefined => (value === null || value === '' ? undefined : value);
  return reading.bodies.map((body, index) => {
    const date = nonEmpty(body.date);
    const document: BodyDocument = { path: reading.bodies.length > 1 ? `FatturaElettronicaBody[${index + 1}]` : 'FatturaElettronicaBody' };
    const docType = nonEmpty(body.type);
    const number = nonEmpty(body.number);
    if (docType !== undefined) document.docType = docType;
    if (number !== undefined) document.number = number;
    if (date !== undefined) document.date = date;
    if (date && /^[0-9]{4}-/.test(date)) document.year = date.slice(0, 4);
    return document;
  });
}

/** The seller key history is indexed by (see sellerKeyOf), from a reading. */
export function sellerKeyOfReading(reading: InvoiceReading): string | null {
  const { country, vatNumber } = reading.seller;
  return country && vatNumber ? `${country}${vatNumber}`.toUpperCase() : null;
}
