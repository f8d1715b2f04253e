// The parties each document type allows (TipoDocumento TD16–TD28: integrations, self-invoices,
// extractions from VAT warehouses, San Marino), and a buyer SDI can identify:
// 00417 the buyer has a VAT number or a codice fiscale; 00471 seller and buyer differ; 00472 they
// are the same (self-invoices TD21, TD27); 00473 the seller is not Italian (purchases from abroad);
// 00474 no zero rate in a self-invoice for exceeding the plafond (TD21); 00475 the buyer has a VAT
// number; 00476 seller and buyer are not both foreign.
import type { PreflightIssue } from '../types.ts';
import { BUYER_DATA } from '../fatturapa-paths.ts';
import type { FiscalId } from '../fatturapa-paths.ts';
import { preflightError } from '../issue.ts';
import { isZero } from './decimal.ts';
import { capitalized, capped, contentError, lineLabel, sdiRejects } from './rule-kit.ts';
import type { HeaderFacts, RuleContext } from './rule-kit.ts';

const SELLER_NOT_BUYER = new Set(['TD01', 'TD02', 'TD03', 'TD06', 'TD16', 'TD17', 'TD18', 'TD19', 'TD20', 'TD24', 'TD25', 'TD28']);
const SELLER_IS_BUYER = new Set(['TD21', 'TD27']);
const FOREIGN_SELLER = new Set(['TD17', 'TD18', 'TD19', 'TD28']);
const BUYER_VAT_REQUIRED = new Set(['TD16', 'TD17', 'TD18', 'TD19', 'TD20', 'TD22', 'TD23', 'TD28']);

const vatText = (id: FiscalId): string => `${id.country}${id.code}`;

function sameVat(a: FiscalId | null, b: FiscalId | null): boolean {
  return a !== null && b !== null && a.country === b.country && a.code === b.code;
}

/** Any identifier in common: VAT number, codice fiscale, or a company's codice fiscale equal to its VAT number. */
function sameSubject(header: HeaderFacts): boolean {
  const ids = (vat: FiscalId | null, cf: string | undefined): Set<string> => {
    const set = new Set<string>();
    if (vat) {
      set.add(`VAT ${vatText(vat)}`);
      set.add(`CF ${vat.code}`);
    }
    if (cf) set.add(`CF ${cf.toUpperCase()}`);
    return set;
  };
  const seller = ids(header.sellerVat, header.sellerCf);
  for (const id of ids(header.buyerVat, header.buyerCf)) if (seller.has(id)) return true;
  return false;
}

/** Rules on the header alone, checked once per file. */
export function checkParties(header: HeaderFacts): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  if (!header.buyerVat && !header.buyerCf) {
    const sdi = sdiRejects('00417');
    issues.push(
      preflightError(
        'buyer_without_id',
        BUYER_DATA,
        {
          it: `Il cessionario/committente non ha né partita IVA (IdFiscaleIVA) né codice fiscale: SDI deve poterlo identificare. ${sdi.it}. Nel gestionale indicare la partita IVA del cliente o, per un privato, il suo codice fiscale.`,
          en: `The buyer has neither a VAT number (IdFiscaleIVA) nor a codice fiscale: SDI must be able to identify them. ${sdi.en}. In the invoicing software enter the buyer's VAT number or, for a consumer, their codice fiscale.`,
        },
        '00417',
      ),
    );
  }
  const seller = header.sellerVat;
  const buyer = header.buyerVat;
  if (seller && buyer && seller.country !== 'IT' && buyer.country !== 'IT') {
    const sdi = sdiRejects('00476');
    issues.push(
      preflightError(
        'both_parties_foreign',
        `${BUYER_DATA}/IdFiscaleIVA/IdPaese`,
        {
          it: `Cedente (${seller.country}) e cessionario (${buyer.country}) sono entrambi esteri: una fattura elettronica italiana deve avere almeno una delle due parti identificata in Italia (IdPaese IT). ${sdi.it}. Controllare nel gestionale i dati fiscali delle parti.`,
          en: `Seller (${seller.country}) and buyer (${buyer.country}) are both foreign: an Italian e-invoice needs at least one of them identified in Italy (IdPaese IT). ${sdi.en}. Check the parties' tax data in the invoicing software.`,
        },
        '00476',
      ),
    );
  }
  return issues;
}

