// Issue 16, "the UI at 100,000 documents": the local UI in real Chromium (Debian's, through
// playwright-core, as the browser tests drive it) against a real agent (`recapito serve`) whose
// store holds N documents of history (filled as the search part fills it, then a share of them put
// in other states, so the state chips filter something). Timed inside the page, on its own clock:
// - first rows: navigation start → the first document row in the DOM (a fresh browser context each
//   time: nothing cached);
// - a state chip: the click → the rows of that state in the DOM (the first row the API gives for
//   that filter, and as many rows as the first page holds), and the click back to "all";
// - a search: the text put into the search box (one input event, as a paste; and a word typed a
//   key at a time, from its last key) → the rows of the answer in the DOM.
// The moment is taken in a requestAnimationFrame callback, just before the frame that paints them.
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import type { DocumentsPage } from '../src/contract/local-api.ts';
import { apiTarget } from '../src/cli/local-api-client.ts';
import { launchChromium } from '../test/helpers/chromium.ts';
import { benchAgentSettings } from './pipeline.bench.ts';
import { fillSearchStore } from './search.bench.ts';
import { prepareAgentDataDir, startAgentChild } from './lib/agent-child.ts';
import type { Cleanup } from './lib/cleanup.ts';
import type { HubChild } from './lib/hub-child.ts';
import { distribution, type Distribution } from './lib/stats.ts';

export const UI_TARGETS = { firstRowsMs: 1000, filterMs: 150 } as const;
/** Timed runs of each action. */
const RUNS = 10;
const FIRST_ROWS_RUNS = 5;
const REPO = fileURLToPath(new URL('../', import.meta.url));

export interface UiActionResult {
  label: string;
  /** The query string the API answers the same filter with. */
  query: string;
  found: number;
  /** The event → the expected rows in the DOM. */
  ms: Distribution;
  /** Of it: the event → the list's request sent (the search box waits for typing to pause), and the request itself. */
  requestStartMs: Distribution;
  requestMs: Distribution;
}

interface Timing {
  ms: number;
  requestStartMs: number;
  requestMs: number;
}

/** The runs after the first (a warm-up) as an action's figures. */
function summarize(label: string, query: string, found: number, runs: readonly Timing[]): UiActionResult {
  const timed = runs.slice(1);
  return {
    label,
    query,
    found,
    ms: distribution(timed.map((run) => run.ms)),
    requestStartMs: distribution(timed.map((run) => run.requestStartMs)),
    requestMs: distribution(timed.map((run) => run.requestMs)),
  };
}

export interface UiResult {
  documents: number;
  fillSeconds: number;
  states: Record<string, number>;
  firstRows: Distribution;
  actions: UiActionResult[];
  targets: typeof UI_TARGETS;
  verdicts: { firstRows: boolean | null; filters: boolean | null };
}

