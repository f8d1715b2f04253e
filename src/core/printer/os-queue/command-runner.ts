// Runs the print system's own tools (lpadmin, lpstat, powershell.exe) without a shell, so names and
// URIs are passed as arguments and never parsed by a shell.
import { spawn } from 'node:child_process';
import type { CommandResult, CommandRunner } from './queue-types.ts';

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_OUTPUT_CHARS = 1024 * 1024;

export const defaultCommandRunner: CommandRunner = (command, args, options) =>
  new Promise<CommandResult>((resolve) => {
    const child = spawn(command, args, { env: commandEnvironment(process.env, process.platform), stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (result: CommandResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({
        code: 124,
        stdout,
        stderr: `${stderr}${stderr && !stderr.endsWith('\n') ? '\n' : ''}${command}: no answer after ${Math.round(timeoutMs / 1000)} s, stopped`,
      });
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = append(stdout, chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = append(stderr, chunk)));
    child.once('error', (error: NodeJS.ErrnoException) => {
      // Not installed (or not on PATH): the same code a shell would give, so callers handle one case.
      finish({ code: error.code === 'ENOENT' ? 127 : 126, stdout, stderr: `${command}: ${error.code === 'ENOENT' ? 'command not found' : error.message}` });
    });
    child.once('close', (code, signal) => finish({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });

/**
 * The CUPS tools print localised messages and live in /usr/sbin, which is not on a normal user's
 * PATH on Debian: force the C locale (the parsers read English) and add the sbin folders.
 */
export function commandEnvironment(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): NodeJS.ProcessEnv {
  if (platform === 'win32') return env;
  const path = env['PATH'] ?? '/usr/bin:/bin';
  const parts = path.split(':');
  const extra = ['/usr/sbin', '/sbin'].filter((dir) => !parts.includes(dir));
  return { ...env, LC_ALL: 'C', LANG: 'C', PATH: [...parts, ...extra].join(':') };
}

function append(buffer: string, chunk: string): string {
  return buffer.length >= MAX_OUTPUT_CHARS ? buffer : buffer + chunk.slice(0, MAX_OUTPUT_CHARS - buffer.length);
}
