// Issue 16, "memory": what the agent alone (`recapito serve`, the sandbox hub in its own process)
// holds in memory and spends in CPU when nothing happens, and its peak in a burst:
// - start: a fresh agent on an empty store, three watched folders, RSS 15 s after it is up;
// - history: the same agent on a store of 100,000 documents (filled as the search part fills it),
//   a few files captured through each folder (the capture workers start), then left idle: RSS and
//   CPU over the idle window (10 minutes by default), the targets' "idle";
// - burst: a fresh agent and hub, N files (10,000) dropped at once into one folder, as the HTTPS
//   part drops them: the kernel's peak resident set (VmHWM) over the whole run.
// Each RSS figure is split as the kernel splits it (/proc/<pid>/status): anonymous memory (heaps,
// malloc, SQLite's page cache) and file-backed pages (the node binary, shared libraries).
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Settings } from '../src/core/config/settings-schema.ts';
import { benchAgentSettings, measurePipeline } from './pipeline.bench.ts';
import { fillSearchStore } from './search.bench.ts';
import { prepareAgentDataDir, startAgentChild, type AgentChild } from './lib/agent-child.ts';
import { AgentDatabaseReader } from './lib/agent-database.ts';
import type { Cleanup } from './lib/cleanup.ts';
import { dropPaced } from './lib/drop.ts';
import { startHubChild, type HubChild } from './lib/hub-child.ts';
import { makeInvoices, type BenchFile } from './lib/invoices.ts';
import { startCpuMeter, startNoiseMeter } from './lib/process-cpu.ts';

/** Issue 16's targets. MB as the issue writes them: 10^6 bytes (150 MB = 143 MiB). */
export const MEMORY_TARGETS = { idleRssBytes: 150e6, burstPeakRssBytes: 300e6, idleCpuPercent: 1 } as const;
export const DEFAULT_MEMORY_DOCUMENTS = 100_000;
export const DEFAULT_MEMORY_BURST = 10_000;
export const DEFAULT_IDLE_MINUTES = 10;
const WATCHED_FOLDERS = 3;
/** Files captured through each folder before the idle window: the capture workers have run. */
const WARM_FILES_PER_FOLDER = 5;
/** A fresh agent is measured this long after it reports it is up. */
const SETTLE_MS = 15_000;
const SAMPLE_EVERY_MS = 5_000;
const REPO = fileURLToPath(new URL('../', import.meta.url));
/** Inside the repository (node_modules and package.json are found from there), ignored by git. */
const BUILD_DIR = join(REPO, '.tmp', 'bench-build');

/**
 * The agent as an installation runs it: `tsc -p tsconfig.build.json` (what `npm run build` runs
 * for the agent), into .tmp/bench-build/dist, with the repository's resources and UI beside it.
 * Run from source, Node strips the types of every module it loads, in each thread: its compiler
 * (a WebAssembly module) costs about 20 MiB per isolate that an installation never pays.
 */
export async function buildAgent(log: (line: string) => void): Promise<string> {
  log('memory: building the agent (tsc -p tsconfig.build.json) into .tmp/bench-build');
  await rm(BUILD_DIR, { recursive: true, force: true });
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(BUILD_DIR, 'dist')], { cwd: REPO, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('building the agent (tsc -p tsconfig.build.json) failed');
  await symlink(join(REPO, 'resources'), join(BUILD_DIR, 'resources'));
  await symlink(join(REPO, 'dist', 'ui'), join(BUILD_DIR, 'dist', 'ui'));
  return join(BUILD_DIR, 'dist', 'cli', 'main.js');
}

export interface MemoryFigures {
  rssBytes: number | null;
  anonBytes: number | null;
  fileBytes: number | null;
  peakRssBytes: number | null;
  threads: number | null;
}

