// `recapito printer install|uninstall|status [--profile ID] [--data DIR] [--json]`: the OS print
// queues (one per profile) that point at the agent's virtual printer. See docs/printer-install.md.
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dataPaths } from '../../core/config/data-dir.ts';
import { resolveDataDir } from '../../core/config/running-agents.ts';
import { loadSettings } from '../../core/config/config-store.ts';
import { createQueueManager, QueueError } from '../../core/printer/os-queue/queue-manager.ts';
import type { QueueManager, QueueState } from '../../core/printer/os-queue/queue-manager.ts';
import { planPrinterQueues, queueLocation } from '../../core/printer/os-queue/queue-targets.ts';
import type { PrinterBrand, PrinterQueuePlan, PrinterQueueTarget } from '../../core/printer/os-queue/queue-targets.ts';
import { loadBranding } from '../../core/config/branding.ts';

const USAGE = `usage: recapito printer install|uninstall|status [--profile ID] [--data DIR] [--json]

  install     add each profile's print queue to this computer's print system (needs the agent running)
  uninstall   remove them
  status      show whether they are installed and where they point`;

export interface PrinterCommandDeps {
  manager?: QueueManager;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

export async function printerCommand(args: string[], deps: PrinterCommandDeps = {}): Promise<number> {
  const out = deps.out ?? ((line: string) => console.log(line));
  const err = deps.err ?? ((line: string) => console.error(line));
  let values: { profile?: string | undefined; data?: string | undefined; json?: boolean | undefined; help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { profile: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    err(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const action = positionals[0];
  if (positionals.length !== 1 || (action !== 'install' && action !== 'uninstall' && action !== 'status')) {
    err(USAGE);
    return 2;
  }

  const dataDir = await resolveDataDir(values.data);
  // The queues carry the branding's names, as the agent's printer does (docs/white-label.md).
  const branding = await loadBranding({ env: process.env, dataDir });
  for (const warning of branding.view.warnings) err(`branding: ${warning}`);
  const brand: PrinterBrand = { productName: branding.view.productName, shortName: branding.view.shortName };
  const plan = planPrinterQueues(await loadSettings(dataPaths(dataDir).config), await readOptional(join(dataDir, 'printer-url')), brand);
  const targets = values.profile === undefined ? plan.targets : plan.targets.filter((t) => t.profileId === values.profile);
  if (values.profile !== undefined && targets.length === 0) {
    err(`no profile "${values.profile}" in ${dataPaths(dataDir).config}; profiles: ${plan.targets.map((t) => t.profileId).join(', ') || '(none)'}`);
    return 2;
  }
  if (targets.length === 0) {
    err(`no profiles are configured in ${dataPaths(dataDir).config}: add one first (each profile gets its own print queue)`);
    return 1;
  }

  let manager: QueueManager;
  try {
    manager = deps.manager ?? createQueueManager();
  } catch (error) {
    err((error as Error).message);
    return 1;
  }
  const run = { install, uninstall, status }[action];
  return run({ manager, plan, targets, brand, explicit: values.profile !== undefined, json: values.json === true, out, err });
}

interface Run {
  manager: QueueManager;
  plan: PrinterQueuePlan;
  targets: PrinterQueueTarget[];
  brand: PrinterBrand;
  /** --profile was given: a disabled profile is then an error, not a skip. */
  explicit: boolean;
  json: boolean;
  out: (line: string) => void;
  err: (line: string) => void;
}

async function install({ manager, plan, targets, brand, explicit, out, err }: Run): Promise<number> {
  if (!plan.printerEnabled) {
    err(
      'The virtual printer is turned off in the settings (printer.enabled is false), so a queue would point at nothing: turn it on and restart the agent first.',
    );
    return 1;
  }
  let failed = 0;
  const taken = new Map<string, string>();
  for (const target of targets) {
    const label = labelOf(target);
    const queue = manager.queueName(target.displayName);
    if (!target.enabled) {
      if (explicit) {
        err(`${label}: not installed: the printer is turned off for this profile (profiles[].printer.enabled is false)`);
        failed++;
      } else {
        out(`${label}: skipped, the printer is turned off for this profile`);
      }
      continue;
    }
    const owner = taken.get(queue.toLowerCase());
    if (owner !== undefined) {
      err(`${label}: not installed: its queue name "${queue}" is the same as profile ${owner}'s; give one of them its own printer.queueName`);
      failed++;
      continue;
    }
    taken.set(queue.toLowerCase(), target.profileId);
    if (target.uri === null) {
      err(`${label}: not installed: ${plan.portProblem}`);
      failed++;
      continue;
    }
    try {
      await manager.install({
        name: target.displayName,
        uri: target.uri,
        description: target.displayName,
        location: queueLocation(brand),
      });
      out(`${label}: installed print queue "${queue}" → ${target.uri}${queue !== target.displayName ? ` (shown as "${target.displayName}")` : ''}`);
    } catch (error) {
      err(`${label}: not installed${error instanceof QueueError ? ` [${error.code}]` : ''}: ${(error as Error).message}`);
      failed++;
    }
  }
  return failed === 0 ? 0 : 1;
}

async function uninstall({ manager, targets, out, err }: Run): Promise<number> {
  let failed = 0;
  for (const target of targets) {
    const label = labelOf(target);
    const queue = manager.queueName(target.displayName);
    try {
      const before = await manager.status(target.displayName);
      await manager.uninstall(target.displayName);
      out(before.installed ? `${label}: removed print queue "${queue}"` : `${label}: no print queue "${queue}" was installed`);
    } catch (error) {
      err(`${label}: not removed${error instanceof QueueError ? ` [${error.code}]` : ''}: ${(error as Error).message}`);
      failed++;
    }
  }
  return failed === 0 ? 0 : 1;
}

async function status({ manager, plan, targets, json, out, err }: Run): Promise<number> {
  let failed = 0;
  const report: { profile: string; displayName: string; queue: string; expectedUri: string | null; state: QueueState | null; error: string | null }[] = [];
  for (const target of targets) {
    const queue = manager.queueName(target.displayName);
    try {
      const state = await manager.status(target.displayName);
      report.push({ profile: target.profileId, displayName: target.displayName, queue, expectedUri: target.uri, state, error: null });
    } catch (error) {
      report.push({ profile: target.profileId, displayName: target.displayName, queue, expectedUri: target.uri, state: null, error: (error as Error).message });
      failed++;
    }
  }
  if (json) {
    out(JSON.stringify({ system: manager.system, printerEnabled: plan.printerEnabled, queues: report }, null, 2));
    return failed === 0 ? 0 : 1;
  }
  if (!plan.printerEnabled) out('note: the virtual printer is turned off in the settings (printer.enabled is false)');
  for (const [index, entry] of report.entries()) {
    const target = targets[index]!;
    const head = `${labelOf(target)}: queue "${entry.queue}"`;
    if (entry.state === null) {
      err(`${head}: cannot tell: ${entry.error}`);
      continue;
    }
    if (!entry.state.installed) {
      out(
        `${head}: not installed${target.enabled ? ` (run "recapito printer install --profile ${target.profileId}")` : ' (the printer is turned off for this profile)'}`,
      );
      continue;
    }
    const state = entry.state;
    const flags = [
      state.driverless ? 'driverless' : 'NOT driverless (raw queue: reinstall it)',
      state.enabled ? 'enabled' : 'DISABLED',
      state.accepting ? 'accepting jobs' : 'NOT accepting jobs',
    ];
    out(`${head}: installed, ${flags.join(', ')} → ${state.uri ?? '(address not reported)'}`);
    if (state.uri !== null && entry.expectedUri !== null && state.uri !== entry.expectedUri) {
      out(
        `  it points at ${state.uri}, but the agent's printer for this profile is ${entry.expectedUri}: run "recapito printer install --profile ${target.profileId}"`,
      );
    }
  }
  return failed === 0 ? 0 : 1;
}

function labelOf(target: PrinterQueueTarget): string {
  return `${target.profileName} (${target.profileId})`;
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}
