// The composition root: builds the agent's parts on an opened store and spool, wired by constructor
// arguments, and lists the services to start in order (each stops before what it uses, in reverse).
import type { Settings } from '../config/settings-schema.ts';
import type { SecretStore } from '../config/secret-store.ts';
import type { Logger } from '../log/logger.ts';
import type { Store } from '../store/store.ts';
import type { Spool } from '../store/spool.ts';
import type { HubClient } from '../hub/hub-client.ts';
import { CaptureService, type CaptureProfile } from '../intake/capture.ts';
import { CaptureWorkerPool, defaultCaptureWorkerCount } from '../intake/capture-worker/capture-pool.ts';
import type { CaptureWorkerFaults } from '../intake/capture-worker/messages.ts';
import { FolderWatcher, type WatcherState } from '../intake/folder-watcher.ts';
import { DiskSpace } from '../intake/disk-space.ts';
import { SENT_FOLDER, ERRORS_FOLDER } from '../intake/post-action.ts';
import { HoldController } from '../sync/hold.ts';
import { HubHealth } from '../sync/hub-health.ts';
import { HubAvailability } from '../sync/hub-availability.ts';
import { Outbox } from '../sync/outbox.ts';
import { StatusFollower } from '../sync/status-follower.ts';
import { AccountMonitor } from '../sync/account-monitor.ts';
import { Retention } from '../sync/retention.ts';
import { ReturnFolderWriter } from '../sync/return-folder.ts';
import { ReturnFolderSync } from '../sync/return-folder-sync.ts';
import { PrinterService, printerSpoolDir } from '../printer/printer-service.ts';
import { ByteBudget } from '../util/byte-budget.ts';
import type { ServiceHealth } from '../lifecycle/service-health.ts';
import { service, type ServicePlan } from '../lifecycle/service-runner.ts';
import { AgentError } from '../agent-error.ts';
import { buildHubClient } from './hub-connection.ts';
import type { LoadedBranding } from '../config/branding.ts';
import { ApprovalService, agentOsUser, submitter } from './approval.ts';
import type { Clock } from '../util/clock.ts';
import { ComputedTotalsBackfill } from './computed-totals.ts';

export interface AgentDeps {
  dataDir: string;
  secrets: SecretStore;
  log: Logger;
  /** Replaces the transport built from settings (tests). */
  hubClient?: HubClient;
  /** A reseller's branding (docs/white-label.md): the printer queues' names, /status. */
  branding?: LoadedBranding;
  /** The capture worker pool's size (default: defaultCaptureWorkerCount()), its timeout, and faults for tests. */
  captureWorkers?: { size?: number; jobTimeoutMs?: number; faults?: CaptureWorkerFaults };
  /** The free space kept in reserve on the data folder's disk, and how often a full disk is looked at again (tests). */
  diskSpace?: { reserveBytes?: number; recheckMs?: number; readingReuseMs?: number };
  /** The OS user the events and captures name (default: the account running the agent; tests). */
  osUser?: string;
  /** The clock of the approvers' PIN lockout (tests). */
  approvalClock?: Clock;
}

export interface WatcherEntry {
  profile: string;
  folder: string;
  watcher: FolderWatcher;
  state: WatcherState;
  error: string | null;
}

/** What the facade (agent.ts) works with once the agent runs. */
export interface AgentParts {
  store: Store;
  spool: Spool;
  capture: CaptureService;
  /** Capture stops while the data folder's disk is full; `current()` is the reason. */
  disk: DiskSpace;
  hold: HoldController;
  health: HubHealth;
  outbox: Outbox;
  accountMonitor: AccountMonitor;
  retention: Retention;
  printer: PrinterService;
  watchers: WatcherEntry[];
  /** Manual approval, dual control and the approvers (docs/approval.md). */
  approval: ApprovalService;
  /** The OS user running the agent, as events and captures name it. */
  osUser: string;
  /** Null until the hub client is built (at start), and when no hub is configured. */
  hub: () => HubClient | null;
}

export function profileSettings(settings: Settings, id: string): Settings['profiles'][number] | null {
  return settings.profiles.find((p) => p.id === id) ?? null;
}

/** The profile a capture belongs to: the one named, or the first (or a default when there is none). */
export function captureProfile(settings: Settings, id: string | null): CaptureProfile {
  if (id) {
    const profile = profileSettings(settings, id);
    if (!profile) throw new AgentError('unknown_profile', `no profile "${id}"; known: ${settings.profiles.map((p) => p.id).join(', ') || 'none'}`, 400);
    return { id: profile.id, requireApproval: profile.sending === 'manual' };
  }
  const first = settings.profiles[0];
  return first ? { id: first.id, requireApproval: first.sending === 'manual' } : { id: 'default', requireApproval: false };
}

