// Decides, from the uploaded bytes, what the simulated SDI will do: its format check, then SDI's
// content rules (sdi-content-rules.ts), then the delivery rules and magic values (magic-values.ts).
import { checkFatturaPA } from './fatturapa-check.ts';
import { failedSteps, fatturaPASteps, pdfSteps, rejectedSteps, rejectedWith } from './magic-values.ts';
import { extractSignedXml } from './p7m-extract.ts';
import { sdiContentErrors } from './sdi-content-rules.ts';
import type { SdiPlan } from './sdi-plan.ts';

export type UploadKind = 'xml' | 'pdf' | 'p7m';

const UNKNOWN_RECIPIENT = { code: '0000000', description: 'Destinatario non determinato' };

/** `receivedAt`: when the hub accepted the file (the day SDI receives it, for the date rule 00403). */
export function planDocument(kind: UploadKind, bytes: Buffer, receivedAt: Date): SdiPlan {
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
    return { documentKind, transmittedExtension, recipient: UNKNOWN_RECIPIENT, steps: rejectedSteps(check.code, check.problem) };
  }
  const { header } = check;
  const plan = {
    documentKind,
    transmittedExtension,
    recipient: { code: header.codiceDestinatario, description: header.buyerName },
    ...(header.firstInvoice ? { invoice: header.firstInvoice } : {}),
  } as const;
  let errors;
  try {
    errors = sdiContentErrors(check.root, header.formato, receivedAt);
  } catch (error) {
    // The rules expect a schema-valid file and the sandbox does not validate against the XSD: a
    // tree they cannot read is a sandbox limit, shown as such rather than as a made-up SDI answer.
    return { ...plan, steps: failedSteps(`The sandbox hub could not apply SDI's content rules to this document: ${(error as Error).message}`) };
  }
  return { ...plan, steps: errors.length > 0 ? rejectedWith(errors) : fatturaPASteps(header) };
}
