// Follows the hub's event feed with a persisted cursor: long-polls, downloads the files events
// name (SDI notifications) into the spool, and applies statuses in one transaction per page.
// Reconciles open documents on start and when the hub says the cursor is too old (410). While the
// hub is down (the shared HubAvailability) it waits for the probe instead of calling the hub.
import type { Store } from '../store/store.ts';
import { INLINE_PART_MAX_BYTES, sha256Hex, type Spool } from '../store/spool.ts';
import type { HubClient } from '../hub/hub-client.ts';
import { isHubRequestError } from '../hub/hub-client.ts';
import type { HubDocument, HubEvent } from '../../contract/hub-protocol.ts';
import type { HubHealth } from './hub-health.ts';
import type { HubAvailability } from './hub-availability.ts';
import type { Logger } from '../log/logger.ts';
import { fullJitterBackoff } from './wakeable-sleep.ts';
import { BackgroundLoop } from './background-loop.ts';
import { documentStateForHubStatus } from './hub-status.ts';
import type { ServiceHealth } from '../lifecycle/service-health.ts';
import { systemClock, type Clock } from '../util/clock.ts';

const CURSOR_KEY = 'hub.events.cursor';

export interface StatusFollowerOptions {
  store: Store;
  spool: Spool;
  hub: () => HubClient;
  health: HubHealth;
  log: Logger;
  longPollSeconds: number;
  pageSize?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  services?: ServiceHealth;
  availability?: HubAvailability;
  /** The backoff's sleeps (default: the system clock) and its jitter (default: Math.random). */
  clock?: Clock;
  random?: () => number;
}

interface Download {
  documentId: string;
  hubId: string;
  name: string;
  sha256: string;
  size: number;
  /** Small files are kept in the store, written with the status that names them (see downloadFiles). */
  inline: Buffer | null;
}

export class StatusFollower {
  private readonly options: StatusFollowerOptions;
  private readonly loop: BackgroundLoop;

  constructor(options: StatusFollowerOptions) {
    this.options = options;
    this.loop = new BackgroundLoop((signal) => this.run(signal), options.clock ?? systemClock);
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    this.options.services?.set('status-follower', 'stopped');
  }

  cursor(): number {
    return this.options.store.kv.get<number>(CURSOR_KEY) ?? 0;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { log, health } = this.options;
    let failures = 0;
    let reconciled = false;
    const { availability } = this.options;
    while (!signal.aborted) {
      if (availability?.isDown()) {
        await availability.waitUntilUp(signal);
        continue;
      }
      try {
        if (!reconciled) {
          await this.reconcile(signal);
          reconciled = true;
        }
        await this.pollOnce(signal);
        failures = 0;
        this.options.services?.running('status-follower');
      } catch (error) {
        if (signal.aborted) break;
        if (isHubRequestError(error) && error.kind === 'cursor_expired') {
          log.warn('hub event cursor expired; reconciling open documents', { lastSeq: error.lastSeq });
          await this.reconcile(signal).catch((e: unknown) => log.warn('reconcile failed', { error: String(e) }));
          this.options.store.kv.set(CURSOR_KEY, error.lastSeq ?? 0);
          continue;
        }
        // An outage is the shared state's to log and to probe; the loop waits for it above.
        if (availability?.reportFailure(error)) continue;
        failures += 1;
        const message = error instanceof Error ? error.message : String(error);
        this.options.services?.failed('status-follower', error);
        if (!availability && isHubRequestError(error) && error.status === null) health.unreachable(message);
        const delay =
          (isHubRequestError(error) ? error.retryAfterMs : null) ??
          fullJitterBackoff(failures, this.options.backoffBaseMs ?? 1000, this.options.backoffCapMs ?? 60_000, this.options.random);
        log.warn('status follower: hub call failed, retrying', { error: message, delayMs: delay });
        await this.loop.sleeper.sleep(Math.max(delay, 200), signal);
      }
    }
  }

  /** One long-poll round: fetch, download, apply, commit the cursor, acknowledge. */
  async pollOnce(signal?: AbortSignal): Promise<number> {
    const { store, health } = this.options;
    const hub = this.options.hub();
    const since = this.cursor();
    const page = await hub.events({ since, limit: this.options.pageSize ?? 200, timeoutSeconds: this.options.longPollSeconds }, signal);
    health.contact();
    this.options.availability?.reportSuccess();
    if (page.events.length === 0) {
      health.synced();
      if (page.lastSeq < since) store.kv.set(CURSOR_KEY, page.lastSeq);
      // Statuses committed before a crash may still sit at the hub (SFTP out/): they are covered by
      // the cursor, so acknowledging it lets the transport delete them.
      else if (since > 0) await hub.acknowledge(since);
      return 0;
    }
    const events = [...page.events].sort((a, b) => a.seq - b.seq);
    const downloads = await this.downloadFiles(events, signal);
    store.transaction(() => {
      for (const event of events) this.applyEvent(event, downloads);
      store.kv.set(CURSOR_KEY, Math.max(since, page.lastSeq, events.at(-1)?.seq ?? 0));
    });
    await hub.acknowledge(events.at(-1)?.seq ?? since);
    health.synced();
    return events.length;
  }

