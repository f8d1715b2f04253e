// Command-line options of `npm run bench -- [--files N] [--sftp-files N] [--print-jobs N]
// [--print-burst N] [--only PART] [--agents N] [--retention-documents N] [--profile]`.
import { parseArgs } from 'node:util';

export const DEFAULT_FILES = 10_000;
export const DEFAULT_SFTP_FILES = 1000;
/** Issue 4: `lp` latency over 100 jobs. */
export const DEFAULT_PRINT_JOBS = 100;
/** Print-Job requests (and as many plain POSTs) for the printer's throughput. */
export const DEFAULT_PRINT_BURST = 500;
const MAX_FILES = 200_000;
/** Each `lp` job is printed, waited for and checked one at a time: a few hundred ms apiece. */
const MAX_PRINT_JOBS = 5000;
/** Issue 15: the fleet simulation's agents, each with its own store and HTTPS client. */
export const DEFAULT_AGENTS = 1000;
const MAX_AGENTS = 5000;
export const PARTS = ['https', 'sftp', 'printer', 'preflight', 'fleet', 'search', 'memory', 'ui', 'retention'] as const;
export type BenchPart = (typeof PARTS)[number];
/** What runs without --only: the fleet (about 6 minutes) runs only when asked for. */
const DEFAULT_PARTS: readonly BenchPart[] = ['https', 'sftp', 'printer', 'preflight'];

export const USAGE = `usage: npm run bench -- [--files N] [--sftp-files N] [--print-jobs N] [--print-burst N] [--only https|sftp|printer|preflight|fleet|search|memory|ui|retention] [--agents N] [--search-documents N] [--retention-documents N] [--profile]

  --files N        HTTPS part: how many files to drop at once and send (default ${DEFAULT_FILES}; 2000 for a quick run)
  --sftp-files N   SFTP part: how many files to drop at once and send over SFTP (default ${DEFAULT_SFTP_FILES})
  --print-jobs N   printer part: how many jobs to print with \`lp\` through CUPS, one at a time, for the
                   latency (default ${DEFAULT_PRINT_JOBS})
  --print-burst N  printer part: how many Print-Job requests (and as many plain POSTs) each throughput
                   run sends, 4 at a time (default ${DEFAULT_PRINT_BURST}; 3 runs of each)
  --only PART      run one part only: "https" (baselines A and B and the pipeline over HTTPS),
                   "sftp" (the ssh2 upload loop and the pipeline over SFTP through a real sshd),
                   "printer" (the virtual printer through real CUPS, and Print-Job against a plain POST)
                   or "preflight" (preflight's CPU time per invoice against parsing the same bytes,
                   about 15 s); all four run by default. "fleet" (only when asked for, about
                   6 minutes): N agents' hub-facing loops in one process against one sandbox hub,
                   idle, through an outage and after it
  --agents N       fleet part: how many agents (default ${DEFAULT_AGENTS})
  --only search    (only when asked for) issue 17's list search: a store of --search-documents
                   documents (default 100000) and GET /documents with q and date filters timed
                   through a real agent; writes bench/results/latest-search.json
  --search-documents N  search part: how many documents in the store (default 100000)
  --only memory    (only when asked for) issue 16's memory: a fresh agent's RSS, then an agent with
                   --history-documents documents of history idle for --idle-minutes (RSS and CPU,
                   three watched folders), then the peak RSS of a --memory-burst file burst;
                   writes bench/results/latest-memory.json, about 15 minutes
  --only ui        (only when asked for) issue 16's UI in real Chromium against an agent with
                   --history-documents documents: first rows, a state filter, a search;
                   writes bench/results/latest-ui.json, 2 to 3 minutes
  --history-documents N  memory and ui parts: documents of history (default 100000)
  --idle-minutes N memory part: how long the agent is left idle (default 10)
  --memory-burst N memory part: files in the burst (default 10000)
  --memory-from-source  memory part: run the agent from source instead of built into .tmp/bench-build
  --only retention (only when asked for) the retention purge: a store of --retention-documents
                   settled documents past the history horizon, each with an intake record and an SDI
                   receipt; Retention.purge() against one bulk DELETE per table on a copy (seconds,
                   longest event-loop stall, RSS growth); writes bench/results/latest-retention.json,
                   a few minutes at 100000
  --retention-documents N  retention part: how many documents to purge (default 100000)
  --no-peers       leave out the peers (rclone in the SFTP part, cups-pdf in the printer part)
  --peer-defaults-files N  SFTP part: copy only the first N files with rclone's defaults (default:
                   all of them; its hash check can make it slow where sshd runs commands)
  --profile        also record the agent's CPU profile (node --cpu-prof) into
                   bench/results/agent.cpuprofile (HTTPS), agent-sftp.cpuprofile (SFTP) and
                   agent-printer.cpuprofile (printer) and print where its time goes; the profiler
                   slows the agent, so rates are lower

The HTTPS part runs baseline A (raw disk), baseline B (raw transport) and the agent pipeline on the
same files and writes bench/results/latest.json; the SFTP part runs a plain ssh2 upload loop and the
agent pipeline and writes bench/results/latest-sftp.json; the printer part (needs CUPS) measures
\`lp\` → document recorded and Print-Job throughput against a plain HTTP POST and writes
bench/results/latest-printer.json; the preflight part measures preflight on a typical invoice and a
1,000-line one against parsing the same bytes and writes bench/results/latest-preflight.json. Each
prints a table. See docs/performance.md.`;

