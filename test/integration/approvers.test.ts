// The approvers' register and the PIN lockout on a manual clock (docs/approval.md, "PINs"), on a
// real agent and SQLite file: 5 wrong PINs lock an approver for 30 s, each wrong one after that
// doubles it, the right PIN resets the count; parallel guesses cannot outrun the lockout; the store
// holds a scrypt hash, never the PIN.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createAgent, type Agent } from '../../src/core/agent/agent.ts';
import { defaultSettings, type Settings } from '../../src/core/config/settings-schema.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { AgentError } from '../../src/core/agent-error.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let agent: Agent;
let clock: ManualClock;
let dataDir: string;
let cleanup: () => Promise<void>;

const PIN = '8642';

beforeEach(async () => {
  const temp = await makeTempDir('recapito-approvers-');
  dataDir = join(temp.dir, 'agent');
  const defaults = defaultSettings();
  const settings: Settings = {
    ...defaults,
    api: { ...defaults.api, port: 0 },
    printer: { ...defaults.printer, enabled: false, port: 0 },
    profiles: [
      {
        id: 'main',
        name: 'Main',
        hubCompanyId: null,
        folders: [],
        returnFolder: null,
        sending: 'manual',
        dualControl: true,
        printer: { enabled: false, queueName: null },
      },
    ],
  };
  const log = createLogger({ dir: join(dataDir, 'logs'), level: 'info', maxFileBytes: 1 << 20, maxFiles: 1 });
  clock = new ManualClock();
  agent = createAgent(settings, {
    dataDir,
    secrets: await createFileSecretStore(join(dataDir, 'secrets.json'), {}),
    log,
    osUser: 'clerk',
    approvalClock: clock,
  });
  await agent.start();
  await agent.addApprover({ name: 'Anna', pin: PIN });
  cleanup = async () => {
    await agent.stop();
    await temp.cleanup();
  };
});
afterEach(async () => {
  await cleanup();
});

async function attempt(pin: string): Promise<{ status: number; code: string; details?: unknown } | 'ok'> {
  try {
    await agent.addApprover({ name: `Person ${Math.random()}`, pin: '1111', by: { approver: 'Anna', pin } });
    return 'ok';
  } catch (error) {
    if (!(error instanceof AgentError)) throw error;
    return { status: error.status, code: error.code, details: error.details };
  }
}

describe('PIN lockout', () => {
  it('locks after 5 wrong PINs, for 30 s, then twice as long after each further wrong PIN', async () => {
    for (let n = 1; n <= 4; n += 1) expect(await attempt('0000')).toEqual({ status: 403, code: 'wrong_pin', details: { attemptsLeft: 5 - n } });
    expect(await attempt('0000')).toEqual({
      status: 429,
      code: 'approver_locked',
      details: { retryAt: new Date(clock.now() + 30_000).toISOString(), retryAfterSeconds: 30 },
    });
    // Locked: even the right PIN is not looked at, and guesses are not counted.
    expect(await attempt(PIN)).toMatchObject({ status: 429 });
    await clock.advance(29_999);
    expect(await attempt(PIN)).toMatchObject({ status: 429, details: { retryAfterSeconds: 1 } });
    await clock.advance(1);
    // The sixth wrong PIN: 60 s.
    expect(await attempt('0000')).toMatchObject({ status: 429, details: { retryAfterSeconds: 60 } });
    await clock.advance(60_000);
    expect(await attempt('0000')).toMatchObject({ status: 429, details: { retryAfterSeconds: 120 } });
    await clock.advance(120_000);
    // The right PIN: the count starts again.
    expect(await attempt(PIN)).toBe('ok');
    expect(await attempt('0000')).toEqual({ status: 403, code: 'wrong_pin', details: { attemptsLeft: 4 } });
    const locked = agent.store.events.since(0, 1000).filter((e) => e.type === 'approver.locked');
    expect(locked.map((e) => e.data?.['failures'])).toEqual([5, 6, 7]);
    expect(agent.verifyAudit().ok).toBe(true);
  });

  it('checks one PIN at a time per approver: 20 guesses at once get 5 tries, then 429', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(`99${String(i).padStart(2, '0')}`)));
    const codes = answers.map((a) => (a === 'ok' ? 'ok' : a.code));
    expect(codes.filter((c) => c === 'wrong_pin')).toHaveLength(4);
    expect(codes.filter((c) => c === 'approver_locked')).toHaveLength(16);
    expect(agent.store.approvers.get('anna')?.failedPins).toBe(5);
  });

  it('keeps a scrypt hash in the store, never the PIN', async () => {
    await agent.stop();
    const db = new Database(join(dataDir, 'recapito.sqlite'), { readonly: true });
    try {
      const row = db.prepare('SELECT * FROM approvers').get() as Record<string, unknown>;
      expect(JSON.parse(row['pin_hash'] as string)).toMatchObject({ algorithm: 'scrypt', salt: expect.any(String), hash: expect.any(String) });
      const everything = JSON.stringify(db.prepare('SELECT * FROM approvers').all()) + JSON.stringify(db.prepare('SELECT * FROM events').all());
      expect(everything).not.toContain(PIN);
    } finally {
      db.close();
      await agent.start();
    }
  });

  it('needs an approver to vouch for a new one and to remove one, and records who did', async () => {
    expect(await attempt(PIN)).toBe('ok');
    await expect(agent.addApprover({ name: 'Bruno', pin: '1357' })).rejects.toMatchObject({ status: 403, code: 'voucher_required' });
    await agent.addApprover({ name: 'Bruno', pin: '1357', osUser: 'bruno', by: { approver: 'anna', pin: PIN } });
    await expect(agent.removeApprover('Bruno', { by: { approver: 'Bruno', pin: 'nope' } })).rejects.toMatchObject({ code: 'wrong_pin' });
    await agent.removeApprover('bruno', { by: { approver: 'Anna', pin: PIN } });
    await expect(agent.removeApprover('Bruno', { by: { approver: 'Anna', pin: PIN } })).rejects.toMatchObject({ status: 404 });
    expect(agent.approvers().map((a) => a.name)).not.toContain('Bruno');
    const removed = agent.store.events.since(0, 1000).find((e) => e.type === 'approver.removed');
    expect(removed?.data).toEqual({ approver: 'Bruno', by: 'Anna', osUser: 'clerk' });
  });
});
