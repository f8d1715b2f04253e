// Settings swaps on the host the local API and the desktop app use: all or nothing. Whatever fails
// (building the new agent, starting it, saving its settings), the previous agent runs again on the
// same data folder, nothing is saved, and the lock is held by exactly one agent.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createAgent, type Agent } from '../../src/core/agent/agent.ts';
import { SwappingAgentHost } from '../../src/core/agent/agent-host.ts';
import { defaultSettings, type Settings } from '../../src/core/config/settings-schema.ts';
import { createFileSecretStore, type SecretStore } from '../../src/core/config/secret-store.ts';
import { createLogger, type Logger } from '../../src/core/log/logger.ts';
import { AgentError } from '../../src/core/agent-error.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const temp = await makeTempDir('recapito-host-');
  const dataDir = join(temp.dir, 'agent');
  const log: Logger = createLogger({ dir: join(dataDir, 'logs'), level: 'info', maxFileBytes: 1 << 20, maxFiles: 1 });
  const secrets: SecretStore = await createFileSecretStore(join(dataDir, 'secrets.json'), {});
  const defaults = defaultSettings();
  // No hub: nothing is sent, so the agents differ only in what the test changes.
  const settings: Settings = { ...defaults, api: { ...defaults.api, port: 0 }, printer: { ...defaults.printer, enabled: false, port: 0 } };
  const make = (s: Settings): Agent => createAgent(s, { dataDir, secrets, log });
  const first = make(settings);
  await first.start();
  const saved: Settings[] = [];
  const host = new SwappingAgentHost({ agent: first, create: make, save: async (s) => void saved.push(s), log });
  cleanups.push(async () => {
    await host.current().stop();
    await temp.cleanup();
  });
  return { settings, make, host, first, saved, dataDir, secrets, log };
}

/** The running agent answers, and it alone holds the data folder (another agent cannot start there). */
async function expectSoleRunning(agent: Agent, make: (s: Settings) => Agent, settings: Settings): Promise<void> {
  expect(agent.status().version).toBeTruthy();
  const intruder = make(settings);
  await expect(intruder.start()).rejects.toThrow(/another Recapito agent/);
}

describe('settings swap', () => {
  it('applies new settings: a new agent on the same folder, saved, with what needs a restart', async () => {
    const { settings, host, first, saved, make } = await setup();
    const next: Settings = { ...settings, intake: { ...settings.intake, stableWindowMs: 700 }, log: { ...settings.log, level: 'debug' } };
    expect(await host.applySettings(next)).toEqual({ restartRequired: ['log'] });
    expect(host.current()).not.toBe(first);
    expect(host.current().settings.intake.stableWindowMs).toBe(700);
    expect(saved).toEqual([next]);
    expect(() => first.status()).toThrow(/not running/);
    await expectSoleRunning(host.current(), make, settings);
  });

  it('keeps the previous agent when building the new one throws', async () => {
    const { settings, first, saved, make, log, dataDir, secrets } = await setup();
    let calls = 0;
    const host = new SwappingAgentHost({
      agent: first,
      create: (s) => {
        calls += 1;
        if (calls === 1) throw new Error('cannot build this agent');
        return createAgent(s, { dataDir, secrets, log });
      },
      save: async (s) => void saved.push(s),
      log,
    });
    await expect(host.applySettings({ ...settings, intake: { ...settings.intake, stableWindowMs: 900 } })).rejects.toMatchObject({
      code: 'apply_failed',
      status: 400,
      message: expect.stringMatching(/cannot build this agent/),
    });
    expect(host.current()).toBe(first);
    expect(host.current().settings).toEqual(settings);
    expect(saved).toEqual([]);
    await expectSoleRunning(first, make, settings);
    // And the host still takes the next change.
    await host.applySettings({ ...settings, intake: { ...settings.intake, stableWindowMs: 800 } });
    expect(host.current().settings.intake.stableWindowMs).toBe(800);
  });

  it('keeps the previous agent when the new one cannot start (unreadable CA file), and releases its lock', async () => {
    const { settings, host, first, saved, make } = await setup();
    const broken: Settings = { ...settings, hub: { ...settings.hub, url: 'https://hub.example', caFile: '/nonexistent/ca.pem' } };
    const error = await host.applySettings(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect((error as AgentError).message).toMatch(/not applied.*ca\.pem/);
    expect(host.current()).toBe(first);
    expect(saved).toEqual([]);
    await expectSoleRunning(first, make, settings);
  });

  it('undoes a swap whose settings cannot be saved', async () => {
    const { settings, first, make, log } = await setup();
    const host = new SwappingAgentHost({ agent: first, create: make, save: () => Promise.reject(new Error('disk full')), log });
    await expect(host.applySettings({ ...settings, intake: { ...settings.intake, stableWindowMs: 650 } })).rejects.toThrow(/not applied: disk full/);
    expect(host.current()).toBe(first);
    expect(first.settings.intake.stableWindowMs).toBe(settings.intake.stableWindowMs);
    await expectSoleRunning(first, make, settings);
  });

  it('runs swaps one at a time; requests wait for the one under way', async () => {
    const { settings, host } = await setup();
    const a = host.applySettings({ ...settings, intake: { ...settings.intake, stableWindowMs: 610 } });
    const b = host.applySettings({ ...settings, intake: { ...settings.intake, stableWindowMs: 620 } });
    await host.ready();
    await Promise.all([a, b]);
    expect(host.current().settings.intake.stableWindowMs).toBe(620);
  });
});
