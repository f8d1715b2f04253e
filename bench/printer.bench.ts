// The virtual-printer benchmark (issue 4): "`lp` → document recorded: p50 and p95 over 100 jobs;
// Print-Job throughput against a plain HTTP POST of the same bytes to the same process as baseline."
//
// One sandbox hub child, one agent child (`recapito serve`, production defaults plus the printer on a
// fixed free port and one profile whose queue is "Recapito – Bench"), the CUPS queue installed with
// `recapito printer install`, then:
// - Latency: N small distinct PDFs printed with `lp -d QUEUE -t bench-<n>`, one at a time. Each is
//   timed from just before `lp` is spawned until the agent's SQLite shows the document
//   "bench-<n>.pdf" (source printer), polled every few ms; the next job waits until CUPS has
//   finished this one, so no job queues behind another. Then as many Print-Job requests, and as
//   many plain POSTs, sent straight to the agent one at a time: the agent's share, without CUPS.
// - Throughput: M Print-Job requests straight to the agent's IPP server (no CUPS), 4 at a time,
//   against the baseline: M plain POSTs of same-sized PDFs to the same agent's local API
//   (POST /api/v1/documents), same kind of client, same concurrency. Both are timed from the first request
//   until the database shows all M. They alternate (POST, Print-Job, three times), each run on its own
//   documents; the fastest run of each counts (noise only slows a run down). Each run starts with the
//   outbox idle (earlier documents all uploaded to the hub).
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type http from 'node:http';
import type { Settings } from '../src/core/config/settings-schema.ts';
import { cupsQueueName } from '../src/core/printer/os-queue/queue-name.ts';
import { freePort } from '../test/helpers/cups.ts';
import { benchAgentSettings } from './pipeline.bench.ts';
import { AgentDatabaseReader } from './lib/agent-database.ts';
import { prepareAgentDataDir, startAgentChild, type AgentChild } from './lib/agent-child.ts';
import { summarizeAgentLog, type AgentLogSummary } from './lib/agent-log.ts';
import type { Cleanup } from './lib/cleanup.ts';
import { mainThreadProfileIn, monotonicMicros, summarizeCpuProfile, type ProfileSummary, type ProfileWindow } from './lib/cpu-profile.ts';
import { cupsAvailable, installBenchQueue } from './lib/cups-queue.ts';
import { startHubChild, type HubChild } from './lib/hub-child.ts';
import { keepAliveAgent } from './lib/http-post.ts';
import type { BenchFile } from './lib/invoices.ts';
import { makeBenchPdfs } from './lib/pdfs.ts';
import { pollUntil } from './lib/poll-until.ts';
import {
  JOB_TIMEOUT_MS,
  measureDirectLatency,
  measureLpLatency,
  RECORDED_POLL_MS,
  type DirectLatencyResult,
  type PrinterLatencyResult,
} from './lib/printer-latency.ts';
import { agentAddresses, sendPlainPost, sendPrintJob } from './lib/printer-requests.ts';
import { startCpuMeter, startNoiseMeter } from './lib/process-cpu.ts';
import { RecordedDocumentsReader, type RecordedSource } from './lib/recorded-documents.ts';
import { distribution, ratePerSecond, type Distribution } from './lib/stats.ts';

export type { DirectLatencyResult, PrinterLatencyResult } from './lib/printer-latency.ts';

/** The queue's display name, as the brief gives it; CUPS gets cupsQueueName() of it. */
export const BENCH_QUEUE_DISPLAY_NAME = 'Recapito – Bench';
const PROFILE_ID = 'bench';
/** Requests in flight during the throughput runs, Print-Job and baseline alike. */
export const PRINT_CONCURRENCY = 4;
/**
 * POST and Print-Job alternate this many times, each on its own documents, and the fastest run of
 * each counts: a run lasts a few seconds, so a burst of noise on the shared machine can halve one.
 */
export const THROUGHPUT_ROUNDS = 3;
/** The outbox gets this long to upload earlier documents before a throughput run starts. */
const OUTBOX_IDLE_TIMEOUT_MS = 180_000;
const PROGRESS_EVERY_MS = 5_000;
/** States of a document the agent will not send: a benchmark document must never end in one. */
const REFUSED_STATES = ['invalid', 'duplicate', 'failed', 'cancelled'];

