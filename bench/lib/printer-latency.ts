// The printer part's latency: `lp` through real CUPS to the agent's database, one job at a time,
// and the agent's own share of it (requests sent straight to it, one at a time, without CUPS).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentChild } from './agent-child.ts';
import { lp, waitForQueueIdle } from './cups-queue.ts';
import type { BenchFile } from './invoices.ts';
import { pollUntil } from './poll-until.ts';
import { startNoiseMeter } from './process-cpu.ts';
import type { RecordedDocumentsReader, RecordedSource } from './recorded-documents.ts';
import { distribution, type Distribution } from './stats.ts';

/** How often the database is asked whether a document is there yet: the latency's resolution. */
export const RECORDED_POLL_MS = 5;
/** One job that takes longer than this is stuck, not slow. */
export const JOB_TIMEOUT_MS = 60_000;
const PROGRESS_EVERY_MS = 5_000;

export interface PrinterLatencyResult {
  complete: boolean;
  incompleteReason: string | null;
  jobs: number;
  recorded: number;
  /** lp spawned → the document is in the agent's database (what the issue asks for). */
  latencyMs: Distribution;
  /** The first job alone: CUPS and the agent at their coldest. */
  firstJobMs: number | null;
  /** lp spawned → lp exited (CUPS has the job). */
  lpMs: Distribution;
  /** lp exited → the document is in the database: CUPS' filters and backend, then the agent. */
  afterLpMs: Distribution;
  /** lp spawned → the agent's own created_at stamp (no polling in it). */
  agentStampMs: Distribution;
  /** lp spawned → CUPS lists the job as finished (lpstat -o empty; 20 ms polling plus lpstat's own time). */
  cupsFinishedMs: Distribution;
  /** Bytes of the PDFs given to lp, and of what the agent recorded (CUPS' pdftopdf rewrites them). */
  printedBytes: number;
  recordedBytes: number | null;
  /** The documents' states at the end of the part, once the outbox is idle. */
  finalStates: Record<string, number>;
  pollMs: number;
}

export interface DirectLatencyResult {
  jobs: number;
  recorded: number;
  failures: number;
  failureExamples: string[];
  /** Request sent → the document is in the agent's database (polled every RECORDED_POLL_MS). */
  latencyMs: Distribution;
  /** Request sent → response received (Print-Job: once the agent has recorded the job, or after 1 s; POST: once recorded). */
  responseMs: Distribution;
  /** The documents' states at the end of the part, once the outbox is idle. */
  finalStates: Record<string, number>;
  /** Cores other processes kept busy meanwhile (0 = quiet machine). */
  noiseCores: number | null;
}

/**
 * `lp` jobs one at a time, each from just before `lp` is spawned until the agent's database shows
 * it; the next job starts once CUPS lists this one as finished.
 */
