// The support bundle from the UI, in a real browser (Chromium through playwright-core) against the
// host the CLI runs: the settings page's button downloads the ZIP with the token (a blob, never the
// token in a URL), the file is the agent's bundle (its manifest, the live checks), and neither the
// hub API key nor the local API token is in any of its files; no CSP violation on the way.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzip } from '../helpers/unzip.ts';
import type { Browser, Page } from 'playwright-core';
import { runAgent, type RunningAgent } from '../../src/core/host/run-agent.ts';
import { createSandboxHub, type SandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { saveSettings } from '../../src/core/config/config-store.ts';
import { testSettings } from '../helpers/harness.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { buildUi, inPage, launchChromium, needsChromium, openRecordedPage } from '../helpers/chromium.ts';

const STEP_TIMEOUT = 15_000;
const chromium = needsChromium();

chromium.describe('support bundle in Chromium', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let hub: SandboxHub;
  let running: RunningAgent;
  let browser: Browser;
  let page: Page;
  let apiKey: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('recapito-ui-bundle-');
    const root = temp.dir;
    const uiDir = join(root, 'ui');
    const dataDir = join(root, 'agent');
    await mkdir(join(root, 'drop'), { recursive: true });
    const startAgent = async () => {
      hub = await createSandboxHub({ dataDir: join(root, 'hub') });
      await saveSettings(join(dataDir, 'config.json'), testSettings(hub, join(root, 'drop')));
      const secrets = await createFileSecretStore(join(dataDir, 'secrets.json'), {});
      apiKey = hub.createApiKey({ name: 'bundle-ui-test' });
      await secrets.set('hubApiKey', apiKey);
      running = await runAgent(dataDir, { uiDir });
    };
    await Promise.all([buildUi(uiDir), startAgent()]);
    browser = await launchChromium();
    ({ page } = await openRecordedPage(browser, { locale: 'it-IT', viewport: { width: 1280, height: 900 }, acceptDownloads: true }, consoleErrors));
  }, 90_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await running?.stop().catch(() => undefined);
    await hub?.close().catch(() => undefined);
    await temp?.cleanup();
  });

  it('downloads the bundle from the settings page, without the key or the token in it', async () => {
    await page.goto(`${running.api.url}/#token=${running.token}`);
    await page.getByRole('button', { name: 'Impostazioni' }).click();
    const section = page.getByTestId('support-bundle');
    await section.waitFor({ timeout: STEP_TIMEOUT });
    expect(await section.locator('h3').textContent()).toBe("Pacchetto per l'assistenza");

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: STEP_TIMEOUT }),
      section.getByRole('button', { name: "Scarica il pacchetto per l'assistenza" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^recapito-support-\d{8}-\d{6}Z\.zip$/);
    await section.getByTestId('support-bundle-saved').waitFor({ timeout: STEP_TIMEOUT });
    const bytes = await readFile((await download.path()) ?? '');
    const files = await unzip(bytes);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as { agentRunning: boolean; files: { name: string }[] };
    expect(manifest.agentRunning).toBe(true);
    expect(manifest.files.map((f) => f.name)).toEqual(expect.arrayContaining(['status.json', 'settings.json', 'events.json', 'logs/recapito.log']));
    const status = JSON.parse(files.get('status.json')!.toString('utf8')) as { hub: { url: string } };
    expect(status.hub.url).toBe(hub.url);
    for (const [name, content] of files) {
      for (const secret of [apiKey, running.token]) {
        expect(content.includes(secret), name).toBe(false);
        expect(content.includes(Buffer.from(secret).toString('base64')), name).toBe(false);
      }
    }
    expect(await inPage(page, 'window.cspViolations')).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('says it in English too', async () => {
    await page.goto(`${running.api.url}/#token=${running.token}`);
    await page.evaluate("localStorage.setItem('recapito.language', 'en')");
    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    const section = page.getByTestId('support-bundle');
    await section.getByRole('button', { name: 'Download support bundle' }).waitFor({ timeout: STEP_TIMEOUT });
    expect(await section.textContent()).toContain("It never holds the API key, the token, passwords, the SFTP private key or approvers' PINs");
  });
});
