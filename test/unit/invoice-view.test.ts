// The invoice view's model (src/core/inspect/invoice/invoice-view.ts) on the official samples, a
// batch, a signed .p7m, a simplified FSM10 and an invoice with every block; a total worked out
// exactly when the file has none; hostile text kept as the file wrote it; attachments decoded.
import { describe, expect, it } from 'vitest';
import { readInvoiceAttachment, readInvoiceView, sumDecimals } from '../../src/core/inspect/invoice/invoice-view.ts';
import { attachmentDisposition } from '../../src/core/api/routes/invoice.ts';
import { fixture } from '../helpers/fixtures.ts';
import { buildP7m, createTestSigner, toBase64P7m } from '../helpers/p7m.ts';
import { ATTACHMENT_TEXT, HOSTILE_DESCRIPTION, batchInvoice, richInvoice, simplifiedInvoice } from '../helpers/invoice-view-samples.ts';

const ALPHA = {
  name: 'ALPHA SRL',
  vatCountry: 'IT',
  vatNumber: '01234567890',
  fiscalCode: null,
  address: { street: 'VIALE ROMA 543', streetNumber: null, postcode: '07100', city: 'SASSARI', province: 'SS', country: 'IT' },
};
const BETA_PA = {
  name: 'AMMINISTRAZIONE BETA',
  vatCountry: null,
  vatNumber: null,
  fiscalCode: '09876543210',
  taxRegime: null,
  address: { street: 'VIA TORINO 38-B', streetNumber: null, postcode: '00145', city: 'ROMA', province: 'RM', country: 'IT' },
};

function line(number: string, description: string, quantity: string, unitPrice: string, total: string) {
  return { number, codes: [], description, quantity, unit: null, unitPrice, adjustments: [], total, vatRate: '22.00', vatAmount: null, nature: null };
}

describe('readInvoiceView on the official samples', () => {
  it('FPA01: parties with addresses, one line, the VAT summary, the total computed from it, payment', async () => {
    const view = await readInvoiceView(fixture('fatturapa', 'IT01234567890_FPA01.xml'), 'fatturapa');
    expect(view).toMatchObject({ format: 'FPA12', signed: false, codiceDestinatario: 'AAAAAA', seller: { ...ALPHA, taxRegime: 'RF19' }, buyer: BETA_PA });
    expect(view.bodies).toHaveLength(1);
    const body = view.bodies[0]!;
    expect(body).toMatchObject({ type: 'TD01', number: '123', date: '2017-01-18', currency: 'EUR', total: '6.10', totalComputed: true });
    expect(body.reasons).toHaveLength(2);
    expect(body.lines).toEqual([line('1', 'DESCRIZIONE DELLA FORNITURA', '5.00', '1.00', '5.00')]);
    expect(body.vatSummary).toEqual([{ vatRate: '22.00', nature: null, taxable: '5.00', tax: '1.10', chargeability: 'I', legalReference: null }]);
    expect(body.payments).toEqual([
      { terms: 'TP01', instalments: [{ mode: 'MP01', dueDate: '2017-02-18', amount: '6.10', iban: null, bank: null, beneficiary: null }] },
    ]);
    expect(body).toMatchObject({ withholdings: [], stamp: null, attachments: [], rounding: null });
  });

  it('FPA02: two lines, summary 25.00 + 5.50, total 30.50 computed', async () => {
    const body = (await readInvoiceView(fixture('fatturapa', 'IT01234567890_FPA02.xml'), 'fatturapa')).bodies[0]!;
    expect(body.lines.map((l) => [l.description?.slice(0, 30), l.quantity, l.unitPrice, l.total])).toEqual([
      ['LA DESCRIZIONE DELLA FORNITURA', '5.00', '1.00', '5.00'],
      ['FORNITURE VARIE PER UFFICIO', '10.00', '2.00', '20.00'],
    ]);
    expect(body.vatSummary[0]).toMatchObject({ taxable: '25.00', tax: '5.50', chargeability: 'D' });
    expect(body).toMatchObject({ total: '30.50', totalComputed: true });
  });

  it('FPR01: the total the summary gives (5.00 + 1.10), not "—"', async () => {
    const view = await readInvoiceView(fixture('fatturapa', 'IT01234567890_FPR01.xml'), 'fatturapa');
    expect(view.format).toBe('FPR12');
    expect(view.seller.name).toBe("SOCIETA' ALPHA SRL");
    expect(view.buyer).toMatchObject({ name: 'DITTA BETA', fiscalCode: '09876543210' });
    expect(view.bodies[0]).toMatchObject({ number: '123', total: '6.10', totalComputed: true });
  });
});

