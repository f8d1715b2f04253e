// Starts an agent and its local API on a data folder: what `serve` and `demo` share.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { createAgent, type Agent } from '../core/agent.ts';
import { AgentError } from '../core/agent-error.ts';
import { startLocalApi, type AgentHost, type LocalApi } from '../core/api/local-api-server.ts';
import { loadOrCreateApiToken } from '../core/api/api-token.ts';
import { dataPaths } from '../core/config/data-dir.ts';
import { preparePrivateDataDir } from '../core/config/private-data.ts';
import { loadSettings, saveSettings } from '../core/config/config-store.ts';
import type { Settings } from '../core/config/settings-schema.ts';
import { createFileSecretStore, knownSecretValues, type SecretStore } from '../core/config/secret-store.ts';
import { createLogger, type Logger } from '../core/log/logger.ts';
import { writeDurably } from '../core/util/fsync.ts';
import { registerRunningAgent } from './running-agents.ts';

export interface RunningAgent {
  /** The agent now (replaced when settings are changed through the API). */
  readonly agent: Agent;
  api: LocalApi;
  token: string;
  log: Logger;
  dataDir: string;
  stop(): Promise<void>;
}

/** The built UI, when present (renderer build output). */
function uiDirectory(): string | null {
  const candidate = fileURLToPath(new URL('../../dist/ui/', import.meta.url));
  return existsSync(join(candidate, 'index.html')) ? candidate : null;
}

/**
 * `kind` names the agent in the list of running agents the CLI finds it by ('serve', 'demo',
 * 'desktop'); `uiDir`: serve the UI from this folder instead of dist/ui (tests build the current sources elsewhere).
 */
export async function runAgent(dataDir: string, overrides: { settings?: Settings; consoleLog?: boolean; secrets?: SecretStore; uiDir?: string; kind?: string } = {}): Promise<RunningAgent> {
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
  const token = await loadOrCreateApiToken(paths.apiToken);
  let agent = createAgent(settings, { dataDir, secrets, log });
  await agent.start();
  let switching: Promise<unknown> = Promise.resolve();

  const host: AgentHost = {
    current: () => agent,
    ready: async () => {
      await switching.catch(() => undefined);
    },
    // New settings: saved atomically, then a new agent takes over the same data folder. The API
    // keeps listening; requests wait for the switch. Listening address and log settings need a restart.
    applySettings: async (next) => {
      const previous = agent.settings;
      const work = (async () => {
        await agent.stop();
        const candidate = createAgent(next, { dataDir, secrets, log });
        try {
          await candidate.start();
        } catch (error) {
          // The new settings cannot run: the previous agent comes back and nothing is saved.
          await candidate.stop().catch(() => undefined);
          agent = createAgent(previous, { dataDir, secrets, log });
          await agent.start();
          throw new AgentError('apply_failed', `the new settings were not applied: ${(error as Error).message}`, 400);
        }
        agent = candidate;
        await saveSettings(paths.config, next);
        await writePrinterUrls(join(dataDir, 'printer-url'), agent);
        log.info('settings applied');
      })();
      switching = work;
      await work;
      const restartRequired = (['api', 'log'] as const).filter((key) => JSON.stringify(previous[key]) !== JSON.stringify(next[key]));
      return { restartRequired };
    },
  };
  const api = await startLocalApi({
    agentHost: host,
    token,
    host: settings.api.host,
    port: settings.api.port,
    log: log.child('api'),
    maxUploadBytes: Math.max(settings.intake.maxFileBytes, settings.intake.zip.maxTotalBytes) + 1024 * 1024,
    uiDir: overrides.uiDir ?? uiDirectory(),
  });
  // api-url last: it is what tools wait for (the token file already exists).
  await writePrinterUrls(join(dataDir, 'printer-url'), agent);
  await writeDurably(paths.apiUrl, `${api.url}\n`, 0o600);
  await writeFile(join(dataDir, 'agent.pid'), `${process.pid}\n`, { mode: 0o600 });
  // Last: once listed, CLI commands without --data talk to this agent.
  const unregister = await registerRunningAgent({ dataDir, apiUrl: api.url, kind: overrides.kind ?? 'serve' });
  log.info('agent started', { api: api.url, dataDir });
  return {
    get agent() {
      return agent;
    },
    api,
    token,
    log,
    dataDir,
    stop: async () => {
      await unregister().catch((error: unknown) => log.warn('could not remove this agent from the list of running agents', { error: String(error) }));
      await api.close();
      await agent.stop();
      log.info('agent stopped');
    },
  };
}

/** The virtual printer's IPP URLs, one line per profile, for ipptool, lpadmin or `recapito printer install`. */
export async function writePrinterUrls(file: string, agent: Agent): Promise<void> {
  const urls = agent.printer.urls();
  await writeDurably(file, urls.map((u) => `${u.url}\n`).join(''), 0o600);
}

/** A signal repeated within this long is the same request (npm forwards the Ctrl+C the terminal also sent us). */
const REPEATED_SIGNAL_MS = 2000;

/**
 * Resolves when SIGINT or SIGTERM arrives. The stop that follows is then clean even if the signal
 * comes twice (under `npm run`, Ctrl+C reaches node from the terminal and again from npm); a signal
 * later than that means "stop now" and exits at once.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: number | null = null;
    const handler = (signal: NodeJS.Signals): void => {
      if (first === null) {
        first = Date.now();
        resolve(signal);
      } else if (Date.now() - first > REPEATED_SIGNAL_MS) {
        console.error(`${signal} again: stopping at once, without waiting for the agent`);
        process.exit(130);
      }
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
