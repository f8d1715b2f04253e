// `scripts/with-node.sh node bench/writer-signal.bench.ts [--files N] [--scans N]`: what the folder
// watcher's writer signal (src/core/intake/writer-done/) costs and gains on this machine.
// 1. One full scan of /proc: the machine's process and descriptor counts, the main-thread time of a
//    scan (median and p95 of --scans scans, spacing off).
// 2. Drop → handed over at rest, the FolderWatcher alone (no capture): --files files, each written to
//    a staging folder and renamed into the watched one (as the HTTPS benchmark drops them), one every
//    300 ms; first with the stability window alone (500 ms, what the agent did before), then with the
//    platform's writer signal. And the same with files written in place (open, write, close).
// Prints a table; stops by itself; removes its temporary folders.
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FolderWatcher } from '../src/core/intake/folder-watcher.ts';
import { ProcWriterSignal } from '../src/core/intake/writer-done/linux-proc.ts';
import { platformWriterSignal } from '../src/core/intake/writer-done/platform.ts';
import type { WriterSignal } from '../src/core/intake/writer-done/writer-signal.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const FILES = option('--files', 20);
const SCANS = option('--scans', 50);
const INTERVAL_MS = 300;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function countProc(): { processes: number; descriptors: number } {
  let processes = 0;
  let descriptors = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    processes += 1;
    try {
      descriptors += readdirSync(`/proc/${name}/fd`).length;
    } catch {
      // another user's process, or gone
    }
  }
  return { processes, descriptors };
}

async function scanCost(): Promise<string> {
  if (process.platform !== 'linux') return 'scan of /proc: Linux only';
  const dir = mkdtempSync(join(tmpdir(), 'recapito-scan-'));
  try {
    const path = join(dir, 'asked.xml');
    writeFileSync(path, '<asked/>');
    const stats = statSync(path, { bigint: true });
    const query = { path, identity: `${stats.dev}:${stats.ino}`, uid: Number(stats.uid) };
    const costs: number[] = [];
    for (let scan = 0; scan < SCANS + 5; scan += 1) {
      const signal = new ProcWriterSignal(); // a fresh one: no spacing between these scans
      await signal.writerStates([query]);
      if (scan >= 5) costs.push(signal.lastScanMs); // the first few warm the code up
    }
    const { processes, descriptors } = countProc();
    return `scan of /proc: ${processes} processes, ${descriptors} descriptors; main-thread time per scan p50 ${percentile(costs, 50).toFixed(1)} ms, p95 ${percentile(costs, 95).toFixed(1)} ms (${SCANS} scans)`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function latency(signal: WriterSignal | null, how: 'rename' | 'in place'): Promise<number[]> {
  const root = mkdtempSync(join(tmpdir(), 'recapito-drop-'));
  const folder = join(root, 'inbox');
  const staging = join(root, 'staging');
  mkdirSync(folder);
  mkdirSync(staging);
  const droppedAt = new Map<string, number>();
  const latencies: number[] = [];
  const watcher = new FolderWatcher({
    folder,
    stableWindowMs: 500,
    rescanIntervalMs: 60_000,
    writerSignal: signal,
    onStable: async (file) => {
      const at = droppedAt.get(file.name);
      if (at !== undefined) latencies.push(performance.now() - at);
    },
  });
  await watcher.start();
  try {
    const body = Buffer.alloc(8000, 0x41);
    for (let index = 0; index < FILES; index += 1) {
      const name = `IT01234567890_${index}.xml`;
      if (how === 'rename') {
        writeFileSync(join(staging, name), body);
        droppedAt.set(name, performance.now());
        renameSync(join(staging, name), join(folder, name));
      } else {
        droppedAt.set(name, performance.now());
        writeFileSync(join(folder, name), body);
      }
      await sleep(INTERVAL_MS);
    }
    const deadline = performance.now() + 10_000;
    while (latencies.length < FILES && performance.now() < deadline) await sleep(20);
  } finally {
    await watcher.stop();
    rmSync(root, { recursive: true, force: true });
  }
  return latencies;
}

const describeLatency = (values: number[]): string =>
  `p50 ${percentile(values, 50).toFixed(0)} ms, p95 ${percentile(values, 95).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms (${values.length}/${FILES})`;

console.log(await scanCost());
const signal = platformWriterSignal();
for (const how of ['rename', 'in place'] as const) {
  console.log(`drop → handed over, ${how}, stability window alone (before): ${describeLatency(await latency(null, how))}`);
  console.log(`drop → handed over, ${how}, writer signal ${signal.kind} (after):   ${describeLatency(await latency(signal, how))}`);
}
