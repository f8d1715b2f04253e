// What a notification means for the invoice it is about: the state it leads to and a text a
// person understands, in Italian and English (docs/return-folder.md, docs/states.md).
import type { DocumentState } from '../../../contract/states.ts';
import type { SdiError, SdiNotification } from './notification-types.ts';
import { hintForSdiError } from './sdi-error-hints.ts';
import { formatSdiTime } from './sdi-time.ts';

export type InvoiceFormat = 'FPA12' | 'FPR12' | 'FSM10';

export interface NotificationExplanation {
  /** The document state the notification leads to; null for recipient-side messages (MT, EC, SE). */
  state: DocumentState | null;
  text: { it: string; en: string };
}

type Text = NotificationExplanation['text'];

export function explainNotification(n: SdiNotification, formato: InvoiceFormat | null): NotificationExplanation {
  const toPa = formato === 'FPA12';
  switch (n.type) {
    case 'RC':
      return { state: 'delivered', text: delivered(n, toPa) };
    case 'NS':
      return { state: 'rejected', text: rejected(n.errors) };
    case 'MC':
      return { state: 'not_delivered', text: toPa ? notDeliveredToPa(n) : notDeliveredB2b(n) };
    case 'NE':
      return n.esito === 'EC02' ? { state: 'refused', text: refused(n) } : { state: 'accepted', text: accepted(n) };
    case 'DT':
      return { state: 'expired', text: expired() };
    case 'AT':
      return { state: 'undeliverable', text: undeliverable(n) };
    case 'MT':
      return { state: null, text: recipientMetadata(n) };
    case 'EC':
      return { state: null, text: recipientOutcome(n) };
    case 'SE':
      return { state: null, text: outcomeDiscarded(n) };
  }
}

function delivered(n: SdiNotification, toPa: boolean): Text {
  const to = n.recipient ? ` ${n.recipient}` : '';
  const it = `Consegnata: SDI ha recapitato la fattura ${toPa ? 'alla pubblica amministrazione' : 'al cliente'}${to}${when(n.deliveredAt, 'it', ' il ')}.`;
  const en = `Delivered: SDI delivered the invoice to the ${toPa ? 'public administration' : 'buyer'}${to}${when(n.deliveredAt, 'en', ' on ')}.`;
  if (!toPa) return { it, en };
  return {
    it: `${it} La pubblica amministrazione ha 15 giorni per accettarla o rifiutarla.`,
    en: `${en} The public administration has 15 days to accept or refuse it.`,
  };
}

function rejected(errors: SdiError[]): Text {
  const list = (language: 'it' | 'en'): string =>
    errors.length === 0
      ? language === 'it'
        ? 'SDI non ha indicato il motivo'
        : 'SDI gave no reason'
      : errors.map((error) => describeError(error, language)).join('; ');
  // "Fattura duplicata": the invoice itself may already be issued, so a resend is not the answer.
  const duplicate = errors.length > 0 && errors.every((error) => error.code === '00404');
  const todo = duplicate
    ? {
        it: 'Cosa fare: non reinviarla prima di aver verificato se la fattura è già stata emessa con un altro file.',
        en: 'What to do: do not send it again before checking whether the invoice was already issued in another file.',
      }
    : {
        it: 'Cosa fare: correggi la fattura e inviala di nuovo con un NUOVO nome file (di norma entro 5 giorni, con lo stesso numero e la stessa data).',
        en: 'What to do: fix the invoice and send it again under a NEW file name (normally within 5 days, with the same number and date).',
      };
  return {
    it: `Scartata: SDI ha scartato la fattura, che NON è stata emessa. Errori: ${list('it')}. ${todo.it}`,
    en: `Rejected: SDI rejected the invoice; it was NOT issued. Errors: ${list('en')}. ${todo.en}`,
  };
}

function describeError(error: SdiError, language: 'it' | 'en'): string {
  const advice = error.suggestion ?? hintForSdiError(error.code)?.[language] ?? null;
  return `${error.code} ${error.description}${advice ? ` — ${advice}` : ''}`;
}

function notDeliveredB2b(n: SdiNotification): Text {
  const detail = n.description ? ` (${n.description})` : '';
  return {
    it:
      'Emessa: la fattura è disponibile nel cassetto fiscale del cliente — non reinviarla. ' +
      `SDI non ha potuto recapitarla al cliente${detail}: avvisalo che la trova nella sua area riservata dell'Agenzia delle Entrate.`,
    en:
      "Issued: the invoice is available in the buyer's cassetto fiscale — do not resend it. " +
      `SDI could not deliver it to the buyer${detail}: tell them it is in their reserved area at the Agenzia delle Entrate.`,
  };
}

