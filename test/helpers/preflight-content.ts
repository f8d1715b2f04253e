// Shared by test/unit/preflight-content-*.test.ts: the official FPR01 sample with valid identifiers
// (so only the rule under test speaks), line and summary builders, and preflight on a fixed day.
import { expect } from 'vitest';
import { parseXml } from '../../src/core/xml/safe-xml.ts';
import { preflightFatturaPa } from '../../src/core/inspect/preflight/preflight.ts';
import type { PreflightIssue } from '../../src/core/inspect/preflight/types.ts';
import { InvoiceEdit } from './fatturapa-edit.ts';

/** "Today" in Rome for every content test: after the samples' dates, fixed so tests never age. */
export const TODAY = '2025-06-16';
export const GOOD_NAME = 'IT01234567890_00001.xml';
export const VALID_SELLER_VAT = '01234567897';
export const VALID_BUYER_CF = '09876543217';
export const VALID_BUYER_VAT = '09876543217';

export const BODY = 'FatturaElettronicaBody';
export const DOC = `${BODY}/DatiGenerali/DatiGeneraliDocumento`;
export const GOODS = `${BODY}/DatiBeniServizi`;
export const SELLER = 'FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici';
export const BUYER = 'FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici';

/** FPR01 (one line 5 × 1.00 at 22%, summary 5.00 / 1.10) with a seller VAT number and buyer CF that pass their check digits. */
export function fpr01(): InvoiceEdit {
  return InvoiceEdit.sample('IT01234567890_FPR01.xml').set(`${SELLER}/IdFiscaleIVA/IdCodice`, VALID_SELLER_VAT).set(`${BUYER}/CodiceFiscale`, VALID_BUYER_CF);
}

/** FPA01 (public administration, two lines at 22%) with valid identifiers. */
export function fpa01(): InvoiceEdit {
  return InvoiceEdit.sample('IT01234567890_FPA01.xml').set(`${SELLER}/IdFiscaleIVA/IdCodice`, VALID_SELLER_VAT).set(`${BUYER}/CodiceFiscale`, VALID_BUYER_CF);
}

/** The buyer as a company with an Italian VAT number instead of a codice fiscale. */
export function withBuyerVat(invoice: InvoiceEdit, country = 'IT', code = VALID_BUYER_VAT): InvoiceEdit {
  const data = invoice.get(BUYER);
  data.children = data.children.filter((child) => child.local !== 'CodiceFiscale' && child.local !== 'IdFiscaleIVA');
  return invoice.insert(BUYER, `<IdFiscaleIVA><IdPaese>${country}</IdPaese><IdCodice>${code}</IdCodice></IdFiscaleIVA>`);
}

export interface DiscountSpec {
  type: 'SC' | 'MG';
  percent?: string;
  amount?: string;
}

export interface LineSpec {
  quantity?: string;
  unit: string;
  total: string;
  rate: string;
  nature?: string;
  withholding?: boolean;
  discounts?: DiscountSpec[];
  /** TipoCessionePrestazione (SC, PR, AB, AC). */
  kind?: string;
}

export interface SummarySpec {
  rate: string;
  nature?: string;
  rounding?: string;
  taxable: string;
  tax: string;
  chargeability?: 'I' | 'D' | 'S';
  reference?: string;
}

export function lineXml(spec: LineSpec, number: number): string {
  const discounts = (spec.discounts ?? [])
    .map(
      (discount) =>
        `<ScontoMaggiorazione><Tipo>${discount.type}</Tipo>${discount.percent ? `<Percentuale>${discount.percent}</Percentuale>` : ''}${discount.amount ? `<Importo>${discount.amount}</Importo>` : ''}</ScontoMaggiorazione>`,
    )
    .join('');
  return (
    `<DettaglioLinee><NumeroLinea>${number}</NumeroLinea>${spec.kind ? `<TipoCessionePrestazione>${spec.kind}</TipoCessionePrestazione>` : ''}<Descrizione>RIGA ${number}</Descrizione>` +
    `${spec.quantity ? `<Quantita>${spec.quantity}</Quantita>` : ''}<PrezzoUnitario>${spec.unit}</PrezzoUnitario>${discounts}` +
    `<PrezzoTotale>${spec.total}</PrezzoTotale><AliquotaIVA>${spec.rate}</AliquotaIVA>${spec.withholding ? '<Ritenuta>SI</Ritenuta>' : ''}` +
    `${spec.nature ? `<Natura>${spec.nature}</Natura>` : ''}</DettaglioLinee>`
  );
}