/** Some documents in other states than `delivered`, spread over the whole history. */
function varyStates(file: string): Record<string, number> {
  const db = new Database(file);
  try {
    db.exec(`UPDATE documents SET state = 'rejected' WHERE rowid % 97 = 0;
             UPDATE documents SET state = 'queued' WHERE rowid % 1009 = 3;
             UPDATE documents SET state = 'failed' WHERE rowid IN (11, 12, 13, 14, 15);`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const states: Record<string, number> = {};
    for (const row of db.prepare('SELECT state, COUNT(*) AS n FROM documents GROUP BY state').all() as { state: string; n: number }[])
      states[row.state] = row.n;
    return states;
  } finally {
    db.close();
  }
}

/**
 * Browser-side: takes the time of the last click or input event (the event's own timestamp), then
 * waits (one check per animation frame) until the list's request for the new filter has completed
 * (a resource timing entry started after the event whose query has `param`, or neither state nor q
 * for "all"), the list is no longer loading, and the rows are the expected ones; ms since the event. The request is part of the condition: a filter whose first page looks like the
 * one shown (every document "delivered") would otherwise count as done at once.
 */
const WAIT_FOR_ROWS = `async ({ firstId, count, param }) => {
  performance.clearResourceTimings();
  let since = null;
  const started = (event) => { since = event.timeStamp; };
  document.addEventListener('click', started, { capture: true });
  document.addEventListener('input', started, { capture: true });
  let answer = null;
  const answered = () => {
    answer = performance.getEntriesByType('resource').find((entry) => {
      if (entry.startTime < since || !entry.name.includes('/api/v1/documents?')) return false;
      const query = new URL(entry.name).searchParams;
      if (param === null) return !query.has('state') && !query.has('q');
      const [name, value] = param;
      return query.get(name) === value;
    }) ?? null;
    return answer !== null;
  };
  const ready = () => {
    if (since === null || !answered() || document.querySelector('.list-footer .muted') !== null) return false;
    const rows = document.querySelectorAll('[data-testid="document-row"]');
    if (count === 0) return rows.length === 0 && document.querySelector('.documents .empty') !== null;
    return rows.length === count && rows[0].getAttribute('data-id') === firstId;
  };
  await new Promise((resolve) => { const check = () => (ready() ? resolve() : requestAnimationFrame(check)); check(); });
  document.removeEventListener('click', started, { capture: true });
  document.removeEventListener('input', started, { capture: true });
  return { ms: performance.now() - since, requestStartMs: answer.startTime - since, requestMs: answer.responseEnd - answer.startTime };
}`;

/** What the rows must show: the API's own first page for the filter, and the parameter the UI's request carries. */
interface Expected {
  firstId: string | null;
  count: number;
  found: number;
  param: [string, string] | null;
}

export async function measureUi(options: {
  documents: number;
  workDir: string;
  hub: HubChild;
  cleanup: Cleanup;
  log: (line: string) => void;
}): Promise<UiResult> {
  const { workDir, hub, cleanup, log } = options;
  // `recapito serve` from a checkout serves dist/ui, built from the current sources when stale.
  const built = spawnSync(process.execPath, [join(REPO, 'scripts', 'build-ui-if-stale.mjs')], { cwd: REPO, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('building the UI (scripts/build-ui-if-stale.mjs) failed');
  const dataDir = join(workDir, 'agent');
  const dropDir = join(workDir, 'drop');
  await prepareAgentDataDir(dataDir, benchAgentSettings(hub, dropDir), hub.apiKey);
  await mkdir(dropDir, { recursive: true });
  const file = join(dataDir, 'recapito.sqlite');
  log(`ui: filling the store with ${options.documents} documents`);
  const fill = fillSearchStore(file, options.documents);
  const states = varyStates(file);
  log(`ui: filled in ${fill.seconds.toFixed(1)} s; states ${JSON.stringify(states)}`);

  const agent = await startAgentChild({ dataDir, logFile: join(workDir, 'agent-output.log'), cleanup });
  let browser: Browser | null = null;
  try {
    const target = await apiTarget(dataDir);
    const url = `${target.baseUrl}/#token=${target.token}`;
    const firstPage = async (query: string, param: [string, string] | null): Promise<Expected> => {
      const get = async (extra: string): Promise<DocumentsPage> => {
        const response = await fetch(`${target.baseUrl}/api/v1/documents?${query}${extra}`, { headers: { Authorization: `Bearer ${target.token}` } });
        if (!response.ok) throw new Error(`GET /documents?${query}: ${response.status}`);
        return (await response.json()) as DocumentsPage;
      };
      const page = await get('&limit=50');
      let found = 0;
      let cursor: string | null = null;
      do {
        const next = await get(`&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        found += next.documents.length;
        cursor = next.nextCursor;
      } while (cursor);
      return { firstId: page.documents[0]?.id ?? null, count: page.documents.length, found, param };
    };

    browser = await launchChromium();
    const openBrowser = browser;
    cleanup.add('close Chromium', () => openBrowser.close());

    log(`ui: first rows, ${FIRST_ROWS_RUNS} navigations, each in a fresh context`);
    const firstRows: number[] = [];
    for (let run = 0; run < FIRST_ROWS_RUNS + 1; run += 1) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript({
        content: `new MutationObserver((_, observer) => {
          if (document.querySelector('[data-testid="document-row"]')) { window.firstRowsAt = performance.now(); observer.disconnect(); }
        }).observe(document, { childList: true, subtree: true });`,
      });
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForSelector('[data-testid="document-row"]', { timeout: 60_000 });
      const at = await page.evaluate<number>('window.firstRowsAt');
      if (run > 0) firstRows.push(at); // the first navigation warms the agent (statements, page cache)
      await context.close();
    }

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('[data-testid="document-row"]', { timeout: 60_000 });
    const all = await firstPage('', null);
    const actions: UiActionResult[] = [];

    const chip = async (state: string | null): Promise<void> => {
      await page.locator(state === null ? '.chips .chip:not([data-state])' : `.chips .chip[data-state="${state}"]`).click({ noWaitAfter: true });
    };
    for (const state of ['rejected', 'queued', 'failed', 'delivered']) {
      const expected = await firstPage(`state=${state}`, ['state', state]);
      await page.waitForSelector(`.chips .chip[data-state="${state}"]`, { timeout: 30_000 });
      const on: Timing[] = [];
      const off: Timing[] = [];
      for (let run = 0; run < RUNS + 1; run += 1) {
        on.push(await timed(page, expected, () => chip(state)));
        off.push(await timed(page, all, () => chip(state)));
      }
      actions.push(summarize(`state chip "${state}"`, `state=${state}`, expected.found, on));
      actions.push(summarize(`  back to all (from "${state}")`, '', all.found, off));
      log(`ui: chip ${state}: p50 ${actions.at(-2)?.ms.p50?.toFixed(0)} ms, back ${actions.at(-1)?.ms.p50?.toFixed(0)} ms`);
    }

    const { buyer } = fill.samples;
    const word = buyer.split(' ').at(-2) ?? 'Rossi';
    const searches: { label: string; text: string; typed?: boolean }[] = [
      { label: 'search: buyer name', text: buyer },
      { label: 'search: a word of that name', text: word },
      { label: 'search: VAT id', text: fill.samples.vat },
      { label: 'search: SDI id', text: fill.samples.sdiId },
      { label: 'search: no match', text: 'zzzzqqq' },
    ];
    // Typed a key at a time: from the last key's input event.
    searches.push({ label: 'search: that word, typed (120 ms a key)', text: word, typed: true });
    const search = page.locator('input[type="search"]');
    for (const { label, text, typed } of searches) {
      const expected = await firstPage(`q=${encodeURIComponent(text)}`, ['q', text]);
      const times: Timing[] = [];
      for (let run = 0; run < RUNS + 1; run += 1) {
        times.push(await timed(page, expected, () => (typed ? search.pressSequentially(text, { delay: 120 }) : search.fill(text))));
        await timed(page, all, () => search.fill(''));
      }
      actions.push(summarize(label, `q=${encodeURIComponent(text)}`, expected.found, times));
      log(`ui: ${label}: p50 ${actions.at(-1)?.ms.p50?.toFixed(0)} ms, ${expected.found} found`);
    }
    await context.close();

    const firstRowsMs = distribution(firstRows);
    const worst = Math.max(...actions.map((action) => action.ms.p95 ?? Infinity));
    return {
      documents: options.documents,
      fillSeconds: fill.seconds,
      states,
      firstRows: firstRowsMs,
      actions,
      targets: UI_TARGETS,
      verdicts: {
        firstRows: firstRowsMs.max === null ? null : firstRowsMs.max < UI_TARGETS.firstRowsMs,
        filters: Number.isFinite(worst) ? worst < UI_TARGETS.filterMs : null,
      },
    };
  } finally {
    await browser?.close();
    await agent.stop();
  }
}

/** Runs `act` (a click or an input); ms from its event to the expected rows in the DOM, on the page's clock. */
async function timed(page: Page, expected: Expected, act: () => Promise<void>): Promise<Timing> {
  const { firstId, count, param } = expected;
  await page.evaluate(`void (window.benchWait = (${WAIT_FOR_ROWS})(${JSON.stringify({ firstId, count, param })}))`);
  const waiting = page.evaluate('window.benchWait');
  await act();
  return (await waiting) as Timing;
}

export function formatUiReport(result: UiResult): string {
  const ms = (value: number | null): string => (value === null ? '—' : value.toFixed(0)).padStart(7);
  const verdict = (met: boolean | null): string => (met === null ? 'NOT MEASURED' : met ? 'met' : 'MISSED');
  const lines = [
    `\nUI (issue 16): Chromium against an agent with ${result.documents} documents (${JSON.stringify(result.states)})`,
    `${'action'.padEnd(40)} ${'found'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'max ms'.padStart(7)}  (p50: until sent, request)`,
    `${'first rows from navigation'.padEnd(40)} ${''.padStart(7)} ${ms(result.firstRows.p50)} ${ms(result.firstRows.p95)} ${ms(result.firstRows.max)}   target < ${result.targets.firstRowsMs} ms, every run: ${verdict(result.verdicts.firstRows)}`,
  ];
  for (const action of result.actions) {
    const over = (action.ms.p95 ?? Infinity) < result.targets.filterMs ? '' : '  over target';
    lines.push(
      `${action.label.padEnd(40)} ${String(action.found).padStart(7)} ${ms(action.ms.p50)} ${ms(action.ms.p95)} ${ms(action.ms.max)}  (${ms(action.requestStartMs.p50).trim()}, ${ms(action.requestMs.p50).trim()})${over}`,
    );
  }
  lines.push(`filters and searches, every p95 < ${result.targets.filterMs} ms: ${verdict(result.verdicts.filters)}`);
  return lines.join('\n');
}
