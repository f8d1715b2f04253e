// Check digits of the seller's and buyer's Italian identifiers. Only warnings: SDI checks the
// numbers against the tax register, and an unusual but real number must not be blocked here.
import type { XmlElement } from '../../xml/safe-xml.ts';
import { BUYER_DATA, SELLER_DATA, fiscalIdAt, textOf } from './fatturapa-paths.ts';
import { checkCodiceFiscale, checkPartitaIva } from './fiscal-ids.ts';
import { preflightWarning } from './issue.ts';
import type { PreflightIssue } from './types.ts';

interface Party {
  path: string;
  it: string;
  en: string;
  /** The SDI error for a VAT number (and a codice fiscale) its register does not know. */
  sdi: { vat: string; cf?: string };
}

const PARTIES: Party[] = [
  { path: SELLER_DATA, it: 'del cedente/prestatore', en: "seller's", sdi: { vat: '00301' } },
  { path: BUYER_DATA, it: 'del cessionario/committente', en: "buyer's", sdi: { vat: '00305', cf: '00306' } },
];

function vatIssue(root: XmlElement, party: Party): PreflightIssue | null {
  const id = fiscalIdAt(root, party.path);
  if (!id || id.country !== 'IT' || checkPartitaIva(id.code)) return null;
  const shape = /^[0-9]{11}$/.test(id.code)
    ? { it: 'la cifra di controllo non torna', en: 'its check digit is wrong' }
    : { it: 'non è di 11 cifre', en: 'it is not 11 digits' };
  return preflightWarning(
    'vat_check_digit',
    `${party.path}/IdFiscaleIVA/IdCodice`,
    {
      it: `La partita IVA ${party.it} IT${id.code} sembra errata (${shape.it}): verificarla, SDI scarta le fatture con partite IVA inesistenti (errore ${party.sdi.vat}).`,
      en: `The ${party.en} VAT number IT${id.code} looks wrong (${shape.en}): double-check it, SDI rejects invoices with VAT numbers that do not exist (error ${party.sdi.vat}).`,
    },
    party.sdi.vat,
  );
}

function codiceFiscaleIssue(root: XmlElement, party: Party): PreflightIssue | null {
  const cf = textOf(root, `${party.path}/CodiceFiscale`);
  if (!cf || checkCodiceFiscale(cf)) return null;
  const shape =
    cf.length === 16
      ? { it: 'formato o carattere di controllo non validi', en: 'its format or check letter is wrong' }
      : cf.length === 11
        ? { it: 'la cifra di controllo non torna', en: 'its check digit is wrong' }
        : { it: 'deve avere 16 caratteri (persona) o 11 cifre (società)', en: 'it must have 16 characters (a person) or 11 digits (a company)' };
  const sdi = party.sdi.cf;
  return preflightWarning(
    'cf_check',
    `${party.path}/CodiceFiscale`,
    {
      it: `Il codice fiscale ${party.it} ${cf} sembra errato (${shape.it}): verificarlo${sdi ? `, SDI scarta le fatture con codici fiscali inesistenti (errore ${sdi})` : ''}.`,
      en: `The ${party.en} codice fiscale ${cf} looks wrong (${shape.en}): double-check it${sdi ? `, SDI rejects invoices with codici fiscali that do not exist (error ${sdi})` : ''}.`,
    },
    sdi,
  );
}

export function checkPartyIds(root: XmlElement): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  for (const party of PARTIES) {
    const vat = vatIssue(root, party);
    if (vat) issues.push(vat);
    const cf = codiceFiscaleIssue(root, party);
    if (cf) issues.push(cf);
  }
  return issues;
}
