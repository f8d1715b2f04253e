// What the state means in plain words, and the reason: SDI's errors one per line for a rejection,
// "issued — do not resend" for MC.
import type { DocumentDetail } from '../../contract/local-api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { STATE_TONE, splitErrors } from '../ui/states.ts';

export function StateExplanation({ detail }: { detail: DocumentDetail }) {
  const { t } = useI18n();
  const tone = STATE_TONE[detail.state];
  const errors = detail.state === 'rejected' ? splitErrors(detail.reason) : [];
  return (
    <div className={`explanation tone-box-${tone}`} data-testid="state-explanation">
      <p>{t.stateHelp[detail.state]}</p>
      {errors.length > 0 ? (
        <>
          <p className="explanation-subtitle">{t.rejectedErrors}</p>
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
