// Starts an agent and its local API on a data folder: what `serve` and `demo` share.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { createAgent, type Agent } from '../core/agent.ts';
import { startLocalApi, type LocalApi } from '../core/api/local-api-server.ts';
import { loadOrCreateApiToken } from '../core/api/api-token.ts';
import { dataPaths } from '../core/config/data-dir.ts';
import { loadSettings } from '../core/config/config-store.ts';
import type { Settings } from '../core/config/settings-schema.ts';
import { createFileSecretStore, knownSecretValues, type SecretStore } from '../core/config/secret-store.ts';
import { createLogger, type Logger } from '../core/log/logger.ts';
import { writeDurably } from '../core/util/fsync.ts';

export interface RunningAgent {
  agent: Agent;
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

export async function runAgent(dataDir: string, overrides: { settings?: Settings; consoleLog?: boolean; secrets?: SecretStore } = {}): Promise<RunningAgent> {
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
  const token = await loadOrCreateApiToken(paths.apiToken);
  const agent = createAgent(settings, { dataDir, secrets, log });
  await agent.start();
  const api = await startLocalApi({
    agent,
    token,
    host: settings.api.host,
    port: settings.api.port,
    log: log.child('api'),
    maxUploadBytes: Math.max(settings.intake.maxFileBytes, settings.intake.zip.maxTotalBytes) + 1024 * 1024,
    uiDir: uiDirectory(),
  });
  await writeDurably(paths.apiUrl, `${api.url}\n`);
  await writeFile(join(dataDir, 'agent.pid'), `${process.pid}\n`);
  log.info('agent started', { api: api.url, dataDir });
  return {
    agent,
    api,
    token,
    log,
    dataDir,
    stop: async () => {
      await api.close();
      await agent.stop();
      log.info('agent stopped');
    },
  };
}

/** Resolves when SIGINT or SIGTERM arrives. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
