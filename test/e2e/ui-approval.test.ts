// Manual approval end to end through the UI in a real browser (Debian Chromium through
// playwright-core), against the real agent, local API and sandbox hub (docs/approval.md): a dropped
// invoice waits (the count in the header), is selected and approved, and is delivered; a refused
// one ends "declined" with the reason; approvers are registered on the settings page; in a profile
// with dual control the approver whose OS account captured the invoice is refused, another one
// succeeds; the audit log verifies and names both.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { startLocalApi, type LocalApi } from '../../src/core/api/local-api-server.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { agentOsUser } from '../../src/core/agent/approval.ts';
import type { DocumentEvent } from '../../src/contract/local-api.ts';
import { buildUi, launchChromium, needsChromium, openRecordedPage } from '../helpers/chromium.ts';

const TOKEN = 'ui-approval-token-'.padEnd(43, 'a');
const STEP_TIMEOUT = 20_000;
const SCREENSHOT = fileURLToPath(new URL('../../docs/ui-approval-screenshot.png', import.meta.url));
const ANNA = { name: 'Anna Bianchi', pin: '2468' };
const BRUNO = { name: 'Bruno Verdi', pin: '1357' };

needsChromium().describe('manual approval in the UI', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let harness: Harness | undefined;
  let api: LocalApi | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let dualDir: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('recapito-ui-approval-');
    dualDir = join(temp.dir, 'dual-drop');
    await mkdir(dualDir, { recursive: true });
    const uiDir = join(temp.dir, 'ui');
    // Two profiles: "test" sends by hand, "dual" by hand with dual control, each with its folder.
    [, harness] = await Promise.all([
      buildUi(uiDir),
      startHarness({
        settings: (s) => {
          const [first] = s.profiles;
          if (!first) throw new Error('the harness has a profile');
          return {
            ...s,
            profiles: [
              { ...first, sending: 'manual', dualControl: false },
              {
                ...first,
                id: 'dual',
                name: 'Dual Srl',
                folders: [{ path: dualDir, postAction: 'move', usePolling: false }],
                sending: 'manual',
                dualControl: true,
              },
            ],
          };
        },
      }),
    ]);
    const log = createLogger({ dir: join(harness.dataDir, 'logs'), level: 'info', maxFileBytes: 1 << 20, maxFiles: 1 });
    api = await startLocalApi({ agent: harness.agent, token: TOKEN, host: '127.0.0.1', port: 0, log, maxUploadBytes: 25 * 1024 * 1024, uiDir });
    browser = await launchChromium();
    ({ page } = await openRecordedPage(browser, { locale: 'it-IT', viewport: { width: 1280, height: 900 } }, consoleErrors, (message) =>
      // The refused approvals answer 403 and 429 on purpose; the browser logs each failed request.
      /status of (403|429)/.test(message.text()) ? null : message.text(),
    ));
    await page.goto(`${api.url}/#token=${TOKEN}`);
    await page.getByText('Aggiornato in tempo reale').waitFor({ timeout: STEP_TIMEOUT });
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await api?.close().catch(() => undefined);
    await harness?.close().catch(() => undefined);
    await temp?.cleanup();
  });

  const row = (name: string) => page.locator('tr[data-testid="document-row"]', { hasText: name });
  const badgeOf = (name: string, label: string) => row(name).locator('.badge', { hasText: label });
  const dialog = () => page.locator('[data-testid="decision-dialog"]');

  it('keeps a dropped invoice waiting, counted in the header, until a person approves it; then it is delivered', async () => {
    await writeFile(join(harness!.dropDir, 'Fattura A.pdf'), makePdf('fattura A'));
    await writeFile(join(harness!.dropDir, 'Fattura B.pdf'), makePdf('fattura B'));
    await badgeOf('Fattura A.pdf', 'Da approvare').waitFor({ timeout: STEP_TIMEOUT });
    await badgeOf('Fattura B.pdf', 'Da approvare').waitFor({ timeout: STEP_TIMEOUT });
    await page.locator('[data-testid="awaiting-count"]', { hasText: '2 da approvare' }).waitFor({ timeout: STEP_TIMEOUT });

    await row('Fattura A.pdf').locator('[data-testid="select-row"]').check();
    await page.locator('[data-testid="selection-bar"]', { hasText: '1 documento selezionato' }).waitFor({ timeout: STEP_TIMEOUT });
    await page.locator('[data-testid="bulk-approve"]').click();
    await dialog().locator('[data-testid="decision-approver"]').fill('Mario Rossi');
    // UPDATE_UI_SCREENSHOT=1 refreshes docs/ui-approval-screenshot.png: the count, the selection, the dialog.
    if (process.env['UPDATE_UI_SCREENSHOT'] === '1') await page.screenshot({ path: SCREENSHOT });
    await dialog().locator('[data-testid="decision-confirm"]').click();
    await dialog().waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
    await badgeOf('Fattura A.pdf', 'Consegnata').waitFor({ timeout: STEP_TIMEOUT });
    await page.locator('[data-testid="awaiting-count"]', { hasText: '1 da approvare' }).waitFor({ timeout: STEP_TIMEOUT });
    // Still waiting: nothing was sent without a person's approval.
    expect(await row('Fattura B.pdf').getAttribute('data-state')).toBe('awaiting_approval');
  });

  it('refuses one with a reason from the detail panel: it ends declined, with the reason shown', async () => {
    await row('Fattura B.pdf').locator('button.document-name').click();
    const panel = page.locator('[data-testid="detail-panel"]');
    await panel.locator('h2', { hasText: 'Fattura B.pdf' }).waitFor({ timeout: STEP_TIMEOUT });
    await panel.locator('[data-testid="detail-refuse"]').click();
    await dialog().locator('[data-testid="decision-reason"]').fill('Importo errato: va rifatta');
    await dialog().locator('[data-testid="decision-confirm"]').click();
    await dialog().waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
    await badgeOf('Fattura B.pdf', 'Non approvata').waitFor({ timeout: STEP_TIMEOUT });
    expect(await row('Fattura B.pdf').textContent()).toContain('Importo errato: va rifatta');
    // The approver's name typed before is filled in again; without a PIN it is a name as given.
    await panel.getByText('Rifiutato da Mario Rossi (nome dichiarato, senza PIN)').waitFor({ timeout: STEP_TIMEOUT });
    // Final: no approve, refuse or retry buttons.
    expect(await panel.locator('[data-testid="detail-approve"], [data-testid="detail-refuse"]').count()).toBe(0);
    expect(await panel.getByRole('button', { name: 'Riprova' }).count()).toBe(0);
    expect(await page.locator('[data-testid="awaiting-count"]').count()).toBe(0);
    await panel.getByRole('button', { name: 'Chiudi' }).click();
  });

  it('registers two approvers on the settings page, the second confirmed by the first', async () => {
    await page.locator('[data-testid="settings-button"]').click();
    const section = page.locator('[data-testid="approvers"]');
    await section.getByText('Nessun approvatore registrato.').waitFor({ timeout: STEP_TIMEOUT });
    // Anna works on the account the agent runs as: what is captured from its folders is hers.
    await section.locator('[data-testid="approver-name"]').fill(ANNA.name);
    await section.locator('[data-testid="approver-os-user"]').fill(agentOsUser());
    await section.locator('[data-testid="approver-pin"]').fill(ANNA.pin);
    await section.locator('[data-testid="approver-pin-again"]').fill(ANNA.pin);
    await section.locator('[data-testid="approver-add"]').click();
    await section.locator('[data-testid="approver"][data-name="Anna Bianchi"]').waitFor({ timeout: STEP_TIMEOUT });

    await section.locator('[data-testid="approver-name"]').fill(BRUNO.name);
    await section.locator('[data-testid="approver-pin"]').fill(BRUNO.pin);
    await section.locator('[data-testid="approver-pin-again"]').fill(BRUNO.pin);
    await section.locator('[data-testid="vouch-name"]').fill(ANNA.name);
    await section.locator('[data-testid="vouch-pin"]').fill('9999');
    await section.locator('[data-testid="approver-add"]').click();
    await section.locator('[data-testid="approvers-error"]', { hasText: 'PIN errato' }).waitFor({ timeout: STEP_TIMEOUT });
    await section.locator('[data-testid="vouch-pin"]').fill(ANNA.pin);
    await section.locator('[data-testid="approver-add"]').click();
    await section.locator('[data-testid="approver"][data-name="Bruno Verdi"]').waitFor({ timeout: STEP_TIMEOUT });
    await page.getByRole('button', { name: "Torna all'elenco" }).click();
  });

  it('with dual control refuses self-approval with the reason, and another approver succeeds', async () => {
    await writeFile(join(dualDir, 'Fattura C.pdf'), makePdf('fattura C'));
    await badgeOf('Fattura C.pdf', 'Da approvare').waitFor({ timeout: STEP_TIMEOUT });
    await row('Fattura C.pdf').locator('[data-testid="select-row"]').check();
    await page.locator('[data-testid="bulk-approve"]').click();
    await dialog().getByText('Doppio controllo: decide solo un approvatore registrato').waitFor({ timeout: STEP_TIMEOUT });
    await dialog().locator('[data-testid="decision-approver"]').fill(ANNA.name);
    await dialog().locator('[data-testid="decision-pin"]').fill(ANNA.pin);
    await dialog().locator('[data-testid="decision-confirm"]').click();
    const failure = dialog().locator('[data-testid="decision-failures"] li', { hasText: 'Fattura C.pdf' });
    await failure.waitFor({ timeout: STEP_TIMEOUT });
    expect(await failure.textContent()).toContain('non puoi approvare un documento che hai acquisito o rilasciato tu');
    expect(await failure.textContent()).toContain(`captured by the OS user ${agentOsUser()}, which is Anna Bianchi's account`);
    await dialog().getByRole('button', { name: 'Chiudi' }).click();
    expect(await row('Fattura C.pdf').getAttribute('data-state')).toBe('awaiting_approval');

    await row('Fattura C.pdf').locator('button.document-name').click();
    const panel = page.locator('[data-testid="detail-panel"]');
    await panel.locator('h2', { hasText: 'Fattura C.pdf' }).waitFor({ timeout: STEP_TIMEOUT });
    await panel.locator('[data-testid="detail-approve"]').click();
    await dialog().locator('[data-testid="decision-approver"]').fill(BRUNO.name);
    await dialog().locator('[data-testid="decision-pin"]').fill(BRUNO.pin);
    await dialog().locator('[data-testid="decision-confirm"]').click();
    await dialog().waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
    await badgeOf('Fattura C.pdf', 'Consegnata').waitFor({ timeout: STEP_TIMEOUT });
    await panel.getByText('Approvato da Bruno Verdi (PIN verificato)').waitFor({ timeout: STEP_TIMEOUT });
    await panel.getByText('Approvazione non ammessa').waitFor({ timeout: STEP_TIMEOUT });
  });

  it('keeps an audit log that verifies and names both approvers and the OS user', async () => {
    const headers = { Authorization: `Bearer ${TOKEN}` };
    const verify = (await (await fetch(`${api!.url}/api/v1/audit/verify`, { headers })).json()) as { ok: boolean; checked: number };
    expect(verify.ok).toBe(true);
    const id = await row('Fattura C.pdf').getAttribute('data-id');
    const detail = (await (await fetch(`${api!.url}/api/v1/documents/${id}`, { headers })).json()) as { events: DocumentEvent[] };
    expect(detail.events.find((e) => e.type === 'document.approval_refused')?.data).toMatchObject({
      code: 'self_approval',
      approver: ANNA.name,
      osUser: agentOsUser(),
    });
    expect(detail.events.find((e) => e.type === 'document.approved')?.data).toMatchObject({ approver: BRUNO.name, verified: true, osUser: agentOsUser() });
    expect(consoleErrors).toEqual([]);
    expect(await page.evaluate('window.cspViolations')).toEqual([]);
  });
});
