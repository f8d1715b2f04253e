// The sandbox hub's simulated SDI applies SDI's content rules (the agent's preflight rules, one
// copy): each invoice of issue 12 gets an NS with its codes and SDI's own descriptions, the valid
// invoices and the official samples do not, and the day that counts is the day in Rome the hub
// received the file. Through planDocument, the hub's decision for an upload (no HTTP here:
// test/integration/capture-content-rules.test.ts sends the same invoices through the whole hub).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SdiPlan, SdiStep } from '../../src/sandbox-hub/sdi/sdi-plan.ts';
import { planDocument } from '../../src/sandbox-hub/sdi/document-analysis.ts';
import { knownSdiErrorCode, sdiErrorDescription, MAX_DESCRIPTION } from '../../src/sandbox-hub/sdi/sdi-error-codes.ts';
import { contentCases, contentInvoice } from '../helpers/content-rule-invoices.ts';
import { DOC, fpr01, withBuyerVat } from '../helpers/preflight-content.ts';
import { fixture } from '../helpers/fixtures.ts';

const NOW = new Date();

function outcome(plan: SdiPlan): Extract<SdiStep, { kind: 'notification' }> | Extract<SdiStep, { kind: 'failed' }> {
  const step = plan.steps.find((candidate) => candidate.kind === 'notification' || candidate.kind === 'failed');
  if (!step || (step.kind !== 'notification' && step.kind !== 'failed')) throw new Error(`no outcome in ${JSON.stringify(plan.steps)}`);
  return step;
}

function rejectedWith(plan: SdiPlan): string[] {
  const step = outcome(plan);
  expect(step.kind === 'notification' && step.status, JSON.stringify(step)).toBe('rejected');
  return step.kind === 'notification' ? (step.errors ?? []).map((error) => error.code) : [];
}

function statusOf(plan: SdiPlan): string {
  const step = outcome(plan);
  return step.kind === 'notification' ? step.status : 'failed';
}

const xml = (text: string, receivedAt = NOW): SdiPlan => planDocument('xml', Buffer.from(text), receivedAt);

const FSM10 = (importo: string, data = '2025-03-20') => `<?xml version="1.0" encoding="UTF-8"?>
<p:FatturaElettronicaSemplificata versione="FSM10" xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.0">
  <FatturaElettronicaHeader>
    <DatiTrasmissione><IdTrasmittente><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdTrasmittente><ProgressivoInvio>S0001</ProgressivoInvio><FormatoTrasmissione>FSM10</FormatoTrasmissione><CodiceDestinatario>ABC1234</CodiceDestinatario></DatiTrasmissione>
    <CedentePrestatore><IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>01234567897</IdCodice></IdFiscaleIVA><Denominazione>BAR CENTRALE SRL</Denominazione><Sede><Indirizzo>VIA ROMA 1</Indirizzo><CAP>00100</CAP><Comune>ROMA</Comune><Nazione>IT</Nazione></Sede><RegimeFiscale>RF01</RegimeFiscale></CedentePrestatore>
    <CessionarioCommittente><IdentificativiFiscali><CodiceFiscale>RSSMRA80A01H501U</CodiceFiscale></IdentificativiFiscali></CessionarioCommittente>
  </FatturaElettronicaHeader>
  <FatturaElettronicaBody>
    <DatiGenerali><DatiGeneraliDocumento><TipoDocumento>TD07</TipoDocumento><Divisa>EUR</Divisa><Data>${data}</Data><Numero>S-18</Numero></DatiGeneraliDocumento></DatiGenerali>
    <DatiBeniServizi><Descrizione>CAFFE</Descrizione><Importo>${importo}</Importo><DatiIVA><Aliquota>22.00</Aliquota></DatiIVA></DatiBeniServizi>
  </FatturaElettronicaBody>
</p:FatturaElettronicaSemplificata>`;

