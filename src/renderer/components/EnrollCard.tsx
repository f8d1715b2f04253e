// Enrollment by activation code (docs/enrollment.md): on a PC with no API key (HTTPS hub), and again
// from "Activate again" when the key expires or is revoked. The code goes to POST /api/v1/enroll;
// the answer shown is the account and its companies, never the key (the agent keeps it).
import { useEffect, useState, type FormEvent } from 'react';
import type { AgentStatus } from '../../contract/local-api.ts';
import { ENROLL_REFUSAL_TEXT, isEnrollRefusal, type EnrollRequest, type EnrollmentResult } from '../../contract/enrollment.ts';
import type { ApiClient } from '../api/client.ts';
import { ApiError } from '../api/api-error.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ENROLL_MESSAGES } from '../i18n/messages-enroll.ts';
import { useBrandedTexts } from '../branding/branding.tsx';
import { formatDate, formatLocale } from '../ui/format.ts';
import { describeError } from './ErrorNote.tsx';

interface EnrollCardProps {
  api: ApiClient;
  hub: AgentStatus['hub'];
  /** "Activate again" (a key that expires or was revoked) rather than the first run. */
  again: boolean;
  onEnrolled: (result: EnrollmentResult) => void;
  /** Null while there is no key at all: the card stays until the computer is activated. */
  onClose: (() => void) | null;
}

export function EnrollCard({ api, hub, again, onEnrolled, onClose }: EnrollCardProps) {
  const { t, language } = useI18n();
  const m = useBrandedTexts(ENROLL_MESSAGES[language]);
  const refusals = useBrandedTexts(ENROLL_REFUSAL_TEXT[language]);
  const [code, setCode] = useState('');
  const [deviceName, setDeviceName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<EnrollmentResult | null>(null);

  // The computer's name, unless the person already typed one.
  useEffect(() => {
    const controller = new AbortController();
    api.enrollDefaults(controller.signal).then(
      (defaults) => setDeviceName((typed) => (typed === '' ? defaults.deviceName : typed)),
      () => undefined, // the field stays empty: the agent uses the host name anyway
    );
    return () => controller.abort();
  }, [api]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const request: EnrollRequest = { activationCode: code.trim() };
    if (deviceName.trim() !== '') request.deviceName = deviceName.trim();
    api.enroll(request).then(
      (answer) => {
        setCode('');
        setResult(answer);
        setBusy(false);
        onEnrolled(answer);
      },
      (failure: unknown) => {
        setError(failure);
        setBusy(false);
      },
    );
  };

  const blocked = hub.url === '' ? refusals.no_hub : hub.keySource === 'environment' ? refusals.key_from_environment : null;
  const locale = formatLocale(language);

  if (result) {
    return (
      <section className="enroll-card enroll-done" data-testid="enroll-result" aria-labelledby="enroll-title">
        <h2 id="enroll-title">{m.doneTitle}</h2>
        <p data-testid="enroll-account">{m.done(result.deviceName, `${result.account.name} (${result.account.id})`)}</p>
        {result.companies === null ? (
          <p className="muted">{m.noCompanies}</p>
        ) : (
          <>
            <h3>{m.companies}</h3>
            <ul className="enroll-companies" data-testid="enroll-companies">
              {result.companies.map((company) => (
                <li key={company.id}>
                  {company.name} <span className="mono muted">{company.vatNumber}</span>
                </li>
              ))}
            </ul>
          </>
        )}
        <p>
          {result.key.expiresAt ? m.keyUntil(formatDate(result.key.expiresAt, locale)) : m.keyNoExpiry} {m.keyKept}
        </p>
        {onClose ? (
          <button type="button" className="primary" onClick={onClose}>
            {m.close}
          </button>
        ) : null}
      </section>
    );
  }

  return (
    <section className="enroll-card" data-testid="enroll-card" aria-labelledby="enroll-title">
      <h2 id="enroll-title">{again ? m.againTitle : m.title}</h2>
      <p>{m.intro}</p>
      {blocked ? (
        <p className="error-note" role="alert" data-testid="enroll-blocked">
          {blocked}
        </p>
      ) : (
        <form className="enroll-form" onSubmit={submit}>
          <div className="field">
            <label htmlFor="enroll-code">{m.codeField}</label>
            <input
              id="enroll-code"
              type="text"
              autoComplete="off"
              spellCheck={false}
              autoFocus
              value={code}
              onChange={(event) => setCode(event.target.value)}
              aria-describedby="enroll-code-hint"
            />
            <span id="enroll-code-hint" className="muted">
              {m.codeHint}
            </span>
          </div>
          <div className="field">
            <label htmlFor="enroll-device">{m.deviceField}</label>
            <input
              id="enroll-device"
              type="text"
              value={deviceName}
              maxLength={100}
              onChange={(event) => setDeviceName(event.target.value)}
              aria-describedby="enroll-device-hint"
            />
            <span id="enroll-device-hint" className="muted">
              {m.deviceHint}
            </span>
          </div>
          <div className="enroll-actions">
            <button type="submit" className="primary" disabled={busy || code.trim() === ''}>
              {busy ? m.busy : m.submit}
            </button>
            {onClose ? (
              <button type="button" disabled={busy} onClick={onClose}>
                {m.cancel}
              </button>
            ) : null}
          </div>
        </form>
      )}
      {error ? <EnrollError error={error} fallback={describeError(t, error)} /> : null}
    </section>
  );
}

/** A refusal in words (the contract's text, in this language), with the technical reason under it. */
function EnrollError({ error, fallback }: { error: unknown; fallback: string }) {
  const { language } = useI18n();
  const refusals = useBrandedTexts(ENROLL_REFUSAL_TEXT[language]);
  const refusal = error instanceof ApiError && isEnrollRefusal(error.code) ? error.code : null;
  const detail = error instanceof ApiError ? (error.details as { detail?: unknown } | null)?.detail : undefined;
  return (
    <div className="error-note" role="alert" data-testid="enroll-error" data-code={refusal ?? 'other'}>
      <p>{refusal ? refusals[refusal] : fallback}</p>
      {refusal && typeof detail === 'string' ? <p className="enroll-detail">{detail}</p> : null}
    </div>
  );
}
