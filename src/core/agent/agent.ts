// The agent: createAgent(settings, deps) builds it without touching the disk; start() takes the data
// folder's lock, opens the store and the spool, composes the parts (compose.ts) and starts every
// service in order; stop() stops them in reverse. Between the two it answers the operations the
// local API, the CLI and the desktop shell call (AgentApi).
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Store } from '../store/store.ts';
import { toSummary } from './document-summary.ts';
import type { DocumentQuery } from '../store/documents.ts';
import { InstanceLock } from '../store/instance-lock.ts';
import { Spool } from '../store/spool.ts';
import type { CapturedDocument } from '../intake/capture.ts';
import type { Settings } from '../config/settings-schema.ts';
import { SECRET_NAMES, type SecretName } from '../config/secret-store.ts';
import type { Logger } from '../log/logger.ts';
import type { AgentStatus, DocumentDetail, DocumentsPage, EventsPage } from '../../contract/local-api.ts';
import type { DocumentState } from '../../contract/states.ts';
import { allows } from '../../contract/document-lifecycle.ts';
import type { ConnectionCheckResult } from '../hub/https-probe.ts';
import { ServiceHealth } from '../lifecycle/service-health.ts';
import { ServiceRunner, service } from '../lifecycle/service-runner.ts';
import { historyCsv, type CsvSeparator } from '../sync/return-folder/history-csv.ts';
import { AgentError } from '../agent-error.ts';
import type { AgentApi, HistoryFilter, SubmittedFile } from './agent-api.ts';
import { AGENT_VERSION, testHubConnection } from './hub-connection.ts';
import { captureProfile, composeAgent, profileSettings, type AgentDeps, type AgentParts } from './compose.ts';
import { approvalOf, submitter } from './approval.ts';
import type { ApproverCredentials, ApproverView, DecisionOutcome, NewApproverBody, RemoveApproverBody } from '../../contract/approval.ts';
import { brandingStatus } from '../config/branding.ts';
import { DiskFullError, type DiskFullState } from '../intake/disk-space.ts';
import { enrollDevice, hubKeySource } from './enrollment.ts';
import type { EnrollRequest, EnrollmentResult } from '../../contract/enrollment.ts';
import type { InvoiceView } from '../../contract/invoice-view.ts';
import { invoiceAttachmentOf, invoiceViewOf, type InvoiceFile } from './invoice-view.ts';
import type { PdfTextView } from '../../contract/pdf-text.ts';
import { PdfTextSource } from './pdf-text.ts';

export { AGENT_VERSION } from './hub-connection.ts';
export type { AgentDeps } from './compose.ts';

export class Agent implements AgentApi {
  readonly settings: Settings;
  /** Every service's state, for /status and the tray (loops also report their failures here). */
  readonly services = new ServiceHealth();
  readonly #deps: AgentDeps;
  readonly #log: Logger;
  #runner: ServiceRunner | null = null;
  #parts: AgentParts | null = null;
  #startedAt = new Date().toISOString();
  /** Aborted at stop: long polls end quietly (an empty page) when the agent is replaced. */
  #lifetime = new AbortController();
  /** The PDF preview's text, read on demand (pdf-text.ts). */
  readonly #pdfText = new PdfTextSource();

  constructor(settings: Settings, deps: AgentDeps) {
    this.settings = settings;
    this.#deps = deps;
    this.#log = deps.log;
  }

