// Enrollment in a real browser (Debian Chromium through playwright-core) against the host the CLI
// runs (runAgent) and the sandbox hub over HTTPS: a PC with no key shows the activation card instead
// of "key not valid"; a wrong code is refused in words; the right one shows the account and its
// companies, the held invoice leaves and the status no longer asks for a key; the key never reaches
// the page. Then the key's expiry is warned from 30 days ahead, and a revoked key's hold banner
// offers "Attiva di nuovo", which opens the same card. No CSP violation or unexpected console error.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { runAgent, type RunningAgent } from '../../src/core/host/run-agent.ts';
import { createSandboxHub, type SandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import { saveSettings } from '../../src/core/config/config-store.ts';
import type { AgentStatus } from '../../src/contract/local-api.ts';
import { ENROLL_REFUSAL_TEXT } from '../../src/contract/enrollment.ts';
import { defaultDeviceName } from '../../src/core/agent/enrollment.ts';
import { testSettings } from '../helpers/harness.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { buildUi, inPage, launchChromium, needsChromium, openRecordedPage } from '../helpers/chromium.ts';

const STEP_TIMEOUT = 15_000;
const DAY = 86_400_000;

/** A refused code answers 422; the browser logs every failed answer as a console error. */
function expectedFailure(url: string, text: string): boolean {
  return url.endsWith('/api/v1/enroll') && text.includes('status of 422');
}

needsChromium().describe('enrollment in Chromium', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let hub: SandboxHub;
  let running: RunningAgent;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  let dropDir: string;
  const consoleErrors: string[] = [];
  let firstCode = '';

  beforeAll(async () => {
    temp = await makeTempDir('recapito-ui-enroll-');
    const root = temp.dir;
    const uiDir = join(root, 'ui');
    dataDir = join(root, 'agent');
    dropDir = join(root, 'drop');
    await mkdir(dropDir, { recursive: true });
    const startEverything = async () => {
      hub = await createSandboxHub({ dataDir: join(root, 'hub') });
      // The hub's address and CA, as a deployment would set them; no key: a new PC.
      await saveSettings(join(dataDir, 'config.json'), testSettings(hub, dropDir));
      running = await runAgent(dataDir, { uiDir });
    };
    await Promise.all([buildUi(uiDir), startEverything()]);
    browser = await launchChromium();
    ({ page } = await openRecordedPage(browser, { locale: 'it-IT', viewport: { width: 1280, height: 900 } }, consoleErrors, (message) =>
      expectedFailure(message.location().url, message.text()) ? null : `${message.text()} (${message.location().url})`,
    ));
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await running?.stop().catch(() => undefined);
    await hub?.close().catch(() => undefined);
    await temp?.cleanup();
  });

  const status = async (): Promise<AgentStatus> => {
    const response = await fetch(`${running.api.url}/api/v1/status`, { headers: { Authorization: `Bearer ${running.token}` } });
    return (await response.json()) as AgentStatus;
  };
  const storedKey = async (): Promise<string> =>
    (JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as { secrets: { hubApiKey: string } }).secrets.hubApiKey;
  const card = () => page.getByTestId('enroll-card');
  const deliveredInList = async (name: string) =>
    page.locator('tr[data-testid="document-row"]', { hasText: name }).locator('.badge', { hasText: 'Consegnata' }).waitFor({ timeout: STEP_TIMEOUT });

  it('shows the activation card on a PC with no key, with the computer name filled in, instead of "key not valid"', async () => {
    await writeFile(join(dropDir, 'fattura-attesa.pdf'), makePdf('in attesa della chiave'));
    await waitFor('the invoice held for want of a key', async () => ((await status()).counts.held ?? 0) > 0);
    await page.goto(`${running.api.url}/#token=${running.token}`);
    await card().waitFor({ timeout: STEP_TIMEOUT });
    expect(await card().getByRole('heading').first().textContent()).toBe('Attiva questo computer');
    await waitFor('the computer name filled in', async () => (await card().getByLabel('Nome del computer').inputValue()) !== '');
    expect(await card().getByLabel('Nome del computer').inputValue()).toBe(defaultDeviceName(hostname));
    // The queue is held (no key), but the card says what to do: no "API key not valid" banner.
    expect((await status()).hold?.code).toBe('auth');
    expect(await page.getByTestId('hold-banner').count()).toBe(0);
    expect(await card().getByRole('button', { name: 'Attiva' }).isDisabled()).toBe(true);
    expect(await card().getByRole('button', { name: 'Annulla' }).count()).toBe(0); // nothing to go back to
  });

  it('refuses a wrong code in words', async () => {
    await card().getByLabel('Codice di attivazione').fill('SBX-AAAA-BBBB-CCCC');
    await card().getByRole('button', { name: 'Attiva' }).click();
    const error = card().getByTestId('enroll-error');
    await error.waitFor({ timeout: STEP_TIMEOUT });
    expect(await error.getAttribute('data-code')).toBe('invalid_activation_code');
    expect(await error.textContent()).toContain(ENROLL_REFUSAL_TEXT.it.invalid_activation_code);
    expect((await status()).hub.keySource).toBeNull();
  });

  it('enrolls with the right code: account and companies shown, the held invoice delivered, no key asked for any more', async () => {
    const code = (firstCode = hub.createActivationCode());
    await card().getByLabel('Codice di attivazione').fill(code);
    await card().getByLabel('Nome del computer').fill('Cassa e2e');
    await card().getByRole('button', { name: 'Attiva' }).click();
    const result = page.getByTestId('enroll-result');
    await result.waitFor({ timeout: STEP_TIMEOUT });
    expect(await result.getByTestId('enroll-account').textContent()).toBe('Questo computer («Cassa e2e») ora invia per Sandbox account (acc_sandbox).');
    expect(await result.getByTestId('enroll-companies').textContent()).toContain('ALPHA SRL');
    expect(await result.getByTestId('enroll-companies').textContent()).toContain('BETA SPA');
    expect(await result.textContent()).toContain('Chiave API senza scadenza.');

    const key = await storedKey();
    expect(await page.content()).not.toContain(key);
    expect(await page.content()).not.toContain(code);

    await result.getByRole('button', { name: 'Fatto' }).click();
    await result.waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
    await deliveredInList('fattura-attesa.pdf');
    const now = await status();
    expect(now.hub.keySource).toBe('store');
    expect(now.hold).toBeNull();
    expect(await card().count()).toBe(0);
    expect(await page.getByTestId('hold-banner').count()).toBe(0);
  });

  it('warns of the key expiry from 30 days ahead, with "Attiva di nuovo"', async () => {
    const key = await storedKey();
    // The agent learns the expiry at its next account check (every second in these settings); the
    // page reads the status every 15 s, so it is reloaded once the agent knows.
    const expiringAt = async (at: string) => {
      hub.setKeyExpiry(key, at);
      await waitFor('the agent to read the new expiry', async () => (await status()).hub.keyExpiresAt === at);
      await page.reload();
      await page.getByTestId('live-state').waitFor({ timeout: STEP_TIMEOUT });
    };
    await expiringAt(new Date(Date.now() + 10 * DAY - 60_000).toISOString());
    const banner = page.getByTestId('key-expiry-banner');
    await banner.waitFor({ timeout: STEP_TIMEOUT });
    expect(await banner.getAttribute('data-level')).toBe('soon');
    expect(await banner.getByRole('heading').textContent()).toBe('La chiave API scade tra 10 giorni');
    expect(await banner.getByRole('button', { name: 'Attiva di nuovo' }).count()).toBe(1);
    // 31 days ahead: no warning yet.
    await expiringAt(new Date(Date.now() + 31 * DAY + 60_000).toISOString());
    expect(await page.getByTestId('key-expiry-banner').count()).toBe(0);
    await expiringAt(new Date(Date.now() + 30 * DAY - 60_000).toISOString());
    await banner.waitFor({ timeout: STEP_TIMEOUT });
    expect(await banner.getByRole('heading').textContent()).toBe('La chiave API scade tra 30 giorni');
  });

  it('holds on a revoked key, and "Attiva di nuovo" in the hold banner opens the card; a new code resumes sending', async () => {
    hub.revokeApiKey(await storedKey());
    await writeFile(join(dropDir, 'dopo-revoca.pdf'), makePdf('dopo la revoca'));
    const holdBanner = page.locator('[data-testid="hold-banner"][data-hold="auth"]');
    await holdBanner.waitFor({ timeout: STEP_TIMEOUT });
    await holdBanner.getByRole('button', { name: 'Attiva di nuovo' }).click();
    await card().waitFor({ timeout: STEP_TIMEOUT });
    expect(await card().getByRole('heading').first().textContent()).toBe('Attiva di nuovo questo computer');

    // The first code again: used, refused. Then a new one works.
    await card().getByLabel('Codice di attivazione').fill(firstCode);
    await card().getByRole('button', { name: 'Attiva' }).click();
    await card().getByTestId('enroll-error').waitFor({ timeout: STEP_TIMEOUT });
    expect(await card().getByTestId('enroll-error').getAttribute('data-code')).toBe('invalid_activation_code');

    await card().getByLabel('Codice di attivazione').fill(hub.createActivationCode());
    await card().getByRole('button', { name: 'Attiva' }).click();
    const result = page.getByTestId('enroll-result');
    await result.waitFor({ timeout: STEP_TIMEOUT });
    await result.getByRole('button', { name: 'Fatto' }).click();
    await deliveredInList('dopo-revoca.pdf');
    await page.getByTestId('hold-banner').waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
    expect(await page.content()).not.toContain(await storedKey());
  });

  it('had no CSP violation and no unexpected console error', async () => {
    expect(await inPage(page, 'window.cspViolations')).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
