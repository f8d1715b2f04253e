// The sample editor used by the content tests: an edited sample stays the same invoice, so any
// finding in those tests comes from the edit under test.
import { describe, expect, it } from 'vitest';
import { InvoiceEdit } from '../helpers/fatturapa-edit.ts';
import { FATTURAPA_SAMPLES } from '../helpers/fixtures.ts';
import { BODY, GOODS, expectClean, fpa01, fpr01, preflight } from '../helpers/preflight-content.ts';

describe('InvoiceEdit', () => {
  it.each(FATTURAPA_SAMPLES)('re-serialised %s gives the same two check-digit warnings as the file', (name) => {
    expect(preflight(InvoiceEdit.sample(name)).map((issue) => issue.code)).toEqual(['vat_check_digit', 'cf_check']);
  });

  it('with valid identifiers the samples are clean', () => {
    expectClean(fpr01());
    expectClean(fpa01());
  });

  it('sets, inserts in schema order, removes and duplicates by path', () => {
    const invoice = fpr01()
      .set(`${GOODS}/DettaglioLinee/PrezzoTotale`, '5.00')
      .set(`${GOODS}/DettaglioLinee/Natura`, 'N4', { after: ['AliquotaIVA', 'Ritenuta'] })
      .duplicate(BODY);
    expect(invoice.text(`${BODY}[2]/DatiBeniServizi/DettaglioLinee/Natura`)).toBe('N4');
    expect(invoice.get(`${GOODS}/DettaglioLinee`).children.map((child) => child.local)).toEqual([
      'NumeroLinea',
      'Descrizione',
      'Quantita',
      'PrezzoUnitario',
      'PrezzoTotale',
      'AliquotaIVA',
      'Natura',
    ]);
    invoice.remove(`${BODY}[2]`).remove(`${GOODS}/DettaglioLinee/Natura`);
    expectClean(invoice);
    expect(() => invoice.get(`${GOODS}/DettaglioLinee[2]`)).toThrow('no element');
    expect(invoice.toString()).toContain('<p:FatturaElettronica versione="FPR12"');
  });
});
