// Deterministic outcomes of the simulated SDI, chosen by documented magic values (docs/sandbox-hub.md),
// the way payment sandboxes use test card numbers. Everything else follows the ordinary SDI rules.
import type { HubError } from '../../contract/hub-protocol.ts';
import type { FatturaPAHeader } from './fatturapa-check.ts';
import { sdiErrorDescription } from './sdi-error-codes.ts';
import type { SdiStep } from './sdi-plan.ts';

/** In any uploaded document's bytes: the hub refuses the upload itself with 422 document_refused. */
export const REFUSE_422_MARKER = 'SANDBOX-REFUSE-422';

/** In a PDF's bytes (uncompressed): the outcome of the hub's "conversion" and SDI. */
const PDF_MARKERS = {
  reject: 'SANDBOX-REJECT',
  notDelivered: 'SANDBOX-NOT-DELIVERED',
  fail: 'SANDBOX-FAIL',
  paid: 'SANDBOX-PAID',
} as const;

/** CodiceDestinatario values with a scripted outcome. */
const B2B_CODES = { notDelivered: 'SBXMC00', paid: 'SBXPAID', fail: 'SBXFAIL' } as const;
const PA_CODES = { refused: 'SBXEC2', expired: 'SBXDT0', undeliverable: 'SBXAT0', paid: 'SBXPAY' } as const;
/** `NS` + 5 digits (FPR12) or `NS` + 4 digits (FPA12, code 0dddd): rejected with that SDI error code. */
const B2B_NS_CODE = /^NS(\d{5})$/;
const PA_NS_CODE = /^NS(\d{4})$/;

const NO_CHANNEL = '0000000';
const FOREIGN_BUYER = 'XXXXXXX';

const head: SdiStep[] = [
  { kind: 'processing', delay: 'processing' },
  { kind: 'sent', delay: 'sent' },
];

export function rejectedSteps(code: string, detail?: string): SdiStep[] {
  return rejectedWith([{ code, description: sdiErrorDescription(code, detail) }]);
}

/** An NS whose ListaErrori lists these errors. */
export function rejectedWith(errors: HubError[]): SdiStep[] {
  return [...head, { kind: 'notification', delay: 'outcome', type: 'NS', status: 'rejected', errors }];
}

export function failedSteps(reason: string): SdiStep[] {
  return [
    { kind: 'processing', delay: 'processing' },
    { kind: 'failed', delay: 'sent', reason },
  ];
}

function delivered(): SdiStep {
  return { kind: 'notification', delay: 'outcome', type: 'RC', status: 'delivered' };
}

function notDelivered(description: string): SdiStep {
  return { kind: 'notification', delay: 'outcome', type: 'MC', status: 'not_delivered', description };
}

const paid: SdiStep = { kind: 'paid', delay: 'paOutcome' };

/** Steps for a well-formed FatturaPA (plain or from inside a P7M). */
export function fatturaPASteps(header: FatturaPAHeader): SdiStep[] {
  const code = header.codiceDestinatario;
  const isPA = header.formato === 'FPA12';
  if (isPA !== (code.length === 6)) return rejectedSteps('00427');
  return isPA ? paSteps(code) : b2bSteps(code, header.pecDestinatario);
}

function b2bSteps(code: string, pec: string | undefined): SdiStep[] {
  const ns = B2B_NS_CODE.exec(code);
  if (ns) return rejectedSteps(ns[1] as string);
  switch (code) {
    case B2B_CODES.fail:
      return failedSteps('The sandbox hub could not process this document (magic value SBXFAIL).');
    case B2B_CODES.notDelivered:
      return [...head, notDelivered('Canale del destinatario non raggiungibile')];
    case B2B_CODES.paid:
      return [...head, delivered(), paid];
    case FOREIGN_BUYER:
      return [...head, notDelivered("Destinatario estero: fattura disponibile nell'area riservata")];
    case NO_CHANNEL:
      return pec ? [...head, delivered()] : [...head, notDelivered('Nessun canale di recapito: fattura messa a disposizione nel cassetto fiscale')];
    default:
      return [...head, delivered()];
  }
}

function paSteps(code: string): SdiStep[] {
  const ns = PA_NS_CODE.exec(code);
  if (ns) return rejectedSteps(`0${ns[1] as string}`);
  const accepted: SdiStep = { kind: 'notification', delay: 'paOutcome', type: 'NE', status: 'accepted', esito: 'EC01', description: 'Fattura accettata' };
  switch (code) {
    case PA_CODES.refused:
      return [
        ...head,
        delivered(),
        {
          kind: 'notification',
          delay: 'paOutcome',
          type: 'NE',
          status: 'refused',
          esito: 'EC02',
          description: "Fattura rifiutata: riferimenti d'ordine mancanti",
        },
      ];
    case PA_CODES.expired:
      return [
        ...head,
        delivered(),
        {
          kind: 'notification',
          delay: 'paOutcome',
          type: 'DT',
          status: 'expired',
          description: 'Decorsi 15 giorni dalla consegna senza esito del committente',
        },
      ];
    case PA_CODES.undeliverable:
      return [
        ...head,
        notDelivered('Amministrazione destinataria non raggiungibile: SDI ritenta la consegna'),
        {
          kind: 'notification',
          delay: 'paOutcome',
          type: 'AT',
          status: 'undeliverable',
          description: 'Attestazione di avvenuta trasmissione con impossibilità di recapito',
        },
      ];
    case PA_CODES.paid:
      return [...head, delivered(), accepted, paid];
    default:
      return [...head, delivered(), accepted];
  }
}

/** Steps for a PDF the hub "converts" to FatturaPA before sending. */
export function pdfSteps(bytes: Buffer): SdiStep[] {
  if (!bytes.subarray(0, 1024).includes('%PDF-')) return failedSteps('The file is not a readable PDF (no %PDF- header), so the hub could not convert it.');
  if (bytes.includes(PDF_MARKERS.fail)) return failedSteps(`The sandbox hub could not convert this PDF (marker ${PDF_MARKERS.fail}).`);
  if (bytes.includes(PDF_MARKERS.reject)) return rejectedSteps('00200', `rifiuto simulato (marcatore ${PDF_MARKERS.reject} nel PDF)`);
  if (bytes.includes(PDF_MARKERS.notDelivered)) return [...head, notDelivered('Canale del destinatario non raggiungibile')];
  if (bytes.includes(PDF_MARKERS.paid)) return [...head, delivered(), paid];
  return [...head, delivered()];
}
