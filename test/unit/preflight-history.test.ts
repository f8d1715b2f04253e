// Duplicates and numbering gaps, with a real in-memory history of captured invoices.
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/core/xml/safe-xml.ts';
import { preflightFatturaPa, sellerKeyOf } from '../../src/core/inspect/preflight/preflight.ts';
import { gapBefore, parseInvoiceNumber } from '../../src/core/inspect/preflight/numbering.ts';
import type { InvoiceNumber } from '../../src/core/inspect/preflight/numbering.ts';
import type { InvoiceHistory, PreflightIssue, SentInvoiceRef } from '../../src/core/inspect/preflight/types.ts';
import { fixture } from '../helpers/fixtures.ts';
import { startCpuClock } from '../helpers/cpu-time.ts';

const SELLER = 'IT01234567897';
const NUMBER_PATH = 'FatturaElettronicaBody/DatiGenerali/DatiGeneraliDocumento/Numero';

interface Captured {
  seller: string;
  docType: string;
  number: string;
  year: string;
  ref: SentInvoiceRef;
}

/** What the store would answer, kept in a list. */
class ListHistory implements InvoiceHistory {
  readonly captured: Captured[] = [];
  readonly calls: string[] = [];

  add(number: string, options: Partial<Omit<Captured, 'number' | 'ref'>> = {}): this {
    const index = this.captured.length + 1;
    this.captured.push({
      seller: options.seller ?? SELLER,
      docType: options.docType ?? 'TD01',
      number,
      year: options.year ?? '2024',
      ref: { documentId: `doc-${index}`, name: `IT01234567897_0000${index}.xml`, sentAt: '2024-03-01T10:00:00Z' },
    });
    return this;
  }

  findSame(sellerKey: string, docType: string, number: string, year: string): SentInvoiceRef | null {
    this.calls.push(`findSame ${sellerKey} ${docType} ${number} ${year}`);
    return this.captured.find((c) => c.seller === sellerKey && c.docType === docType && c.number === number && c.year === year)?.ref ?? null;
  }

  previousInSeries(sellerKey: string, docType: string, year: string, series: string, below: number): number | null {
    this.calls.push(`previousInSeries ${sellerKey} ${docType} ${year} ${series} ${below}`);
    const counters = this.captured
      .filter((c) => c.seller === sellerKey && c.docType === docType && c.year === year)
      .map((c) => parseInvoiceNumber(c.number, c.year))
      .filter((parsed): parsed is InvoiceNumber => parsed !== null && parsed.series === series && parsed.counter < below)
      .map((parsed) => parsed.counter);
    return counters.length > 0 ? Math.max(...counters) : null;
  }
}

/** The FPR01 sample with a valid seller VAT number and buyer CF, dated 2024, numbered `number`. */
function invoice(number: string, options: { docType?: string; date?: string } = {}): string {
  return fixture('fatturapa', 'IT01234567890_FPR01.xml')
    .toString('utf8')
    .replaceAll('<IdCodice>01234567890</IdCodice>', '<IdCodice>01234567897</IdCodice>')
    .replace('<CodiceFiscale>09876543210</CodiceFiscale>', '<CodiceFiscale>09876543217</CodiceFiscale>')
    .replace('<Numero>123</Numero>', `<Numero>${number}</Numero>`)
    .replace('<Data>2014-12-18</Data>', `<Data>${options.date ?? '2024-05-10'}</Data>`)
    .replace('<TipoDocumento>TD01</TipoDocumento>', `<TipoDocumento>${options.docType ?? 'TD01'}</TipoDocumento>`);
}

/** A batch: the same invoice body repeated with these numbers. */
function batch(numbers: string[]): string {
  const single = invoice('@');
  const body = single.match(/<FatturaElettronicaBody>[\s\S]*<\/FatturaElettronicaBody>/)?.[0] ?? '';
  return single.replace(body, numbers.map((number) => body.replace('<Numero>@</Numero>', `<Numero>${number}</Numero>`)).join('\n'));
}

function preflight(xml: string, history: InvoiceHistory | null): PreflightIssue[] {
  return preflightFatturaPa(parseXml(xml), { fileName: 'IT01234567897_00001.xml', size: xml.length, history });
}

describe('duplicates', () => {
  it('the same seller, type, number and year already captured is an error naming the earlier document', () => {
    const history = new ListHistory().add('16').add('17');
    const issues = preflight(invoice('17'), history);
    expect(issues.map((issue) => [issue.severity, issue.code, issue.path])).toEqual([['error', 'duplicate_invoice', NUMBER_PATH]]);
    expect(issues[0]?.message.en).toContain('"IT01234567897_00002.xml" (document doc-2');
    expect(issues[0]?.message.it).toContain('già stata acquisita come "IT01234567897_00002.xml"');
    expect(history.calls).toContain(`findSame ${SELLER} TD01 17 2024`);
  });

  it('a new number, another year or another document type is not a duplicate', () => {
    const history = new ListHistory().add('17', { year: '2023' }).add('17', { docType: 'TD04' }).add('16');
    expect(preflight(invoice('17'), history)).toEqual([]);
  });

  it('the seller key is IdPaese + IdCodice', () => {
    expect(sellerKeyOf(parseXml(invoice('1')))).toBe(SELLER);
    const otherSeller = new ListHistory().add('17', { seller: 'IT09876543217' });
    expect(preflight(invoice('17'), otherSeller)).toEqual([]);
  });

  it('the same number twice in one batch is an error, even without history', () => {
    const issues = preflight(batch(['5', '6', '5']), null);
    expect(issues.map((issue) => [issue.severity, issue.code, issue.path])).toEqual([
      ['error', 'duplicate_in_file', 'FatturaElettronicaBody[3]/DatiGenerali/DatiGeneraliDocumento/Numero'],
    ]);
    expect(issues[0]?.message.en).toContain('also in FatturaElettronicaBody[1]');
  });

  it('without history nothing is looked up', () => {
    expect(preflight(invoice('17'), null)).toEqual([]);
  });

  it('a history that fails is a warning, not a crash', () => {
    const broken: InvoiceHistory = {
      findSame: () => {
        throw new Error('database is locked');
      },
      previousInSeries: () => null,
    };
    const issues = preflight(invoice('17'), broken);
    expect(issues.map((issue) => [issue.severity, issue.code])).toEqual([['warning', 'history_unavailable']]);
    expect(issues[0]?.message.en).toContain('database is locked');
  });
});

