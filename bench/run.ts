// `npm run bench -- [--files N] [--sftp-files N] [--print-jobs N] [--print-burst N] [--only https|sftp|printer|preflight|fleet|search|memory|ui|retention] [--agents N] [--search-documents N]
// [--retention-documents N]`:
// four parts, each measuring the agent against baselines taken in this run on the same kind of
// files, so the agent is reported as a ratio to baselines measured on the same (noisy) machine at
// the same time.
// - HTTPS: baseline A (raw disk), baseline B (raw transport) and the agent pipeline; writes
//   bench/results/latest.json.
// - SFTP: a plain ssh2 upload loop and the agent through a real sshd to the sandbox hub's SFTP face,
//   end to end (drop → handed over) and its outbox alone (a queued backlog → handed over); writes
//   bench/results/latest-sftp.json.
// - Printer (issue 4): `lp` → document recorded through real CUPS, and Print-Job requests against
//   plain POSTs to the same agent; writes bench/results/latest-printer.json.
// - Preflight (issue 12): preflight's CPU time per invoice, a typical one and 1,000 lines, against
//   parsing the same bytes with the XML parser alone; writes bench/results/latest-preflight.json.
// - Fleet (issue 15, only with --only fleet): N agents' hub-facing loops against one sandbox hub,
//   idle, through an outage and after it: the hub's request rate and CPU; writes
//   bench/results/latest-fleet.json.
// - Search (issue 17, only with --only search): GET /documents's search and date filters over a
//   store of 100,000 documents, through a real agent; writes bench/results/latest-search.json.
// - Memory (issue 16, only with --only memory): the agent alone, built as installed: a fresh agent's
//   resident set, idle with N documents of history (RSS and CPU, three folders), the peak in a
//   burst; writes bench/results/latest-memory.json.
// - UI (issue 16, only with --only ui): the local UI in Chromium against an agent with N documents:
//   first rows, state chips, the search box; writes bench/results/latest-ui.json.
// - Retention (only with --only retention): the agent's retention purge of N settled documents past
//   the history horizon, against one bulk DELETE per table on a copy of the same store: seconds, the
//   longest event-loop stall, RSS growth; writes bench/results/latest-retention.json.
// Prints a table per part. Stops by itself; child processes and temp folders are removed however it
// ends. See docs/performance.md for how to read the numbers.
import { defaultSettings } from '../src/core/config/settings-schema.ts';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { measurePipeline } from './pipeline.bench.ts';
import { measureRawDisk } from './raw-disk.bench.ts';
import { measureRawTransport } from './raw-transport.bench.ts';
import { measureSftp } from './sftp.bench.ts';
import { measurePrinter, PRINT_CONCURRENCY } from './printer.bench.ts';
import { measurePreflight } from './preflight.bench.ts';
import { formatFleetReport, measureFleet } from './fleet.ts';
import { formatSearchReport, measureSearch } from './search.bench.ts';
import { formatMemoryReport, measureMemory } from './memory.bench.ts';
import { formatUiReport, measureUi } from './ui.bench.ts';
import { DEFAULT_RETENTION_DOCUMENTS, formatRetentionReport, measureRetention } from './retention.bench.ts';
import { Cleanup } from './lib/cleanup.ts';
import { startHubChild } from './lib/hub-child.ts';
import { makeInvoices } from './lib/invoices.ts';
import { describeMachine } from './lib/machine.ts';
import { ensureBenchPeers, measureCupsPdf, measureRcloneRound, summarizeRclone, type CupsPdfPeer, type RclonePeer, type RcloneRun } from './lib/peers.ts';
import { buildPrinterPeersReport, buildSftpPeersReport, formatPrinterPeersReport, formatSftpPeersReport } from './lib/peers-report.ts';
import { makeBenchPdfs } from './lib/pdfs.ts';
import { DEFAULT_AGENTS, parseBenchOptions, USAGE, type BenchOptions } from './lib/options.ts';
import {
  buildPreflightReport,
  buildPrinterReport,
  buildReport,
  buildSftpReport,
  formatPreflightReport,
  formatPrinterReport,
  formatReport,
  formatSftpReport,
} from './lib/report.ts';

