// intake.preflight: with "block" (the default) preflight's errors make an invoice invalid; with "warn"
// the same errors are kept, as warnings marked `downgraded` and listed first, and nothing blocks:
// at inspection (the worker) and in the history checks (a duplicate, on the main thread).
import { describe, expect, it } from 'vitest';
import { inspectInvoice, applyMode, downgradedCodes, type InvoiceMetadata } from '../../src/core/intake/inspect-invoice.ts';
import { checkCapturedInvoice } from '../../src/core/intake/capture-history.ts';
import type { CapturedPart } from '../../src/core/intake/inspect-capture.ts';
import type { InvoiceHistory } from '../../src/core/inspect/preflight/types.ts';
import type { PreflightIssue } from '../../src/contract/invoice.ts';
import { contentCases, contentInvoice } from '../helpers/content-rule-invoices.ts';

function part(name: string, xml: string): CapturedPart {
  return { name, bytes: Buffer.from(xml), kind: 'fatturapa', contentType: 'application/xml', invalid: null, metadata: {} };
}

const prezzo = contentCases().find((c) => c.sdi === '00423')!;

/** A history that knows every invoice: each one is a duplicate (00404). */
const everythingSent: InvoiceHistory = {
  findSame: () => ({ documentId: 'doc-1', name: 'prima.xml', sentAt: '2025-01-01T00:00:00Z' }),
  previousInSeries: () => null,
};

describe('intake.preflight', () => {
  it('"block": an error makes the invoice invalid, with the SDI code in the reason', async () => {
    const captured = part('prezzo.xml', prezzo.xml);
    await inspectInvoice(captured);
    expect(captured.invalid?.code).toBe('line_total_mismatch');
    expect(captured.invalid?.reason).toContain('(error 00423)');
    expect((captured.metadata as InvoiceMetadata).preflight?.[0]).toMatchObject({ severity: 'error', sdiCode: '00423' });
  });

  it('"warn": the same error is a warning marked downgraded, listed first; the invoice goes', async () => {
    const captured = part('prezzo.xml', prezzo.xml);
    await inspectInvoice(captured, 'warn');
    expect(captured.invalid).toBeNull();
    const issues = (captured.metadata as InvoiceMetadata).preflight as PreflightIssue[];
    expect(issues[0]).toMatchObject({ severity: 'warning', downgraded: true, code: 'line_total_mismatch', sdiCode: '00423' });
    expect(issues.filter((issue) => issue.severity === 'error')).toEqual([]);
    // The text is unchanged: it still says SDI would reject it, and why.
    expect(issues[0]?.message.en).toContain('expected 5.00, found 3.10');
    expect(downgradedCodes(issues)).toEqual(['line_total_mismatch (00423)']);
  });

  it('"warn" changes nothing for a valid invoice or for warnings', async () => {
    const captured = part('IT01234567890_00001.xml', contentInvoice(1));
    await inspectInvoice(captured, 'warn');
    expect(captured.invalid).toBeNull();
    expect((captured.metadata as InvoiceMetadata).preflight).toEqual([]);
    const warning: PreflightIssue = { severity: 'warning', code: 'numbering_gap', message: { it: 'x', en: 'x' } };
    expect(applyMode([warning], 'warn')).toEqual([warning]);
    expect(downgradedCodes([warning])).toEqual([]);
  });

  it('a duplicate (00404) blocks with "block" and is a downgraded warning with "warn", after the worker\'s', async () => {
    for (const mode of ['block', 'warn'] as const) {
      const captured = part('prezzo.xml', prezzo.xml);
      await inspectInvoice(captured, mode);
      const verdict = checkCapturedInvoice(captured.metadata, everythingSent, mode);
      const issues = (captured.metadata as InvoiceMetadata).preflight as PreflightIssue[];
      if (mode === 'block') {
        expect(verdict.invalid?.code).toBe('duplicate_invoice');
        continue;
      }
      expect(verdict.invalid).toBeNull();
      expect(issues.map((issue) => [issue.code, issue.severity, issue.downgraded ?? false])).toEqual([
        ['line_total_mismatch', 'warning', true],
        ['duplicate_invoice', 'warning', true],
        ['file_name_not_sdi', 'warning', false],
      ]);
    }
  });
});
