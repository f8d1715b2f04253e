// The pipeline: files dropped into one watched folder of a real agent process (`recapito serve`),
// carried through intake, spool, queue and outbox to the sandbox hub over HTTPS. First a few files
// one at a time (latency of an agent at rest), then the burst of N files: documents per second
// (first drop → last document accepted by the hub), drop → accepted latency per document with its
// stages from the agent's events table, and the agent's peak memory. The agent runs with the
// production defaults; only the hub, its CA and the folder are set.
import { summarizeAgentLog } from './lib/agent-log.ts';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultSettings, type Settings } from '../src/core/config/settings-schema.ts';
import { AgentDatabaseReader, type AgentProgress, type DocumentTimeline } from './lib/agent-database.ts';
import { prepareAgentDataDir, startAgentChild, type AgentChild } from './lib/agent-child.ts';
import type { Cleanup } from './lib/cleanup.ts';
import { monotonicMicros, readMainThreadProfile, type ProfileSummary, type ProfileWindow } from './lib/cpu-profile.ts';
import { dropFiles, dropPaced } from './lib/drop.ts';
import type { HubChild } from './lib/hub-child.ts';
import type { BenchFile } from './lib/invoices.ts';
import { startCpuMeter, startNoiseMeter } from './lib/process-cpu.ts';
import { readProcessMemory, sampleMemory } from './lib/process-memory.ts';
import { distribution, ratePerSecond, type Distribution } from './lib/stats.ts';

const POLL_MS = 250;
const PROGRESS_EVERY_MS = 5_000;
/** No new capture and no new acceptance for this long: the run is stuck, not slow. */
const STALL_MS = 90_000;
/** Files of the at-rest phase arrive this far apart: well above one document's time in the pipeline. */
export const IDLE_INTERVAL_MS = 1000;

type Stages = { dropToCaptured: Distribution; capturedToSending: Distribution; sendingToAccepted: Distribution };

export interface PipelineResult {
  complete: boolean;
  incompleteReason: string | null;
  files: number;
  accepted: number;
  refused: number;
  finalStates: Record<string, number>;
  /** Transient upload failures the outbox retried (document.retry events). */
  retries: number;
  drop: { elapsedMs: number; filesPerSecond: number };
  /** First drop → last document accepted. */
  elapsedMs: number;
  docsPerSecond: number;
  latencyMs: Distribution;
  stagesMs: Stages;
  /** When the last document was captured / accepted, counted from the first drop. */
  lastCapturedAfterMs: number | null;
  lastAcceptedAfterMs: number | null;
  /** Captures per second over first drop → last capture: the intake side alone. */
  captureRate: number | null;
  hub: { documents: number; replays: number; dropToReceivedMs: Distribution; peakRssBytes: number | null };
  /** Cores kept busy during the burst (1.0 = one core); the agent's main thread alone too. */
  cpu: { agentProcess: number | null; agentMainThread: number | null; hub: number | null };
  /** Cores other processes on the machine kept busy during the burst (0 = quiet). */
  noiseCores: number | null;
  agentMemory: { peakRssBytes: number | null; highestSampledRssBytes: number | null; samples: number };
  agentLog: { warnings: number; errors: number; examples: string[] };
  settings: { stableWindowMs: number; rescanIntervalMs: number; outboxConcurrency: number; logLevel: string; postAction: string };
  /** Before the burst: files dropped one at a time, IDLE_INTERVAL_MS apart. */
  idle: { files: number; intervalMs: number; complete: boolean; latencyMs: Distribution; stagesMs: Stages };
  /** With --profile: the agent's CPU profile, summarized over the burst. */
  cpuProfile: (ProfileSummary & { file: string; window: ProfileWindow }) | null;
}

/** Production defaults; only what an installer must set: the hub, its CA, one folder, a free API port. */
export function benchAgentSettings(hub: { url: string; caFile: string }, dropDir: string): Settings {
  const defaults = defaultSettings();
  return {
    ...defaults,
    hub: { ...defaults.hub, url: hub.url, caFile: hub.caFile },
    api: { ...defaults.api, port: 0 },
    printer: { ...defaults.printer, enabled: false },
    profiles: [
      {
        id: 'bench',
        name: 'Benchmark Srl',
        hubCompanyId: null,
        folders: [{ path: dropDir, postAction: 'move', usePolling: false }],
        returnFolder: null,
        sending: 'automatic',
        dualControl: false,
        printer: { enabled: false, queueName: null },
      },
    ],
  };
}

