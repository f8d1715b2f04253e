// Reads a V8 .cpuprofile (what `node --cpu-prof` writes) into a short answer to "where does the
// agent's CPU time go": busy vs idle, the functions with the most self time, and the project's own
// functions with the most inclusive time (their callees included).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock, the one process.hrtime reads in any process of this machine. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A stretch of the monotonic clock in microseconds (process.hrtime.bigint() / 1000n). */
export interface ProfileWindow {
  fromMicros: number;
  toMicros: number;
}

export interface ProfileEntry {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  /** Sampled time (inside the window, if one was given). */
  totalMs: number;
  /** Time the event loop waited for work; the rest the agent's main thread was busy. */
  idleMs: number;
  busyShare: number;
  topSelf: ProfileEntry[];
  /** Functions in src/ only, with everything they called. */
  topInclusive: ProfileEntry[];
}

const TOP = 15;

/** Only samples inside `window` count when one is given (the burst, not start-up or the at-rest phase). */
export async function summarizeCpuProfile(file: string, window?: ProfileWindow): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const selfMicros = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (window && (at < window.fromMicros || at > window.toMicros)) return;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
  });
  const totalMicros = [...selfMicros.values()].reduce((a, b) => a + b, 0);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const node = nodes.get(id);
    if (!node) continue;
    const name = describeFrame(node);
    self.set(name, (self.get(name) ?? 0) + micros);
    // Each project function counts once per sample, however deep the recursion.
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const frame = nodes.get(current);
      if (!frame || !isProjectCode(frame)) continue;
      const frameName = describeFrame(frame);
      if (seen.has(frameName)) continue;
      seen.add(frameName);
      inclusive.set(frameName, (inclusive.get(frameName) ?? 0) + micros);
    }
  }
  const idleMs = (self.get('(idle)') ?? 0) / 1000;
  const totalMs = totalMicros / 1000;
  return {
    totalMs,
    idleMs,
    busyShare: totalMs === 0 ? 0 : 1 - idleMs / totalMs,
    topSelf: top(self, totalMicros),
    topInclusive: top(inclusive, totalMicros),
  };
}

function top(values: Map<string, number>, totalMicros: number): ProfileEntry[] {
  return [...values.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)
    .map(([name, micros]) => ({ name, ms: Math.round(micros / 1000), share: totalMicros === 0 ? 0 : micros / totalMicros }));
}

function isProjectCode(node: ProfileNode): boolean {
  return node.callFrame.url.includes('/src/') && !node.callFrame.url.includes('/node_modules/');
}

/** `function file:line`, with paths shortened to the project or the package. */
function describeFrame(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (!url) return functionName || '(native)';
  const shortUrl = url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*?\/(src\/)/, '$1');
  return `${functionName || '(anonymous)'} ${shortUrl}:${lineNumber + 1}`;
}

/**
 * The main thread's profile among those V8 wrote into `dir` as the agent stopped: `--cpu-prof`
 * writes one per thread (capture workers, the PDF reader, the WAL checkpointer), and the main
 * thread's is the one with thread id 0.
 */
export async function mainThreadProfileIn(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((entry) => entry.endsWith('.cpuprofile'));
  const main = names.find((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name)) ?? (names.length === 1 ? names[0] : undefined);
  if (!main) throw new Error(`the agent wrote no main-thread CPU profile into ${dir} (found: ${names.join(', ') || 'none'}; did it stop cleanly?)`);
  return join(dir, main);
}

/** The main thread's profile in `dir`, summarized over `window`. */
export async function readMainThreadProfile(dir: string, window: ProfileWindow): Promise<ProfileSummary & { file: string; window: ProfileWindow }> {
  const file = await mainThreadProfileIn(dir);
  return { ...(await summarizeCpuProfile(file, window)), file, window };
}

/** The clock V8 stamps profile samples with (CLOCK_MONOTONIC), shared by every process here. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