export interface MemoryResult {
  /** What ran: the agent built into dist/ (as installed) or from source (Node strips the types). */
  agent: 'built' | 'source';
  /** A fresh agent, empty store, three folders, SETTLE_MS after it is up. */
  start: MemoryFigures;
  /** The same from source, when the built agent is measured: what type stripping costs. */
  startFromSource: MemoryFigures | null;
  history: {
    documents: number;
    fillSeconds: number;
    /** SETTLE_MS after it is up, before any capture. */
    afterStart: MemoryFigures;
    warmFiles: number;
    warmComplete: boolean;
    idleMinutes: number;
    /** At the end of the idle window. */
    idleEnd: MemoryFigures;
    /** The highest and lowest RSS sampled during the idle window (every 5 s). */
    idleRssMaxBytes: number | null;
    idleRssMinBytes: number | null;
    /** The median of the samples (every 5 s): the end is one moment of the collector's rhythm. */
    idleRssMedianBytes: number | null;
    /** The agent's CPU over the idle window, percent of one core; other processes' cores. */
    idleCpuPercent: number | null;
    noiseCores: number | null;
  };
  burst: {
    files: number;
    complete: boolean;
    incompleteReason: string | null;
    docsPerSecond: number;
    peakRssBytes: number | null;
    highestSampledRssBytes: number | null;
  };
  targets: typeof MEMORY_TARGETS;
  verdicts: { idleRss: boolean | null; burstPeak: boolean | null; idleCpu: boolean | null };
}

/** RSS, its anonymous and file-backed parts, the peak and the thread count, from /proc/<pid>/status. */
export async function readMemoryFigures(pid: number): Promise<MemoryFigures> {
  let status = '';
  try {
    status = await readFile(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rssBytes: null, anonBytes: null, fileBytes: null, peakRssBytes: null, threads: null };
  }
  const field = (name: string, unit = 1024): number | null => {
    const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status);
    return match ? Number(match[1]) * unit : null;
  };
  return { rssBytes: field('VmRSS'), anonBytes: field('RssAnon'), fileBytes: field('RssFile'), peakRssBytes: field('VmHWM'), threads: field('Threads', 1) };
}

function threeFolderSettings(hub: HubChild, folders: string[]): Settings {
  const settings = benchAgentSettings(hub, folders[0] as string);
  const [profile] = settings.profiles;
  if (!profile) throw new Error('the bench settings have no profile');
  profile.folders = folders.map((path) => ({ path, postAction: 'move' as const, usePolling: false }));
  return settings;
}

async function startIdleAgent(
  workDir: string,
  hub: HubChild,
  cleanup: Cleanup,
  cli: string | undefined,
  fill?: (file: string) => void,
): Promise<{ agent: AgentChild; dataDir: string; folders: string[] }> {
  const dataDir = join(workDir, 'agent');
  const folders = Array.from({ length: WATCHED_FOLDERS }, (_, index) => join(workDir, `folder-${index + 1}`));
  for (const folder of folders) await mkdir(folder, { recursive: true });
  await prepareAgentDataDir(dataDir, threeFolderSettings(hub, folders), hub.apiKey);
  fill?.(join(dataDir, 'recapito.sqlite'));
  const agent = await startAgentChild({ dataDir, logFile: join(workDir, 'agent-output.log'), cleanup, ...(cli ? { cli } : {}) });
  return { agent, dataDir, folders };
}

