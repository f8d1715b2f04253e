// SDI's rules on what an invoice says (recipient, duplicates in a batch, the 004xx content rules),
// applied by the simulated SDI to a file that passed its format check (fatturapa-check.ts). They are
// the agent's preflight rules themselves (src/core/inspect/preflight/): one copy, so a document the
// agent would refuse is rejected here with the same SDI codes when it reaches the hub another way (an
// SFTP client writing into in/, the agent with intake.preflight "warn"), and a document preflight
// passes is never rejected here. Each code becomes one ListaErrori entry with SDI's own description.
// Warnings that carry an SDI code (a VAT number's check digit, 00301) stay out: SDI decides those with
// its registers, which the sandbox does not have.
import type { HubError } from '../../contract/hub-protocol.ts';
import type { XmlElement } from '../../core/xml/safe-xml.ts';
import { checkContent } from '../../core/inspect/preflight/content/content-check.ts';
import { romeDate } from '../../core/inspect/preflight/content/rome-date.ts';
import { checkSimplified } from '../../core/inspect/preflight/content/simplified.ts';
import { checkHistory } from '../../core/inspect/preflight/history-check.ts';
import { checkRecipient } from '../../core/inspect/preflight/recipient-check.ts';
import type { PreflightIssue } from '../../core/inspect/preflight/types.ts';
import type { FormatoTrasmissione } from './fatturapa-check.ts';
import { sdiErrorDescription } from './sdi-error-codes.ts';

/** MessaggiTypes v1.1 allows at most 200 Errore in one ListaErrori. */
const MAX_ERRORS = 200;

function findings(root: XmlElement, formato: FormatoTrasmissione, today: string): PreflightIssue[] {
  // A simplified invoice (FSM10) has its own structure: only its own rules apply (date, number,
  // the 400 euro limit), as in preflight.
  if (formato === 'FSM10') return [...checkHistory(root, null), ...checkSimplified(root, today)];
  return [...checkRecipient(root), ...checkHistory(root, null), ...checkContent(root, today)];
}

/**
 * The SDI errors of a FatturaPA that passed the format check, one per code in the order found; empty
 * when SDI would accept it. `receivedAt`: when SDI receives the file (an invoice dated after that day
 * in Rome is refused, 00403).
 */
export function sdiContentErrors(root: XmlElement, formato: FormatoTrasmissione, receivedAt: Date): HubError[] {
  const codes = new Set<string>();
  for (const issue of findings(root, formato, romeDate(receivedAt))) {
    if (issue.severity === 'error' && issue.sdiCode) codes.add(issue.sdiCode);
  }
  return [...codes].slice(0, MAX_ERRORS).map((code) => ({ code, description: sdiErrorDescription(code) }));
}
