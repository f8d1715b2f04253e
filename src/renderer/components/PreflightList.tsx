// What preflight found, in the reader's language: errors (red, they block sending) first, then
// warnings (amber; "error, sent anyway" when intake.preflight is "warn"), each with where in the
// file; a green "no problems" for a clean invoice.
import type { DocumentDetail } from '../../contract/local-api.ts';
import type { PreflightIssue } from '../../contract/invoice.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { preflightOf } from '../ui/invoice-metadata.ts';

export function ChecksSection({ detail }: { detail: DocumentDetail }) {
  const { t } = useI18n();
  const issues = preflightOf(detail.metadata);
  if (!issues) return null;
  const invoiceFile = detail.kind === 'fatturapa' || detail.kind === 'p7m';
  if (issues.length === 0 && !invoiceFile) return null;
  return (
    <section className="detail-section checks-section" data-testid="checks-section">
      <h3>{t.checks.title}</h3>
      {issues.length === 0 ? (
        <p className="checks-none" data-testid="checks-none">
          <span aria-hidden="true">✓ </span>
          {t.checks.none}
        </p>
      ) : (
        <PreflightList issues={issues} />
      )}
    </section>
  );
}

function PreflightList({ issues }: { issues: PreflightIssue[] }) {
  const { t, language } = useI18n();
  return (
    <ul className="preflight-list">
      {issues.map((issue, index) => (
        <li
          key={index}
          className={`preflight-issue preflight-${issue.severity}${issue.downgraded ? ' preflight-downgraded' : ''}`}
          data-testid="preflight-issue"
          data-severity={issue.severity}
          data-code={issue.code}
          {...(issue.downgraded ? { 'data-downgraded': 'true', title: t.checks.downgradedHelp } : {})}
        >
          <span className="preflight-severity">{issue.severity === 'error' ? t.checks.error : issue.downgraded ? t.checks.downgraded : t.checks.warning}</span>
          <span className="preflight-message">{issue.message[language]}</span>
          {issue.path ? <span className="preflight-path mono">{issue.path}</span> : null}
        </li>
      ))}
    </ul>
  );
}
