// What the agent knows about the hub right now, for /status and the tray: `hub` of AgentStatus
// without what the settings say (transport, url) and the secret store (keySource).
import type { AgentStatus } from '../../contract/local-api.ts';

export type HubHealthSnapshot = Omit<AgentStatus['hub'], 'transport' | 'url' | 'keySource'>;

export class HubHealth {
  private snapshot: HubHealthSnapshot = {
    reachable: null,
    lastContactAt: null,
    lastError: null,
    lastSyncAt: null,
    credits: null,
    keyExpiresAt: null,
    unreachableSince: null,
    nextTryAt: null,
  };

  contact(): void {
    this.snapshot = { ...this.snapshot, reachable: true, lastContactAt: new Date().toISOString(), lastError: null };
  }

  unreachable(error: string): void {
    this.snapshot = { ...this.snapshot, reachable: false, lastError: error };
  }

  /** The shared outage state (hub-availability.ts): since when the hub is down and the next probe; nulls when up. */
  outage(since: string | null, nextTryAt: string | null, reason: string | null): void {
    this.snapshot =
      since === null
        ? { ...this.snapshot, unreachableSince: null, nextTryAt: null }
        : { ...this.snapshot, reachable: false, lastError: reason, unreachableSince: since, nextTryAt };
  }

  synced(): void {
    this.snapshot = { ...this.snapshot, lastSyncAt: new Date().toISOString() };
  }

  account(credits: number | null, keyExpiresAt: string | null): void {
    this.snapshot = { ...this.snapshot, credits, keyExpiresAt };
  }

  get(): HubHealthSnapshot {
    return { ...this.snapshot };
  }
}
