// Preflight of a FatturaPA invoice: the mistakes SDI would reject, caught before anything is sent.
// Errors block sending (the document becomes `invalid`); warnings are shown and let it go.
// docs/preflight.md lists every rule with its texts.
import type { XmlElement } from '../../xml/safe-xml.ts';
import { checkContent } from './content/content-check.ts';
import { romeDate } from './content/rome-date.ts';
import { checkSimplified } from './content/simplified.ts';
import { SIMPLIFIED_NAMESPACE } from './fatturapa-paths.ts';
import { checkFile } from './file-checks.ts';
import { checkHistory } from './history-check.ts';
import { preflightWarning } from './issue.ts';
import { checkPartyIds } from './party-ids-check.ts';
import { checkRecipient } from './recipient-check.ts';
import { checkRoot } from './root-check.ts';
import { checkSchema } from './schema-check.ts';
import type { InvoiceHistory, PreflightContext, PreflightIssue } from './types.ts';

export { checkCodiceFiscale, checkPartitaIva } from './fiscal-ids.ts';
export { sellerKeyOf } from './fatturapa-paths.ts';

function historyChecks(root: XmlElement, history: InvoiceHistory | null): PreflightIssue[] {
  try {
    return checkHistory(root, history);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [
      preflightWarning('history_unavailable', undefined, {
        it: `Non è stato possibile controllare duplicati e numerazione (${reason}).`,
        en: `Duplicates and numbering could not be checked (${reason}).`,
      }),
    ];
  }
}

/** Errors first, each group in rule order. */
function errorsFirst(issues: PreflightIssue[]): PreflightIssue[] {
  return [...issues.filter((issue) => issue.severity === 'error'), ...issues.filter((issue) => issue.severity === 'warning')];
}

function isSimplified(root: XmlElement): boolean {
  return root.uri === SIMPLIFIED_NAMESPACE && root.local === 'FatturaElettronicaSemplificata';
}

export function preflightFatturaPa(root: XmlElement, context: PreflightContext): PreflightIssue[] {
  const today = context.today ?? romeDate(new Date());
  const rootCheck = checkRoot(root);
  const fileIssues = checkFile(context.fileName, context.size);
  if (!rootCheck.isFatturaPa) {
    const simplified = isSimplified(root) ? checkSimplified(root, today) : [];
    return errorsFirst([...rootCheck.issues, ...fileIssues, ...simplified]);
  }

  // The root check already explains a bad versione attribute; the schema would say it again.
  const versioneReported = rootCheck.issues.some((issue) => issue.code === 'invalid_versione');
  const schemaIssues = checkSchema(root).filter((issue) => !(versioneReported && issue.path === '@versione'));
  // Like SDI, the content rules run on a file that conforms to the schema: on a broken one they
  // would mostly repeat the schema's findings in other words.
  const conforms = !rootCheck.issues.some((issue) => issue.severity === 'error') && !schemaIssues.some((issue) => issue.severity === 'error');
  return errorsFirst([
    ...rootCheck.issues,
    ...fileIssues,
    ...schemaIssues,
    ...checkRecipient(root),
    ...checkPartyIds(root),
    ...(conforms ? checkContent(root, today) : []),
    ...historyChecks(root, context.history),
  ]);
}
