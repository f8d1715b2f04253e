// Texts of enrollment by activation code (the first-run card, the key expiry banner, "Enroll
// again"), in Italian and English. The refusals' texts are the contract's (ENROLL_REFUSAL_TEXT), so
// the UI and the CLI say the same.
import type { Language } from './language.ts';

export interface EnrollMessages {
  title: string;
  againTitle: string;
  intro: string;
  codeField: string;
  codeHint: string;
  deviceField: string;
  deviceHint: string;
  submit: string;
  busy: string;
  cancel: string;
  doneTitle: string;
  done(device: string, account: string): string;
  companies: string;
  noCompanies: string;
  keyUntil(date: string): string;
  keyNoExpiry: string;
  keyKept: string;
  close: string;
  again: string;
  soonTitle(days: number): string;
  soonHelp(date: string): string;
  expiredTitle(date: string): string;
  expiredHelp: string;
}

const it: EnrollMessages = {
  title: 'Attiva questo computer',
  againTitle: 'Attiva di nuovo questo computer',
  intro:
    "Inserisci il codice di attivazione ricevuto dal fornitore dell'hub. Recapito lo scambia con la chiave API, che resta custodita su questo computer e non viene mai mostrata.",
  codeField: 'Codice di attivazione',
  codeHint: 'Vale una sola volta e per un tempo limitato.',
  deviceField: 'Nome del computer',
  deviceHint: "Come l'hub elencherà questo computer.",
  submit: 'Attiva',
  busy: 'Attivazione in corso…',
  cancel: 'Annulla',
  doneTitle: 'Computer attivato',
  done: (device, account) => `Questo computer («${device}») ora invia per ${account}.`,
  companies: 'Aziende del contratto',
  noCompanies: "Le aziende saranno mostrate al prossimo controllo dell'account.",
  keyUntil: (date) => `Chiave API valida fino al ${date}.`,
  keyNoExpiry: 'Chiave API senza scadenza.',
  keyKept: 'La chiave è custodita su questo computer e non viene mostrata.',
  close: 'Fatto',
  again: 'Attiva di nuovo',
  soonTitle: (days) => (days === 1 ? 'La chiave API scade entro un giorno' : `La chiave API scade tra ${days} giorni`),
  soonHelp: (date) =>
    `Dal ${date} l'hub non la accetterà più e l'invio si fermerà. Chiedi al fornitore un nuovo codice di attivazione e attiva di nuovo questo computer: i documenti non vanno persi.`,
  expiredTitle: (date) => `La chiave API è scaduta il ${date}`,
  expiredHelp: "L'hub non la accetta più: chiedi al fornitore un nuovo codice di attivazione e attiva di nuovo questo computer. I documenti restano in coda.",
};

const en: EnrollMessages = {
  title: 'Activate this computer',
  againTitle: 'Activate this computer again',
  intro: 'Enter the activation code your hub provider sent you. Recapito exchanges it for the API key, which stays on this computer and is never shown.',
  codeField: 'Activation code',
  codeHint: 'It works once, for a limited time.',
  deviceField: 'Computer name',
  deviceHint: 'How the hub will list this computer.',
  submit: 'Activate',
  busy: 'Activating…',
  cancel: 'Cancel',
  doneTitle: 'Computer activated',
  done: (device, account) => `This computer ("${device}") now sends for ${account}.`,
  companies: 'Companies of the account',
  noCompanies: 'The companies will show at the next account check.',
  keyUntil: (date) => `API key valid until ${date}.`,
  keyNoExpiry: 'API key with no expiry.',
  keyKept: 'The key is kept on this computer and never shown.',
  close: 'Done',
  again: 'Activate again',
  soonTitle: (days) => (days === 1 ? 'The API key expires within a day' : `The API key expires in ${days} days`),
  soonHelp: (date) =>
    `From ${date} the hub will refuse it and sending will stop. Ask your provider for a new activation code and activate this computer again: no document is lost.`,
  expiredTitle: (date) => `The API key expired on ${date}`,
  expiredHelp: 'The hub refuses it now: ask your provider for a new activation code and activate this computer again. Documents stay queued.',
};

export const ENROLL_MESSAGES: Readonly<Record<Language, EnrollMessages>> = { it, en };
