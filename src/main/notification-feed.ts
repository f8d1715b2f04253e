// Follows the agent's event log (long poll, in process) and turns the events worth a desktop
// notification into calls to `show`. Knows nothing of Electron: the shell passes `show`.
import type { AgentStatus, DocumentEvent, EventsPage } from '../contract/local-api.ts';
import type { DocumentState } from '../contract/states.ts';
import type { Logger } from '../core/log/logger.ts';
import type { Locale } from './i18n.ts';
import { coalesceNotifications, keyExpiryNotification, notificationFor, type ShellNotification } from './notifications.ts';

export interface NotificationEventSource {
  events(since: number, timeoutSeconds: number, limit: number, signal?: AbortSignal): Promise<EventsPage>;
  documentName(id: string): string | null;
}

export interface NotificationFeedOptions {
  source: NotificationEventSource;
  /** Events up to this sequence number are old news (already notified, or before the first run). */
  afterSeq: number;
  locale: Locale;
  /** A reseller's brand (docs/white-label.md) in the texts that name the product. */
  productName?: string;
  show(notification: ShellNotification): void;
  /** Called with the last handled sequence number, to persist it across restarts. */
  onProgress?(seq: number): void;
  /** Called after each batch of events, e.g. to refresh the tray at once. */
  onEvents?(): void;
  log: Pick<Logger, 'warn'>;
  longPollSeconds?: number;
  retryDelayMs?: number;
  /** At most this many separate notifications per batch; more become one summary. */
  maxPerBatch?: number;
}

/** How many documents' last known state we remember to avoid repeating news. */
const REMEMBERED_DOCUMENTS = 5000;

/**
 * Says whether a notification is new: the same document in the same state is notified once (the
 * hub may repeat a status), again after it moved on (retried, then failed again); a queue hold
 * once until the hold is released.
 */
class NotificationDeduper {
  private readonly lastState = new Map<string, DocumentState>();
  private heldKey: string | null = null;

  /** Records the event and returns the notification if it is news. */
  admit(event: DocumentEvent, notification: ShellNotification | null): ShellNotification | null {
    if (event.type === 'queue.released') this.heldKey = null;
    if (event.documentId && event.state) {
      const previous = this.lastState.get(event.documentId);
      this.remember(event.documentId, event.state);
      if (notification && previous === event.state) return null;
    }
    if (notification && event.type === 'queue.held') {
      if (this.heldKey === notification.key) return null;
      this.heldKey = notification.key;
    }
    return notification;
  }

  private remember(documentId: string, state: DocumentState): void {
    this.lastState.delete(documentId); // re-insert at the end: the map's order is recency
    this.lastState.set(documentId, state);
    if (this.lastState.size > REMEMBERED_DOCUMENTS) {
      const oldest = this.lastState.keys().next().value;
      if (oldest !== undefined) this.lastState.delete(oldest);
    }
  }
}

export class NotificationFeed {
  private readonly options: NotificationFeedOptions;
  private readonly deduper = new NotificationDeduper();
  private controller: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private seq: number;

  constructor(options: NotificationFeedOptions) {
    this.options = options;
    this.seq = options.afterSeq;
  }

  /** The last event sequence number handled. */
  lastSeq(): number {
    return this.seq;
  }

  start(): void {
    if (this.loop) return;
    const controller = new AbortController();
    this.controller = controller;
    this.loop = this.run(controller.signal);
  }

  async stop(): Promise<void> {
    this.controller?.abort();
    await this.loop;
    this.loop = null;
    this.controller = null;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { source, log } = this.options;
    while (!signal.aborted) {
      let page: EventsPage;
      try {
        page = await source.events(this.seq, this.options.longPollSeconds ?? 25, 500, signal);
      } catch (error) {
        if (signal.aborted) return;
        log.warn('notification feed: cannot read agent events; retrying', { error: error instanceof Error ? error.message : String(error) });
        await sleep(this.options.retryDelayMs ?? 5000, signal);
        continue;
      }
      if (signal.aborted || page.events.length === 0) continue;
      this.handle(page.events);
      this.seq = Math.max(this.seq, page.lastSeq);
      this.options.onProgress?.(this.seq);
      this.options.onEvents?.();
    }
  }

  private handle(events: readonly DocumentEvent[]): void {
    const { source, locale, productName } = this.options;
    const fresh: ShellNotification[] = [];
    for (const event of events) {
      // Look the document's name up only for events that make news.
      let candidate = notificationFor(event, null, locale, productName);
      if (candidate && event.documentId) candidate = notificationFor(event, source.documentName(event.documentId), locale, productName);
      const notification = this.deduper.admit(event, candidate);
      if (notification) fresh.push(notification);
    }
    for (const notification of coalesceNotifications(fresh, locale, this.options.maxPerBatch ?? 3, productName)) {
      try {
        this.options.show(notification);
      } catch (error) {
        this.options.log.warn('notification feed: cannot show a notification', { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
}

export interface KeyExpiryNotifierOptions {
  locale: Locale;
  productName?: string;
  /** The key of the last key-expiry notification shown (kept across restarts), or null. */
  lastShown: string | null;
  show(notification: ShellNotification): void;
  /** Called with the key of each notification shown, to keep it. */
  onShown?(key: string): void;
}

/**
 * One desktop notification when the API key enters the 30-day window, one when it expires
 * (docs/enrollment.md): fed the status on every tray refresh, it shows each stage of each key once,
 * across restarts; a new key (a new expiry) starts again.
 */
export class KeyExpiryNotifier {
  private readonly options: KeyExpiryNotifierOptions;
  private lastShown: string | null;

  constructor(options: KeyExpiryNotifierOptions) {
    this.options = options;
    this.lastShown = options.lastShown;
  }

  check(hub: Pick<AgentStatus['hub'], 'transport' | 'keyExpiresAt'>, now: number): void {
    const notification = keyExpiryNotification(hub, now, this.options.locale, this.options.productName);
    if (!notification || notification.key === this.lastShown) return;
    this.lastShown = notification.key;
    this.options.show(notification);
    this.options.onShown?.(notification.key);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
