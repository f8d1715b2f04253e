// `recapito printer install|uninstall|status`: which queues it asks for, from real settings files
// in a data folder. The print system is a stand-in that remembers queues (real CUPS is exercised in
// test/integration/cups-queue.test.ts).
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { printerCommand } from '../../src/cli/commands/printer.ts';
import { cupsQueueName, QueueError } from '../../src/core/printer/os-queue/queue-manager.ts';
import type { QueueManager, QueueSpec, QueueState } from '../../src/core/printer/os-queue/queue-manager.ts';
import { planPrinterQueues, portFromPrinterUrlFile, queueDisplayName } from '../../src/core/printer/os-queue/queue-targets.ts';
import { defaultSettings } from '../../src/core/config/settings-schema.ts';

class MemoryQueues implements QueueManager {
  readonly system = 'cups' as const;
  readonly queues = new Map<string, { spec: QueueSpec; state: Extract<QueueState, { installed: true }> }>();
  failWith: QueueError | null = null;

  queueName(displayName: string): string {
    return cupsQueueName(displayName);
  }

  async install(spec: QueueSpec): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.queues.set(this.queueName(spec.name), { spec, state: { installed: true, uri: spec.uri, driverless: true, enabled: true, accepting: true } });
  }

  async uninstall(name: string): Promise<void> {
    this.queues.delete(this.queueName(name));
  }

  async status(name: string): Promise<QueueState> {
    return this.queues.get(this.queueName(name))?.state ?? { installed: false };
  }
}

let temp: { dir: string; cleanup: () => Promise<void> };
let manager: MemoryQueues;
let lines: string[];

beforeEach(async () => {
  temp = await makeTempDir('recapito-printer-cli-');
  manager = new MemoryQueues();
  lines = [];
});

afterEach(async () => {
  await temp.cleanup();
});

async function configure(settings: object, printerUrl?: string): Promise<void> {
  await writeFile(join(temp.dir, 'config.json'), JSON.stringify(settings));
  if (printerUrl !== undefined) await writeFile(join(temp.dir, 'printer-url'), printerUrl);
}

function run(...args: string[]): Promise<number> {
  return printerCommand([...args, '--data', temp.dir], { manager, out: (line) => lines.push(line), err: (line) => lines.push(`ERR ${line}`) });
}

const rossi = { id: 'rossi', name: 'Rossi Srl' };
const bianchi = { id: 'bianchi', name: 'Bianchi', printer: { enabled: false } };
const custom = { id: 'verdi', name: 'Verdi', printer: { queueName: 'Fatture Verdi' } };

describe('recapito printer install', () => {
  it('installs one queue per enabled profile, named after the profile, at the configured port', async () => {
    await configure({ profiles: [rossi, bianchi, custom] });
    expect(await run('install')).toBe(0);
    expect([...manager.queues.values()].map((q) => q.spec)).toEqual([
      {
        name: 'Recapito – Rossi Srl',
        uri: 'ipp://127.0.0.1:8631/ipp/print/rossi',
        description: 'Recapito – Rossi Srl',
        location: 'This computer (Recapito virtual printer)',
      },
      {
        name: 'Fatture Verdi',
        uri: 'ipp://127.0.0.1:8631/ipp/print/verdi',
        description: 'Fatture Verdi',
        location: 'This computer (Recapito virtual printer)',
      },
    ]);
    expect(lines).toEqual([
      'Rossi Srl (rossi): installed print queue "Recapito-Rossi_Srl" → ipp://127.0.0.1:8631/ipp/print/rossi (shown as "Recapito – Rossi Srl")',
      'Bianchi (bianchi): skipped, the printer is turned off for this profile',
      'Verdi (verdi): installed print queue "Fatture_Verdi" → ipp://127.0.0.1:8631/ipp/print/verdi (shown as "Fatture Verdi")',
    ]);
  });

  it('prefers the port the running agent wrote to printer-url (port 0 = any free port)', async () => {
    await configure({ printer: { port: 0 }, profiles: [rossi] }, 'ipp://127.0.0.1:40123/ipp/print/rossi\n');
    expect(await run('install', '--profile', 'rossi')).toBe(0);
    expect(manager.queues.get('Recapito-Rossi_Srl')?.spec.uri).toBe('ipp://127.0.0.1:40123/ipp/print/rossi');
  });

  it('port 0 and no running agent: says why nothing was installed', async () => {
    await configure({ printer: { port: 0 }, profiles: [rossi] });
    expect(await run('install')).toBe(1);
    expect(manager.queues.size).toBe(0);
    expect(lines.join('\n')).toMatch(/ERR Rossi Srl \(rossi\): not installed: the printer port is 0 .*start the agent first/);
  });

  it('refuses when the virtual printer is off, or the named profile is off or unknown', async () => {
    await configure({ printer: { enabled: false }, profiles: [rossi] });
    expect(await run('install')).toBe(1);
    expect(lines.join('\n')).toMatch(/turned off in the settings \(printer\.enabled is false\)/);

    await configure({ profiles: [rossi, bianchi] });
    lines = [];
    expect(await run('install', '--profile', 'bianchi')).toBe(1);
    expect(lines.join('\n')).toMatch(/ERR Bianchi \(bianchi\): not installed: the printer is turned off for this profile/);
    expect(await run('install', '--profile', 'nobody')).toBe(2);
    expect(lines.at(-1)).toMatch(/no profile "nobody".*profiles: rossi, bianchi/);
    expect(manager.queues.size).toBe(0);
  });

  it('two profiles whose names give the same queue name: the second is refused', async () => {
    await configure({
      profiles: [
        { id: 'a', name: '日本' },
        { id: 'b', name: '中国' },
      ],
    });
    expect(await run('install')).toBe(1);
    expect(manager.queues.size).toBe(1);
    expect(lines.join('\n')).toMatch(
      /ERR 中国 \(b\): not installed: its queue name "Recapito" is the same as profile a's; give one of them its own printer.queueName/,
    );
  });

  it('passes on the print system refusal with its code and command', async () => {
    await configure({ profiles: [rossi] });
    manager.failWith = new QueueError('forbidden', 'CUPS refused … sudo usermod -aG lpadmin $USER … sudo lpadmin -p X', 'sudo lpadmin -p X');
    expect(await run('install')).toBe(1);
    expect(lines).toEqual(['ERR Rossi Srl (rossi): not installed [forbidden]: CUPS refused … sudo usermod -aG lpadmin $USER … sudo lpadmin -p X']);
  });

  it('usage errors exit 2', async () => {
    await configure({ profiles: [rossi] });
    expect(await run()).toBe(2);
    expect(await run('reinstall')).toBe(2);
    expect(await run('install', '--bogus')).toBe(2);
  });
});