export async function measureMemory(options: {
  documents: number;
  burstFiles: number;
  idleMinutes: number;
  /** Run the agent from source instead of built. */
  fromSource: boolean;
  workDir: string;
  cleanup: Cleanup;
  log: (line: string) => void;
}): Promise<MemoryResult> {
  const { workDir, cleanup, log } = options;
  const cli = options.fromSource ? undefined : await buildAgent(log);
  // Scratch output (git ignores it, lint too): gone however the run ends.
  if (cli) cleanup.add('remove the built agent', () => rm(BUILD_DIR, { recursive: true, force: true }));
  const hub = await startHubChild({ dataDir: join(workDir, 'hub'), credits: 1000, cleanup });
  let start: MemoryFigures;
  let startFromSource: MemoryFigures | null = null;
  let history: MemoryResult['history'];
  try {
    const fresh = async (name: string, entry: string | undefined): Promise<MemoryFigures> => {
      const { agent } = await startIdleAgent(join(workDir, name), hub, cleanup, entry);
      await sleep(SETTLE_MS);
      const figures = await readMemoryFigures(agent.pid);
      await agent.stop();
      log(`memory: ${name}: ${mib(figures.rssBytes)} (anonymous ${mib(figures.anonBytes)}, files ${mib(figures.fileBytes)}, ${figures.threads} threads)`);
      return figures;
    };
    log(`memory: a fresh agent (${cli ? 'built' : 'from source'}), empty store, three watched folders`);
    start = await fresh('start', cli);
    if (cli) startFromSource = await fresh('start-from-source', undefined);

    log(`memory: filling a store with ${options.documents} documents`);
    let fillSeconds = 0;
    const { agent, dataDir, folders } = await startIdleAgent(join(workDir, 'history'), hub, cleanup, cli, (file) => {
      fillSeconds = fillSearchStore(file, options.documents).seconds;
    });
    try {
      await sleep(SETTLE_MS);
      const afterStart = await readMemoryFigures(agent.pid);
      log(`memory: ${options.documents} documents, after start ${mib(afterStart.rssBytes)}`);
      // A few captures through each folder, so the idle agent is one that has worked.
      const warm = makeInvoices(WARM_FILES_PER_FOLDER * WATCHED_FOLDERS);
      for (const [index, folder] of folders.entries()) {
        const slice: BenchFile[] = warm.slice(index * WARM_FILES_PER_FOLDER, (index + 1) * WARM_FILES_PER_FOLDER);
        await dropPaced(slice, join(workDir, 'history', 'staging'), folder, 200);
      }
      const warmComplete = await waitForAccepted(join(dataDir, 'recapito.sqlite'), warm.length, agent);
      log(`memory: ${warm.length} files captured and sent (${warmComplete ? 'all' : 'NOT all'}); idle for ${options.idleMinutes} min`);
      const cpu = startCpuMeter(agent.pid);
      const noise = startNoiseMeter([agent.pid, hub.pid]);
      const samples: number[] = [];
      const until = performance.now() + options.idleMinutes * 60_000;
      let nextReport = performance.now() + 60_000;
      while (performance.now() < until) {
        await sleep(Math.min(SAMPLE_EVERY_MS, Math.max(0, until - performance.now())));
        const rss = (await readMemoryFigures(agent.pid)).rssBytes;
        if (rss !== null) samples.push(rss);
        if (performance.now() >= nextReport) {
          log(`memory: idle, RSS ${mib(rss)}`);
          nextReport += 60_000;
        }
      }
      const share = cpu.stop().process;
      const noiseCores = noise.stop();
      const idleEnd = await readMemoryFigures(agent.pid);
      history = {
        documents: options.documents,
        fillSeconds,
        afterStart,
        warmFiles: warm.length,
        warmComplete,
        idleMinutes: options.idleMinutes,
        idleEnd,
        idleRssMaxBytes: samples.length > 0 ? Math.max(...samples) : null,
        idleRssMinBytes: samples.length > 0 ? Math.min(...samples) : null,
        idleRssMedianBytes: median(samples),
        idleCpuPercent: share === null ? null : share * 100,
        noiseCores,
      };
      log(`memory: idle end ${mib(idleEnd.rssBytes)}, CPU ${history.idleCpuPercent?.toFixed(2)}% of a core`);
    } finally {
      await agent.stop();
    }
  } finally {
    await hub.close();
  }

  log(`memory: burst of ${options.burstFiles} files into a fresh agent`);
  const burstHub = await startHubChild({ dataDir: join(workDir, 'burst-hub'), credits: options.burstFiles + 100, cleanup });
  let burst: MemoryResult['burst'];
  try {
    const pipeline = await measurePipeline({
      files: makeInvoices(options.burstFiles),
      idleFiles: [],
      workDir: join(workDir, 'burst'),
      hub: burstHub,
      cleanup,
      log,
      ...(cli ? { cli } : {}),
    });
    burst = {
      files: options.burstFiles,
      complete: pipeline.complete,
      incompleteReason: pipeline.incompleteReason,
      docsPerSecond: pipeline.docsPerSecond,
      peakRssBytes: pipeline.agentMemory.peakRssBytes,
      highestSampledRssBytes: pipeline.agentMemory.highestSampledRssBytes,
    };
  } finally {
    await burstHub.close();
  }
  log(`memory: burst peak ${mib(burst.peakRssBytes)}`);

  const below = (value: number | null, limit: number): boolean | null => (value === null ? null : value < limit);
  return {
    agent: cli ? 'built' : 'source',
    start,
    startFromSource,
    history,
    burst,
    targets: MEMORY_TARGETS,
    verdicts: {
      idleRss: below(history.idleEnd.rssBytes, MEMORY_TARGETS.idleRssBytes),
      burstPeak: below(burst.peakRssBytes, MEMORY_TARGETS.burstPeakRssBytes),
      idleCpu: below(history.idleCpuPercent, MEMORY_TARGETS.idleCpuPercent),
    },
  };
}

