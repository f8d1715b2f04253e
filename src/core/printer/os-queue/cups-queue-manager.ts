// Print queues in CUPS (Linux, macOS) with its inbox driverless support: `lpadmin -m everywhere`.
// Measured (docs/printer-install.md): if the IPP server does not answer while lpadmin runs, lpadmin
// still exits 0 but builds no PPD and the queue is raw. So: ask the server first, verify the PPD
// afterwards, and on failure remove the half-made queue and try again.
import { setTimeout as sleep } from 'node:timers/promises';
import { cupsQueueName } from './queue-name.ts';
import { checkQueueSpec } from './queue-spec.ts';
import { probeIppPrinter } from './ipp-probe.ts';
import { lpadminInstallArgs, lpadminRemoveArgs, shellCommand } from './cups-commands.ts';
import { hasPpdOptions, isForbidden, isSchedulerDown, isUnknownQueue, parseLpoptions, parseLpstatDevice } from './cups-output.ts';
import { QueueError } from './queue-types.ts';
import type { CommandResult, CommandRunner, QueueManager, QueueSpec, QueueState } from './queue-types.ts';

export interface CupsQueueOptions {
  /** How many times lpadmin is tried before giving up (default 3). */
  attempts?: number;
  /** Wait before the second attempt; doubles each time (default 500 ms). */
  retryDelayMs?: number;
  /** How long the IPP server may take to answer the first question (default 5 s). */
  probeTimeoutMs?: number;
  /** For the hint on missing rights: macOS and Linux grant them differently. */
  platform?: NodeJS.Platform;
}

const COMMAND_TIMEOUT_MS = 60_000;

export class CupsQueueManager implements QueueManager {
  readonly system = 'cups' as const;
  readonly #run: CommandRunner;
  readonly #attempts: number;
  readonly #retryDelayMs: number;
  readonly #probeTimeoutMs: number;
  readonly #platform: NodeJS.Platform;

  constructor(runner: CommandRunner, options: CupsQueueOptions = {}) {
    this.#run = runner;
    this.#attempts = Math.max(1, options.attempts ?? 3);
    this.#retryDelayMs = options.retryDelayMs ?? 500;
    this.#probeTimeoutMs = options.probeTimeoutMs ?? 5000;
    this.#platform = options.platform ?? process.platform;
  }

  queueName(displayName: string): string {
    return cupsQueueName(displayName);
  }

  async install(spec: QueueSpec): Promise<void> {
    checkQueueSpec(spec);
    const queue = cupsQueueName(spec.name);
    const args = lpadminInstallArgs({ queue, uri: spec.uri, description: spec.description ?? spec.name, location: spec.location });
    const manual = shellCommand('lpadmin', args, { sudo: true });
    await this.#requireScheduler(manual);
    await this.#requireServer(spec.uri, queue, manual);

    let problem = '';
    let lpadminFailed = false;
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      if (attempt > 1) {
        await sleep(this.#retryDelayMs * 2 ** (attempt - 2));
        await this.#requireServer(spec.uri, queue, manual);
      }
      const result = await this.#lpadmin(args, manual);
      lpadminFailed = result.code !== 0;
      if (result.code === 0) {
        const state = await this.status(queue);
        if (state.installed && state.driverless) return;
        problem = state.installed
          ? `CUPS created the queue but could not build its driverless PPD from ${spec.uri} (the queue would be raw)`
          : 'lpadmin reported success but the queue is not there';
      } else {
        problem = `lpadmin failed: ${oneLine(result.stderr || result.stdout) || `exit code ${result.code}`}`;
      }
      await this.#removeQuietly(queue);
    }
    throw new QueueError(
      lpadminFailed ? 'command_failed' : 'no_driver',
      `Could not install the print queue "${queue}" after ${this.#attempts} attempts: ${problem}. ` +
        `Check that the Recapito agent is running with the printer enabled and that ${spec.uri} is its printer, then try again, or run by hand:\n  ${manual}\n` +
        `and check with: lpoptions -p ${queue} -l (it must list options such as PageSize).`,
      manual,
    );
  }

  async uninstall(name: string): Promise<void> {
    const queue = cupsQueueName(name);
    const args = lpadminRemoveArgs(queue);
    const manual = shellCommand('lpadmin', args, { sudo: true });
    const result = await this.#lpadmin(args, manual);
    if (result.code === 0 || isUnknownQueue(result.stderr)) return;
    throw new QueueError(
      'command_failed',
      `Could not remove the print queue "${queue}": ${oneLine(result.stderr) || `exit code ${result.code}`}. Run by hand:\n  ${manual}`,
      manual,
    );
  }

