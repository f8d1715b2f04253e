// Wire shapes of hub protocol v1 (docs/hub-protocol.md): shared by the agent's clients and the sandbox hub.

export const HUB_STATUSES = [
  'received',
  'processing',
  'sent',
  'delivered',
  'not_delivered',
  'rejected',
  'accepted',
  'refused',
  'expired',
  'undeliverable',
  'failed',
  'paid',
  'held',
] as const;
export type HubStatus = (typeof HUB_STATUSES)[number];

export interface HubError {
  code: string;
  description: string;
}

export interface HubEvent {
  seq: number;
  documentId: string;
  idempotencyKey: string;
  status: HubStatus;
  at: string;
  message?: string;
  sdi?: { id: string; fileName: string };
  notification?: { type: string; fileName: string };
  errors?: HubError[];
  files?: string[];
}

export interface HubAccount {
  account: { id: string; name: string };
  key: { id: string; expiresAt: string | null };
  /** null where the transport cannot tell (SFTP). */
  credits: { remaining: number | null };
  companies: { id: string; vatNumber: string; name: string }[];
}

/** POST /v1/enrollments: the new key (the only time the hub shows it), its id and expiry, the account. */
export interface HubEnrollment {
  apiKey: string;
  key: { id: string; expiresAt: string | null };
  account: { id: string; name: string };
}

export interface HubDocumentCreated {
  id: string;
  status: 'received';
  receivedAt: string;
}

export interface HubFileInfo {
  name: string;
  kind: string;
  size: number;
  sha256: string;
}

export interface HubDocument {
  id: string;
  idempotencyKey: string;
  status: HubStatus;
  history: HubEvent[];
  files: HubFileInfo[];
}

export interface HubEventsPage {
  events: HubEvent[];
  lastSeq: number;
}

export interface HubErrorBody {
  error: { code: string; message: string; details?: unknown };
}
