// Command-line options of `npm run bench -- [--files N]`.
import { parseArgs } from 'node:util';

export const DEFAULT_FILES = 10_000;
const MAX_FILES = 200_000;

export const USAGE = `usage: npm run bench -- [--files N] [--profile]

  --files N   how many files to drop at once and send (default ${DEFAULT_FILES}; 2000 for a quick run)
  --profile   also record the agent's CPU profile (node --cpu-prof) into bench/results/agent.cpuprofile
              and print where its time goes; the profiler slows the agent, so rates are lower

Runs baseline A (raw disk), baseline B (raw transport) and the agent pipeline on the same files,
prints a table and writes bench/results/latest.json. See docs/performance.md.`;

export interface BenchOptions {
  files: number;
  profile: boolean;
  help: boolean;
}

export function parseBenchOptions(args: string[]): BenchOptions {
  const { values } = parseArgs({
    args,
    options: { files: { type: 'string' }, profile: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  const files = values.files === undefined ? DEFAULT_FILES : Number(values.files);
  if (!Number.isSafeInteger(files) || files < 1 || files > MAX_FILES) {
    throw new Error(`--files must be a whole number from 1 to ${MAX_FILES} (got "${values.files}")`);
  }
  return { files, profile: values.profile ?? false, help: values.help ?? false };
}
