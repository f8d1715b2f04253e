// Enrollment by activation code (docs/enrollment.md): what the local API takes and answers (never
// the API key), the refusals a person can act on, in Italian and English, and when the key's expiry
// deserves a warning. Shared by the core, the CLI, the UI and the tray, so they all say the same.

/** POST /api/v1/enroll. */
export interface EnrollRequest {
  /** The one-time code the hub provider gave (by e-mail, on its portal…). */
  activationCode: string;
  /** How the hub will list this PC; the computer's host name when omitted. */
  deviceName?: string;
}

/** GET /api/v1/enroll: what the enrollment form is filled in with. */
export interface EnrollDefaults {
  /** The computer's host name: the device name the hub lists when the person gives none. */
  deviceName: string;
}

export interface EnrolledCompany {
  id: string;
  vatNumber: string;
  name: string;
}

/** The answer to POST /api/v1/enroll: the account this PC now sends for. The key itself is never in it. */
export interface EnrollmentResult {
  account: { id: string; name: string };
  /** The key's id at the hub (not the key) and when it expires (null: no expiry). */
  key: { id: string; expiresAt: string | null };
  deviceName: string;
  /** The account's companies, read with the new key; null when that read failed (the key is stored all the same). */
  companies: EnrolledCompany[] | null;
  credits: number | null;
}

/** Why an enrollment was refused: the `error.code` of the local API's answer, and of the CLI's message. */
export const ENROLL_REFUSALS = [
  'invalid_activation_code',
  'bad_activation_code',
  'bad_device_name',
  'hub_unreachable',
  'hub_untrusted',
  'hub_error',
  'no_hub',
  'not_https',
  'key_from_environment',
  'key_not_stored',
] as const;
export type EnrollRefusal = (typeof ENROLL_REFUSALS)[number];

export function isEnrollRefusal(code: unknown): code is EnrollRefusal {
  return typeof code === 'string' && (ENROLL_REFUSALS as readonly string[]).includes(code);
}

/** What each refusal means and what to do, for a person (the UI and the CLI). */
export const ENROLL_REFUSAL_TEXT: Readonly<Record<'it' | 'en', Readonly<Record<EnrollRefusal, string>>>> = {
  it: {
    invalid_activation_code:
      'Codice di attivazione non accettato: è sbagliato, è già stato usato oppure è scaduto. Controlla di averlo copiato per intero; se è giusto, chiedi un nuovo codice al fornitore.',
    bad_activation_code: 'Questo non sembra un codice di attivazione: inserisci il codice ricevuto dal fornitore (al massimo 200 caratteri, senza a capo).',
    bad_device_name: 'Nome del computer non valido: al massimo 100 caratteri, senza a capo né caratteri di controllo.',
    hub_unreachable: "L'hub non è raggiungibile: controlla la connessione a Internet e il proxy, poi riprova con lo stesso codice.",
    hub_untrusted:
      "Il certificato dell'hub non è attendibile. Se il fornitore usa un proprio certificato, o un proxy aziendale ispeziona HTTPS, indica il file CA nelle impostazioni (Certificato CA aggiuntivo).",
    hub_error: "L'hub non ha completato l'attivazione. Riprova tra qualche minuto; se il problema continua, contatta il fornitore.",
    no_hub: "Prima imposta l'indirizzo dell'hub nelle impostazioni: il codice si scambia con la chiave presso l'hub.",
    not_https: "L'attivazione con codice vale per l'hub HTTPS. Con SFTP inserisci le credenziali nelle impostazioni.",
    key_from_environment:
      "La chiave API arriva dalla variabile d'ambiente RECAPITO_HUB_API_KEY, che prevale su quella salvata: toglila, riavvia Recapito e attiva di nuovo.",
    key_not_stored:
      "L'hub ha accettato il codice, ma la chiave non si è potuta salvare su questo computer, e il codice ora risulta usato. Risolvi il problema indicato e chiedi un nuovo codice al fornitore.",
  },
  en: {
    invalid_activation_code:
      'Activation code not accepted: it is wrong, already used or expired. Check that you copied all of it; if it is right, ask your provider for a new code.',
    bad_activation_code: 'This does not look like an activation code: enter the code your provider sent (200 characters at most, on one line).',
    bad_device_name: 'Computer name not valid: 100 characters at most, on one line, without control characters.',
    hub_unreachable: 'The hub cannot be reached: check the Internet connection and the proxy, then try again with the same code.',
    hub_untrusted:
      "The hub's certificate is not trusted. If your provider uses its own certificate, or a company proxy inspects HTTPS, name its CA file in the settings (Extra CA certificate).",
    hub_error: 'The hub did not complete the activation. Try again in a few minutes; if it goes on, contact your provider.',
    no_hub: "First set the hub's address in the settings: the code is exchanged for the key at the hub.",
    not_https: 'Activation by code is for the HTTPS hub. With SFTP, enter the credentials in the settings.',
    key_from_environment:
      'The API key comes from the environment variable RECAPITO_HUB_API_KEY, which wins over the stored one: remove it, restart Recapito and activate again.',
    key_not_stored:
      'The hub accepted the code, but the key could not be stored on this computer, and the code now counts as used. Fix the problem shown and ask your provider for a new code.',
  },
};

/** The key is worth a warning from this many days before it expires. */
export const KEY_EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * - `none`: no expiry known (no key, a key that never expires, SFTP);
 * - `ok`: more than KEY_EXPIRY_WARNING_DAYS left;
 * - `soon`: KEY_EXPIRY_WARNING_DAYS or fewer left: time to enroll again;
 * - `expired`: the hub refuses it now (and holds the queue at the next call).
 */
export type KeyExpiryLevel = 'none' | 'ok' | 'soon' | 'expired';

export interface KeyExpiry {
  level: KeyExpiryLevel;
  /** Whole days left, counting a started day as one (1 until the last moment); 0 once expired; null with `none`. */
  daysLeft: number | null;
}

/** Where a key expiring at `expiresAt` (ISO) stands at `now` (ms since the epoch). Pure: tests pass the time. */
export function keyExpiry(expiresAt: string | null | undefined, now: number): KeyExpiry {
  if (!expiresAt) return { level: 'none', daysLeft: null };
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return { level: 'none', daysLeft: null };
  const left = at - now;
  if (left <= 0) return { level: 'expired', daysLeft: 0 };
  const daysLeft = Math.ceil(left / DAY_MS);
  return { level: daysLeft <= KEY_EXPIRY_WARNING_DAYS ? 'soon' : 'ok', daysLeft };
}
