// The hub protocol's operations, with no transport in sight: the HTTPS face calls these, and an
// SFTP face can call the same ones. Refusals are HubProtocolError (status + code + English reason).
import type { HubAccount, HubDocument, HubDocumentCreated, HubEventsPage } from '../../contract/hub-protocol.ts';
import type { CaptureSource } from '../../contract/states.ts';
import { HubProtocolError } from '../hub-protocol-error.ts';
import type { UploadKind } from '../sdi/document-analysis.ts';
import { planDocument } from '../sdi/document-analysis.ts';
import { REFUSE_422_MARKER } from '../sdi/magic-values.ts';
import type { SdiSimulator } from '../sdi/sdi-simulator.ts';
import type { AccountsRepository, ApiKeyRow } from '../store/accounts-repository.ts';
import type { DocumentRow, DocumentsRepository, StoredFile, UploadChannel } from '../store/documents-repository.ts';
import type { EventsRepository } from '../store/events-repository.ts';
import type { HubDatabase } from '../store/hub-database.ts';
import { randomId } from '../store/secrets.ts';
import type { EventNotifier } from './event-notifier.ts';

export interface AuthContext {
  accountId: string;
  key: ApiKeyRow;
}

/** Who a document is submitted for: an API key's account (HTTPS) or the account owning a folder (SFTP). */
export type SubmitterContext = Pick<AuthContext, 'accountId'>;

export interface ValidatedUpload {
  idempotencyKey: string;
  kind: UploadKind;
  contentType: string;
  fileName: string;
  source: CaptureSource | null;
  /** Hub company id or VAT number, as the sender gave it. */
  company: string | null;
  bytes: Buffer;
  sha256: string;
  /** Default 'https'. */
  channel?: UploadChannel;
}

export interface EventsQuery {
  since: number;
  limit: number;
  timeoutSeconds: number;
}

export interface Enrollment {
  apiKey: string;
  key: { id: string; expiresAt: string | null };
  account: { id: string; name: string };
}

export interface HubServiceDeps {
  db: HubDatabase;
  accounts: AccountsRepository;
  documents: DocumentsRepository;
  events: EventsRepository;
  simulator: SdiSimulator;
  notifier: EventNotifier;
  eventRetention: number;
  now: () => Date;
}

const MAX_IDS_PER_QUERY = 100;

export class HubService {
  private readonly deps: HubServiceDeps;

  constructor(deps: HubServiceDeps) {
    this.deps = deps;
  }

  authenticate(secret: string | undefined): AuthContext {
    if (!secret) throw new HubProtocolError(401, 'missing_api_key', 'An API key is required: send Authorization: Bearer <api key>.');
    const key = this.deps.accounts.keyBySecret(secret);
    if (!key) throw new HubProtocolError(401, 'invalid_api_key', 'The API key is not valid for this hub.');
    if (key.revokedAt) throw new HubProtocolError(401, 'api_key_revoked', `The API key was revoked on ${key.revokedAt}.`);
    if (key.expiresAt && Date.parse(key.expiresAt) <= this.deps.now().getTime()) {
      throw new HubProtocolError(401, 'api_key_expired', `The API key expired on ${key.expiresAt}.`);
    }
    return { accountId: key.accountId, key };
  }

  account(auth: AuthContext): HubAccount {
    const account = this.deps.accounts.account(auth.accountId);
    if (!account) throw new HubProtocolError(401, 'invalid_api_key', 'The account of this API key no longer exists.');
    return {
      account: { id: account.id, name: account.name },
      key: { id: auth.key.id, expiresAt: auth.key.expiresAt },
      credits: { remaining: Math.max(0, account.credits) },
      companies: this.deps.accounts.companies(account.id),
    };
  }

