// What a person can do about the SDI rejection codes seen most often (SDI "Elenco controlli").
// SDI's own Descrizione always comes first; these only add the next step.

export interface Hint {
  it: string;
  en: string;
}

const BY_CODE: Record<string, Hint> = {
  '00001': {
    it: 'il nome del file non segue le regole SDI: va trasmessa con un nome valido',
    en: 'the file name does not follow the SDI rules: it must be sent under a valid name',
  },
  '00002': {
    it: 'questo nome file è già stato usato: va trasmessa con un nome nuovo',
    en: 'this file name was already used: it must be sent under a new name',
  },
  '00003': { it: 'il file supera i 5 MB ammessi: riduci gli allegati', en: 'the file is over the 5 MB SDI accepts: make the attachments smaller' },
  '00311': { it: 'verifica il codice destinatario (codice SDI) del cliente', en: "check the buyer's recipient code (SDI code)" },
  '00312': {
    it: 'il codice destinatario non è attivo: chiedi al cliente il codice corretto',
    en: 'the recipient code is not active: ask the buyer for the right one',
  },
  '00404': {
    it: 'SDI ha già una fattura con stesso cedente, numero e data: controlla se è già stata emessa prima di inviarla di nuovo',
    en: 'SDI already has an invoice with the same seller, number and date: check whether it was already issued before sending it again',
  },
  '00409': { it: 'la stessa fattura compare due volte nel lotto: toglila', en: 'the same invoice appears twice in the batch: remove one' },
  '00427': {
    it: 'FPA12 (pubblica amministrazione) vuole un codice ufficio di 6 caratteri, FPR12 (privati) un codice di 7',
    en: 'FPA12 (public administration) needs a 6-character office code, FPR12 (businesses) a 7-character code',
  },
};

const SIGNATURE: Hint = {
  it: "problema di firma digitale: controlla il certificato di firma, o chiedi all'hub se firma lui",
  en: 'digital signature problem: check the signing certificate, or ask the hub if it signs',
};
const FORMAT: Hint = {
  it: 'il file non rispetta lo schema FatturaPA: riesportalo dal gestionale o segnala il problema a chi lo fornisce',
  en: 'the file does not follow the FatturaPA schema: export it again from the invoicing program or report it to its vendor',
};
const IDENTITY: Hint = {
  it: 'controlla i dati identificativi (partita IVA, codice fiscale, codice destinatario)',
  en: 'check the identification data (VAT number, fiscal code, recipient code)',
};
const CONTENT: Hint = { it: 'correggi il dato indicato nella fattura', en: 'correct the field named in the invoice' };

export function hintForSdiError(code: string): Hint | null {
  const exact = BY_CODE[code];
  if (exact) return exact;
  if (!/^\d{5}$/.test(code)) return null;
  const value = Number(code);
  if (value >= 100 && value < 200) return SIGNATURE;
  if (value >= 200 && value < 300) return FORMAT;
  if (value >= 300 && value < 400) return IDENTITY;
  if (value >= 400 && value < 500) return CONTENT;
  return null;
}
