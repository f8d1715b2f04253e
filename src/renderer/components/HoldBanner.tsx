// The queue-wide hold, impossible to miss: why nothing is being sent and what to do about it. An
// invalid API key can be replaced right here (PUT /credentials, write-only). When the hub does not
// answer: since when, and when the one probe asks it again (docs/hub-outages.md).
import { useState, type FormEvent } from 'react';
import type { AgentStatus } from '../../contract/local-api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatDateTime, formatLocale } from '../ui/format.ts';
import type { ApiClient } from '../api/client.ts';
import { ErrorNote } from './ErrorNote.tsx';
import type { Messages } from '../i18n/messages-it.ts';
import { ENROLL_MESSAGES } from '../i18n/messages-enroll.ts';

type HoldKind = keyof Messages['holdTitle'];
const KNOWN_HOLDS: readonly string[] = ['paused', 'credits', 'auth', 'host_key', 'permissions', 'unreachable'];

function holdKind(code: string): HoldKind {
  return KNOWN_HOLDS.includes(code) ? (code as HoldKind) : 'other';
}

interface HoldBannerProps {
  hold: NonNullable<AgentStatus['hold']>;
  paused: boolean;
  /** The API key form is for the HTTPS hub; SFTP credentials are set up in the settings. */
  transport: AgentStatus['hub']['transport'];
  /** The hub's state, for an outage's "since … next try in …". */
  hub?: AgentStatus['hub'];
  busy: boolean;
  api: ApiClient;
  onResume: () => void;
  /** A key the hub refuses (expired, revoked): "Activate again" with a new code (docs/enrollment.md). */
  onEnroll?: () => void;
}

export function HoldBanner({ hold, paused, transport, hub, busy, api, onResume, onEnroll }: HoldBannerProps) {
  const { t, language } = useI18n();
  const kind = holdKind(hold.code);
  const outage = kind === 'unreachable' && hub ? outageLine(hub, t) : null;
  return (
    <section className={`hold-banner hold-${kind}`} role="status" data-testid="hold-banner" data-hold={hold.code}>
      <div className="hold-text">
        <h2>{t.holdTitle[kind]}</h2>
        <p>{t.holdHelp[kind]}</p>
        {outage ? (
          // aria-live off: the durations tick with every status reload; a screen reader should not re-read them each time.
          <p className="hold-outage" data-testid="hub-outage" aria-live="off">
            {outage}
          </p>
        ) : null}
        <p className="hold-reason">
          {hold.reason} · {t.holdSince} {formatDateTime(hold.since, formatLocale(language))}
        </p>
        {kind === 'auth' && transport === 'https' && onEnroll && hub?.keySource !== 'environment' ? (
          <p>
            <button type="button" className="primary" onClick={onEnroll} data-testid="enroll-again">
              {ENROLL_MESSAGES[language].again}
            </button>
          </p>
        ) : null}
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

function outageLine(hub: AgentStatus['hub'], t: Messages): string | null {
  if (hub.unreachableSince === null) return null;
  // The status is read again every few seconds: the durations follow.
  const now = Date.now();
  const next = hub.nextTryAt === null ? null : shortDuration(Date.parse(hub.nextTryAt) - now);
  return t.hubOutage(shortDuration(now - Date.parse(hub.unreachableSince)), next);
}

/** "40 s", "12 min", "3 h": the same in Italian and English. */
function shortDuration(ms: number): string {
  const seconds = Number.isFinite(ms) ? Math.max(0, Math.round(ms / 1000)) : 0;
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
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