  /** 201 for a new document, 200 (same body) for a replay of the same key with the same bytes. */
  submitDocument(auth: SubmitterContext, upload: ValidatedUpload): { status: 200 | 201; body: HubDocumentCreated } {
    type Outcome =
      { kind: 'replay'; document: DocumentRow } | { kind: 'conflict'; document: DocumentRow } | { kind: 'created'; document: DocumentRow; dueAtMs: number };
    const outcome = this.deps.db.transaction((): Outcome => {
      const existing = this.deps.documents.byKey(auth.accountId, upload.idempotencyKey);
      if (existing) {
        this.deps.documents.countUpload(existing.id);
        return existing.sha256 === upload.sha256 ? { kind: 'replay', document: existing } : { kind: 'conflict', document: existing };
      }
      return { kind: 'created', ...this.createDocument(auth, upload) };
    })();
    if (outcome.kind === 'conflict') {
      throw new HubProtocolError(409, 'idempotency_conflict', 'This Idempotency-Key was already used for a document with different bytes.', {
        details: { documentId: outcome.document.id },
      });
    }
    if (outcome.kind === 'replay') return { status: 200, body: outcome.document.createdBody };
    const { document, dueAtMs } = outcome;
    this.deps.notifier.notify();
    this.deps.simulator.schedule(document.id, dueAtMs);
    return { status: 201, body: document.createdBody };
  }

  private createDocument(auth: SubmitterContext, upload: ValidatedUpload): { document: DocumentRow; dueAtMs: number } {
    if (upload.bytes.includes(REFUSE_422_MARKER)) {
      throw new HubProtocolError(
        422,
        'document_refused',
        `The hub refused this document: it contains the sandbox marker ${REFUSE_422_MARKER} (a simulated refusal by the hub's own checks).`,
      );
    }
    const companyId = this.resolveCompany(auth.accountId, upload.company);
    if (!this.deps.accounts.spendCredit(auth.accountId)) {
      throw new HubProtocolError(402, 'credits_exhausted', 'No credits left on this account: documents wait until credits are added.');
    }
    const now = this.deps.now().toISOString();
    const id = randomId('doc_');
    const createdBody: HubDocumentCreated = { id, status: 'received', receivedAt: now };
    this.deps.documents.insert({
      id,
      accountId: auth.accountId,
      idempotencyKey: upload.idempotencyKey,
      fileName: upload.fileName,
      contentType: upload.contentType,
      sha256: upload.sha256,
      size: upload.bytes.length,
      source: upload.source,
      companyId,
      createdAt: now,
      createdBody,
      plan: planDocument(upload.kind, upload.bytes, new Date(now)),
      channel: upload.channel ?? 'https',
    });
    this.deps.events.append(auth.accountId, {
      documentId: id,
      idempotencyKey: upload.idempotencyKey,
      status: 'received',
      at: now,
      message: 'Received by the hub.',
    });
    const document = this.deps.documents.byId(id) as DocumentRow;
    return { document, dueAtMs: this.deps.simulator.planFirstStep(document) };
  }

  private resolveCompany(accountId: string, company: string | null): string | null {
    if (company === null) return null;
    const companies = this.deps.accounts.companies(accountId);
    const match = companies.find((candidate) => candidate.id === company || candidate.vatNumber === company.replace(/^IT/i, ''));
    if (!match) {
      throw new HubProtocolError(
        400,
        'unknown_company',
        `X-Company "${company}" is not a company of this account (known: ${companies.map((c) => c.id).join(', ')}).`,
      );
    }
    return match.id;
  }

  /** The feed: answers at once when events exist after `since`, else waits up to the timeout. */
  async events(auth: AuthContext, query: EventsQuery, signal?: AbortSignal): Promise<HubEventsPage> {
    const deadline = Date.now() + query.timeoutSeconds * 1000;
    for (;;) {
      const page = this.readEvents(auth, query);
      const remaining = deadline - Date.now();
      // A closing hub answers what it has rather than keeping the poll (or spinning on a closed notifier).
      if (page.events.length > 0 || remaining <= 0 || signal?.aborted || this.deps.notifier.isClosed) return page;
      await this.deps.notifier.wait(remaining, signal);
    }
  }

