// What the agent knows about the hub right now, for /status and the tray: `hub` of AgentStatus
// without what the settings say (transport, url).
import type { AgentStatus } from '../../contract/local-api.ts';

export type HubHealthSnapshot = Omit<AgentStatus['hub'], 'transport' | 'url'>;

export class HubHealth {
  private snapshot: HubHealthSnapshot = { reachable: null, lastContactAt: null, lastError: null, lastSyncAt: null, credits: null, keyExpiresAt: null };

  contact(): void {
    this.snapshot = { ...this.snapshot, reachable: true, lastContactAt: new Date().toISOString(), lastError: null };
  }

  unreachable(error: string): void {
    this.snapshot = { ...this.snapshot, reachable: false, lastError: error };
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
