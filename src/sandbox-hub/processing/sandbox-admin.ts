// What tests and the demo do to the sandbox account: keys, credits, activation codes, inspection.
import { HubProtocolError } from '../hub-protocol-error.ts';
import type { AccountsRepository } from '../store/accounts-repository.ts';
import type { DocumentsRepository } from '../store/documents-repository.ts';

export interface SandboxDocumentRecord {
  id: string;
  idempotencyKey: string;
  fileName: string;
  sha256: string;
  size: number;
  contentType: string;
  status: string;
  /** POSTs seen with this key, including replays (and conflicting ones). */
  uploads: number;
  createdAt: string;
  /** The face it came in through. */
  channel: 'https' | 'sftp';
}

export class SandboxAdmin {
  private readonly accounts: AccountsRepository;
  private readonly documents: DocumentsRepository;
  private readonly accountId: string;
  private readonly now: () => Date;

  constructor(deps: { accounts: AccountsRepository; documents: DocumentsRepository; accountId: string; now: () => Date }) {
    this.accounts = deps.accounts;
    this.documents = deps.documents;
    this.accountId = deps.accountId;
    this.now = deps.now;
  }

  createApiKey(options: { expiresAt?: string | null; name?: string } = {}): string {
    if (options.expiresAt) checkTimestamp(options.expiresAt);
    return this.accounts.createApiKey(this.accountId, options, this.now()).secret;
  }

  revokeApiKey(key: string): void {
    if (!this.accounts.revokeKey(key, this.now())) throw new HubProtocolError(404, 'unknown_api_key', 'No such API key on this hub.');
  }

  setKeyExpiry(key: string, expiresAt: string | null): void {
    if (expiresAt) checkTimestamp(expiresAt);
    if (!this.accounts.setKeyExpiry(key, expiresAt)) throw new HubProtocolError(404, 'unknown_api_key', 'No such API key on this hub.');
  }

  setCredits(remaining: number): void {
    if (!Number.isSafeInteger(remaining) || remaining < 0) {
      throw new HubProtocolError(400, 'invalid_credits', 'Credits must be a whole number of 0 or more.');
    }
    this.accounts.setCredits(this.accountId, remaining);
  }

  /** A one-time code for POST /v1/enrollments; `expiresAt` (ISO) makes it expire, as a provider's would. */
  createActivationCode(options: { expiresAt?: string | null } = {}): string {
    if (options.expiresAt) checkTimestamp(options.expiresAt);
    return this.accounts.createActivationCode(this.accountId, this.now(), options.expiresAt ?? null);
  }

  listDocuments(): SandboxDocumentRecord[] {
    return this.documents.all().map((row) => ({
      id: row.id,
      idempotencyKey: row.idempotencyKey,
      fileName: row.fileName,
      sha256: row.sha256,
      size: row.size,
      contentType: row.contentType,
      status: row.status,
      uploads: row.uploads,
      createdAt: row.createdAt,
      channel: row.channel,
    }));
  }
}

function checkTimestamp(value: string): void {
  if (Number.isNaN(Date.parse(value))) throw new HubProtocolError(400, 'invalid_timestamp', `"${value}" is not an ISO 8601 date-time.`);
}
