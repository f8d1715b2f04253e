// A data folder from before manual approval (store v4, `requireApproval` in the settings) opened by
// this agent (docs/approval.md): the store becomes v5 with the approvers table and documents' empty
// `submitted_by`; a document left awaiting approval keeps waiting and, having no known submitter,
// may be approved by any registered approver under dual control; the log still verifies.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../src/core/store/database.ts';
import { MIGRATIONS } from '../../src/core/store/migrations.ts';
import { createAgent } from '../../src/core/agent/agent.ts';
import { defaultSettings, validateSettings } from '../../src/core/config/settings-schema.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('from a v4 store and requireApproval', () => {
  it('migrates to v5 and lets a registered approver decide on the documents already waiting', async () => {
    const temp = await makeTempDir('recapito-approval-migration-');
    cleanup = temp.cleanup;
    const dataDir = join(temp.dir, 'agent');
    const file = join(dataDir, 'recapito.sqlite');
    const id = '01900000-0000-7000-8000-0000000000aa';
    const old = openDatabase(
      file,
      MIGRATIONS.filter((m) => m.version <= 4),
    );
    expect(old.pragma('user_version', { simple: true })).toBe(4);
    old
      .prepare(
        `INSERT INTO documents (id, profile, source, name, kind, size, sha256, spooled, state, metadata, created_at, updated_at)
         VALUES (?, 'main', 'folder', 'old.pdf', 'pdf', 1, ?, 0, 'awaiting_approval', '{}', ?, ?)`,
      )
      .run(id, 'a'.repeat(64), '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
    old.close();

    // The old spelling in the settings: read as manual sending; dual control added.
    const validation = validateSettings({
      ...defaultSettings(),
      profiles: [{ id: 'main', name: 'Main', requireApproval: true, dualControl: true }],
    });
    if (!validation.ok) throw new Error(JSON.stringify(validation.errors));
    const settings = {
      ...validation.settings,
      api: { ...validation.settings.api, port: 0 },
      printer: { ...validation.settings.printer, enabled: false, port: 0 },
    };
    expect(settings.profiles[0]).toMatchObject({ sending: 'manual', dualControl: true });
    const log = createLogger({ dir: join(dataDir, 'logs'), level: 'info', maxFileBytes: 1 << 20, maxFiles: 1 });
    const agent = createAgent(settings, { dataDir, secrets: await createFileSecretStore(join(dataDir, 'secrets.json'), {}), log, osUser: 'clerk' });
    await agent.start();
    try {
      expect(agent.store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
      expect(agent.store.documents.get(id)).toMatchObject({ state: 'awaiting_approval', submittedBy: null });
      expect(await agent.approve([id], {})).toEqual([{ id, ok: false, status: 403, code: 'approver_required', message: expect.any(String) }]);
      await agent.addApprover({ name: 'Anna', pin: '2468', osUser: 'clerk' });
      // No submitter known: not a self-approval, even for the account that runs the agent.
      expect(await agent.approve([id], { approver: 'Anna', pin: '2468' })).toEqual([{ id, ok: true, state: 'queued' }]);
      expect(agent.verifyAudit().ok).toBe(true);
    } finally {
      await agent.stop();
    }
  });
});
