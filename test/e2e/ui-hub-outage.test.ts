// A hub outage as a person sees it, through the whole agent (compose.ts's wiring) and its local API,
// in real Chromium: the sandbox hub resets every connection (its fault injection), the queue holds
// with one reason, /api/v1/status says since when and the next try, the hold banner says "Hub non
// raggiungibile da …, prossimo tentativo tra …" (and in English), and it all clears by itself when
// the hub answers again, the waiting document delivered once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startUiAgent, type UiAgent } from '../helpers/ui-agent.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { launchChromium, needsChromium, openRecordedPage } from '../helpers/chromium.ts';
import type { AgentStatus } from '../../src/contract/local-api.ts';

const TOKEN = 'ui-outage-token-'.padEnd(43, 'k');
const STEP_TIMEOUT = 20_000;

needsChromium().describe('a hub outage in the UI', () => {
  let ui: UiAgent | undefined;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ui = await startUiAgent('recapito-ui-outage-', TOKEN);
    browser = await launchChromium();
    ({ page } = await openRecordedPage(browser, { locale: 'it-IT', viewport: { width: 1280, height: 820 } }, consoleErrors));
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await ui?.close();
  });

  const status = async (): Promise<AgentStatus> => {
    const answer = await fetch(`${ui!.api.url}/api/v1/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return (await answer.json()) as AgentStatus;
  };

  it('holds with one reason, says since when and the next try, and clears by itself', { timeout: 120_000 }, async () => {
    const { harness, api } = ui!;
    await page.goto(`${api.url}/#token=${TOKEN}`);
    await page.getByText('Hub raggiungibile').waitFor({ timeout: STEP_TIMEOUT });

    // Every /v1 call is reset before the hub reads it: the long poll, the account, the uploads.
    harness.hub.injectFaults([{ route: '*', kind: 'reset' }]);
    await writeFile(join(harness.dropDir, 'Durante il guasto.pdf'), makePdf('guasto'));
    const banner = page.locator('[data-testid="hold-banner"][data-hold="unreachable"]');
    await banner.waitFor({ timeout: STEP_TIMEOUT });
    expect(await banner.textContent()).toContain("Invio in attesa: l'hub non risponde");
    const outage = banner.getByTestId('hub-outage');
    await outage.waitFor({ timeout: STEP_TIMEOUT });
    expect(await outage.textContent()).toMatch(/^Hub non raggiungibile da \d+ (s|min), prossimo tentativo tra \d+ (s|min)$/);

    const down = await status();
    expect(down.hold?.code).toBe('unreachable');
    expect(down.hub.reachable).toBe(false);
    expect(Date.parse(down.hub.unreachableSince ?? '')).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(down.hub.nextTryAt ?? '')).toBeGreaterThanOrEqual(Date.parse(down.hub.unreachableSince ?? ''));
    // Held with the hold's one reason (read together: a long poll already under way when the faults
    // began may still answer, and the hub then goes down again with a new "since").
    const document = await waitFor('the document captured and held with the hold reason', () =>
      harness.agent
        .documents({ limit: 10 })
        .documents.find((d) => d.name === 'Durante il guasto.pdf' && d.state === 'held' && d.reason === harness.agent.status().hold?.reason),
    );
    expect(document.reason).toMatch(/^hub unreachable: connection reset \(since \d\d:\d\d:\d\d UTC\)$/);

    // In English too.
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await banner.getByText('Sending waits: the hub does not answer').waitFor({ timeout: STEP_TIMEOUT });
    expect(await outage.textContent()).toMatch(/^Hub unreachable for \d+ (s|min), next try in \d+ (s|min)$/);

    // The hub answers again: the next probe finds it, the banner goes, the document is delivered once.
    harness.hub.clearFaults();
    await page.locator('[data-testid="hold-banner"]').waitFor({ state: 'detached', timeout: 60_000 });
    await harness.waitForState(document.id, 'delivered', 30_000);
    const up = await status();
    expect(up.hold).toBeNull();
    expect(up.hub).toMatchObject({ reachable: true, unreachableSince: null, nextTryAt: null });
    expect(harness.hub.listDocuments().filter((d) => d.idempotencyKey === document.id)).toHaveLength(1);
    expect(consoleErrors).toEqual([]);
  });
});
