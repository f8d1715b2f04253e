// Baseline A, "raw disk": what this disk does for the same files with no agent at all — a plain
// loop copying each file into a folder and fsyncing it (and the folder once at the end). The
// pipeline needs at least one durable write per document, so this bounds it from above.
import { closeSync, copyFileSync, fsyncSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchFile } from './lib/invoices.ts';
import { startNoiseMeter } from './lib/process-cpu.ts';
import { ratePerSecond } from './lib/stats.ts';

export interface RawDiskResult {
  files: number;
  bytes: number;
  elapsedMs: number;
  filesPerSecond: number;
  /** Cores other processes on the machine kept busy meanwhile (0 = quiet). */
  noiseCores: number | null;
}

export function measureRawDisk(files: readonly BenchFile[], workDir: string): RawDiskResult {
  const source = join(workDir, 'source');
  const target = join(workDir, 'target');
  mkdirSync(source, { recursive: true });
  mkdirSync(target, { recursive: true });
  try {
    // Untimed: the files exist on disk first, as they do for the agent when an ERP drops them.
    for (const file of files) writeFileSync(join(source, file.name), file.bytes);

    const noise = startNoiseMeter([]);
    const started = performance.now();
    for (const file of files) {
      const destination = join(target, file.name);
      copyFileSync(join(source, file.name), destination);
      fsyncPath(destination, 'r+');
    }
    fsyncPath(target, 'r');
    const elapsedMs = performance.now() - started;
    const noiseCores = noise.stop();
    return {
      files: files.length,
      bytes: files.reduce((sum, file) => sum + file.bytes.length, 0),
      elapsedMs,
      filesPerSecond: ratePerSecond(files.length, elapsedMs),
      noiseCores,
    };
  } finally {
    // Gone before the next measurement, so it starts from the same disk state.
    rmSync(workDir, { recursive: true, force: true });
  }
}

function fsyncPath(path: string, flags: 'r' | 'r+'): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
