// Capture reads what it carries: every invoice's parties, number, date and total are in the
// document the moment it is recorded; preflight errors stop it before the hub (state invalid, the
// file in errors/ with the reason), warnings travel with it; the same invoice captured twice is
// caught, and gaps in a seller's numbering are listed — through the real agent, worker pool,
// SQLite store and sandbox hub.
import { afterEach, describe, expect, it } from 'vitest';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { fixture, makePdf } from '../helpers/fixtures.ts';
import { buildP7m, createTestSigner } from '../helpers/p7m.ts';
import { waitFor } from '../helpers/wait-for.ts';
import type { InvoiceReading, PdfGuess, PreflightIssue } from '../../src/contract/invoice.ts';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const FPR01 = fixture('fatturapa', 'IT01234567890_FPR01.xml').toString('utf8');

/** FPR01 as another invoice of the same seller: its own number (and so its own bytes). */
function fpr(number: string, edit: (xml: string) => string = (xml) => xml): Buffer {
  const xml = FPR01.replace('<Numero>123</Numero>', `<Numero>${number}</Numero>`);
  if (xml === FPR01 && number !== '123') throw new Error('FPR01 no longer holds invoice number 123');
  return Buffer.from(edit(xml), 'utf8');
}

/** Taken for sending (it may already be on its way): not refused. */
function expectGoingOut(document: { state: string; reason: string | null }): void {
  expect(['invalid', 'duplicate'], document.reason ?? '').not.toContain(document.state);
}

const codes = (issues: PreflightIssue[] | undefined) => (issues ?? []).map((issue) => issue.code);

async function submit(h: Harness, name: string, bytes: Buffer) {
  const [document] = await h.agent.submit({ name, bytes, source: 'api' });
  return h.agent.document(document!.id)!;
}

