// The arithmetic SDI redoes: a line's PrezzoTotale (00423, ±0.01), each summary's taxable amount
// from its lines, fund contributions and Arrotondamento (00422, ±1.00), each summary's tax from
// its taxable amount and rate (00421, ±1.00); and a discount or surcharge must say how much
// (00437 on the document, 00438 on a line). Exact decimals throughout (decimal.ts).
import type { PreflightIssue } from '../types.ts';
import { abs, add, dec, decimalKey, divideByPowerOfTen, formatDecimal, mul, round, sub, within, ZERO } from './decimal.ts';
import type { Decimal } from './decimal.ts';
import type { Discount, Line, Summary } from './invoice-body.ts';
import { amount, capitalized, capped, contentError, lineLabel, sdiRejects } from './rule-kit.ts';
import type { RuleContext } from './rule-kit.ts';

/** ±1 cent on PrezzoTotale (00423). */
const LINE_TOLERANCE = dec('0.01');
/** ±1 euro on ImponibileImporto (00422) and Imposta (00421). */
const SUMMARY_TOLERANCE = dec('1.00');
const ONE = dec('1');
/** Intermediate prices keep this many decimals: far below any tolerance, and bounded work. */
const WORKING_SCALE = 20;

/** Within the tolerance of the exact value, or of that value rounded to cents (how amounts are written). */
function matches(found: Decimal, expected: Decimal, tolerance: Decimal): boolean {
  return within(found, expected, tolerance) || within(found, round(expected, 2), tolerance);
}

interface LineExpectation {
  /** Discounts in cascade: each applies to the price left by the previous one (the usual reading). */
  cascade: Decimal;
  /** Every percentage on the original unit price (another reading some software follows). */
  flat: Decimal;
}

/** Null when something needed is missing or not a number (the schema or 00438 reports it). */
function expectedLineTotal(line: Line): LineExpectation | null {
  if (!line.unitPrice || line.quantity === null) return null;
  let cascade = line.unitPrice;
  let flat = line.unitPrice;
  for (const discount of line.discounts) {
    if ((discount.type !== 'SC' && discount.type !== 'MG') || discount.percent === null || discount.amount === null) return null;
    let cascadeStep: Decimal;
    let flatStep: Decimal;
    if (discount.amount !== undefined) {
      // An amount is per unit and wins over a percentage given with it.
      cascadeStep = abs(discount.amount);
      flatStep = cascadeStep;
    } else if (discount.percent !== undefined) {
      cascadeStep = divideByPowerOfTen(mul(cascade, discount.percent), 2);
      flatStep = divideByPowerOfTen(mul(line.unitPrice, discount.percent), 2);
    } else {
      return null;
    }
    cascade = round(discount.type === 'SC' ? sub(cascade, cascadeStep) : add(cascade, cascadeStep), WORKING_SCALE);
    flat = round(discount.type === 'SC' ? sub(flat, flatStep) : add(flat, flatStep), WORKING_SCALE);
  }
  const quantity = line.quantity ?? ONE;
  return { cascade: mul(cascade, quantity), flat: mul(flat, quantity) };
}

/** "1.10" or, when the exact value has more decimals, "1.10 (1.0987654)". */
function shown(value: Decimal): string {
  const rounded = amount(round(value, 2));
  const precise = formatDecimal(round(value, 8), 2);
  return precise === rounded ? rounded : `${rounded} (${precise})`;
}

