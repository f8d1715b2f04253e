// Starts an agent and its local API on a data folder: what `serve`, `demo` and the desktop share.
// The host sits above both: the local API imports the agent's interface, never the other way round.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { createAgent } from '../agent/agent.ts';
import { startLocalApi, type LocalApi } from '../api/local-api-server.ts';
import { SwappingAgentHost } from '../agent/agent-host.ts';
import type { AgentApi } from '../agent/agent-api.ts';
import { loadOrCreateApiToken } from '../api/api-token.ts';
import { dataPaths } from '../config/data-dir.ts';
import { preparePrivateDataDir } from '../config/private-data.ts';
import { loadSettings, saveSettings } from '../config/config-store.ts';
import type { Settings } from '../config/settings-schema.ts';
import { createFileSecretStore, knownSecretValues, type SecretStore } from '../config/secret-store.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { writeDurably } from '../util/fsync.ts';
import { registerRunningAgent } from '../config/running-agents.ts';
import { runningAgentBundle } from './support-bundle.ts';
import type { SupportBundle } from '../support/support-bundle.ts';
import { loadBranding, type LoadedBranding } from '../config/branding.ts';

export interface RunningAgent {
  /** The agent now (replaced when settings are changed through the API). */
  readonly agent: AgentApi;
  api: LocalApi;
  token: string;
  log: Logger;
  dataDir: string;
  /** Makes a support bundle now (docs/support-bundle.md): the local API's route and the tray's menu item. */
  supportBundle(): Promise<SupportBundle>;
  /** The branding in force (docs/white-label.md). */
  branding: LoadedBranding;
  stop(): Promise<void>;
}

/** The built UI, when present (renderer build output). */
function uiDirectory(): string | null {
  const candidate = fileURLToPath(new URL('../../../dist/ui/', import.meta.url));
  return existsSync(join(candidate, 'index.html')) ? candidate : null;
}

/**
 * `kind` names the agent in the list of running agents the CLI finds it by ('serve', 'demo',
 * 'desktop'); `uiDir`: serve the UI from this folder instead of dist/ui (tests build the current sources elsewhere).
 */
export async function runAgent(
  dataDir: string,
  overrides: { settings?: Settings; consoleLog?: boolean; secrets?: SecretStore; uiDir?: string; kind?: string; branding?: LoadedBranding } = {},
): Promise<RunningAgent> {
  const paths = dataPaths(dataDir);
  const settings = overrides.settings ?? (await loadSettings(paths.config));
  // The desktop shell brings its OS-backed store; headless uses the 0600 file (or the environment).
  const secrets = overrides.secrets ?? (await createFileSecretStore(paths.secrets));
  const log = createLogger({
    dir: paths.logs,
    level: settings.log.level,
    maxFileBytes: settings.log.maxFileBytes,
    maxFiles: settings.log.maxFiles,
    console: overrides.consoleLog ?? false,
    secrets: () => [...knownSecretValues(secrets), token],
  });
  // Before the agent opens its files: what an earlier version left readable by others is tightened.
  preparePrivateDataDir(dataDir, log.child('files'));
  // The desktop brings the branding it already read (it looks in the app's resources too).
  const branding = overrides.branding ?? (await loadBranding({ env: process.env, dataDir }));
  for (const warning of branding.view.warnings) log.warn('branding', { warning });
  const token = await loadOrCreateApiToken(paths.apiToken);
  const agent = createAgent(settings, { dataDir, secrets, log, branding });
  await agent.start();
  // New settings through the API: a new agent takes over the same data folder; the API keeps listening.
  const host = new SwappingAgentHost({
    agent,
    create: (next) => createAgent(next, { dataDir, secrets, log, branding }),
    save: (next) => saveSettings(paths.config, next),
    swapped: (next) => writePrinterUrls(join(dataDir, 'printer-url'), next),
    log,
  });
  const supportBundle = (): Promise<SupportBundle> => runningAgentBundle({ dataDir, agent: () => host.current(), secrets, token, log: log.child('support') });
  const api = await startLocalApi({
    agentHost: host,
    token,
    host: settings.api.host,
    port: settings.api.port,
    log: log.child('api'),
    maxUploadBytes: Math.max(settings.intake.maxFileBytes, settings.intake.zip.maxTotalBytes) + 1024 * 1024,
    uiDir: overrides.uiDir ?? uiDirectory(),
    supportBundle,
    branding,
  });
  // api-url last: it is what tools wait for (the token file already exists).
  await writePrinterUrls(join(dataDir, 'printer-url'), agent);
  await writeDurably(paths.apiUrl, `${api.url}\n`);
  await writeFile(join(dataDir, 'agent.pid'), `${process.pid}\n`, { mode: 0o600 });
  // Last: once listed, CLI commands without --data talk to this agent.
  const unregister = await registerRunningAgent({ dataDir, apiUrl: api.url, kind: overrides.kind ?? 'serve' });
  log.info('agent started', { api: api.url, dataDir });
  return {
    get agent() {
      return host.current();
    },
    api,
    token,
    log,
    dataDir,
    supportBundle,
    branding,
    stop: async () => {
      await unregister().catch((error: unknown) => log.warn('could not remove this agent from the list of running agents', { error: String(error) }));
      await api.close();
      await host.current().stop();
      log.info('agent stopped');
    },
  };
}

/** The virtual printer's IPP URLs, one line per profile, for ipptool, lpadmin or `recapito printer install`. */
export async function writePrinterUrls(file: string, agent: Pick<AgentApi, 'printerUrls'>): Promise<void> {
  const urls = agent.printerUrls();
  await writeDurably(file, urls.map((u) => `${u.url}\n`).join(''));
}
