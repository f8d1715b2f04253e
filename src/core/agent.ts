// Composition root: createAgent(settings, deps) -> { start(), stop() } plus the operations the
// local API, the CLI and the Electron shell call. Wires services by constructor arguments.
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Store } from './store/store.ts';
import { toSummary } from './store/documents.ts';
import { Spool } from './intake/spool.ts';
import { CaptureService, type CaptureProfile, type CapturedDocument } from './intake/capture.ts';
import { CaptureWorkerPool, defaultCaptureWorkerCount } from './intake/capture-worker/capture-pool.ts';
import type { CaptureWorkerFaults } from './intake/capture-worker/messages.ts';
import { FolderWatcher, type WatcherState } from './intake/folder-watcher.ts';
import type { HubClient } from './hub/hub-client.ts';
import { createHttpsHubClient } from './hub/https-hub-client.ts';
import { createSftpHubClient, type SftpHubClientOptions } from './hub/sftp-hub-client.ts';
import { testSftpConnection } from './hub/sftp-probe.ts';
import { testHttpsConnection, type ConnectionCheckResult } from './hub/https-probe.ts';
import type { SecretName } from './config/secret-store.ts';
import { HoldController } from './sync/hold.ts';
import { HubHealth } from './sync/hub-health.ts';
import { Outbox } from './sync/outbox.ts';
import { StatusFollower } from './sync/status-follower.ts';
import { AccountMonitor } from './sync/account-monitor.ts';
import type { Settings } from './config/settings-schema.ts';
import type { SecretStore } from './config/secret-store.ts';
import type { Logger } from './log/logger.ts';
import type { AgentStatus, DocumentDetail, DocumentsPage, EventsPage } from '../contract/local-api.ts';
import type { CaptureSource, DocumentState } from '../contract/states.ts';
import { allows } from '../contract/document-lifecycle.ts';
import type { DocumentQuery } from './store/documents.ts';
import { readRegularFile } from './util/regular-file.ts';
import { AgentError } from './agent-error.ts';
import { Retention } from './sync/retention.ts';
import { InstanceLock } from './store/instance-lock.ts';
import { ServiceHealth } from './sync/service-health.ts';
import { ByteBudget } from './util/byte-budget.ts';
import { PrinterService, printerSpoolDir } from './printer/printer-service.ts';
import { ReturnFolderWriter } from './sync/return-folder.ts';
import { ReturnFolderSync } from './sync/return-folder-sync.ts';

export const AGENT_VERSION = '0.1.0';

export interface AgentDeps {
  dataDir: string;
  secrets: SecretStore;
  log: Logger;
  /** Replaces the transport built from settings (SFTP, tests). */
  hubClient?: HubClient;
  /** The capture worker pool's size (default: defaultCaptureWorkerCount()), its timeout, and faults for tests. */
  captureWorkers?: { size?: number; jobTimeoutMs?: number; faults?: CaptureWorkerFaults };
}

interface WatcherEntry {
  profile: string;
  folder: string;
  watcher: FolderWatcher;
  state: WatcherState;
  error: string | null;
}

export class Agent {
  readonly settings: Settings;
  readonly store: Store;
  readonly spool: Spool;
  readonly capture: CaptureService;
  readonly hold: HoldController;
  readonly health = new HubHealth();
  readonly services = new ServiceHealth();
  private readonly deps: AgentDeps;
  private readonly log: Logger;
  private readonly outbox: Outbox;
  private readonly follower: StatusFollower;
  private readonly accountMonitor: AccountMonitor;
  private readonly retention: Retention;
  private readonly lock: InstanceLock;
  private readonly watchers: WatcherEntry[] = [];
  private readonly captureBudget: ByteBudget;
  private readonly captureWorkers: CaptureWorkerPool;
  readonly printer: PrinterService;
  private readonly returnFolders: ReturnFolderSync | null;
  private hub: HubClient | null;
  private startedAt = new Date().toISOString();
  private running = false;
  private readonly lifetime = new AbortController();

