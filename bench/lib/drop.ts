// Drops files the way an ERP does: each one written in full to a staging folder on the same file
// system, then renamed into the watched folder (atomic: the agent never sees half a file). As fast
// as possible, with synchronous calls — the hub and the agent run in their own processes.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchFile } from './invoices.ts';

export interface DropResult {
  /** File name → epoch ms when it appeared in the watched folder. */
  droppedAt: Map<string, number>;
  firstDropAt: number;
  elapsedMs: number;
}

export function dropFiles(files: readonly BenchFile[], stagingDir: string, dropDir: string): DropResult {
  mkdirSync(stagingDir, { recursive: true });
  const droppedAt = new Map<string, number>();
  const started = performance.now();
  for (const file of files) {
    const staged = join(stagingDir, file.name);
    writeFileSync(staged, file.bytes);
    renameSync(staged, join(dropDir, file.name));
    droppedAt.set(file.name, Date.now());
  }
  const elapsedMs = performance.now() - started;
  const firstDropAt = [...droppedAt.values()].reduce((a, b) => Math.min(a, b), Infinity);
  return { droppedAt, firstDropAt, elapsedMs };
}
