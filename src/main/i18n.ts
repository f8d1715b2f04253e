// Strings of the desktop shell (tray, menu, notifications, dialogs) in Italian and English.
// Italian is the default: the product is for Italian businesses. Reasons that come from the hub or
// the core (English, technical) are shown as they are, after the localized headline.
import { DEFAULT_PRODUCT_NAME, rebrand } from '../contract/branding.ts';

export type Locale = 'it' | 'en';

export interface ShellStrings {
  appName: string;
  tray: {
    allDelivered: string;
    sending(count: number): string;
    waiting(count: number): string;
    awaitingApproval(count: number): string;
    /** Short, after another headline: "2 da approvare". */
    toApprove(count: number): string;
    paused: string;
    heldNoCredits: string;
    heldKeyInvalid: string;
    heldHostKey: string;
    heldPermissions: string;
    held(reason: string): string;
    /** Capture stopped: the data folder's disk is full (the reason says how much is needed). */
    diskFull(reason: string): string;
    noHub: string;
    hubUnreachable(detail: string | null): string;
    /** The hub down for `since`, the next probe in `next` (durations already written out, e.g. "12 min", "40 s"). */
    hubOutage(since: string, next: string | null): string;
    folderUnavailable(folder: string): string;
    serviceFailed(name: string): string;
    /** HTTPS hub, no API key yet: the computer must be activated with a code (docs/enrollment.md). */
    notEnrolled: string;
    /** The key expires within 30 days (whole days left, 1 until the last moment). */
    keyExpiresIn(days: number): string;
    keyExpired: string;
  };
  menu: {
    open: string;
    pause: string;
    resume: string;
    openDropFolder: string;
    startAtLogin: string;
    supportBundle: string;
    /** Opens the window on the documents awaiting approval. */
    approve(count: number): string;
    /** Opens the window on the activation card (no key, or a key that expires). */
    enroll: string;
    quit: string;
  };
  notifications: {
    rejectedTitle: string;
    notDeliveredTitle: string;
    notDeliveredBody(name: string): string;
    refusedTitle: string;
    failedTitle: string;
    heldNoCreditsTitle: string;
    heldNoCreditsBody: string;
    heldKeyInvalidTitle: string;
    heldKeyInvalidBody: string;
    heldHostKeyTitle: string;
    heldHostKeyBody: string;
    heldPermissionsTitle: string;
    heldPermissionsBody: string;
    heldTitle: string;
    unnamedDocument: string;
    summaryTitle(count: number): string;
    summaryBody: string;
    keyExpiringTitle(days: number): string;
    keyExpiringBody(date: string): string;
    keyExpiredTitle: string;
    keyExpiredBody: string;
  };
  dialogs: {
    startupFailedTitle: string;
    startupFailedIntro: string;
    noKeyringIntro: string;
    dropFolderTitle: string;
    supportBundleTitle: string;
    supportBundleFailed: string;
  };
}

