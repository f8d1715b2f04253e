// The agent's view of a hub, whatever the transport (HTTPS or SFTP): same semantics.
import type { CaptureSource } from '../../contract/states.ts';
import type { HubAccount, HubDocument, HubEventsPage } from '../../contract/hub-protocol.ts';

export interface UploadRequest {
  /** The agent's document id: a retry after a crash can never create a second document. */
  idempotencyKey: string;
  bytes: Buffer;
  fileName: string;
  contentType: string;
  source: CaptureSource;
  company?: string | undefined;
}

export interface UploadResult {
  hubId: string;
  receivedAt: string;
  /** The hub already had this key with these bytes (200 instead of 201). */
  replay: boolean;
}

export interface EventsRequest {
  since: number;
  limit: number;
  /** Long-poll: the hub answers at once if it has events, else after this many seconds. */
  timeoutSeconds: number;
}

export interface HubClient {
  readonly transport: 'https' | 'sftp';
  readonly endpoint: string;
  account(signal?: AbortSignal): Promise<HubAccount>;
  upload(request: UploadRequest, signal?: AbortSignal): Promise<UploadResult>;
  /** Throws HubRequestError with kind 'cursor_expired' (and lastSeq) when `since` is too old. */
  events(request: EventsRequest, signal?: AbortSignal): Promise<HubEventsPage>;
  /** Tells the transport the events up to `seq` are committed locally (SFTP deletes its files). */
  acknowledge(seq: number): Promise<void>;
  documents(hubIdsOrKeys: string[], signal?: AbortSignal): Promise<HubDocument[]>;
  downloadFile(hubId: string, name: string, signal?: AbortSignal): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * How the outbox must react to a failure.
 * - transient: retry with backoff (network, timeouts, 429, 5xx)
 * - tls: the hub's certificate is not trusted; retried, but the reason says why
 * - permanent: the document fails with the hub's reason (400, 413, 415, 422)
 * - conflict: 409, same key with other bytes: fails, and it is a bug somewhere
 * - auth: 401, key invalid/expired/revoked: the whole queue holds
 * - credits: 402, no credits: the whole queue holds
 * - cursor_expired: 410 on the event feed: reconcile
 * - host_key: the SFTP server's host key is not the pinned one: the whole queue holds
 * - permissions: the hub's folder cannot be written or read (SFTP): the whole queue holds
 */
export type HubFailureKind = 'transient' | 'tls' | 'permanent' | 'conflict' | 'auth' | 'credits' | 'cursor_expired' | 'host_key' | 'permissions';

export class HubRequestError extends Error {
  readonly kind: HubFailureKind;
  readonly status: number | null;
  readonly code: string;
  readonly retryAfterMs: number | null;
  readonly lastSeq: number | null;
  readonly details: unknown;

  constructor(init: {
    kind: HubFailureKind;
    message: string;
    code: string;
    status?: number | null;
    retryAfterMs?: number | null;
    lastSeq?: number | null;
    details?: unknown;
    cause?: unknown;
  }) {
    super(init.message, { cause: init.cause });
    this.name = 'HubRequestError';
    this.kind = init.kind;
    this.code = init.code;
    this.status = init.status ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.lastSeq = init.lastSeq ?? null;
    this.details = init.details;
  }
}

export function isHubRequestError(error: unknown): error is HubRequestError {
  return error instanceof HubRequestError;
}

/** A feed request every transport refuses the same way: a caller's bug, not the hub's. */
export function assertEventsRequest(request: EventsRequest): void {
  const valid =
    Number.isSafeInteger(request.since) &&
    request.since >= 0 &&
    Number.isSafeInteger(request.limit) &&
    request.limit > 0 &&
    Number.isFinite(request.timeoutSeconds) &&
    request.timeoutSeconds >= 0;
  if (!valid) throw new RangeError(`invalid event feed request: ${JSON.stringify(request)}`);
}