function notDeliveredToPa(n: SdiNotification): Text {
  const detail = n.description ? ` (${n.description})` : '';
  return {
    it:
      `Non ancora consegnata: SDI non è riuscito a recapitare la fattura alla pubblica amministrazione${detail} e continua a provare; ` +
      "se non ci riesce invierà un'attestazione di avvenuta trasmissione (AT). Non reinviarla.",
    en:
      `Not delivered yet: SDI could not deliver the invoice to the public administration${detail} and keeps trying; ` +
      'if it cannot, it sends an attestation of transmission (AT). Do not resend it.',
  };
}

function accepted(n: SdiNotification): Text {
  const note = n.description ? ` Nota della PA: ${n.description}` : '';
  const noteEn = n.description ? ` The PA's note: ${n.description}` : '';
  return {
    it: `Accettata: la pubblica amministrazione ha accettato la fattura.${note}`,
    en: `Accepted: the public administration accepted the invoice.${noteEn}`,
  };
}

function refused(n: SdiNotification): Text {
  return {
    it:
      `Rifiutata dalla pubblica amministrazione: ${n.description ?? 'motivo non indicato'}. ` +
      "La fattura resta emessa: chiarisci il motivo con l'ufficio e, se serve, emetti una nota di credito.",
    en:
      `Refused by the public administration: ${n.description ?? 'no reason given'}. ` +
      'The invoice remains issued: clear up the reason with the office and, if needed, issue a credit note.',
  };
}

function expired(): Text {
  return {
    it: 'Decorrenza termini: la pubblica amministrazione non ha risposto entro 15 giorni dalla consegna. La fattura resta emessa e consegnata; per SDI il procedimento è chiuso.',
    en: 'Deadline passed: the public administration did not answer within 15 days of delivery. The invoice remains issued and delivered; for SDI the matter is closed.',
  };
}

function undeliverable(n: SdiNotification): Text {
  const to = n.recipient ? ` ${n.recipient}` : '';
  return {
    it:
      `Non recapitabile: SDI non è riuscito a consegnare la fattura alla pubblica amministrazione${to} e ha rilasciato l'attestazione di avvenuta trasmissione. ` +
      "La fattura è emessa: non reinviarla; inoltra all'ufficio la fattura insieme a questa attestazione.",
    en:
      `Undeliverable: SDI could not deliver the invoice to the public administration${to} and issued an attestation of transmission. ` +
      'The invoice is issued: do not resend it; forward the invoice with this attestation to the office.',
  };
}

function recipientMetadata(n: SdiNotification): Text {
  const file = n.nomeFile ? ` ${n.nomeFile}` : '';
  return {
    it: `Metadati di una fattura ricevuta${file} (lato destinatario): accompagnano una fattura in arrivo e non cambiano lo stato di una fattura inviata.`,
    en: `Metadata of a received invoice${file} (recipient side): they come with an incoming invoice and do not change the state of a sent one.`,
  };
}

function recipientOutcome(n: SdiNotification): Text {
  const outcome = n.esito === 'EC02' ? { it: 'EC02, rifiuto', en: 'EC02, refusal' } : { it: 'EC01, accettazione', en: 'EC01, acceptance' };
  return {
    it: `Esito committente (${outcome.it}) inviato da chi ha ricevuto la fattura (lato destinatario); a chi l'ha inviata SDI lo comunica con la notifica di esito (NE).`,
    en: `Buyer's outcome (${outcome.en}) sent by the party that received the invoice (recipient side); SDI tells the sender through the outcome notification (NE).`,
  };
}

function outcomeDiscarded(n: SdiNotification): Text {
  const error = n.errors[0];
  const detail = error ? ` (${error.code} ${error.description})` : '';
  return {
    it: `Scarto esito committente: SDI ha scartato l'esito inviato dal destinatario${detail}; riguarda il lato destinatario e non cambia lo stato della fattura.`,
    en: `Outcome discarded: SDI discarded the outcome the recipient sent${detail}; this is recipient side and does not change the invoice's state.`,
  };
}

function when(value: string | null, language: 'it' | 'en', prefix: string): string {
  const formatted = formatSdiTime(value, language);
  return formatted ? `${prefix}${formatted}` : '';
}