const it: ShellStrings = {
  appName: 'Recapito',
  tray: {
    allDelivered: 'tutto consegnato',
    sending: (n) => `${n} in invio`,
    waiting: (n) => `${n} in coda`,
    awaitingApproval: (n) => (n === 1 ? '1 documento da approvare' : `${n} documenti da approvare`),
    toApprove: (n) => `${n} da approvare`,
    paused: 'Invio in pausa',
    heldNoCredits: 'In attesa: crediti esauriti',
    heldKeyInvalid: 'In attesa: chiave API non valida',
    heldHostKey: 'In attesa: chiave del server SFTP cambiata',
    heldPermissions: "In attesa: permessi insufficienti sulle cartelle dell'hub",
    held: (reason) => `In attesa: ${reason}`,
    diskFull: (reason) => `Acquisizione ferma: ${reason}`,
    noHub: 'Da configurare: nessun hub impostato',
    hubUnreachable: (detail) => (detail ? `Hub non raggiungibile (${detail})` : 'Hub non raggiungibile'),
    hubOutage: (since, next) => `Hub non raggiungibile da ${since}${next === null ? '' : `, prossimo tentativo tra ${next}`}`,
    folderUnavailable: (folder) => `Cartella non raggiungibile: ${folder}`,
    serviceFailed: (name) => `Servizio in errore: ${name}`,
    notEnrolled: 'Da attivare: serve il codice di attivazione',
    keyExpiresIn: (n) => (n === 1 ? 'la chiave API scade entro un giorno' : `la chiave API scade tra ${n} giorni`),
    keyExpired: 'Chiave API scaduta: attiva di nuovo',
  },
  menu: {
    open: 'Apri Recapito',
    pause: 'Sospendi invio',
    resume: 'Riprendi invio',
    openDropFolder: 'Apri cartella di deposito',
    startAtLogin: "Avvia all'accesso",
    supportBundle: "Crea pacchetto per l'assistenza…",
    approve: (n) => (n === 1 ? 'Approva 1 documento…' : `Approva ${n} documenti…`),
    enroll: 'Attiva questo computer…',
    quit: 'Esci',
  },
  notifications: {
    rejectedTitle: 'Fattura scartata dallo SDI',
    notDeliveredTitle: 'Fattura non consegnata',
    notDeliveredBody: (name) => `${name}: il destinatario non è raggiungibile. La fattura è nella sua area riservata (cassetto fiscale): avvisalo.`,
    refusedTitle: 'Fattura rifiutata dalla PA',
    failedTitle: 'Invio non riuscito',
    heldNoCreditsTitle: 'Invio sospeso: crediti esauriti',
    heldNoCreditsBody: "Ricarica i crediti sull'hub: i documenti restano in coda e partono da soli.",
    heldKeyInvalidTitle: 'Invio sospeso: chiave API non valida',
    heldKeyInvalidBody: 'Attiva di nuovo Recapito con un nuovo codice di attivazione, o inserisci una nuova chiave API: i documenti restano in coda.',
    heldHostKeyTitle: 'Invio sospeso: server SFTP non riconosciuto',
    heldHostKeyBody: "La chiave del server è cambiata: verificala con il fornitore dell'hub prima di accettarla. I documenti restano in coda.",
    heldPermissionsTitle: "Invio sospeso: permessi insufficienti sull'hub",
    heldPermissionsBody: "L'utente SFTP non può usare le cartelle dell'hub: verifica i permessi. I documenti restano in coda.",
    heldTitle: 'Invio sospeso',
    unnamedDocument: 'Documento',
    summaryTitle: (n) => `${n} documenti richiedono attenzione`,
    summaryBody: 'Apri Recapito per vedere i dettagli.',
    keyExpiringTitle: (n) => (n === 1 ? 'La chiave API scade entro un giorno' : `La chiave API scade tra ${n} giorni`),
    keyExpiringBody: (date) => `Dal ${date} l'hub non la accetterà più. Chiedi al fornitore un nuovo codice di attivazione e attiva di nuovo Recapito.`,
    keyExpiredTitle: 'Invio sospeso: chiave API scaduta',
    keyExpiredBody: 'Chiedi al fornitore un nuovo codice di attivazione e attiva di nuovo Recapito: i documenti restano in coda.',
  },
  dialogs: {
    startupFailedTitle: 'Recapito non può partire',
    startupFailedIntro: "Recapito non è riuscito ad avviare l'agente.",
    noKeyringIntro:
      'Recapito non trova un portachiavi di sistema in cui custodire la chiave API in modo cifrato. Sblocca o installa un portachiavi (GNOME Keyring, KWallet) e riavvia, oppure usa la modalità senza interfaccia (recapito serve) con un file dei segreti leggibile solo da te.',
    dropFolderTitle: 'Cartella di deposito',
    supportBundleTitle: "Pacchetto per l'assistenza",
    supportBundleFailed: "Il pacchetto per l'assistenza non è stato creato",
  },
};

