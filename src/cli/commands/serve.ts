// `recapito serve`: the headless agent with its local API and UI.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { defaultDataDir } from '../../core/config/data-dir.ts';
import { runAgent } from '../../core/host/run-agent.ts';
import { limitHeapGrowth } from '../../core/host/heap-growth.ts';
import { untilSignal } from '../signals.ts';

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { data: { type: 'string' } }, strict: true });
  const dataDir = resolve(values.data ?? defaultDataDir());
  // Issue 16's memory: the heap collected sooner in a burst (core/host/heap-growth.ts).
  limitHeapGrowth();
  const running = await runAgent(dataDir, { consoleLog: true });
  console.log(`${running.branding.view.productName} is running. Local API: ${running.api.url}/api/v1  UI: ${running.api.url}/#token=${running.token}`);
  console.log(`Data folder: ${dataDir}`);
  await untilSignal();
  await running.stop();
  return 0;
}
