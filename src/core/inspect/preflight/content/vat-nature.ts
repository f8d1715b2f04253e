// VAT rate and Natura: a rate of zero needs the nature of the non-taxable operation, a rate above
// zero forbids it (lines 00400/00401, welfare fund 00413/00414, summaries 00429/00430); reverse
// charge cannot be split payment (00420); rates are percentages (00424); the generic natures N2,
// N3 and N6 are no longer accepted (00445, 00448 for cross-border invoices).
import type { PreflightIssue } from '../types.ts';
import { compare, dec, isZero } from './decimal.ts';
import type { Decimal } from './decimal.ts';
import { amount, capitalized, capped, contentError, lineLabel, sdiRejects } from './rule-kit.ts';
import type { RuleContext } from './rule-kit.ts';

const ONE = dec('1');

/** TD16 (integrazione reverse charge interno) keeps the supplier's Natura next to the rate it applies. */
const NATURE_WITH_RATE_ALLOWED = new Set(['TD16']);

const SPECIFIC_NATURES: Record<string, string> = { N2: 'N2.1, N2.2', N3: 'N3.1–N3.6', N6: 'N6.1–N6.9' };

interface RatedItem {
  /** Where the rate and nature are: the line, the fund block, the summary. */
  path: string;
  rate: Decimal | null;
  nature: string | undefined;
  label: { it: string; en: string };
}

interface NatureRule {
  missing: { code: string; sdi: string };
  notAllowed: { code: string; sdi: string } | null;
}

function natureRules(context: RuleContext, items: RatedItem[], rule: NatureRule): PreflightIssue[] {
  const missing: PreflightIssue[] = [];
  const notAllowed: PreflightIssue[] = [];
  const allowNatureWithRate = NATURE_WITH_RATE_ALLOWED.has(context.body.docType ?? '');
  for (const item of items) {
    if (!item.rate) continue;
    const rate = amount(item.rate);
    if (isZero(item.rate) && item.nature === undefined) {
      const sdi = sdiRejects(rule.missing.sdi);
      missing.push(
        contentError(context, rule.missing.code, rule.missing.sdi, `${item.path}/Natura`, {
          it: `${capitalized(item.label.it)}: AliquotaIVA è ${rate} ma manca Natura. ${sdi.it}. Nel gestionale indicare la natura dell'operazione non imponibile (es. N2.2 non soggette, N3.1 esportazioni, N4 esenti, N6.x inversione contabile) oppure l'aliquota IVA giusta.`,
          en: `${capitalized(item.label.en)}: AliquotaIVA is ${rate} but Natura is missing. ${sdi.en}. In the invoicing software set the nature of the non-taxable operation (e.g. N2.2 not subject, N3.1 exports, N4 exempt, N6.x reverse charge) or the right VAT rate.`,
        }),
      );
    } else if (rule.notAllowed && !isZero(item.rate) && item.nature !== undefined && !allowNatureWithRate) {
      const sdi = sdiRejects(rule.notAllowed.sdi);
      notAllowed.push(
        contentError(context, rule.notAllowed.code, rule.notAllowed.sdi, `${item.path}/Natura`, {
          it: `${capitalized(item.label.it)}: Natura ${item.nature} con AliquotaIVA ${rate}: un'aliquota diversa da zero indica un'operazione imponibile, che non ha natura. ${sdi.it}. Nel gestionale togliere la natura oppure, se l'operazione non è imponibile, usare aliquota 0.`,
          en: `${capitalized(item.label.en)}: Natura ${item.nature} with AliquotaIVA ${rate}: a rate above zero means a taxable operation, which has no nature. ${sdi.en}. In the invoicing software remove the nature or, if the operation is not taxable, use rate 0.`,
        }),
      );
    }
  }
  return [...capped(missing), ...capped(notAllowed)];
}

function percentRule(context: RuleContext, items: RatedItem[]): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  for (const item of items) {
    if (!item.rate || isZero(item.rate) || compare(item.rate, ONE) >= 0) continue;
    const rate = amount(item.rate);
    const sdi = sdiRejects('00424');
    issues.push(
      contentError(context, 'vat_rate_not_percent', '00424', `${item.path}/AliquotaIVA`, {
        it: `${capitalized(item.label.it)}: AliquotaIVA ${rate} non è una percentuale (per il 22% si scrive 22.00, non 0.22). ${sdi.it}. Correggere nel gestionale il modo in cui è esportata l'aliquota.`,
        en: `${capitalized(item.label.en)}: AliquotaIVA ${rate} is not a percentage (22% is written 22.00, not 0.22). ${sdi.en}. Fix how the invoicing software exports the rate.`,
      }),
    );
  }
  return capped(issues);
}