const en: ShellStrings = {
  appName: 'Recapito',
  tray: {
    allDelivered: 'everything delivered',
    sending: (n) => `${n} sending`,
    waiting: (n) => `${n} waiting`,
    awaitingApproval: (n) => (n === 1 ? '1 document to approve' : `${n} documents to approve`),
    toApprove: (n) => `${n} to approve`,
    paused: 'Sending paused',
    heldNoCredits: 'On hold: out of credits',
    heldKeyInvalid: 'On hold: API key not valid',
    heldHostKey: 'On hold: SFTP server key changed',
    heldPermissions: 'On hold: no permission on the hub folders',
    held: (reason) => `On hold: ${reason}`,
    diskFull: (reason) => `Capture stopped: ${reason}`,
    noHub: 'Setup needed: no hub configured',
    hubUnreachable: (detail) => (detail ? `Hub unreachable (${detail})` : 'Hub unreachable'),
    hubOutage: (since, next) => `Hub unreachable for ${since}${next === null ? '' : `, next try in ${next}`}`,
    folderUnavailable: (folder) => `Folder unavailable: ${folder}`,
    serviceFailed: (name) => `Service failed: ${name}`,
    notEnrolled: 'Setup needed: enter the activation code',
    keyExpiresIn: (n) => (n === 1 ? 'the API key expires within a day' : `the API key expires in ${n} days`),
    keyExpired: 'API key expired: activate again',
  },
  menu: {
    open: 'Open Recapito',
    pause: 'Pause sending',
    resume: 'Resume sending',
    openDropFolder: 'Open drop folder',
    startAtLogin: 'Start at login',
    supportBundle: 'Create support bundle…',
    approve: (n) => (n === 1 ? 'Approve 1 document…' : `Approve ${n} documents…`),
    enroll: 'Activate this computer…',
    quit: 'Quit',
  },
  notifications: {
    rejectedTitle: 'Invoice rejected by SDI',
    notDeliveredTitle: 'Invoice not delivered',
    notDeliveredBody: (name) => `${name}: the recipient could not be reached. The invoice is in their reserved area (cassetto fiscale): let them know.`,
    refusedTitle: 'Invoice refused by the public administration',
    failedTitle: 'Sending failed',
    heldNoCreditsTitle: 'Sending on hold: out of credits',
    heldNoCreditsBody: 'Top up your credits at the hub: documents stay queued and leave by themselves.',
    heldKeyInvalidTitle: 'Sending on hold: API key not valid',
    heldKeyInvalidBody: 'Activate Recapito again with a new activation code, or enter a new API key: documents stay queued.',
    heldHostKeyTitle: 'Sending on hold: SFTP server not recognised',
    heldHostKeyBody: "The server's key changed: check it with your hub provider before accepting it. Documents stay queued.",
    heldPermissionsTitle: 'Sending on hold: no permission at the hub',
    heldPermissionsBody: 'The SFTP user cannot use the hub folders: check the permissions. Documents stay queued.',
    heldTitle: 'Sending on hold',
    unnamedDocument: 'Document',
    summaryTitle: (n) => `${n} documents need attention`,
    summaryBody: 'Open Recapito to see the details.',
    keyExpiringTitle: (n) => (n === 1 ? 'The API key expires within a day' : `The API key expires in ${n} days`),
    keyExpiringBody: (date) => `From ${date} the hub will refuse it. Ask your provider for a new activation code and activate Recapito again.`,
    keyExpiredTitle: 'Sending on hold: API key expired',
    keyExpiredBody: 'Ask your provider for a new activation code and activate Recapito again: documents stay queued.',
  },
  dialogs: {
    startupFailedTitle: 'Recapito cannot start',
    startupFailedIntro: 'Recapito could not start the agent.',
    noKeyringIntro:
      'Recapito finds no system keyring to keep the API key encrypted. Unlock or install a keyring (GNOME Keyring, KWallet) and start again, or use the headless mode (recapito serve) with a secrets file only you can read.',
    dropFolderTitle: 'Drop folder',
    supportBundleTitle: 'Support bundle',
    supportBundleFailed: 'The support bundle could not be made',
  },
};

const STRINGS: Readonly<Record<Locale, ShellStrings>> = { it, en };

const branded = new Map<string, ShellStrings>();

/** The strings of `locale`, saying `productName` (a reseller's brand, docs/white-label.md) wherever they say Recapito. */
export function stringsFor(locale: Locale, productName: string = DEFAULT_PRODUCT_NAME): ShellStrings {
  if (productName === DEFAULT_PRODUCT_NAME) return STRINGS[locale];
  const key = `${locale}\u0000${productName}`;
  let strings = branded.get(key);
  if (!strings) branded.set(key, (strings = rebrand(STRINGS[locale], productName)));
  return strings;
}

/**
 * The shell language from the system locale (`app.getLocale()`, e.g. "it-IT", "en-US", "de-IT").
 * Italian for Italian speakers and for anyone whose region is Italy (South Tyrol's "de-IT"), English
 * for everyone else who states a language, Italian when nothing usable is known.
 */
export function localeFrom(systemLocale: string | null | undefined): Locale {
  const tag = (systemLocale ?? '').trim().replace(/_/g, '-').toLowerCase();
  if (tag === '' || tag === 'c' || tag === 'posix') return 'it';
  const [language, ...rest] = tag.split('-');
  if (language === 'it' || rest.includes('it')) return 'it';
  return /^[a-z]{2,3}$/.test(language ?? '') ? 'en' : 'it';
}
