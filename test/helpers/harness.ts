// Starts the real pieces for integration tests: the sandbox hub over real TLS and an agent on a
// real data folder with a real SQLite file, in this process.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createSandboxHub, type SandboxHub, type SandboxHubOptions } from '../../src/sandbox-hub/sandbox-hub.ts';
import { createAgent, type Agent } from '../../src/core/agent.ts';
import { defaultSettings, type Settings } from '../../src/core/config/settings-schema.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { makeTempDir } from './temp-dir.ts';
import { waitFor } from './wait-for.ts';
import type { DocumentState } from '../../src/contract/states.ts';

export interface Harness {
  root: string;
  hub: SandboxHub;
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
    intake: { ...defaults.intake, stableWindowMs: 100, rescanIntervalMs: 1000 },
    outbox: { ...defaults.outbox, backoffBaseMs: 50, backoffCapMs: 500, leaseSeconds: 30 },
    log: { ...defaults.log, level: 'debug' },
    profiles: [{ id: 'test', name: 'Test Srl', hubCompanyId: null, folders: [{ path: dropDir, postAction: 'move', usePolling: false }], returnFolder: null, requireApproval: false }],
  };
}

export async function startHarness(options: { hub?: Partial<SandboxHubOptions>; settings?: (s: Settings) => Settings } = {}): Promise<Harness> {
  const { dir: root, cleanup } = await makeTempDir();
  const hub = await createSandboxHub({ dataDir: join(root, 'hub'), ...options.hub });
  const apiKey = hub.createApiKey({ name: 'test' });
  const dropDir = join(root, 'drop');
  const dataDir = join(root, 'agent');
  await mkdir(dropDir, { recursive: true });
  let settings = testSettings(hub, dropDir);
  if (options.settings) settings = options.settings(settings);

  const secrets = await createFileSecretStore(join(dataDir, 'secrets.json'), {});
  await secrets.set('hubApiKey', apiKey);
  const log = createLogger({ dir: join(dataDir, 'logs'), level: 'debug', maxFileBytes: 5 * 1024 * 1024, maxFiles: 2, secrets: () => [apiKey] });

  let agent = createAgent(settings, { dataDir, secrets, log });
  await agent.start();

  const harness: Harness = {
    root,
    hub,
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
      agent = createAgent(settings, { dataDir, secrets, log });
      await agent.start();
      return agent;
    },
    async waitForState(id, states, timeoutMs = 20_000) {
      const wanted = Array.isArray(states) ? states : [states];
      return waitFor(`document ${id} to reach ${wanted.join('|')}`, () => {
        const document = agent.store.documents.get(id);
        return document && wanted.includes(document.state) ? document.state : null;
      }, timeoutMs);
    },
    async close() {
      await agent.stop().catch(() => undefined);
      await hub.close().catch(() => undefined);
      await cleanup();
    },
  };
  return harness;
}