const RESULTS_FILE = fileURLToPath(new URL('./results/latest.json', import.meta.url));
const SFTP_RESULTS_FILE = fileURLToPath(new URL('./results/latest-sftp.json', import.meta.url));
const PRINTER_RESULTS_FILE = fileURLToPath(new URL('./results/latest-printer.json', import.meta.url));
const PREFLIGHT_RESULTS_FILE = fileURLToPath(new URL('./results/latest-preflight.json', import.meta.url));
const FLEET_RESULTS_FILE = fileURLToPath(new URL('./results/latest-fleet.json', import.meta.url));
const SEARCH_RESULTS_FILE = fileURLToPath(new URL('./results/latest-search.json', import.meta.url));
const MEMORY_RESULTS_FILE = fileURLToPath(new URL('./results/latest-memory.json', import.meta.url));
const UI_RESULTS_FILE = fileURLToPath(new URL('./results/latest-ui.json', import.meta.url));
const RETENTION_RESULTS_FILE = fileURLToPath(new URL('./results/latest-retention.json', import.meta.url));
const PROFILE_FILE = fileURLToPath(new URL('./results/agent.cpuprofile', import.meta.url));
const SFTP_PROFILE_FILE = fileURLToPath(new URL('./results/agent-sftp.cpuprofile', import.meta.url));
const PRINTER_PROFILE_FILE = fileURLToPath(new URL('./results/agent-printer.cpuprofile', import.meta.url));
/** Files dropped one at a time before the burst, for the latency of an agent at rest. */
const IDLE_FILES = 20;
/** The same over SFTP: fewer, the burst is smaller. */
const SFTP_IDLE_FILES = 10;
/** The agent's outbox default: baseline B sends with the same concurrency. */
const OUTBOX_CONCURRENCY = defaultSettings().outbox.concurrency;

function log(line: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  const cleanup = new Cleanup();
  cleanup.onSignals();
  try {
    const root = await cleanup.tempDir('recapito-bench-');
    log(`bench: parts ${options.parts.join(', ')}, work folder ${root}`);
    await mkdir(join(RESULTS_FILE, '..'), { recursive: true });
    let complete = true;
    if (options.parts.includes('https')) complete = (await runHttpsPart(options, join(root, 'https'), cleanup)) && complete;
    if (options.parts.includes('sftp')) complete = (await runSftpPart(options, join(root, 'sftp'), cleanup)) && complete;
    if (options.parts.includes('printer')) complete = (await runPrinterPart(options, join(root, 'printer'), cleanup)) && complete;
    if (options.parts.includes('fleet')) complete = (await runFleetPart(options, join(root, 'fleet'), cleanup)) && complete;
    if (options.parts.includes('search')) await runSearchPart(options, join(root, 'search'), cleanup);
    if (options.parts.includes('memory')) complete = (await runMemoryPart(options, join(root, 'memory'), cleanup)) && complete;
    if (options.parts.includes('ui')) await runUiPart(options, join(root, 'ui'), cleanup);
    if (options.parts.includes('retention')) complete = (await runRetentionPart(options, join(root, 'retention'), cleanup)) && complete;
    // Last: CPU time in this process, measured once the other parts' children are gone.
    if (options.parts.includes('preflight')) await runPreflightPart(options);
    return complete ? 0 : 1;
  } catch (error) {
    console.error(`bench: the run failed: ${(error as Error).stack ?? String(error)}`);
    return 1;
  } finally {
    await cleanup.runAll();
  }
}