describe('recapito printer status and uninstall', () => {
  it('reports each queue, warns when it points elsewhere, and removes them', async () => {
    await configure({ profiles: [rossi, custom] });
    await manager.install({ name: 'Recapito – Rossi Srl', uri: 'ipp://127.0.0.1:9999/ipp/print/rossi' });
    manager.queues.get('Recapito-Rossi_Srl')!.state.driverless = false;

    expect(await run('status')).toBe(0);
    expect(lines).toEqual([
      'Rossi Srl (rossi): queue "Recapito-Rossi_Srl": installed, NOT driverless (raw queue: reinstall it), enabled, accepting jobs → ipp://127.0.0.1:9999/ipp/print/rossi',
      '  it points at ipp://127.0.0.1:9999/ipp/print/rossi, but the agent\'s printer for this profile is ipp://127.0.0.1:8631/ipp/print/rossi: run "recapito printer install --profile rossi"',
      'Verdi (verdi): queue "Fatture_Verdi": not installed (run "recapito printer install --profile verdi")',
    ]);

    lines = [];
    expect(await run('status', '--json')).toBe(0);
    const report = JSON.parse(lines.join('\n')) as { system: string; queues: { profile: string; queue: string; state: QueueState }[] };
    expect(report.system).toBe('cups');
    expect(report.queues.map((q) => [q.profile, q.queue, q.state.installed])).toEqual([
      ['rossi', 'Recapito-Rossi_Srl', true],
      ['verdi', 'Fatture_Verdi', false],
    ]);

    lines = [];
    expect(await run('uninstall')).toBe(0);
    expect(lines).toEqual(['Rossi Srl (rossi): removed print queue "Recapito-Rossi_Srl"', 'Verdi (verdi): no print queue "Fatture_Verdi" was installed']);
    expect(manager.queues.size).toBe(0);
  });

  it('no profiles: says so', async () => {
    await configure({});
    expect(await run('status')).toBe(1);
    expect(lines.join('\n')).toMatch(/no profiles are configured/);
  });
});

describe('planning', () => {
  it('reads printer-url lines with or without the profile id', () => {
    expect(portFromPrinterUrlFile('ipp://127.0.0.1:4001/ipp/print/a\nipp://127.0.0.1:4002/ipp/print/b\n', 'b')).toBe(4002);
    expect(portFromPrinterUrlFile('a ipp://127.0.0.1:4001/ipp/print/a\nb ipp://127.0.0.1:4002/ipp/print/b\n', 'a')).toBe(4001);
    expect(portFromPrinterUrlFile('ipp://127.0.0.1:4001/ipp/print/a\n', 'other')).toBe(4001);
    expect(portFromPrinterUrlFile('garbage\n\nhttp://[::1]:4003/\n')).toBe(4003);
    expect(portFromPrinterUrlFile('')).toBeNull();
  });

  it('display names, URIs and the port source', () => {
    const settings = defaultSettings();
    settings.profiles = [
      {
        id: 'main-office',
        name: 'Sede',
        hubCompanyId: null,
        folders: [],
        returnFolder: null,
        sending: 'automatic',
        dualControl: false,
        printer: { enabled: true, queueName: null },
      },
    ];
    expect(queueDisplayName(settings.profiles[0]!)).toBe('Recapito – Sede');
    expect(planPrinterQueues(settings, null)).toMatchObject({
      port: 8631,
      portSource: 'settings',
      portProblem: null,
      targets: [{ uri: 'ipp://127.0.0.1:8631/ipp/print/main-office' }],
    });
    expect(planPrinterQueues(settings, 'ipp://127.0.0.1:5555/ipp/print/main-office')).toMatchObject({ port: 5555, portSource: 'printer-url' });
  });
});
