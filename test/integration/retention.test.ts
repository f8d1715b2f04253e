// Retention: spooled copies and history of settled documents go after their horizons; documents
// still in flight are untouched; the event chain still verifies; crash leftovers in the spool go.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { sha256Hex } from '../../src/core/store/spool.ts';
import { InstanceLock } from '../../src/core/store/instance-lock.ts';
import { createAgent } from '../../src/core/agent/agent.ts';
import { createLogger } from '../../src/core/log/logger.ts';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const DAY = 86_400_000;

describe('retention', () => {
  it('removes old spooled copies, then old settled documents, keeps the rest and the chain', async () => {
    const h = (harness = await startHarness({ settings: (s) => ({ ...s, retention: { historyDays: 30, spoolDays: 7, purgeIntervalHours: 24 } }) }));
    await writeFile(join(h.dropDir, 'old.pdf'), makePdf('old'));
    await writeFile(join(h.dropDir, 'recent.pdf'), makePdf('recent'));
    const find = (name: string) => h.agent.documents({ limit: 10 }).documents.find((d) => d.name === name);
    const old = await waitFor('old', () => find('old.pdf'));
    const recent = await waitFor('recent', () => find('recent.pdf'));
    await h.waitForState(old.id, 'delivered');
    await h.waitForState(recent.id, 'delivered');
    h.agent.pause(); // the third one stays in the queue: not settled, never purged
    await writeFile(join(h.dropDir, 'waiting.pdf'), makePdf('waiting'));
    const waiting = await waitFor('waiting', () => find('waiting.pdf'));
    await h.waitForState(waiting.id, 'held');
    const orphan = await h.agent.spool.put(Buffer.from('left by a crash between spool and commit'));
    await utimes(h.agent.spool.pathFor(orphan), new Date(Date.now() - 2 * DAY), new Date(Date.now() - 2 * DAY));
    // A copy in the store whose record is gone (store v8): no grace period, it goes at the first purge.
    const storedOrphan = Buffer.from('a small copy kept in the store, its record gone');
    h.agent.store.transaction(() => h.agent.store.spoolBlobs.put(sha256Hex(storedOrphan), storedOrphan));
    expect(h.agent.store.spoolBlobs.has(old.sha256)).toBe(true); // small documents are kept in the store

    // 10 days later: the spooled copies of both settled documents go, the records stay.
    const tenDays = await h.agent.purge(Date.now() + 10 * DAY);
    expect(tenDays.spoolCopiesRemoved).toBe(2);
    expect(tenDays.orphansRemoved).toBe(2);
    expect(await h.agent.spool.has(old.sha256)).toBe(false);
    expect(h.agent.store.spoolBlobs.has(old.sha256)).toBe(false);
    expect(h.agent.store.spoolBlobs.has(sha256Hex(storedOrphan))).toBe(false);
    expect(h.agent.store.spoolBlobs.has(waiting.sha256)).toBe(true);
    expect(await h.agent.spool.has(orphan)).toBe(false);
    expect(await h.agent.spool.has(waiting.sha256)).toBe(true);
    expect(h.agent.document(old.id)).not.toBeNull();
    await expect(h.agent.content(old.id)).resolves.toBeNull();

    // 40 days later: the settled documents and their events go; the chain still verifies.
    const fortyDays = await h.agent.purge(Date.now() + 40 * DAY);
    expect(fortyDays.documentsRemoved).toBe(2);
    expect(h.agent.document(old.id)).toBeNull();
    expect(h.agent.document(recent.id)).toBeNull();
    expect(h.agent.document(waiting.id)!.state).toBe('held');
    // Events before the kept document's first event are trimmed; its own history is intact.
    expect(fortyDays.eventsRemoved).toBeGreaterThan(0);
    expect(h.agent.document(waiting.id)!.events[0]!.type).toBe('document.captured');
    expect(h.agent.verifyAudit().ok).toBe(true);
  });

  it('detects a tampered or deleted event in the hash chain', async () => {
    const h = (harness = await startHarness());
    await writeFile(join(h.dropDir, 'a.pdf'), makePdf('a'));
    const document = await waitFor('captured', () => h.agent.documents({ limit: 5 }).documents[0]);
    await h.waitForState(document.id, 'delivered');
    expect(h.agent.verifyAudit().ok).toBe(true);
    const middle = h.agent.store.events.forDocument(document.id)[2]!;
    h.agent.store.db.prepare('DELETE FROM events WHERE seq = ?').run(middle.seq);
    const result = h.agent.verifyAudit();
    expect(result.ok).toBe(false);
    expect(result.firstBad).toBe(middle.seq + 1);
  });
});

describe('instance lock', () => {
  it('refuses a second agent on the same data folder and takes over a stale lock', async () => {
    const h = (harness = await startHarness());
    const log = createLogger({ dir: join(h.dataDir, 'logs2'), level: 'info', maxFileBytes: 1 << 20, maxFiles: 1 });
    const second = createAgent(h.settings, { dataDir: h.dataDir, secrets: { get: () => null, set: async () => {}, delete: async () => {} }, log });
    await expect(second.start()).rejects.toThrow(/another Recapito agent/);
    // The refused agent opened nothing and took nothing: the first one still runs on its folder.
    expect(() => second.status()).toThrow(/not running/);
    expect(h.agent.status().counts).toBeDefined();
    await second.stop();
    // A lock whose process is gone (kill -9) is taken over.
    const lockFile = join(h.root, 'other', 'agent.lock');
    await mkdir(join(h.root, 'other'), { recursive: true });
    await writeFile(lockFile, '999999999\n');
    const lock = new InstanceLock(lockFile);
    expect(() => lock.acquire()).not.toThrow();
    lock.release();
  });
});