  async status(name: string): Promise<QueueState> {
    const queue = cupsQueueName(name);
    const manual = `lpstat -v ${queue}`;
    await this.#requireScheduler(manual);
    const device = await this.#run('lpstat', ['-v', queue], { timeoutMs: COMMAND_TIMEOUT_MS });
    if (device.code === 127) throw notInstalled(manual);
    if (device.code !== 0) {
      if (isUnknownQueue(device.stderr)) return { installed: false };
      throw new QueueError('command_failed', `Could not read the print queue "${queue}": ${oneLine(device.stderr) || `exit code ${device.code}`}`, manual);
    }
    const attributes = parseLpoptions((await this.#run('lpoptions', ['-p', queue], { timeoutMs: COMMAND_TIMEOUT_MS })).stdout);
    const ppd = await this.#run('lpoptions', ['-p', queue, '-l'], { timeoutMs: COMMAND_TIMEOUT_MS });
    return {
      installed: true,
      uri: parseLpstatDevice(device.stdout) ?? attributes['device-uri'] ?? null,
      driverless: hasPpdOptions(ppd),
      // printer-state 5 is "stopped": `cupsdisable` or a backend that gave up.
      enabled: attributes['printer-state'] !== '5',
      accepting: attributes['printer-is-accepting-jobs'] !== 'false',
    };
  }

  async #lpadmin(args: string[], manual: string): Promise<CommandResult> {
    const result = await this.#run('lpadmin', args, { timeoutMs: COMMAND_TIMEOUT_MS });
    if (result.code === 127) throw notInstalled(manual);
    if (result.code !== 0 && isForbidden(result.stderr)) throw this.#forbidden(result.stderr, manual);
    if (result.code !== 0 && isSchedulerDown(result.stderr)) throw schedulerDown(manual, result.stderr);
    return result;
  }

  async #requireScheduler(manual: string): Promise<void> {
    const result = await this.#run('lpstat', ['-r'], { timeoutMs: COMMAND_TIMEOUT_MS });
    if (result.code === 127) throw notInstalled(manual);
    if (!/scheduler is running/i.test(result.stdout)) throw schedulerDown(manual, result.stdout || result.stderr);
  }

  async #requireServer(uri: string, queue: string, manual: string): Promise<void> {
    const probe = await probeIppPrinter(uri, this.#probeTimeoutMs);
    if (probe.ok) return;
    throw new QueueError(
      'server_not_answering',
      `The Recapito printer does not answer at ${uri} (${probe.reason}), so CUPS could not build a driverless queue for it; ` +
        `no queue "${queue}" was installed. Start the agent with the printer enabled ("recapito serve", settings printer.enabled: true), then install again. ` +
        `With the agent running, the command by hand is:\n  ${manual}`,
      manual,
    );
  }

  async #removeQuietly(queue: string): Promise<void> {
    await this.#run('lpadmin', lpadminRemoveArgs(queue), { timeoutMs: COMMAND_TIMEOUT_MS });
  }

  #forbidden(stderr: string, manual: string): QueueError {
    const how =
      this.#platform === 'darwin'
        ? 'run it as an administrator (an admin user is in the _lpadmin group), for example with sudo'
        : 'run as root or add your user to the lpadmin group: sudo usermod -aG lpadmin $USER (then log out and in again; members need no password)';
    return new QueueError('forbidden', `CUPS refused to change print queues (${oneLine(stderr)}): ${how}. Or run by hand:\n  ${manual}`, manual);
  }
}

function notInstalled(manual: string): QueueError {
  return new QueueError(
    'not_supported',
    `The CUPS command-line tools (lpadmin, lpstat, lpoptions) are not installed. On Debian/Ubuntu: sudo apt install cups cups-client; then run:\n  ${manual}`,
    manual,
  );
}

function schedulerDown(manual: string, detail: string): QueueError {
  return new QueueError(
    'command_failed',
    `The CUPS scheduler (cupsd) is not running${detail ? ` (${oneLine(detail)})` : ''}. Start it (sudo systemctl start cups; on macOS it starts by itself), then run:\n  ${manual}`,
    manual,
  );
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, '; ');
}