describe('capture reads and preflights invoices', () => {
  it('records the invoice read from the file and its warnings, and sends it', async () => {
    const h = (harness = await startHarness());
    const detail = await submit(h, 'IT01234567890_FPR01.xml', fpr('123'));
    expectGoingOut(detail);
    const invoice = detail.metadata['invoice'] as InvoiceReading;
    expect(invoice.format).toBe('FPR12');
    expect(invoice.seller).toEqual({ country: 'IT', vatNumber: '01234567890', fiscalCode: null, name: "SOCIETA' ALPHA SRL" });
    expect(invoice.buyer.name).toBe('DITTA BETA');
    // No ImportoTotaleDocumento in the sample: the total is computed from its VAT summary, and marked.
    expect(invoice.bodies).toEqual([{ type: 'TD01', number: '123', date: '2014-12-18', total: '6.10', totalComputed: true, currency: 'EUR' }]);
    // The official samples fail the check digits on purpose: two warnings, nothing blocking.
    expect(codes(detail.metadata['preflight'] as PreflightIssue[])).toEqual(['vat_check_digit', 'cf_check']);
    expect(detail.warnings).toBe(2);
    expect(detail.invoice).toEqual({
      format: 'FPR12',
      guessed: false,
      type: 'TD01',
      number: '123',
      date: '2014-12-18',
      total: '6.10',
      totalComputed: true,
      currency: 'EUR',
      seller: "SOCIETA' ALPHA SRL",
      buyer: 'DITTA BETA',
      count: 1,
    });
    // The list carries the same line, and finds the document by its buyer.
    expect(h.agent.documents({ q: 'DITTA BETA' }).documents.map((d) => d.id)).toEqual([detail.id]);
    await h.waitForState(detail.id, 'delivered');
  });

  it('refuses an invoice preflight finds wrong, with the reason, before the hub sees it', async () => {
    const h = (harness = await startHarness());
    const broken = fpr('130', (xml) => xml.replace('<CodiceDestinatario>ABC1234</CodiceDestinatario>', '<CodiceDestinatario>ABC123</CodiceDestinatario>'));
    await writeFile(join(h.dropDir, 'sbagliata.xml'), broken);
    const document = await waitFor('sbagliata.xml captured', () => h.agent.documents({}).documents.find((d) => d.name === 'sbagliata.xml'));
    expect(document.state).toBe('invalid');
    const record = h.agent.store.documents.get(document.id)!;
    expect(record.reasonCode).toBe('recipient_code_format_mismatch');
    expect(document.reason).toMatch(/CodiceDestinatario/);
    const preflight = h.agent.document(document.id)!.metadata['preflight'] as PreflightIssue[];
    expect(preflight[0]).toMatchObject({ severity: 'error', code: 'recipient_code_format_mismatch' });
    expect(preflight[0]!.message.it).toMatch(/CodiceDestinatario/);
    // Still read: the user sees which invoice it was.
    expect(document.invoice?.number).toBe('130');

    await waitFor('moved to errors/ with the reason', async () =>
      (await readdir(join(h.dropDir, 'errors')).catch(() => [] as string[])).includes('sbagliata.xml.error.txt'),
    );
    expect(await readFile(join(h.dropDir, 'errors', 'sbagliata.xml.error.txt'), 'utf8')).toMatch(/CodiceDestinatario/);
    expect(h.hub.listDocuments()).toHaveLength(0);
  });

  it('catches the same invoice captured twice, also under other bytes, and lets it go again once the first was rejected', async () => {
    const h = (harness = await startHarness());
    const first = await submit(h, 'fattura-123.xml', fpr('123'));
    expectGoingOut(first);
    // Same seller, type, number and year; different bytes (another ProgressivoInvio), so not a byte duplicate.
    const again = await submit(
      h,
      'fattura-123-bis.xml',
      fpr('123', (xml) => xml.replace('<ProgressivoInvio>00001</ProgressivoInvio>', '<ProgressivoInvio>00002</ProgressivoInvio>')),
    );
    expect(again.state).toBe('invalid');
    expect(h.agent.store.documents.get(again.id)!.reasonCode).toBe('duplicate_invoice');
    expect(again.reason).toContain('fattura-123.xml');
    expect(again.reason).toContain(first.id);
    const duplicate = (again.metadata['preflight'] as PreflightIssue[]).find((issue) => issue.code === 'duplicate_invoice')!;
    expect(duplicate.message.it).toMatch(/già stata acquisita come "fattura-123\.xml"/);

    // A year later the same number is a new invoice.
    const nextYear = await submit(
      h,
      'fattura-123-2015.xml',
      fpr('123', (xml) => xml.replace('<Data>2014-12-18</Data>', '<Data>2015-01-02</Data>')),
    );
    expectGoingOut(nextYear);

    // SDI rejected the first (never issued): sending the corrected invoice with its number is right.
    await h.waitForState(first.id, 'delivered');
    h.agent.store.transaction(() => h.agent.store.documents.transition(first.id, { state: 'rejected', reason: 'NS 00311' }, { type: 'test.rejected' }));
    const corrected = await submit(
      h,
      'fattura-123-corretta.xml',
      fpr('123', (xml) => xml.replace('<ProgressivoInvio>00001</ProgressivoInvio>', '<ProgressivoInvio>00003</ProgressivoInvio>')),
    );
    expectGoingOut(corrected);
  });

  it('lets only one of two copies of an invoice dropped at the same moment through', async () => {
    const h = (harness = await startHarness());
    const copies = ['00011', '00012', '00013'].map((progressivo) =>
      fpr('140', (xml) => xml.replace('<ProgressivoInvio>00001</ProgressivoInvio>', `<ProgressivoInvio>${progressivo}</ProgressivoInvio>`)),
    );
    await Promise.all(copies.map((bytes, index) => writeFile(join(h.dropDir, `copia-${index}.xml`), bytes)));
    const documents = await waitFor('three copies captured', () => {
      const found = h.agent.documents({}).documents.filter((d) => d.name.startsWith('copia-'));
      return found.length === 3 ? found : null;
    });
    expect(documents.filter((d) => d.state !== 'invalid')).toHaveLength(1);
    for (const refused of documents.filter((d) => d.state === 'invalid')) expect(h.agent.store.documents.get(refused.id)!.reasonCode).toBe('duplicate_invoice');
  });

  it('warns about a gap in the numbering, listing the missing numbers', async () => {
    const h = (harness = await startHarness());
    expectGoingOut(await submit(h, 'IT01234567890_00005.xml', fpr('5')));
    const after = await submit(h, 'IT01234567890_00009.xml', fpr('9'));
    expectGoingOut(after);
    const gap = (after.metadata['preflight'] as PreflightIssue[]).find((issue) => issue.code === 'numbering_gap')!;
    expect(gap.severity).toBe('warning');
    expect(gap.message.it).toContain('6, 7, 8');
    expect(gap.message.en).toContain('6, 7, 8');
    expect(codes(after.metadata['preflight'] as PreflightIssue[])).toEqual(['vat_check_digit', 'cf_check', 'numbering_gap']);
    expect(after.warnings).toBe(3);
    // Filling the gap raises no new warning.
    const filler = await submit(h, 'IT01234567890_00006.xml', fpr('6'));
    expect(codes(filler.metadata['preflight'] as PreflightIssue[])).not.toContain('numbering_gap');
  });

  it('reads a signed invoice (.xml.p7m) like the plain one, and who signed it', async () => {
    const h = (harness = await startHarness());
    const signer = await createTestSigner({ commonName: 'MARIO ROSSI', subjectSerialNumber: 'TINIT-RSSMRA80A01H501U', issuerCommonName: 'Test Qualified CA' });
    const p7m = await buildP7m(fpr('150'), signer);
    const detail = await submit(h, 'IT01234567890_00150.xml.p7m', p7m);
    expect(detail.kind).toBe('p7m');
    expectGoingOut(detail);
    const invoice = detail.metadata['invoice'] as InvoiceReading;
    expect(invoice.bodies[0]?.number).toBe('150');
    expect(invoice.seller.name).toBe("SOCIETA' ALPHA SRL");
    expect(invoice.signed?.signers[0]).toMatchObject({ commonName: 'MARIO ROSSI', fiscalCode: 'RSSMRA80A01H501U', issuer: 'Test Qualified CA' });
    expect(codes(detail.metadata['preflight'] as PreflightIssue[])).toEqual(['vat_check_digit', 'cf_check']);
    await h.waitForState(detail.id, 'delivered');
  });

  it('guesses number, date and total from a PDF, marked as guessed, and sends it', async () => {
    const h = (harness = await startHarness());
    const detail = await submit(h, 'fattura.pdf', makePdf('Fattura n. 42 del 15/03/2026 P.IVA 01234567897 Totale EUR 1.220,00'));
    expectGoingOut(detail);
    const guess = detail.metadata['pdfGuess'] as PdfGuess;
    expect(guess).toMatchObject({ guessed: true, number: '42', date: '2026-03-15', total: '1.220,00', vatNumbers: ['01234567897'] });
    expect(detail.invoice).toMatchObject({ format: 'PDF', guessed: true, number: '42', date: '2026-03-15' });
    expect(detail.metadata['preflight']).toBeUndefined();
    await h.waitForState(detail.id, 'delivered');
  });

  it('sends a simplified invoice (FSM10) with a warning that its structure was not checked', async () => {
    const h = (harness = await startHarness());
    const fsm = `<?xml version="1.0" encoding="UTF-8"?>
<p:FatturaElettronicaSemplificata versione="FSM10" xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.0">
  <FatturaElettronicaHeader>
    <DatiTrasmissione><IdTrasmittente><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdTrasmittente><ProgressivoInvio>S0001</ProgressivoInvio><FormatoTrasmissione>FSM10</FormatoTrasmissione><CodiceDestinatario>ABC1234</CodiceDestinatario></DatiTrasmissione>
    <CedentePrestatore><IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdFiscaleIVA><Denominazione>BAR CENTRALE SRL</Denominazione><Sede><Indirizzo>VIA ROMA 1</Indirizzo><CAP>00100</CAP><Comune>ROMA</Comune><Nazione>IT</Nazione></Sede><RegimeFiscale>RF01</RegimeFiscale></CedentePrestatore>
    <CessionarioCommittente><IdentificativiFiscali><CodiceFiscale>RSSMRA80A01H501U</CodiceFiscale></IdentificativiFiscali></CessionarioCommittente>
  </FatturaElettronicaHeader>
  <FatturaElettronicaBody>
    <DatiGenerali><DatiGeneraliDocumento><TipoDocumento>TD07</TipoDocumento><Divisa>EUR</Divisa><Data>2026-03-20</Data><Numero>S-18</Numero></DatiGeneraliDocumento></DatiGenerali>
    <DatiBeniServizi><Descrizione>CAFFE</Descrizione><Importo>1.22</Importo><DatiIVA><Aliquota>22.00</Aliquota></DatiIVA></DatiBeniServizi>
  </FatturaElettronicaBody>
</p:FatturaElettronicaSemplificata>`;
    // Held, not sent: an invoice the (simulated) SDI rejected no longer counts as sent, so a quick
    // rejection of the first would let the second through, as it should, and race this check.
    h.agent.pause();
    const first = await submit(h, 'IT01234567890_S0001.xml', Buffer.from(fsm));
    expectGoingOut(first);
    expect((first.metadata['invoice'] as InvoiceReading).format).toBe('FSM10');
    expect(codes(first.metadata['preflight'] as PreflightIssue[])).toEqual(['simplified_not_checked']);
    // The history rules apply to simplified invoices too.
    const again = await submit(h, 'IT01234567890_S0002.xml', Buffer.from(fsm.replace('S0001', 'S0002')));
    expect(h.agent.store.documents.get(again.id)!.reasonCode).toBe('duplicate_invoice');
  });
});
