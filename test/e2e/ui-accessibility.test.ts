// Accessibility of the local UI (docs/ui.md, "Accessibility") in real Chromium against a real agent,
// local API and sandbox hub: axe-core scans the list, the detail panel, the invoice view, the
// settings and the hold banner (the hub down: every connection reset) in Italian and English, with
// Recapito's palette and with a reseller's pale accent (the palette the branding derives for AA),
// and fails on any serious or critical violation, colour contrast included; then the keyboard alone
// goes from the search box to a row, the detail, the invoice view and back to an action, with the
// focus where it belongs and visibly marked at each step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { startUiAgent, type UiAgent } from '../helpers/ui-agent.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { richInvoice } from '../helpers/invoice-view-samples.ts';
import { REPO, buildUi, inPage, launchChromium, needsChromium, openRecordedPage } from '../helpers/chromium.ts';
import { describeViolations, focusRingContrast, seriousViolations, textContrasts } from '../helpers/axe.ts';
import { writeBrandingFolder } from '../helpers/branding.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { loadBranding } from '../../src/core/config/branding.ts';

const TOKEN = 'ui-accessibility-token-'.padEnd(43, 'x');
/** Set UI_SCREENSHOT_DIR to keep pictures of the focus for a person checking the look. */
const keepDir = process.env['UI_SCREENSHOT_DIR'];
const STEP_TIMEOUT = 20_000;
const RICH_NAME = 'IT01234567890_A11Y1.xml';
const SAMPLE_NAME = 'IT01234567890_FPR01.xml';
const PDF_NAME = 'Preventivo accessibile.pdf';
const MC_NAME = 'Fattura MC.pdf';
const NS_NAME = 'Fattura NS.pdf';
const EMPTY_NAME = 'Vuoto.pdf';
/** A pale accent: dark text goes on it and links need a darker ink (docs/white-label.md). */
const PALE_ACCENT = '#7fdbff';

/** The drop folder's documents: an invoice with every block (the invoice view), the official sample, a PDF. */
async function dropDocuments(ui: UiAgent): Promise<void> {
  const drop = ui.harness.dropDir;
  await writeFile(join(drop, RICH_NAME), richInvoice({ number: 'A11Y/1' }));
  await writeFile(join(drop, SAMPLE_NAME), await readFile(join(REPO, 'test', 'fixtures', 'fatturapa', SAMPLE_NAME)));
  await writeFile(join(drop, PDF_NAME), makePdf('preventivo'));
  // The other tones of the list: issued but not delivered (teal), rejected (red), refused before sending.
  await writeFile(join(drop, MC_NAME), makePdf('SANDBOX-NOT-DELIVERED'));
  await writeFile(join(drop, NS_NAME), makePdf('SANDBOX-REJECT'));
  await writeFile(join(drop, EMPTY_NAME), Buffer.alloc(0));
}

/** Each document in its last state. */
const SETTLED = { delivered: 3, not_delivered: 1, rejected: 1, invalid: 1 };
const ALL = Object.values(SETTLED).reduce((a, b) => a + b, 0);

async function openUi(ui: UiAgent, page: Page): Promise<void> {
  await page.goto(`${ui.api.url}/#token=${TOKEN}`);
  for (const [state, count] of Object.entries(SETTLED)) {
    await waitFor(`${count} ${state} in the list`, async () => (await page.locator(`tr[data-testid="document-row"][data-state="${state}"]`).count()) === count);
  }
}