/** Baselines A and B and the pipeline over HTTPS; true when every document reached the hub. */
async function runHttpsPart(options: BenchOptions, root: string, cleanup: Cleanup): Promise<boolean> {
  const startedAt = new Date().toISOString();
  const invoices = makeInvoices(options.files + IDLE_FILES);
  const files = invoices.slice(0, options.files);
  const idleFiles = invoices.slice(options.files);
  const credits = options.files + 100;
  log(`https: ${options.files} files`);

  // Each baseline runs before and after the pipeline; the faster run counts, because on a shared
  // machine noise only ever slows a run down (both runs are kept in the results).
  const baselines = async (round: 1 | 2) => {
    log(`A raw disk (run ${round}/2): copying and fsyncing every file`);
    const disk = measureRawDisk(files, join(root, `raw-disk-${round}`));
    log(`A raw disk (run ${round}/2): ${disk.filesPerSecond.toFixed(0)} files/s`);
    log(`B raw transport (run ${round}/2): POSTing every file to a fresh sandbox hub, ${OUTBOX_CONCURRENCY} at a time`);
    const hub = await startHubChild({ dataDir: join(root, `hub-transport-${round}`), credits, cleanup });
    const transport = await measureRawTransport(files, hub, OUTBOX_CONCURRENCY);
    await hub.close();
    log(`B raw transport (run ${round}/2): ${transport.filesPerSecond.toFixed(0)} files/s`);
    return { disk, transport };
  };
  const before = await baselines(1);

  log('pipeline: starting a fresh sandbox hub and the agent');
  const pipelineHub = await startHubChild({ dataDir: join(root, 'hub-pipeline'), credits, cleanup });
  const pipeline = await measurePipeline({
    files,
    idleFiles,
    workDir: join(root, 'pipeline'),
    hub: pipelineHub,
    cleanup,
    log,
    cpuProfileDir: options.profile ? join(root, 'profile') : null,
  });
  await pipelineHub.close();
  const after = await baselines(2);
  if (pipeline.cpuProfile) {
    await copyFile(pipeline.cpuProfile.file, PROFILE_FILE);
    pipeline.cpuProfile.file = PROFILE_FILE;
  }

  const report = buildReport({
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run bench -- --files ${options.files}${options.parts.length === 1 ? ' --only https' : ''}${options.profile ? ' --profile' : ''}`,
    machine: describeMachine(),
    files: files.length,
    averageFileBytes: files.reduce((sum, file) => sum + file.bytes.length, 0) / files.length,
    placement: {
      hub: 'in its own child process (bench/lib/hub-process.ts), a fresh one (new data folder) for each B run and for the pipeline, SDI delays 0',
      agent: 'a child process `node src/cli/main.ts serve --data DIR`',
      benchmark: 'drops files, runs the baselines and reads the agent database in the parent process',
    },
    rawDiskRuns: [before.disk, after.disk],
    rawTransportRuns: [before.transport, after.transport],
    pipeline,
  });
  await writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(formatReport(report));
  console.log(`\nresults written to ${RESULTS_FILE}`);
  return pipeline.complete;
}

/** The ssh2 upload loop and the pipeline over SFTP; true when every document reached the hub. */
async function runSftpPart(options: BenchOptions, root: string, cleanup: Cleanup): Promise<boolean> {
  const startedAt = new Date().toISOString();
  // The burst and the backlog each get their own invoices: the agent refuses a file it has seen.
  const invoices = makeInvoices(options.sftpFiles * 2 + SFTP_IDLE_FILES);
  log(`sftp: ${options.sftpFiles} files, then ${options.sftpFiles} others as a queued backlog`);
  await mkdir(root, { recursive: true });
  // Issue 16: rclone on the same files and sshd, in this run (NOT MEASURED when it cannot be installed).
  const peerTools = options.peers ? ensureBenchPeers(log) : null;
  const rcloneThere = peerTools?.get('rclone');
  let rclone: RclonePeer = { measured: false, reason: rcloneThere === undefined ? 'left out (--no-peers)' : 'not run' };
  if (rcloneThere !== undefined && rcloneThere !== true) rclone = rcloneThere;
  const rcloneRuns: RcloneRun[] = [];
  let rcloneVersion = 'rclone';
  const measurement = await measureSftp({
    files: invoices.slice(0, options.sftpFiles),
    backlogFiles: invoices.slice(options.sftpFiles, options.sftpFiles * 2),
    idleFiles: invoices.slice(options.sftpFiles * 2),
    root,
    cleanup,
    log,
    cpuProfileDir: options.profile ? join(root, 'profile') : null,
    peers:
      rcloneThere === true
        ? async (context) => {
            const files = invoices.slice(0, options.sftpFiles);
            const round = await measureRcloneRound({ ...context, files, workDir: join(root, 'rclone'), defaultsFiles: options.peerDefaultsFiles, log });
            rcloneVersion = round.version;
            rcloneRuns.push(...round.runs);
          }
        : undefined,
  });
  if (rcloneRuns.length > 0) rclone = summarizeRclone(rcloneVersion, rcloneRuns);
  const { cpuProfile } = measurement.pipeline;
  if (cpuProfile) {
    await copyFile(cpuProfile.file, SFTP_PROFILE_FILE);
    cpuProfile.file = SFTP_PROFILE_FILE;
  }
  const report = buildSftpReport({
    ...measurement,
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run bench -- --sftp-files ${options.sftpFiles}${options.parts.length === 1 ? ' --only sftp' : ''}${options.profile ? ' --profile' : ''}`,
    machine: describeMachine(),
    placement: {
      hub: '`recapito sandbox-hub --sftp-root DIR` in its own child process, a fresh one (new data and SFTP folders) for each loop run and for the pipeline, SDI delays 0',
      sshd: 'a real OpenSSH sshd on 127.0.0.1 (test/helpers/sshd.ts), one for the whole part, key login, internal-sftp',
      agent: 'a child process `node src/cli/main.ts serve --data DIR`',
      benchmark: 'drops files, runs the ssh2 upload loop and reads the agent and hub databases in the parent process',
    },
  });
  const { backlog } = measurement.pipeline;
  const peers = buildSftpPeersReport(rclone, {
    backlogDocsPerSecond: backlog.complete ? backlog.docsPerSecond : null,
    droppedDocsPerSecond: measurement.pipeline.complete ? measurement.pipeline.docsPerSecond : null,
  });
  await writeFile(SFTP_RESULTS_FILE, `${JSON.stringify({ ...report, peers }, null, 2)}\n`);
  console.log(formatSftpReport(report));
  console.log(formatSftpPeersReport(peers));
  console.log(`\nresults written to ${SFTP_RESULTS_FILE}`);
  return measurement.pipeline.complete && measurement.pipeline.backlog.complete;
}

