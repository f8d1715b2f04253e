// Decides, from the uploaded bytes, what the simulated SDI will do (see magic-values.ts).
import { checkFatturaPA } from './fatturapa-check.ts';
import { fatturaPASteps, pdfSteps, rejectedSteps } from './magic-values.ts';
import { extractSignedXml } from './p7m-extract.ts';
import type { SdiPlan } from './sdi-plan.ts';

export type UploadKind = 'xml' | 'pdf' | 'p7m';

const UNKNOWN_RECIPIENT = { code: '0000000', description: 'Destinatario non determinato' };

export function planDocument(kind: UploadKind, bytes: Buffer): SdiPlan {
  if (kind === 'pdf') {
    return {
      documentKind: 'pdf',
      transmittedExtension: '.xml',
      recipient: { code: '0000000', description: 'Destinatario indicato nel PDF convertito' },
      steps: pdfSteps(bytes),
    };
  }
  const transmittedExtension = kind === 'p7m' ? '.xml.p7m' : '.xml';
  const documentKind = kind === 'p7m' ? 'p7m' : 'fatturapa';
  const xml = kind === 'p7m' ? extractSignedXml(bytes) : bytes;
  if (!xml) {
    return { documentKind, transmittedExtension, recipient: UNKNOWN_RECIPIENT, steps: rejectedSteps('00102', 'fattura non trovata nella busta P7M') };
  }
  const check = checkFatturaPA(xml);
  if (!check.ok) {
    return { documentKind, transmittedExtension, recipient: UNKNOWN_RECIPIENT, steps: rejectedSteps('00200', check.problem) };
  }
  const { header } = check;
  return {
    documentKind,
    transmittedExtension,
    recipient: { code: header.codiceDestinatario, description: header.buyerName },
    ...(header.firstInvoice ? { invoice: header.firstInvoice } : {}),
    steps: fatturaPASteps(header),
  };
}