/** Waits (polling the agent's database, read-only) until `count` uploads are done. */
async function waitForAccepted(file: string, count: number, agent: AgentChild): Promise<boolean> {
  const reader = new AgentDatabaseReader(file);
  try {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && agent.running()) {
      if (reader.progress().accepted >= count) return true;
      await sleep(250);
    }
    return false;
  } finally {
    reader.close();
  }
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function mib(bytes: number | null): string {
  return bytes === null ? 'not measured' : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function verdict(met: boolean | null): string {
  return met === null ? 'NOT MEASURED' : met ? 'met' : 'MISSED';
}

export function formatMemoryReport(result: MemoryResult): string {
  const { start, history, burst, targets, verdicts } = result;
  const split = (figures: MemoryFigures): string =>
    `${mib(figures.rssBytes)} (anonymous ${mib(figures.anonBytes)}, file-backed ${mib(figures.fileBytes)}; ${figures.threads ?? '?'} threads)`;
  return [
    `\nMemory (issue 16): the agent alone (\`recapito serve\`, ${result.agent === 'built' ? 'built into dist/ as installed' : 'from source'}; the hub in its own process)`,
    `fresh agent, empty store, ${WATCHED_FOLDERS} folders       ${split(start)}`,
    ...(result.startFromSource ? [`  the same from source (types stripped) ${split(result.startFromSource)}`] : []),
    `${history.documents} documents, after start        ${split(history.afterStart)}`,
    `  then ${history.warmFiles} files captured, idle ${history.idleMinutes} min:  ${split(history.idleEnd)}; sampled ${mib(history.idleRssMinBytes)} to ${mib(history.idleRssMaxBytes)}, median ${mib(history.idleRssMedianBytes)}`,
    `idle RSS with history      ${mib(history.idleEnd.rssBytes).padStart(8)}   target < ${targets.idleRssBytes / 1e6} MB (${mib(targets.idleRssBytes)}): ${verdict(verdicts.idleRss)}`,
    `peak RSS, ${burst.files} burst  ${mib(burst.peakRssBytes).padStart(8)}   target < ${targets.burstPeakRssBytes / 1e6} MB (${mib(targets.burstPeakRssBytes)}): ${verdict(verdicts.burstPeak)}` +
      `  (${burst.complete ? `${burst.docsPerSecond.toFixed(0)} documents/s` : `INCOMPLETE: ${burst.incompleteReason}`})`,
    `idle CPU, ${history.idleMinutes} min, ${WATCHED_FOLDERS} folders ${(history.idleCpuPercent === null ? '—' : `${history.idleCpuPercent.toFixed(2)}%`).padStart(8)}   target < ${targets.idleCpuPercent}% of a core: ${verdict(verdicts.idleCpu)}` +
      `  (other processes: ${history.noiseCores === null ? '?' : history.noiseCores.toFixed(2)} cores)`,
  ].join('\n');
}