  /** Asks the hub for the current status of every document still in flight. */
  async reconcile(signal?: AbortSignal): Promise<number> {
    const { store } = this.options;
    const open = store.documents.inFlightAtHub();
    if (open.length === 0) return 0;
    const hub = this.options.hub();
    const documents = await hub.documents(
      open.map((d) => d.id),
      signal,
    );
    let applied = 0;
    for (const remote of documents) {
      const events = [...remote.history].sort((a, b) => a.seq - b.seq);
      const downloads = await this.downloadFiles(events, signal, remote);
      store.transaction(() => {
        for (const event of events) if (this.applyEvent(event, downloads)) applied += 1;
      });
    }
    return applied;
  }

  private async downloadFiles(events: HubEvent[], signal?: AbortSignal, remote?: HubDocument): Promise<Map<string, Download>> {
    const { store, spool } = this.options;
    const downloads = new Map<string, Download>();
    for (const event of events) {
      const local = store.documents.get(event.idempotencyKey);
      if (!local) continue;
      for (const name of event.files ?? []) {
        const key = `${local.id}/${name}`;
        if (downloads.has(key) || store.documents.hasFile(local.id, name)) continue;
        const bytes = await this.options.hub().downloadFile(event.documentId || (remote?.id ?? local.hubId ?? ''), name, signal);
        // Small ones (SDI receipts are a few KiB) go into the store in the status's own commit: one row
        // instead of a spool file's five system calls on the main thread. Larger ones are spool files;
        // the hub keeps them, so a copy lost to a power cut is fetched again: no fsync.
        const inline = bytes.byteLength <= INLINE_PART_MAX_BYTES ? bytes : null;
        const sha256 = inline ? sha256Hex(bytes) : await spool.put(bytes, { durable: false });
        downloads.set(key, { documentId: local.id, hubId: event.documentId, name, sha256, size: bytes.byteLength, inline });
      }
    }
    return downloads;
  }

  /** Applies one hub event; returns whether it changed anything. Runs inside a transaction. */
  private applyEvent(event: HubEvent, downloads: Map<string, Download>): boolean {
    const { store, log } = this.options;
    const document = store.documents.get(event.idempotencyKey);
    if (!document) {
      log.warn('hub event for a document this agent does not know', { key: event.idempotencyKey, seq: event.seq });
      return false;
    }
    for (const name of event.files ?? []) {
      const download = downloads.get(`${document.id}/${name}`);
      if (download?.inline) store.spoolBlobs.put(download.sha256, download.inline);
      if (download) store.documents.addFile(document.id, { name, kind: fileKind(name, event), size: download.size, sha256: download.sha256 });
    }
    if (document.hubSeq !== null && event.seq <= document.hubSeq) return false; // already applied (at-least-once delivery)
    if (document.state === 'cancelled') return false;
    const state = documentStateForHubStatus(event.status);
    const reason = event.status === 'failed' || event.status === 'rejected' || event.status === 'held' ? describeErrors(event) : null;
    store.documents.transition(
      document.id,
      {
        ...(state ? { state, reason } : {}),
        hubId: event.documentId,
        hubStatus: event.status,
        hubSeq: event.seq,
        ...(event.sdi ? { sdiId: event.sdi.id, sdiFileName: event.sdi.fileName } : {}),
      },
      {
        type: 'document.hub_status',
        message: event.message ?? reason ?? null,
        data: {
          hubSeq: event.seq,
          status: event.status,
          at: event.at,
          ...(event.sdi ? { sdi: event.sdi } : {}),
          ...(event.notification ? { notification: event.notification } : {}),
          ...(event.errors ? { errors: event.errors } : {}),
          ...(event.files ? { files: event.files } : {}),
        },
      },
    );
    return true;
  }
}

function describeErrors(event: HubEvent): string {
  const errors = event.errors ?? [];
  if (errors.length === 0) return event.message ?? `the hub reports ${event.status}`;
  return errors.map((e) => `${e.code}: ${e.description}`).join('; ');
}

function fileKind(name: string, event: HubEvent): string {
  if (event.notification?.fileName === name) return `sdi_${event.notification.type}`;
  if (/\.p7m$/i.test(name)) return 'signed';
  return 'file';
}