export function composeAgent(
  settings: Settings,
  deps: AgentDeps,
  opened: { store: Store; spool: Spool; services: ServiceHealth },
): { parts: AgentParts; plans: ServicePlan[] } {
  const { store, spool, services } = opened;
  const { log } = deps;
  let hubClient: HubClient | null = deps.hubClient ?? null;
  const hub = (): HubClient => {
    if (!hubClient) throw new AgentError('no_hub', 'no hub configured', 503);
    return hubClient;
  };
  const hold = new HoldController(store);
  const health = new HubHealth();
  // Whether the hub can be reached, shared by every loop below: one probe during an outage.
  const availability = new HubAvailability({
    settings: { probeBaseMs: settings.hub.outageProbeBaseMs, probeCapMs: settings.hub.outageProbeCapMs, maxConcurrency: settings.outbox.concurrency },
    probe: (signal) => hub().account(signal),
    health,
    hold,
    log: log.child('hub'),
  });
  const companyFor = (profileId: string): string | null => profileSettings(settings, profileId)?.hubCompanyId ?? settings.hub.companyId;

  const outbox = new Outbox({
    store,
    spool,
    hub,
    hold,
    health,
    availability,
    settings: {
      concurrency: settings.outbox.concurrency,
      memoryBudgetBytes: settings.outbox.memoryBudgetBytes,
      leaseMs: settings.outbox.leaseSeconds * 1000,
      backoffBaseMs: settings.outbox.backoffBaseMs,
      backoffCapMs: settings.outbox.backoffCapMs,
    },
    companyFor,
    log: log.child('outbox'),
    services,
  });
  const workers = deps.captureWorkers ?? {};
  // Workers start on the first capture, so an agent that never captures costs no threads.
  const captureWorkers = new CaptureWorkerPool({
    size: workers.size ?? defaultCaptureWorkerCount(),
    spoolDir: spool.dir,
    limits: { maxFileBytes: settings.intake.maxFileBytes, zip: settings.intake.zip, preflight: settings.intake.preflight },
    log: log.child('intake'),
    ...(workers.jobTimeoutMs ? { jobTimeoutMs: workers.jobTimeoutMs } : {}),
    ...(workers.faults ? { faults: workers.faults } : {}),
  });
  const disk = new DiskSpace({ dir: deps.dataDir, log: log.child('intake'), ...deps.diskSpace });
  const capture = new CaptureService({
    store,
    disk,
    workers: captureWorkers,
    log: log.child('intake'),
    onQueued: () => outbox.wake(),
    preflight: settings.intake.preflight,
  });
  const follower = new StatusFollower({
    store,
    spool,
    hub,
    health,
    log: log.child('follower'),
    longPollSeconds: settings.hub.eventsLongPollSeconds,
    backoffBaseMs: settings.outbox.backoffBaseMs,
    backoffCapMs: Math.min(settings.outbox.backoffCapMs, 60_000),
    services,
    availability,
  });
  const printer = new PrinterService({
    settings,
    store,
    capture,
    captureProfile: (profileId) => captureProfile(settings, profileId),
    spoolDir: printerSpoolDir(deps.dataDir),
    log: log.child('printer'),
    unavailable: () => disk.current()?.reason ?? null,
    ...(deps.branding ? { brand: { productName: deps.branding.view.productName, shortName: deps.branding.view.shortName } } : {}),
  });
  // Only when a profile hands statuses back to its ERP as files.
  const returnFolders = settings.profiles.some((p) => p.returnFolder)
    ? new ReturnFolderSync({
        store,
        writer: new ReturnFolderWriter({ store, spool, log: log.child('return'), folderFor: (id) => profileSettings(settings, id)?.returnFolder ?? null }),
        log: log.child('return'),
      })
    : null;
  const retention = new Retention({ store, spool, settings: settings.retention, log: log.child('retention') });
  const accountIntervalMs = settings.hub.accountPollSeconds * 1000;
  const accountMonitor = new AccountMonitor({
    hub,
    hold,
    health,
    log: log.child('account'),
    intervalMs: accountIntervalMs,
    whileHeldIntervalMs: Math.min(accountIntervalMs, 10_000),
    availability,
  });
  // One memory budget for all folders: what the agent holds of files being captured at once.
  const captureBudget = new ByteBudget(settings.intake.memoryBudgetBytes);
  const osUser = deps.osUser ?? agentOsUser();
  const watchers = settings.profiles.flatMap((profile) =>
    profile.folders.map((folder) => watcherFor(settings, capture, captureBudget, profile.id, folder, log, osUser)),
  );
  // Room again on the disk: the files that waited in their folders are taken up by themselves.
  disk.onChange(() => {
    if (disk.current()) return;
    for (const entry of watchers) void entry.watcher.resumeDeferred(); // never rejects
  });
  const approval = new ApprovalService({
    store,
    settings,
    hold,
    wake: () => outbox.wake(),
    log: log.child('approval'),
    osUser,
    ...(deps.approvalClock ? { clock: deps.approvalClock } : {}),
  });

  const computedTotals = new ComputedTotalsBackfill({ store, spool, log: log.child('computed-totals') });

  const hubLoops: ServicePlan[] = [
    {
      service: service(
        'hub-availability',
        () => availability.start(),
        () => availability.stop(),
      ),
    },
    {
      service: service(
        'outbox',
        () => outbox.start(),
        () => outbox.stop(),
      ),
    },
    {
      service: service(
        'status-follower',
        () => follower.start(),
        () => follower.stop(),
      ),
    },
    {
      service: service(
        'account-monitor',
        () => accountMonitor.start(),
        () => accountMonitor.stop(),
      ),
    },
  ];
  const plans: ServicePlan[] = [
    // Capture starts by finishing the post-actions a stop interrupted, before any watcher runs. It
    // stops after the watchers and the printer: their captures have finished; a local API upload
    // still under way gets a few seconds, then fails (its client is told and can send it again).
    {
      service: service(
        'capture',
        async () => {
          const recovered = await capture.recoverPendingPostActions();
          if (recovered) log.info('finished post-actions interrupted by a stop', { count: recovered });
        },
        async () => {
          disk.stop();
          await capture.settled();
          await captureWorkers.close();
        },
      ),
    },
    {
      service: service(
        'hub-client',
        async () => {
          hubClient ??= await buildHubClient({ settings: settings.hub, secrets: deps.secrets, log });
          if (!hubClient) log.warn('no hub configured: documents are captured and wait in the queue');
        },
        async () => {
          await hubClient?.close();
        },
      ),
    },
    // The loops that talk to the hub only exist with one; they read the client when they run.
    ...(deps.hubClient || hasHubSettings(settings) ? hubLoops : []),
    {
      service: service(
        'retention',
        () => retention.start(),
        () => retention.stop(),
      ),
    },
    ...(returnFolders
      ? [
          {
            service: service(
              'return-folders',
              () => returnFolders.start(),
              () => returnFolders.stop(),
            ),
          },
        ]
      : []),
    ...watchers.map((entry) => ({
      service: service(
        `watcher ${entry.folder}`,
        () => entry.watcher.start(),
        () => entry.watcher.stop(),
      ),
    })),
    // Invoices captured before totals were computed get theirs, in the background (migration 7).
    {
      service: service(
        'computed-totals',
        () => computedTotals.start(),
        () => computedTotals.stop(),
      ),
      required: false,
    },
    // A printer that cannot start (port taken) is reported in health; the rest of the agent runs.
    {
      service: service(
        'printer',
        () => printer.start(),
        () => printer.stop(),
      ),
      required: false,
    },
  ];
  const parts: AgentParts = {
    store,
    spool,
    capture,
    disk,
    hold,
    health,
    outbox,
    accountMonitor,
    retention,
    printer,
    watchers,
    approval,
    osUser,
    hub: () => hubClient,
  };
  return { parts, plans };
}