export async function measurePipeline(options: {
  files: readonly BenchFile[];
  /** Dropped one at a time before the burst; distinct from `files`. */
  idleFiles: readonly BenchFile[];
  workDir: string;
  hub: HubChild;
  cleanup: Cleanup;
  log: (line: string) => void;
  /** Where the agent's V8 CPU profile goes (written when it stops); none by default. */
  cpuProfileDir?: string | null;
  /** The agent's entry point, when not src/cli/main.ts (the memory part runs the built agent). */
  cli?: string;
}): Promise<PipelineResult> {
  const { files, workDir, hub, cleanup, log } = options;
  const dataDir = join(workDir, 'agent');
  const dropDir = join(workDir, 'drop');
  const settings = benchAgentSettings(hub, dropDir);
  await prepareAgentDataDir(dataDir, settings, hub.apiKey);
  await mkdir(dropDir, { recursive: true });

  const agent = await startAgentChild({
    dataDir,
    logFile: join(workDir, 'agent-output.log'),
    cleanup,
    cpuProfileDir: options.cpuProfileDir ?? null,
    ...(options.cli ? { cli: options.cli } : {}),
  });
  const reader = new AgentDatabaseReader(join(dataDir, 'recapito.sqlite'));
  const staging = join(workDir, 'staging');
  try {
    const memory = sampleMemory(agent.pid);
    const { idleFiles } = options;
    log(`pipeline: agent running (pid ${agent.pid}); at rest: ${idleFiles.length} files, one every ${IDLE_INTERVAL_MS} ms`);
    const idleDrop = await dropPaced(idleFiles, staging, dropDir, IDLE_INTERVAL_MS);
    const idleOutcome = await waitUntilSettled(reader, agent, idleFiles.length, log);

    log(`pipeline: burst: dropping ${files.length} files`);
    const agentCpu = startCpuMeter(agent.pid);
    const hubCpu = startCpuMeter(hub.pid);
    const noise = startNoiseMeter([agent.pid, hub.pid]);
    const burstStart = monotonicMicros();
    const drop = dropFiles(files, staging, dropDir);
    log(`pipeline: dropped ${files.length} files in ${(drop.elapsedMs / 1000).toFixed(2)} s; waiting for the hub to accept them`);
    const outcome = await waitUntilSettled(reader, agent, idleFiles.length + files.length, log);
    const burstWindow: ProfileWindow = { fromMicros: burstStart, toMicros: monotonicMicros() };
    const agentShare = agentCpu.stop();
    const cpu = { agentProcess: agentShare.process, agentMainThread: agentShare.mainThread, hub: hubCpu.stop().process };
    const noiseCores = noise.stop();
    const agentMemory = memory.stop();
    const hubPeak = readProcessMemory(hub.pid).peakRssBytes;

    const progress = reader.progress();
    const timelines = reader.timelines();
    const retries = reader.eventCount('document.retry');
    const records = await hub.records();
    reader.close();
    await agent.stop();

    const received = new Map(records.map((record) => [record.fileName, Date.parse(record.createdAt)]));
    const burst = timing(drop.droppedAt, drop.firstDropAt, timelines);
    const idle = timing(idleDrop.droppedAt, idleDrop.firstDropAt, timelines);
    const burstRecords = records.filter((record) => drop.droppedAt.has(record.fileName));
    return {
      ...outcome,
      files: files.length,
      accepted: burst.accepted,
      refused: progress.refused,
      finalStates: progress.states,
      retries,
      drop: { elapsedMs: drop.elapsedMs, filesPerSecond: ratePerSecond(files.length, drop.elapsedMs) },
      elapsedMs: burst.elapsedMs,
      docsPerSecond: burst.docsPerSecond,
      latencyMs: burst.latencyMs,
      stagesMs: burst.stagesMs,
      lastCapturedAfterMs: burst.lastCapturedAfterMs,
      lastAcceptedAfterMs: burst.lastAcceptedAfterMs,
      captureRate: burst.captureRate,
      hub: {
        documents: burstRecords.length,
        replays: records.filter((record) => record.uploads > 1).length,
        dropToReceivedMs: distribution(differences(drop.droppedAt, received)),
        peakRssBytes: hubPeak,
      },
      cpu,
      noiseCores,
      agentMemory: { peakRssBytes: agentMemory.peakRssBytes, highestSampledRssBytes: agentMemory.rssBytes, samples: agentMemory.samples },
      agentLog: await summarizeAgentLog(agent.logFile),
      settings: {
        stableWindowMs: settings.intake.stableWindowMs,
        rescanIntervalMs: settings.intake.rescanIntervalMs,
        outboxConcurrency: settings.outbox.concurrency,
        logLevel: settings.log.level,
        postAction: 'move',
      },
      idle: { files: idleFiles.length, intervalMs: IDLE_INTERVAL_MS, complete: idleOutcome.complete, latencyMs: idle.latencyMs, stagesMs: idle.stagesMs },
      cpuProfile: options.cpuProfileDir ? await readMainThreadProfile(options.cpuProfileDir, burstWindow) : null,
    };
  } catch (error) {
    reader.close();
    const tail = (await readFile(agent.logFile, 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');
    log(`pipeline: failed; the end of the agent's output:\n${tail}`);
    throw error;
  } finally {
    await agent.stop();
  }
}

async function waitUntilSettled(
  reader: AgentDatabaseReader,
  agent: AgentChild,
  total: number,
  log: (line: string) => void,
): Promise<{ complete: boolean; incompleteReason: string | null }> {
  const deadline = Date.now() + 120_000 + total * 100;
  let last: AgentProgress = reader.progress();
  let lastChangeAt = Date.now();
  let lastReportAt = Date.now();
  for (;;) {
    const progress = reader.progress();
    if (progress.accepted + progress.refused >= total) {
      return {
        complete: progress.refused === 0,
        incompleteReason: progress.refused === 0 ? null : `${progress.refused} documents were refused: ${JSON.stringify(progress.states)}`,
      };
    }
    const now = Date.now();
    if (progress.captured !== last.captured || progress.accepted !== last.accepted) lastChangeAt = now;
    last = progress;
    if (now - lastReportAt >= PROGRESS_EVERY_MS) {
      log(`pipeline: captured ${progress.captured}/${total}, accepted ${progress.accepted}/${total}`);
      lastReportAt = now;
    }
    if (!agent.running()) {
      return { complete: false, incompleteReason: `the agent process ended during the run (accepted ${progress.accepted}/${total})` };
    }
    if (now - lastChangeAt > STALL_MS) {
      return {
        complete: false,
        incompleteReason: `no progress for ${STALL_MS / 1000} s (captured ${progress.captured}, accepted ${progress.accepted} of ${total}; states ${JSON.stringify(progress.states)})`,
      };
    }
    if (now > deadline) {
      return { complete: false, incompleteReason: `time limit reached (captured ${progress.captured}, accepted ${progress.accepted} of ${total})` };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function timing(droppedAt: Map<string, number>, firstDropAt: number, timelines: Map<string, DocumentTimeline>) {
  const latency: number[] = [];
  const dropToCaptured: number[] = [];
  const capturedToSending: number[] = [];
  const sendingToAccepted: number[] = [];
  let lastCaptured: number | null = null;
  let lastAccepted: number | null = null;
  let acceptedCount = 0;
  for (const [name, dropped] of droppedAt) {
    const t = timelines.get(name);
    if (!t) continue;
    if (t.capturedAt !== null) {
      dropToCaptured.push(t.capturedAt - dropped);
      lastCaptured = Math.max(lastCaptured ?? -Infinity, t.capturedAt);
    }
    if (t.capturedAt !== null && t.sendingAt !== null) capturedToSending.push(t.sendingAt - t.capturedAt);
    if (t.sendingAt !== null && t.acceptedAt !== null) sendingToAccepted.push(t.acceptedAt - t.sendingAt);
    if (t.acceptedAt !== null) {
      acceptedCount += 1;
      latency.push(t.acceptedAt - dropped);
      lastAccepted = Math.max(lastAccepted ?? -Infinity, t.acceptedAt);
    }
  }
  const elapsedMs = lastAccepted === null ? 0 : lastAccepted - firstDropAt;
  return {
    accepted: acceptedCount,
    elapsedMs,
    docsPerSecond: acceptedCount === 0 ? 0 : ratePerSecond(acceptedCount, elapsedMs),
    latencyMs: distribution(latency),
    stagesMs: {
      dropToCaptured: distribution(dropToCaptured),
      capturedToSending: distribution(capturedToSending),
      sendingToAccepted: distribution(sendingToAccepted),
    },
    lastCapturedAfterMs: lastCaptured === null ? null : lastCaptured - firstDropAt,
    lastAcceptedAfterMs: lastAccepted === null ? null : lastAccepted - firstDropAt,
    captureRate: lastCaptured === null ? null : ratePerSecond(dropToCaptured.length, lastCaptured - firstDropAt),
  };
}

function differences(from: Map<string, number>, to: Map<string, number>): number[] {
  const values: number[] = [];
  for (const [name, start] of from) {
    const end = to.get(name);
    if (end !== undefined) values.push(end - start);
  }
  return values;
}
