// The support bundle of a running agent (docs/support-bundle.md), made in its own process: the
// status (hub check, printers, services, watched folders) comes from the agent, the counts and the
// last events from a read-only connection to its store, the logs from its folder, and every secret
// the process knows (the secret store's values and the API token) is searched for and removed.
import { dataPaths } from '../config/data-dir.ts';
import { knownSecretValues, type SecretStore } from '../config/secret-store.ts';
import type { Logger } from '../log/logger.ts';
import type { AgentApi } from '../agent/agent-api.ts';
import { AGENT_VERSION } from '../agent/agent.ts';
import {
  SUPPORT_BUNDLE_LIMITS,
  buildSupportBundle,
  readSnapshotOrReason,
  type BundleFacts,
  type SupportBundle,
  type SupportBundleLimits,
} from '../support/support-bundle.ts';

export interface RunningBundleSources {
  dataDir: string;
  agent: () => AgentApi;
  secrets: SecretStore;
  token: string;
  log: Logger;
  limits?: SupportBundleLimits;
}

export async function runningAgentBundle(sources: RunningBundleSources): Promise<SupportBundle> {
  const { dataDir, secrets, token, log } = sources;
  const limits = sources.limits ?? SUPPORT_BUNDLE_LIMITS;
  const paths = dataPaths(dataDir);
  const agent = sources.agent();
  const notes: string[] = [];

  let status: BundleFacts['status'] = null;
  let statusNote: string | null = null;
  try {
    status = agent.status();
  } catch (error) {
    // Between two agents while settings are applied, or stopping.
    statusNote = `the agent did not give its status: ${(error as Error).message}`;
  }

  const snapshot = readSnapshotOrReason(paths.db, limits.events);

  const facts: BundleFacts = {
    mode: 'running',
    dataDir,
    logsDir: paths.logs,
    agentVersion: status?.version ?? AGENT_VERSION,
    createdAt: new Date(),
    settings: { text: `${JSON.stringify(agent.settings, null, 2)}\n`, source: 'the settings the agent runs with' },
    status,
    statusNote,
    snapshot,
    folders: (status?.watchers ?? []).map((watcher) => ({ profile: watcher.profile, folder: watcher.folder, state: watcher.state, error: watcher.error })),
    secrets: [...knownSecretValues(secrets), token],
    notes,
    electronVersion: process.versions['electron'] ?? null,
  };
  const bundle = await buildSupportBundle(facts, limits);
  log.info('support bundle made', { name: bundle.name, bytes: bundle.bytes.length, files: bundle.manifest.files.length });
  return bundle;
}
