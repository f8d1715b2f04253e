// The SFTP benchmark (issue 3): N documents through a real agent to the sandbox hub's SFTP face
// behind a real sshd, against a plain ssh2 upload loop of the same files in the same run.
//
// - Baseline "raw SFTP": raw ssh2, as many connections as the agent uses (hub.sftp.connections),
//   Nagle off, each file written as in/.<key>.part and renamed to in/<key>__<name>: exactly the
//   agent's requests (open, write, close, rename), so sshd and the hub do the same work. It runs
//   before and after the pipeline, on a fresh hub each time; the faster run counts.
// - The pipeline: `recapito serve` with production defaults (only the SFTP server, its pinned key,
//   a free API port and one watched folder are set); a few files at rest, then the N files dropped
//   at once (staging + rename). Rates are counted to the SFTP hand-off on both sides: the rename
//   into in/ (the agent's document.accepted, the loop's last rename); the hub's own records
//   (createdAt, when it took the file from in/) are the cross-check and a second ratio.
// - The backlog (the transport alone, what the loop measures): the same agent, sending paused
//   through its local API, captures N other files (they wait `held`); the clock starts at resume
//   and stops at the last hand-off. No stability window or capture inside, as in the loop, which
//   uploads files it already holds in memory.
import { summarizeAgentLog } from './lib/agent-log.ts';
import { mkdir, readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join, posix } from 'node:path';
import ssh2 from 'ssh2';
import type { SFTPWrapper } from 'ssh2';
import { saveSettings } from '../src/core/config/config-store.ts';
import { createFileSecretStore } from '../src/core/config/secret-store.ts';
import { defaultSettings, validateSettings, type Settings } from '../src/core/config/settings-schema.ts';
import { pinnedHostKey } from '../src/core/hub/host-key.ts';
import { safeFileName } from '../src/core/hub/sftp-hub-client.ts';
import { connectAgentApi } from './lib/agent-api.ts';
import { AgentDatabaseReader, type DocumentTimeline } from './lib/agent-database.ts';
import { startAgentChild, type AgentChild } from './lib/agent-child.ts';
import type { Cleanup } from './lib/cleanup.ts';
import { monotonicMicros, readMainThreadProfile, type ProfileSummary, type ProfileWindow } from './lib/cpu-profile.ts';
import { dropFiles, dropPaced, type DropResult } from './lib/drop.ts';
import type { BenchFile } from './lib/invoices.ts';
import { startCpuMeter, startNoiseMeter, startOwnCpuMeter } from './lib/process-cpu.ts';
import { readProcessMemory } from './lib/process-memory.ts';
import {
  HUB_SFTP_POLL_MS,
  startBenchSshd,
  startSftpHubChild,
  startTreeCpuMeter,
  type BenchSshd,
  type SftpHubChild,
  type SftpHubRecord,
} from './lib/sshd-child.ts';
import { distribution, ratePerSecond, type Distribution } from './lib/stats.ts';

const POLL_MS = 250;
const PROGRESS_EVERY_MS = 5_000;
/** Nothing moved for this long: the run is stuck, not slow. */
const STALL_MS = 90_000;
/** Files of the at-rest phase arrive this far apart. */
const IDLE_INTERVAL_MS = 1000;
const CONNECT_TIMEOUT_MS = 15_000;

type Log = (line: string) => void;

export interface SftpBaselineResult {
  files: number;
  connections: number;
  /** First upload started → last rename into in/ done. */
  elapsedMs: number;
  filesPerSecond: number;
  /** First upload started → the hub stored the last file (createdAt). */
  hubStoredAfterMs: number | null;
  hubFilesPerSecond: number | null;
  /** Cores busy during the loop (1.0 = one core): hub, this process as the client, sshd and its sessions. */
  cpu: { hub: number | null; client: number; sshd: number | null };
  noiseCores: number | null;
}