function hasHubSettings(settings: Settings): boolean {
  return settings.hub.transport === 'sftp' ? settings.hub.sftp !== null && settings.hub.sftp !== undefined : Boolean(settings.hub.url);
}

function watcherFor(
  settings: Settings,
  capture: CaptureService,
  budget: ByteBudget,
  profileId: string,
  folder: Settings['profiles'][number]['folders'][number],
  agentLog: Logger,
  osUser: string,
): WatcherEntry {
  const profile = captureProfile(settings, profileId);
  const log = agentLog.child('watcher');
  const entry: WatcherEntry = {
    profile: profileId,
    folder: folder.path,
    state: 'starting',
    error: null,
    watcher: new FolderWatcher({
      folder: folder.path,
      stableWindowMs: settings.intake.stableWindowMs,
      rescanIntervalMs: settings.intake.rescanIntervalMs,
      usePolling: folder.usePolling,
      excludeDirs: [SENT_FOLDER, ERRORS_FOLDER],
      concurrency: settings.intake.concurrency,
      log,
      onStateChange: (state, error) => {
        entry.state = state;
        entry.error = error ?? null;
        if (state === 'missing' || state === 'error') log.warn('watched folder unavailable', { folder: folder.path, state, error });
      },
      onStable: async (file) => {
        // Files over the size limit are hashed as a stream, never held whole.
        const release = await budget.acquire(Math.min(file.size, settings.intake.maxFileBytes));
        try {
          await capture.captureFolderFile({
            profile,
            folder: folder.path,
            postAction: folder.postAction,
            path: file.path,
            size: file.size,
            mtimeMs: file.mtimeMs,
            identity: file.identity,
            // A folder does not say who wrote a file (not on Windows, not on a share): the account running the agent.
            submittedBy: submitter(osUser),
          });
        } finally {
          release();
        }
      },
    }),
  };
  return entry;
}
