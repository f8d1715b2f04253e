// What the agent knows about the hub right now, for /status and the tray.
export interface HubHealthSnapshot {
  reachable: boolean | null;
  lastContactAt: string | null;
  lastError: string | null;
  lastSyncAt: string | null;
  credits: number | null;
  keyExpiresAt: string | null;
}

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
