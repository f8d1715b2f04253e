// Drops files the way an ERP does: each one written in full to a staging folder on the same file
// system, then renamed into the watched folder (atomic: the agent never sees half a file).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchFile } from './invoices.ts';

export interface DropResult {
  /** File name → epoch ms when it appeared in the watched folder. */
  droppedAt: Map<string, number>;
  firstDropAt: number;
  elapsedMs: number;
}

/** As fast as possible, with synchronous calls: the hub and the agent run in their own processes. */
export function dropFiles(files: readonly BenchFile[], stagingDir: string, dropDir: string): DropResult {
  mkdirSync(stagingDir, { recursive: true });
  const droppedAt = new Map<string, number>();
  const started = performance.now();
  for (const file of files) droppedAt.set(file.name, dropOne(file, stagingDir, dropDir));
  return summarize(droppedAt, performance.now() - started);
}

/** One file every `intervalMs`: an agent that is not under load. */
export async function dropPaced(files: readonly BenchFile[], stagingDir: string, dropDir: string, intervalMs: number): Promise<DropResult> {
  mkdirSync(stagingDir, { recursive: true });
  const droppedAt = new Map<string, number>();
  const started = performance.now();
  for (const [index, file] of files.entries()) {
    if (index > 0) await sleep(intervalMs);
    droppedAt.set(file.name, dropOne(file, stagingDir, dropDir));
  }
  return summarize(droppedAt, performance.now() - started);
}

function dropOne(file: BenchFile, stagingDir: string, dropDir: string): number {
  const staged = join(stagingDir, file.name);
  writeFileSync(staged, file.bytes);
  renameSync(staged, join(dropDir, file.name));
  return Date.now();
}

function summarize(droppedAt: Map<string, number>, elapsedMs: number): DropResult {
  const firstDropAt = [...droppedAt.values()].reduce((a, b) => Math.min(a, b), Infinity);
  return { droppedAt, firstDropAt, elapsedMs };
}
