// Real CUPS for the print-queue tests: makes sure the scheduler runs (starting cupsd when we are
// root) and starts CUPS's own reference IPP Everywhere printer, ippeveprinter, on a loopback port.
// Under CI=true anything missing fails the test; elsewhere the tests skip with a loud reason.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { freePort } from './free-port.ts';

export { freePort };
import { join } from 'node:path';
import { waitFor } from './wait-for.ts';

const execFileAsync = promisify(execFile);

export const CUPSD = '/usr/sbin/cupsd';
export const IPPEVEPRINTER = '/usr/sbin/ippeveprinter';
export const DBUS_DAEMON = '/usr/bin/dbus-daemon';
const CUPS_TOOLS = [CUPSD, '/usr/sbin/lpadmin', '/usr/bin/lpstat', '/usr/bin/lp', '/usr/bin/lpoptions'];
const C_LOCALE = { ...process.env, LC_ALL: 'C', LANG: 'C' };

function unavailable(reason: string): { available: false } {
  if (process.env['CI'] === 'true') throw new Error(`${reason} — required under CI`);
  console.warn(`\n*** SKIPPING CUPS TESTS: ${reason} ***\n`);
  return { available: false };
}

async function schedulerRunning(): Promise<boolean> {
  try {
    const { stdout } = await execFileAsync('/usr/bin/lpstat', ['-r'], { env: C_LOCALE, timeout: 5000 });
    return /scheduler is running/.test(stdout);
  } catch {
    return false;
  }
}

/** The CUPS scheduler is running (started here if it was not and we may), or the reason it is not. */
export async function ensureCups(): Promise<{ available: boolean }> {
  const missing = CUPS_TOOLS.filter((tool) => !existsSync(tool));
  if (missing.length > 0) return unavailable(`CUPS is not installed (missing ${missing.join(', ')}): apt install cups cups-client cups-daemon`);
  if (await schedulerRunning()) return { available: true };
  if (process.getuid?.() !== 0) return unavailable('the CUPS scheduler is not running and only root can start it (sudo cupsd, or systemctl start cups)');
  // Without -f cupsd daemonizes: the parent returns once the child is ready. A second test file
  // starting it at the same moment is harmless: that copy cannot bind and exits.
  await new Promise<void>((resolve, reject) => {
    const child = spawn(CUPSD, [], { stdio: 'ignore', detached: true });
    child.once('error', reject);
    child.once('exit', () => resolve());
    child.unref();
  });
  await waitFor('the CUPS scheduler to run (lpstat -r)', schedulerRunning, 15_000, 100);
  return { available: true };
}

/**
 * ippeveprinter needs a D-Bus system bus for its DNS-SD code even with DNS-SD off (-r off): each
 * printer gets a private bus from dbus-daemon, so nothing is announced and no system bus is needed.
 */
export function ippEvePrinterAvailable(): boolean {
  const missing = [IPPEVEPRINTER, DBUS_DAEMON].filter((tool) => !existsSync(tool));
  if (missing.length === 0) return true;
  unavailable(`missing ${missing.join(', ')}: apt install cups-ipp-utils dbus-daemon`);
  return false;
}

export interface IppEvePrinter {
  port: number;
  /** ipp://127.0.0.1:PORT/ipp/print */
  uri: string;
  /** Where received jobs are kept (ippeveprinter -k), one file per job document. */
  spoolDir: string;
  /** Received documents (their names start with the job id). */
  jobs(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startIppEvePrinter(dir: string, name: string, formats = 'application/pdf,image/jpeg'): Promise<IppEvePrinter> {
  await mkdir(dir, { recursive: true });
  const spoolDir = join(dir, 'spool');
  await mkdir(spoolDir, { recursive: true });
  const bus = await startPrivateBus(join(dir, 'bus'));
  const port = await freePort();
  // -c: "print" with a command that returns at once; without one ippeveprinter simulates 5-15 s of printing.
  const printer = spawn(IPPEVEPRINTER, ['-r', 'off', '-p', String(port), '-f', formats, '-c', '/bin/true', '-d', spoolDir, '-k', name], {
    env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus.address },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  printer.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  try {
    await waitFor(`ippeveprinter on port ${port}`, async () => {
      if (printer.exitCode !== null) throw new Error(`ippeveprinter exited (${printer.exitCode}): ${stderr}`);
      return accepting(port);
    }, 10_000);
  } catch (error) {
    await stopChild(printer);
    await bus.stop();
    throw error;
  }
  return {
    port,
    uri: `ipp://127.0.0.1:${port}/ipp/print`,
    spoolDir,
    jobs: async () => (await readdir(spoolDir)).filter((file) => /^\d+-.*\.(pdf|jpg|jpeg)$/.test(file)),
    stop: async () => {
      await stopChild(printer);
      await bus.stop();
    },
  };
}

async function startPrivateBus(socketPath: string): Promise<{ address: string; stop: () => Promise<void> }> {
  const daemon = spawn(DBUS_DAEMON, ['--session', '--nofork', `--address=unix:path=${socketPath}`, '--print-address=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  daemon.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  daemon.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitFor('a private D-Bus for ippeveprinter', () => {
      if (daemon.exitCode !== null) throw new Error(`dbus-daemon exited (${daemon.exitCode}): ${output}`);
      return output.includes('unix:path=');
    }, 10_000);
  } catch (error) {
    await stopChild(daemon);
    throw error;
  }
  return { address: `unix:path=${socketPath}`, stop: () => stopChild(daemon) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The queues CUPS knows (lpstat -v), for checking that nothing was left behind. */
export async function cupsQueueNames(): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync('/usr/bin/lpstat', ['-v'], { env: C_LOCALE, timeout: 10_000 });
    return stdout.split('\n').map((line) => /^device for ([^:]+):/.exec(line)?.[1]).filter((name): name is string => name !== undefined);
  } catch {
    return []; // "No destinations added" exits 1
  }
}

/** Removes a queue a failed test may have left (errors ignored). */
export async function removeCupsQueue(name: string): Promise<void> {
  await execFileAsync('/usr/sbin/lpadmin', ['-x', name], { env: C_LOCALE, timeout: 10_000 }).catch(() => undefined);
}