type Log = (line: string) => void;

export interface PrinterThroughputRun {
  kind: 'print-job' | 'plain-post';
  label: string;
  /** The names of this run's documents all start with it. */
  prefix: string;
  jobs: number;
  concurrency: number;
  /** First request sent → the database shows every document. */
  elapsedMs: number;
  jobsPerSecond: number;
  /** First request sent → the last response received. */
  lastResponseMs: number;
  /** Per request, sent → response received. */
  requestMs: Distribution;
  failures: number;
  failureExamples: string[];
  recorded: number;
  /** The documents' states at the end of the part, once the outbox is idle. */
  finalStates: Record<string, number>;
  /** Uploads still waiting in the outbox when the run started (0 = idle, as intended). */
  outboxBacklogAtStart: number;
  cpu: { agentProcess: number | null; agentMainThread: number | null };
  noiseCores: number | null;
  /** The run on the monotonic clock, for the CPU profile. */
  window: ProfileWindow;
  /** With --profile: where the agent's main thread spent this run. */
  cpuProfile: ProfileSummary | null;
}

export interface PrinterMeasurement {
  complete: boolean;
  queue: { displayName: string; cupsName: string; uri: string; installOutput: string };
  pdfBytes: number;
  latency: PrinterLatencyResult;
  /**
   * The same number of requests sent by the benchmark itself, one at a time: the agent without CUPS,
   * by Print-Job and by a plain POST (the durable capture both share).
   */
  direct: { printJob: DirectLatencyResult; plainPost: DirectLatencyResult };
  /** In the order they ran, alternating: POST, Print-Job, POST, Print-Job, … */
  printJobRuns: PrinterThroughputRun[];
  plainPostRuns: PrinterThroughputRun[];
  /** What the hub stored by the end: every recorded document, once. */
  hub: { documents: number; replays: number; expected: number };
  /** With --profile: the .cpuprofile V8 wrote when the agent stopped. */
  cpuProfileFile: string | null;
  agentPeakRssBytes: number | null;
  agentLog: AgentLogSummary;
  settings: { printerPort: number; maxJobBytes: number; outboxConcurrency: number; logLevel: string };
}

/** Production defaults, the printer on `port` with the bench profile's queue, no watched folder. */
export function printerAgentSettings(hub: { url: string; caFile: string }, port: number): Settings {
  const base = benchAgentSettings(hub, '/nonexistent-unused');
  const [profile] = base.profiles;
  if (!profile) throw new Error('the benchmark settings have no profile');
  return {
    ...base,
    printer: { ...base.printer, enabled: true, port },
    profiles: [{ ...profile, id: PROFILE_ID, folders: [], printer: { enabled: true, queueName: BENCH_QUEUE_DISPLAY_NAME } }],
  };
}