describe('numbering gaps', () => {
  it('plain integers: the numbers missing since the last one captured', () => {
    const history = new ListHistory().add('12').add('13').add('14');
    const issues = preflight(invoice('17'), history);
    expect(issues.map((issue) => [issue.severity, issue.code, issue.path])).toEqual([['warning', 'numbering_gap', NUMBER_PATH]]);
    expect(issues[0]?.message.en).toContain('2 numbers are missing: 15, 16');
    expect(issues[0]?.message.en).toContain('the previous known number is 14');
    expect(issues[0]?.message.it).toContain('mancano 2 numeri: 15, 16');
    expect(history.calls).toContain(`previousInSeries ${SELLER} TD01 2024 # 17`);
  });

  it('one missing number reads naturally', () => {
    const issues = preflight(invoice('16'), new ListHistory().add('14'));
    expect(issues[0]?.message.en).toContain('number 15 is missing');
    expect(issues[0]?.message.it).toContain('manca il numero 15');
  });

  it('the next number in sequence, and no history at all, are fine', () => {
    expect(preflight(invoice('15'), new ListHistory().add('13').add('14'))).toEqual([]);
    expect(preflight(invoice('17'), new ListHistory())).toEqual([]);
  });

  it('numbers with a prefix keep their series and zero padding: FV-0017, 2024/17', () => {
    const prefixed = preflight(invoice('FV-0017'), new ListHistory().add('FV-0014').add('FT-0016'));
    expect(prefixed[0]?.message.en).toContain('2 numbers are missing: FV-0015, FV-0016');
    const slashed = preflight(invoice('2024/17'), new ListHistory().add('2024/15'));
    expect(slashed[0]?.message.en).toContain('number 2024/16 is missing');
  });

  it('a number followed by its year counts on the number: 17/2024', () => {
    const issues = preflight(invoice('17/2024'), new ListHistory().add('15/2024'));
    expect(issues[0]?.message.en).toContain('number 16/2024 is missing');
  });

  it('other series, types and years do not count', () => {
    const history = new ListHistory().add('A-10').add('10', { docType: 'TD04' }).add('10', { year: '2023' });
    expect(preflight(invoice('17'), history)).toEqual([]);
  });

  it('a long gap lists the first 20 and counts the rest', () => {
    const issues = preflight(invoice('100'), new ListHistory().add('9'));
    const message = issues[0]?.message.en ?? '';
    expect(message).toContain('90 numbers are missing: 10, 11, 12');
    expect(message).toContain('29 and 70 more');
    expect(message).not.toContain(' 30,');
    expect(issues[0]?.message.it).toContain('29 e altri 70');
  });

  it("a batch's own numbers count: 11, 12 after 10 is no gap, 11, 14 is", () => {
    expect(preflight(batch(['11', '12']), new ListHistory().add('10'))).toEqual([]);
    const issues = preflight(batch(['11', '14']), new ListHistory().add('10'));
    expect(issues.map((issue) => [issue.code, issue.path])).toEqual([['numbering_gap', 'FatturaElettronicaBody[2]/DatiGenerali/DatiGeneraliDocumento/Numero']]);
    expect(issues[0]?.message.en).toContain('12, 13');
  });

  it('a duplicate is reported as such, not as a gap', () => {
    const issues = preflight(invoice('12'), new ListHistory().add('10').add('12'));
    expect(issues.map((issue) => issue.code)).toEqual(['duplicate_invoice']);
  });
});

describe('parseInvoiceNumber and gapBefore', () => {
  it('splits series and counter', () => {
    expect(parseInvoiceNumber('17')).toMatchObject({ series: '#', counter: 17, width: 0 });
    expect(parseInvoiceNumber('FV-0017')).toMatchObject({ series: 'FV-#', counter: 17, width: 4 });
    expect(parseInvoiceNumber('2024/17')).toMatchObject({ series: '2024/#', counter: 17 });
    expect(parseInvoiceNumber('17/2024', '2024')).toMatchObject({ series: '#/2024', counter: 17 });
    expect(parseInvoiceNumber('2024', '2024')).toMatchObject({ series: '#', counter: 2024 });
    expect(parseInvoiceNumber('ABC')).toBeNull();
    expect(parseInvoiceNumber('1234567890123456')).toBeNull();
  });

  it('bounds the work on a huge gap', () => {
    const current = parseInvoiceNumber('999999999999') as InvoiceNumber;
    const cpuMs = startCpuClock(); // CPU time: walking the gap would burn it, whatever the load
    const gap = gapBefore(current, [parseInvoiceNumber('1') as InvoiceNumber], 20);
    expect(gap?.count).toBe(999999999997);
    expect(gap?.first).toHaveLength(20);
    expect(cpuMs()).toBeLessThan(100);
  });
});
