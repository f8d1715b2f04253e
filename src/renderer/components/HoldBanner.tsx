// The queue-wide hold, impossible to miss: why nothing is being sent and what to do about it. An
// invalid API key can be replaced right here (PUT /credentials, write-only).
import { useState, type FormEvent } from 'react';
import type { AgentStatus } from '../../contract/local-api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatDateTime, formatLocale } from '../ui/format.ts';
import type { ApiClient } from '../api/client.ts';
import { ErrorNote } from './ErrorNote.tsx';
import type { Messages } from '../i18n/messages-it.ts';

type HoldKind = keyof Messages['holdTitle'];
const KNOWN_HOLDS: readonly string[] = ['paused', 'credits', 'auth', 'host_key', 'permissions'];

function holdKind(code: string): HoldKind {
  return KNOWN_HOLDS.includes(code) ? (code as HoldKind) : 'other';
}

interface HoldBannerProps {
  hold: NonNullable<AgentStatus['hold']>;
  paused: boolean;
  /** The API key form is for the HTTPS hub; SFTP credentials are set up in the settings. */
  transport: AgentStatus['hub']['transport'];
  busy: boolean;
  api: ApiClient;
  onResume: () => void;
}

export function HoldBanner({ hold, paused, transport, busy, api, onResume }: HoldBannerProps) {
  const { t, language } = useI18n();
  const kind = holdKind(hold.code);
  return (
    <section className={`hold-banner hold-${kind}`} role="status" data-testid="hold-banner" data-hold={hold.code}>
      <div className="hold-text">
        <h2>{t.holdTitle[kind]}</h2>
        <p>{t.holdHelp[kind]}</p>
        <p className="hold-reason">
          {hold.reason} · {t.holdSince} {formatDateTime(hold.since, formatLocale(language))}
        </p>
        {kind === 'auth' && transport === 'https' ? <ApiKeyForm api={api} /> : null}
      </div>
      {paused ? (
        <button type="button" className="primary" disabled={busy} onClick={onResume}>
          {t.resume}
        </button>
      ) : null}
    </section>
  );
}

function ApiKeyForm({ api }: { api: ApiClient }) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setSaved(false);
    api.setHubApiKey(key.trim()).then(
      () => {
        setKey('');
        setError(null);
        setSaved(true);
        setBusy(false);
      },
      (failure: unknown) => {
        setError(failure);
        setBusy(false);
      },
    );
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <label htmlFor="hub-api-key">{t.newKeyField}</label>
      <input id="hub-api-key" type="password" autoComplete="off" spellCheck={false} value={key} onChange={(event) => setKey(event.target.value)} />
      <button type="submit" disabled={busy || key.trim().length === 0}>
        {t.newKeySubmit}
      </button>
      {saved ? <span className="saved-note">{t.newKeySaved}</span> : null}
      <ErrorNote error={error} />
    </form>
  );
}