describe("sandbox hub: SDI's content rules", () => {
  it.each(contentCases())("$name: NS with $codes and SDI's descriptions", ({ xml: text, codes }) => {
    const plan = xml(text);
    expect(rejectedWith(plan)).toEqual(codes);
    const step = outcome(plan);
    if (step.kind !== 'notification') throw new Error('not an NS');
    expect(step.errors).toEqual(codes.map((code) => ({ code, description: sdiErrorDescription(code) })));
    for (const code of codes) expect(knownSdiErrorCode(code), code).toBe(true);
    // The invoice data still reaches the NS (recipient, reference), as for any other outcome.
    expect(plan.recipient.code).toBe('ABC1234');
  });

  it('the same invoice inside a P7M envelope is rejected the same way', () => {
    const [natura] = contentCases();
    const envelope = Buffer.concat([Buffer.from([0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48]), Buffer.from(natura!.xml), Buffer.from([0xa0, 0x82, 0x01, 0x00])]);
    expect(rejectedWith(planDocument('p7m', envelope, NOW))).toEqual(['00400', '00429']);
  });

  it('delivers the valid invoice the cases are made from, and the official samples (no false rejection)', () => {
    expect(statusOf(xml(contentInvoice(200)))).toBe('delivered');
    expect(statusOf(xml(fpr01().toString()))).toBe('delivered');
    for (const sample of ['IT01234567890_FPR01.xml', 'IT01234567890_FPA01.xml', 'IT01234567890_FPA02.xml']) {
      expect(statusOf(planDocument('xml', fixture('fatturapa', sample), NOW)), sample).toBe('delivered');
    }
  });

  it('lists every error of an invoice with several, one entry per code', () => {
    const text = contentInvoice(300, (i) => i.set(`${DOC}/Numero`, 'ABC').set(`${DOC}/Data`, '2999-01-01'));
    expect(rejectedWith(xml(text))).toEqual(['00403', '00425']);
  });

  it('takes the day in Rome when the hub received the file for the date rule (00403)', () => {
    const dated = contentInvoice(301, (i) => i.set(`${DOC}/Data`, '2025-06-17'));
    // 23:30 UTC on 16 June is already 17 June in Rome: dated today passes.
    expect(statusOf(xml(dated, new Date('2025-06-16T23:30:00Z')))).toBe('delivered');
    // 21:00 UTC is 23:00 on 16 June in Rome: dated tomorrow.
    expect(rejectedWith(xml(dated, new Date('2025-06-16T21:00:00Z')))).toEqual(['00403']);
  });

  it('applies the recipient rules (00313, 00330) and duplicates inside a batch (00409)', () => {
    const foreignCode = withBuyerVat(fpr01()).set('FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario', 'XXXXXXX');
    expect(rejectedWith(xml(foreignCode.toString()))).toEqual(['00313']);
    const sdiPec = fpr01()
      .set('FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario', '0000000')
      .set('FatturaElettronicaHeader/DatiTrasmissione/PECDestinatario', 'sdi01@pec.fatturapa.it', { after: ['CodiceDestinatario', 'ContattiTrasmittente'] });
    expect(rejectedWith(xml(sdiPec.toString()))).toEqual(['00330']);
    expect(rejectedWith(xml(fpr01().duplicate('FatturaElettronicaBody').toString()))).toEqual(['00409']);
    // A foreign buyer may get XXXXXXX.
    const foreign = withBuyerVat(fpr01(), 'FR', '12345678901').set('FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario', 'XXXXXXX');
    expect(statusOf(xml(foreign.toString()))).toBe('not_delivered');
  });

  it('accepts a simplified invoice (FSM10) and applies its own rules: 400 euro limit (00460), date (00403)', () => {
    expect(statusOf(xml(FSM10('1.22')))).toBe('delivered');
    expect(rejectedWith(xml(FSM10('450.00')))).toEqual(['00460']);
    expect(rejectedWith(xml(FSM10('1.22', '2999-01-01')))).toEqual(['00403']);
    // The ordinary root with versione FSM10 is not a simplified invoice.
    const wrongRoot = FSM10('1.22').replace(/FatturaElettronicaSemplificata/g, 'FatturaElettronica');
    const plan = xml(wrongRoot);
    expect(rejectedWith(plan)).toEqual(['00200']);
  });

  it('rejects FormatoTrasmissione unlike versione with 00428', () => {
    const text = fpr01().set('FatturaElettronicaHeader/DatiTrasmissione/FormatoTrasmissione', 'FPA12').toString();
    expect(rejectedWith(xml(text))).toEqual(['00428']);
  });

  it("knows SDI's description of every code preflight refuses with, each within SDI's 255 characters", () => {
    const dir = join(import.meta.dirname, '../../src/core/inspect/preflight');
    const files = [
      ...readdirSync(join(dir, 'content')).map((name) => join(dir, 'content', name)),
      join(dir, 'recipient-check.ts'),
      join(dir, 'history-check.ts'),
      join(dir, 'root-check.ts'),
    ];
    const codes = new Set<string>();
    for (const file of files) for (const match of readFileSync(file, 'utf8').matchAll(/'(00[0-9]{3})'/g)) codes.add(match[1]!);
    expect(codes.size).toBeGreaterThan(30);
    for (const code of codes) {
      expect(knownSdiErrorCode(code), `no SDI description for ${code}`).toBe(true);
      expect(sdiErrorDescription(code).length).toBeLessThanOrEqual(MAX_DESCRIPTION);
      expect(sdiErrorDescription(code)).not.toMatch(/simulato/);
    }
    expect(sdiErrorDescription('00200', 'x'.repeat(400))).toHaveLength(MAX_DESCRIPTION);
  });
});
