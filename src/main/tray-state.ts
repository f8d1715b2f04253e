// What the tray shows for an agent status: one of four icons and a one-line tooltip. Pure, so every
// case is tested without Electron. Precedence: something broken (error) > something the user must
// do (attention) > documents on their way (working) > nothing pending (ok).
import type { AgentStatus } from '../contract/local-api.ts';
import type { DocumentState } from '../contract/states.ts';
import { stringsFor, type Locale } from './i18n.ts';
import { keyExpiry } from '../contract/enrollment.ts';

export type TrayIcon = 'ok' | 'working' | 'attention' | 'error';

export const TRAY_ICONS: readonly TrayIcon[] = ['ok', 'working', 'attention', 'error'];

export interface TrayState {
  icon: TrayIcon;
  tooltip: string;
}

/** Windows cuts tray tooltips at 127 characters; keep ours whole and readable everywhere. */
export const MAX_TOOLTIP_LENGTH = 127;

/** Documents the agent still has to hand to the hub. */
const PENDING_STATES: readonly DocumentState[] = ['captured', 'queued', 'sending', 'held'];
/** Documents moving right now (not stopped by a hold). */
const MOVING_STATES: readonly DocumentState[] = ['captured', 'queued', 'sending'];

/** `productName`: a reseller's brand (docs/white-label.md) heads the tooltip instead of Recapito. */
export function trayStateFor(status: AgentStatus, locale: Locale = 'it', productName?: string, now: number = Date.now()): TrayState {
  const text = stringsFor(locale).tray;
  const pending = countOf(status, PENDING_STATES);
  const toApprove = countOf(status, ['awaiting_approval']);
  // Documents waiting for a person are said whatever else the headline is (docs/approval.md).
  const withQueue = (headline: string): string =>
    [headline, pending > 0 ? text.waiting(pending) : null, toApprove > 0 ? text.toApprove(toApprove) : null].filter(Boolean).join(' · ');
  const tooltip = (headline: string): string => clip(`${stringsFor(locale, productName).appName} — ${headline}`);

  const failedService = status.services.find((service) => service.state === 'failed');
  if (failedService) return { icon: 'error', tooltip: tooltip(withQueue(text.serviceFailed(failedService.name))) };

  // A full disk stops every capture channel: said before anything about sending.
  if (status.captureHold) return { icon: 'error', tooltip: tooltip(withQueue(text.diskFull(status.captureHold.reason))) };

  const brokenWatcher = status.watchers.find((watcher) => watcher.state !== 'watching');
  if (brokenWatcher) return { icon: 'error', tooltip: tooltip(withQueue(text.folderUnavailable(brokenWatcher.folder))) };

  // An outage (docs/hub-outages.md), whatever the transport: since when, and when the one probe asks again.
  const since = status.hub.unreachableSince === null ? NaN : Date.parse(status.hub.unreachableSince);
  if (Number.isFinite(since)) {
    const next = status.hub.nextTryAt === null ? NaN : Date.parse(status.hub.nextTryAt);
    const headline = text.hubOutage(shortDuration(now - since), Number.isFinite(next) ? shortDuration(next - now) : null);
    return { icon: 'error', tooltip: tooltip(withQueue(headline)) };
  }

  if (status.hub.url !== '' && status.hub.reachable === false) {
    return { icon: 'error', tooltip: tooltip(withQueue(text.hubUnreachable(shortError(status.hub.lastError)))) };
  }

  if (status.paused || status.hold) return { icon: 'attention', tooltip: tooltip(withQueue(holdHeadline(status, locale))) };

  if (status.hub.url === '') return { icon: 'attention', tooltip: tooltip(withQueue(text.noHub)) };

  // The API key (docs/enrollment.md): none yet, or expired, is something to do; expiring within
  // 30 days is said after the headline (and in the menu), the icon unchanged.
  if (status.hub.transport === 'https' && status.hub.keySource === null) return { icon: 'attention', tooltip: tooltip(withQueue(text.notEnrolled)) };
  const keyWarning = keyWarningFor(status, locale, now);
  if (keyWarning !== null && keyExpiry(status.hub.keyExpiresAt, now).level === 'expired') return { icon: 'attention', tooltip: tooltip(withQueue(keyWarning)) };
  const withKey = (headline: string): string => (keyWarning === null ? headline : `${headline} · ${keyWarning}`);

  if (toApprove > 0) return { icon: 'attention', tooltip: tooltip(withKey(text.awaitingApproval(toApprove))) };

  const moving = countOf(status, MOVING_STATES);
  if (moving > 0) return { icon: 'working', tooltip: tooltip(withKey(text.sending(moving))) };

  return { icon: 'ok', tooltip: tooltip(withKey(text.allDelivered)) };
}

/** The HTTPS hub's key expiring within 30 days, or expired: what the tooltip and the menu say; null otherwise. */
export function keyWarningFor(status: AgentStatus, locale: Locale = 'it', now: number = Date.now()): string | null {
  if (status.hub.transport !== 'https') return null;
  const text = stringsFor(locale).tray;
  const expiry = keyExpiry(status.hub.keyExpiresAt, now);
  if (expiry.level === 'expired') return text.keyExpired;
  if (expiry.level === 'soon' && expiry.daysLeft !== null) return text.keyExpiresIn(expiry.daysLeft);
  return null;
}

function holdHeadline(status: AgentStatus, locale: Locale): string {
  const text = stringsFor(locale).tray;
  // A person's pause wins over a hub hold in what is shown, as in the core.
  if (status.paused || status.hold?.code === 'paused') return text.paused;
  switch (status.hold?.code) {
    case 'credits':
      return text.heldNoCredits;
    case 'auth':
      // A new PC has no key to be "not valid": it is to be activated (docs/enrollment.md).
      return status.hub.transport === 'https' && status.hub.keySource === null ? text.notEnrolled : text.heldKeyInvalid;
    case 'host_key':
      return text.heldHostKey;
    case 'permissions':
      return text.heldPermissions;
    default:
      return text.held(status.hold?.reason ?? '?');
  }
}

function countOf(status: AgentStatus, states: readonly DocumentState[]): number {
  return states.reduce((sum, state) => sum + (status.counts[state] ?? 0), 0);
}

/** The first clause of a transport error: enough to tell "timeout" from "certificate" in a tooltip. */
function shortError(error: string | null): string | null {
  if (!error) return null;
  const first = error.split(/[;\n]/)[0]?.trim() ?? '';
  return first === '' ? null : first;
}

/** "40 s", "12 min", "3 h": the same in Italian and English. */
function shortDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}

function clip(text: string): string {
  return text.length <= MAX_TOOLTIP_LENGTH ? text : `${text.slice(0, MAX_TOOLTIP_LENGTH - 1)}…`;
}