  async start(): Promise<void> {
    if (this.#runner) return;
    const runner = (this.#runner = new ServiceRunner(this.services, this.#log));
    this.#lifetime = new AbortController();
    this.#startedAt = new Date().toISOString();
    const { dataDir } = this.#deps;
    const lock = new InstanceLock(join(dataDir, 'agent.lock'));
    let store: Store | null = null;
    let spool: Spool | null = null;
    try {
      // The data folder's resources first; everything composed below uses them.
      await runner.startAll([
        {
          service: service(
            'data-lock',
            () => lock.acquire(),
            () => lock.release(),
          ),
        },
        {
          service: service(
            'store',
            () => void (store = new Store(join(dataDir, 'recapito.sqlite'), randomUUID())),
            () => store?.close(),
          ),
        },
        {
          service: service(
            'wal-checkpointer',
            () => store!.startBackgroundCheckpoints(this.#log),
            () => store!.stopBackgroundCheckpoints(),
          ),
        },
        {
          service: service(
            'spool',
            () => void (spool = new Spool(join(dataDir, 'spool'), store!.spoolBlobs)),
            () => spool?.close(),
          ),
        },
        {
          // The audit log brackets every run; 'agent.stopped' is written only by a clean stop.
          service: service(
            'audit-markers',
            () => void store!.transaction(() => store!.events.append({ type: 'agent.started', message: `Recapito ${AGENT_VERSION}` })),
            () => void store!.transaction(() => store!.events.append({ type: 'agent.stopped' })),
          ),
        },
      ]);
      const { parts, plans } = composeAgent(this.settings, this.#deps, { store: store!, spool: spool!, services: this.services });
      this.#parts = parts;
      await runner.startAll(plans);
    } catch (error) {
      // The runner has stopped what it started; this agent can be started again.
      this.#runner = null;
      this.#parts = null;
      throw error;
    }
  }

  async stop(): Promise<void> {
    const runner = this.#runner;
    if (!runner) return;
    this.#lifetime.abort();
    await runner.stopAll();
    await this.#pdfText.close();
    this.#runner = null;
    this.#parts = null;
  }

  /** The running agent's parts (tests and the composition; the API goes through the methods below). */
  get store(): AgentParts['store'] {
    return this.#running().store;
  }

  get spool(): AgentParts['spool'] {
    return this.#running().spool;
  }

  get hold(): AgentParts['hold'] {
    return this.#running().hold;
  }

  get printer(): AgentParts['printer'] {
    return this.#running().printer;
  }

  /** Runs the retention purge now (the CLI and tests; it also runs on its own schedule). */
  purge(now?: number): ReturnType<AgentParts['retention']['purge']> {
    return this.#running().retention.purge(now);
  }

  status(): AgentStatus {
    const parts = this.#running();
    return {
      version: AGENT_VERSION,
      startedAt: this.#startedAt,
      paused: parts.hold.paused(),
      hold: parts.hold.current(),
      captureHold: captureHoldOf(parts.disk.current()),
      hub: { transport: this.settings.hub.transport, url: this.settings.hub.url ?? '', ...parts.health.get(), keySource: hubKeySource(this.#deps.secrets) },
      counts: parts.store.documents.countsByState(),
      services: this.services.list().map(({ name, state, error }) => ({ name, state, error })),
      printers: parts.printer.status(),
      watchers: parts.watchers.map((w) => ({
        profile: w.profile,
        folder: w.folder,
        state: w.state === 'missing' ? 'missing' : w.state === 'error' ? 'error' : 'watching',
        error: w.error,
      })),
      ...(this.#deps.branding ? { branding: brandingStatus(this.#deps.branding) } : {}),
    };
  }

  documents(query: DocumentQuery): DocumentsPage {
    const page = this.#running().store.documents.list(query);
    return { documents: page.documents.map(toSummary), nextCursor: page.nextCursor };
  }

  document(id: string): DocumentDetail | null {
    const { store } = this.#running();
    const record = store.documents.get(id);
    if (!record) return null;
    const events = store.events.forDocument(id);
    return {
      ...toSummary(record),
      metadata: record.metadata,
      events,
      files: store.documents.files(id),
      submittedBy: record.submittedBy,
      approval: approvalOf(events),
    };
  }

  documentName(id: string): string | null {
    return this.#running().store.documents.get(id)?.name ?? null;
  }

  async content(id: string): Promise<{ bytes: Buffer; name: string; contentType: string } | null> {
    const { store, spool } = this.#running();
    const record = store.documents.get(id);
    if (!record?.spooled) return null;
    return { bytes: await spool.read(record.sha256), name: record.name, contentType: record.contentType ?? 'application/octet-stream' };
  }

  async invoiceView(id: string): Promise<InvoiceView | null> {
    const file = await this.#invoiceFile(id);
    return file ? invoiceViewOf(file) : null;
  }

  async invoiceAttachment(id: string, body: number, index: number): Promise<{ name: string | null; bytes: Buffer } | null> {
    const file = await this.#invoiceFile(id);
    return file ? invoiceAttachmentOf(file, body, index) : null;
  }

  async pdfText(id: string): Promise<PdfTextView | null> {
    const record = this.#running().store.documents.get(id);
    if (record?.kind !== 'pdf' || !record.spooled) return null;
    const { spool } = this.#running();
    return this.#pdfText.read(record.sha256, () => spool.read(record.sha256));
  }

  async #invoiceFile(id: string): Promise<InvoiceFile | null> {
    const kind = this.#running().store.documents.get(id)?.kind;
    if (kind !== 'fatturapa' && kind !== 'p7m') return null;
    const content = await this.content(id);
    return content ? { bytes: content.bytes, kind } : null;
  }

  async file(id: string, name: string): Promise<Buffer | null> {
    const { store, spool, hub } = this.#running();
    const file = store.documents.files(id).find((f) => f.name === name);
    if (!file) return null;
    try {
      return await spool.read(file.sha256);
    } catch (error) {
      // Hub files are spooled without fsync (the hub keeps them): fetch a lost copy again.
      const hubId = store.documents.get(id)?.hubId;
      const client = hub();
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !hubId || !client) throw error;
      const bytes = await client.downloadFile(hubId, name);
      await spool.put(bytes, { durable: false });
      return bytes;
    }
  }

  historyCsv(filter: HistoryFilter, separator: CsvSeparator): Iterable<string> {
    return historyCsv(this.#running().store.documents, filter, separator);
  }

  async submit(input: SubmittedFile): Promise<CapturedDocument[]> {
    const profile = captureProfile(this.settings, input.profile ?? null);
    const { capture, osUser } = this.#running();
    try {
      return await capture.captureBytes({
        profile,
        source: input.source,
        name: input.name,
        bytes: input.bytes,
        // Through the local API: the OS user running the agent, and the name the client declared.
        submittedBy: submitter(osUser, input.submittedBy ?? null),
        ...(input.metadata ? { metadata: input.metadata } : {}),
      });
    } catch (error) {
      // 507 Insufficient Storage: nothing was recorded; the client keeps the file and sends it again.
      if (error instanceof DiskFullError) throw new AgentError('disk_full', error.message, 507);
      throw error;
    }
  }

  retry(id: string): DocumentState {
    const { store, hold, outbox } = this.#running();
    const record = this.#document(id);
    if (!allows(record.state, 'retry')) {
      const hint = record.state === 'invalid' || record.state === 'rejected' ? ': fix the document and capture it again' : '';
      throw new AgentError('not_retryable', `a document in state "${record.state}" cannot be retried${hint}`, 409);
    }
    if (record.state === 'failed' && record.reasonCode === 'idempotency_conflict') {
      throw new AgentError('not_retryable', 'the hub holds other bytes under this document id; capture the file again', 409);
    }
    // A profile that sends by hand: a document no person approved yet (a duplicate, a cancelled one)
    // goes back to awaiting approval, never straight to the hub.
    if (profileSettings(this.settings, record.profile)?.sending === 'manual' && !this.#running().approval.wasApproved(id)) {
      store.transaction(() =>
        store.documents.transition(
          id,
          { state: 'awaiting_approval', reason: null, reasonCode: null, duplicateOf: record.state === 'duplicate' ? null : undefined },
          { type: 'document.retry_requested', message: `retry requested from state ${record.state}: waits for approval` },
        ),
      );
      return 'awaiting_approval';
    }
    const held = hold.current();
    const state: DocumentState = held ? 'held' : 'queued';
    store.transaction(() => {
      store.documents.transition(
        id,
        { state, reason: held?.reason ?? null, duplicateOf: record.state === 'duplicate' ? null : undefined },
        { type: 'document.retry_requested', message: `retry requested from state ${record.state}` },
      );
      store.jobs.enqueue('upload', id);
    });
    outbox.wake();
    return state;
  }

  cancel(id: string): void {
    const { store } = this.#running();
    const record = this.#document(id);
    if (!allows(record.state, 'cancel')) {
      throw new AgentError(
        'not_cancellable',
        `a document in state "${record.state}" cannot be cancelled${record.hubId ? ': the hub already has it' : ''}`,
        409,
      );
    }
    store.transaction(() => {
      store.jobs.cancelForDocument('upload', id);
      store.documents.transition(id, { state: 'cancelled', reason: 'cancelled by the user' }, { type: 'document.cancelled' });
    });
  }

  approve(ids: readonly string[], credentials: ApproverCredentials): Promise<DecisionOutcome[]> {
    return this.#running().approval.approve(ids, credentials);
  }

  refuse(ids: readonly string[], reason: string, credentials: ApproverCredentials): Promise<DecisionOutcome[]> {
    return this.#running().approval.refuse(ids, reason, credentials);
  }

  approvers(): ApproverView[] {
    return this.#running().approval.approvers();
  }

  addApprover(body: NewApproverBody): Promise<ApproverView> {
    return this.#running().approval.addApprover(body);
  }

  removeApprover(name: string, body: RemoveApproverBody): Promise<void> {
    return this.#running().approval.removeApprover(name, body);
  }

  pause(): void {
    this.#running().hold.pause();
  }

  resume(): void {
    const { hold, outbox } = this.#running();
    hold.resume();
    outbox.wake();
  }

  async events(since: number, timeoutSeconds: number, limit: number, signal?: AbortSignal): Promise<EventsPage> {
    const combined = signal ? AbortSignal.any([signal, this.#lifetime.signal]) : this.#lifetime.signal;
    const events = await this.#running().store.events.wait(since, Math.min(Math.max(limit, 1), 1000), Math.min(timeoutSeconds, 60) * 1000, combined);
    return { events, lastSeq: events.at(-1)?.seq ?? Math.max(since, 0) };
  }

  lastEventSeq(): number {
    return this.#running().store.events.lastSeq();
  }

  /** Write-only: secrets go to the secret store, never to the settings; a hold on credentials is re-checked at once. */
  async setCredentials(values: Partial<Record<SecretName, string>>): Promise<void> {
    const { store, accountMonitor } = this.#running();
    const names = Object.keys(values) as SecretName[];
    for (const name of names) await this.#deps.secrets.set(name, values[name]!);
    store.transaction(() => store.events.append({ type: 'credentials.updated', message: `replaced: ${names.join(', ')}` }));
    accountMonitor.checkNow();
  }

  /**
   * Enrollment by activation code (docs/enrollment.md): the hub's new key goes to the secret store,
   * which the hub client reads at each call, so the next upload uses it; a hold on the key is checked
   * again at once. The answer is the account, never the key. Not cancelled by the caller going
   * away: once the hub has spent the code, the key must be kept.
   */
  async enroll(request: EnrollRequest): Promise<EnrollmentResult> {
    const { store, health, accountMonitor, outbox } = this.#running();
    const result = await enrollDevice({ hub: this.settings.hub, secrets: this.#deps.secrets, log: this.#log.child('enroll'), request });
    store.transaction(() =>
      store.events.append({
        type: 'credentials.enrolled',
        message: `enrolled as "${result.deviceName}" with account ${result.account.name} (${result.account.id}), key ${result.key.id}`,
        data: { account: result.account.id, keyId: result.key.id, expiresAt: result.key.expiresAt, deviceName: result.deviceName },
      }),
    );
    if (result.companies !== null) health.account(result.credits, result.key.expiresAt);
    accountMonitor.checkNow();
    outbox.wake();
    return result;
  }

  /** Which secrets are set (never their values). */
  secretPresence(): Record<SecretName, boolean> {
    return Object.fromEntries(SECRET_NAMES.map((name) => [name, Boolean(this.#deps.secrets.get(name))])) as Record<SecretName, boolean>;
  }

  verifyAudit(): { ok: boolean; checked: number; firstBad?: number } {
    return this.#running().store.events.verify();
  }

  /** "Test connection": each stage (name, port, certificate or host key, credentials, folders) on its own. */
  testConnection(): Promise<ConnectionCheckResult> {
    return testHubConnection({ settings: this.settings.hub, secrets: this.#deps.secrets, log: this.#log }, this.#running().hub());
  }

  printerUrls(): { profile: string; url: string }[] {
    return this.#running().printer.urls();
  }

  #running(): AgentParts {
    if (!this.#parts) throw new AgentError('not_running', 'the agent is not running (starting, stopping, or stopped)', 503);
    return this.#parts;
  }

  #document(id: string) {
    const record = this.#running().store.documents.get(id);
    if (!record) throw new AgentError('not_found', `no document with id ${id}`, 404);
    return record;
  }
}

/** Builds an agent; nothing is opened until start(). */
export function createAgent(settings: Settings, deps: AgentDeps): Agent {
  return new Agent(settings, deps);
}

function captureHoldOf(state: DiskFullState | null): AgentStatus['captureHold'] {
  return state ? { code: state.code, reason: state.reason, since: state.since } : null;
}
