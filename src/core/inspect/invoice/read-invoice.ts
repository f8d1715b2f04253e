// Reads what a captured invoice carries, whatever its container: a FatturaPA XML, the same inside
// a CAdES envelope (.xml.p7m), or a PDF whose text is searched for the usual printed fields.
// Never throws: a file that cannot be read comes back with an error code and a human reason.
import { XmlRefusedError, parseXml } from '../../xml/safe-xml.ts';
import type { XmlElement } from '../../xml/safe-xml.ts';
import { P7mError, extractSignedContent } from './p7m.ts';
import { guessFromPdfText } from './pdf-guess.ts';
import { PdfTextReader } from './pdf-text.ts';
import { InvoiceFormatError, readFatturaPa } from './read-fatturapa.ts';
import type { InvoiceReading, PdfGuess, ReadFailure } from './types.ts';

export { readFatturaPa, InvoiceFormatError } from './read-fatturapa.ts';

export interface InvoiceDocumentReading {
  invoice: InvoiceReading | null;
  pdf: PdfGuess | null;
  /** The parsed XML (plain or from inside the P7M), for checks that need more than the reading. */
  xmlRoot: XmlElement | null;
  error: ReadFailure | null;
}

export interface ReadInvoiceOptions {
  /** Defaults to one reader shared by the process, with the default limits. */
  pdfReader?: PdfTextReader;
}

let sharedPdfReader: PdfTextReader | null = null;

export async function readInvoiceDocument(bytes: Buffer, kind: 'fatturapa' | 'p7m' | 'pdf', options: ReadInvoiceOptions = {}): Promise<InvoiceDocumentReading> {
  try {
    if (kind === 'fatturapa') return readXmlInvoice(bytes, null);
    if (kind === 'p7m') return await readSignedInvoice(bytes, options);
    return await readPdfInvoice(bytes, options);
  } catch (error) {
    return failed(describeReadError(error));
  }
}

function readXmlInvoice(bytes: Buffer, signed: InvoiceReading['signed']): InvoiceDocumentReading {
  const xmlRoot = parseXml(bytes);
  try {
    const invoice = { ...readFatturaPa(xmlRoot), signed };
    return { invoice, pdf: null, xmlRoot, error: null };
  } catch (error) {
    // Not readable as an invoice, but parsed: preflight can still say precisely what is wrong.
    if (!(error instanceof InvoiceFormatError)) throw error;
    return { invoice: null, pdf: null, xmlRoot, error: describeReadError(error) };
  }
}

async function readSignedInvoice(bytes: Buffer, options: ReadInvoiceOptions): Promise<InvoiceDocumentReading> {
  const { content, encoding, signers } = await extractSignedContent(bytes);
  if (content.subarray(0, 1024).includes('%PDF-')) {
    // A signed PDF is a legitimate document, but not a FatturaPA: read it as a PDF and say so.
    const reading = await readPdfInvoice(content, options);
    const reason = 'the signed file (P7M) holds a PDF, not a FatturaPA XML invoice';
    return { ...reading, error: { code: 'p7m_not_fatturapa', reason: reading.error ? `${reason}; ${reading.error.reason}` : reason } };
  }
  return readXmlInvoice(content, { encoding, signers });
}

async function readPdfInvoice(bytes: Buffer, options: ReadInvoiceOptions): Promise<InvoiceDocumentReading> {
  const reader = options.pdfReader ?? (sharedPdfReader ??= new PdfTextReader());
  const { text, failure } = await reader.read(bytes);
  return { invoice: null, pdf: guessFromPdfText(text), xmlRoot: null, error: failure };
}

function describeReadError(error: unknown): ReadFailure {
  if (error instanceof XmlRefusedError || error instanceof P7mError || error instanceof InvoiceFormatError) {
    return { code: error.code, reason: error.message };
  }
  return { code: 'read_failed', reason: `the invoice could not be read (${error instanceof Error ? error.message : String(error)})` };
}

function failed(error: ReadFailure): InvoiceDocumentReading {
  return { invoice: null, pdf: null, xmlRoot: null, error };
}
