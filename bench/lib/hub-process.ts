// Entry point of the sandbox hub's own process during a benchmark: the hub gets a core to itself
// instead of sharing the event loop of the code that drops files and drives the baselines.
// Usage (by hub-child.ts only): node bench/lib/hub-process.ts <data dir> <credits>, with an IPC channel.
import { createSandboxHub, type SandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import type { HubMessage, HubRequest } from './hub-protocol.ts';

function send(message: HubMessage, then?: () => void): void {
  process.send?.(message, undefined, {}, () => then?.());
}

async function main(): Promise<void> {
  const [dataDir, creditsArgument] = process.argv.slice(2);
  const credits = Number(creditsArgument);
  if (!process.send || !dataDir || !Number.isSafeInteger(credits) || credits < 1) {
    console.error('hub-process: start it through bench/lib/hub-child.ts (needs an IPC channel, a data folder and a credit count)');
    process.exit(2);
  }

  let hub: SandboxHub;
  try {
    hub = await createSandboxHub({ dataDir, sdiDelaysMs: { processing: 0, sent: 0, outcome: 0, paOutcome: 0 } });
  } catch (error) {
    send({ type: 'failed', message: `the sandbox hub did not start: ${(error as Error).message}` });
    process.exit(1);
  }
  hub.setCredits(credits);
  const apiKey = hub.createApiKey({ name: 'benchmark' });

  let closing: Promise<void> | null = null;
  // Never rejects (a failed close is reported), so the handlers below need not wait for it.
  const shutdown = (): Promise<void> => {
    closing ??= hub.close().catch((error: unknown) => console.error(`hub-process: close failed: ${(error as Error).message}`));
    return closing;
  };

  process.on('message', (raw) => {
    const request = raw as HubRequest;
    if (request.type === 'records') {
      const records = hub.listDocuments().map((d) => ({ fileName: d.fileName, idempotencyKey: d.idempotencyKey, createdAt: d.createdAt, uploads: d.uploads }));
      send({ type: 'records', id: request.id, records });
    } else if (request.type === 'close') {
      void shutdown().then(() => send({ type: 'closed', id: request.id }, () => process.disconnect()));
    }
  });
  // The benchmark went away (crash, kill): do not outlive it.
  process.on('disconnect', () => void shutdown().then(() => process.exit(0)));

  send({ type: 'ready', url: hub.url, caFile: hub.caFile, apiKey });
}

await main();
