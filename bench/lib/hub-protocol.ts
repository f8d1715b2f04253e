// The messages between the benchmark and the sandbox hub's own process (Node IPC).

export interface HubReady {
  type: 'ready';
  url: string;
  caFile: string;
  apiKey: string;
}

export interface HubFailed {
  type: 'failed';
  message: string;
}

/** What the hub stored for one upload: for the completeness check and the hub-side latency. */
export interface HubRecord {
  fileName: string;
  idempotencyKey: string;
  createdAt: string;
  uploads: number;
}

export type HubRequest = { type: 'records'; id: number } | { type: 'close'; id: number };

export type HubReply = { type: 'records'; id: number; records: HubRecord[] } | { type: 'closed'; id: number };

export type HubMessage = HubReady | HubFailed | HubReply;