export interface BenchOptions {
  files: number;
  sftpFiles: number;
  printJobs: number;
  printBurst: number;
  agents: number;
  parts: BenchPart[];
  profile: boolean;
  help: boolean;
  /** Issue 17: documents in the search part's store. */
  searchDocuments: number;
  /** Issue 16: documents of history in the memory and ui parts; the memory part's idle window and burst. */
  historyDocuments: number;
  idleMinutes: number;
  memoryBurst: number;
  memoryFromSource: boolean;
  /** Documents in the retention part's store, all to be purged. */
  retentionDocuments: number;
  /** Issue 16: run the peers (rclone, cups-pdf) in the SFTP and printer parts. */
  peers: boolean;
  peerDefaultsFiles: number;
}

export function parseBenchOptions(args: string[]): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      files: { type: 'string' },
      'sftp-files': { type: 'string' },
      'print-jobs': { type: 'string' },
      'print-burst': { type: 'string' },
      only: { type: 'string' },
      agents: { type: 'string' },
      'search-documents': { type: 'string' },
      'history-documents': { type: 'string' },
      'idle-minutes': { type: 'string' },
      'memory-burst': { type: 'string' },
      'memory-from-source': { type: 'boolean' },
      'retention-documents': { type: 'string' },
      profile: { type: 'boolean' },
      'no-peers': { type: 'boolean' },
      'peer-defaults-files': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const files = fileCount('--files', values.files, DEFAULT_FILES);
  const sftpFiles = fileCount('--sftp-files', values['sftp-files'], DEFAULT_SFTP_FILES);
  const printJobs = fileCount('--print-jobs', values['print-jobs'], DEFAULT_PRINT_JOBS, MAX_PRINT_JOBS);
  const printBurst = fileCount('--print-burst', values['print-burst'], DEFAULT_PRINT_BURST);
  const agents = fileCount('--agents', values.agents, DEFAULT_AGENTS, MAX_AGENTS);
  let parts: BenchPart[] = [...DEFAULT_PARTS];
  if (values.only !== undefined) {
    const only = PARTS.find((part) => part === values.only);
    if (!only) throw new Error(`--only must be one of ${PARTS.join(', ')} (got "${values.only}")`);
    parts = [only];
  }
  const peers = values['no-peers'] !== true;
  const peerDefaultsFiles = fileCount('--peer-defaults-files', values['peer-defaults-files'], MAX_FILES);
  const searchDocuments = fileCount('--search-documents', values['search-documents'], 100_000, 1_000_000);
  const historyDocuments = fileCount('--history-documents', values['history-documents'], 100_000, 1_000_000);
  const idleMinutes = fileCount('--idle-minutes', values['idle-minutes'], 10, 120);
  const memoryBurst = fileCount('--memory-burst', values['memory-burst'], DEFAULT_FILES);
  const retentionDocuments = fileCount('--retention-documents', values['retention-documents'], 100_000, 1_000_000);
  return {
    files,
    sftpFiles,
    printJobs,
    printBurst,
    agents,
    parts,
    profile: values.profile ?? false,
    help: values.help ?? false,
    peers,
    peerDefaultsFiles,
    searchDocuments,
    historyDocuments,
    idleMinutes,
    memoryBurst,
    memoryFromSource: values['memory-from-source'] ?? false,
    retentionDocuments,
  };
}

function fileCount(option: string, value: string | undefined, fallback: number, max = MAX_FILES): number {
  const count = value === undefined ? fallback : Number(value);
  if (!Number.isSafeInteger(count) || count < 1 || count > max) {
    throw new Error(`${option} must be a whole number from 1 to ${max} (got "${value}")`);
  }
  return count;
}