/** Scans each view of the page in `language`; returns the readable findings, empty when none. */
async function scanViews(page: Page, language: 'it' | 'en', palette: string, hold: (on: boolean) => Promise<void>): Promise<string[]> {
  const findings: string[] = [];
  const scan = async (what: string) => {
    const violations = await seriousViolations(page);
    if (violations.length > 0) findings.push(describeViolations(`${palette} palette, ${language}, ${what}`, violations));
  };
  await page.getByRole('button', { name: language.toUpperCase(), exact: true }).click();
  await page.locator(`html[lang="${language}"]`).waitFor({ state: 'attached', timeout: STEP_TIMEOUT });

  await scan('the list');
  // The selected chip's count, one digit: too short for axe to judge its contrast, measured here.
  for (const { text, ratio } of await textContrasts(page, '.chip.selected .chip-count')) {
    if (ratio < 4.5) findings.push(`${palette} palette, ${language}: the selected chip's count "${text}" has a contrast of ${ratio}:1, under 4.5:1`);
  }

  await page.locator('tr[data-testid="document-row"]', { hasText: NS_NAME }).locator('button.document-name').click();
  await page.getByTestId('detail-panel').locator('h2', { hasText: NS_NAME }).waitFor({ timeout: STEP_TIMEOUT });
  await scan('the detail panel of a rejection');

  await page.locator('tr[data-testid="document-row"]', { hasText: PDF_NAME }).locator('button.document-name').click();
  await page.locator('[data-testid="pdf-canvas"][data-state="drawn"]').waitFor({ timeout: STEP_TIMEOUT });
  await scan('the detail panel of a PDF, its preview drawn');

  await page.locator('tr[data-testid="document-row"]', { hasText: RICH_NAME }).locator('button.document-name').click();
  const open = page.getByTestId('invoice-view-open');
  await open.waitFor({ timeout: STEP_TIMEOUT });
  await scan('the detail panel');
  // Every tab stop of the page, the detail open: the focus drawn, its ring at 3:1 at least.
  await inPage(page, 'document.activeElement && document.activeElement.blur()');
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const ring = await focusRingContrast(page);
    if (ring && ring.ratio < 3)
      findings.push(`${palette} palette, ${language}: the focus ring of ${ring.element} has a contrast of ${ring.ratio}:1, under 3:1`);
  }

  await open.click();
  await page.locator('[data-testid="invoice-doc"]').first().waitFor({ timeout: STEP_TIMEOUT });
  await scan('the invoice view');
  await page.getByTestId('invoice-view-close').click();
  await page.getByTestId('invoice-view').waitFor({ state: 'detached', timeout: STEP_TIMEOUT });

  // The settings as the test's agent serves them (fixed settings: every field disabled, which axe's
  // contrast rule skips), then as an editable agent's page shows them: the same answer with
  // `editable: true` (nothing is saved).
  await page.getByTestId('settings-button').click();
  await page.getByTestId('settings-readonly').waitFor({ timeout: STEP_TIMEOUT });
  await scan('the settings (fixed)');
  await page.getByTestId('settings-button').click();
  await page.getByTestId('settings-panel').waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
  await page.route('**/api/v1/config', async (route) => {
    const answer = await route.fetch();
    await route.fulfill({ response: answer, json: { ...((await answer.json()) as object), editable: true } });
  });
  try {
    await page.getByTestId('settings-button').click();
    await page.getByTestId('settings-save').waitFor({ timeout: STEP_TIMEOUT });
    await scan('the settings (editable)');
    await page.getByTestId('settings-button').click();
    await page.getByTestId('settings-panel').waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
  } finally {
    await page.unrouteAll();
  }

  await hold(true);
  await page.getByTestId('hold-banner').waitFor({ timeout: 60_000 });
  await scan('the hold banner');
  await hold(false);
  await page.getByTestId('hold-banner').waitFor({ state: 'detached', timeout: 60_000 });
  return findings;
}

/** True when the element `target` points at has the focus. */
function hasFocus(target: Locator): Promise<boolean> {
  return target.evaluate((element) => element === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement);
}

/** What has the focus, for a failure message. */
function activeElement(page: Page): Promise<unknown> {
  return inPage(
    page,
    `(() => { const e = document.activeElement; return e ? e.tagName + (e.dataset.testid ? '[' + e.dataset.testid + ']' : '') + ' ' + (e.textContent || '').trim().slice(0, 40) : null; })()`,
  );
}

/** The focused element shows where the focus is: it matches :focus-visible and draws an outline or a box shadow. */
async function expectVisibleFocus(page: Page, where: string): Promise<void> {
  const mark = (await inPage(
    page,
    `(() => { const e = document.activeElement; const s = getComputedStyle(e); return { focusVisible: e.matches(':focus-visible'), outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0, shadow: s.boxShadow !== 'none' }; })()`,
  )) as { focusVisible: boolean; outline: boolean; shadow: boolean };
  expect(mark.focusVisible, `${where}: the focus is not :focus-visible`).toBe(true);
  expect(mark.outline || mark.shadow, `${where}: no outline or box shadow marks the focus`).toBe(true);
  const ring = await focusRingContrast(page);
  expect(ring?.ratio ?? 0, `${where}: the focus ring's contrast`).toBeGreaterThanOrEqual(3);
}

async function expectFocused(page: Page, target: Locator, where: string): Promise<void> {
  await target.waitFor({ timeout: STEP_TIMEOUT });
  await waitFor(`the focus on ${where} (it is on ${String(await activeElement(page))})`, () => hasFocus(target));
  await expectVisibleFocus(page, where);
}