export interface SftpPipelineResult {
  complete: boolean;
  incompleteReason: string | null;
  files: number;
  accepted: number;
  refused: number;
  retries: number;
  finalStates: Record<string, number>;
  drop: { elapsedMs: number; filesPerSecond: number };
  /** First drop → last document.accepted (the rename into in/ done). */
  elapsedMs: number;
  docsPerSecond: number;
  /** First drop → the hub stored the last document (createdAt). */
  hubStoredAfterMs: number | null;
  hubDocsPerSecond: number | null;
  latencyMs: Distribution;
  hubLatencyMs: Distribution;
  stagesMs: { dropToCaptured: Distribution; capturedToSending: Distribution; sendingToAccepted: Distribution; acceptedToStored: Distribution };
  lastCapturedAfterMs: number | null;
  hub: { documents: number; replays: number; peakRssBytes: number | null };
  cpu: { agentProcess: number | null; agentMainThread: number | null; hub: number | null; sshd: number | null };
  noiseCores: number | null;
  agentPeakRssBytes: number | null;
  agentLog: { warnings: number; errors: number; examples: string[] };
  settings: { stableWindowMs: number; outboxConcurrency: number; connections: number; pollSeconds: number; logLevel: string; hubPollMs: number };
  idle: { files: number; intervalMs: number; complete: boolean; latencyMs: Distribution; hubLatencyMs: Distribution };
  /** After the burst: a queued backlog sent on resume, the agent's SFTP transport alone. */
  backlog: SftpBacklogResult;
  /** With --profile: the agent's CPU profile, summarized over the burst. */
  cpuProfile: (ProfileSummary & { file: string; window: ProfileWindow }) | null;
}

/**
 * The outbox draining a backlog: N documents captured while sending was paused (all `held`), then
 * resumed. Rates count from the resume, so intake (stability window, durable capture) is outside.
 */
export interface SftpBacklogResult {
  complete: boolean;
  incompleteReason: string | null;
  files: number;
  /** Backlog dropped while paused → the agent had captured every file (all held). */
  capturedAfterMs: number | null;
  accepted: number;
  stored: number;
  /** Resume → last document.accepted (the rename into in/ done). */
  elapsedMs: number;
  docsPerSecond: number;
  /** Resume → the hub stored the last document (createdAt). */
  hubStoredAfterMs: number | null;
  hubDocsPerSecond: number | null;
  /** Resume → the first hand-off: releasing the held documents and starting the first upload. */
  firstHandedOverAfterMs: number | null;
  /** Resume → each document's hand-off: how long the queue took to reach it. */
  resumeToAcceptedMs: Distribution;
  sendingToAcceptedMs: Distribution;
  acceptedToStoredMs: Distribution;
  retries: number;
  /** Cores busy from the resume until the hub stored the last document. */
  cpu: { agentProcess: number | null; agentMainThread: number | null; hub: number | null; sshd: number | null };
  noiseCores: number | null;
}

export interface SftpMeasurement {
  files: number;
  averageFileBytes: number;
  connections: number;
  baselineRuns: SftpBaselineResult[];
  pipeline: SftpPipelineResult;
}

