// The human sentence (English) that goes with each status change in the event feed.
import type { DocumentRow } from '../store/documents-repository.ts';
import type { SdiStep } from './sdi-plan.ts';

export function stepMessage(document: Pick<DocumentRow, 'plan' | 'sdiId' | 'sdiFileName'>, step: SdiStep): string {
  const isPA = document.plan.recipient.code.length === 6;
  switch (step.kind) {
    case 'processing':
      return document.plan.documentKind === 'pdf' ? 'The hub is converting the PDF to FatturaPA.' : 'The hub is checking the document.';
    case 'sent':
      return `Sent to SDI as ${document.sdiFileName ?? '?'} (SDI id ${document.sdiId ?? '?'}).`;
    case 'failed':
      return step.reason;
    case 'paid':
      return 'The buyer paid the invoice (sandbox).';
    case 'notification':
      switch (step.type) {
        case 'RC':
          return 'Delivered to the recipient (RC).';
        case 'MC':
          return isPA
            ? 'Not delivered yet (MC): SDI keeps trying to reach the public administration.'
            : "Not delivered (MC): the invoice is issued and available in the buyer's cassetto fiscale; do not send it again.";
        case 'NS': {
          const errors = (step.errors ?? []).map((error) => `${error.code} ${error.description}`).join('; ');
          return `Rejected by SDI (NS): ${errors}. The invoice is not issued: fix it and send it again under a new file name.`;
        }
        case 'NE':
          return step.esito === 'EC02'
            ? `Refused by the public administration (NE EC02): ${step.description ?? 'no reason given'}.`
            : 'Accepted by the public administration (NE EC01).';
        case 'DT':
          return 'Terms expired (DT): the public administration did not answer within 15 days of delivery.';
        case 'AT':
          return 'Undeliverable (AT): the public administration could not be reached; SDI attests the transmission.';
      }
  }
}
