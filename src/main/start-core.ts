// Starts the agent core and its local API exactly as the headless `recapito serve` does, with the
// secrets kept by the OS (safeStorage) instead of the headless 0600 file.
import { runAgent, type RunningAgent } from '../core/host/run-agent.ts';
import type { SecretStore } from '../core/config/secret-store.ts';
import type { LoadedBranding } from '../core/config/branding.ts';

/** `branding`: what main.ts read, the installed app's resources included (docs/white-label.md). */
export function startCore(dataDir: string, secrets: SecretStore, branding?: LoadedBranding): Promise<RunningAgent> {
  return runAgent(dataDir, { secrets, kind: 'desktop', ...(branding ? { branding } : {}) });
}
