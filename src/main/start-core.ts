// Starts the agent core and its local API exactly as the headless `recapito serve` does, with the
// secrets kept by the OS (safeStorage) instead of the headless 0600 file.
import { runAgent, type RunningAgent } from '../core/host/run-agent.ts';
import type { SecretStore } from '../core/config/secret-store.ts';

export function startCore(dataDir: string, secrets: SecretStore): Promise<RunningAgent> {
  return runAgent(dataDir, { secrets, kind: 'desktop' });
}