/** Presses `key` until `target` has the focus, at most `limit` times. */
async function tabUntil(page: Page, key: 'Tab' | 'Shift+Tab', target: Locator, limit: number): Promise<void> {
  await target.waitFor({ timeout: STEP_TIMEOUT });
  for (let i = 0; i < limit; i++) {
    if (await hasFocus(target)) return;
    await page.keyboard.press(key);
  }
  expect(await hasFocus(target), `${limit} × ${key} did not reach the target (the focus is on ${String(await activeElement(page))})`).toBe(true);
}

needsChromium().describe('accessibility of the local UI', () => {
  let browser: Browser;
  // One build of the current sources for the three agents.
  let built: { dir: string; cleanup: () => Promise<void> } | undefined;
  let builtUi: string;

  beforeAll(async () => {
    built = await makeTempDir('recapito-a11y-ui-');
    builtUi = join(built.dir, 'ui');
    [browser] = await Promise.all([launchChromium(), buildUi(builtUi)]);
  }, 90_000);
  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await built?.cleanup();
  });

  describe("with Recapito's palette", () => {
    let ui: UiAgent | undefined;
    let page: Page;
    const consoleErrors: string[] = [];

    beforeAll(async () => {
      ui = await startUiAgent('recapito-ui-a11y-', TOKEN, { builtUi });
      await dropDocuments(ui);
      ({ page } = await openRecordedPage(browser, { locale: 'it-IT', viewport: { width: 1280, height: 900 }, acceptDownloads: true }, consoleErrors));
      await openUi(ui, page);
    }, 90_000);
    afterAll(async () => {
      ui?.harness.hub.clearFaults();
      await ui?.close();
    });

    it('works with the keyboard alone: search, a row, the detail, the invoice view and back, an action', { timeout: 120_000 }, async () => {
      await page.locator('html[lang="it"]').waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
      const panel = page.getByTestId('detail-panel');
      const row = page.locator('tr[data-testid="document-row"]', { hasText: RICH_NAME });
      const opener = page.getByTestId('invoice-view-open');
      const download = panel.getByRole('button', { name: "Scarica l'originale" });

      // Tab from the top of the page reaches the search box.
      const search = page.getByRole('searchbox');
      await tabUntil(page, 'Tab', search, 40);
      await expectFocused(page, search, 'the search box');

      // Type a query (the buyer's name): only that invoice is left; Down goes to its row.
      await page.keyboard.type('gamma figli');
      await waitFor('the search narrowed to one row', async () => (await page.locator('tr[data-testid="document-row"]').count()) === 1);
      await page.keyboard.press('ArrowDown');
      await expectFocused(page, row, 'the row');
      if (keepDir) await page.screenshot({ path: join(keepDir, 'ui-a11y-row-focus.png') });
      expect(await row.getAttribute('aria-selected')).toBe('false');

      // Enter opens the detail, with the focus on its title.
      await page.keyboard.press('Enter');
      await expectFocused(page, panel.locator('h2.detail-title', { hasText: RICH_NAME }), 'the detail title');
      expect(await row.getAttribute('aria-selected')).toBe('true');

      // Tab goes on to "Vedi la fattura"; Enter opens the invoice view with the focus on Close.
      await tabUntil(page, 'Tab', opener, 30);
      await expectFocused(page, opener, 'the invoice view button');
      await page.keyboard.press('Enter');
      const view = page.getByTestId('invoice-view');
      await view.locator('[data-testid="invoice-doc"]').first().waitFor({ timeout: STEP_TIMEOUT });
      await expectFocused(page, page.getByTestId('invoice-view-close'), 'the invoice view');

      // Tab and Shift+Tab stay inside the dialog, round and round.
      const insideView = () => inPage(page, `document.querySelector('[data-testid="invoice-view"]').contains(document.activeElement)`);
      const stops = (await inPage(
        page,
        `document.querySelector('[data-testid="invoice-view"]').querySelectorAll('button:not([disabled]), a[href], input, select, textarea').length`,
      )) as number;
      expect(stops).toBeGreaterThanOrEqual(2);
      for (let i = 0; i < stops + 2; i++) {
        await page.keyboard.press('Tab');
        expect(await insideView(), `Tab ${i + 1} left the invoice view`).toBe(true);
        await expectVisibleFocus(page, `Tab ${i + 1} in the invoice view`);
      }
      for (let i = 0; i < stops + 2; i++) {
        await page.keyboard.press('Shift+Tab');
        expect(await insideView(), `Shift+Tab ${i + 1} left the invoice view`).toBe(true);
      }

      // Escape closes the view only, and the focus is back on the button that opened it.
      await page.keyboard.press('Escape');
      await view.waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
      await expectFocused(page, opener, 'the invoice view button, after Escape');
      if (keepDir) await page.screenshot({ path: join(keepDir, 'ui-a11y-opener-focus.png') });
      await expect(panel.isVisible()).resolves.toBe(true);

      // Shift+Tab back to an action: Enter downloads the original.
      await tabUntil(page, 'Shift+Tab', download, 20);
      await expectFocused(page, download, 'the download button');
      const [file] = await Promise.all([page.waitForEvent('download', { timeout: STEP_TIMEOUT }), page.keyboard.press('Enter')]);
      expect(file.suggestedFilename()).toBe(RICH_NAME);

      // Escape closes the detail and puts the focus back on the row.
      await page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
      await expectFocused(page, row, 'the row, after the detail closed');
      expect(await row.getAttribute('aria-selected')).toBe('false');

      // Shift+Tab walks back to the search box; clearing it brings the other rows back.
      await tabUntil(page, 'Shift+Tab', search, 30);
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Backspace');
      await waitFor('the whole list back', async () => (await page.locator('tr[data-testid="document-row"]').count()) === ALL);
      expect(consoleErrors).toEqual([]);
    });

    it('has no serious or critical axe violation in any view, in Italian and English', { timeout: 240_000 }, async () => {
      const { harness } = ui!;
      // The hub down, as ui-hub-outage.test.ts provokes it: every call reset before the hub reads it.
      const hubDown = async (on: boolean) => (on ? harness.hub.injectFaults([{ route: '*', kind: 'reset' }]) : harness.hub.clearFaults());
      const findings = [...(await scanViews(page, 'it', 'default', hubDown)), ...(await scanViews(page, 'en', 'default', hubDown))];
      // The page without a token: where to find one, and a field to paste it.
      const fresh = await browser.newPage({ locale: 'it-IT' });
      try {
        await fresh.goto(`${ui!.api.url}/`);
        await fresh.locator('.token-card').waitFor({ timeout: STEP_TIMEOUT });
        const violations = await seriousViolations(fresh);
        if (violations.length > 0) findings.push(describeViolations('default palette, the token screen', violations));
      } finally {
        await fresh.close();
      }
      expect(findings.join('\n\n')).toBe('');
      expect(await inPage(page, 'window.cspViolations')).toEqual([]);
      expect(consoleErrors).toEqual([]);
    });
  });

  describe('the approval dialog', () => {
    let ui: UiAgent | undefined;
    let page: Page;
    const consoleErrors: string[] = [];
    const WAITING = 'Da approvare.pdf';
    const WAITING_TOO = 'Da approvare anche.pdf';

    beforeAll(async () => {
      ui = await startUiAgent('recapito-ui-a11y-approval-', TOKEN, {
        builtUi,
        settings: (s) => ({ ...s, profiles: s.profiles.map((p) => ({ ...p, sending: 'manual' as const })) }),
      });
      await writeFile(join(ui.harness.dropDir, WAITING), makePdf('da approvare'));
      ({ page } = await openRecordedPage(browser, { locale: 'it-IT', viewport: { width: 1280, height: 900 } }, consoleErrors));
      await page.goto(`${ui.api.url}/#token=${TOKEN}`);
      await page.locator('tr[data-testid="document-row"][data-state="awaiting_approval"]').waitFor({ timeout: STEP_TIMEOUT });
    }, 90_000);
    afterAll(async () => {
      await ui?.close();
    });

    it('opens from the detail with the keyboard, keeps the focus inside, closes alone on Escape, and approves', { timeout: 120_000 }, async () => {
      const panel = page.getByTestId('detail-panel');
      const row = page.locator('tr[data-testid="document-row"]', { hasText: WAITING });
      const refuse = page.getByTestId('detail-refuse');
      const dialog = page.getByTestId('decision-dialog');

      await tabUntil(page, 'Tab', row, 60);
      await page.keyboard.press('Enter');
      await expectFocused(page, panel.locator('h2.detail-title', { hasText: WAITING }), 'the detail title');
      await tabUntil(page, 'Tab', refuse, 10);
      await page.keyboard.press('Enter');
      await expectFocused(page, page.getByTestId('decision-reason'), 'the reason of the refusal');
      expect(await seriousViolations(page).then((v) => describeViolations('the refusal dialog', v))).toBe('the refusal dialog: none');

      const insideDialog = () => inPage(page, `document.querySelector('[data-testid="decision-dialog"]').contains(document.activeElement)`);
      for (let i = 0; i < 8; i++) {
        await page.keyboard.press(i % 2 === 0 ? 'Tab' : 'Shift+Tab');
        await page.keyboard.press('Tab');
        expect(await insideDialog(), `key ${i + 1} left the dialog`).toBe(true);
        await expectVisibleFocus(page, `key ${i + 1} in the dialog`);
      }

      // Escape closes the dialog only: the detail stays, the focus is back on Rifiuta.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
      await expect(panel.isVisible()).resolves.toBe(true);
      await expectFocused(page, refuse, 'Rifiuta, after Escape');

      // Shift+Tab to Approva, Enter, the approver's name typed, Enter: approved and sent.
      const approve = page.getByTestId('detail-approve');
      await tabUntil(page, 'Shift+Tab', approve, 5);
      await page.keyboard.press('Enter');
      await expectFocused(page, page.getByTestId('decision-approver'), "the approver's name");
      await page.keyboard.type('Anna Bianchi');
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
      // Approva goes with the state it belonged to; the focus does not fall to the top of the page.
      await approve.waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
      await expectFocused(page, panel.locator('h2.detail-title', { hasText: WAITING }), 'the detail title, after the approval');
      await ui!.harness.waitForState((await row.getAttribute('data-id')) ?? '', 'delivered', 30_000);

      // A second one, decided from the selection bar: the bar goes with the selection, so the
      // focus goes to the list rather than to the top of the page.
      await writeFile(join(ui!.harness.dropDir, WAITING_TOO), makePdf('da approvare anche questo'));
      const second = page.locator('tr[data-testid="document-row"][data-state="awaiting_approval"]', { hasText: WAITING_TOO });
      await second.waitFor({ timeout: STEP_TIMEOUT });
      const secondId = (await second.getAttribute('data-id')) ?? '';
      await page.keyboard.press('Escape');
      await expectFocused(page, row, 'the approved row, after the detail closed');
      const checkbox = second.getByTestId('select-row');
      await tabUntil(page, 'Shift+Tab', checkbox, 5);
      await page.keyboard.press('Space');
      const bulkApprove = page.getByTestId('bulk-approve');
      await tabUntil(page, 'Shift+Tab', bulkApprove, 8);
      await page.keyboard.press('Enter');
      await expectFocused(page, page.getByTestId('decision-approver'), "the approver's name, filled in again");
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
      await bulkApprove.waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
      await expectFocused(page, page.locator('tr[data-testid="document-row"][tabindex="0"]'), 'the list, after the selection was approved');
      await ui!.harness.waitForState(secondId, 'delivered', 30_000);
      expect(await inPage(page, 'window.cspViolations')).toEqual([]);
      expect(consoleErrors).toEqual([]);
    });
  });

  describe('with a white-label palette', () => {
    let ui: UiAgent | undefined;
    let brandingTemp: { dir: string; cleanup: () => Promise<void> } | undefined;
    let page: Page;
    const consoleErrors: string[] = [];

    beforeAll(async () => {
      brandingTemp = await makeTempDir('recapito-a11y-brand-');
      const file = await writeBrandingFolder(join(brandingTemp.dir, 'branding'), { accentColor: PALE_ACCENT });
      const branding = await loadBranding({ env: { RECAPITO_BRANDING: file } });
      expect(branding.view.warnings).toEqual([]);
      ui = await startUiAgent('recapito-ui-a11y-brand-', TOKEN, { branding, builtUi });
      await dropDocuments(ui);
      ({ page } = await openRecordedPage(browser, { locale: 'it-IT', viewport: { width: 1280, height: 900 } }, consoleErrors));
      await openUi(ui, page);
    }, 90_000);
    afterAll(async () => {
      await ui?.close();
      await brandingTemp?.cleanup();
    });

    it('keeps colour contrast AA (and every other serious rule) with the brand’s colours', { timeout: 240_000 }, async () => {
      const { harness } = ui!;
      expect(await inPage(page, "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()")).toBe(PALE_ACCENT);
      const paused = async (on: boolean) => {
        if (on) harness.agent.pause();
        else harness.agent.resume();
      };
      const findings = [...(await scanViews(page, 'it', 'white-label', paused)), ...(await scanViews(page, 'en', 'white-label', paused))];
      expect(findings.join('\n\n')).toBe('');
      expect(await inPage(page, 'window.cspViolations')).toEqual([]);
      expect(consoleErrors).toEqual([]);
    });
  });
});
