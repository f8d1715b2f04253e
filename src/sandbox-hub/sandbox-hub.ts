// The sandbox hub: a reference e-invoicing hub speaking hub protocol v1 over HTTPS (and, optionally,
// over an SFTP folder), with a simulated SDI, for the agent's tests and the demo. Composition only;
// the processing core (processing/, sdi/, store/) knows nothing of either transport.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadOrCreateAdminToken, loadOrCreateTls, writeUrlFile } from './data-dir.ts';
import { FaultInjector } from './http/fault-injector.ts';
import type { FaultRule } from './http/fault-injector.ts';
import { createHttpsServer } from './http/https-server.ts';
import { EventNotifier } from './processing/event-notifier.ts';
import { HubService } from './processing/hub-service.ts';
import type { SubmitterContext } from './processing/hub-service.ts';
import { SandboxAdmin } from './processing/sandbox-admin.ts';
import type { SandboxDocumentRecord } from './processing/sandbox-admin.ts';
import { SdiSimulator } from './sdi/sdi-simulator.ts';
import { startSftpFace } from './sftp/sftp-face.ts';
import type { SftpFace } from './sftp/sftp-face.ts';
import { AccountsRepository } from './store/accounts-repository.ts';
import { DocumentsRepository } from './store/documents-repository.ts';
import { EventsRepository } from './store/events-repository.ts';
import { openHubDatabase } from './store/hub-database.ts';
import { PendingStepsRepository } from './store/pending-steps-repository.ts';
import { SftpRepository } from './store/sftp-repository.ts';

export type { FaultRule } from './http/fault-injector.ts';
export type { SandboxDocumentRecord } from './processing/sandbox-admin.ts';

export interface SandboxHubOptions {
  /** Its own SQLite (hub.sqlite), tls/ folder, admin-token and url files. */
  dataDir: string;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Delay before each simulated SDI step; default all 0 (instant). */
  sdiDelaysMs?: { processing?: number; sent?: number; outcome?: number; paOutcome?: number };
  /** Default 20 MiB; larger uploads get 413. */
  maxDocumentBytes?: number;
  /** The feed keeps at most this many newest events; an older cursor gets 410. Default 100000. */
  eventRetention?: number;
  /** Cap for `GET /v1/events?timeout=`. Default 30. */
  longPollMaxSeconds?: number;
  /** The SFTP face (docs/hub-protocol.md, SFTP): the hub works on this folder; a real sshd serves it to the agent. */
  sftp?: SftpOptions;
}

export interface SftpOptions {
  /** The account's root folder; in/ and out/ are made inside it. */
  rootDir: string;
  /** How often in/ is scanned; default 200. out/ is also written as soon as an event is stored. */
  pollIntervalMs?: number;
  /** An API key of the account the folder belongs to; default the sandbox account. */
  apiKey?: string;
}

export interface SandboxHub {
  /** https://127.0.0.1:PORT */
  url: string;
  port: number;
  /** PEM of the CA the agent must be configured to trust. */
  caFile: string;
  adminToken: string;
  /** The SFTP face's root folder (absolute), or null without one. */
  sftpRootDir: string | null;
  createApiKey(opts?: { expiresAt?: string | null; name?: string }): string;
  revokeApiKey(key: string): void;
  setKeyExpiry(key: string, expiresAt: string | null): void;
  /** Account credits; each new document costs 1; 0 gives 402 credits_exhausted. */
  setCredits(n: number): void;
  /** A one-time code for POST /v1/enrollments; with `expiresAt` (ISO) it stops working then. */
  createActivationCode(opts?: { expiresAt?: string | null }): string;
  /** Replaces the current rules. */
  injectFaults(rules: FaultRule[]): void;
  clearFaults(): void;
  listDocuments(): SandboxDocumentRecord[];
  close(): Promise<void>;
}

const DEFAULT_SFTP_POLL_MS = 200;
const DEFAULTS = { host: '127.0.0.1', port: 0, maxDocumentBytes: 20 * 1024 * 1024, eventRetention: 100_000, longPollMaxSeconds: 30 };