/** The whole SFTP part: one sshd; baseline, pipeline, baseline, each on a fresh hub. */
export async function measureSftp(options: {
  files: readonly BenchFile[];
  idleFiles: readonly BenchFile[];
  /** The backlog phase's files: as many as `files`, none of them the same. */
  backlogFiles: readonly BenchFile[];
  root: string;
  cleanup: Cleanup;
  log: Log;
  /** Where the agent's V8 CPU profile goes (written when it stops); none by default. */
  cpuProfileDir?: string | null;
  /** Issue 16: the peers (rclone) against the same sshd, after each baseline run (round 1, 2), each on a fresh hub. */
  peers?: (context: { sshd: BenchSshd; sshdDir: string; freshHub: (name: string) => Promise<SftpHubChild>; round: 1 | 2 }) => Promise<void>;
}): Promise<SftpMeasurement> {
  const { files, idleFiles, backlogFiles, root, cleanup, log } = options;
  const sshd = await startBenchSshd(join(root, 'sshd'), cleanup);
  log(`sftp: sshd listening on ${sshd.host}:${sshd.port} (pid ${sshd.pids()[0]})`);
  const credits = files.length + idleFiles.length + backlogFiles.length + 100;
  const freshHub = (name: string): Promise<SftpHubChild> =>
    startSftpHubChild({ dataDir: join(root, name, 'hub'), rootDir: join(root, name, 'sftp-root'), credits, logFile: join(root, `${name}-hub.log`), cleanup });
  // The agent's default number of upload connections (the paths do not matter here).
  const connections = sftpAgentSettings(sshd, root, root).hub.sftp?.connections ?? 2;

  const baseline = async (round: 1 | 2): Promise<SftpBaselineResult> => {
    log(`sftp baseline (run ${round}/2): ssh2 upload loop of ${files.length} files, ${connections} connections`);
    const hub = await freshHub(`sftp-baseline-${round}`);
    const result = await measureSftpUploadLoop({ files, sshd, hub, connections, log });
    await hub.close();
    log(
      `sftp baseline (run ${round}/2): ${result.filesPerSecond.toFixed(0)} files/s to in/, ${result.hubFilesPerSecond?.toFixed(0) ?? 'n/a'} files/s stored by the hub`,
    );
    return result;
  };
  const before = await baseline(1);
  if (options.peers) await options.peers({ sshd, sshdDir: join(root, 'sshd'), freshHub, round: 1 });
  log('sftp pipeline: starting a fresh sandbox hub and the agent');
  const hub = await freshHub('sftp-pipeline');
  const pipeline = await measureSftpPipeline({
    files,
    idleFiles,
    backlogFiles,
    workDir: join(root, 'sftp-pipeline'),
    sshd,
    hub,
    cleanup,
    log,
    cpuProfileDir: options.cpuProfileDir ?? null,
  });
  await hub.close();
  const after = await baseline(2);
  if (options.peers) await options.peers({ sshd, sshdDir: join(root, 'sshd'), freshHub, round: 2 });
  return {
    files: files.length,
    averageFileBytes: files.reduce((sum, file) => sum + file.bytes.length, 0) / files.length,
    connections,
    baselineRuns: [before, after],
    pipeline,
  };
}

