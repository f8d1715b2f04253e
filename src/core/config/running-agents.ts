// Which running agent a CLI command talks to, without --data. Every agent started by `serve`, `demo`
// or the desktop app registers itself in the user's folder of running agents (`running/<pid>.json`
// beside the default data folder) and removes the entry when it stops; an entry whose process is
// gone (a crash, kill -9) is ignored and removed by the next reader.
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { dataPaths, defaultDataDir } from './data-dir.ts';
import { writeDurably } from '../util/fsync.ts';

export interface RunningAgentEntry {
  pid: number;
  dataDir: string;
  apiUrl: string;
  /** 'serve', 'demo', 'desktop': shown when several run at once. */
  kind: string;
  startedAt: string;
}

/**
 * RECAPITO_RUNNING_DIR (tests, services) wins; otherwise `running/` in the default data folder as it
 * is without RECAPITO_DATA_DIR, so an agent on any data folder is found by the same user.
 */
export function runningAgentsDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['RECAPITO_RUNNING_DIR']?.trim();
  if (explicit) return resolve(explicit);
  const { RECAPITO_DATA_DIR: _ignored, ...rest } = env;
  return join(defaultDataDir(rest), 'running');
}

/** Registers this process's agent; the returned function removes the entry (call it on stop). */
export async function registerRunningAgent(
  entry: Omit<RunningAgentEntry, 'pid' | 'startedAt'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<() => Promise<void>> {
  const dir = runningAgentsDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${process.pid}.json`);
  const record: RunningAgentEntry = { pid: process.pid, ...entry, dataDir: resolve(entry.dataDir), startedAt: new Date().toISOString() };
  await writeDurably(file, `${JSON.stringify(record, null, 2)}\n`);
  return async () => {
    await rm(file, { force: true });
  };
}

/** The agents running now: the process lives and its data folder still names the same API address. */
export async function listRunningAgents(env: NodeJS.ProcessEnv = process.env): Promise<RunningAgentEntry[]> {
  const dir = runningAgentsDir(env);
  const names = await readdir(dir).catch((): string[] => []);
  const alive: RunningAgentEntry[] = [];
  for (const name of names.filter((n) => /^\d+\.json$/.test(n))) {
    const file = join(dir, name);
    const entry = await readEntry(file);
    if (entry && processAlive(entry.pid) && (await currentApiUrl(entry.dataDir)) === entry.apiUrl) alive.push(entry);
    else await rm(file, { force: true }).catch(() => undefined);
  }
  return alive.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/**
 * The data folder a command works on: --data, else RECAPITO_DATA_DIR, else the one running agent
 * (the default data folder's when it runs), else the default data folder.
 */
export async function resolveDataDir(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (explicit !== undefined) return resolve(explicit);
  if (env['RECAPITO_DATA_DIR']?.trim()) return defaultDataDir(env);
  const fallback = defaultDataDir(env);
  const running = await listRunningAgents(env);
  if (running.length === 0 || running.some((agent) => agent.dataDir === fallback)) return fallback;
  if (running.length === 1) return running[0]!.dataDir;
  const list = running.map((agent) => `  --data ${agent.dataDir}   (${agent.kind}, ${agent.apiUrl}, pid ${agent.pid})`).join('\n');
  throw new Error(`several agents are running; say which one:\n${list}`);
}

async function readEntry(file: string): Promise<RunningAgentEntry | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<RunningAgentEntry>;
    if (typeof parsed.pid !== 'number' || typeof parsed.dataDir !== 'string' || typeof parsed.apiUrl !== 'string') return null;
    return { pid: parsed.pid, dataDir: parsed.dataDir, apiUrl: parsed.apiUrl, kind: String(parsed.kind ?? 'agent'), startedAt: String(parsed.startedAt ?? '') };
  } catch {
    return null;
  }
}

async function currentApiUrl(dataDir: string): Promise<string | null> {
  return (await readFile(dataPaths(dataDir).apiUrl, 'utf8').catch(() => '')).trim() || null;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}