/** The whole printer part. Throws when CUPS cannot be used; everything it starts is in `cleanup`. */
export async function measurePrinter(options: {
  latencyJobs: number;
  burstJobs: number;
  root: string;
  cleanup: Cleanup;
  log: Log;
  /** Where the agent's V8 CPU profile goes (written when it stops); none by default. */
  cpuProfileDir?: string | null;
}): Promise<PrinterMeasurement> {
  const { latencyJobs, burstJobs, root, cleanup, log } = options;
  const cups = await cupsAvailable();
  if (!cups.available) {
    throw new Error(
      `the printer part needs CUPS with its scheduler running (lp, lpstat, lpadmin; as root the benchmark starts cupsd itself): ${cups.reason}. Leave the part out with --only https or --only sftp`,
    );
  }

  // Every set has its own text (so no duplicates) and the same size (so the same bytes to carry).
  const latencyPdfs = makeBenchPdfs(latencyJobs, 'LATE', 'bench-');
  const directPdfs = makeBenchPdfs(latencyJobs, 'DIRE', 'direct-');
  const directPostPdfs = makeBenchPdfs(latencyJobs, 'DIRP', 'directpost-');
  const rounds = Array.from({ length: THROUGHPUT_ROUNDS }, (_, index) => ({
    posts: makeBenchPdfs(burstJobs, `PST${index + 1}`, `post${index + 1}-`),
    jobs: makeBenchPdfs(burstJobs, `IPJ${index + 1}`, `burst${index + 1}-`),
  }));
  const expectedDocuments = 3 * latencyJobs + 2 * THROUGHPUT_ROUNDS * burstJobs;

  const hub = await startHubChild({ dataDir: join(root, 'hub'), credits: expectedDocuments + 100, cleanup });
  const port = await freePort();
  const settings = printerAgentSettings(hub, port);
  const dataDir = join(root, 'agent');
  await prepareAgentDataDir(dataDir, settings, hub.apiKey);
  const cpuProfileDir = options.cpuProfileDir ?? null;
  const agent = await startAgentChild({ dataDir, logFile: join(root, 'agent-output.log'), cleanup, cpuProfileDir });
  const printerUrl = (await readFile(join(dataDir, 'printer-url'), 'utf8')).trim();
  const expectedUrl = `ipp://127.0.0.1:${port}/ipp/print/${PROFILE_ID}`;
  if (!printerUrl.split('\n').includes(expectedUrl)) throw new Error(`the agent's printer-url says "${printerUrl}", expected ${expectedUrl}`);
  log(`printer: agent running (pid ${agent.pid}), virtual printer at ${expectedUrl}; installing the CUPS queue`);

  const cupsName = cupsQueueName(BENCH_QUEUE_DISPLAY_NAME);
  const installOutput = await installBenchQueue({ dataDir, queue: cupsName, cleanup });
  log(`printer: ${installOutput.split('\n')[0] ?? 'queue installed'}`);

  const documents = new RecordedDocumentsReader(join(dataDir, 'recapito.sqlite'));
  const progress = new AgentDatabaseReader(join(dataDir, 'recapito.sqlite'));
  try {
    const pdfDir = join(root, 'pdfs');
    await mkdir(pdfDir, { recursive: true });
    log(`printer latency: ${latencyJobs} jobs with lp -d ${cupsName}, one at a time`);
    const latency = await measureLpLatency({ pdfs: latencyPdfs, pdfDir, queue: cupsName, documents, agent, log });
    log(`printer latency: p50 ${ms(latency.latencyMs.p50)}, p95 ${ms(latency.latencyMs.p95)}, max ${ms(latency.latencyMs.max)}`);

    const agentAt = await agentAddresses(dataDir, port, PROFILE_ID);
    log(`printer latency: as many Print-Job requests, then plain POSTs, straight to the agent, one at a time (the agent's share, without CUPS)`);
    const direct = {
      printJob: await withClient((client) =>
        measureDirectLatency({
          pdfs: directPdfs,
          source: 'printer',
          send: (file, index) => sendPrintJob(agentAt, file, index + 1, client),
          documents,
          agent,
          hubPid: hub.pid,
        }),
      ),
      plainPost: await withClient((client) =>
        measureDirectLatency({ pdfs: directPostPdfs, source: 'api', send: (file) => sendPlainPost(agentAt, file, client), documents, agent, hubPid: hub.pid }),
      ),
    };
    log(`printer latency: sent → recorded p50 ${ms(direct.printJob.latencyMs.p50)} by Print-Job, ${ms(direct.plainPost.latencyMs.p50)} by POST`);
    const printJobRuns: PrinterThroughputRun[] = [];
    const plainPostRuns: PrinterThroughputRun[] = [];
    const common = { documents, progress, agent, hubPid: hub.pid, log };
    for (const [round, { posts, jobs }] of rounds.entries()) {
      plainPostRuns.push(
        await withClient((client) =>
          measureBurst({
            ...common,
            kind: 'plain-post',
            label: `plain POST /api/v1/documents (run ${round + 1}/${THROUGHPUT_ROUNDS})`,
            files: posts,
            source: 'api',
            prefix: prefixOf(posts),
            send: (file) => sendPlainPost(agentAt, file, client),
          }),
        ),
      );
      printJobRuns.push(
        await withClient((client) =>
          measureBurst({
            ...common,
            kind: 'print-job',
            label: `Print-Job to the IPP server (run ${round + 1}/${THROUGHPUT_ROUNDS})`,
            files: jobs,
            source: 'printer',
            prefix: prefixOf(jobs),
            send: (file, index) => sendPrintJob(agentAt, file, index + 1, client),
          }),
        ),
      );
    }

    // The end state: every document uploaded (or refused), and what the hub holds.
    await waitForOutboxIdle(progress, agent, log);
    latency.finalStates = statesOf(documents, 'printer', 'bench-');
    direct.printJob.finalStates = statesOf(documents, 'printer', 'direct-');
    direct.plainPost.finalStates = statesOf(documents, 'api', 'directpost-');
    for (const run of [...printJobRuns, ...plainPostRuns]) run.finalStates = statesOf(documents, run.kind === 'print-job' ? 'printer' : 'api', run.prefix);
    const hubSide = await hubSummary(hub, expectedDocuments);
    const agentPeakRssBytes = agent.memory().peakRssBytes;
    const agentLog = await summarizeAgentLog(agent.logFile);
    await agent.stop(); // the CPU profile is written as the agent exits
    const cpuProfileFile = cpuProfileDir ? await mainThreadProfileIn(cpuProfileDir) : null;
    if (cpuProfileFile) {
      for (const run of [...printJobRuns, ...plainPostRuns]) run.cpuProfile = await summarizeCpuProfile(cpuProfileFile, run.window);
    }

    const runs = [...printJobRuns, ...plainPostRuns];
    const refused = [latency.finalStates, direct.printJob.finalStates, direct.plainPost.finalStates, ...runs.map((run) => run.finalStates)].some((states) =>
      REFUSED_STATES.some((state) => (states[state] ?? 0) > 0),
    );
    const complete =
      latency.complete &&
      !refused &&
      direct.printJob.failures === 0 &&
      direct.plainPost.failures === 0 &&
      runs.every((run) => run.failures === 0 && run.recorded === run.jobs);
    return {
      complete,
      queue: { displayName: BENCH_QUEUE_DISPLAY_NAME, cupsName, uri: expectedUrl, installOutput },
      pdfBytes: latencyPdfs[0]?.bytes.length ?? 0,
      latency,
      direct,
      printJobRuns,
      plainPostRuns,
      hub: hubSide,
      cpuProfileFile,
      agentPeakRssBytes,
      agentLog,
      settings: { printerPort: port, maxJobBytes: settings.printer.maxJobBytes, outboxConcurrency: settings.outbox.concurrency, logLevel: settings.log.level },
    };
  } catch (error) {
    const tail = (await readFile(agent.logFile, 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');
    log(`printer: failed; the end of the agent's output:\n${tail}`);
    throw error;
  } finally {
    documents.close();
    progress.close();
  }
}

/**
 * A fresh keep-alive client for one measurement, closed after it. Connections must not sit idle
 * between runs: the agent's servers close a connection idle for 5 s (Node's keepAliveTimeout), and a
 * request sent on it at that moment fails with "socket hang up".
 */
async function withClient<T>(measure: (client: http.Agent) => Promise<T>): Promise<T> {
  const client = keepAliveAgent(PRINT_CONCURRENCY);
  try {
    return await measure(client);
  } finally {
    client.destroy();
  }
}

function statesOf(documents: RecordedDocumentsReader, source: RecordedSource, prefix: string): Record<string, number> {
  const states: Record<string, number> = {};
  for (const document of documents.list(source, prefix)) states[document.state] = (states[document.state] ?? 0) + 1;
  return states;
}

async function hubSummary(hub: HubChild, expected: number): Promise<PrinterMeasurement['hub']> {
  const records = await hub.records();
  return { documents: records.length, replays: records.filter((record) => record.uploads > 1).length, expected };
}

/**
 * The main thread's profile among those V8 wrote when the agent stopped: each thread (the capture
 * workers too) writes its own, named CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile, and the
 * main thread's id is 0.
 */

// ---- Throughput: Print-Job against a plain POST ----

async function measureBurst(options: {
  kind: PrinterThroughputRun['kind'];
  label: string;
  files: readonly BenchFile[];
  source: RecordedSource;
  prefix: string;
  send: (file: BenchFile, index: number) => Promise<void>;
  documents: RecordedDocumentsReader;
  progress: AgentDatabaseReader;
  agent: AgentChild;
  hubPid: number;
  log: Log;
}): Promise<PrinterThroughputRun> {
  const { files, documents, log } = options;
  const outboxBacklogAtStart = await waitForOutboxIdle(options.progress, options.agent, log);
  log(`printer throughput: ${options.label}: ${files.length} requests, ${PRINT_CONCURRENCY} at a time`);

  const agentCpu = startCpuMeter(options.agent.pid);
  const noise = startNoiseMeter([options.agent.pid, options.hubPid]);
  const requestTimes: number[] = [];
  const failures: string[] = [];
  const fromMicros = monotonicMicros();
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      const sent = performance.now();
      try {
        await options.send(files[index] as BenchFile, index);
        requestTimes.push(performance.now() - sent);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: PRINT_CONCURRENCY }, worker));
  const lastResponseMs = performance.now() - started;
  // Every answer is in; the run ends when the database shows every document that was accepted.
  const expected = files.length - failures.length;
  const all = await pollUntil(() => (documents.count(options.source, options.prefix) >= expected ? true : null), {
    timeoutMs: JOB_TIMEOUT_MS,
    intervalMs: RECORDED_POLL_MS,
    stopped: () => (options.agent.running() ? null : 'the agent process ended'),
  });
  const elapsedMs = performance.now() - started;
  const window: ProfileWindow = { fromMicros, toMicros: monotonicMicros() };
  const share = agentCpu.stop();
  const noiseCores = noise.stop();

  const recorded = documents.count(options.source, options.prefix);
  if (all.value === null) failures.push(`not every document was recorded: ${all.reason}`);
  const run: PrinterThroughputRun = {
    kind: options.kind,
    label: options.label,
    jobs: files.length,
    concurrency: PRINT_CONCURRENCY,
    elapsedMs,
    prefix: options.prefix,
    jobsPerSecond: ratePerSecond(recorded, elapsedMs),
    lastResponseMs,
    requestMs: distribution(requestTimes),
    failures: failures.length,
    failureExamples: [...new Set(failures)].slice(0, 5),
    recorded,
    finalStates: {},
    outboxBacklogAtStart,
    cpu: { agentProcess: share.process, agentMainThread: share.mainThread },
    noiseCores,
    window,
    cpuProfile: null,
  };
  log(
    `printer throughput: ${options.label}: ${run.jobsPerSecond.toFixed(0)} jobs/s (${run.recorded}/${run.jobs} recorded in ${(elapsedMs / 1000).toFixed(2)} s, ${run.failures} failures)`,
  );
  return run;
}

