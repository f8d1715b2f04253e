// Command-line options of `npm run bench -- [--files N] [--sftp-files N] [--only https|sftp] [--profile]`.
import { parseArgs } from 'node:util';

export const DEFAULT_FILES = 10_000;
export const DEFAULT_SFTP_FILES = 1000;
const MAX_FILES = 200_000;
export const PARTS = ['https', 'sftp'] as const;
export type BenchPart = (typeof PARTS)[number];

export const USAGE = `usage: npm run bench -- [--files N] [--sftp-files N] [--only https|sftp] [--profile]

  --files N        HTTPS part: how many files to drop at once and send (default ${DEFAULT_FILES}; 2000 for a quick run)
  --sftp-files N   SFTP part: how many files to drop at once and send over SFTP (default ${DEFAULT_SFTP_FILES})
  --only PART      run one part only: "https" (baselines A and B and the pipeline over HTTPS) or
                   "sftp" (the ssh2 upload loop and the pipeline over SFTP through a real sshd);
                   both run by default
  --profile        also record the agent's CPU profile (node --cpu-prof) into
                   bench/results/agent.cpuprofile (HTTPS) and agent-sftp.cpuprofile (SFTP) and print
                   where its time goes; the profiler slows the agent, so rates are lower

The HTTPS part runs baseline A (raw disk), baseline B (raw transport) and the agent pipeline on the
same files and writes bench/results/latest.json; the SFTP part runs a plain ssh2 upload loop and the
agent pipeline and writes bench/results/latest-sftp.json. Both print a table. See docs/performance.md.`;

export interface BenchOptions {
  files: number;
  sftpFiles: number;
  parts: BenchPart[];
  profile: boolean;
  help: boolean;
}

export function parseBenchOptions(args: string[]): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      files: { type: 'string' },
      'sftp-files': { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const files = fileCount('--files', values.files, DEFAULT_FILES);
  const sftpFiles = fileCount('--sftp-files', values['sftp-files'], DEFAULT_SFTP_FILES);
  let parts: BenchPart[] = [...PARTS];
  if (values.only !== undefined) {
    const only = PARTS.find((part) => part === values.only);
    if (!only) throw new Error(`--only must be one of ${PARTS.join(', ')} (got "${values.only}")`);
    parts = [only];
  }
  return { files, sftpFiles, parts, profile: values.profile ?? false, help: values.help ?? false };
}

function fileCount(option: string, value: string | undefined, fallback: number): number {
  const count = value === undefined ? fallback : Number(value);
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_FILES) {
    throw new Error(`${option} must be a whole number from 1 to ${MAX_FILES} (got "${value}")`);
  }
  return count;
}