export function summaryXml(spec: SummarySpec): string {
  return (
    `<DatiRiepilogo><AliquotaIVA>${spec.rate}</AliquotaIVA>${spec.nature ? `<Natura>${spec.nature}</Natura>` : ''}` +
    `${spec.rounding ? `<Arrotondamento>${spec.rounding}</Arrotondamento>` : ''}<ImponibileImporto>${spec.taxable}</ImponibileImporto><Imposta>${spec.tax}</Imposta>` +
    `${spec.chargeability ? `<EsigibilitaIVA>${spec.chargeability}</EsigibilitaIVA>` : ''}${spec.reference ? `<RiferimentoNormativo>${spec.reference}</RiferimentoNormativo>` : ''}</DatiRiepilogo>`
  );
}

/** Replaces the lines and summaries of body `body` (1-based) with these. */
export function withGoods(invoice: InvoiceEdit, lines: LineSpec[], summaries: SummarySpec[], body = 1): InvoiceEdit {
  const path = `${BODY}[${body}]/DatiBeniServizi`;
  const goods = invoice.get(path);
  goods.children = [];
  return invoice.insert(path, `${lines.map((line, index) => lineXml(line, index + 1)).join('')}${summaries.map(summaryXml).join('')}`);
}

/** Inserts elements into DatiGeneraliDocumento at their schema place (`after` the named ones). */
export function intoDocument(invoice: InvoiceEdit, xml: string, after: string[], body = 1): InvoiceEdit {
  return invoice.insert(`${BODY}[${body}]/DatiGenerali/DatiGeneraliDocumento`, xml, { after });
}

export const AFTER_NUMERO = ['TipoDocumento', 'Divisa', 'Data', 'Numero'];
export const AFTER_RITENUTA = [...AFTER_NUMERO, 'DatiRitenuta'];
export const AFTER_BOLLO = [...AFTER_RITENUTA, 'DatiBollo'];
export const AFTER_CASSA = [...AFTER_BOLLO, 'DatiCassaPrevidenziale'];

export function preflight(invoice: InvoiceEdit | string, today = TODAY): PreflightIssue[] {
  const xml = invoice.toString();
  return preflightFatturaPa(parseXml(xml), { fileName: GOOD_NAME, size: Buffer.byteLength(xml), history: null, today });
}

/** [severity, code, sdiCode, path] of each issue: what most assertions compare. */
export function findings(issues: PreflightIssue[]): [string, string, string | undefined, string | undefined][] {
  return issues.map((issue) => [issue.severity, issue.code, issue.sdiCode, issue.path]);
}

/** No issue at all: the valid look-alike passes. */
export function expectClean(invoice: InvoiceEdit | string, today = TODAY): void {
  const issues = preflight(invoice, today);
  expect(issues.map((issue) => `${issue.code} ${issue.path ?? ''}: ${issue.message.en}`)).toEqual([]);
}

/** Exactly these [code, sdiCode, path] errors; each message bilingual and naming its SDI code. */
export function expectErrors(invoice: InvoiceEdit | string, expected: [string, string, string][], today = TODAY): PreflightIssue[] {
  const issues = preflight(invoice, today);
  expect(issues.map((issue) => [issue.code, issue.sdiCode, issue.path])).toEqual(expected);
  for (const issue of issues) {
    expect(issue.severity).toBe('error');
    expect(issue.message.it).toContain(`errore ${issue.sdiCode}`);
    expect(issue.message.en).toContain(`error ${issue.sdiCode}`);
    expect(issue.message.it).not.toBe(issue.message.en);
  }
  return issues;
}
