// The agent under test as a real child process (`recapito serve --data DIR`), configured the way
// an installation is: config.json through the settings store, the API key in secrets.json.
// Its own process, so its peak memory is its own; registered with the run's Cleanup.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { saveSettings } from '../../src/core/config/config-store.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import type { Settings } from '../../src/core/config/settings-schema.ts';
import type { Cleanup } from './cleanup.ts';
import { AGENT_NODE_FLAGS } from '../../src/cli/agent-node-flags.ts';
import { stopWithin } from './child-exit.ts';
import { readProcessMemory, type ProcessMemory } from './process-memory.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** What `recapito serve` prints once the agent and its local API are up. */
const READY_LINE = 'Recapito is running';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface AgentChild {
  pid: number;
  logFile: string;
  memory(): ProcessMemory;
  /** False once the process has ended, for whatever reason. */
  running(): boolean;
  /** SIGTERM (a clean stop), SIGKILL if it takes longer than 30 s. */
  stop(): Promise<void>;
}

/** Writes config.json and secrets.json into a fresh agent data folder. */
export async function prepareAgentDataDir(dataDir: string, settings: Settings, apiKey: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await saveSettings(join(dataDir, 'config.json'), settings);
  const secrets = await createFileSecretStore(join(dataDir, 'secrets.json'), {});
  await secrets.set('hubApiKey', apiKey);
}

/** `cli`: another entry point than src/cli/main.ts (the memory part runs the agent as built into dist/). */
export async function startAgentChild(options: {
  dataDir: string;
  logFile: string;
  cleanup: Cleanup;
  cpuProfileDir?: string | null;
  cli?: string;
}): Promise<AgentChild> {
  // RECAPITO_* variables of whoever runs the bench (data dir, API key) must not reach the agent under test.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('RECAPITO_')));
  // V8's sampling profiler writes a .cpuprofile when the agent exits (a clean SIGTERM stop).
  const profiling = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...AGENT_NODE_FLAGS, ...profiling, options.cli ?? CLI, 'serve', '--data', options.dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stdout.pipe(log);
  child.stderr.pipe(log);

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await stopWithin(child, exited, STOP_TIMEOUT_MS);
    await new Promise<void>((resolve) => log.end(resolve));
  };
  const unregister = options.cleanup.add(`stop the agent process ${child.pid}`, stop);

  try {
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`the agent did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      child.stdout.on('data', function watchForReady(chunk: Buffer) {
        seen = (seen + chunk.toString('utf8')).slice(-4096);
        if (!seen.includes(READY_LINE)) return;
        child.stdout.off('data', watchForReady);
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the agent exited while starting (code ${code}, signal ${signal})`));
      });
    });
  } catch (error) {
    await unregister();
    const tail = (await readFile(options.logFile, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
    throw new Error(`${(error as Error).message}; the end of its output:\n${tail}`, { cause: error });
  }

  return {
    pid: child.pid as number,
    logFile: options.logFile,
    memory: () => readProcessMemory(child.pid as number),
    running: () => child.exitCode === null && child.signalCode === null,
    stop: unregister,
  };
}