/** Production defaults; only the SFTP server (pinned host key, key login), a free API port and one folder. */
export function sftpAgentSettings(sshd: Pick<BenchSshd, 'host' | 'port' | 'username' | 'hostKeyFingerprint'>, rootDir: string, dropDir: string): Settings {
  const defaults = defaultSettings();
  const input = {
    ...defaults,
    hub: {
      ...defaults.hub,
      transport: 'sftp',
      // Connections, poll, keepalive and timeouts are left to the schema's defaults.
      sftp: { host: sshd.host, port: sshd.port, username: sshd.username, root: rootDir, hostKeyFingerprint: sshd.hostKeyFingerprint, auth: 'key' },
    },
    api: { ...defaults.api, port: 0 },
    // This part measures folders over SFTP: no virtual printer (it would also take port 8631).
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
  const validation = validateSettings(input);
  if (!validation.ok) throw new Error(`the benchmark's SFTP settings are invalid: ${validation.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return validation.settings;
}

// ---- Baseline: a plain ssh2 upload loop ----

export async function measureSftpUploadLoop(options: {
  files: readonly BenchFile[];
  sshd: BenchSshd;
  hub: SftpHubChild;
  connections: number;
  log: Log;
}): Promise<SftpBaselineResult> {
  const { files, sshd, hub } = options;
  const inDir = posix.join(hub.rootDir, 'in');
  // Connected before the clock starts: the loop measures uploads, not handshakes.
  const sessions = await Promise.all(Array.from({ length: options.connections }, () => connectSftp(sshd)));
  try {
    const hubCpu = startCpuMeter(hub.pid);
    const clientCpu = startOwnCpuMeter();
    const sshdCpu = startTreeCpuMeter(sshd);
    const noise = startNoiseMeter([hub.pid, ...sshd.pids()]);
    const startedAt = Date.now();
    const started = performance.now();
    let next = 0;
    let failed = false;
    const worker = async (sftp: SFTPWrapper): Promise<void> => {
      while (next < files.length && !failed) {
        const file = files[next++] as BenchFile;
        const key = randomUUID();
        const part = posix.join(inDir, `.${key}.part`);
        await writeWhole(sftp, part, file.bytes);
        await call<void>((done) => sftp.rename(part, posix.join(inDir, `${key}__${safeFileName(file.name)}`), done));
      }
    };
    await Promise.all(
      sessions.map((session) =>
        worker(session.sftp).catch((error: unknown) => {
          failed = true; // the other connections stop at their next file
          throw error;
        }),
      ),
    );
    const elapsedMs = performance.now() - started;
    const cpu = { hub: hubCpu.stop().process, client: clientCpu.stop(), sshd: sshdCpu.stop() };
    const noiseCores = noise.stop();

    const stored = await waitForProgress({
      what: 'sftp baseline: the hub storing the uploads',
      total: files.length,
      progress: () => ({ done: hub.count(), summary: `${hub.count()}/${files.length} stored by the hub` }),
      log: options.log,
    });
    // The loop's own rate stands either way; only the hub's column goes missing.
    if (!stored.complete) options.log(`sftp baseline: the hub did not store every upload, its rate is left out: ${stored.incompleteReason}`);
    const records = hub.records();
    const lastStored = records.length === files.length ? Math.max(...records.map((r) => r.createdAt)) : null;
    const hubStoredAfterMs = lastStored === null ? null : lastStored - startedAt;
    return {
      files: files.length,
      connections: sessions.length,
      elapsedMs,
      filesPerSecond: ratePerSecond(files.length, elapsedMs),
      hubStoredAfterMs,
      hubFilesPerSecond: hubStoredAfterMs === null ? null : ratePerSecond(files.length, hubStoredAfterMs),
      cpu,
      noiseCores,
    };
  } finally {
    for (const session of sessions) session.client.end();
  }
}

/** Raw ssh2: pinned host key, key login, Nagle off, one SFTP channel. */
function connectSftp(sshd: BenchSshd): Promise<{ client: ssh2.Client; sftp: SFTPWrapper }> {
  const client = new ssh2.Client();
  const pin = pinnedHostKey(`${sshd.host}:${sshd.port}`, sshd.hostKeyFingerprint);
  return new Promise((resolve, reject) => {
    client.once('connect', () => client.setNoDelay(true));
    client.once('error', (error) => reject(pin.mismatch() ?? error));
    client.once('ready', () => {
      client.sftp((error, sftp) => {
        if (error) {
          client.end();
          reject(error);
        } else {
          resolve({ client, sftp });
        }
      });
    });
    client.connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.clientPrivateKey,
      hostVerifier: pin.verify,
      readyTimeout: CONNECT_TIMEOUT_MS,
    });
  });
}

/** open, one write (the invoices are a few KiB), close: the close commits the file on the server. */
async function writeWhole(sftp: SFTPWrapper, path: string, bytes: Buffer): Promise<void> {
  const handle = await call<Buffer>((done) => sftp.open(path, 'w', done));
  try {
    await call<void>((done) => sftp.write(handle, bytes, 0, bytes.length, 0, done));
  } finally {
    await call<void>((done) => sftp.close(handle, done));
  }
}

function call<T>(start: (done: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value as T))));
}

// ---- The pipeline ----

export async function measureSftpPipeline(options: {
  files: readonly BenchFile[];
  idleFiles: readonly BenchFile[];
  backlogFiles: readonly BenchFile[];
  workDir: string;
  sshd: BenchSshd;
  hub: SftpHubChild;
  cleanup: Cleanup;
  log: Log;
  cpuProfileDir?: string | null;
}): Promise<SftpPipelineResult> {
  const { files, idleFiles, backlogFiles, workDir, sshd, hub, cleanup, log } = options;
  const dataDir = join(workDir, 'agent');
  const dropDir = join(workDir, 'drop');
  const staging = join(workDir, 'staging');
  const settings = sftpAgentSettings(sshd, hub.rootDir, dropDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await mkdir(dropDir, { recursive: true });
  await saveSettings(join(dataDir, 'config.json'), settings);
  const secrets = await createFileSecretStore(join(dataDir, 'secrets.json'), {});
  await secrets.set('sftpPrivateKey', sshd.clientPrivateKey);

  const cpuProfileDir = options.cpuProfileDir ?? null;
  const agent = await startAgentChild({ dataDir, logFile: join(workDir, 'agent-output.log'), cleanup, cpuProfileDir });
  const reader = new AgentDatabaseReader(join(dataDir, 'recapito.sqlite'));
  try {
    log(`sftp pipeline: agent running (pid ${agent.pid}); at rest: ${idleFiles.length} files, one every ${IDLE_INTERVAL_MS} ms`);
    const idleDrop = await dropPaced(idleFiles, staging, dropDir, IDLE_INTERVAL_MS);
    const idleOutcome = await waitForAgentAndHub(reader, agent, hub, idleFiles.length, log);

    log(`sftp pipeline: burst: dropping ${files.length} files`);
    const agentCpu = startCpuMeter(agent.pid);
    const hubCpu = startCpuMeter(hub.pid);
    const sshdCpu = startTreeCpuMeter(sshd);
    const noise = startNoiseMeter([agent.pid, hub.pid, ...sshd.pids()]);
    const burstStart = monotonicMicros();
    const drop = dropFiles(files, staging, dropDir);
    log(
      `sftp pipeline: dropped ${files.length} files in ${(drop.elapsedMs / 1000).toFixed(2)} s; waiting for the agent to hand them over and the hub to store them`,
    );
    const outcome = await waitForAgentAndHub(reader, agent, hub, idleFiles.length + files.length, log);
    const burstWindow: ProfileWindow = { fromMicros: burstStart, toMicros: monotonicMicros() };
    const agentShare = agentCpu.stop();
    const cpu = { agentProcess: agentShare.process, agentMainThread: agentShare.mainThread, hub: hubCpu.stop().process, sshd: sshdCpu.stop() };
    const noiseCores = noise.stop();
    const agentPeakRssBytes = agent.memory().peakRssBytes;
    const hubPeakRssBytes = readProcessMemory(hub.pid).peakRssBytes;
    const retries = reader.eventCount('document.retry');

    const backlogRun = outcome.complete
      ? await runBacklog({ files: backlogFiles, before: idleFiles.length + files.length, dataDir, staging, dropDir, agent, reader, sshd, hub, log })
      : null;

    const progress = reader.progress();
    const timelines = reader.timelines();
    const records = hub.records();
    reader.close();
    await agent.stop();

    const stored = new Map(records.map((record) => [record.fileName, record.createdAt]));
    const burst = timing(drop, timelines, stored);
    const idle = timing(idleDrop, timelines, stored);
    const backlog = backlogRun
      ? backlogTiming(backlogRun, timelines, stored)
      : skippedBacklog(backlogFiles.length, `not run: the burst did not complete (${outcome.incompleteReason ?? 'unknown reason'})`);
    if (backlogRun)
      log(
        `sftp backlog: ${backlog.docsPerSecond.toFixed(0)} docs/s resume → last handed over, ${backlog.hubDocsPerSecond?.toFixed(0) ?? 'n/a'} docs/s resume → last stored by the hub`,
      );
    return {
      ...outcome,
      files: files.length,
      accepted: burst.accepted,
      refused: progress.refused,
      retries,
      finalStates: progress.states,
      drop: { elapsedMs: drop.elapsedMs, filesPerSecond: ratePerSecond(files.length, drop.elapsedMs) },
      elapsedMs: burst.elapsedMs,
      docsPerSecond: burst.docsPerSecond,
      hubStoredAfterMs: burst.hubStoredAfterMs,
      hubDocsPerSecond: burst.hubDocsPerSecond,
      latencyMs: burst.latencyMs,
      hubLatencyMs: burst.hubLatencyMs,
      stagesMs: burst.stagesMs,
      lastCapturedAfterMs: burst.lastCapturedAfterMs,
      hub: { documents: burst.stored, replays: records.filter((record: SftpHubRecord) => record.uploads > 1).length, peakRssBytes: hubPeakRssBytes },
      cpu,
      noiseCores,
      agentPeakRssBytes,
      agentLog: await summarizeAgentLog(agent.logFile),
      settings: {
        stableWindowMs: settings.intake.stableWindowMs,
        outboxConcurrency: settings.outbox.concurrency,
        connections: settings.hub.sftp?.connections ?? 0,
        pollSeconds: settings.hub.sftp?.pollSeconds ?? 0,
        logLevel: settings.log.level,
        hubPollMs: HUB_SFTP_POLL_MS,
      },
      idle: {
        files: idleFiles.length,
        intervalMs: IDLE_INTERVAL_MS,
        complete: idleOutcome.complete,
        latencyMs: idle.latencyMs,
        hubLatencyMs: idle.hubLatencyMs,
      },
      backlog,
      cpuProfile: cpuProfileDir ? await readMainThreadProfile(cpuProfileDir, burstWindow) : null,
    };
  } catch (error) {
    reader.close();
    const tail = (await readFile(agent.logFile, 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');
    log(`sftp pipeline: failed; the end of the agent's output:\n${tail}`);
    throw error;
  } finally {
    await agent.stop();
  }
}

interface BacklogRun {
  files: readonly BenchFile[];
  outcome: { complete: boolean; incompleteReason: string | null };
  capturedAfterMs: number | null;
  /** Epoch ms just before POST /resume: the clock of the phase starts here. */
  resumedAt: number;
  retries: number;
  cpu: SftpBacklogResult['cpu'];
  noiseCores: number | null;
}

/**
 * The backlog phase, on the agent that just sent the burst: pause, drop the files, wait until every
 * one is captured and held, resume, wait until the hub has stored them all. `before` documents were
 * handed over already.
 */
async function runBacklog(options: {
  files: readonly BenchFile[];
  before: number;
  dataDir: string;
  staging: string;
  dropDir: string;
  agent: AgentChild;
  reader: AgentDatabaseReader;
  sshd: BenchSshd;
  hub: SftpHubChild;
  log: Log;
}): Promise<BacklogRun> {
  const { files, agent, reader, sshd, hub, log } = options;
  const api = await connectAgentApi(options.dataDir);
  await api.pause();
  log(`sftp backlog: sending paused; dropping ${files.length} other files for the agent to capture and hold`);
  const drop = dropFiles(files, options.staging, options.dropDir);
  const captured = await waitForProgress({
    what: 'sftp backlog: capturing while paused',
    total: files.length,
    progress: () => {
      const held = reader.countInState('held');
      const agentProgress = reader.progress();
      return { done: held, moved: agentProgress.captured, summary: `${held}/${files.length} held, ${agentProgress.refused} refused` };
    },
    stopped: () => (agent.running() ? null : 'the agent process ended during the run'),
    log,
  });
  const capturedAfterMs = captured.complete ? Date.now() - drop.firstDropAt : null;
  const retriesBefore = reader.eventCount('document.retry');
  if (!captured.complete) {
    await api.resume();
    return {
      files,
      outcome: captured,
      capturedAfterMs,
      resumedAt: Date.now(),
      retries: 0,
      cpu: { agentProcess: null, agentMainThread: null, hub: null, sshd: null },
      noiseCores: null,
    };
  }
  log(`sftp backlog: ${files.length} documents held after ${((capturedAfterMs ?? 0) / 1000).toFixed(2)} s; resuming`);

  const agentCpu = startCpuMeter(agent.pid);
  const hubCpu = startCpuMeter(hub.pid);
  const sshdCpu = startTreeCpuMeter(sshd);
  const noise = startNoiseMeter([agent.pid, hub.pid, ...sshd.pids()]);
  const resumedAt = Date.now();
  await api.resume();
  const outcome = await waitForAgentAndHub(reader, agent, hub, options.before + files.length, log);
  const agentShare = agentCpu.stop();
  const cpu = { agentProcess: agentShare.process, agentMainThread: agentShare.mainThread, hub: hubCpu.stop().process, sshd: sshdCpu.stop() };
  return { files, outcome, capturedAfterMs, resumedAt, retries: reader.eventCount('document.retry') - retriesBefore, cpu, noiseCores: noise.stop() };
}

/** Rates and latencies of the backlog from the resume, by the agent's events and the hub's records. */
function backlogTiming(run: BacklogRun, timelines: Map<string, DocumentTimeline>, stored: Map<string, number>): SftpBacklogResult {
  const resumeToAccepted: number[] = [];
  const sendingToAccepted: number[] = [];
  const acceptedToStored: number[] = [];
  let firstAccepted = Infinity;
  let lastAccepted = -Infinity;
  let lastStored = -Infinity;
  let storedCount = 0;
  for (const file of run.files) {
    const t = timelines.get(file.name) ?? { capturedAt: null, sendingAt: null, acceptedAt: null };
    const storedAt = stored.get(file.name) ?? null;
    if (t.acceptedAt !== null) {
      resumeToAccepted.push(t.acceptedAt - run.resumedAt);
      firstAccepted = Math.min(firstAccepted, t.acceptedAt);
      lastAccepted = Math.max(lastAccepted, t.acceptedAt);
      if (t.sendingAt !== null) sendingToAccepted.push(t.acceptedAt - t.sendingAt);
      if (storedAt !== null) acceptedToStored.push(storedAt - t.acceptedAt);
    }
    if (storedAt !== null) {
      storedCount += 1;
      lastStored = Math.max(lastStored, storedAt);
    }
  }
  const elapsedMs = Number.isFinite(lastAccepted) ? lastAccepted - run.resumedAt : 0;
  const hubStoredAfterMs = Number.isFinite(lastStored) ? lastStored - run.resumedAt : null;
  const counted = run.outcome.complete && resumeToAccepted.length === run.files.length && storedCount === run.files.length;
  return {
    complete: counted,
    incompleteReason: counted
      ? null
      : (run.outcome.incompleteReason ?? `${resumeToAccepted.length}/${run.files.length} handed over, ${storedCount}/${run.files.length} stored by the hub`),
    files: run.files.length,
    capturedAfterMs: run.capturedAfterMs,
    accepted: resumeToAccepted.length,
    stored: storedCount,
    elapsedMs,
    docsPerSecond: resumeToAccepted.length === 0 ? 0 : ratePerSecond(resumeToAccepted.length, elapsedMs),
    hubStoredAfterMs,
    hubDocsPerSecond: hubStoredAfterMs === null ? null : ratePerSecond(storedCount, hubStoredAfterMs),
    firstHandedOverAfterMs: Number.isFinite(firstAccepted) ? firstAccepted - run.resumedAt : null,
    resumeToAcceptedMs: distribution(resumeToAccepted),
    sendingToAcceptedMs: distribution(sendingToAccepted),
    acceptedToStoredMs: distribution(acceptedToStored),
    retries: run.retries,
    cpu: run.cpu,
    noiseCores: run.noiseCores,
  };
}

function skippedBacklog(files: number, reason: string): SftpBacklogResult {
  const none = distribution([]);
  return {
    complete: false,
    incompleteReason: reason,
    files,
    capturedAfterMs: null,
    accepted: 0,
    stored: 0,
    elapsedMs: 0,
    docsPerSecond: 0,
    hubStoredAfterMs: null,
    hubDocsPerSecond: null,
    firstHandedOverAfterMs: null,
    resumeToAcceptedMs: none,
    sendingToAcceptedMs: none,
    acceptedToStoredMs: none,
    retries: 0,
    cpu: { agentProcess: null, agentMainThread: null, hub: null, sshd: null },
    noiseCores: null,
  };
}

/** Until the agent has handed over `total` documents and the hub has stored them (or it cannot happen). */
async function waitForAgentAndHub(
  reader: AgentDatabaseReader,
  agent: AgentChild,
  hub: SftpHubChild,
  total: number,
  log: Log,
): Promise<{ complete: boolean; incompleteReason: string | null }> {
  let refused = 0;
  let states: Record<string, number> = {};
  const outcome = await waitForProgress({
    what: 'sftp pipeline',
    total,
    progress: () => {
      const agentProgress = reader.progress();
      const storedByHub = hub.count();
      refused = agentProgress.refused;
      states = agentProgress.states;
      return {
        // A refused document never reaches the hub: the run is over when the rest has.
        done: Math.min(agentProgress.accepted, storedByHub) + agentProgress.refused,
        moved: agentProgress.captured + agentProgress.accepted + storedByHub,
        summary: `captured ${agentProgress.captured}/${total}, handed over ${agentProgress.accepted}/${total}, stored by the hub ${storedByHub}/${total}`,
      };
    },
    stopped: () => (agent.running() ? null : 'the agent process ended during the run'),
    log,
  });
  if (!outcome.complete) return outcome;
  return refused === 0 ? outcome : { complete: false, incompleteReason: `${refused} documents were refused: ${JSON.stringify(states)}` };
}

/** Polls `progress` until `done` reaches `total`, giving up on a stall, a time limit or `stopped`. */
async function waitForProgress(options: {
  what: string;
  total: number;
  progress: () => { done: number; moved?: number; summary: string };
  stopped?: () => string | null;
  log: Log;
}): Promise<{ complete: boolean; incompleteReason: string | null }> {
  const { total, log } = options;
  const deadline = Date.now() + 120_000 + total * 100;
  let lastMoved = -1;
  let lastChangeAt = Date.now();
  let lastReportAt = Date.now();
  for (;;) {
    const progress = options.progress();
    if (progress.done >= total) return { complete: true, incompleteReason: null };
    const now = Date.now();
    const moved = progress.moved ?? progress.done;
    if (moved !== lastMoved) lastChangeAt = now;
    lastMoved = moved;
    if (now - lastReportAt >= PROGRESS_EVERY_MS) {
      log(`${options.what}: ${progress.summary}`);
      lastReportAt = now;
    }
    const stopped = options.stopped?.();
    if (stopped) return { complete: false, incompleteReason: `${stopped} (${progress.summary})` };
    if (now - lastChangeAt > STALL_MS) return { complete: false, incompleteReason: `no progress for ${STALL_MS / 1000} s (${progress.summary})` };
    if (now > deadline) return { complete: false, incompleteReason: `time limit reached (${progress.summary})` };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function timing(drop: DropResult, timelines: Map<string, DocumentTimeline>, stored: Map<string, number>) {
  const latency: number[] = [];
  const hubLatency: number[] = [];
  const dropToCaptured: number[] = [];
  const capturedToSending: number[] = [];
  const sendingToAccepted: number[] = [];
  const acceptedToStored: number[] = [];
  let lastCaptured = -Infinity;
  let lastAccepted = -Infinity;
  let lastStored = -Infinity;
  for (const [name, dropped] of drop.droppedAt) {
    const t = timelines.get(name) ?? { capturedAt: null, sendingAt: null, acceptedAt: null };
    const storedAt = stored.get(name) ?? null;
    if (t.capturedAt !== null) {
      dropToCaptured.push(t.capturedAt - dropped);
      lastCaptured = Math.max(lastCaptured, t.capturedAt);
    }
    if (t.capturedAt !== null && t.sendingAt !== null) capturedToSending.push(t.sendingAt - t.capturedAt);
    if (t.sendingAt !== null && t.acceptedAt !== null) sendingToAccepted.push(t.acceptedAt - t.sendingAt);
    if (t.acceptedAt !== null) {
      latency.push(t.acceptedAt - dropped);
      lastAccepted = Math.max(lastAccepted, t.acceptedAt);
      if (storedAt !== null) acceptedToStored.push(storedAt - t.acceptedAt);
    }
    if (storedAt !== null) {
      hubLatency.push(storedAt - dropped);
      lastStored = Math.max(lastStored, storedAt);
    }
  }
  const since = (at: number): number | null => (Number.isFinite(at) ? at - drop.firstDropAt : null);
  const elapsedMs = since(lastAccepted) ?? 0;
  const hubStoredAfterMs = since(lastStored);
  return {
    accepted: latency.length,
    stored: hubLatency.length,
    elapsedMs,
    docsPerSecond: latency.length === 0 ? 0 : ratePerSecond(latency.length, elapsedMs),
    hubStoredAfterMs,
    hubDocsPerSecond: hubStoredAfterMs === null ? null : ratePerSecond(hubLatency.length, hubStoredAfterMs),
    latencyMs: distribution(latency),
    hubLatencyMs: distribution(hubLatency),
    stagesMs: {
      dropToCaptured: distribution(dropToCaptured),
      capturedToSending: distribution(capturedToSending),
      sendingToAccepted: distribution(sendingToAccepted),
      acceptedToStored: distribution(acceptedToStored),
    },
    lastCapturedAfterMs: since(lastCaptured),
  };
}
