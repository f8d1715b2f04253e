// Attacks on the local API from a web page, in a real browser (Debian Chromium through
// playwright-core), security issue 10. A page on another origin cannot read the API's answers, but
// it can still send "simple" requests with no Authorization header: no-cors fetch POSTs and
// auto-submitted <form> POSTs (text/plain, application/x-www-form-urlencoded, multipart/form-data).
// With the API prefix spelled /api/, /%61pi/, /a%70i/, /API/ and //api/, the page tries to upload
// invoices (which the agent would deliver to the hub), to pause sending, and to POST settings and
// a hub key to the routes that take PUT (a page cannot send PUT without a CORS preflight).
// None of it may have any effect: no document captured, nothing at the hub, sending not paused,
// settings and stored secrets as they were. A legitimate, token-bearing upload afterwards proves
// the agent was capturing and sending all along. What the API answered is recorded from Node's http
// diagnostics channel (the test cannot hook into the server) and printed with what the browser saw.
//
// The browser's view is not enough: a no-cors fetch shows net::ERR_BLOCKED_BY_RESPONSE in the page
// (the API's Cross-Origin-Resource-Policy hides the answer) even when the API carried it out.
// (This agent runs with fixed settings, so PUT /config would answer 409 anyway; the credentials
// route is live, and the stored secrets file is compared.)
//
// The page runs from two origins: http://localhost:PORT, a loopback page, which Chromium's Local
// Network Access lets reach 127.0.0.1; and http://evil.example:PORT, resolved to 127.0.0.1 but made
// a public site (--ip-address-space-overrides). From the public site, Chromium 156 blocks the
// no-cors fetches before they are sent (net::ERR_FAILED) but not the forms, which open top-level
// windows: those reach the API. The server must refuse either way, whatever the browser does.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Request } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { startLocalApi, type LocalApi } from '../../src/core/api/local-api-server.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { chromiumPath, launchChromium, needsChromium } from '../helpers/chromium.ts';
import { fixture, makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';

const TOKEN = 'cross-origin-test-token-'.padEnd(43, 'c');
const STEP_TIMEOUT = 20_000;
/** The ways a page may spell the API prefix: plain, percent-encoded letters, upper case, a doubled slash. */
const PREFIXES = ['/api/', '/%61pi/', '/a%70i/', '/API/', '//api/'] as const;
const PUBLIC_HOST = 'evil.example';

type AttackSet = 'uploads' | 'controls';
type Enctype = 'text/plain' | 'application/x-www-form-urlencoded' | 'multipart/form-data';

/** What the page fires; `body` and file bodies travel base64-encoded. */
type Attack =
  | { kind: 'fetch'; url: string; contentType: Enctype; body: string }
  | {
      kind: 'form';
      url: string;
      enctype: Enctype;
      fields: { name: string; value: string }[];
      file?: { field: string; name: string; type: string; body: string };
    };

const b64 = (data: Buffer | string): string => Buffer.from(data).toString('base64');

/** A FatturaPA sample made unique by its invoice number (so a duplicate check cannot hide a capture). */
function invoiceXml(number: number): string {
  const xml = fixture('fatturapa', 'IT01234567890_FPR01.xml').toString('utf8');
  const renumbered = xml.replace(/<Numero>[^<]*<\/Numero>/, `<Numero>${number}</Numero>`);
  if (renumbered === xml) throw new Error('FPR01 has no <Numero> to renumber');
  return renumbered;
}

/**
 * A text/plain form's body is `name=value\r\n` for each field. Split a document at its first "="
 * (or take it whole as the name) and the body is the document itself, plus "=\r\n" at most.
 */
function textPlainFields(document: string): { name: string; value: string }[] {
  const at = document.indexOf('=');
  return at < 0 ? [{ name: document, value: '' }] : [{ name: document.slice(0, at), value: document.slice(at + 1) }];
}

function attacksFor(set: AttackSet, apiOrigin: string): Attack[] {
  const attacks: Attack[] = [];
  PREFIXES.forEach((prefix, index) => {
    const url = (route: string) => `${apiOrigin}${prefix}v1/${route}`;
    const tag = `${set} ${prefix}`;
    if (set === 'uploads') {
      // (1) no-cors fetch POSTs of a PDF and of an invoice XML as text/plain.
      attacks.push({ kind: 'fetch', url: url('documents'), contentType: 'text/plain', body: b64(makePdf(`fetch ${tag}`)) });
      attacks.push({ kind: 'fetch', url: url('documents'), contentType: 'text/plain', body: b64(invoiceXml(9100 + index)) });
      // (2) text/plain forms whose body is a PDF-looking text, and an invoice XML.
      attacks.push({ kind: 'form', url: url('documents'), enctype: 'text/plain', fields: textPlainFields(makePdf(`form ${tag}`).toString('latin1')) });
      attacks.push({ kind: 'form', url: url('documents'), enctype: 'text/plain', fields: textPlainFields(invoiceXml(9200 + index)) });
      // (3) urlencoded and multipart forms (a PDF file attached to the multipart one).
      attacks.push({
        kind: 'form',
        url: url('documents'),
        enctype: 'application/x-www-form-urlencoded',
        fields: [{ name: 'file', value: makePdf(`urlencoded ${tag}`).toString('latin1') }],
      });
      attacks.push({
        kind: 'form',
        url: url('documents'),
        enctype: 'multipart/form-data',
        fields: [{ name: 'note', value: tag }],
        file: { field: 'file', name: 'fattura.pdf', type: 'application/pdf', body: b64(makePdf(`multipart ${tag}`)) },
      });
    } else {
      // (3) pause sending, with each form encoding and a no-cors fetch.
      attacks.push({ kind: 'form', url: url('pause'), enctype: 'application/x-www-form-urlencoded', fields: [{ name: 'paused', value: 'true' }] });
      attacks.push({ kind: 'form', url: url('pause'), enctype: 'multipart/form-data', fields: [{ name: 'paused', value: 'true' }] });
      attacks.push({ kind: 'form', url: url('pause'), enctype: 'text/plain', fields: [{ name: 'paused', value: 'true' }] });
      attacks.push({ kind: 'fetch', url: url('pause'), contentType: 'text/plain', body: b64('{}') });
      // (4) a page cannot send PUT without a CORS preflight, so it POSTs JSON-looking text to the
      // routes that take PUT: settings pointing at another hub, and another hub key.
      const settings = JSON.stringify({ hub: { url: 'https://attacker.invalid/' } });
      const credentials = JSON.stringify({ hubApiKey: 'attacker-chosen-hub-key' });
      attacks.push({ kind: 'fetch', url: url('config'), contentType: 'text/plain', body: b64(settings) });
      attacks.push({ kind: 'fetch', url: url('credentials'), contentType: 'text/plain', body: b64(credentials) });
      attacks.push({ kind: 'form', url: url('config'), enctype: 'text/plain', fields: textPlainFields(settings) });
      attacks.push({ kind: 'form', url: url('credentials'), enctype: 'text/plain', fields: [{ name: `${credentials.slice(0, -1)},"x":"`, value: '"}' }] });
    }
  });
  return attacks;
}

/**
 * The attacker's page: fires every no-cors fetch at once and submits every form into its own new
 * window (a top-level navigation, which no frame-ancestors or X-Frame-Options stops), then sets
 * its title to "fired". No CSP: it is the attacker's page.
 */
function attackerPage(attacks: Attack[]): string {
  const json = JSON.stringify(attacks).replace(/</g, '\\u003c');
  return `<!doctype html><html><head><meta charset="utf-8"><title>cat pictures</title></head><body>
<script type="application/json" id="attacks">${json}</script>
<script>
(async () => {
  const attacks = JSON.parse(document.getElementById('attacks').textContent);
  const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const fetches = attacks.filter((a) => a.kind === 'fetch').map((a) =>
    fetch(a.url, { mode: 'no-cors', method: 'POST', headers: { 'Content-Type': a.contentType }, body: bytes(a.body), signal: AbortSignal.timeout(15000) })
      .then((r) => 'answered (' + r.type + ')', (e) => 'refused: ' + e.message));
  for (const a of attacks.filter((a) => a.kind === 'form')) {
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = a.url;
    form.enctype = a.enctype;
    form.target = '_blank';
    for (const f of a.fields) {
      const field = document.createElement('textarea');
      field.name = f.name;
      field.value = f.value;
      form.append(field);
    }
    if (a.file) {
      const input = document.createElement('input');
      input.type = 'file';
      input.name = a.file.field;
      const files = new DataTransfer();
      files.items.add(new File([bytes(a.file.body)], a.file.name, { type: a.file.type }));
      input.files = files.files;
      form.append(input);
    }
    document.body.append(form);
    form.submit();
  }
  window.fetchResults = await Promise.all(fetches);
  document.title = 'fired';
})();
</script></body></html>`;
}

/** What the browser saw of one attack request: the API's status, or its own error (blocked, or the answer withheld from the page). */
interface BrowserOutcome {
  what: string;
  result: number | string;
}

/** What the API's server answered, as Node's http diagnostics channel reports it (the test cannot hook into the server itself). */
interface ServerAnswer {
  method: string;
  target: string;
  contentType: string;
  origin: string;
  token: boolean;
  status: number;
}

const describeAnswer = (a: ServerAnswer) => `${a.method} ${a.target} (${a.contentType}, Origin ${a.origin}) -> ${a.status}`;

needsChromium().describe('local API attacked from a web page in Chromium', () => {
  let attacker: http.Server;
  let attackerPort = 0;
  /** What the attacker's server serves next: the page is made per test (the API port changes). */
  const pages = new Map<string, string>();
  let loopbackBrowser: Browser;
  let publicBrowser: Browser;
  let harness: Harness | undefined;
  let api: LocalApi | undefined;
  let context: BrowserContext | undefined;
  const answers: ServerAnswer[] = [];
  const recordAnswer = (message: unknown): void => {
    const { request, response, socket } = message as { request: http.IncomingMessage; response: http.ServerResponse; socket: Socket };
    if (!api || socket.localPort !== api.port) return;
    const header = (name: string) => String(request.headers[name] ?? 'none').split(';')[0] ?? '';
    answers.push({
      method: request.method ?? '',
      target: request.url ?? '',
      contentType: header('content-type'),
      origin: header('origin'),
      token: Boolean(request.headers.authorization),
      status: response.statusCode,
    });
  };

  beforeAll(async () => {
    diagnostics.subscribe('http.server.response.finish', recordAnswer);
    attacker = http.createServer((request, response) => {
      const page = pages.get(new URL(request.url ?? '/', 'http://attacker').pathname);
      response.writeHead(page ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' }).end(page ?? 'not found');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    const address = attacker.address();
    attackerPort = typeof address === 'object' && address ? address.port : 0;
    loopbackBrowser = await launchChromium();
    // The helper's launch takes no extra flags; this is the same browser with the same switches,
    // plus a resolver rule and an address-space override that make the page a public site.
    publicBrowser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--host-resolver-rules=MAP ${PUBLIC_HOST} 127.0.0.1`,
        `--ip-address-space-overrides=127.0.0.1:${attackerPort}=public`,
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await loopbackBrowser?.close().catch(() => undefined);
    await publicBrowser?.close().catch(() => undefined);
    await new Promise((resolve) => attacker?.close(resolve));
    diagnostics.unsubscribe('http.server.response.finish', recordAnswer);
  });

  beforeEach(async () => {
    answers.length = 0;
    const h = (harness = await startHarness());
    const log = createLogger({ dir: join(h.dataDir, 'logs'), level: 'info', maxFileBytes: 1 << 20, maxFiles: 1 });
    api = await startLocalApi({ agent: h.agent, token: TOKEN, host: '127.0.0.1', port: 0, log, maxUploadBytes: 25 * 1024 * 1024 });
  });

  afterEach(async () => {
    await context?.close().catch(() => undefined);
    await api?.close().catch(() => undefined);
    await harness?.close();
    context = undefined;
    api = undefined;
    harness = undefined;
  });

  async function withToken(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${TOKEN}`);
    return fetch(`${api?.url}${path}`, { ...init, headers });
  }
  const json = async (path: string): Promise<Record<string, unknown>> => (await withToken(path)).json() as Promise<Record<string, unknown>>;

  /**
   * Opens the attacker's page from `origin` and waits until the browser has settled every request
   * the page fires at the API (answered, or failed); returns what the API answered to requests
   * without a token, as its server recorded them.
   */
  async function attack(browser: Browser, origin: string, set: AttackSet): Promise<ServerAnswer[]> {
    const apiUrl = api?.url ?? '';
    const attacks = attacksFor(set, apiUrl);
    const path = `/${set}-${api?.port}`;
    pages.set(path, attackerPage(attacks));
    context = await browser.newContext();
    const seen: BrowserOutcome[] = [];
    // Only the page's POSTs count: a window showing an answer also asks the API for /favicon.ico.
    const ours = (request: Request) => request.method() === 'POST' && request.url().startsWith(`${apiUrl}/`);
    const what = (request: Request) =>
      `${request.isNavigationRequest() ? 'form ' : 'fetch'} POST ${request.url().slice(apiUrl.length)} (${(request.headers()['content-type'] ?? 'none').split(';')[0]})`;
    context.on('requestfinished', (request) => {
      if (!ours(request)) return;
      // A response the browser no longer has (the context closed) is an answer too, never an unhandled rejection.
      request.response().then(
        (response) => seen.push({ what: what(request), result: response?.status() ?? 'no response' }),
        () => seen.push({ what: what(request), result: 'no response' }),
      );
    });
    context.on('requestfailed', (request) => {
      if (ours(request)) seen.push({ what: what(request), result: request.failure()?.errorText ?? 'failed' });
    });
    const page = await context.newPage();
    await page.goto(`${origin}${path}`);
    await page.waitForFunction('document.title === "fired"', undefined, { timeout: STEP_TIMEOUT });
    await waitFor(`the browser to settle all ${attacks.length} attack requests (${seen.length} so far)`, () => seen.length >= attacks.length, STEP_TIMEOUT);
    const fromPage = answers.filter((a) => !a.token && a.method === 'POST');
    console.info(
      `${set} from ${origin}: ${fromPage.length} of ${attacks.length} requests reached the API\n` +
        `  in the browser:\n${seen
          .map((o) => `    ${o.what} -> ${o.result}`)
          .sort()
          .join('\n')}\n` +
        `  at the API:\n${fromPage
          .map((a) => `    ${describeAnswer(a)}`)
          .sort()
          .join('\n')}`,
    );
    return fromPage;
  }

  /**
   * Uploads one document with the token and waits for the hub to have it: proof that the agent was
   * capturing and sending all along (unless an attack paused it: then it is only captured).
   */
  async function legitimateUpload(label: string): Promise<{ id: string; sha256: string; reachedHub: boolean }> {
    const answer = await withToken('/api/v1/documents', {
      method: 'POST',
      headers: { 'Content-Type': 'application/pdf', 'X-Filename': encodeURIComponent(`${label}.pdf`) },
      body: makePdf(`legit ${label}`),
    });
    expect(answer.status, 'the legitimate upload with the token').toBe(201);
    const { id } = (await answer.json()) as { id: string };
    const document = harness?.agent.store.documents.get(id);
    if (!document) throw new Error(`the legitimate upload ${id} is not in the agent's store`);
    const paused = (await json('/api/v1/status'))['paused'] === true;
    const legit = { id, sha256: document.sha256 };
    if (paused) return { ...legit, reachedHub: false };
    await waitFor(`the legitimate upload ${id} to reach the hub`, () => harness?.hub.listDocuments().some((d) => d.sha256 === legit.sha256), STEP_TIMEOUT);
    return { ...legit, reachedHub: true };
  }

  /** The secret store's file: what `PUT /credentials` would rewrite. */
  const secretsFile = () => readFile(join(harness?.dataDir ?? '', 'secrets.json'), 'utf8');
  const originals = async () => ({ config: await json('/api/v1/config'), status: await json('/api/v1/status'), secrets: await secretsFile() });

  async function expectNoEffect(fromPage: ServerAnswer[], before: Awaited<ReturnType<typeof originals>>, label: string): Promise<void> {
    // The browser has settled every attack request, and an upload is captured before its 201 is
    // sent, so whatever the attacks captured or changed is already in place. What can still come is
    // the outbox sending such a document to the hub, within milliseconds. Nothing signals "nothing
    // will happen", so: a short, bounded pause, then a legitimate upload that goes through the same
    // outbox after anything the attacks queued, and whose arrival at the hub we wait for.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const legit = await legitimateUpload(label);
    const h = harness as Harness;
    const status = await json('/api/v1/status');
    const after = await json('/api/v1/config');
    const secretsAfter = await secretsFile();
    const listed = (await json('/api/v1/documents?limit=500'))['documents'] as { id: string; name: string; source: string; state: string }[];
    const hubDocuments = h.hub.listDocuments();

    expect
      .soft(
        fromPage
          .filter((a) => a.status < 300)
          .map(describeAnswer)
          .sort(),
        'attack requests the API carried out (2xx)',
      )
      .toEqual([]);
    expect
      .soft(
        listed.map((d) => d.id),
        'the agent lists the legitimate upload',
      )
      .toContain(legit.id);
    expect
      .soft(
        listed
          .filter((d) => d.id !== legit.id)
          .map((d) => `${d.name} (${d.source}, ${d.state})`)
          .sort(),
        'documents in the agent besides the legitimate upload',
      )
      .toEqual([]);
    expect
      .soft(
        hubDocuments
          .filter((d) => d.sha256 !== legit.sha256)
          .map((d) => `${d.fileName} (${d.contentType}, ${d.size} bytes)`)
          .sort(),
        'documents the hub received besides the legitimate one',
      )
      .toEqual([]);
    expect.soft(status['paused'], 'sending is not paused').toBe(false);
    expect.soft(status['hold'], 'no hold (paused, credentials)').toBeNull();
    expect.soft(legit.reachedHub, 'the legitimate upload reached the hub').toBe(true);
    expect.soft(after, 'settings (and which secrets are set) as before').toEqual(before.config);
    expect.soft(secretsAfter === before.secrets, 'the stored secrets (hub key) as before').toBe(true);
  }

  const origins = [
    { name: 'a loopback page (http://localhost:PORT)', browser: () => loopbackBrowser, origin: () => `http://localhost:${attackerPort}` },
    { name: `a public site (http://${PUBLIC_HOST}:PORT)`, browser: () => publicBrowser, origin: () => `http://${PUBLIC_HOST}:${attackerPort}` },
  ];

  for (const from of origins) {
    it(`uploads nothing when ${from.name} POSTs invoices to every spelling of /api/v1/documents`, async () => {
      const before = await originals();
      const fromPage = await attack(from.browser(), from.origin(), 'uploads');
      await expectNoEffect(fromPage, before, 'legitimate-after-uploads');
    }, 90_000);

    it(`neither pauses nor changes settings or credentials when ${from.name} POSTs to pause, config and credentials`, async () => {
      const before = await originals();
      expect(before.status['paused']).toBe(false);
      const fromPage = await attack(from.browser(), from.origin(), 'controls');
      await expectNoEffect(fromPage, before, 'legitimate-after-controls');
    }, 90_000);
  }
});
