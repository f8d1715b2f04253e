// Real CUPS for the print-queue tests: makes sure the scheduler runs (starting cupsd when we are
// root) and starts CUPS's own reference IPP Everywhere printer, ippeveprinter, on a loopback port.
// Each is a Requirement (system-tools.ts): missing, the tests skip with the reason and the command
// that fixes it; under CI=true they fail.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { freePort } from './free-port.ts';

export { freePort };
import { join } from 'node:path';
import { waitFor } from './wait-for.ts';
import { isRoot, needs, requires, type Requirement } from './system-tools.ts';

const execFileAsync = promisify(execFile);

const C_LOCALE = { ...process.env, LC_ALL: 'C', LANG: 'C' };
/** The CUPS tools the helpers and the queue tests run. */
export const needsCupsTools = (): Requirement =>
  needs('cupsd', 'lpadmin', 'lpstat', 'lp', 'lpoptions', 'cupsenable', 'cupsdisable', 'cupsaccept', 'cupsreject');
const lpstat = (): string => needs('lpstat').path('lpstat');
const lpadmin = (): string => needs('lpadmin').path('lpadmin');

async function schedulerRunning(): Promise<boolean> {
  try {
    const { stdout } = await execFileAsync(lpstat(), ['-r'], { env: C_LOCALE, timeout: 5000 });
    return /scheduler is running/.test(stdout);
  } catch {
    return false;
  }
}

/** The CUPS tools, with the scheduler running (started here if it was not and we are root). */
export async function ensureCups(): Promise<Requirement> {
  const tools = needsCupsTools();
  if (!tools.ok) return tools;
  if (await schedulerRunning()) return tools;
  if (!isRoot()) return requires(false, 'needs the CUPS scheduler running, which only root can start', 'start it: sudo systemctl start cups (or sudo cupsd)');
  // Without -f cupsd daemonizes: the parent returns once the child is ready. A second test file
  // starting it at the same moment is harmless: that copy cannot bind and exits.
  await new Promise<void>((resolve, reject) => {
    const child = spawn(tools.path('cupsd'), [], { stdio: 'ignore', detached: true });
    child.once('error', reject);
    child.once('exit', () => resolve());
    child.unref();
  });
  await waitFor('the CUPS scheduler to run (lpstat -r)', schedulerRunning, 15_000, 100);
  return tools;
}

/**
 * Adding a queue needs root or, on Debian, membership of lpadmin (CUPS' SystemGroup). A user
 * without either sees the tests that add queues skipped with this reason (root runs them in CI).
 */
export function needsCupsAdmin(): Requirement {
  let member = false;
  try {
    const gid = /^lpadmin:[^:]*:(\d+):/m.exec(readFileSync('/etc/group', 'utf8'))?.[1];
    member = gid !== undefined && (process.getgroups?.() ?? []).includes(Number(gid));
  } catch {
    // no /etc/group: not a member
  }
  return requires(
    isRoot() || member,
    'needs the right to add CUPS queues: root or the lpadmin group',
    'run the tests as root, or join the group: sudo usermod -aG lpadmin $USER (then log in again)',
  );
}

/**
 * ippeveprinter needs a D-Bus system bus for its DNS-SD code even with DNS-SD off (-r off): each
 * printer gets a private bus from dbus-daemon, so nothing is announced and no system bus is needed.
 */
export const needsIppEvePrinter = (): Requirement => needs('ippeveprinter', 'dbus-daemon');

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
  const printer = spawn(
    needsIppEvePrinter().path('ippeveprinter'),
    ['-r', 'off', '-p', String(port), '-f', formats, '-c', '/bin/true', '-d', spoolDir, '-k', name],
    {
      env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus.address },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  printer.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  try {
    await waitFor(
      `ippeveprinter on port ${port}`,
      async () => {
        if (printer.exitCode !== null) throw new Error(`ippeveprinter exited (${printer.exitCode}): ${stderr}`);
        return accepting(port);
      },
      10_000,
    );
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
  const daemon = spawn(needsIppEvePrinter().path('dbus-daemon'), ['--session', '--nofork', `--address=unix:path=${socketPath}`, '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  daemon.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  daemon.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitFor(
      'a private D-Bus for ippeveprinter',
      () => {
        if (daemon.exitCode !== null) throw new Error(`dbus-daemon exited (${daemon.exitCode}): ${output}`);
        return output.includes('unix:path=');
      },
      10_000,
    );
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
    const { stdout } = await execFileAsync(lpstat(), ['-v'], { env: C_LOCALE, timeout: 10_000 });
    return stdout
      .split('\n')
      .map((line) => /^device for ([^:]+):/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
  } catch {
    return []; // "No destinations added" exits 1
  }
}

/** Removes a queue a failed test may have left (errors ignored). */
export async function removeCupsQueue(name: string): Promise<void> {
  try {
    await execFileAsync(lpadmin(), ['-x', name], { env: C_LOCALE, timeout: 10_000 });
  } catch {
    // not there, or CUPS is missing
  }
}
