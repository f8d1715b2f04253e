// The API key's expiry, from 30 days ahead (docs/enrollment.md#expiry): when, what happens then,
// and "Activate again" with a new code. Once the hub refuses the key, the hold banner says it instead.
import type { AgentStatus } from '../../contract/local-api.ts';
import { keyExpiry } from '../../contract/enrollment.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ENROLL_MESSAGES } from '../i18n/messages-enroll.ts';
import { useBrandedTexts } from '../branding/branding.tsx';
import { formatDate, formatLocale } from '../ui/format.ts';

interface KeyExpiryBannerProps {
  hub: AgentStatus['hub'];
  onEnroll: () => void;
  /** The time to judge by (the status is read again every few seconds, so this follows). */
  now?: number;
}

export function KeyExpiryBanner({ hub, onEnroll, now = Date.now() }: KeyExpiryBannerProps) {
  const { language } = useI18n();
  const m = useBrandedTexts(ENROLL_MESSAGES[language]);
  const expiry = keyExpiry(hub.keyExpiresAt, now);
  if (hub.transport !== 'https' || (expiry.level !== 'soon' && expiry.level !== 'expired')) return null;
  const date = formatDate(hub.keyExpiresAt, formatLocale(language));
  const expired = expiry.level === 'expired';
  return (
    <section
      className={`hold-banner key-expiry ${expired ? 'hold-auth' : 'hold-other'}`}
      role="status"
      data-testid="key-expiry-banner"
      data-level={expiry.level}
    >
      <div className="hold-text">
        <h2>{expired ? m.expiredTitle(date) : m.soonTitle(expiry.daysLeft ?? 0)}</h2>
        <p>{expired ? m.expiredHelp : m.soonHelp(date)}</p>
      </div>
      {hub.keySource === 'environment' ? null : (
        <button type="button" className="primary" onClick={onEnroll}>
          {m.again}
        </button>
      )}
    </section>
  );
}