export async function measureLpLatency(options: {
  pdfs: readonly BenchFile[];
  pdfDir: string;
  queue: string;
  documents: RecordedDocumentsReader;
  agent: AgentChild;
  log: (line: string) => void;
}): Promise<PrinterLatencyResult> {
  const { pdfs, pdfDir, queue, documents, agent, log } = options;
  for (const pdf of pdfs) await writeFile(join(pdfDir, pdf.name), pdf.bytes);
  const latency: number[] = [];
  const lpTimes: number[] = [];
  const afterLp: number[] = [];
  const agentStamp: number[] = [];
  const cupsFinished: number[] = [];
  const recordedSizes: number[] = [];
  let incompleteReason: string | null = null;
  let lastReportAt = Date.now();

  for (const [index, pdf] of pdfs.entries()) {
    const title = pdf.name.replace(/\.pdf$/, '');
    const started = Date.now();
    const startedMono = performance.now();
    let lpFailure: string | null = null;
    const lpRun = lp(queue, title, join(pdfDir, pdf.name)).catch((error: unknown) => {
      lpFailure = (error as Error).message;
      return null;
    });
    const recorded = await pollUntil(() => documents.find('printer', pdf.name), {
      timeoutMs: JOB_TIMEOUT_MS,
      intervalMs: RECORDED_POLL_MS,
      stopped: () => lpFailure ?? (agent.running() ? null : 'the agent process ended'),
    });
    const recordedMono = performance.now();
    const lpResult = await lpRun;
    if (lpResult === null || recorded.value === null) {
      incompleteReason = lpResult === null ? (lpFailure ?? 'lp failed') : `"${pdf.name}" was not recorded: ${recorded.reason}`;
      break;
    }
    const exitedAt = lpResult.exitedAt;
    latency.push(recordedMono - startedMono);
    lpTimes.push(exitedAt - started);
    afterLp.push(Math.max(0, started + (recordedMono - startedMono) - exitedAt));
    agentStamp.push(recorded.value.createdAt - started);
    recordedSizes.push(recorded.value.size);
    // The next job waits for CUPS to be done with this one: one job at a time, none queued behind another.
    if (!(await waitForQueueIdle(queue, JOB_TIMEOUT_MS))) {
      incompleteReason = `CUPS did not finish job ${index + 1} ("${title}") within ${JOB_TIMEOUT_MS / 1000} s`;
      break;
    }
    cupsFinished.push(performance.now() - startedMono);
    if (Date.now() - lastReportAt >= PROGRESS_EVERY_MS) {
      log(`printer latency: ${index + 1}/${pdfs.length} jobs, last ${ms(latency.at(-1) ?? null)}`);
      lastReportAt = Date.now();
    }
  }
  return {
    complete: incompleteReason === null && latency.length === pdfs.length,
    incompleteReason,
    jobs: pdfs.length,
    recorded: latency.length,
    latencyMs: distribution(latency),
    firstJobMs: latency[0] ?? null,
    lpMs: distribution(lpTimes),
    afterLpMs: distribution(afterLp),
    agentStampMs: distribution(agentStamp),
    cupsFinishedMs: distribution(cupsFinished),
    printedBytes: pdfs[0]?.bytes.length ?? 0,
    recordedBytes: recordedSizes.length === 0 ? null : Math.round(recordedSizes.reduce((a, b) => a + b, 0) / recordedSizes.length),
    finalStates: {},
    pollMs: RECORDED_POLL_MS,
  };
}

/** Requests straight to the agent, one at a time, each timed until its document is recorded. */
export async function measureDirectLatency(options: {
  pdfs: readonly BenchFile[];
  source: RecordedSource;
  send: (file: BenchFile, index: number) => Promise<void>;
  documents: RecordedDocumentsReader;
  agent: AgentChild;
  hubPid: number;
}): Promise<DirectLatencyResult> {
  const { pdfs, documents, agent } = options;
  const noise = startNoiseMeter([agent.pid, options.hubPid]);
  const latency: number[] = [];
  const response: number[] = [];
  const failures: string[] = [];
  for (const [index, pdf] of pdfs.entries()) {
    const started = performance.now();
    try {
      await options.send(pdf, index);
    } catch (error) {
      failures.push((error as Error).message);
      continue;
    }
    response.push(performance.now() - started);
    const recorded = await pollUntil(() => documents.find(options.source, pdf.name), {
      timeoutMs: JOB_TIMEOUT_MS,
      intervalMs: RECORDED_POLL_MS,
      stopped: () => (agent.running() ? null : 'the agent process ended'),
    });
    if (recorded.value === null) {
      failures.push(`"${pdf.name}" was not recorded: ${recorded.reason}`);
      continue;
    }
    latency.push(performance.now() - started);
  }
  return {
    jobs: pdfs.length,
    recorded: latency.length,
    failures: failures.length,
    failureExamples: [...new Set(failures)].slice(0, 5),
    latencyMs: distribution(latency),
    responseMs: distribution(response),
    finalStates: {},
    noiseCores: noise.stop(),
  };
}

function ms(value: number | null): string {
  return value === null ? 'n/a' : `${Math.round(value)} ms`;
}