/** `lp` latency through CUPS and Print-Job against a plain POST; true when every job was recorded. */
async function runPrinterPart(options: BenchOptions, root: string, cleanup: Cleanup): Promise<boolean> {
  const startedAt = new Date().toISOString();
  log(`printer: ${options.printJobs} lp jobs, then ${options.printBurst} Print-Job requests against as many plain POSTs`);
  await mkdir(root, { recursive: true });
  // Issue 16: cups-pdf, the same PDFs with lp, before and after the agent's part, in this run.
  const cupsPdfThere = options.peers ? ensureBenchPeers(log).get('cups-pdf') : undefined;
  const cupsPdfRuns: CupsPdfPeer[] = [];
  const runCupsPdf = async (round: 1 | 2): Promise<void> => {
    if (cupsPdfThere === undefined || cupsPdfThere !== true) {
      if (round === 1) cupsPdfRuns.push(cupsPdfThere ?? { measured: false, reason: 'left out (--no-peers)' });
      return;
    }
    const pdfs = makeBenchPdfs(options.printJobs, 'LATE', 'bench-');
    cupsPdfRuns.push(await measureCupsPdf({ pdfs, workDir: join(root, `cups-pdf-${round}`), cleanup, log }));
  };
  await runCupsPdf(1);
  const measurement = await measurePrinter({
    latencyJobs: options.printJobs,
    burstJobs: options.printBurst,
    root,
    cleanup,
    log,
    cpuProfileDir: options.profile ? join(root, 'profile') : null,
  });
  await runCupsPdf(2);
  if (measurement.cpuProfileFile) {
    await copyFile(measurement.cpuProfileFile, PRINTER_PROFILE_FILE);
    measurement.cpuProfileFile = PRINTER_PROFILE_FILE;
  }
  const report = buildPrinterReport({
    ...measurement,
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run bench -- --print-jobs ${options.printJobs} --print-burst ${options.printBurst}${options.parts.length === 1 ? ' --only printer' : ''}${options.profile ? ' --profile' : ''}`,
    machine: describeMachine(),
    placement: {
      hub: 'in its own child process (bench/lib/hub-process.ts), SDI delays 0; the agent uploads what it records in the background',
      agent: 'a child process `node src/cli/main.ts serve --data DIR`, the virtual printer on a fixed free loopback port',
      cups: `the machine's own cupsd; the queue installed with \`recapito printer install\` (lpadmin -m everywhere), removed at the end`,
      benchmark: `spawns lp, sends Print-Job and POST requests (${PRINT_CONCURRENCY} at a time, one keep-alive client) and reads the agent database in the parent process`,
    },
  });
  const peers = buildPrinterPeersReport(cupsPdfRuns, measurement.latency.latencyMs.p50);
  await writeFile(PRINTER_RESULTS_FILE, `${JSON.stringify({ ...report, peers }, null, 2)}\n`);
  console.log(formatPrinterReport(report));
  console.log(formatPrinterPeersReport(peers));
  console.log(`\nresults written to ${PRINTER_RESULTS_FILE}`);
  return measurement.complete;
}

/** Issue 17: GET /documents's search and date filters over a store of N documents, through a real agent. */
async function runSearchPart(options: BenchOptions, root: string, cleanup: Cleanup): Promise<void> {
  const startedAt = new Date().toISOString();
  await mkdir(root, { recursive: true });
  const hub = await startHubChild({ dataDir: join(root, 'hub'), credits: 100, cleanup });
  const result = await measureSearch({ documents: options.searchDocuments, workDir: root, hub, cleanup, log });
  const command = `npm run bench -- --only search${options.searchDocuments === 100_000 ? '' : ` --search-documents ${options.searchDocuments}`}`;
  await writeTimedResults(SEARCH_RESULTS_FILE, { startedAt, command, result }, formatSearchReport(result));
}

