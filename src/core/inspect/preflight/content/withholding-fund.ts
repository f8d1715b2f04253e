// Withholding tax: a line (00411) or a welfare fund contribution (00415) marked Ritenuta SI needs
// at least one DatiRitenuta block in the document, which says what is withheld (any of RT01–RT06).
import type { PreflightIssue } from '../types.ts';
import { capitalized, contentError, lineLabel, sdiRejects } from './rule-kit.ts';
import type { RuleContext } from './rule-kit.ts';

export function checkWithholding(context: RuleContext): PreflightIssue[] {
  const { body } = context;
  if (body.withholdings > 0) return [];
  const issues: PreflightIssue[] = [];
  const lines = body.lines.map((line, index) => ({ line, index })).filter(({ line }) => line.withholding);
  const first = lines[0];
  if (first) {
    const label = lineLabel(first.line, first.index);
    const others = lines.length > 1 ? { it: ` (e altre ${lines.length - 1} linee)`, en: ` (and ${lines.length - 1} more lines)` } : { it: '', en: '' };
    const sdi = sdiRejects('00411');
    issues.push(
      contentError(context, 'line_withholding_without_data', '00411', `${first.line.path}/Ritenuta`, {
        it: `${capitalized(label.it)}${others.it}: Ritenuta SI, ma il documento non ha DatiRitenuta (tipo, importo, aliquota e causale della ritenuta). ${sdi.it}. Nel gestionale compilare i dati della ritenuta d'acconto, oppure togliere Ritenuta SI dalle righe che non vi sono soggette.`,
        en: `${capitalized(label.en)}${others.en}: Ritenuta SI, but the document has no DatiRitenuta (type, amount, rate and reason of the withholding). ${sdi.en}. In the invoicing software fill in the withholding tax data, or remove Ritenuta SI from the lines not subject to it.`,
      }),
    );
  }
  for (const fund of body.funds.filter((candidate) => candidate.withholding)) {
    const sdi = sdiRejects('00415');
    issues.push(
      contentError(context, 'fund_withholding_without_data', '00415', `${fund.path}/Ritenuta`, {
        it: `Cassa previdenziale: Ritenuta SI, ma il documento non ha DatiRitenuta. ${sdi.it}. Nel gestionale compilare i dati della ritenuta d'acconto, oppure togliere Ritenuta SI dal contributo.`,
        en: `Welfare fund: Ritenuta SI, but the document has no DatiRitenuta. ${sdi.en}. In the invoicing software fill in the withholding tax data, or remove Ritenuta SI from the contribution.`,
      }),
    );
  }
  return issues;
}
