// Starts the real pieces for integration tests: the sandbox hub over real TLS and an agent on a
// real data folder with a real SQLite file, in this process.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createSandboxHub, type SandboxHub, type SandboxHubOptions } from '../../src/sandbox-hub/sandbox-hub.ts';
import { createAgent, type Agent, type AgentDeps } from '../../src/core/agent/agent.ts';
import { defaultSettings, type Settings } from '../../src/core/config/settings-schema.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { makeTempDir } from './temp-dir.ts';
import { waitFor } from './wait-for.ts';
import type { DocumentState } from '../../src/contract/states.ts';
import { startSshd, type Sshd } from './sshd.ts';

export type Transport = 'https' | 'sftp';
/** The transports every end-to-end suite runs over. */
export const TRANSPORTS: readonly Transport[] = ['https', 'sftp'];

export interface Harness {
  root: string;
  transport: Transport;
  hub: SandboxHub;
  /** The real OpenSSH server in front of the hub's folder (SFTP transport only). */
  sshd: Sshd | null;
  agent: Agent;
  apiKey: string;
  dropDir: string;
  dataDir: string;
  settings: Settings;
  restartAgent(patch?: (settings: Settings) => Settings, whileStopped?: () => Promise<void>): Promise<Agent>;
  waitForState(id: string, states: DocumentState | DocumentState[], timeoutMs?: number): Promise<DocumentState>;
  close(): Promise<void>;
}

export function testSettings(hub: SandboxHub, dropDir: string): Settings {
  const defaults = defaultSettings();
  return {
    ...defaults,
    hub: { ...defaults.hub, url: hub.url, caFile: hub.caFile, accountPollSeconds: 1, eventsLongPollSeconds: 2 },
    api: { ...defaults.api, port: 0 },
    printer: { ...defaults.printer, enabled: false, port: 0 },
    intake: { ...defaults.intake, stableWindowMs: 100, rescanIntervalMs: 1000 },
    outbox: { ...defaults.outbox, backoffBaseMs: 50, backoffCapMs: 500, leaseSeconds: 30 },
    log: { ...defaults.log, level: 'debug' },
    profiles: [
      {
        id: 'test',
        name: 'Test Srl',
        hubCompanyId: null,
        folders: [{ path: dropDir, postAction: 'move', usePolling: false }],
        returnFolder: null,
        sending: 'automatic',
        dualControl: false,
        printer: { enabled: true, queueName: null },
      },
    ],
  };
}

/** Agent settings for the hub's SFTP face behind a real sshd. */
export function sftpSettings(settings: Settings, sshd: Sshd, rootDir: string): Settings {
  return {
    ...settings,
    hub: {
      ...settings.hub,
      transport: 'sftp',
      sftp: {
        host: sshd.host,
        port: sshd.port,
        username: sshd.username,
        root: rootDir,
        hostKeyFingerprint: sshd.hostKeyFingerprint,
        auth: 'key',
        connections: 2,
        pollSeconds: 1,
        keepaliveSeconds: 15,
        connectTimeoutSeconds: 5,
      },
    },
  };
}

export async function startHarness(
  options: {
    transport?: Transport;
    hub?: Partial<SandboxHubOptions>;
    settings?: (s: Settings) => Settings;
    /** The agent's data folder (default: <root>/agent), e.g. on a small filesystem of its own; made before the agent starts. */
    dataDir?: (root: string) => Promise<string>;
    /** More of the agent's dependencies (its disk-space reserve…). */
    deps?: Pick<AgentDeps, 'diskSpace'>;
  } = {},
): Promise<Harness> {
  const transport = options.transport ?? 'https';
  const { dir: root, cleanup } = await makeTempDir();
  const sshd = transport === 'sftp' ? await startSshd(join(root, 'sshd')) : null;
  const sftpRoot = join(root, 'hub-sftp');
  const hub = await createSandboxHub({ dataDir: join(root, 'hub'), ...(sshd ? { sftp: { rootDir: sftpRoot, pollIntervalMs: 100 } } : {}), ...options.hub });
  const apiKey = hub.createApiKey({ name: 'test' });
  const dropDir = join(root, 'drop');
  const dataDir = options.dataDir ? await options.dataDir(root) : join(root, 'agent');
  await mkdir(dropDir, { recursive: true });
  let settings = testSettings(hub, dropDir);
  if (sshd) settings = sftpSettings(settings, sshd, sftpRoot);
  if (options.settings) settings = options.settings(settings);

  const secrets = await createFileSecretStore(join(dataDir, 'secrets.json'), {});
  await secrets.set('hubApiKey', apiKey);
  if (sshd) await secrets.set('sftpPrivateKey', sshd.clientPrivateKey);
  const log = createLogger({ dir: join(dataDir, 'logs'), level: 'debug', maxFileBytes: 5 * 1024 * 1024, maxFiles: 2, secrets: () => [apiKey] });

  let agent = createAgent(settings, { dataDir, secrets, log, ...options.deps });
  await agent.start();

  const harness: Harness = {
    root,
    transport,
    hub,
    sshd,
    get agent() {
      return agent;
    },
    apiKey,
    dropDir,
    dataDir,
    get settings() {
      return settings;
    },
    async restartAgent(patch, whileStopped) {
      await agent.stop();
      await whileStopped?.();
      if (patch) settings = patch(settings);
      agent = createAgent(settings, { dataDir, secrets, log, ...options.deps });
      await agent.start();
      return agent;
    },
    async waitForState(id, states, timeoutMs = 20_000) {
      const wanted = Array.isArray(states) ? states : [states];
      return waitFor(
        `document ${id} to reach ${wanted.join('|')}`,
        () => {
          const document = agent.store.documents.get(id);
          return document && wanted.includes(document.state) ? document.state : null;
        },
        timeoutMs,
      );
    },
    async close() {
      await agent.stop().catch(() => undefined);
      await hub.close().catch(() => undefined);
      await sshd?.stop().catch(() => undefined);
      await cleanup();
    },
  };
  return harness;
}