/** Issue 16's memory and idle CPU of the agent alone; true when the burst reached the hub. */
async function runMemoryPart(options: BenchOptions, root: string, cleanup: Cleanup): Promise<boolean> {
  const startedAt = new Date().toISOString();
  await mkdir(root, { recursive: true });
  const result = await measureMemory({
    documents: options.historyDocuments,
    burstFiles: options.memoryBurst,
    idleMinutes: options.idleMinutes,
    fromSource: options.memoryFromSource,
    workDir: root,
    cleanup,
    log,
  });
  const flags = [
    options.historyDocuments === 100_000 ? '' : ` --history-documents ${options.historyDocuments}`,
    options.idleMinutes === 10 ? '' : ` --idle-minutes ${options.idleMinutes}`,
    options.memoryBurst === 10_000 ? '' : ` --memory-burst ${options.memoryBurst}`,
    options.memoryFromSource ? ' --memory-from-source' : '',
  ].join('');
  await writeTimedResults(MEMORY_RESULTS_FILE, { startedAt, command: `npm run bench -- --only memory${flags}`, result }, formatMemoryReport(result));
  return result.burst.complete;
}

/** Issue 16's UI at N documents, in real Chromium against a real agent. */
async function runUiPart(options: BenchOptions, root: string, cleanup: Cleanup): Promise<void> {
  const startedAt = new Date().toISOString();
  await mkdir(root, { recursive: true });
  const hub = await startHubChild({ dataDir: join(root, 'hub'), credits: 100, cleanup });
  try {
    const result = await measureUi({ documents: options.historyDocuments, workDir: root, hub, cleanup, log });
    const command = `npm run bench -- --only ui${options.historyDocuments === 100_000 ? '' : ` --history-documents ${options.historyDocuments}`}`;
    await writeTimedResults(UI_RESULTS_FILE, { startedAt, command, result }, formatUiReport(result));
  } finally {
    await hub.close();
  }
}

/** The retention purge against a bulk delete of the same rows; true when it removed every document. */
async function runRetentionPart(options: BenchOptions, root: string, cleanup: Cleanup): Promise<boolean> {
  const startedAt = new Date().toISOString();
  const result = await measureRetention({ documents: options.retentionDocuments, workDir: root, cleanup, log });
  const flags = options.retentionDocuments === DEFAULT_RETENTION_DOCUMENTS ? '' : ` --retention-documents ${options.retentionDocuments}`;
  await writeTimedResults(RETENTION_RESULTS_FILE, { startedAt, command: `npm run bench -- --only retention${flags}`, result }, formatRetentionReport(result));
  return result.complete;
}

/**
 * Writes a part's results file (when, the command, the machine, the load average, the result) and
 * prints its table. The load average is the other processes' load during a run timed on a shared
 * machine: the 1, 5 and 15 minute averages.
 */
async function writeTimedResults(file: string, run: { startedAt: string; command: string; result: object }, table: string): Promise<void> {
  const report = {
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
    command: run.command,
    machine: describeMachine(),
    loadAverage: loadavg(),
    ...run.result,
  };
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(table);
  console.log(`\nresults written to ${file}`);
}

/** Preflight per invoice against parsing the same bytes, in this process (no child, about 15 s). */
async function runPreflightPart(options: BenchOptions): Promise<void> {
  const startedAt = new Date().toISOString();
  const measurement = measurePreflight(log);
  const report = buildPreflightReport({
    ...measurement,
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run bench${options.parts.length === 1 ? ' -- --only preflight' : ''}`,
    machine: describeMachine(),
  });
  await writeFile(PREFLIGHT_RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(formatPreflightReport(report));
  console.log(`\nresults written to ${PREFLIGHT_RESULTS_FILE}`);
}

/** The fleet simulation; true when every agent was back after the outage. */
async function runFleetPart(options: BenchOptions, root: string, cleanup: Cleanup): Promise<boolean> {
  const startedAt = new Date().toISOString();
  const result = await measureFleet({ agents: options.agents, workDir: root, cleanup, log });
  const report = {
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run bench -- --only fleet${options.agents === DEFAULT_AGENTS ? '' : ` --agents ${options.agents}`}`,
    machine: describeMachine(),
    ...result,
  };
  await writeFile(FLEET_RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(formatFleetReport(result));
  console.log(`\nresults written to ${FLEET_RESULTS_FILE}`);
  return !Number.isNaN(result.recovery.recoveredWithinSeconds);
}

process.exitCode = await main();
