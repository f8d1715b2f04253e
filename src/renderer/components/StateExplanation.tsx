// What the state means in plain words, and the reason: SDI's errors one per line for a rejection,
// preflight's errors in the reader's language for an invalid invoice, "issued — do not resend" for MC.
import type { DocumentDetail } from '../../contract/local-api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { STATE_TONE, splitErrors } from '../ui/states.ts';
import { preflightOf } from '../ui/invoice-metadata.ts';

export function StateExplanation({ detail }: { detail: DocumentDetail }) {
  const { t, language } = useI18n();
  const tone = STATE_TONE[detail.state];
  // The agent's reason is English; preflight keeps each error in both languages.
  const preflightErrors = detail.state === 'invalid' ? (preflightOf(detail.metadata) ?? []).filter((issue) => issue.severity === 'error') : [];
  const errors = detail.state === 'rejected' ? splitErrors(detail.reason) : preflightErrors.map((issue) => issue.message[language]);
  return (
    <div className={`explanation tone-box-${tone}`} data-testid="state-explanation">
      <p>{t.stateHelp[detail.state]}</p>
      {errors.length > 0 ? (
        <>
          <p className="explanation-subtitle">{detail.state === 'rejected' ? t.rejectedErrors : t.checks.errorsToFix}</p>
          <ul className="error-list">
            {errors.map((line, index) => (
              <li key={index}>{line}</li>
            ))}
          </ul>
        </>
      ) : detail.reason ? (
        <p className="explanation-reason">{detail.reason}</p>
      ) : null}
    </div>
  );
}
