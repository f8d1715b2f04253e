// Baseline B, "raw transport": the same files POSTed to the same kind of sandbox hub with the
// agent's own HTTPS client (verified TLS, keep-alive, Idempotency-Key, Content-Digest) and the
// outbox's concurrency, in a plain loop — no watcher, no spool, no database. The pipeline cannot
// beat the transport, so this bounds it from above.
import { readFile } from 'node:fs/promises';
import { v7 as uuidv7 } from 'uuid';
import { createHttpsHubClient } from '../src/core/hub/https-hub-client.ts';
import type { BenchFile } from './lib/invoices.ts';
import { startCpuMeter, startNoiseMeter, startOwnCpuMeter } from './lib/process-cpu.ts';
import { ratePerSecond } from './lib/stats.ts';

export interface RawTransportResult {
  files: number;
  concurrency: number;
  elapsedMs: number;
  filesPerSecond: number;
  /** Cores kept busy during the loop (1.0 = one core): the hub process, and this process as the client. */
  cpu: { hub: number | null; client: number };
  /** Cores other processes on the machine kept busy meanwhile (0 = quiet). */
  noiseCores: number | null;
}

export async function measureRawTransport(
  files: readonly BenchFile[],
  hub: { url: string; caFile: string; apiKey: string; pid: number },
  concurrency: number,
): Promise<RawTransportResult> {
  const client = createHttpsHubClient({
    baseUrl: hub.url,
    apiKey: () => hub.apiKey,
    extraCaPem: await readFile(hub.caFile, 'utf8'),
    userAgent: 'Recapito-bench',
  });
  try {
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < files.length && !failed) {
        const file = files[next++] as BenchFile;
        const result = await client.upload({
          idempotencyKey: uuidv7(),
          bytes: file.bytes,
          fileName: file.name,
          contentType: 'application/xml',
          source: 'folder',
        });
        if (result.replay) throw new Error(`the hub treated ${file.name} as a replay; every key in this baseline is new`);
      }
    };
    const guarded = (): Promise<void> =>
      worker().catch((error: unknown) => {
        failed = true; // the other workers stop at their next file
        throw error;
      });
    const hubCpu = startCpuMeter(hub.pid);
    const clientCpu = startOwnCpuMeter();
    const noise = startNoiseMeter([hub.pid]);
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, guarded));
    const elapsedMs = performance.now() - started;
    const cpu = { hub: hubCpu.stop().process, client: clientCpu.stop() };
    const noiseCores = noise.stop();
    return { files: files.length, concurrency, elapsedMs, filesPerSecond: ratePerSecond(files.length, elapsedMs), cpu, noiseCores };
  } finally {
    await client.close();
  }
}
