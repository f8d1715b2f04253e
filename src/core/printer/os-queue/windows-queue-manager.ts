// Print queues on Windows 10/11 with the inbox Microsoft IPP Class Driver: `Add-Printer -IppURL`
// (elevated), run through powershell.exe. The scripts are in powershell-scripts.ts.
import { windowsPrinterName } from './queue-name.ts';
import { checkQueueSpec } from './queue-spec.ts';
import { ippToHttpUrl, probeIppPrinter } from './ipp-probe.ts';
import {
  buildInstallScript,
  buildStatusScript,
  buildUninstallScript,
  manualInstallCommand,
  manualStatusCommand,
  manualUninstallCommand,
  powershellArgs,
} from './powershell-scripts.ts';
import { parseInstallOutput, parseStatusOutput, parseUninstallOutput, ScriptOutputError, toQueueState } from './powershell-output.ts';
import type { ScriptFailure } from './powershell-output.ts';
import { QueueError } from './queue-types.ts';
import type { CommandResult, CommandRunner, QueueManager, QueueSpec, QueueState } from './queue-types.ts';

export interface WindowsQueueOptions {
  probeTimeoutMs?: number;
  /** powershell.exe to run; default the one in %SystemRoot%\System32 (a PATH entry could shadow it). */
  powershell?: string;
}

// Add-Printer asks the printer for its attributes and installs the driver: it can take a while.
const INSTALL_TIMEOUT_MS = 180_000;
const QUERY_TIMEOUT_MS = 60_000;
const ELEVATION_HINT = 'open PowerShell as Administrator (Start menu → type "PowerShell" → right-click → Run as administrator)';

export class WindowsQueueManager implements QueueManager {
  readonly system = 'windows' as const;
  readonly #run: CommandRunner;
  readonly #probeTimeoutMs: number;
  readonly #powershell: string;

  constructor(runner: CommandRunner, options: WindowsQueueOptions = {}) {
    this.#run = runner;
    this.#probeTimeoutMs = options.probeTimeoutMs ?? 5000;
    this.#powershell = options.powershell ?? defaultPowershell(process.env);
  }

  queueName(displayName: string): string {
    return windowsPrinterName(displayName);
  }

  async install(spec: QueueSpec): Promise<void> {
    checkQueueSpec(spec);
    const name = windowsPrinterName(spec.name);
    const target = { name, url: ippToHttpUrl(spec.uri), comment: spec.description ?? spec.name, location: spec.location };
    const manual = manualInstallCommand(target);
    const probe = await probeIppPrinter(spec.uri, this.#probeTimeoutMs);
    if (!probe.ok) {
      throw new QueueError(
        'server_not_answering',
        `The Recapito printer does not answer at ${spec.uri} (${probe.reason}); Windows needs it running to set up the queue, so no printer "${name}" was added. ` +
          `Start the agent with the printer enabled, then install again. With the agent running, the command by hand (in PowerShell as Administrator) is:\n  ${manual}`,
        manual,
      );
    }
    const outcome = await this.#script(buildInstallScript(target), INSTALL_TIMEOUT_MS, manual, parseInstallOutput);
    if (!outcome.ok) throw failure(outcome, `Could not add the printer "${name}"`, manual);
    if (!/IPP Class Driver/i.test(outcome.driverName)) {
      throw new QueueError(
        'no_driver',
        `Windows added the printer "${name}" with the driver "${outcome.driverName}" instead of the Microsoft IPP Class Driver, so it may not send PDF. Remove it and add it again by hand (in PowerShell as Administrator):\n  ${manualUninstallCommand(name)}\n  ${manual}`,
        manual,
      );
    }
  }

  async uninstall(displayName: string): Promise<void> {
    const name = windowsPrinterName(displayName);
    const manual = manualUninstallCommand(name);
    const outcome = await this.#script(buildUninstallScript(name), QUERY_TIMEOUT_MS, manual, parseUninstallOutput);
    if (!outcome.ok) throw failure(outcome, `Could not remove the printer "${name}"`, manual);
  }

  async status(displayName: string): Promise<QueueState> {
    const name = windowsPrinterName(displayName);
    const manual = manualStatusCommand(name);
    const outcome = await this.#script(buildStatusScript(name), QUERY_TIMEOUT_MS, manual, parseStatusOutput);
    if (!outcome.ok) throw failure(outcome, `Could not read the printer "${name}"`, manual);
    return toQueueState(outcome);
  }

  async #script<T>(script: string, timeoutMs: number, manual: string, parse: (stdout: string) => T): Promise<T> {
    const result: CommandResult = await this.#run(this.#powershell, powershellArgs(script), { timeoutMs });
    if (result.code === 127) {
      throw new QueueError(
        'not_supported',
        `Windows PowerShell (powershell.exe) was not found, so printers cannot be managed from here. In PowerShell as Administrator, run:\n  ${manual}`,
        manual,
      );
    }
    try {
      return parse(result.stdout);
    } catch (error) {
      if (!(error instanceof ScriptOutputError)) throw error;
      const detail = (result.stderr || result.stdout).trim().split(/\r?\n/).slice(-5).join(' ').slice(0, 600);
      throw new QueueError(
        'command_failed',
        `${error.message} (exit code ${result.code}${detail ? `: ${detail}` : ''}). In PowerShell as Administrator, run:\n  ${manual}`,
        manual,
      );
    }
  }
}

function failure(outcome: ScriptFailure, what: string, manual: string): QueueError {
  if (outcome.code === 'forbidden') {
    return new QueueError(
      'forbidden',
      `${what}: Windows refused (${outcome.message.trim()}). Managing printers needs administrator rights: ${ELEVATION_HINT} and run:\n  ${manual}`,
      manual,
    );
  }
  const elevation = outcome.elevated === false ? ` PowerShell was not running as Administrator; if that is the cause, ${ELEVATION_HINT}.` : '';
  return new QueueError(
    outcome.code,
    `${what}: ${outcome.message.trim()}${elevation} To do it by hand, in PowerShell as Administrator run:\n  ${manual}`,
    manual,
  );
}

function defaultPowershell(env: NodeJS.ProcessEnv): string {
  const root = env['SystemRoot'] ?? env['SYSTEMROOT'];
  return root ? `${root}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe` : 'powershell.exe';
}
