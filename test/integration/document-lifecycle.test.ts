// The state table (src/contract/document-lifecycle.ts) is what the agent enforces: for every state
// and every action, a real agent on a real store accepts exactly what the table allows and refuses
// the rest with 409 and the same code the local API returns. The table itself is pinned below, so a
// change to it is a deliberate change to this test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createAgent, type Agent } from '../../src/core/agent/agent.ts';
import { defaultSettings } from '../../src/core/config/settings-schema.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { AgentError } from '../../src/core/agent-error.ts';
import { DOCUMENT_STATES, type DocumentState } from '../../src/contract/states.ts';
import { allows, isSettled, statesAllowing, statesToReconcile, type DocumentAction } from '../../src/contract/document-lifecycle.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let agent: Agent;
let cleanup: () => Promise<void>;
let counter = 0;

beforeAll(async () => {
  const temp = await makeTempDir('recapito-lifecycle-');
  const dataDir = join(temp.dir, 'agent');
  const defaults = defaultSettings();
  // No hub: nothing leaves, so each document stays in the state the test puts it in.
  const settings = { ...defaults, api: { ...defaults.api, port: 0 }, printer: { ...defaults.printer, enabled: false, port: 0 } };
  const log = createLogger({ dir: join(dataDir, 'logs'), level: 'info', maxFileBytes: 1 << 20, maxFiles: 1 });
  agent = createAgent(settings, { dataDir, secrets: await createFileSecretStore(join(dataDir, 'secrets.json'), {}), log });
  await agent.start();
  cleanup = async () => {
    await agent.stop();
    await temp.cleanup();
  };
});
afterAll(async () => {
  await cleanup();
});

function documentIn(state: DocumentState): string {
  counter += 1;
  const id = `00000000-0000-7000-8000-${String(counter).padStart(12, '0')}`;
  agent.store.transaction(() =>
    agent.store.documents.insert({
      id,
      profile: 'default',
      source: 'api',
      name: `${state}.pdf`,
      kind: 'pdf',
      contentType: 'application/pdf',
      size: 1,
      sha256: `${counter}`.padStart(64, '0'),
      spooled: false,
      state,
      reason: null,
      reasonCode: null,
      duplicateOf: null,
      metadata: {},
    }),
  );
  return id;
}

function attempt(action: DocumentAction, id: string): { ok: true; state: DocumentState } | { ok: false; error: AgentError } {
  try {
    if (action === 'retry') return { ok: true, state: agent.retry(id) };
    agent.cancel(id);
    return { ok: true, state: 'cancelled' };
  } catch (error) {
    if (error instanceof AgentError) return { ok: false, error };
    throw error;
  }
}

describe('document actions follow the state table', () => {
  const cases = DOCUMENT_STATES.flatMap((state) => (['retry', 'cancel'] as const).map((action) => [state, action] as const));
  it.each(cases)('%s: %s', (state, action) => {
    const id = documentIn(state);
    const result = attempt(action, id);
    if (allows(state, action)) {
      expect(result).toEqual({ ok: true, state: action === 'retry' ? 'queued' : 'cancelled' });
      expect(agent.store.documents.get(id)!.state).toBe(result.ok ? result.state : null);
    } else {
      expect(result.ok).toBe(false);
      if (!result.ok)
        expect(result.error).toMatchObject({
          status: 409,
          code: action === 'retry' ? 'not_retryable' : 'not_cancellable',
          message: expect.stringContaining(`"${state}"`),
        });
      expect(agent.store.documents.get(id)!.state).toBe(state); // refused: nothing changed
    }
  });

  it('retries into held, not queued, while sending is paused', () => {
    agent.pause();
    try {
      expect(attempt('retry', documentIn('failed'))).toEqual({ ok: true, state: 'held' });
    } finally {
      agent.resume();
    }
  });

  it('is the table we mean', () => {
    expect(statesAllowing('retry')).toEqual(['duplicate', 'queued', 'held', 'failed', 'cancelled']);
    expect(statesAllowing('cancel')).toEqual(['captured', 'duplicate', 'awaiting_approval', 'queued', 'held']);
    expect(statesAllowing('approve')).toEqual(['awaiting_approval']);
    expect(statesAllowing('refuse')).toEqual(['awaiting_approval']);
    expect(statesToReconcile()).toEqual(['queued', 'sending', 'held', 'received', 'processing', 'sent', 'delivered', 'not_delivered']);
    const settled = (formato: string) => DOCUMENT_STATES.filter((state) => isSettled(state, formato));
    expect(settled('FPR12')).toEqual([
      'invalid',
      'duplicate',
      'declined',
      'failed',
      'cancelled',
      'delivered',
      'not_delivered',
      'rejected',
      'accepted',
      'refused',
      'expired',
      'undeliverable',
      'paid',
    ]);
    // A public administration's invoice waits for its outcome (NE, DT, AT) after delivery.
    expect(settled('FPA12')).toEqual([
      'invalid',
      'duplicate',
      'declined',
      'failed',
      'cancelled',
      'rejected',
      'accepted',
      'refused',
      'expired',
      'undeliverable',
      'paid',
    ]);
  });
});

describe('approve and refuse follow the state table', () => {
  const cases = DOCUMENT_STATES.flatMap((state) => (['approve', 'refuse'] as const).map((action) => [state, action] as const));
  it.each(cases)('%s: %s', async (state, action) => {
    const id = documentIn(state);
    const [outcome] = action === 'approve' ? await agent.approve([id], {}) : await agent.refuse([id], 'not this one', {});
    if (allows(state, action)) {
      expect(outcome).toEqual({ id, ok: true, state: action === 'approve' ? 'queued' : 'declined' });
      expect(agent.store.documents.get(id)).toMatchObject(action === 'approve' ? { state: 'queued' } : { state: 'declined', reason: 'not this one' });
      // Approved: an upload job; refused: none.
      expect(agent.store.jobs.openJob('upload', id) !== null).toBe(action === 'approve');
    } else {
      expect(outcome).toEqual({
        id,
        ok: false,
        status: 409,
        code: action === 'approve' ? 'not_approvable' : 'not_refusable',
        message: expect.stringContaining(`"${state}"`),
      });
      expect(agent.store.documents.get(id)!.state).toBe(state);
    }
  });

  it('approves into held while sending is paused', async () => {
    agent.pause();
    try {
      const id = documentIn('awaiting_approval');
      expect(await agent.approve([id], {})).toEqual([{ id, ok: true, state: 'held' }]);
    } finally {
      agent.resume();
    }
  });
});