/**
 * Waits until the outbox has uploaded every recorded document, so a run does not share the agent
 * with the uploads of the previous one. Returns how many were still waiting when it gave up (0 = idle).
 */
async function waitForOutboxIdle(progress: AgentDatabaseReader, agent: AgentChild, log: Log): Promise<number> {
  const backlog = (): number => {
    const now = progress.progress();
    return Math.max(0, now.captured - now.accepted - now.refused);
  };
  const deadline = Date.now() + OUTBOX_IDLE_TIMEOUT_MS;
  let lastReportAt = Date.now();
  for (;;) {
    const waiting = backlog();
    if (waiting === 0) return 0;
    if (!agent.running()) throw new Error('the agent process ended while its outbox was uploading');
    if (Date.now() > deadline) {
      log(`printer: the outbox still has ${waiting} documents to upload after ${OUTBOX_IDLE_TIMEOUT_MS / 1000} s; starting the next run anyway`);
      return waiting;
    }
    if (Date.now() - lastReportAt >= PROGRESS_EVERY_MS) {
      log(`printer: waiting for the outbox to upload the previous documents (${waiting} left)`);
      lastReportAt = Date.now();
    }
    await sleep(100);
  }
}

/** "burst-1.pdf" → "burst-": the prefix all of a set's names share. */
function prefixOf(files: readonly BenchFile[]): string {
  const first = files[0]?.name ?? '';
  return first.slice(0, first.indexOf('-') + 1);
}

function ms(value: number | null): string {
  return value === null ? 'n/a' : `${Math.round(value)} ms`;
}
