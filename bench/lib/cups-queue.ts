// The printer part's CUPS queue: installed the way a person does it (`recapito printer install`),
// printed to with `lp`, and removed however the run ends (jobs cancelled first, then the queue,
// with lpadmin -x as a fallback should the CLI fail).
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureCups, removeCupsQueue } from '../../test/helpers/cups.ts';
import { needs } from '../../test/helpers/system-tools.ts';
import type { Cleanup } from './cleanup.ts';

const execFileAsync = promisify(execFile);
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const C_LOCALE = { LC_ALL: 'C', LANG: 'C' };
const COMMAND_TIMEOUT_MS = 120_000;

/** The environment without the RECAPITO_* variables of whoever runs the bench. */
function cleanEnv(): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('RECAPITO_'))), ...C_LOCALE };
}

async function cli(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI, ...args], { env: cleanEnv(), timeout: COMMAND_TIMEOUT_MS });
    return { code: 0, output: `${stdout}${stderr}`.trim() };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`.trim() || failed.message };
  }
}

/**
 * Whether the CUPS scheduler runs (started here when it does not and we are root), or why not.
 * ensureCups() waits for a detached, unref'd cupsd to daemonize: a timer keeps this process alive
 * meanwhile, or Node would exit with the wait unsettled when nothing else is running yet.
 */
export async function cupsAvailable(): Promise<{ available: true } | { available: false; reason: string }> {
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    const cups = await ensureCups();
    return cups.ok ? { available: true } : { available: false, reason: cups.reason };
  } catch (error) {
    return { available: false, reason: (error as Error).message };
  } finally {
    clearInterval(keepAlive);
  }
}

/**
 * `recapito printer install --data DIR` against the running agent; the queue is removed at cleanup.
 * Returns what the command printed.
 */
export async function installBenchQueue(options: { dataDir: string; queue: string; cleanup: Cleanup }): Promise<string> {
  const { dataDir, queue } = options;
  options.cleanup.add(`remove the CUPS queue ${queue}`, async () => {
    await execFileAsync(needs('cancel').path('cancel'), ['-a', queue], { env: cleanEnv(), timeout: 10_000 }).catch(() => undefined);
    const removed = await cli(['printer', 'uninstall', '--data', dataDir]);
    if (removed.code !== 0) console.error(`bench: recapito printer uninstall failed (${removed.output}); removing ${queue} with lpadmin -x`);
    await removeCupsQueue(queue);
  });
  const installed = await cli(['printer', 'install', '--data', dataDir]);
  if (installed.code !== 0) throw new Error(`recapito printer install failed (exit code ${installed.code}): ${installed.output}`);
  return installed.output;
}

export interface LpResult {
  /** CUPS' job id ("request id is QUEUE-42"), null if lp did not say. */
  cupsJob: string | null;
  /** Epoch ms when lp exited: CUPS had the job. */
  exitedAt: number;
}

/** `lp -d QUEUE -t TITLE FILE`; rejects if lp fails. */
export function lp(queue: string, title: string, file: string): Promise<LpResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(needs('lp').path('lp'), ['-d', queue, '-t', title, file], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const exitedAt = Date.now();
      if (code !== 0) {
        reject(new Error(`lp -d ${queue} failed (exit code ${code}, signal ${signal}): ${output.trim()}`));
        return;
      }
      resolve({ cupsJob: /request id is (\S+)/.exec(output)?.[1] ?? null, exitedAt });
    });
  });
}

/** Until CUPS lists no unfinished job on the queue (lpstat -o); false if that takes longer than `timeoutMs`. */
export async function waitForQueueIdle(queue: string, timeoutMs: number, pollMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { stdout } = await execFileAsync(needs('lpstat').path('lpstat'), ['-o', queue], { env: cleanEnv(), timeout: 10_000 });
    if (stdout.trim() === '') return true;
    if (Date.now() > deadline) return false;
    await sleep(pollMs);
  }
}
