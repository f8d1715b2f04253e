// `recapito demo`: the whole flow on one machine. Starts the sandbox hub (short SDI delays) and an
// agent with one profile watching DIR/drop; writes DIR/api-url and DIR/api-token; runs until
// SIGINT/SIGTERM. Other tools rely on this contract.
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { defaultDataDir, dataPaths } from '../../core/config/data-dir.ts';
import { createSandboxHub, type SandboxHub } from '../../sandbox-hub/sandbox-hub.ts';
import { defaultSettings, type Settings } from '../../core/config/settings-schema.ts';
import { saveSettings } from '../../core/config/config-store.ts';
import { createFileSecretStore } from '../../core/config/secret-store.ts';
import { writeDurably } from '../../core/util/fsync.ts';
import { runAgent, untilSignal, writePrinterUrls, type RunningAgent } from '../run-agent.ts';

export const DEMO_SDI_DELAYS_MS = { processing: 300, sent: 600, outcome: 1200, paOutcome: 1800 };

export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { dir: { type: 'string' } }, strict: true });
  const dir = resolve(values.dir ?? join(defaultDataDir(), 'demo'));
  const { running, hub, dropDir } = await startDemo(dir);

  console.log('Recapito demo is running.');
  console.log(`  Drop invoices (FatturaPA XML, P7M, PDF, ZIP) into: ${dropDir}`);
  console.log(`  UI:            ${running.api.url}/#token=${running.token}`);
  console.log(`  Local API:     ${running.api.url}/api/v1   (token in ${join(dir, 'api-token')})`);
  for (const { url } of running.agent.printer.urls()) console.log(`  Printer (IPP): ${url}   (lpadmin -p Recapito-Demo -E -v ${url} -m everywhere)`);
  console.log(`  Sandbox hub:   ${hub.url}   (simulated SDI; magic values in docs/sandbox-hub.md)`);
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
}

/** The sandbox hub and an agent on DIR/agent watching DIR/drop; DIR/api-url appears last. */
export async function startDemo(dir: string): Promise<Demo> {
  const agentDir = join(dir, 'agent');
  const dropDir = join(dir, 'drop');
  // DIR and DIR/agent are private (the agent's data, the API token); the drop folder is the user's.
  await mkdir(agentDir, { recursive: true, mode: 0o700 });
  await mkdir(dropDir, { recursive: true });

  const hub = await createSandboxHub({ dataDir: join(dir, 'sandbox-hub'), sdiDelaysMs: DEMO_SDI_DELAYS_MS });
  const defaults = defaultSettings();
  const settings: Settings = {
    ...defaults,
    hub: { ...defaults.hub, url: hub.url, caFile: hub.caFile, accountPollSeconds: 30, eventsLongPollSeconds: 20 },
    api: { ...defaults.api, port: 0 },
    printer: { ...defaults.printer, port: 0 },
    profiles: [{ id: 'demo', name: 'Demo Srl', hubCompanyId: null, folders: [{ path: dropDir, postAction: 'move', usePolling: false }], returnFolder: null, requireApproval: false, printer: { enabled: true, queueName: 'Recapito – Demo Srl' } }],
  };
  await saveSettings(dataPaths(agentDir).config, settings);
  const secrets = await createFileSecretStore(dataPaths(agentDir).secrets);
  await secrets.set('hubApiKey', hub.createApiKey({ name: 'demo' }));

  const running = await runAgent(agentDir, { settings });
  // api-url last: tools wait for it, and everything else must be there when it appears.
  await writeDurably(join(dir, 'api-token'), `${running.token}\n`, 0o600);
  await writePrinterUrls(join(dir, 'printer-url'), running.agent);
  await writeDurably(join(dir, 'api-url'), `${running.api.url}\n`, 0o600);
  return { running, hub, dropDir };
}