  private readEvents(auth: AuthContext, query: EventsQuery): HubEventsPage {
    const lastSeq = this.deps.events.lastSeq();
    const oldestCursor = Math.max(0, lastSeq - this.deps.eventRetention);
    if (query.since < oldestCursor) {
      throw new HubProtocolError(
        410,
        'cursor_expired',
        `Events up to ${oldestCursor} are no longer kept: reconcile open documents, then continue from lastSeq.`,
        {
          extra: { lastSeq },
        },
      );
    }
    if (query.since > lastSeq) {
      throw new HubProtocolError(
        410,
        'cursor_expired',
        `Cursor ${query.since} is ahead of this hub's feed (last ${lastSeq}); was the hub reset? Reconcile, then continue from lastSeq.`,
        {
          extra: { lastSeq },
        },
      );
    }
    const events = this.deps.events.after(auth.accountId, query.since, query.limit);
    // A short page holds every event of this account up to the hub's last seq, so the cursor can move there.
    const last = events.length === query.limit ? (events[events.length - 1]?.seq ?? query.since) : lastSeq;
    return { events, lastSeq: last };
  }

  document(auth: AuthContext, idOrKey: string): HubDocument {
    const document = this.deps.documents.byIdOrKey(auth.accountId, idOrKey);
    if (!document) throw new HubProtocolError(404, 'document_not_found', `No document with id or Idempotency-Key "${idOrKey}".`);
    return this.view(document);
  }

  /** Reconciliation: unknown ids are left out of the answer. */
  documents(auth: AuthContext, idsOrKeys: string[]): HubDocument[] {
    if (idsOrKeys.length === 0) throw new HubProtocolError(400, 'missing_ids', 'Give the documents to look up: ?ids=a,b,c (hub ids or Idempotency-Keys).');
    if (idsOrKeys.length > MAX_IDS_PER_QUERY) {
      throw new HubProtocolError(400, 'too_many_ids', `At most ${MAX_IDS_PER_QUERY} ids per request (got ${idsOrKeys.length}).`);
    }
    const seen = new Set<string>();
    const found: HubDocument[] = [];
    for (const idOrKey of idsOrKeys) {
      const document = this.deps.documents.byIdOrKey(auth.accountId, idOrKey);
      if (document && !seen.has(document.id)) {
        seen.add(document.id);
        found.push(this.view(document));
      }
    }
    return found;
  }

  file(auth: AuthContext, idOrKey: string, name: string): StoredFile {
    const document = this.deps.documents.byIdOrKey(auth.accountId, idOrKey);
    if (!document) throw new HubProtocolError(404, 'document_not_found', `No document with id or Idempotency-Key "${idOrKey}".`);
    const file = this.deps.documents.file(document.id, name);
    if (!file) throw new HubProtocolError(404, 'file_not_found', `Document ${document.id} has no file named "${name}".`);
    return file;
  }

  /** Trades a one-time activation code for a new API key (the only call made without a key). */
  enroll(activationCode: string, deviceName: string): Enrollment {
    return this.deps.db.transaction(() => {
      const now = this.deps.now();
      // One answer for unknown, used and expired: the hub does not tell a guesser which codes exist.
      const accountId = this.deps.accounts.unusedActivationCodeAccount(activationCode, now);
      const account = accountId ? this.deps.accounts.account(accountId) : undefined;
      if (!account) throw new HubProtocolError(403, 'invalid_activation_code', 'This activation code is unknown, was already used or has expired.');
      const { secret, key } = this.deps.accounts.createApiKey(account.id, { name: deviceName }, now);
      this.deps.accounts.markActivationCodeUsed(activationCode, key.id, now);
      return { apiKey: secret, key: { id: key.id, expiresAt: key.expiresAt }, account: { id: account.id, name: account.name } };
    })();
  }

  private view(document: DocumentRow): HubDocument {
    return {
      id: document.id,
      idempotencyKey: document.idempotencyKey,
      status: document.status,
      history: this.deps.events.forDocument(document.id),
      files: this.deps.documents.files(document.id),
    };
  }
}
