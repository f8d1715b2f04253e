// The header: is the hub reachable, when it last synced, credits, API key expiry, live updates,
// Pause sending, Settings and the language switch.
import type { AgentStatus } from '../../contract/local-api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { FeedState } from '../hooks/use-event-feed.ts';
import { daysUntil, formatDate, formatDateTime, formatLocale, formatNumber } from '../ui/format.ts';
import { LanguageSwitch } from './LanguageSwitch.tsx';
import { useBranding } from '../branding/branding.tsx';

const KEY_EXPIRY_WARNING_DAYS = 30;

interface TopBarProps {
  status: AgentStatus | null;
  feed: FeedState;
  busy: boolean;
  onPause: () => void;
  settingsOpen: boolean;
  onSettings: () => void;
  /** Shows the documents awaiting approval (the count in the header). */
  onAwaiting?: () => void;
}

export function TopBar({ status, feed, busy, onPause, settingsOpen, onSettings, onAwaiting }: TopBarProps) {
  const { t, language } = useI18n();
  const branding = useBranding();
  const locale = formatLocale(language);
  const hub = status?.hub;
  const hubTone = hub?.reachable === true ? 'ok' : hub?.reachable === false ? 'problem' : 'neutral';
  const hubLabel = hub?.reachable === true ? t.hubReachable : hub?.reachable === false ? t.hubUnreachable : t.hubUnknown;
  const keyDays = daysUntil(hub?.keyExpiresAt ?? null);
  const awaiting = status?.counts.awaiting_approval ?? 0;

  return (
    <header className="topbar">
      <div className="brand">
        <img src={branding.logo?.url ?? './favicon.svg'} alt="" className="brand-mark" width="28" height="28" data-testid="brand-logo" />
        <div>
          <h1 data-testid="brand-name">{branding.productName}</h1>
          <p className="tagline">{t.tagline}</p>
        </div>
      </div>

      <ul className="status-facts">
        <li className={`fact tone-text-${hubTone}`} title={hub?.lastError ?? hub?.url ?? ''} data-testid="hub-state">
          <span className={`dot tone-${hubTone}`} aria-hidden="true" />
          {hubLabel}
        </li>
        <li className="fact">
          <span className="fact-label">{t.lastSync}</span> {hub?.lastSyncAt ? formatDateTime(hub.lastSyncAt, locale) : t.never}
        </li>
        {hub?.credits !== null && hub?.credits !== undefined ? (
          <li className={`fact ${hub.credits <= 0 ? 'tone-text-problem' : ''}`}>
            <span className="fact-label">{t.credits}</span> {formatNumber(hub.credits, locale)}
          </li>
        ) : null}
        {hub?.keyExpiresAt ? (
          <li
            className={`fact ${keyDays !== null && keyDays < 0 ? 'tone-text-problem' : keyDays !== null && keyDays < KEY_EXPIRY_WARNING_DAYS ? 'tone-text-waiting' : ''}`}
          >
            <span className="fact-label">{keyDays !== null && keyDays < 0 ? t.keyExpired : t.keyExpires}</span> {formatDate(hub.keyExpiresAt, locale)}
          </li>
        ) : null}
        {awaiting > 0 ? (
          <li className="fact tone-text-waiting">
            <button type="button" className="link awaiting-count" title={t.approval.awaitingTitle} onClick={onAwaiting} data-testid="awaiting-count">
              {t.approval.awaiting(awaiting)}
            </button>
          </li>
        ) : null}
        <li className={`fact live live-${feed}`} data-testid="live-state">
          <span className={`dot ${feed === 'live' ? 'tone-ok' : feed === 'lost' ? 'tone-problem' : 'tone-neutral'}`} aria-hidden="true" />
          {feed === 'live' ? t.liveOn : feed === 'lost' ? t.liveLost : t.liveConnecting}
        </li>
      </ul>

      <div className="topbar-actions">
        {/* When paused, the hold banner carries "Riprendi invio" next to its explanation. */}
        {status && !status.paused ? (
          <button type="button" disabled={busy} onClick={onPause}>
            {t.pause}
          </button>
        ) : null}
        <button type="button" className={settingsOpen ? 'toggled' : undefined} aria-pressed={settingsOpen} onClick={onSettings} data-testid="settings-button">
          {t.settings.open}
        </button>
        <LanguageSwitch />
      </div>
    </header>
  );
}