export function checkDocumentType(context: RuleContext): PreflightIssue[] {
  const { body, header } = context;
  const type = body.docType;
  if (type === undefined) return [];
  const path = `${body.docPath}/TipoDocumento`;
  const issues: PreflightIssue[] = [];
  if (SELLER_NOT_BUYER.has(type) && sameVat(header.sellerVat, header.buyerVat) && header.sellerVat) {
    const sdi = sdiRejects('00471');
    issues.push(
      contentError(context, 'doc_type_same_party', '00471', path, {
        it: `TipoDocumento ${type} con cedente e cessionario uguali (${vatText(header.sellerVat)}): questo tipo di documento non ammette lo stesso soggetto da entrambe le parti. ${sdi.it}. Nel gestionale correggere il cliente, oppure usare il tipo documento giusto (es. TD27 per autoconsumo, TD21 per splafonamento).`,
        en: `TipoDocumento ${type} with the same seller and buyer (${vatText(header.sellerVat)}): this document type does not allow the same party on both sides. ${sdi.en}. In the invoicing software fix the buyer, or use the right document type (e.g. TD27 for self-consumption, TD21 for exceeding the plafond).`,
      }),
    );
  }
  if (SELLER_IS_BUYER.has(type) && !sameSubject(header)) {
    const sdi = sdiRejects('00472');
    issues.push(
      contentError(context, 'doc_type_party_must_match', '00472', path, {
        it: `TipoDocumento ${type} è un'autofattura: cedente e cessionario devono essere lo stesso soggetto, qui sono diversi. ${sdi.it}. Nel gestionale indicare come cessionario lo stesso soggetto del cedente (stessa partita IVA o codice fiscale), oppure usare il tipo documento giusto.`,
        en: `TipoDocumento ${type} is a self-invoice: seller and buyer must be the same party, here they differ. ${sdi.en}. In the invoicing software enter the seller itself as buyer (same VAT number or codice fiscale), or use the right document type.`,
      }),
    );
  }
  if (FOREIGN_SELLER.has(type) && header.sellerVat?.country === 'IT') {
    const sdi = sdiRejects('00473');
    issues.push(
      contentError(context, 'doc_type_italian_seller', '00473', path, {
        it: `TipoDocumento ${type} (integrazione/autofattura per acquisti dall'estero${type === 'TD28' ? ' o da San Marino' : ''}) ha un cedente italiano (IdPaese IT): il cedente deve essere il fornitore estero. ${sdi.it}. Nel gestionale indicare come cedente il fornitore estero (per Livigno e Campione d'Italia, con TD17 e TD19, IdPaese OO), oppure usare TD16 per il reverse charge interno.`,
        en: `TipoDocumento ${type} (integration/self-invoice for purchases from abroad${type === 'TD28' ? ' or from San Marino' : ''}) has an Italian seller (IdPaese IT): the seller must be the foreign supplier. ${sdi.en}. In the invoicing software enter the foreign supplier as seller (for Livigno and Campione d'Italia, with TD17 and TD19, IdPaese OO), or use TD16 for domestic reverse charge.`,
      }),
    );
  }
  if (BUYER_VAT_REQUIRED.has(type) && !header.buyerVat) {
    const sdi = sdiRejects('00475');
    issues.push(
      contentError(context, 'doc_type_buyer_vat_required', '00475', `${BUYER_DATA}/IdFiscaleIVA`, {
        it: `TipoDocumento ${type} richiede la partita IVA del cessionario/committente (IdFiscaleIVA), che qui manca: per questi documenti il cessionario è chi integra l'IVA. ${sdi.it}. Nel gestionale indicare la partita IVA del cessionario.`,
        en: `TipoDocumento ${type} needs the buyer's VAT number (IdFiscaleIVA), which is missing: for these documents the buyer is the one accounting for the VAT. ${sdi.en}. In the invoicing software enter the buyer's VAT number.`,
      }),
    );
  }
  if (type === 'TD21') {
    const zeroRated: PreflightIssue[] = [];
    body.lines.forEach((line, index) => {
      if (!line.rate || !isZero(line.rate)) return;
      const label = lineLabel(line, index);
      const sdi = sdiRejects('00474');
      zeroRated.push(
        contentError(context, 'doc_type_zero_rate', '00474', `${line.path}/AliquotaIVA`, {
          it: `${capitalized(label.it)}: aliquota IVA 0 in un'autofattura per splafonamento (TD21), che serve proprio a versare l'IVA: ogni linea deve avere un'aliquota diversa da zero. ${sdi.it}. Nel gestionale indicare l'aliquota dell'operazione.`,
          en: `${capitalized(label.en)}: VAT rate 0 in a self-invoice for exceeding the plafond (TD21), whose purpose is to pay the VAT: every line needs a rate above zero. ${sdi.en}. In the invoicing software enter the operation's rate.`,
        }),
      );
    });
    issues.push(...capped(zeroRated));
  }
  return issues;
}