function lineTotals(context: RuleContext): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  context.body.lines.forEach((line, index) => {
    const expected = expectedLineTotal(line);
    if (!expected || !line.totalPrice || !line.unitPrice) return;
    if (matches(line.totalPrice, expected.cascade, LINE_TOLERANCE) || matches(line.totalPrice, expected.flat, LINE_TOLERANCE)) return;
    const label = lineLabel(line, index);
    const quantity = line.quantity ? formatDecimal(line.quantity, 2) : '1';
    const withDiscounts =
      line.discounts.length > 0
        ? { it: ', con gli sconti/maggiorazioni applicati in cascata', en: ', with the discounts/surcharges applied in cascade' }
        : { it: '', en: '' };
    const sdi = sdiRejects('00423');
    issues.push(
      contentError(context, 'line_total_mismatch', '00423', `${line.path}/PrezzoTotale`, {
        it: `${capitalized(label.it)}: PrezzoTotale è ${amount(line.totalPrice)}, ma Quantita ${quantity} × PrezzoUnitario ${formatDecimal(line.unitPrice, 2)}${withDiscounts.it} fa ${shown(expected.cascade)}: atteso ${amount(round(expected.cascade, 2))}, trovato ${amount(line.totalPrice)} (SDI ammette 0.01 di differenza). ${sdi.it}. Nel gestionale ricalcolare il totale della riga (o correggere quantità, prezzo o sconti).`,
        en: `${capitalized(label.en)}: PrezzoTotale is ${amount(line.totalPrice)}, but Quantita ${quantity} × PrezzoUnitario ${formatDecimal(line.unitPrice, 2)}${withDiscounts.en} makes ${shown(expected.cascade)}: expected ${amount(round(expected.cascade, 2))}, found ${amount(line.totalPrice)} (SDI allows a 0.01 difference). ${sdi.en}. In the invoicing software recompute the line total (or fix quantity, price or discounts).`,
      }),
    );
  });
  return capped(issues);
}

interface RateGroup {
  rate: Decimal;
  summaries: Summary[];
  taxable: Decimal;
  rounding: Decimal;
  lines: Decimal;
  funds: Decimal;
  /** Some amount is not a number: the schema reports it, the sum is not checked. */
  unreadable: boolean;
  /** No line or contribution has this rate: that is 00443's finding, not a wrong sum. */
  used: boolean;
}

function rateGroups(context: RuleContext): Map<string, RateGroup> {
  const groups = new Map<string, RateGroup>();
  for (const summary of context.body.summaries) {
    if (!summary.rate) continue;
    const key = decimalKey(summary.rate);
    let group = groups.get(key);
    if (!group) {
      group = { rate: summary.rate, summaries: [], taxable: ZERO, rounding: ZERO, lines: ZERO, funds: ZERO, unreadable: false, used: false };
      groups.set(key, group);
    }
    group.summaries.push(summary);
    if (!summary.taxable || summary.rounding === null) group.unreadable = true;
    else {
      group.taxable = add(group.taxable, summary.taxable);
      if (summary.rounding) group.rounding = add(group.rounding, summary.rounding);
    }
  }
  for (const line of context.body.lines) {
    const group = line.rate ? groups.get(decimalKey(line.rate)) : undefined;
    if (!group) continue;
    group.used = true;
    if (line.totalPrice) group.lines = add(group.lines, line.totalPrice);
    else group.unreadable = true;
  }
  for (const fund of context.body.funds) {
    const group = fund.rate ? groups.get(decimalKey(fund.rate)) : undefined;
    if (!group) continue;
    group.used = true;
    if (fund.contribution) group.funds = add(group.funds, fund.contribution);
    else group.unreadable = true;
  }
  return groups;
}

function summaryTaxables(context: RuleContext): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  for (const group of rateGroups(context).values()) {
    if (group.unreadable || !group.used) continue;
    const expected = add(add(group.lines, group.funds), group.rounding);
    if (within(group.taxable, expected, SUMMARY_TOLERANCE)) continue;
    const first = group.summaries[0];
    if (!first) continue;
    const rate = amount(group.rate);
    const several =
      group.summaries.length > 1
        ? {
            it: ` (somma dei ${group.summaries.length} riepiloghi con questa aliquota)`,
            en: ` (sum of the ${group.summaries.length} summaries with this rate)`,
          }
        : { it: '', en: '' };
    const parts = { it: [`linee ${amount(group.lines)}`], en: [`lines ${amount(group.lines)}`] };
    if (group.funds.units !== 0n) {
      parts.it.push(`cassa previdenziale ${amount(group.funds)}`);
      parts.en.push(`welfare fund ${amount(group.funds)}`);
    }
    if (group.rounding.units !== 0n) {
      parts.it.push(`Arrotondamento ${formatDecimal(group.rounding, 2)}`);
      parts.en.push(`Arrotondamento ${formatDecimal(group.rounding, 2)}`);
    }
    const difference = amount(abs(sub(group.taxable, expected)));
    const sdi = sdiRejects('00422');
    issues.push(
      contentError(context, 'summary_taxable_mismatch', '00422', `${first.path}/ImponibileImporto`, {
        it: `Riepilogo IVA all'aliquota ${rate}: ImponibileImporto${several.it} non è la somma dei PrezzoTotale delle linee a questa aliquota, dei contributi di cassa e dell'Arrotondamento (${parts.it.join(' + ')}): atteso ${amount(expected)}, trovato ${amount(group.taxable)}, differenza ${difference} (SDI ammette al massimo 1.00). ${sdi.it}. Nel gestionale ricalcolare il riepilogo dalle righe.`,
        en: `VAT summary at rate ${rate}: ImponibileImporto${several.en} is not the sum of the PrezzoTotale of the lines at this rate, the fund contributions and Arrotondamento (${parts.en.join(' + ')}): expected ${amount(expected)}, found ${amount(group.taxable)}, a difference of ${difference} (SDI allows at most 1.00). ${sdi.en}. In the invoicing software recompute the summary from the lines.`,
      }),
    );
  }
  return issues;
}

