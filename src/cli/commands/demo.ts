// `recapito demo`: the whole flow on one machine. Starts the sandbox hub (short SDI delays) and an
// agent with one profile watching DIR/drop; writes DIR/api-url and DIR/api-token; runs until
// SIGINT/SIGTERM. Other tools rely on this contract.
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { defaultDataDir, dataPaths } from '../../core/config/data-dir.ts';
import { createSandboxHub, type SandboxHub } from '../../sandbox-hub/sandbox-hub.ts';
import { defaultSettings, type Settings } from '../../core/config/settings-schema.ts';
import { loadSettings, saveSettings } from '../../core/config/config-store.ts';
import { cupsQueueName, windowsPrinterName } from '../../core/printer/os-queue/queue-name.ts';
import { freePort, isPortFree } from '../../core/util/ports.ts';
import { createFileSecretStore } from '../../core/config/secret-store.ts';
import { writeDurably } from '../../core/util/fsync.ts';
import { runAgent, writePrinterUrls, type RunningAgent } from '../../core/host/run-agent.ts';
import { untilSignal } from '../signals.ts';

const DEMO_SDI_DELAYS_MS = { processing: 300, sent: 600, outcome: 1200, paOutcome: 1800 };
/** The demo profile's queue as people see it: "Recapito – Demo Srl", or the brand's short name (docs/white-label.md). */
const DEMO_QUEUE_DISPLAY_NAME = 'Recapito – Demo Srl';

/** The name of the demo's queue in this computer's print system (what `lp -d` takes). */
function osQueueName(displayName: string): string {
  return process.platform === 'win32' ? windowsPrinterName(displayName) : cupsQueueName(displayName);
}

// From the sources (npm run demo) the command is run through npm; built, it is on PATH.
const RECAPITO = import.meta.url.endsWith('.ts') ? 'npm run recapito --' : 'recapito';

export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { dir: { type: 'string' } }, strict: true });
  const dir = resolve(values.dir ?? join(defaultDataDir(), 'demo'));
  const { running, hub, dropDir, portsMoved } = await startDemo(dir);

  console.log(`${running.branding.view.productName} demo is running.`);
  const queue = osQueueName(running.agent.status().printers[0]?.queueName ?? DEMO_QUEUE_DISPLAY_NAME);
  console.log(`  Drop invoices (FatturaPA XML, P7M, PDF, ZIP) into: ${dropDir}`);
  console.log(`  UI:            ${running.api.url}/#token=${running.token}`);
  console.log(`  Local API:     ${running.api.url}/api/v1   (token in ${join(dir, 'api-token')})`);
  for (const { url } of running.agent.printerUrls()) console.log(`  Printer (IPP): ${url}`);
  console.log(`  Print queue:   ${queue}: add it once with \`${RECAPITO} printer install\` (root or lpadmin), then \`lp -d ${queue} FILE\``);
  console.log(`  Sandbox hub:   ${hub.url}   (simulated SDI; magic values in docs/sandbox-hub.md)`);
  console.log(`  Commands:      \`${RECAPITO} status\`, \`${RECAPITO} send FILE\` find this demo by themselves.`);
  for (const line of portsMoved) console.log(`  NOTE: port moved, ${line}: run \`${RECAPITO} printer install\` again.`);
  console.log('  Press Ctrl+C to stop.');

  const signal = await untilSignal();
  console.log(`\nStopping (${signal})…`);
  await running.stop();
  await hub.close();
  return 0;
}

export interface Demo {
  running: RunningAgent;
  hub: SandboxHub;
  dropDir: string;
  /** Ports that could not be kept from the previous run, in words. */
  portsMoved: string[];
}

/** The sandbox hub and an agent on DIR/agent watching DIR/drop; DIR/api-url appears last. */
export async function startDemo(dir: string): Promise<Demo> {
  const agentDir = join(dir, 'agent');
  const dropDir = join(dir, 'drop');
  // DIR and DIR/agent are private (the agent's data, the API token); the drop folder is the user's.
  await mkdir(agentDir, { recursive: true, mode: 0o700 });
  await mkdir(dropDir, { recursive: true });

  const ports = await keptPorts(dataPaths(agentDir).config);
  const hub = await createSandboxHub({ dataDir: join(dir, 'sandbox-hub'), sdiDelaysMs: DEMO_SDI_DELAYS_MS });
  const defaults = defaultSettings();
  const settings: Settings = {
    ...defaults,
    hub: { ...defaults.hub, url: hub.url, caFile: hub.caFile, accountPollSeconds: 30, eventsLongPollSeconds: 20 },
    api: { ...defaults.api, port: ports.api },
    printer: { ...defaults.printer, port: ports.printer },
    profiles: [
      {
        id: 'demo',
        name: 'Demo Srl',
        hubCompanyId: null,
        folders: [{ path: dropDir, postAction: 'move', usePolling: false }],
        returnFolder: null,
        sending: 'automatic',
        dualControl: false,
        // No fixed name: "<short name> – Demo Srl", which is DEMO_QUEUE_DISPLAY_NAME unbranded.
        printer: { enabled: true, queueName: null },
      },
    ],
  };
  await saveSettings(dataPaths(agentDir).config, settings);
  const secrets = await createFileSecretStore(dataPaths(agentDir).secrets);
  await secrets.set('hubApiKey', hub.createApiKey({ name: 'demo' }));

  const running = await runAgent(agentDir, { settings, kind: 'demo' });
  // api-url last: tools wait for it, and everything else must be there when it appears.
  await writeDurably(join(dir, 'api-token'), `${running.token}\n`);
  await writePrinterUrls(join(dir, 'printer-url'), running.agent);
  await writeDurably(join(dir, 'api-url'), `${running.api.url}\n`);
  return { running, hub, dropDir, portsMoved: ports.moved };
}

/**
 * The UI's and the printer's ports of the previous run when they are still free, so a print queue
 * added once keeps working and the UI address stays the same; new free ports on the first run (not
 * the defaults, which a `recapito serve` on this computer may be using).
 */
async function keptPorts(configFile: string): Promise<{ api: number; printer: number; moved: string[] }> {
  // No config yet: the first run (loadSettings would give the defaults).
  const previous = existsSync(configFile) ? await loadSettings(configFile).catch(() => null) : null;
  const moved: string[] = [];
  const keep = async (what: string, port: number | undefined): Promise<number> => {
    if (port && (await isPortFree(port))) return port;
    const next = await freePort();
    if (port) moved.push(`${what} ${port} → ${next} (${port} is in use)`);
    return next;
  };
  return { api: await keep('UI and local API', previous?.api.port), printer: await keep('printer', previous?.printer.port), moved };
}