function genericNatureRule(context: RuleContext, items: RatedItem[]): PreflightIssue[] {
  const sdiCode = context.crossBorder ? '00448' : '00445';
  const issues: PreflightIssue[] = [];
  for (const item of items) {
    const specific = item.nature === undefined ? undefined : SPECIFIC_NATURES[item.nature];
    if (specific === undefined) continue;
    const sdi = sdiRejects(sdiCode);
    issues.push(
      contentError(context, 'generic_nature', sdiCode, `${item.path}/Natura`, {
        it: `${capitalized(item.label.it)}: la natura generica ${item.nature} non è più ammessa dal 1° gennaio 2021. ${sdi.it}. Nel gestionale usare il codice di dettaglio (${specific}).`,
        en: `${capitalized(item.label.en)}: the generic nature ${item.nature} is no longer accepted since 1 January 2021. ${sdi.en}. In the invoicing software use the detailed code (${specific}).`,
      }),
    );
  }
  return capped(issues);
}

function reverseChargeSplitPayment(context: RuleContext): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  context.body.summaries.forEach((summary, index) => {
    if (!summary.nature?.startsWith('N6') || summary.chargeability !== 'S') return;
    const sdi = sdiRejects('00420');
    issues.push(
      contentError(context, 'reverse_charge_split_payment', '00420', `${summary.path}/EsigibilitaIVA`, {
        it: `Riepilogo IVA ${index + 1}: natura ${summary.nature} (inversione contabile) con EsigibilitaIVA S (scissione dei pagamenti): con l'inversione contabile l'IVA la versa il cliente, non può essere anche in split payment. ${sdi.it}. Nel gestionale usare EsigibilitaIVA I o D per queste operazioni.`,
        en: `VAT summary ${index + 1}: nature ${summary.nature} (reverse charge) with EsigibilitaIVA S (split payment): under reverse charge the buyer pays the VAT, so it cannot be split payment too. ${sdi.en}. In the invoicing software use EsigibilitaIVA I or D for these operations.`,
      }),
    );
  });
  return issues;
}

export function checkVatNature(context: RuleContext): PreflightIssue[] {
  const { body } = context;
  const lines: RatedItem[] = body.lines.map((line, index) => ({ path: line.path, rate: line.rate, nature: line.nature, label: lineLabel(line, index) }));
  const funds: RatedItem[] = body.funds.map((fund, index) => ({
    path: fund.path,
    rate: fund.rate,
    nature: fund.nature,
    label:
      body.funds.length > 1 ? { it: `cassa previdenziale ${index + 1}`, en: `welfare fund ${index + 1}` } : { it: 'cassa previdenziale', en: 'welfare fund' },
  }));
  const summaries: RatedItem[] = body.summaries.map((summary, index) => ({
    path: summary.path,
    rate: summary.rate,
    nature: summary.nature,
    label: { it: `riepilogo IVA ${index + 1}`, en: `VAT summary ${index + 1}` },
  }));
  return [
    ...natureRules(context, lines, { missing: { code: 'line_nature_missing', sdi: '00400' }, notAllowed: { code: 'line_nature_not_allowed', sdi: '00401' } }),
    ...natureRules(context, funds, { missing: { code: 'fund_nature_missing', sdi: '00413' }, notAllowed: null }),
    ...fundNatureNotAllowed(context, funds),
    ...natureRules(context, summaries, {
      missing: { code: 'summary_nature_missing', sdi: '00429' },
      notAllowed: { code: 'summary_nature_not_allowed', sdi: '00430' },
    }),
    ...reverseChargeSplitPayment(context),
    ...percentRule(context, [...lines, ...funds, ...summaries]),
    ...genericNatureRule(context, [...lines, ...funds, ...summaries]),
  ];
}

/** 00414: the TD16 exception of 00401/00430 is not stated for the welfare fund. */
function fundNatureNotAllowed(context: RuleContext, funds: RatedItem[]): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  for (const fund of funds) {
    if (!fund.rate || isZero(fund.rate) || fund.nature === undefined) continue;
    const rate = amount(fund.rate);
    const sdi = sdiRejects('00414');
    issues.push(
      contentError(context, 'fund_nature_not_allowed', '00414', `${fund.path}/Natura`, {
        it: `${capitalized(fund.label.it)}: Natura ${fund.nature} con AliquotaIVA ${rate}: un contributo con aliquota diversa da zero è imponibile e non ha natura. ${sdi.it}. Nel gestionale togliere la natura del contributo oppure usare aliquota 0.`,
        en: `${capitalized(fund.label.en)}: Natura ${fund.nature} with AliquotaIVA ${rate}: a contribution with a rate above zero is taxable and has no nature. ${sdi.en}. In the invoicing software remove the contribution's nature or use rate 0.`,
      }),
    );
  }
  return issues;
}
