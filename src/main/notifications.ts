// Which agent events deserve a desktop notification, and what it says. Pure: the feed that reads
// events and the Electron glue that shows them live elsewhere. Only outcomes a person must act on
// are notified (a rejected, refused, undelivered or failed document; the queue put on hold by the
// hub); routine progress never is.
import type { AgentStatus, DocumentEvent } from '../contract/local-api.ts';
import type { DocumentState } from '../contract/states.ts';
import { stringsFor, type Locale } from './i18n.ts';
import { keyExpiry } from '../contract/enrollment.ts';

export interface ShellNotification {
  title: string;
  body: string;
  /** The document to show when the notification is clicked; null for queue-wide news. */
  documentId: string | null;
  /** Same key, same news: the feed shows each key once. */
  key: string;
}

/** Longest body we show: notification centres cut long text anyway, and reasons can be long. */
export const MAX_BODY_LENGTH = 240;

/** Hub outcomes that end a document's journey badly; each arrives as `document.hub_status`. */
const HUB_PROBLEM_STATES: readonly DocumentState[] = ['rejected', 'not_delivered', 'refused'];

/**
 * The notification for one event, or null when the event is not news for the user.
 * `documentName` is the captured file's name, looked up by the caller (the event carries only the id).
 */
export function notificationFor(event: DocumentEvent, documentName: string | null, locale: Locale = 'it', productName?: string): ShellNotification | null {
  const text = stringsFor(locale, productName).notifications;
  const name = documentName ?? text.unnamedDocument;
  const reason = event.message?.trim() || null;

  if (event.type === 'queue.held') {
    const code = typeof event.data?.code === 'string' ? event.data.code : null;
    const key = `queue.held:${code ?? 'other'}`;
    switch (code) {
      case 'credits':
        return { title: text.heldNoCreditsTitle, body: text.heldNoCreditsBody, documentId: null, key };
      case 'auth':
        return { title: text.heldKeyInvalidTitle, body: text.heldKeyInvalidBody, documentId: null, key };
      case 'host_key':
        return { title: text.heldHostKeyTitle, body: text.heldHostKeyBody, documentId: null, key };
      case 'permissions':
        return { title: text.heldPermissionsTitle, body: text.heldPermissionsBody, documentId: null, key };
      case 'unreachable':
        // Nothing for a person to do: the agent probes and resumes by itself; the tray and the
        // window say since when and the next try (docs/hub-outages.md).
        return null;
      default:
        return { title: text.heldTitle, body: clip(reason ?? text.heldTitle), documentId: null, key };
    }
  }

  if (!event.documentId || !event.state) return null;
  const key = `${event.documentId}:${event.state}`;

  if (event.type === 'document.failed' && event.state === 'failed') {
    return { title: text.failedTitle, body: clip(withReason(name, reason)), documentId: event.documentId, key };
  }
  if (event.type === 'document.hub_status' && HUB_PROBLEM_STATES.includes(event.state)) {
    switch (event.state) {
      case 'rejected':
        return { title: text.rejectedTitle, body: clip(withReason(name, reason)), documentId: event.documentId, key };
      case 'refused':
        return { title: text.refusedTitle, body: clip(withReason(name, reason)), documentId: event.documentId, key };
      default:
        return { title: text.notDeliveredTitle, body: clip(text.notDeliveredBody(name)), documentId: event.documentId, key };
    }
  }
  return null;
}

/**
 * A burst (a reconciliation after a night offline, a batch rejected at once) becomes one summary
 * instead of a wall of popups: up to `max` notifications pass as they are, more become one.
 */
export function coalesceNotifications(notifications: readonly ShellNotification[], locale: Locale = 'it', max = 3, productName?: string): ShellNotification[] {
  if (notifications.length <= max) return [...notifications];
  const text = stringsFor(locale, productName).notifications;
  return [{ title: text.summaryTitle(notifications.length), body: text.summaryBody, documentId: null, key: 'summary' }];
}

/**
 * The HTTPS hub's API key entering the 30-day window, or expired (docs/enrollment.md), as a
 * notification; null otherwise. Its key names the key's expiry and the stage, so the shell shows
 * each stage of each key once (KeyExpiryNotifier, notification-feed.ts).
 */
export function keyExpiryNotification(
  hub: Pick<AgentStatus['hub'], 'transport' | 'keyExpiresAt'>,
  now: number,
  locale: Locale = 'it',
  productName?: string,
): ShellNotification | null {
  if (hub.transport !== 'https' || !hub.keyExpiresAt) return null;
  const text = stringsFor(locale, productName).notifications;
  const expiry = keyExpiry(hub.keyExpiresAt, now);
  const key = `key-expiry:${hub.keyExpiresAt}:${expiry.level}`;
  if (expiry.level === 'expired') return { title: text.keyExpiredTitle, body: text.keyExpiredBody, documentId: null, key };
  if (expiry.level !== 'soon' || expiry.daysLeft === null) return null;
  const date = new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', { dateStyle: 'long' }).format(new Date(hub.keyExpiresAt));
  return { title: text.keyExpiringTitle(expiry.daysLeft), body: text.keyExpiringBody(date), documentId: null, key };
}

function withReason(name: string, reason: string | null): string {
  return reason ? `${name}: ${reason}` : name;
}

function clip(text: string): string {
  return text.length <= MAX_BODY_LENGTH ? text : `${text.slice(0, MAX_BODY_LENGTH - 1)}…`;
}
