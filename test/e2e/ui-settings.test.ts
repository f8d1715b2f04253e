// The settings panel in a real browser (Debian Chromium through playwright-core) against the host the
// CLI runs (runAgent: settings applied live by a new agent, saved atomically), the sandbox hub and a
// real sshd: HTTPS connection test stage by stage, a new watched folder that delivers at once, a
// refused field shown next to it, settings that cannot run kept out, the switch to SFTP typed into the page (private key pasted, sent
// write-only) with its connection test and a delivery over SFTP, a wrong host key pinned, the
// read-only panel, English, and no CSP violation or unexpected console error on the way.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { runAgent, type RunningAgent } from '../../src/core/host/run-agent.ts';
import { createSandboxHub, type SandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { saveSettings } from '../../src/core/config/config-store.ts';
import type { Settings, SettingsError } from '../../src/core/config/settings-schema.ts';
import type { ConnectionCheckResult } from '../../src/core/hub/https-probe.ts';
import { startLocalApi } from '../../src/core/api/local-api-server.ts';
import type { ConnectionTestResult, SettingsData, SettingsFieldError } from '../../src/contract/settings.ts';
import { testSettings } from '../helpers/harness.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { contentCases } from '../helpers/content-rule-invoices.ts';
import { needsSshd, startSshd, type Sshd } from '../helpers/sshd.ts';
import { buildUi, inPage, launchChromium, needsChromium, openRecordedPage, type PageElement } from '../helpers/chromium.ts';

const STEP_TIMEOUT = 15_000;
/** Set UI_SCREENSHOT_DIR to keep screenshots of the panel for a person to look at. */
const keepDir = process.env['UI_SCREENSHOT_DIR'];

const chromium = needsChromium();
// The SFTP steps need sshd too: without it they skip (or fail, under CI) and the rest runs.
const sftp = chromium.and(needsSshd());
const haveSshd = sftp.ok;

/**
 * The browser logs every failed answer as a console error. One is expected: the refused save (400
 * from PUT /config). A long poll waiting on the agent that a save replaces ends with an empty page.
 */
function expectedFailure(url: string, text: string): boolean {
  return url.endsWith('/api/v1/config') && text.includes('status of 400');
}

describe('settings contract', () => {
  it('mirrors the core types exactly (the renderer cannot import the core; tsc checks this)', () => {
    expectTypeOf<SettingsData>().toEqualTypeOf<Settings>();
    expectTypeOf<SettingsFieldError>().toEqualTypeOf<SettingsError>();
    expectTypeOf<ConnectionTestResult>().toEqualTypeOf<ConnectionCheckResult>();
  });
});

chromium.describe('settings panel in Chromium', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let hub: SandboxHub;
  let sshd: Sshd | null = null;
  let running: RunningAgent;
  let browser: Browser;
  let page: Page;
  let uiDir: string;
  let dataDir: string;
  let dropDir: string;
  let secondDir: string;
  let sftpRoot: string;
  let apiKey: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('recapito-ui-settings-');
    const root = temp.dir;
    uiDir = join(root, 'ui');
    dataDir = join(root, 'agent');
    dropDir = join(root, 'drop');
    secondDir = join(root, 'second drop');
    sftpRoot = join(root, 'hub-sftp');
    await mkdir(dropDir, { recursive: true });
    await mkdir(secondDir, { recursive: true });
    const startEverything = async () => {
      if (haveSshd) sshd = await startSshd(join(root, 'sshd'));
      hub = await createSandboxHub({ dataDir: join(root, 'hub'), ...(sshd ? { sftp: { rootDir: sftpRoot, pollIntervalMs: 100 } } : {}) });
      await saveSettings(join(dataDir, 'config.json'), testSettings(hub, dropDir));
      const secrets = await createFileSecretStore(join(dataDir, 'secrets.json'), {});
      apiKey = hub.createApiKey({ name: 'settings-ui-test' });
      await secrets.set('hubApiKey', apiKey);
      running = await runAgent(dataDir, { uiDir });
    };
    // Build the current sources (not whatever dist/ui holds) while the hub, sshd and agent start.
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
    await sshd?.stop().catch(() => undefined);
    await temp?.cleanup();
  });

  const panel = () => page.getByTestId('settings-panel');
  const openSettings = async () => {
    await page.getByRole('button', { name: 'Impostazioni' }).click();
    await panel().getByRole('button', { name: 'Salva' }).waitFor({ timeout: STEP_TIMEOUT });
  };
  const backToList = async () => {
    await panel().getByRole('button', { name: "Torna all'elenco" }).click();
    await panel().waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
  };
  const save = async (expected: 'saved' | 'invalid' | 'apply_failed') => {
    await panel().getByRole('button', { name: 'Salva' }).click();
    await panel().locator(`[data-testid="save-outcome"][data-outcome="${expected}"]`).waitFor({ timeout: STEP_TIMEOUT });
  };
  const runConnectionTest = async () => {
    await panel().getByRole('button', { name: 'Prova connessione' }).click();
    const outcome = panel().getByTestId('test-outcome');
    await outcome.waitFor({ timeout: STEP_TIMEOUT });
    const stages = await panel()
      .getByTestId('test-stage')
      .evaluateAll((rows: PageElement[]) =>
        rows.map((row) => ({ stage: row.getAttribute('data-stage'), ok: row.getAttribute('data-ok') === 'true', text: row.textContent ?? '' })),
      );
    return { ok: (await outcome.getAttribute('data-ok')) === 'true', stages };
  };
  const savedConfig = async () => JSON.parse(await readFile(join(dataDir, 'config.json'), 'utf8')) as Settings;
  const deliveredInList = async (name: string) =>
    page.locator('tr[data-testid="document-row"]', { hasText: name }).locator('.badge', { hasText: 'Consegnata' }).waitFor({ timeout: STEP_TIMEOUT });

  it('opens from the header with the saved HTTPS hub, the API key shown only as set', async () => {
    await page.goto(`${running.api.url}/#token=${running.token}`);
    await page.getByText('Aggiornato in tempo reale').waitFor({ timeout: STEP_TIMEOUT });
    await openSettings();
    expect(await page.locator('main.layout').isHidden()).toBe(true);
    expect(
      await panel()
        .getByRole('radio', { name: /^HTTPS/ })
        .isChecked(),
    ).toBe(true);
    expect(await panel().getByLabel("Indirizzo dell'hub").inputValue()).toBe(hub.url);
    expect(await panel().getByLabel('Certificato CA aggiuntivo (facoltativo)').inputValue()).toBe(hub.caFile);
    const keyState = panel().locator('[data-testid="secret-state"][data-secret="hubApiKey"]');
    expect(await keyState.textContent()).toBe('impostata');
    expect(await panel().getByLabel('Chiave API', { exact: true }).inputValue()).toBe('');
    expect(await page.content()).not.toContain(apiKey);
    const folders = panel().getByTestId('folder-editor');
    expect(await folders.count()).toBe(1);
    expect(await folders.first().getByLabel('Percorso della cartella').inputValue()).toBe(dropDir);
    // Nothing changed yet: nothing to save.
    expect(await panel().getByRole('button', { name: 'Salva' }).isDisabled()).toBe(true);
  });

  it('tests the HTTPS connection: every stage in order, with its label and message', async () => {
    const result = await runConnectionTest();
    expect(result.ok).toBe(true);
    expect(result.stages.map((s) => s.stage)).toEqual(['dns', 'tcp', 'tls', 'auth']);
    expect(result.stages.every((s) => s.ok)).toBe(true);
    expect(result.stages[0]!.text).toContain('Nome del server (DNS)');
    expect(result.stages[2]!.text).toContain('Certificato HTTPS');
    expect(result.stages[3]!.text).toContain('signed in as');
    expect(await panel().getByText('Connessione riuscita.').count()).toBe(1);
  });

  it('adds a watched folder and saves: the agent watches it at once and a PDF dropped there is delivered', async () => {
    await panel().getByRole('button', { name: 'Aggiungi cartella' }).click();
    const added = panel().getByTestId('folder-editor').nth(1);
    await added.getByLabel('Percorso della cartella').fill(secondDir);
    await added.getByLabel('Dopo la presa in carico').selectOption('delete');
    // Unsaved changes: the test would check the old settings.
    expect(await panel().getByRole('button', { name: 'Prova connessione' }).isDisabled()).toBe(true);
    expect(await panel().getByText('salva prima le modifiche', { exact: false }).count()).toBe(1);
    await save('saved');
    expect(await panel().getByText('Impostazioni salvate e applicate.').count()).toBe(1);
    expect(await panel().getByTestId('restart-required').count()).toBe(0);
    expect((await savedConfig()).profiles[0]!.folders).toEqual([
      { path: dropDir, postAction: 'move', usePolling: false },
      { path: secondDir, postAction: 'delete', usePolling: false },
    ]);

    await backToList();
    await page.locator('[data-testid="folder"][data-state="watching"]', { hasText: secondDir }).waitFor({ timeout: STEP_TIMEOUT });
    await writeFile(join(secondDir, 'Fattura cartella nuova.pdf'), makePdf('second folder'));
    await deliveredInList('Fattura cartella nuova.pdf');
    // postAction "delete": the source file is gone once spooled.
    await waitFor('the source file to be deleted', () => !existsSync(join(secondDir, 'Fattura cartella nuova.pdf')));
  });

  it('refuses a relative folder path and shows the reason next to that field; nothing is saved', async () => {
    await openSettings();
    await panel().getByRole('button', { name: 'Aggiungi cartella' }).click();
    const bad = panel().getByTestId('folder-editor').nth(2);
    await bad.getByLabel('Percorso della cartella').fill('fatture/uscita');
    await save('invalid');
    const error = bad.getByTestId('field-error');
    expect(await error.textContent()).toContain('Must be an absolute path');
    expect(await bad.getByLabel('Percorso della cartella').getAttribute('aria-invalid')).toBe('true');
    // The error sits only with the refused field.
    expect(await panel().getByTestId('field-error').count()).toBe(1);
    expect((await savedConfig()).profiles[0]!.folders).toHaveLength(2);
    // Editing the field clears its message; removing the entry leaves nothing to save.
    await bad.getByLabel('Percorso della cartella').fill('/assoluta');
    expect(await panel().getByTestId('field-error').count()).toBe(0);
    await bad.getByRole('button', { name: 'Rimuovi' }).click();
    expect(await panel().getByRole('button', { name: 'Salva' }).isDisabled()).toBe(true);
    expect(await panel().locator('[data-testid="save-outcome"][data-outcome="invalid"]').count()).toBe(0);
  });

  it('keeps the running settings when new ones cannot work (apply_failed), saying why', async () => {
    const caField = panel().getByLabel('Certificato CA aggiuntivo (facoltativo)');
    const missing = join(temp.dir, 'missing-ca.pem');
    await caField.fill(missing);
    await save('apply_failed');
    const outcome = panel().getByTestId('save-outcome');
    expect(await outcome.textContent()).toContain('continua con quelle precedenti');
    expect(await outcome.textContent()).toContain('missing-ca.pem');
    expect((await savedConfig()).hub.caFile).toBe(hub.caFile);
    expect(running.agent.settings.hub.caFile).toBe(hub.caFile);
    await caField.fill(hub.caFile);
    expect(await panel().getByRole('button', { name: 'Salva' }).isDisabled()).toBe(true);
    if (keepDir) await page.screenshot({ path: join(keepDir, 'settings-https.png'), fullPage: true });
  });

  it('sets the checks to warn only: an invoice with an error goes out, SDI rejects it, the error shows as sent anyway', async () => {
    const choice = panel().getByTestId('preflight-mode');
    expect(await choice.getByRole('radio', { name: /^Ferma la fattura/ }).isChecked()).toBe(true);
    await choice.getByRole('radio', { name: /^Inviala comunque/ }).check();
    await save('saved');
    expect((await savedConfig()).intake.preflight).toBe('warn');
    expect(await panel().getByTestId('restart-required').count()).toBe(0);

    await backToList();
    const prezzo = contentCases(400).find((c) => c.sdi === '00423')!;
    await writeFile(join(dropDir, 'prezzo-avviso.xml'), prezzo.xml);
    const row = page.locator('tr[data-testid="document-row"]', { hasText: 'prezzo-avviso.xml' });
    await row.locator('.badge', { hasText: 'Scartata' }).waitFor({ timeout: STEP_TIMEOUT });
    await row.locator('button.document-name').click();
    const detail = page.locator('[data-testid="detail-panel"]');
    const downgraded = detail.locator('[data-testid="preflight-issue"][data-downgraded="true"]');
    await downgraded.waitFor({ timeout: STEP_TIMEOUT });
    expect(await downgraded.getAttribute('data-severity')).toBe('warning');
    expect(await downgraded.locator('.preflight-severity').textContent()).toBe('Errore, inviata comunque');
    expect(await downgraded.locator('.preflight-message').textContent()).toContain('errore 00423');
    // What SDI said, in its words.
    expect(await detail.getByTestId('state-explanation').textContent()).toContain(
      '00423: 2.2.1.11 <PrezzoTotale> non calcolato secondo le regole definite nelle specifiche tecniche',
    );
    await detail.getByRole('button', { name: 'Chiudi' }).first().click();

    // Back to blocking, as the following tests expect.
    await openSettings();
    await panel()
      .getByTestId('preflight-mode')
      .getByRole('radio', { name: /^Ferma la fattura/ })
      .check();
    await save('saved');
    expect((await savedConfig()).intake.preflight).toBe('block');
  });

  it('is read-only, with the reason, when the agent runs with fixed settings', async () => {
    // The same agent behind an API that cannot apply settings: GET /config says editable: false.
    const fixed = await startLocalApi({
      agent: running.agent,
      token: running.token,
      host: '127.0.0.1',
      port: 0,
      log: running.log.child('fixed-api'),
      maxUploadBytes: 1 << 20,
      uiDir,
    });
    // Its own browser context: closing it drops its connections, so the API can close at once.
    const otherContext = await browser.newContext({ locale: 'it-IT' });
    const other = await otherContext.newPage();
    try {
      // No live feed on this page: a long poll still waiting would hold the API's close.
      await other.route('**/api/v1/events?**', (route) => route.abort());
      await other.goto(`${fixed.url}/#token=${running.token}`);
      await other.getByRole('button', { name: 'Impostazioni' }).click();
      const readOnly = other.getByTestId('settings-readonly');
      await readOnly.waitFor({ timeout: STEP_TIMEOUT });
      expect(await readOnly.textContent()).toContain('config.json');
      expect(await other.getByLabel("Indirizzo dell'hub").isDisabled()).toBe(true);
      expect(await other.getByRole('button', { name: 'Aggiungi cartella' }).isDisabled()).toBe(true);
      expect(await other.getByRole('button', { name: 'Salva' }).count()).toBe(0);
      // Testing the connection changes nothing and stays available.
      expect(await other.getByRole('button', { name: 'Prova connessione' }).isEnabled()).toBe(true);
    } finally {
      await otherContext.close();
      await fixed.close();
    }
  });

  sftp.it('switches to SFTP typed into the page, key pasted write-only: all SFTP stages pass and a PDF is delivered over SFTP', async () => {
    const server = sshd!;
    await panel().getByRole('radio', { name: /^SFTP/ }).check();
    const sftp = panel().getByTestId('sftp-fields');
    await sftp.getByLabel('Server', { exact: true }).fill(server.host);
    await sftp.getByLabel('Porta', { exact: true }).fill(String(server.port));
    await sftp.getByLabel('Utente', { exact: true }).fill(server.username);
    await sftp.getByLabel('Cartella sul server', { exact: true }).fill(sftpRoot);
    await sftp.getByLabel('Impronta della chiave del server').fill(server.hostKeyFingerprint);
    expect(await sftp.getByText('recapito sftp-fingerprint', { exact: false }).count()).toBe(1);
    await sftp.getByLabel('Controlla le risposte ogni (secondi)').fill('1');
    expect(await sftp.getByRole('radio', { name: 'Chiave privata' }).isChecked()).toBe(true);
    const keyState = panel().locator('[data-testid="secret-state"][data-secret="sftpPrivateKey"]');
    expect(await keyState.textContent()).toBe('non impostata');
    await panel().getByLabel('Chiave privata (incollala qui)').fill(server.clientPrivateKey);
    await save('saved');
    expect(await panel().getByText('Credenziali salvate.').count()).toBe(1);
    await waitFor('the key shown as set', async () => (await keyState.textContent()) === 'impostata');
    // Sent once, never shown again.
    expect(await panel().getByLabel('Chiave privata (incollala qui)').inputValue()).toBe('');
    const marker = server.clientPrivateKey.split('\n')[1]!;
    expect(await page.content()).not.toContain(marker);
    expect((await savedConfig()).hub).toMatchObject({
      transport: 'sftp',
      url: hub.url,
      sftp: {
        host: server.host,
        port: server.port,
        username: server.username,
        root: sftpRoot,
        hostKeyFingerprint: server.hostKeyFingerprint,
        auth: 'key',
        pollSeconds: 1,
      },
    });
    expect(JSON.stringify(await savedConfig())).not.toContain(marker);

    const result = await runConnectionTest();
    expect(result.stages.map((s) => s.stage)).toEqual(['dns', 'tcp', 'host_key', 'auth', 'permissions']);
    expect(result.stages.filter((s) => !s.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.stages[2]!.text).toContain('Chiave del server SFTP');
    expect(result.stages[4]!.text).toContain('Permessi sulle cartelle');

    await backToList();
    await writeFile(join(dropDir, 'Fattura via SFTP.pdf'), makePdf('over sftp from the ui'));
    await deliveredInList('Fattura via SFTP.pdf');
    expect(hub.listDocuments().find((d) => d.fileName === 'Fattura via SFTP.pdf')?.channel).toBe('sftp');
  });

  sftp.it('with a wrong host key pinned, the test stops at the host key with the reason', async () => {
    await openSettings();
    await panel()
      .getByLabel('Impronta della chiave del server')
      .fill(`SHA256:${'A'.repeat(43)}`);
    await save('saved');
    const result = await runConnectionTest();
    expect(result.ok).toBe(false);
    expect(result.stages.map((s) => s.stage)).toEqual(['dns', 'tcp', 'host_key']);
    const failed = result.stages.at(-1)!;
    expect(failed.ok).toBe(false);
    expect(failed.text).toContain('Chiave del server SFTP');
    expect(failed.text).toContain('Non riuscito');
    expect(failed.text).toContain(sshd!.hostKeyFingerprint);
    expect(await panel().getByText('Connessione non riuscita.').count()).toBe(1);

    const shot = join(temp.dir, 'settings-sftp.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);
    if (keepDir) await copyFile(shot, join(keepDir, 'settings-sftp.png'));
  });

  it('speaks English, and loaded with no CSP violation and no unexpected console error', async () => {
    if (!(await panel().isVisible())) await openSettings();
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await panel().getByRole('heading', { name: 'Settings' }).waitFor({ timeout: STEP_TIMEOUT });
    expect(await panel().getByRole('button', { name: 'Back to the list' }).count()).toBe(1);
    expect(await panel().getByText('Profiles and watched folders').count()).toBe(1);
    if (haveSshd) {
      expect(await panel().getByTestId('test-stage').last().textContent()).toContain('SFTP server key');
      expect(await panel().getByText('Never accept an unknown key blindly', { exact: false }).count()).toBe(1);
    }
    if (keepDir) await page.screenshot({ path: join(keepDir, 'settings-en.png'), fullPage: true });
    expect(await inPage(page, 'window.cspViolations')).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
