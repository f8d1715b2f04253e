// The invoice history preflight asks: the same invoice already sent, and the numbers a seller used.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store } from '../../src/core/store/store.ts';
import { sellerKeyOfReading as sellerKey } from '../../src/core/inspect/preflight/history-check.ts';
import { invoiceRowsOf } from '../../src/core/intake/capture-history.ts';
import type { InvoiceReading } from '../../src/core/inspect/invoice/types.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let store: Store | null = null;
let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  store?.close();
  await cleanup?.();
  store = null;
  cleanup = null;
});

function reading(numbers: string[], date = '2026-03-15'): InvoiceReading {
  return {
    format: 'FPR12',
    transmitter: { country: 'IT', id: '01234567890' },
    progressivoInvio: '00001',
    codiceDestinatario: 'ABC1234',
    pecDestinatario: null,
    seller: { country: 'it', vatNumber: '01234567890', fiscalCode: null, name: 'Rossi Srl' },
    buyer: { country: 'IT', vatNumber: '09876543210', fiscalCode: null, name: 'Bianchi Spa' },
    bodies: numbers.map((number) => ({ type: 'TD01', number, date, total: '122.00', currency: 'EUR' })),
    signed: null,
  };
}

describe('invoice registry', () => {
  it('finds the same invoice among sent ones and lists the numbers used, ignoring refused captures', async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    const s = (store = new Store(join(temp.dir, 'db.sqlite'), 'test'));
    const capture = (id: string, state: 'queued' | 'invalid' | 'delivered' | 'rejected', invoice: InvoiceReading) =>
      s.transaction(() => {
        s.documents.insert({ id, profile: 'p', source: 'folder', name: `${id}.xml`, kind: 'fatturapa', size: 1, sha256: id, spooled: true, state });
        s.invoices.record(id, invoiceRowsOf(invoice));
      });
    capture('a', 'delivered', reading(['1', '2']));
    capture('b', 'queued', reading(['5']));
    capture('c', 'invalid', reading(['9']));
    capture('d', 'rejected', reading(['7'])); // SDI rejected it: it was never issued, resending is right
    capture('e', 'delivered', reading(['1'], '2025-12-01'));

    const key = sellerKey(reading([]))!;
    expect(key).toBe('IT01234567890');
    expect(s.invoices.findSame(key, 'TD01', '2', '2026')).toMatchObject({ documentId: 'a', name: 'a.xml' });
    expect(s.invoices.findSame(key, 'TD01', '5', '2026')).toMatchObject({ documentId: 'b' });
    expect(s.invoices.findSame(key, 'TD01', '9', '2026')).toBeNull();
    expect(s.invoices.findSame(key, 'TD01', '7', '2026')).toBeNull();
    expect(s.invoices.findSame(key, 'TD04', '2', '2026')).toBeNull();
    expect(s.invoices.findSame(key, 'TD01', '1', '2025')).toMatchObject({ documentId: 'e' });
    // The step down a series skips refused captures (9 is invalid, 7 rejected) and other years.
    expect(s.invoices.previousInSeries(key, 'TD01', '2026', '#', 100)).toBe(5);
    expect(s.invoices.previousInSeries(key, 'TD01', '2026', '#', 5)).toBe(2);
    expect(s.invoices.previousInSeries(key, 'TD01', '2026', '#', 1)).toBeNull();
    expect(s.invoices.previousInSeries(key, 'TD01', '2026', 'FT-#', 100)).toBeNull();
  });
});
