// An agent with its local API serving the UI built from the current sources: what the browser tests
// of the UI open. Stopped (and its folder removed) by close(), which is safe after a partial start.
import { join } from 'node:path';
import { startLocalApi, type LocalApi } from '../../src/core/api/local-api-server.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { buildUi } from './chromium.ts';
import { startHarness, type Harness } from './harness.ts';
import { makeTempDir } from './temp-dir.ts';
import type { LoadedBranding } from '../../src/core/config/branding.ts';
import type { Settings } from '../../src/core/config/settings-schema.ts';

export interface UiAgent {
  temp: { dir: string; cleanup: () => Promise<void> };
  harness: Harness;
  api: LocalApi;
  close(): Promise<void>;
}

/**
 * `options.branding`: the branding the API serves (docs/white-label.md); Recapito's when omitted.
 * `options.settings`: changes to the harness's agent settings (e.g. manual sending).
 * `options.builtUi`: a folder the current sources were already built into (buildUi), shared by the
 * agents of one test file; without it each agent builds its own.
 */
export async function startUiAgent(
  tempPrefix: string,
  token: string,
  options: { branding?: LoadedBranding; settings?: (s: Settings) => Settings; builtUi?: string } = {},
): Promise<UiAgent> {
  const temp = await makeTempDir(tempPrefix);
  let harness: Harness | undefined;
  let api: LocalApi | undefined;
  const close = async (): Promise<void> => {
    await api?.close().catch(() => undefined);
    await harness?.close().catch(() => undefined);
    await temp.cleanup();
  };
  try {
    const uiDir = options.builtUi ?? join(temp.dir, 'ui');
    // Build the current sources, not whatever dist/ui holds.
    [, harness] = await Promise.all([
      options.builtUi ? Promise.resolve() : buildUi(uiDir),
      startHarness(options.settings ? { settings: options.settings } : {}),
    ]);
    const log = createLogger({ dir: join(harness.dataDir, 'logs'), level: 'info', maxFileBytes: 1 << 20, maxFiles: 1 });
    api = await startLocalApi({
      agent: harness.agent,
      token,
      host: '127.0.0.1',
      port: 0,
      log,
      maxUploadBytes: 25 * 1024 * 1024,
      uiDir,
      ...(options.branding ? { branding: options.branding } : {}),
    });
    return { temp, harness, api, close };
  } catch (error) {
    await close();
    throw error;
  }
}