  constructor(settings: Settings, deps: AgentDeps) {
    this.settings = settings;
    this.deps = deps;
    this.log = deps.log;
    this.captureBudget = new ByteBudget(settings.intake.memoryBudgetBytes);
    this.lock = new InstanceLock(join(deps.dataDir, 'agent.lock'));
    this.lock.acquire();
    this.store = new Store(join(deps.dataDir, 'recapito.sqlite'), randomUUID());
    this.spool = new Spool(join(deps.dataDir, 'spool'));
    this.hold = new HoldController(this.store);
    this.hub = deps.hubClient ?? null;
    const hub = (): HubClient => this.hubClient();

    this.outbox = new Outbox({
      store: this.store,
      spool: this.spool,
      hub,
      hold: this.hold,
      health: this.health,
      settings: {
        concurrency: settings.outbox.concurrency,
        memoryBudgetBytes: settings.outbox.memoryBudgetBytes,
        leaseMs: settings.outbox.leaseSeconds * 1000,
        backoffBaseMs: settings.outbox.backoffBaseMs,
        backoffCapMs: settings.outbox.backoffCapMs,
      },
      companyFor: (profileId) => this.profileSettings(profileId)?.hubCompanyId ?? settings.hub.companyId,
      log: deps.log.child('outbox'),
      services: this.services,
    });
    const workers = deps.captureWorkers ?? {};
    // Workers start on the first capture, so an agent that never captures costs no threads.
    this.captureWorkers = new CaptureWorkerPool({
      size: workers.size ?? defaultCaptureWorkerCount(),
      spoolDir: this.spool.dir,
      limits: { maxFileBytes: settings.intake.maxFileBytes, zip: settings.intake.zip, preflight: settings.intake.preflight },
      log: deps.log.child('intake'),
      ...(workers.jobTimeoutMs ? { jobTimeoutMs: workers.jobTimeoutMs } : {}),
      ...(workers.faults ? { faults: workers.faults } : {}),
    });
    this.capture = new CaptureService({
      store: this.store,
      workers: this.captureWorkers,
      log: deps.log.child('intake'),
      onQueued: () => this.outbox.wake(),
      preflight: settings.intake.preflight,
    });
    this.follower = new StatusFollower({
      store: this.store,
      spool: this.spool,
      hub,
      health: this.health,
      log: deps.log.child('follower'),
      longPollSeconds: settings.hub.eventsLongPollSeconds,
      backoffBaseMs: settings.outbox.backoffBaseMs,
      backoffCapMs: Math.min(settings.outbox.backoffCapMs, 60_000),
      services: this.services,
    });
    this.printer = new PrinterService({
      settings,
      store: this.store,
      capture: this.capture,
      captureProfile: (profileId) => this.captureProfile(profileId),
      spoolDir: printerSpoolDir(deps.dataDir),
      log: deps.log.child('printer'),
    });
    // Only when a profile hands statuses back to its ERP as files.
    this.returnFolders = settings.profiles.some((p) => p.returnFolder)
      ? new ReturnFolderSync({
          store: this.store,
          writer: new ReturnFolderWriter({ store: this.store, spool: this.spool, log: deps.log.child('return'), folderFor: (id) => this.profileSettings(id)?.returnFolder ?? null }),
          log: deps.log.child('return'),
        })
      : null;
    this.retention = new Retention({ store: this.store, spool: this.spool, settings: settings.retention, log: deps.log.child('retention') });
    const accountIntervalMs = settings.hub.accountPollSeconds * 1000;
    this.accountMonitor = new AccountMonitor({
      hub,
      hold: this.hold,
      health: this.health,
      log: deps.log.child('account'),
      intervalMs: accountIntervalMs,
      whileHeldIntervalMs: Math.min(accountIntervalMs, 10_000),
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.startedAt = new Date().toISOString();
    this.store.startBackgroundCheckpoints(this.log);
    this.store.transaction(() => this.store.events.append({ type: 'agent.started', message: `Recapito ${AGENT_VERSION}` }));
    const recovered = await this.capture.recoverPendingPostActions();
    if (recovered) this.log.info('finished post-actions interrupted by a stop', { count: recovered });
    this.hub ??= await this.buildHubClient();
    if (this.hub) {
      this.outbox.start();
      this.follower.start();
      this.accountMonitor.start();
    } else {
      this.log.warn('no hub configured: documents are captured and wait in the queue');
    }
    for (const profile of this.settings.profiles) {
      for (const folder of profile.folders) await this.startWatcher(profile.id, folder);
    }
    this.retention.start();
    this.returnFolders?.start();
    // A printer that cannot start (port taken) is reported in health; the rest of the agent runs.
    try {
      await this.printer.start();
      if (this.printer.urls().length) this.services.running('printer');
    } catch (error) {
      this.services.failed('printer', error);
      this.log.error('virtual printer did not start', { error: String(error) });
    }
  }

  /** Runs the retention purge now (the CLI and tests; it also runs on its own schedule). */
  purge(now?: number) {
    return this.retention.purge(now);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.lifetime.abort();
    await this.printer.stop().catch(() => undefined);
    await Promise.allSettled(this.watchers.map((entry) => entry.watcher.stop()));
    this.watchers.length = 0;
    // After the watchers and the printer: their captures have finished; a local API upload still
    // under way gets a few seconds, then fails (its client is told and can send it again).
    await this.captureWorkers.close();
    await Promise.allSettled([this.outbox.stop(), this.follower.stop(), this.accountMonitor.stop(), this.retention.stop()]);
    await this.returnFolders?.stop().catch(() => undefined);
    await this.hub?.close().catch(() => undefined);
    this.store.transaction(() => this.store.events.append({ type: 'agent.stopped' }));
    await this.spool.close();
    await this.store.stopBackgroundCheckpoints();
    this.store.close();
    this.lock.release();
  }

  status(): AgentStatus {
    const hub = this.health.get();
    return {
      version: AGENT_VERSION,
      startedAt: this.startedAt,
      paused: this.hold.paused(),
      hold: this.hold.current(),
      hub: { transport: this.settings.hub.transport, url: this.settings.hub.url ?? '', ...hub },
      counts: this.store.documents.countsByState(),
      services: this.services.list().map(({ name, state, error }) => ({ name, state, error })),
      printers: this.printer.status(),
      watchers: this.watchers.map((w) => ({
        profile: w.profile,
        folder: w.folder,
        state: w.state === 'missing' ? 'missing' : w.state === 'error' ? 'error' : 'watching',
        error: w.error,
      })),
    };
  }

  documents(query: DocumentQuery): DocumentsPage {
    const page = this.store.documents.list(query);
    return { documents: page.documents.map(toSummary), nextCursor: page.nextCursor };
  }

  document(id: string): DocumentDetail | null {
    const record = this.store.documents.get(id);
    if (!record) return null;
    return { ...toSummary(record), metadata: record.metadata, events: this.store.events.forDocument(id), files: this.store.documents.files(id) };
  }

  async content(id: string): Promise<{ bytes: Buffer; name: string; contentType: string } | null> {
    const record = this.store.documents.get(id);
    if (!record?.spooled) return null;
    return { bytes: await this.spool.read(record.sha256), name: record.name, contentType: record.contentType ?? 'application/octet-stream' };
  }

  async file(id: string, name: string): Promise<Buffer | null> {
    const file = this.store.documents.files(id).find((f) => f.name === name);
    if (!file) return null;
    try {
      return await this.spool.read(file.sha256);
    } catch (error) {
      // Hub files are spooled without fsync (the hub keeps them): fetch a lost copy again.
      const hubId = this.store.documents.get(id)?.hubId;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !hubId || !this.hub) throw error;
      const bytes = await this.hub.downloadFile(hubId, name);
      await this.spool.put(bytes, { durable: false });
      return bytes;
    }
  }

  async submit(input: { bytes: Buffer; name: string; profile?: string | null; source: CaptureSource; metadata?: Record<string, unknown> }): Promise<CapturedDocument[]> {
    const profile = this.captureProfile(input.profile ?? null);
    return this.capture.captureBytes({ profile, source: input.source, name: input.name, bytes: input.bytes, ...(input.metadata ? { metadata: input.metadata } : {}) });
  }

  retry(id: string): DocumentState {
    const record = this.requireDocument(id);
    if (!allows(record.state, 'retry')) {
      const hint = record.state === 'invalid' || record.state === 'rejected' ? ': fix the document and capture it again' : '';
      throw new AgentError('not_retryable', `a document in state "${record.state}" cannot be retried${hint}`, 409);
    }
    if (record.state === 'failed' && record.reasonCode === 'idempotency_conflict') {
      throw new AgentError('not_retryable', 'the hub holds other bytes under this document id; capture the file again', 409);
    }
    const state: DocumentState = this.hold.current() ? 'held' : 'queued';
    this.store.transaction(() => {
      this.store.documents.transition(id, { state, reason: this.hold.current()?.reason ?? null, duplicateOf: record.state === 'duplicate' ? null : undefined }, { type: 'document.retry_requested', message: `retry requested from state ${record.state}` });
      this.store.jobs.enqueue('upload', id);
    });
    this.outbox.wake();
    return state;
  }

  cancel(id: string): void {
    const record = this.requireDocument(id);
    if (!allows(record.state, 'cancel')) {
      throw new AgentError('not_cancellable', `a document in state "${record.state}" cannot be cancelled${record.hubId ? ': the hub already has it' : ''}`, 409);
    }
    this.store.transaction(() => {
      this.store.jobs.cancelForDocument('upload', id);
      this.store.documents.transition(id, { state: 'cancelled', reason: 'cancelled by the user' }, { type: 'document.cancelled' });
    });
  }

  pause(): void {
    this.hold.pause();
  }

  resume(): void {
    this.hold.resume();
    this.outbox.wake();
  }

  async events(since: number, timeoutSeconds: number, limit: number, signal?: AbortSignal): Promise<EventsPage> {
    // A long poll ends quietly (an empty page) when the agent stops, e.g. replaced after a settings change.
    const combined = signal ? AbortSignal.any([signal, this.lifetime.signal]) : this.lifetime.signal;
    const events = await this.store.events.wait(since, Math.min(Math.max(limit, 1), 1000), Math.min(timeoutSeconds, 60) * 1000, combined);
    return { events, lastSeq: events.at(-1)?.seq ?? Math.max(since, 0) };
  }

  async setHubApiKey(apiKey: string): Promise<void> {
    await this.setCredentials({ hubApiKey: apiKey });
  }

  /** Write-only: secrets go to the secret store, never to the settings; a hold on credentials is re-checked at once. */
  async setCredentials(values: Partial<Record<SecretName, string>>): Promise<void> {
    const names = Object.keys(values) as SecretName[];
    for (const name of names) await this.deps.secrets.set(name, values[name]!);
    this.store.transaction(() => this.store.events.append({ type: 'credentials.updated', message: `replaced: ${names.join(', ')}` }));
    this.accountMonitor.checkNow();
  }

  /** Which secrets are set (never their values). */
  secretPresence(): Record<SecretName, boolean> {
    const names: SecretName[] = ['hubApiKey', 'sftpPassword', 'sftpPrivateKey', 'sftpPassphrase'];
    return Object.fromEntries(names.map((name) => [name, Boolean(this.deps.secrets.get(name))])) as Record<SecretName, boolean>;
  }

  verifyAudit(): { ok: boolean; checked: number; firstBad?: number } {
    return this.store.events.verify();
  }

  private requireDocument(id: string) {
    const record = this.store.documents.get(id);
    if (!record) throw new AgentError('not_found', `no document with id ${id}`, 404);
    return record;
  }

  private profileSettings(id: string) {
    return this.settings.profiles.find((p) => p.id === id) ?? null;
  }

  private captureProfile(id: string | null): CaptureProfile {
    if (id) {
      const profile = this.profileSettings(id);
      if (!profile) throw new AgentError('unknown_profile', `no profile "${id}"; known: ${this.settings.profiles.map((p) => p.id).join(', ') || 'none'}`, 400);
      return { id: profile.id, requireApproval: profile.requireApproval };
    }
    const first = this.settings.profiles[0];
    return first ? { id: first.id, requireApproval: first.requireApproval } : { id: 'default', requireApproval: false };
  }

  private hubClient(): HubClient {
    if (!this.hub) throw new AgentError('no_hub', 'no hub configured', 503);
    return this.hub;
  }

  /** The transport from settings. The extra CA (sandbox, corporate proxy) is read once here. */
  private async buildHubClient(): Promise<HubClient | null> {
    const { hub } = this.settings;
    if (hub.transport === 'sftp') {
      const options = this.sftpOptions();
      return options ? createSftpHubClient(options) : null;
    }
    if (!hub.url) return null;
    return createHttpsHubClient({
      baseUrl: hub.url,
      apiKey: () => this.deps.secrets.get('hubApiKey'),
      extraCaPem: await this.extraCaPem(),
      requestTimeoutMs: hub.requestTimeoutSeconds * 1000,
      userAgent: `Recapito/${AGENT_VERSION}`,
    });
  }

  private async extraCaPem(): Promise<string | null> {
    const { caFile } = this.settings.hub;
    if (!caFile) return null;
    try {
      return await readRegularFile(caFile, 'utf8', { followLinks: true });
    } catch (error) {
      throw new AgentError('bad_ca_file', `hub.caFile ${caFile} cannot be read: ${(error as Error).message}`, 500);
    }
  }

  private sftpOptions(): SftpHubClientOptions | null {
    const sftp = this.settings.hub.sftp;
    if (!sftp) return null;
    const secrets = this.deps.secrets;
    return {
      host: sftp.host,
      port: sftp.port,
      username: sftp.username,
      root: sftp.root,
      hostKeyFingerprint: sftp.hostKeyFingerprint,
      credentials: () =>
        sftp.auth === 'password'
          ? { password: secrets.get('sftpPassword') }
          : { privateKey: secrets.get('sftpPrivateKey'), passphrase: secrets.get('sftpPassphrase') },
      connections: sftp.connections,
      pollIntervalMs: sftp.pollSeconds * 1000,
      keepaliveIntervalMs: sftp.keepaliveSeconds * 1000,
      connectTimeoutMs: sftp.connectTimeoutSeconds * 1000,
      log: this.log.child('sftp'),
    };
  }

  /** "Test connection": each stage (name, port, certificate or host key, credentials, folders) on its own. */
  async testConnection(): Promise<ConnectionCheckResult> {
    const { hub } = this.settings;
    if (hub.transport === 'sftp') {
      const options = this.sftpOptions();
      if (!options) throw new AgentError('no_hub', 'hub.sftp is not configured', 400);
      return testSftpConnection(options);
    }
    if (!hub.url || !this.hub) throw new AgentError('no_hub', 'hub.url is not configured', 400);
    return testHttpsConnection({ url: hub.url, extraCaPem: await this.extraCaPem(), client: this.hub });
  }

  private async startWatcher(profileId: string, folder: Settings['profiles'][number]['folders'][number]): Promise<void> {
    const profile = this.captureProfile(profileId);
    const log = this.log.child('watcher');
    const entry: WatcherEntry = {
      profile: profileId,
      folder: folder.path,
      state: 'starting',
      error: null,
      watcher: new FolderWatcher({
        folder: folder.path,
        stableWindowMs: this.settings.intake.stableWindowMs,
        rescanIntervalMs: this.settings.intake.rescanIntervalMs,
        usePolling: folder.usePolling,
        excludeDirs: ['sent', 'errors'],
        concurrency: this.settings.intake.concurrency,
        log,
        onStateChange: (state, error) => {
          entry.state = state;
          entry.error = error ?? null;
          if (state === 'missing' || state === 'error') log.warn('watched folder unavailable', { folder: folder.path, state, error });
        },
        onStable: async (file) => {
          // Files over the size limit are hashed as a stream, never held whole.
          const release = await this.captureBudget.acquire(Math.min(file.size, this.settings.intake.maxFileBytes));
          try {
            await this.capture.captureFolderFile({ profile, folder: folder.path, postAction: folder.postAction, path: file.path, size: file.size, mtimeMs: file.mtimeMs, identity: file.identity });
          } finally {
            release();
          }
        },
      }),
    };
    this.watchers.push(entry);
    await entry.watcher.start();
  }
}

export function createAgent(settings: Settings, deps: AgentDeps): Agent {
  return new Agent(settings, deps);
}
