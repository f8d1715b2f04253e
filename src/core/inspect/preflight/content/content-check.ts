// SDI's content rules ("verifica di coerenza sul contenuto", the 004xx codes of its NS receipts),
// checked here so that an invoice SDI would reject is never sent. Each body of a batch is checked
// on its own. docs/preflight.md lists every SDI code: checked, warned, or not checkable here.
import type { XmlElement } from '../../../xml/safe-xml.ts';
import { BUYER_DATA, DATI_TRASMISSIONE, SELLER_DATA, fiscalIdAt, textOf } from '../fatturapa-paths.ts';
import type { PreflightIssue } from '../types.ts';
import { checkAmounts } from './amounts.ts';
import { checkDocument } from './document.ts';
import { checkDocumentType, checkParties } from './document-types.ts';
import { readBodies } from './invoice-body.ts';
import type { HeaderFacts, RuleContext } from './rule-kit.ts';
import { checkSummaryMatch } from './summary-match.ts';
import { checkVatNature } from './vat-nature.ts';
import { checkWithholding } from './withholding-fund.ts';

function headerFacts(root: XmlElement): HeaderFacts {
  return {
    sellerVat: fiscalIdAt(root, SELLER_DATA),
    sellerCf: textOf(root, `${SELLER_DATA}/CodiceFiscale`),
    buyerVat: fiscalIdAt(root, BUYER_DATA),
    buyerCf: textOf(root, `${BUYER_DATA}/CodiceFiscale`),
    recipientCode: textOf(root, `${DATI_TRASMISSIONE}/CodiceDestinatario`),
  };
}

/** `today`: the day SDI would receive the invoice, YYYY-MM-DD in Europe/Rome (rome-date.ts). */
export function checkContent(root: XmlElement, today: string): PreflightIssue[] {
  const header = headerFacts(root);
  const crossBorder = header.recipientCode === 'XXXXXXX' || (header.sellerVat !== null && header.sellerVat.country !== 'IT');
  const bodies = readBodies(root);
  const issues = checkParties(header);
  for (const body of bodies) {
    const context: RuleContext = { body, batch: bodies.length > 1, header, crossBorder };
    issues.push(
      ...checkDocument(context, today),
      ...checkDocumentType(context),
      ...checkVatNature(context),
      ...checkSummaryMatch(context),
      ...checkAmounts(context),
      ...checkWithholding(context),
    );
  }
  return issues;
}
