// CodiceDestinatario, FormatoTrasmissione and PECDestinatario must tell one consistent story about
// how SDI delivers the invoice.
import type { XmlElement } from '../../xml/safe-xml.ts';
import { BUYER_DATA, DATI_TRASMISSIONE, fiscalIdAt, textOf } from './fatturapa-paths.ts';
import { preflightError, preflightWarning } from './issue.ts';
import type { PreflightIssue } from './types.ts';

const CODE_PATH = `${DATI_TRASMISSIONE}/CodiceDestinatario`;
const PEC_PATH = `${DATI_TRASMISSIONE}/PECDestinatario`;
const NO_CHANNEL = '0000000';
const FOREIGN_BUYER = 'XXXXXXX';
/** SDI's own PEC mailboxes (sdiNN@pec.fatturapa.it): never a buyer's address (SDI error 00330). */
const SDI_PEC = /@pec\.fatturapa\.it$/i;

function lengthMismatch(code: string, formato: string): PreflightIssue | null {
  if (formato === 'FPA12' && code.length !== 6) {
    return preflightError(
      'recipient_code_format_mismatch',
      CODE_PATH,
      {
        it: `CodiceDestinatario "${code}" ha ${code.length} caratteri, ma FormatoTrasmissione è FPA12 (fattura a una pubblica amministrazione), che richiede il codice univoco ufficio di 6 caratteri dell'IPA. Indicare il codice ufficio della PA, oppure usare FPR12 se il cliente non è una PA. SDI scarterebbe la fattura (errore 00427).`,
        en: `CodiceDestinatario "${code}" has ${code.length} characters, but FormatoTrasmissione is FPA12 (invoice to a public administration), which needs the 6-character IPA office code. Enter the administration's office code, or use FPR12 if the buyer is not a public administration. SDI would reject the invoice (error 00427).`,
      },
      '00427',
    );
  }
  if (formato === 'FPR12' && code.length !== 7) {
    return preflightError(
      'recipient_code_format_mismatch',
      CODE_PATH,
      {
        it: `CodiceDestinatario "${code}" ha ${code.length} caratteri, ma FormatoTrasmissione è FPR12 (fattura tra privati), che richiede un codice di 7 caratteri (quello comunicato dal cliente, oppure 0000000). Un codice di 6 caratteri è un codice ufficio di una PA: in quel caso usare FPA12. SDI scarterebbe la fattura (errore 00427).`,
        en: `CodiceDestinatario "${code}" has ${code.length} characters, but FormatoTrasmissione is FPR12 (invoice between private parties), which needs a 7-character code (the one the buyer gave you, or 0000000). A 6-character code is a public administration's office code: for those use FPA12. SDI would reject the invoice (error 00427).`,
      },
      '00427',
    );
  }
  return null;
}

export function checkRecipient(root: XmlElement): PreflightIssue[] {
  const code = textOf(root, CODE_PATH);
  const formato = textOf(root, `${DATI_TRASMISSIONE}/FormatoTrasmissione`);
  const pec = textOf(root, PEC_PATH);
  // A malformed code is a schema error, reported there.
  if (!code || !/^[A-Z0-9]{6,7}$/.test(code)) return [];
  const issues: PreflightIssue[] = [];
  const mismatch = formato ? lengthMismatch(code, formato) : null;
  if (mismatch) issues.push(mismatch);

  const buyerVat = fiscalIdAt(root, BUYER_DATA);
  const buyerIsConsumer = !buyerVat && textOf(root, `${BUYER_DATA}/CodiceFiscale`) !== undefined;

  if (code === NO_CHANNEL && !pec && !buyerIsConsumer) {
    issues.push(
      preflightWarning('recipient_cassetto_only', CODE_PATH, {
        it: "CodiceDestinatario è 0000000 senza PECDestinatario: SDI non ha un canale per consegnare la fattura al cliente e, salvo che il cliente abbia registrato un indirizzo telematico presso l'Agenzia delle Entrate, la metterà a disposizione nel suo cassetto fiscale (area Fatture e Corrispettivi), senza recapitargliela direttamente. Se il cliente ha un codice destinatario di 7 caratteri o una PEC, indicarli.",
        en: "CodiceDestinatario is 0000000 with no PECDestinatario: SDI has no channel to deliver the invoice to the buyer and, unless the buyer registered a delivery address with the Agenzia delle Entrate, will place it in the buyer's cassetto fiscale (their Fatture e Corrispettivi area), not deliver it to them directly. If the buyer has a 7-character recipient code or a PEC address, enter it.",
      }),
    );
  }
  if (code !== NO_CHANNEL && pec) {
    issues.push(
      preflightWarning('pec_ignored', PEC_PATH, {
        it: `PECDestinatario si usa solo quando CodiceDestinatario è 0000000: con il codice "${code}" SDI consegna tramite quel codice e ignora la PEC ${pec}. Tenere solo uno dei due.`,
        en: `PECDestinatario is used only when CodiceDestinatario is 0000000: with code "${code}" SDI delivers through that code and ignores the PEC address ${pec}. Keep only one of the two.`,
      }),
    );
  }
  if (pec && SDI_PEC.test(pec)) {
    issues.push(
      preflightError(
        'pec_is_sdi',
        PEC_PATH,
        {
          it: `PECDestinatario ${pec} è una casella PEC del Sistema di Interscambio, non del cliente: SDI non può consegnare la fattura a sé stesso. SDI scarterebbe la fattura (errore 00330). Indicare la PEC del cliente, oppure il suo codice destinatario.`,
          en: `PECDestinatario ${pec} is a PEC mailbox of the Sistema di Interscambio itself, not the buyer's: SDI cannot deliver the invoice to itself. SDI would reject the invoice (error 00330). Enter the buyer's PEC address, or their recipient code.`,
        },
        '00330',
      ),
    );
  }
  if (code === FOREIGN_BUYER && buyerVat?.country === 'IT') {
    issues.push(
      preflightError(
        'foreign_code_for_italian_buyer',
        CODE_PATH,
        {
          it: 'CodiceDestinatario XXXXXXX è riservato ai clienti esteri, ma il cliente ha una partita IVA italiana (IdPaese IT): indicare il suo codice destinatario di 7 caratteri, oppure 0000000 (con la sua PEC, se ne ha una). SDI scarterebbe la fattura (errore 00313).',
          en: "CodiceDestinatario XXXXXXX is reserved for foreign buyers, but this buyer has an Italian VAT number (IdPaese IT): enter the buyer's 7-character recipient code, or 0000000 (with their PEC address if they have one). SDI would reject the invoice (error 00313).",
        },
        '00313',
      ),
    );
  }
  return issues;
}
