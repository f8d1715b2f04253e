// A real agent started on a data folder with a branding file (docs/white-label.md): the local API
// serves it (public, before the token), /status names it, the printer's queues carry its name; a
// broken branding file leaves the agent running with the default branding and a warning in the log
// and in /status.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runAgent, type RunningAgent } from '../../src/core/host/run-agent.ts';
import { createSandboxHub, type SandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { saveSettings } from '../../src/core/config/config-store.ts';
import { testSettings } from '../helpers/harness.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { EXAMPLE_LOGO_SVG, writeBrandingFolder } from '../helpers/branding.ts';
import type { BrandingView } from '../../src/contract/branding.ts';
import type { AgentStatus } from '../../src/contract/local-api.ts';
import { probeIppPrinter } from '../../src/core/printer/os-queue/ipp-probe.ts';

let running: RunningAgent | null = null;
let hub: SandboxHub | null = null;
let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await running?.stop();
  await hub?.close();
  await cleanup?.();
  running = hub = cleanup = null;
});

/** An agent on a fresh data folder; `brand` prepares its branding folder first. */
async function start(brand: (brandingDir: string) => Promise<unknown>) {
  const temp = await makeTempDir();
  cleanup = temp.cleanup;
  hub = await createSandboxHub({ dataDir: join(temp.dir, 'hub') });
  const dataDir = join(temp.dir, 'agent');
  const dropDir = join(temp.dir, 'drop');
  await mkdir(dropDir, { recursive: true });
  const settings = testSettings(hub, dropDir);
  await saveSettings(join(dataDir, 'config.json'), { ...settings, printer: { ...settings.printer, enabled: true, port: 0 } });
  const secrets = await createFileSecretStore(join(dataDir, 'secrets.json'), {});
  await secrets.set('hubApiKey', hub.createApiKey({ name: 'branding-test' }));
  await brand(join(dataDir, 'branding'));
  running = await runAgent(dataDir);
  const { url } = running.api;
  const token = running.token;
  return {
    dataDir,
    get: (path: string, withToken = true) => fetch(`${url}${path}`, withToken ? { headers: { Authorization: `Bearer ${token}` } } : {}),
  };
}

describe('an agent with a branding file', () => {
  it('serves the branding and its logo without the token, names it in /status and in the printer queues', async () => {
    const { get } = await start((dir) => writeBrandingFolder(dir));

    const answer = await get('/api/v1/branding', false);
    expect(answer.status).toBe(200);
    const view = (await answer.json()) as BrandingView;
    expect(view).toMatchObject({
      isDefault: false,
      productName: 'Rossi Fatture Connect',
      shortName: 'Rossi Fatture',
      logo: { url: '/api/v1/branding/logo', type: 'image/svg+xml' },
      palette: { accent: '#0f766e', accentText: '#ffffff' },
      support: { email: 'assistenza@rossi-fatture.example', url: 'https://rossi-fatture.example/assistenza' },
      warnings: [],
    });

    const logo = await get(view.logo!.url, false);
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toBe('image/svg+xml');
    // Opened on its own, the SVG may run nothing.
    expect(logo.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(logo.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await logo.text()).toBe(EXAMPLE_LOGO_SVG);

    const status = (await (await get('/api/v1/status')).json()) as AgentStatus;
    expect(status.branding).toEqual({
      productName: 'Rossi Fatture Connect',
      support: { email: 'assistenza@rossi-fatture.example', phone: '+39 02 1234 5678', url: 'https://rossi-fatture.example/assistenza' },
      source: expect.stringMatching(/branding\.json$/) as unknown,
      warnings: [],
    });
    expect(status.printers.map((printer) => printer.queueName)).toEqual(['Rossi Fatture – Test Srl']);
    // What the OS print system reads from the printer itself: its make and model, and its page.
    const ippUrl = status.printers[0]!.url;
    expect(await probeIppPrinter(ippUrl)).toMatchObject({ ok: true, makeAndModel: 'Rossi Fatture Connect Virtual Printer' });
    const page = await (await fetch(ippUrl.replace(/^ipp:/, 'http:'))).text();
    expect(page).toContain('This is the Rossi Fatture Connect virtual printer');
    expect(page).not.toContain('Recapito');
    // Still private: the status needs the token.
    expect((await get('/api/v1/status', false)).status).toBe(401);
  });

  it('runs with the default branding when the file is broken, and says why in the log and in /status', async () => {
    const { get, dataDir } = await start(async (dir) => {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'branding.json'), '{ "productName": "Rossi", "accentColor": ');
    });
    const view = (await (await get('/api/v1/branding', false)).json()) as BrandingView;
    expect(view).toMatchObject({ isDefault: true, productName: 'Recapito', palette: null, logo: null });
    expect(view.warnings).toEqual([expect.stringMatching(/branding\.json: not valid JSON .*using the default branding/)]);
    expect((await get('/api/v1/branding/logo', false)).status).toBe(404);

    const status = (await (await get('/api/v1/status')).json()) as AgentStatus;
    expect(status.branding?.productName).toBe('Recapito');
    expect(status.branding?.warnings).toEqual(view.warnings);
    expect(status.printers.map((printer) => printer.queueName)).toEqual(['Recapito – Test Srl']);
    expect(await probeIppPrinter(status.printers[0]!.url)).toMatchObject({ ok: true, makeAndModel: 'Recapito Virtual Printer' });
    expect(status.services.filter((service) => service.state === 'failed')).toEqual([]);

    const log = await readFile(join(dataDir, 'logs', 'recapito.log'), 'utf8');
    expect(log).toMatch(/branding.*not valid JSON/);
  });

  it('keeps the valid fields of a file with a bad one: the bad field falls back, with its warning', async () => {
    const { get } = await start((dir) => writeBrandingFolder(dir, { accentColor: '#808080', logo: 'missing.png' }));
    const view = (await (await get('/api/v1/branding', false)).json()) as BrandingView;
    expect(view).toMatchObject({ isDefault: false, productName: 'Rossi Fatture Connect', palette: null, logo: null });
    expect(view.warnings).toEqual([expect.stringMatching(/^accentColor is not used: .*WCAG AA/), expect.stringMatching(/^logo "missing\.png" is not used/)]);
    const status = (await (await get('/api/v1/status')).json()) as AgentStatus;
    expect(status.branding?.warnings).toHaveLength(2);
  });
});