function summaryTaxes(context: RuleContext): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  context.body.summaries.forEach((summary, index) => {
    if (!summary.rate || !summary.taxable || !summary.tax) return;
    const expected = divideByPowerOfTen(mul(summary.taxable, summary.rate), 2);
    if (matches(summary.tax, expected, SUMMARY_TOLERANCE)) return;
    if (summary.rounding && matches(summary.tax, add(expected, summary.rounding), SUMMARY_TOLERANCE)) return;
    const rate = amount(summary.rate);
    const sdi = sdiRejects('00421');
    issues.push(
      contentError(context, 'summary_tax_mismatch', '00421', `${summary.path}/Imposta`, {
        it: `Riepilogo IVA ${index + 1}: Imposta è ${amount(summary.tax)}, ma ImponibileImporto ${amount(summary.taxable)} × AliquotaIVA ${rate}% fa ${shown(expected)}: atteso ${amount(round(expected, 2))}, trovato ${amount(summary.tax)} (SDI ammette al massimo 1.00 di differenza). ${sdi.it}. Nel gestionale ricalcolare l'imposta del riepilogo.`,
        en: `VAT summary ${index + 1}: Imposta is ${amount(summary.tax)}, but ImponibileImporto ${amount(summary.taxable)} × AliquotaIVA ${rate}% makes ${shown(expected)}: expected ${amount(round(expected, 2))}, found ${amount(summary.tax)} (SDI allows at most a 1.00 difference). ${sdi.en}. In the invoicing software recompute the summary's tax.`,
      }),
    );
  });
  return issues;
}

function emptyDiscounts(context: RuleContext, discounts: Discount[], code: string, sdiCode: string, where: { it: string; en: string }): PreflightIssue[] {
  return discounts
    .filter((discount) => discount.percent === undefined && discount.amount === undefined)
    .map((discount) => {
      const sdi = sdiRejects(sdiCode);
      const kind = discount.type === 'MG' ? { it: 'maggiorazione', en: 'surcharge' } : { it: 'sconto', en: 'discount' };
      return contentError(context, code, sdiCode, discount.path, {
        it: `${capitalized(where.it)}: ScontoMaggiorazione (${kind.it}) senza Percentuale né Importo. ${sdi.it}. Nel gestionale indicare la percentuale o l'importo, oppure togliere il blocco.`,
        en: `${capitalized(where.en)}: ScontoMaggiorazione (${kind.en}) with neither Percentuale nor Importo. ${sdi.en}. In the invoicing software give the percentage or the amount, or remove the block.`,
      });
    });
}

export function checkAmounts(context: RuleContext): PreflightIssue[] {
  const { body } = context;
  const lineDiscounts: PreflightIssue[] = [];
  body.lines.forEach((line, index) =>
    lineDiscounts.push(...emptyDiscounts(context, line.discounts, 'line_discount_without_value', '00438', lineLabel(line, index))),
  );
  return [
    ...emptyDiscounts(context, body.documentDiscounts, 'document_discount_without_value', '00437', { it: 'documento', en: 'document' }),
    ...capped(lineDiscounts),
    ...lineTotals(context),
    ...summaryTaxables(context),
    ...summaryTaxes(context),
  ];
}
