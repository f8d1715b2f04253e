// The VAT summaries (DatiRiepilogo) must match what the lines and the welfare fund use: a summary
// for every rate (00419), no summary for a rate nothing uses (00443), and the same natures on both
// sides (00444).
import type { PreflightIssue } from '../types.ts';
import { decimalKey, isZero } from './decimal.ts';
import type { Decimal } from './decimal.ts';
import type { Summary } from './invoice-body.ts';
import { amount, contentError, lineLabel, sdiRejects } from './rule-kit.ts';
import type { RuleContext } from './rule-kit.ts';

interface Use {
  rate: Decimal;
  /** Where it is first used, for the message. */
  where: { it: string; en: string };
}

interface Uses {
  rates: Map<string, Use>;
  natures: Map<string, Use & { nature: string }>;
  /** A zero rate without nature was seen (00400/00413 say so): the natures are not all known. */
  natureMissing: boolean;
}

function usesOf(context: RuleContext): Uses {
  const uses: Uses = { rates: new Map(), natures: new Map(), natureMissing: false };
  const natureWithRate = context.body.docType === 'TD16';
  const note = (rate: Decimal | null, nature: string | undefined, where: Use['where']): void => {
    if (!rate) return;
    const key = decimalKey(rate);
    if (!uses.rates.has(key)) uses.rates.set(key, { rate, where });
    if (isZero(rate) && nature === undefined) uses.natureMissing = true;
    // A nature next to a rate above zero is already an error (00401/00414), except in TD16.
    if (nature !== undefined && (isZero(rate) || natureWithRate) && !uses.natures.has(nature)) uses.natures.set(nature, { rate, where, nature });
  };
  context.body.lines.forEach((line, index) => note(line.rate, line.nature, lineLabel(line, index)));
  for (const fund of context.body.funds) note(fund.rate, fund.nature, { it: 'cassa previdenziale', en: 'welfare fund' });
  return uses;
}

export function checkSummaryMatch(context: RuleContext): PreflightIssue[] {
  const { body } = context;
  const uses = usesOf(context);
  const summaryRates = new Map<string, Summary>();
  const summaryNatures = new Map<string, Summary>();
  for (const summary of body.summaries) {
    if (summary.rate && !summaryRates.has(decimalKey(summary.rate))) summaryRates.set(decimalKey(summary.rate), summary);
    if (summary.nature !== undefined && !summaryNatures.has(summary.nature)) summaryNatures.set(summary.nature, summary);
  }
  const summaryPath = `${body.path}/DatiBeniServizi/DatiRiepilogo`;
  const issues: PreflightIssue[] = [];

  for (const [key, use] of uses.rates) {
    if (summaryRates.has(key)) continue;
    const sdi = sdiRejects('00419');
    issues.push(
      contentError(context, 'summary_missing_for_rate', '00419', summaryPath, {
        it: `Manca il riepilogo IVA (DatiRiepilogo) per l'aliquota ${amount(use.rate)}, usata nella ${use.where.it}. ${sdi.it} (o 00443). Nel gestionale fare in modo che ogni aliquota usata abbia il suo blocco di riepilogo, con imponibile e imposta.`,
        en: `There is no VAT summary (DatiRiepilogo) for rate ${amount(use.rate)}, used in ${use.where.en}. ${sdi.en} (or 00443). In the invoicing software make every rate used have its own summary block, with taxable amount and tax.`,
      }),
    );
  }
  for (const [key, summary] of summaryRates) {
    if (uses.rates.has(key) || !summary.rate) continue;
    const sdi = sdiRejects('00443');
    issues.push(
      contentError(context, 'summary_rate_unused', '00443', `${summary.path}/AliquotaIVA`, {
        it: `Il riepilogo IVA ha l'aliquota ${amount(summary.rate)}, che nessuna linea (né la cassa previdenziale) usa. ${sdi.it}. Nel gestionale togliere questo riepilogo o correggere l'aliquota delle linee.`,
        en: `The VAT summary has rate ${amount(summary.rate)}, which no line (nor the welfare fund) uses. ${sdi.en}. In the invoicing software remove this summary or fix the lines' rate.`,
      }),
    );
  }
  for (const [nature, use] of uses.natures) {
    // A rate without any summary is already reported (00419): one mistake, one finding.
    if (summaryNatures.has(nature) || !summaryRates.has(decimalKey(use.rate))) continue;
    const sdi = sdiRejects('00444');
    issues.push(
      contentError(context, 'summary_nature_mismatch', '00444', summaryPath, {
        it: `Nessun riepilogo IVA ha la natura ${nature}, usata nella ${use.where.it}. ${sdi.it}. Nel gestionale riepilogare a parte ogni natura usata (un blocco DatiRiepilogo per natura, con la sua aliquota 0).`,
        en: `No VAT summary has nature ${nature}, used in ${use.where.en}. ${sdi.en}. In the invoicing software summarise every nature used on its own (one DatiRiepilogo block per nature, with its rate 0).`,
      }),
    );
  }
  for (const [nature, summary] of summaryNatures) {
    if (uses.natureMissing || uses.natures.has(nature) || !summary.rate || !uses.rates.has(decimalKey(summary.rate))) continue;
    // A nature next to a rate above zero is already an error (00430).
    if (!isZero(summary.rate) && context.body.docType !== 'TD16') continue;
    const sdi = sdiRejects('00444');
    issues.push(
      contentError(context, 'summary_nature_mismatch', '00444', `${summary.path}/Natura`, {
        it: `Il riepilogo IVA ha la natura ${nature}, che nessuna linea (né la cassa previdenziale) usa. ${sdi.it}. Nel gestionale correggere la natura del riepilogo o quella delle linee.`,
        en: `The VAT summary has nature ${nature}, which no line (nor the welfare fund) uses. ${sdi.en}. In the invoicing software fix the summary's nature or the lines'.`,
      }),
    );
  }
  return issues;
}
