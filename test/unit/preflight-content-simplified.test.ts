// Simplified invoices (FSM10): SDI accepts them, preflight applies the rules that concern them:
// the 400 euro limit (00460, which FPR12/FPA12 invoices do not have), the date (00403) and the
// number (00425).
import { describe, expect, it } from 'vitest';
import { preflight } from '../helpers/preflight-content.ts';
import type { PreflightIssue } from '../../src/core/inspect/preflight/types.ts';

const BODY = 'FatturaElettronicaBody';

function fsm(options: { amounts?: string[]; date?: string; number?: string; regime?: string; corrects?: boolean; type?: string } = {}): string {
  const goods = (options.amounts ?? ['122.00'])
    .map(
      (amount, index) =>
        `<DatiBeniServizi><Descrizione>VOCE ${index + 1}</Descrizione><Importo>${amount}</Importo><DatiIVA><Aliquota>22.00</Aliquota></DatiIVA></DatiBeniServizi>`,
    )
    .join('');
  const corrects = options.corrects
    ? '<DatiFatturaRettificata><NumeroFR>S-1</NumeroFR><DataFR>2025-01-10</DataFR><ElementiRettificati>IMPORTO</ElementiRettificati></DatiFatturaRettificata>'
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<p:FatturaElettronicaSemplificata versione="FSM10" xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.0">
  <FatturaElettronicaHeader>
    <DatiTrasmissione><IdTrasmittente><IdPaese>IT</IdPaese><IdCodice>01234567897</IdCodice></IdTrasmittente><ProgressivoInvio>S0001</ProgressivoInvio><FormatoTrasmissione>FSM10</FormatoTrasmissione><CodiceDestinatario>ABC1234</CodiceDestinatario></DatiTrasmissione>
    <CedentePrestatore><IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>01234567897</IdCodice></IdFiscaleIVA><Denominazione>BAR CENTRALE SRL</Denominazione><Sede><Indirizzo>VIA ROMA 1</Indirizzo><CAP>00100</CAP><Comune>ROMA</Comune><Nazione>IT</Nazione></Sede><RegimeFiscale>${options.regime ?? 'RF01'}</RegimeFiscale></CedentePrestatore>
    <CessionarioCommittente><IdentificativiFiscali><CodiceFiscale>RSSMRA85T10A562S</CodiceFiscale></IdentificativiFiscali></CessionarioCommittente>
  </FatturaElettronicaHeader>
  <FatturaElettronicaBody>
    <DatiGenerali><DatiGeneraliDocumento><TipoDocumento>${options.type ?? 'TD07'}</TipoDocumento><Divisa>EUR</Divisa><Data>${options.date ?? '2025-03-20'}</Data><Numero>${options.number ?? 'S-18'}</Numero></DatiGeneraliDocumento>${corrects}</DatiGenerali>
    ${goods}
  </FatturaElettronicaBody>
</p:FatturaElettronicaSemplificata>`;
}

const codes = (xml: string) => preflight(xml).map((issue) => issue.code);

/** These errors, then the usual warning that the structure of a simplified invoice is not checked. */
function expectErrors(xml: string, expected: [string, string, string][]): PreflightIssue[] {
  const issues = preflight(xml);
  expect(issues.map((issue) => [issue.code, issue.sdiCode, issue.path])).toEqual([...expected, ['simplified_not_checked', undefined, undefined]]);
  for (const issue of issues.slice(0, -1)) expect(issue.message.en).toContain(`(error ${issue.sdiCode})`);
  return issues;
}

describe('00460: a simplified invoice is at most 400 euro', () => {
  it('400.01 in two items is refused, with the total', () => {
    const [issue] = expectErrors(fsm({ amounts: ['200.00', '200.01'] }), [['simplified_over_limit', '00460', `${BODY}/DatiBeniServizi`]]);
    expect(issue?.message.en).toContain('Simplified invoice of 400.01 euro');
  });

  it('exactly 400.00 passes', () => {
    expect(codes(fsm({ amounts: ['300.00', '100.00'] }))).toEqual(['simplified_not_checked']);
  });

  it('a correcting document (DatiFatturaRettificata, TD08) and flat-rate sellers (RF19, RF20) have no limit', () => {
    expect(codes(fsm({ amounts: ['900.00'], corrects: true, type: 'TD08' }))).toEqual(['simplified_not_checked']);
    expect(codes(fsm({ amounts: ['900.00'], regime: 'RF19' }))).toEqual(['simplified_not_checked']);
    expect(codes(fsm({ amounts: ['900.00'], regime: 'RF20' }))).toEqual(['simplified_not_checked']);
  });
});

describe('00403 and 00425 on simplified invoices', () => {
  it('a future date and a number without digits are refused', () => {
    expectErrors(fsm({ date: '2025-06-17', number: 'S' }), [
      ['date_in_future', '00403', `${BODY}/DatiGenerali/DatiGeneraliDocumento/Data`],
      ['number_without_digit', '00425', `${BODY}/DatiGenerali/DatiGeneraliDocumento/Numero`],
    ]);
  });
});