describe('readInvoiceView on other shapes', () => {
  it('every body of a batch, each with its own lines and total (written or computed)', async () => {
    const view = await readInvoiceView(batchInvoice(), 'fatturapa');
    expect(view.bodies.map((b) => [b.number, b.date, b.lines[0]?.description, b.total, b.totalComputed])).toEqual([
      ['123', '2014-12-18', 'DESCRIZIONE DELLA FORNITURA', '6.10', true],
      ['124', '2014-12-19', 'SECONDA FORNITURA', '7.32', false],
    ]);
  });

  it('a signed .p7m, DER or base64: the invoice inside, marked as signed', async () => {
    const signer = await createTestSigner();
    const der = await buildP7m(fixture('fatturapa', 'IT01234567890_FPA02.xml'), signer);
    for (const bytes of [der, toBase64P7m(der)]) {
      const view = await readInvoiceView(bytes, 'p7m');
      expect(view.signed).toBe(true);
      expect(view.bodies[0]).toMatchObject({ number: '123', total: '30.50' });
      expect(view.bodies[0]!.lines).toHaveLength(2);
    }
  });

  it('a simplified FSM10: parties from its flatter header, lines with Importo and VAT as amount or rate, total summed', async () => {
    const view = await readInvoiceView(simplifiedInvoice(), 'fatturapa');
    expect(view.format).toBe('FSM10');
    expect(view.seller).toMatchObject({
      name: 'OFFICINA DELTA SNC',
      vatCountry: 'IT',
      vatNumber: '01234567890',
      taxRegime: 'RF01',
      address: { city: 'SASSARI' },
    });
    expect(view.buyer).toMatchObject({ name: 'ANNA BIANCHI', fiscalCode: 'BNCNNA85C41F205X', vatNumber: null, address: { city: 'MILANO' } });
    const body = view.bodies[0]!;
    expect(body).toMatchObject({ type: 'TD07', number: 'S-17', total: '122.00', totalComputed: true, vatSummary: [] });
    expect(body.lines.map((l) => [l.description, l.total, l.vatRate, l.vatAmount])).toEqual([
      ['RIPARAZIONE BICICLETTA', '100.00', null, '18.03'],
      ["CAMERA D'ARIA", '22.00', '22.00', null],
    ]);
  });

  it('every block: discount, nature, withholding, stamp, IBAN, attachment; the written total is kept', async () => {
    const view = await readInvoiceView(richInvoice(), 'fatturapa');
    expect(view.seller).toMatchObject({ name: 'MARIO ROSSI', fiscalCode: 'RSSMRA80A01H501U', address: { street: 'VIA ROMA', streetNumber: '1' } });
    const body = view.bodies[0]!;
    expect(body).toMatchObject({ total: '551.00', totalComputed: false, reasons: ['CONSULENZA DI MARZO'] });
    expect(body.lines[0]).toMatchObject({ unit: 'ore', adjustments: [{ kind: 'SC', percent: '10.00', amount: null }], total: '450.00' });
    expect(body.lines[1]).toMatchObject({ vatRate: '0.00', nature: 'N1' });
    expect(body.vatSummary[1]).toMatchObject({ nature: 'N1', legalReference: 'Escluso art. 15 DPR 633/72' });
    expect(body.withholdings).toEqual([{ type: 'RT01', amount: '90.00', rate: '20.00', reason: 'A' }]);
    expect(body.stamp).toEqual({ virtual: true, amount: '2.00' });
    expect(body.payments[0]).toEqual({
      terms: 'TP02',
      instalments: [
        { mode: 'MP05', dueDate: '2024-04-30', amount: '461.00', iban: 'IT60X0542811101000000123456', bank: 'BANCA DI ESEMPIO', beneficiary: null },
      ],
    });
    expect(body.attachments).toEqual([
      {
        index: 0,
        name: '../dettaglio "ore".txt',
        format: 'TXT',
        description: 'Dettaglio delle ore',
        compression: null,
        size: Buffer.byteLength(ATTACHMENT_TEXT),
      },
    ]);
  });

  it('hostile text stays the text the file wrote (the view shows it, never interprets it)', async () => {
    const view = await readInvoiceView(richInvoice(), 'fatturapa');
    expect(view.bodies[0]!.lines[0]!.description).toBe(HOSTILE_DESCRIPTION);
    expect(view.buyer.name).toBe('GAMMA & FIGLI S.R.L. <b>');
  });

  it('refuses a DOCTYPE and a file that is not a FatturaPA', async () => {
    await expect(readInvoiceView(Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><x/>'), 'fatturapa')).rejects.toThrow(/DOCTYPE/);
    await expect(readInvoiceView(Buffer.from('<x/>'), 'fatturapa')).rejects.toThrow(/not a FatturaPA/);
  });
});

describe('attachments', () => {
  it('decodes an attachment (base64 with line breaks) by body and position; null past the end', async () => {
    expect(await readInvoiceAttachment(richInvoice(), 'fatturapa', 0, 0)).toEqual({ name: '../dettaglio "ore".txt', bytes: Buffer.from(ATTACHMENT_TEXT) });
    expect(await readInvoiceAttachment(richInvoice(), 'fatturapa', 0, 1)).toBeNull();
    expect(await readInvoiceAttachment(richInvoice(), 'fatturapa', 1, 0)).toBeNull();
    const signed = await buildP7m(richInvoice(), await createTestSigner());
    expect((await readInvoiceAttachment(signed, 'p7m', 0, 0))?.bytes.toString('utf8')).toBe(ATTACHMENT_TEXT);
  });

  it('a download name without path, quotes or control characters', () => {
    expect(attachmentDisposition('../dettaglio "ore".txt', 'x.bin')).toBe(`attachment; filename="dettaglio _ore_.txt"; filename*=UTF-8''dettaglio%20_ore_.txt`);
    expect(attachmentDisposition('a\r\nSet-Cookie: x;.pdf', 'x.bin')).toBe(
      `attachment; filename="a__Set-Cookie: x_.pdf"; filename*=UTF-8''a__Set-Cookie%3A%20x_.pdf`,
    );
    expect(attachmentDisposition('..', 'x.bin')).toContain('filename="x.bin"');
    expect(attachmentDisposition(null, 'attachment-1-1.bin')).toContain('filename="attachment-1-1.bin"');
    expect(attachmentDisposition('fattura è.pdf', 'x.bin')).toBe(`attachment; filename="fattura _.pdf"; filename*=UTF-8''fattura%20%C3%A8.pdf`);
  });
});

describe('sumDecimals', () => {
  it('adds decimal strings exactly, at the finest scale given (at least two decimals)', () => {
    expect(sumDecimals(['5.00', '1.10'])).toBe('6.10');
    expect(sumDecimals(['0.10', '0.20'])).toBe('0.30');
    expect(sumDecimals(['1234567890123.45', '0.01'])).toBe('1234567890123.46');
    expect(sumDecimals(['10', '1.234'])).toBe('11.234');
    expect(sumDecimals(['-5.00', '1.10'])).toBe('-3.90');
    expect(sumDecimals(['-0.50', null])).toBe('-0.50');
    expect(sumDecimals([null])).toBeNull();
    expect(sumDecimals(['1,00'])).toBeNull();
  });
});
