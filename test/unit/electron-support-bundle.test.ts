// The tray's "support bundle" item: in the menu in Italian and English, and its flow in the main
// process (make, ask where with Downloads proposed, write private to the user, show it; a refusal
// or a failure said, nothing written).
import { afterEach, describe, expect, it } from 'vitest';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentStatus } from '../../src/contract/local-api.ts';
import { trayMenuFor, type TrayMenuEntry } from '../../src/main/tray-menu.ts';
import { trayStateFor } from '../../src/main/tray-state.ts';
import { saveSupportBundle, type SupportBundleSaveHost } from '../../src/main/support-bundle-save.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const status = {
  version: '0.1.0',
  startedAt: '2026-12-07T00:00:00.000Z',
  paused: false,
  hold: null,
  counts: {},
  services: [],
  watchers: [],
  printers: [],
  hub: {
    transport: 'https',
    url: 'https://hub.example',
    reachable: true,
    lastContactAt: null,
    lastError: null,
    lastSyncAt: null,
    credits: 10,
    keyExpiresAt: null,
  },
} as unknown as AgentStatus;

function menu(locale: 'it' | 'en'): TrayMenuEntry[] {
  return trayMenuFor({ status, state: trayStateFor(status, locale), locale, startAtLogin: false, hasDropFolder: true });
}

describe('the tray menu', () => {
  it.each([
    ['it', "Crea pacchetto per l'assistenza…"],
    ['en', 'Create support bundle…'],
  ] as const)('offers the support bundle in %s, above Quit', (locale, label) => {
    const entries = menu(locale);
    const index = entries.findIndex((e) => e.kind === 'action' && e.action === 'support-bundle');
    expect(entries[index]).toEqual({ kind: 'action', action: 'support-bundle', label, enabled: true });
    expect(entries.slice(index + 1)).toEqual([{ kind: 'separator' }, expect.objectContaining({ action: 'quit' })]);
  });
});

describe('saving the support bundle from the tray', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function host(answer: 'accept' | 'cancel', make?: () => Promise<{ name: string; bytes: Buffer }>) {
    const temp = await makeTempDir('recapito-tray-bundle-');
    cleanups.push(temp.cleanup);
    const calls = { proposed: '' as string, revealed: [] as string[], errors: [] as string[] };
    const fake: SupportBundleSaveHost = {
      make: make ?? (async () => ({ name: 'recapito-support-20261207-120000Z.zip', bytes: Buffer.from('PK zip bytes') })),
      downloadsDir: () => temp.dir,
      askWhere: async (defaultPath) => {
        calls.proposed = defaultPath;
        return answer === 'accept' ? defaultPath : null;
      },
      reveal: (file) => void calls.revealed.push(file),
      showError: async (message) => void calls.errors.push(message),
    };
    return { fake, calls, dir: temp.dir };
  }

  it('proposes Downloads and the bundle name, writes it 0600 and shows it', async () => {
    const { fake, calls, dir } = await host('accept');
    const file = join(dir, 'recapito-support-20261207-120000Z.zip');
    expect(await saveSupportBundle(fake, 'failed')).toEqual({ saved: file });
    expect(calls.proposed).toBe(file);
    expect(await readFile(file, 'utf8')).toBe('PK zip bytes');
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(calls.revealed).toEqual([file]);
    expect(calls.errors).toEqual([]);
  });

  it('writes nothing when the person cancels', async () => {
    const { fake, calls } = await host('cancel');
    expect(await saveSupportBundle(fake, 'failed')).toEqual({ cancelled: true });
    expect(calls.revealed).toEqual([]);
  });

  it('says why when the bundle cannot be made', async () => {
    const { fake, calls } = await host('accept', () => Promise.reject(new Error('the agent is not running')));
    expect(await saveSupportBundle(fake, 'The support bundle could not be made')).toEqual({ failed: 'the agent is not running' });
    expect(calls.errors).toEqual(['The support bundle could not be made: the agent is not running']);
    expect(calls.revealed).toEqual([]);
  });
});
