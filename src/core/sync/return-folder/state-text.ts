// The state of a document said for a person, in Italian and English. States an SDI notification
// leads to are worded by explainNotification (from the notification itself when there is one).
import type { DocumentState } from '../../../contract/states.ts';

export interface StateText {
  it: string;
  en: string;
}

const TEXTS: Record<DocumentState, StateText> = {
  captured: { it: 'Acquisita: registrata, sta per essere controllata.', en: 'Captured: recorded, about to be checked.' },
  invalid: {
    it: "Non valida: rifiutata prima dell'invio. Correggi il file e rilascialo di nuovo.",
    en: 'Invalid: refused before sending. Fix the file and drop it again.',
  },
  duplicate: {
    it: 'Doppione: lo stesso file era già stato acquisito; non viene inviato di nuovo.',
    en: 'Duplicate: the same file was already captured; it is not sent again.',
  },
  awaiting_approval: {
    it: "In attesa di approvazione: sarà inviata quando una persona l'avrà approvata.",
    en: 'Awaiting approval: it is sent once a person approves it.',
  },
  declined: {
    it: "Non approvata: una persona ha rifiutato l'invio (il motivo è indicato). Non è stata inviata.",
    en: 'Declined: a person refused to send it (the reason is given). It was not sent.',
  },
  queued: { it: "In coda: in attesa di essere inviata all'hub.", en: 'Queued: waiting to be sent to the hub.' },
  sending: { it: "In invio all'hub.", en: 'Sending to the hub.' },
  held: {
    it: 'In attesa: la coda è sospesa; riparte da sola quando la causa è risolta.',
    en: 'Held: the queue is on hold; it resumes by itself once the cause is cleared.',
  },
  failed: { it: "Non riuscita: l'hub l'ha rifiutata.", en: 'Failed: the hub refused it.' },
  cancelled: { it: 'Annullata da un utente: non è stata inviata.', en: 'Cancelled by a user: it was not sent.' },
  received: { it: "Ricevuta dall'hub.", en: 'Received by the hub.' },
  processing: { it: "In lavorazione presso l'hub (conversione, firma, controlli).", en: 'Being processed by the hub (conversion, signature, checks).' },
  sent: { it: "Trasmessa a SDI: si attende l'esito.", en: 'Transmitted to SDI: waiting for the outcome.' },
  delivered: { it: 'Consegnata.', en: 'Delivered.' },
  not_delivered: { it: 'Emessa ma non consegnata: non reinviarla.', en: 'Issued but not delivered: do not resend it.' },
  rejected: { it: 'Scartata da SDI: non è stata emessa.', en: 'Rejected by SDI: it was not issued.' },
  accepted: { it: 'Accettata dalla pubblica amministrazione.', en: 'Accepted by the public administration.' },
  refused: { it: 'Rifiutata dalla pubblica amministrazione.', en: 'Refused by the public administration.' },
  expired: {
    it: 'Decorrenza termini: la pubblica amministrazione non ha risposto entro 15 giorni.',
    en: 'Deadline passed: the public administration did not answer within 15 days.',
  },
  undeliverable: {
    it: 'Non recapitabile alla pubblica amministrazione: attestazione di avvenuta trasmissione.',
    en: 'Undeliverable to the public administration: attestation of transmission.',
  },
  paid: { it: "Pagata: l'hub segnala che il cliente ha pagato.", en: 'Paid: the hub reports that the buyer paid.' },
};

/** The plain wording of a state, with the reason (in English, as the agent records it) when there is one. */
export function plainStateText(state: DocumentState, reason: string | null): StateText {
  const text = TEXTS[state];
  if (!reason) return text;
  return { it: `${text.it} Motivo: ${reason}`, en: `${text.en} Reason: ${reason}` };
}