export async function createSandboxHub(options: SandboxHubOptions): Promise<SandboxHub> {
  const settings = { ...DEFAULTS, ...withoutUndefined(options) };
  checkSettings(settings);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const tls = await loadOrCreateTls(options.dataDir);
  const adminToken = await loadOrCreateAdminToken(options.dataDir);

  const db = openHubDatabase(path.join(options.dataDir, 'hub.sqlite'));
  const now = (): Date => new Date();
  const accounts = new AccountsRepository(db);
  const documents = new DocumentsRepository(db);
  const events = new EventsRepository(db);
  const pending = new PendingStepsRepository(db);
  const notifier = new EventNotifier();
  const account = accounts.ensureSandboxAccount();
  const given = options.sdiDelaysMs ?? {};
  const delays = { processing: given.processing ?? 0, sent: given.sent ?? 0, outcome: given.outcome ?? 0, paOutcome: given.paOutcome ?? 0 };
  const simulator = new SdiSimulator({ db, documents, events, pending, notifier, delays, now });
  const service = new HubService({ db, accounts, documents, events, simulator, notifier, eventRetention: settings.eventRetention, now });
  const admin = new SandboxAdmin({ accounts, documents, accountId: account.id, now });
  const faults = new FaultInjector();

  let sftp: SftpFace | null = null;
  const app = createHttpsServer({
    tls,
    service,
    admin,
    faults,
    adminToken,
    maxDocumentBytes: settings.maxDocumentBytes,
    longPollMaxSeconds: settings.longPollMaxSeconds,
    lastSeq: () => events.lastSeq(),
  });
  let port: number;
  try {
    if (options.sftp) {
      sftp = await startSftpFace({
        rootDir: path.resolve(options.sftp.rootDir),
        pollIntervalMs: options.sftp.pollIntervalMs ?? DEFAULT_SFTP_POLL_MS,
        account: sftpAccount(service, options.sftp.apiKey, account.id),
        service,
        documents,
        sftp: new SftpRepository(db, events),
        notifier,
        maxDocumentBytes: settings.maxDocumentBytes,
        now,
      });
    }
    await app.listen({ host: settings.host, port: settings.port });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('the sandbox hub is not listening on a TCP port');
    port = address.port;
  } catch (error) {
    await sftp?.close();
    await app.close().catch(() => undefined);
    db.close();
    throw error;
  }
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `https://${host}:${port}`;
  await writeUrlFile(options.dataDir, url);
  simulator.resume();

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    caFile: tls.caFile,
    adminToken,
    sftpRootDir: sftp?.rootDir ?? null,
    createApiKey: (opts) => admin.createApiKey(opts),
    revokeApiKey: (key) => admin.revokeApiKey(key),
    setKeyExpiry: (key, expiresAt) => admin.setKeyExpiry(key, expiresAt),
    setCredits: (n) => admin.setCredits(n),
    createActivationCode: (opts) => admin.createActivationCode(opts),
    injectFaults: (rules) => faults.replace(rules),
    clearFaults: () => faults.clear(),
    listDocuments: () => admin.listDocuments(),
    close: () => {
      closing ??= (async () => {
        await sftp?.close();
        simulator.close();
        notifier.close();
        await app.close();
        db.close();
      })();
      return closing;
    },
  };
}

/** The account the SFTP folder belongs to: the given key's, else the sandbox account. */
function sftpAccount(service: HubService, apiKey: string | undefined, defaultAccountId: string): SubmitterContext {
  if (apiKey === undefined) return { accountId: defaultAccountId };
  try {
    return { accountId: service.authenticate(apiKey).accountId };
  } catch (error) {
    throw new Error(`sandbox hub option sftp.apiKey cannot be used: ${(error as Error).message}`, { cause: error });
  }
}

function withoutUndefined<T extends object>(value: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as { [K in keyof T]-?: Exclude<T[K], undefined> };
}

function checkSettings(settings: typeof DEFAULTS & { sdiDelaysMs?: Record<string, number | undefined>; sftp?: SftpOptions }): void {
  const positive = (name: string, value: number): void => {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`sandbox hub option ${name} must be a positive number (got ${value})`);
  };
  positive('maxDocumentBytes', settings.maxDocumentBytes);
  positive('eventRetention', settings.eventRetention);
  positive('longPollMaxSeconds', settings.longPollMaxSeconds);
  if (settings.sftp) {
    if (!settings.sftp.rootDir) throw new Error('sandbox hub option sftp.rootDir must name a folder');
    if (settings.sftp.pollIntervalMs !== undefined) positive('sftp.pollIntervalMs', settings.sftp.pollIntervalMs);
  }
  for (const [name, value] of Object.entries(settings.sdiDelaysMs ?? {})) {
    if (value !== undefined && (!Number.isFinite(value) || value < 0))
      throw new Error(`sandbox hub option sdiDelaysMs.${name} must be 0 or more (got ${value})`);
  }
}
