// The printer's queues under a reseller's brand (docs/white-label.md): named "<short name> – <profile>"
// in each print system, described as the brand's virtual printer, from the agent and from
// `recapito printer install`; an explicit queueName still wins, and without branding nothing changes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { writeBrandingFolder } from '../helpers/branding.ts';
import { printerCommand } from '../../src/cli/commands/printer.ts';
import { cupsQueueName, windowsPrinterName } from '../../src/core/printer/os-queue/queue-name.ts';
import type { QueueManager, QueueSpec, QueueState } from '../../src/core/printer/os-queue/queue-manager.ts';
import { planPrinterQueues, queueDisplayName, queueLocation } from '../../src/core/printer/os-queue/queue-targets.ts';
import { validateSettings } from '../../src/core/config/settings-schema.ts';

const BRAND = { productName: 'Rossi Fatture Connect', shortName: 'Rossi Fatture' };

describe('queue names with a brand', () => {
  it('prefixes the profile with the short name, in each print system', () => {
    const profile = { name: 'Società Caffè & Figli', printer: { queueName: null } };
    expect(queueDisplayName(profile, BRAND)).toBe('Rossi Fatture – Società Caffè & Figli');
    expect(cupsQueueName(queueDisplayName(profile, BRAND))).toBe('Rossi_Fatture-Societa_Caffe_Figli');
    expect(windowsPrinterName(queueDisplayName(profile, BRAND))).toBe('Rossi Fatture – Società Caffè & Figli');
    expect(queueLocation(BRAND)).toBe('This computer (Rossi Fatture Connect virtual printer)');
    // Unbranded, as before; an explicit queue name wins over any brand.
    expect(queueDisplayName(profile)).toBe('Recapito – Società Caffè & Figli');
    expect(queueLocation()).toBe('This computer (Recapito virtual printer)');
    expect(queueDisplayName({ name: 'Verdi', printer: { queueName: 'Fatture Verdi' } }, BRAND)).toBe('Fatture Verdi');
  });

  it('plans the branded queues from the settings', () => {
    const validation = validateSettings({ profiles: [{ id: 'rossi', name: 'Rossi Srl' }] });
    if (!validation.ok) throw new Error(JSON.stringify(validation.errors));
    const settings = validation.settings;
    expect(planPrinterQueues(settings, null, BRAND).targets.map((target) => target.displayName)).toEqual(['Rossi Fatture – Rossi Srl']);
    expect(planPrinterQueues(settings, null).targets.map((target) => target.displayName)).toEqual(['Recapito – Rossi Srl']);
  });
});

class MemoryQueues implements QueueManager {
  readonly system = 'cups' as const;
  readonly specs: QueueSpec[] = [];
  queueName(displayName: string): string {
    return cupsQueueName(displayName);
  }
  async install(spec: QueueSpec): Promise<void> {
    this.specs.push(spec);
  }
  async uninstall(): Promise<void> {}
  async status(): Promise<QueueState> {
    return { installed: false };
  }
}

describe('recapito printer install with a branding file in the data folder', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir('recapito-printer-brand-');
    await writeFile(join(temp.dir, 'config.json'), JSON.stringify({ profiles: [{ id: 'rossi', name: 'Rossi Srl' }] }));
  });
  afterEach(async () => {
    await temp.cleanup();
  });

  async function install(): Promise<{ code: number; manager: MemoryQueues; lines: string[] }> {
    const manager = new MemoryQueues();
    const lines: string[] = [];
    const code = await printerCommand(['install', '--data', temp.dir], { manager, out: (line) => lines.push(line), err: (line) => lines.push(`ERR ${line}`) });
    return { code, manager, lines };
  }

  it('names and describes the queue with the brand', async () => {
    await writeBrandingFolder(join(temp.dir, 'branding'));
    const { code, manager, lines } = await install();
    expect(code).toBe(0);
    expect(manager.specs).toEqual([
      {
        name: 'Rossi Fatture – Rossi Srl',
        uri: 'ipp://127.0.0.1:8631/ipp/print/rossi',
        description: 'Rossi Fatture – Rossi Srl',
        location: 'This computer (Rossi Fatture Connect virtual printer)',
      },
    ]);
    expect(lines.join('\n')).toContain('installed print queue "Rossi_Fatture-Rossi_Srl"');
  });

  it('keeps the default names, and says why, when the branding file is broken', async () => {
    await writeBrandingFolder(join(temp.dir, 'branding'));
    await writeFile(join(temp.dir, 'branding', 'branding.json'), '{"productName": ""}');
    const { code, manager, lines } = await install();
    expect(code).toBe(0);
    expect(manager.specs[0]).toMatchObject({ name: 'Recapito – Rossi Srl', location: 'This computer (Recapito virtual printer)' });
    expect(lines.filter((line) => line.startsWith('ERR branding: '))).toEqual([
      expect.stringMatching(/productName "" is not used: must not be empty/),
      expect.stringMatching(/productName cannot be used; using the default branding$/),
    ]);
  });
});
